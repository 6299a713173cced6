import type { Generated, Insertable, Selectable } from 'kysely'
import type { LabelStatus, SigningKeyState } from '../../../common/api/labels.ts'

/** Ed25519 key pairs that sign labels and status lists. At most one is active. */
export interface LabelSigningKeyTable {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key. */
  kid: string
  algorithm: 'EdDSA'
  /** JSON of the public JWK ({kty, crv, x}). */
  public_jwk: string
  /** The private JWK, sealed with the instance secret (SecretBox); never stored in clear. */
  private_key_sealed: string
  state: SigningKeyState
  created_at: string
  retired_at: string | null
}
export type LabelSigningKeyRow = Selectable<LabelSigningKeyTable>

/** Every label issued, with its signed form and its status now. */
export interface LabelTable {
  id: string
  /** Its bit in the revocation and suspension status lists. */
  status_index: number
  kid: string
  /** Registry references as plain ids (products and assessments have their own modules). */
  product_id: string
  product_version_id: string | null
  manufacturer_id: string | null
  assessor_id: string | null
  assessment_id: string | null
  /** JSON of the signed label record. */
  record: string
  jws: string
  /** Stored status; an active label past `expires_at` reads as expired. */
  status: LabelStatus
  status_reason: string | null
  status_changed_at: string
  issued_at: string
  expires_at: string
  /** Copies of record fields the public registry searches and filters by. */
  tier: number
  framework_version: string
  profile: string
  verification_strength: string
  device_class: string
  manufacturer_name: string
  product_name: string
  /** Lower-case product name, manufacturer, model numbers and version. */
  search_text: string
  /** `framework version|tier|profile|verification strength`: what decides the standards reached. */
  coverage_key: string
}
export type LabelRow = Selectable<LabelTable>

/** The history of a label's status, oldest first; issuance is the first entry. */
export interface LabelStatusChangeTable {
  /** Orders changes made within the same millisecond. */
  id: Generated<number>
  label_id: string
  at: string
  from_status: LabelStatus | null
  to_status: LabelStatus
  reason: string | null
  actor_type: string
  actor_id: string | null
  actor_label: string | null
}
export type NewLabelStatusChange = Insertable<LabelStatusChangeTable>
