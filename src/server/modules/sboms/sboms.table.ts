import type { Insertable, Selectable } from 'kysely'

/**
 * SBOM documents as uploaded per product version. The file is kept by SHA-256 in the SBOM store;
 * lists (tools, authors, notes) are JSON text. `is_current` is 1 for the one SBOM per version
 * that stands for it now (a partial unique index keeps it to one); the others are its history.
 */
export interface SbomDocumentTable {
  id: string
  organisation_id: string
  product_id: string
  product_version_id: string
  /** 1, 2, 3… per product version, in upload order. */
  revision: number
  is_current: number
  sha256: string
  byte_length: number
  file_name: string | null
  format: string
  spec_version: string
  serial_number: string | null
  bom_version: number | null
  namespace: string | null
  document_name: string | null
  document_created_at: string | null
  tools: string
  authors: string
  root_key: string | null
  component_count: number
  dependency_count: number
  notes: string
  uploaded_by_type: 'user' | 'api_token' | 'system'
  uploaded_by_id: string | null
  /** The person's email or the token's name, as it was at upload. */
  uploaded_by_name: string
  uploaded_at: string
}
export type SbomDocumentRow = Selectable<SbomDocumentTable>
export type NewSbomDocumentRow = Insertable<SbomDocumentTable>

/** One normalised component of an SBOM; `ordinal` is its place in the document. */
export interface SbomComponentTable {
  sbom_id: string
  ordinal: number
  component_key: string
  parent_key: string | null
  pointer: string
  is_root: number
  name: string
  group_name: string | null
  version: string | null
  type: string | null
  supplier: string | null
  author: string | null
  purl: string | null
  /** 1 valid, 0 kept as text, null without a purl. */
  purl_valid: number | null
  purl_type: string | null
  purl_namespace: string | null
  purl_name: string | null
  purl_version: string | null
  cpes: string
  hashes: string
  licenses: string
  pedigree: string | null
  merged_keys: string | null
}
export type SbomComponentRow = Selectable<SbomComponentTable>

/** Each CPE of a component, split for the vendor:product index (lower-case, unescaped). */
export interface SbomComponentCpeTable {
  sbom_id: string
  ordinal: number
  position: number
  cpe: string
  part: string | null
  vendor: string | null
  product: string | null
  version: string | null
}
export type SbomComponentCpeRow = Selectable<SbomComponentCpeTable>

export interface SbomDependencyTable {
  sbom_id: string
  from_key: string
  to_key: string
  kind: 'depends_on' | 'contains'
}
export type SbomDependencyRow = Selectable<SbomDependencyTable>
