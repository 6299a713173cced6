import type { Insertable, Selectable } from 'kysely'

export interface AuditLogTable {
  seq: number
  at: string
  actor_type: 'user' | 'api_token' | 'system' | 'anonymous'
  actor_id: string | null
  /** What the actor was called at the time (an email, a token name), kept for readers. */
  actor_label: string | null
  organisation_id: string | null
  action: string
  target_type: string | null
  target_id: string | null
  request_id: string | null
  ip: string | null
  /** JSON object. */
  details: string
  prev_hash: string
  hash: string
}
export type AuditLogRow = Selectable<AuditLogTable>
export type NewAuditLogRow = Insertable<AuditLogTable>

/** One row holding the chain's head; locking it serialises appends across processes. */
export interface AuditHeadTable {
  id: number
  seq: number
  hash: string
}
