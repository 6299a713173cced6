import type { OrganisationRole, OrganisationType } from '../../../common/organisations.ts'
import type { Db } from '../../db/database.ts'
import { containsInsensitive } from '../../db/dialect.ts'
import { preparedQuery } from '../../db/prepared.ts'
import type { InvitationRow, NewOrganisationRow, OrganisationRow } from './organisations.table.ts'

// ---- organisations

export async function insertOrganisation(db: Db, row: NewOrganisationRow): Promise<void> {
  await db.insertInto('organisations').values(row).execute()
}

export const findOrganisationById = preparedQuery((db: Db, id: string) =>
  db.selectFrom('organisations').selectAll().where('id', '=', id),
)

export async function findOrganisationBySlug(
  db: Db,
  slug: string,
): Promise<OrganisationRow | undefined> {
  return db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst()
}

export async function updateOrganisation(
  db: Db,
  id: string,
  changes: Partial<Omit<OrganisationRow, 'id' | 'created_at'>>,
): Promise<void> {
  await db.updateTable('organisations').set(changes).where('id', '=', id).execute()
}

export async function listOrganisationsOfUser(db: Db, userId: string) {
  return db
    .selectFrom('organisations')
    .innerJoin('memberships', 'memberships.organisation_id', 'organisations.id')
    .selectAll('organisations')
    .select('memberships.role')
    .where('memberships.user_id', '=', userId)
    .orderBy('organisations.name')
    .execute()
}

export async function findOrganisationsWithMemberCounts(
  db: Db,
  filter: { query?: string; type?: OrganisationType },
  limit: number,
) {
  let q = db
    .selectFrom('organisations')
    .leftJoin('memberships', 'memberships.organisation_id', 'organisations.id')
    .selectAll('organisations')
    .select((eb) => eb.fn.count<number>('memberships.user_id').as('member_count'))
    .groupBy([
      'organisations.id',
      'organisations.name',
      'organisations.slug',
      'organisations.type',
      'organisations.website',
      'organisations.country',
      'organisations.accredited_at',
      'organisations.accredited_by',
      'organisations.accreditation_note',
      'organisations.created_at',
      'organisations.updated_at',
    ])
  if (filter.query) q = q.where(containsInsensitive(db, 'organisations.name', filter.query))
  if (filter.type) q = q.where('organisations.type', '=', filter.type)
  return q.orderBy('organisations.name').limit(limit).execute()
}

// ---- memberships

export async function insertMembership(
  db: Db,
  row: { organisation_id: string; user_id: string; role: OrganisationRole; created_at: string },
): Promise<void> {
  await db.insertInto('memberships').values(row).execute()
}

const findMembership = preparedQuery((db: Db, organisationId: string, userId: string) =>
  db
    .selectFrom('memberships')
    .select('role')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId),
)

export async function findMembershipRole(
  db: Db,
  organisationId: string,
  userId: string,
): Promise<OrganisationRole | undefined> {
  return (await findMembership(db, organisationId, userId))?.role
}

export async function listMembersWithUsers(db: Db, organisationId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'users.id as user_id',
      'users.email',
      'users.display_name',
      'users.totp_enabled_at',
      'memberships.role',
      'memberships.created_at',
    ])
    .where('memberships.organisation_id', '=', organisationId)
    .orderBy('users.email')
    .execute()
}

export async function countOwners(db: Db, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organisation_id', '=', organisationId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function updateMembershipRole(
  db: Db,
  organisationId: string,
  userId: string,
  role: OrganisationRole,
): Promise<void> {
  await db
    .updateTable('memberships')
    .set({ role })
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .execute()
}

export async function deleteMembership(
  db: Db,
  organisationId: string,
  userId: string,
): Promise<void> {
  await db
    .deleteFrom('memberships')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .execute()
}

export async function listMembershipRolesOfUser(db: Db, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select(['organisations.id', 'organisations.name', 'organisations.type', 'memberships.role'])
    .where('memberships.user_id', '=', userId)
    .orderBy('organisations.name')
    .execute()
}

// ---- invitations

export async function insertInvitation(db: Db, row: InvitationRow): Promise<void> {
  await db.insertInto('invitations').values(row).execute()
}

export async function findInvitationById(
  db: Db,
  organisationId: string,
  id: string,
): Promise<InvitationRow | undefined> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function findInvitationByTokenHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('invitations')
    .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
    .selectAll('invitations')
    .select(['organisations.name as organisation_name', 'organisations.type as organisation_type'])
    .where('invitations.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

export async function listInvitations(db: Db, organisationId: string): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at', 'desc')
    .execute()
}

/** Marks an invitation accepted if it is still open; false when it was used or revoked meanwhile. */
export async function markInvitationAccepted(
  db: Db,
  id: string,
  userId: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ accepted_at: at, accepted_by: userId })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function markInvitationRevoked(db: Db, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Open invitations whose time has run out but that the expiry job has not yet marked. */
export async function listInvitationsToExpire(
  db: Db,
  now: string,
  limit: number,
): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expired_at', 'is', null)
    .where('expires_at', '<=', now)
    .limit(limit)
    .execute()
}

export async function markInvitationExpired(db: Db, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ expired_at: at })
    .where('id', '=', id)
    .where('expired_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
