import type { Selectable } from 'kysely'

export interface ApiTokenTable {
  id: string
  organisation_id: string
  created_by: string
  name: string
  /** First characters of the token, shown in lists so a user can tell tokens apart. */
  prefix: string
  token_hash: string
  /** JSON array of scope names. */
  scopes: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
}
export type ApiTokenRow = Selectable<ApiTokenTable>
