import type { Db } from '../../db/database.ts'
import type { ApiTokenRow } from './tokens.table.ts'

const tokenWithOrganisation = (db: Db) =>
  db
    .selectFrom('api_tokens')
    .innerJoin('organisations', 'organisations.id', 'api_tokens.organisation_id')
    .select([
      'api_tokens.id',
      'api_tokens.organisation_id',
      'organisations.name as organisation_name',
      'api_tokens.name',
      'api_tokens.prefix',
      'api_tokens.scopes',
      'api_tokens.created_by',
      'api_tokens.created_at',
      'api_tokens.expires_at',
      'api_tokens.last_used_at',
      'api_tokens.revoked_at',
    ])

export type ApiTokenListRow = Awaited<ReturnType<typeof listTokensByCreator>>[number]

export async function insertApiToken(db: Db, row: ApiTokenRow): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute()
}

/** The token with this hash, and its creator's standing now (disabled? role in the token's organisation?). */
export async function findApiTokenWithCreator(db: Db, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.created_by')
    .leftJoin('memberships', (join) =>
      join
        .onRef('memberships.user_id', '=', 'api_tokens.created_by')
        .onRef('memberships.organisation_id', '=', 'api_tokens.organisation_id'),
    )
    .selectAll('api_tokens')
    .select(['users.disabled_at as creator_disabled_at', 'memberships.role as creator_role'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

export async function findApiTokenById(db: Db, organisationId: string, id: string) {
  return tokenWithOrganisation(db)
    .where('api_tokens.organisation_id', '=', organisationId)
    .where('api_tokens.id', '=', id)
    .executeTakeFirst()
}

export async function listTokensByCreator(db: Db, userId: string) {
  return tokenWithOrganisation(db)
    .where('api_tokens.created_by', '=', userId)
    .orderBy('api_tokens.created_at', 'desc')
    .execute()
}

export async function listTokensByOrganisation(db: Db, organisationId: string) {
  return tokenWithOrganisation(db)
    .where('api_tokens.organisation_id', '=', organisationId)
    .orderBy('api_tokens.created_at', 'desc')
    .execute()
}

export async function touchApiToken(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute()
}

export async function markApiTokenRevoked(db: Db, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
