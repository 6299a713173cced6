import type { Selectable } from 'kysely'

export interface FrameworkVersionTable {
  version: string
  title: string
  status: 'published' | 'draft'
  released: string | null
  /** SHA-256 of the canonical JSON of `document`: what "immutable" is checked against. */
  content_hash: string
  /** SHA-256 over the source files' bytes, to skip re-reading unchanged sources at start. */
  source_hash: string
  /** The whole FrameworkDocument as JSON. */
  document: string
  /** 1 for the version in service, 0 for the others. */
  is_current: number
  loaded_at: string
}
export type FrameworkVersionRow = Selectable<FrameworkVersionTable>

export interface FrameworkRequirementTable {
  version: string
  id: string
  category: string
  tier: number
  kind: string
  title: string
}
