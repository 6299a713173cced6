import type { Generated, Insertable, Selectable } from 'kysely'

/** One uploaded VEX document (CycloneDX or CSAF), kept by SHA-256 like SBOMs. */
export interface VexDocumentTable {
  id: string
  organisation_id: string
  product_id: string
  product_version_id: string
  sha256: string
  byte_length: number
  file_name: string | null
  format: 'cyclonedx' | 'csaf'
  spec_version: string
  /** CycloneDX serialNumber or CSAF tracking id. */
  document_ref: string | null
  statement_count: number
  unresolved_count: number
  uploaded_by_type: string
  uploaded_by_id: string | null
  uploaded_by_name: string | null
  uploaded_at: string
}
export type VexDocumentRow = Selectable<VexDocumentTable>

/**
 * One statement of a VEX document about one subject (a component of the version, or the product
 * itself) and one vulnerability. `component_key` is the SBOM component it was resolved to (null
 * when nothing in the current SBOM matched); `purl` keeps it applicable when the SBOM changes.
 */
export interface VexStatementTable {
  id: Generated<number>
  document_id: string
  product_version_id: string
  component_key: string | null
  purl: string | null
  /** What the document named: a bom-ref, a purl or a CSAF product name. */
  subject: string
  vulnerability_id: string
  /** JSON string[]: the vulnerability id's aliases in the document (CVE ids included). */
  aliases: string
  state: 'not_affected' | 'affected' | 'fixed' | 'under_investigation'
  justification: string | null
  /** JSON string[]: CycloneDX responses or CSAF remediation categories. */
  responses: string
  detail: string | null
  fixed_version: string | null
  ordinal: number
}
export type VexStatementRow = Selectable<VexStatementTable>
export type NewVexStatementRow = Insertable<VexStatementTable>

/** A published VEX (CycloneDX 1.6) or CSAF 2.0 advisory of a product version, kept as issued. */
export interface VexPublicationTable {
  id: string
  organisation_id: string
  product_id: string
  product_version_id: string
  kind: 'cyclonedx' | 'csaf'
  /** 1, 2, 3… per version and kind: the CycloneDX BOM version or the CSAF tracking version. */
  version: number
  tracking_id: string
  content: string
  sha256: string
  statement_count: number
  published_by_type: string
  published_by_id: string | null
  published_by_name: string | null
  published_at: string
}
export type VexPublicationRow = Selectable<VexPublicationTable>
