import type { Db } from '../../db/database.ts'
import { containsInsensitive } from '../../db/dialect.ts'
import { preparedQuery } from '../../db/prepared.ts'
import type {
  NewUserRow,
  OneTimeLinkTable,
  SessionRow,
  UserRow,
  UserRowUpdate,
} from './accounts.table.ts'

// ---- users

export async function insertUser(db: Db, row: NewUserRow): Promise<void> {
  await db.insertInto('users').values(row).execute()
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()
}

export async function updateUser(db: Db, id: string, changes: UserRowUpdate): Promise<void> {
  await db.updateTable('users').set(changes).where('id', '=', id).execute()
}

export async function countNetworkAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('is_network_admin', '=', 1)
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Users with their organisation counts: those matching `query`, or the one with `userId`. */
export async function findUsers(
  db: Db,
  filter: { query?: string; userId?: string },
  limit: number,
) {
  let q = db
    .selectFrom('users')
    .leftJoin('memberships', 'memberships.user_id', 'users.id')
    .select((eb) => [
      'users.id',
      'users.email',
      'users.display_name',
      'users.is_network_admin',
      'users.totp_enabled_at',
      'users.disabled_at',
      'users.created_at',
      eb.fn.count<number>('memberships.organisation_id').as('organisation_count'),
    ])
    .groupBy([
      'users.id',
      'users.email',
      'users.display_name',
      'users.is_network_admin',
      'users.totp_enabled_at',
      'users.disabled_at',
      'users.created_at',
    ])
  const { query, userId } = filter
  if (userId) q = q.where('users.id', '=', userId)
  if (query) {
    q = q.where((eb) =>
      eb.or([
        containsInsensitive(db, 'users.email', query),
        containsInsensitive(db, 'users.display_name', query),
      ]),
    )
  }
  return q.orderBy('users.email').limit(limit).execute()
}

// ---- sessions

export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute()
}

/** The session with this token hash and its user, in one query: the hot path of every request. */
export const findSessionWithUser = preparedQuery((db: Db, tokenHash: string) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as session_id',
      'sessions.csrf_token',
      'sessions.last_seen_at',
      'sessions.idle_expires_at',
      'sessions.expires_at',
      'users.id as user_id',
      'users.email',
      'users.display_name',
      'users.is_network_admin',
      'users.totp_enabled_at',
      'users.disabled_at',
      'users.created_at',
    ])
    .where('sessions.token_hash', '=', tokenHash),
)

export async function touchSession(
  db: Db,
  id: string,
  lastSeenAt: string,
  idleExpiresAt: string,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt })
    .where('id', '=', id)
    .execute()
}

export async function listSessionsByUser(
  db: Db,
  userId: string,
  now: string,
): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .where('idle_expires_at', '>', now)
    .orderBy('last_seen_at', 'desc')
    .execute()
}

export async function deleteSession(db: Db, id: string, userId?: string): Promise<number> {
  let q = db.deleteFrom('sessions').where('id', '=', id)
  if (userId) q = q.where('user_id', '=', userId)
  const result = await q.executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function deleteSessionsByUser(
  db: Db,
  userId: string,
  exceptId?: string,
): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId)
  if (exceptId) q = q.where('id', '!=', exceptId)
  const result = await q.executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function deleteExpiredSessions(db: Db, now: string): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('idle_expires_at', '<=', now)]))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

// ---- sign-in throttling and two-factor challenges

export async function findLoginAttempt(db: Db, email: string) {
  return db.selectFrom('login_attempts').selectAll().where('email', '=', email).executeTakeFirst()
}

export async function upsertLoginAttempt(
  db: Db,
  row: { email: string; failures: number; last_failure_at: string; locked_until: string | null },
): Promise<void> {
  await db
    .insertInto('login_attempts')
    .values(row)
    .onConflict((oc) =>
      oc.column('email').doUpdateSet({
        failures: row.failures,
        last_failure_at: row.last_failure_at,
        locked_until: row.locked_until,
      }),
    )
    .execute()
}

export async function deleteLoginAttempt(db: Db, email: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('email', '=', email).execute()
}

export async function deleteStaleLoginAttempts(db: Db, before: string): Promise<number> {
  const result = await db
    .deleteFrom('login_attempts')
    .where('last_failure_at', '<', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function insertLoginChallenge(
  db: Db,
  row: {
    id: string
    user_id: string
    token_hash: string
    attempts: number
    expires_at: string
    created_at: string
  },
): Promise<void> {
  await db.insertInto('login_challenges').values(row).execute()
}

export async function findLoginChallenge(db: Db, tokenHash: string) {
  return db
    .selectFrom('login_challenges')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst()
}

export async function updateLoginChallengeAttempts(
  db: Db,
  id: string,
  attempts: number,
): Promise<void> {
  await db.updateTable('login_challenges').set({ attempts }).where('id', '=', id).execute()
}

export async function deleteLoginChallenge(db: Db, id: string): Promise<void> {
  await db.deleteFrom('login_challenges').where('id', '=', id).execute()
}

export async function deleteExpiredLoginChallenges(db: Db, now: string): Promise<number> {
  const result = await db
    .deleteFrom('login_challenges')
    .where('expires_at', '<=', now)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

// ---- one-time links

export async function insertOneTimeLink(db: Db, row: OneTimeLinkTable): Promise<void> {
  await db.insertInto('one_time_links').values(row).execute()
}

export async function findOneTimeLink(db: Db, tokenHash: string) {
  return db
    .selectFrom('one_time_links')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst()
}

/** Marks a link used if it still is unused; returns false when another request used it first. */
export async function markOneTimeLinkUsed(db: Db, id: string, usedAt: string): Promise<boolean> {
  const result = await db
    .updateTable('one_time_links')
    .set({ used_at: usedAt })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function expireUnusedLinks(
  db: Db,
  purpose: OneTimeLinkTable['purpose'],
  now: string,
): Promise<void> {
  await db
    .updateTable('one_time_links')
    .set({ expires_at: now })
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .execute()
}

export async function deleteExpiredOneTimeLinks(db: Db, before: string): Promise<number> {
  const result = await db
    .deleteFrom('one_time_links')
    .where('expires_at', '<', before)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
