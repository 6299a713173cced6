import type { Insertable, Selectable, Updateable } from 'kysely'

/** Times are ISO-8601 UTC strings in both dialects, so they sort as text and need no parsing. */
export interface UserTable {
  id: string
  email: string
  display_name: string
  /** argon2id PHC string; null until the user sets a password through a one-time link. */
  password_hash: string | null
  /** 1 for network administrators. */
  is_network_admin: number
  /** TOTP secret, encrypted with the instance secret; set while enrolling and once enabled. */
  totp_secret: string | null
  totp_enabled_at: string | null
  /** Last accepted TOTP time step, so a code cannot be replayed. */
  totp_last_step: number | null
  disabled_at: string | null
  created_at: string
  updated_at: string
}
export type UserRow = Selectable<UserTable>
export type NewUserRow = Insertable<UserTable>
export type UserRowUpdate = Updateable<UserTable>

export interface SessionTable {
  id: string
  user_id: string
  /** SHA-256 of the cookie token; the token itself is never stored. */
  token_hash: string
  /** Sent back by the client in `x-csrf-token` on cookie-authenticated writes. */
  csrf_token: string
  created_at: string
  last_seen_at: string
  idle_expires_at: string
  expires_at: string
  ip: string | null
  user_agent: string | null
}
export type SessionRow = Selectable<SessionTable>

/** The step between a correct password and a correct TOTP code. */
export interface LoginChallengeTable {
  id: string
  user_id: string
  token_hash: string
  attempts: number
  expires_at: string
  created_at: string
}

/** Failed sign-ins per email address, known or not, so both get the same answers. */
export interface LoginAttemptTable {
  email: string
  failures: number
  last_failure_at: string
  locked_until: string | null
}

/** One-time links: first-run administrator setup, `isn admin create`, password resets. */
export interface OneTimeLinkTable {
  id: string
  purpose: 'first_admin' | 'admin_create'
  email: string | null
  token_hash: string
  created_by: string | null
  created_at: string
  expires_at: string
  used_at: string | null
}
export type OneTimeLinkRow = Selectable<OneTimeLinkTable>
