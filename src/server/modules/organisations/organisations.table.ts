import type { Insertable, Selectable } from 'kysely'
import type { OrganisationRole, OrganisationType } from '../../../common/organisations.ts'

export interface OrganisationTable {
  id: string
  name: string
  slug: string
  type: OrganisationType
  website: string | null
  country: string | null
  /** For assessors: when a network administrator accredited the lab; null when not (or no longer) accredited. */
  accredited_at: string | null
  accredited_by: string | null
  accreditation_note: string | null
  created_at: string
  updated_at: string
}
export type OrganisationRow = Selectable<OrganisationTable>
export type NewOrganisationRow = Insertable<OrganisationTable>

export interface MembershipTable {
  organisation_id: string
  user_id: string
  role: OrganisationRole
  created_at: string
}
export type MembershipRow = Selectable<MembershipTable>

export interface InvitationTable {
  id: string
  organisation_id: string
  email: string
  role: OrganisationRole
  token_hash: string
  invited_by: string
  created_at: string
  expires_at: string
  accepted_at: string | null
  accepted_by: string | null
  revoked_at: string | null
  /** Set by the expiry job when the invitation ran out unused. */
  expired_at: string | null
}
export type InvitationRow = Selectable<InvitationTable>
