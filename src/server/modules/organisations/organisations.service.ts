import type { MembershipSummary } from '../../../common/api/accounts.ts'
import type {
  Invitation,
  InvitationPreview,
  Member,
  Organisation,
} from '../../../common/api/organisations.ts'
import { AppError } from '../../../common/errors.ts'
import {
  hasRoleAtLeast,
  type OrganisationRole,
  type OrganisationType,
} from '../../../common/organisations.ts'
import type { Db } from '../../db/database.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import { DAY } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { hashToken, newId, randomToken } from '../../kernel/crypto.ts'
import { TtlCache } from '../../kernel/ttl-cache.ts'
import {
  createUserAccount,
  findUserIdByEmail,
  normaliseEmail,
} from '../accounts/accounts.service.ts'
import { recordAudit } from '../audit/audit.service.ts'
import {
  countOwners,
  deleteMembership,
  findInvitationById,
  findInvitationByTokenHash,
  findMembershipRole,
  findOrganisationById,
  findOrganisationBySlug,
  findOrganisationsWithMemberCounts,
  insertInvitation,
  insertMembership,
  insertOrganisation,
  listInvitations,
  listInvitationsToExpire,
  listMembersWithUsers,
  listMembershipRolesOfUser,
  listOrganisationsOfUser,
  markInvitationAccepted,
  markInvitationExpired,
  markInvitationRevoked,
  updateMembershipRole,
  updateOrganisation as updateOrganisationRow,
} from './organisations.repository.ts'
import type { InvitationRow, OrganisationRow } from './organisations.table.ts'

type Who = { actor: Actor; meta?: RequestMeta }
type UserWho = { actor: Extract<Actor, { type: 'user' }>; meta?: RequestMeta }

export const INVITATION_TTL = 7 * DAY

export function toOrganisation(row: OrganisationRow): Organisation {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    type: row.type,
    website: row.website,
    country: row.country,
    accreditedAt: row.accredited_at,
    accreditationNote: row.accreditation_note,
    createdAt: row.created_at,
  }
}

function invitationStatus(row: InvitationRow, now: string): Invitation['status'] {
  if (row.accepted_at) return 'accepted'
  if (row.revoked_at) return 'revoked'
  if (row.expired_at || row.expires_at <= now) return 'expired'
  return 'pending'
}

function toInvitation(row: InvitationRow, now: string): Invitation {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    revokedAt: row.revoked_at,
    status: invitationStatus(row, now),
  }
}

/** The role the user holds in the organisation, or undefined. Always read from the database. */
export async function getMembershipRole(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  userId: string,
) {
  return findMembershipRole(ctx.db, organisationId, userId)
}

/**
 * The access layer asks for a role on every organisation request, and the read endpoints return
 * the organisation record; both are kept per process for CACHE_MS (docs/performance.md). Changes
 * made through this process drop the entries once committed (role changes, removals, new
 * memberships, organisation updates); other processes see them within CACHE_MS
 * (docs/security.md). Reads inside a transaction always go to the database.
 */
export const CACHE_MS = 5_000
const membershipCache = new TtlCache<{ role: OrganisationRole | undefined }>(CACHE_MS, 50_000)
const organisationCache = new TtlCache<Organisation>(CACHE_MS, 10_000)
const membershipKey = (organisationId: string, userId: string) => `${organisationId} ${userId}`

/** The cached answer of `getMembershipRoleForAccess`, or undefined when there is none. */
export function cachedMembershipRole(
  organisationId: string,
  userId: string,
): { role: OrganisationRole | undefined } | undefined {
  return membershipCache.get(membershipKey(organisationId, userId), performance.now())
}

/** The role for an access decision: from this process's cache when fresh, else the database. */
export async function getMembershipRoleForAccess(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  userId: string,
): Promise<OrganisationRole | undefined> {
  const key = membershipKey(organisationId, userId)
  const cached = membershipCache.get(key, performance.now())
  if (cached) return cached.role
  const epoch = membershipCache.epoch()
  const role = await findMembershipRole(ctx.db, organisationId, userId)
  if (!ctx.db.isTransaction) membershipCache.set(key, { role }, performance.now(), epoch)
  return role
}

/** Drops a cached membership after it was added, changed or removed. */
export function forgetMembership(organisationId: string, userId: string): void {
  membershipCache.delete(membershipKey(organisationId, userId))
}

function forgetOrganisation(organisationId: string): void {
  organisationCache.delete(organisationId)
}

export async function listMembershipsOfUser(
  ctx: Pick<Ctx, 'db'>,
  userId: string,
): Promise<MembershipSummary[]> {
  const rows = await listMembershipRolesOfUser(ctx.db, userId)
  return rows.map((r) => ({
    organisationId: r.id,
    organisationName: r.name,
    organisationType: r.type,
    role: r.role,
  }))
}

// ---- organisations

function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
  return slug || 'organisation'
}

async function uniqueSlug(db: Db, name: string): Promise<string> {
  const base = slugify(name)
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`
    if (!(await findOrganisationBySlug(db, candidate))) return candidate
  }
}

/**
 * Creates a member organisation (network administrators); the creator becomes its owner.
 */
export async function createOrganisation(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: UserWho,
  input: { name: string; type: OrganisationType; website?: string; country?: string },
): Promise<Organisation> {
  const created = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now().toISOString()
    const row: OrganisationRow = {
      id: newId(),
      name: input.name.trim(),
      slug: await uniqueSlug(trx, input.name),
      type: input.type,
      website: input.website ?? null,
      country: input.country ?? null,
      accredited_at: null,
      accredited_by: null,
      accreditation_note: null,
      created_at: now,
      updated_at: now,
    }
    await insertOrganisation(trx, row)
    await insertMembership(trx, {
      organisation_id: row.id,
      user_id: who.actor.userId,
      role: 'owner',
      created_at: now,
    })
    await recordAudit(trx, ctx.clock, who, {
      action: 'organisation.created',
      organisationId: row.id,
      targetType: 'organisation',
      targetId: row.id,
      details: { name: row.name, type: row.type },
    })
    await recordAudit(trx, ctx.clock, who, {
      action: 'membership.added',
      organisationId: row.id,
      targetType: 'user',
      targetId: who.actor.userId,
      details: { role: 'owner', via: 'creation' },
    })
    return toOrganisation(row)
  })
  forgetMembership(created.id, who.actor.userId)
  return created
}

/** The organisation from this process's cache when fresh, else undefined (then getOrganisation). */
export function cachedOrganisation(organisationId: string): Organisation | undefined {
  return organisationCache.get(organisationId, performance.now())
}

/** @throws not_found */
export async function getOrganisation(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
): Promise<Organisation> {
  const inTransaction = ctx.db.isTransaction
  const cached = inTransaction
    ? undefined
    : organisationCache.get(organisationId, performance.now())
  if (cached) return cached
  const epoch = organisationCache.epoch()
  const row = await findOrganisationById(ctx.db, organisationId)
  if (!row) throw new AppError('not_found', 'No such organisation')
  const organisation = toOrganisation(row)
  if (!inTransaction) organisationCache.set(organisationId, organisation, performance.now(), epoch)
  return organisation
}

export async function listMyOrganisations(
  ctx: Pick<Ctx, 'db'>,
  actor: Actor,
): Promise<Organisation[]> {
  if (actor.type === 'api_token') return [await getOrganisation(ctx, actor.organisationId)]
  if (actor.type !== 'user') return []
  return (await listOrganisationsOfUser(ctx.db, actor.userId)).map(toOrganisation)
}

export async function updateOrganisation(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  changes: { name?: string; website?: string | null; country?: string | null },
): Promise<Organisation> {
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const existing = await findOrganisationById(trx, organisationId)
    if (!existing) throw new AppError('not_found', 'No such organisation')
    await updateOrganisationRow(trx, organisationId, {
      ...(changes.name === undefined ? {} : { name: changes.name.trim() }),
      ...(changes.website === undefined ? {} : { website: changes.website }),
      ...(changes.country === undefined ? {} : { country: changes.country }),
      updated_at: ctx.clock.now().toISOString(),
    })
    await recordAudit(trx, ctx.clock, who, {
      action: 'organisation.updated',
      organisationId,
      targetType: 'organisation',
      targetId: organisationId,
      details: { changes },
    })
    return getOrganisation({ db: trx }, organisationId)
  })
  forgetOrganisation(organisationId)
  return updated
}

export async function findOrganisationsForAdmin(
  ctx: Pick<Ctx, 'db'>,
  filter: { query?: string; type?: OrganisationType },
) {
  const rows = await findOrganisationsWithMemberCounts(
    ctx.db,
    { ...filter, query: filter.query?.trim() || undefined },
    500,
  )
  return rows.map((row) => ({ ...toOrganisation(row), memberCount: Number(row.member_count) }))
}

/**
 * Accredits an assessor organisation (a test lab or certification body) or withdraws it.
 * @throws not_found, conflict (not an assessor)
 */
export async function setAccreditation(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: UserWho,
  organisationId: string,
  accreditation: { note: string } | null,
): Promise<Organisation> {
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const row = await findOrganisationById(trx, organisationId)
    if (!row) throw new AppError('not_found', 'No such organisation')
    if (row.type !== 'assessor') {
      throw new AppError('conflict', 'Only assessor organisations can be accredited.')
    }
    const now = ctx.clock.now().toISOString()
    await updateOrganisationRow(trx, organisationId, {
      accredited_at: accreditation ? now : null,
      accredited_by: accreditation ? who.actor.userId : null,
      accreditation_note: accreditation?.note ?? null,
      updated_at: now,
    })
    await recordAudit(trx, ctx.clock, who, {
      action: accreditation ? 'organisation.accredited' : 'organisation.accreditation_withdrawn',
      organisationId,
      targetType: 'organisation',
      targetId: organisationId,
      details: accreditation ? { note: accreditation.note } : {},
    })
    return getOrganisation({ db: trx }, organisationId)
  })
  forgetOrganisation(organisationId)
  return updated
}

// ---- members

export async function listMembers(ctx: Pick<Ctx, 'db'>, organisationId: string): Promise<Member[]> {
  const rows = await listMembersWithUsers(ctx.db, organisationId)
  return rows.map((r) => ({
    userId: r.user_id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    twoFactorEnabled: r.totp_enabled_at !== null,
    joinedAt: r.created_at,
  }))
}

/** The actor's role in the organisation. API tokens never manage members, so they have none here. */
async function actingRole(
  db: Db,
  actor: Actor,
  organisationId: string,
): Promise<OrganisationRole | undefined> {
  return actor.type === 'user' ? findMembershipRole(db, organisationId, actor.userId) : undefined
}

function assertMayManageRole(
  actorRole: OrganisationRole | undefined,
  role: OrganisationRole,
): void {
  if (!actorRole || !hasRoleAtLeast(actorRole, 'admin')) {
    throw new AppError('forbidden', 'Only owners and admins manage members.')
  }
  if (role === 'owner' && actorRole !== 'owner') {
    throw new AppError('forbidden', 'Only owners can grant, change or remove the owner role.')
  }
}

/**
 * Changes a member's role. Admins manage admins, members and viewers; only owners touch the owner
 * role; the last owner keeps it.
 * @throws not_found, forbidden, conflict
 */
export async function changeMemberRole(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  userId: string,
  role: OrganisationRole,
): Promise<Member> {
  const member = await ctx.db.transaction().execute(async (trx) => {
    const current = await findMembershipRole(trx, organisationId, userId)
    if (!current) throw new AppError('not_found', 'No such member')
    const mine = await actingRole(trx, who.actor, organisationId)
    assertMayManageRole(mine, current)
    assertMayManageRole(mine, role)
    if (current === 'owner' && role !== 'owner' && (await countOwners(trx, organisationId)) <= 1) {
      throw new AppError(
        'conflict',
        'An organisation needs at least one owner; make someone else owner first.',
      )
    }
    if (current !== role) {
      await updateMembershipRole(trx, organisationId, userId, role)
      await recordAudit(trx, ctx.clock, who, {
        action: 'membership.role_changed',
        organisationId,
        targetType: 'user',
        targetId: userId,
        details: { from: current, to: role },
      })
    }
    const after = (await listMembers({ db: trx }, organisationId)).find((m) => m.userId === userId)
    if (!after) throw new AppError('not_found', 'No such member')
    return after
  })
  forgetMembership(organisationId, userId)
  return member
}

/** @throws not_found, forbidden, conflict (last owner) */
export async function removeMember(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  userId: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const current = await findMembershipRole(trx, organisationId, userId)
    if (!current) throw new AppError('not_found', 'No such member')
    // Anyone may leave; removing someone else takes an admin (an owner, for owners).
    const leaving = who.actor.type === 'user' && who.actor.userId === userId
    if (!leaving) assertMayManageRole(await actingRole(trx, who.actor, organisationId), current)
    if (current === 'owner' && (await countOwners(trx, organisationId)) <= 1) {
      throw new AppError(
        'conflict',
        'An organisation needs at least one owner; make someone else owner first.',
      )
    }
    await deleteMembership(trx, organisationId, userId)
    await recordAudit(trx, ctx.clock, who, {
      action: leaving ? 'membership.left' : 'membership.removed',
      organisationId,
      targetType: 'user',
      targetId: userId,
      details: { role: current },
    })
  })
  forgetMembership(organisationId, userId)
}

// ---- invitations

/**
 * Invites someone by email. Returns the one-time link (shown once to the inviter) and mails it
 * through the job queue when SMTP is configured.
 * @throws forbidden, conflict (already a member or invited)
 */
export async function inviteMember(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config' | 'mailer'>,
  who: Who,
  organisationId: string,
  input: { email: string; role: OrganisationRole },
): Promise<{ invitation: Invitation; link: string; emailed: boolean }> {
  const email = normaliseEmail(input.email)
  return ctx.db.transaction().execute(async (trx) => {
    const organisation = await findOrganisationById(trx, organisationId)
    if (!organisation) throw new AppError('not_found', 'No such organisation')
    assertMayManageRole(await actingRole(trx, who.actor, organisationId), input.role)
    const existingUserId = await findUserIdByEmail({ db: trx }, email)
    if (existingUserId && (await findMembershipRole(trx, organisationId, existingUserId))) {
      throw new AppError('conflict', `${email} is already a member of ${organisation.name}.`)
    }
    const now = ctx.clock.now()
    const nowIso = now.toISOString()
    const pending = (await listInvitations(trx, organisationId)).find(
      (i) => i.email === email && invitationStatus(i, nowIso) === 'pending',
    )
    if (pending) {
      throw new AppError(
        'conflict',
        `${email} already has a pending invitation; revoke it to send a new one.`,
      )
    }
    const token = randomToken()
    const row: InvitationRow = {
      id: newId(),
      organisation_id: organisationId,
      email,
      role: input.role,
      token_hash: hashToken(token),
      invited_by: who.actor.type === 'user' ? who.actor.userId : 'system',
      created_at: nowIso,
      expires_at: new Date(now.getTime() + INVITATION_TTL).toISOString(),
      accepted_at: null,
      accepted_by: null,
      revoked_at: null,
      expired_at: null,
    }
    await insertInvitation(trx, row)
    const link = `${ctx.config.publicUrl}/invitations/${token}`
    const emailed = ctx.mailer !== undefined
    if (emailed) {
      await enqueueJob(trx, ctx.clock, 'mail.send', {
        to: email,
        subject: `You are invited to join ${organisation.name} on the IIoT Safety Network`,
        text:
          `You have been invited to join ${organisation.name} as ${input.role}.\n\n` +
          `Accept the invitation here (the link works once, until ${row.expires_at}):\n${link}\n\n` +
          `If you did not expect this, ignore this message.`,
      })
    }
    await recordAudit(trx, ctx.clock, who, {
      action: 'invitation.created',
      organisationId,
      targetType: 'invitation',
      targetId: row.id,
      details: { email, role: input.role, emailed },
    })
    return { invitation: toInvitation(row, nowIso), link, emailed }
  })
}

export async function listOrganisationInvitations(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  organisationId: string,
): Promise<Invitation[]> {
  const now = ctx.clock.now().toISOString()
  return (await listInvitations(ctx.db, organisationId)).map((row) => toInvitation(row, now))
}

/** @throws not_found, conflict (already accepted or revoked) */
export async function revokeInvitation(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  invitationId: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findInvitationById(trx, organisationId, invitationId)
    if (!row) throw new AppError('not_found', 'No such invitation')
    assertMayManageRole(await actingRole(trx, who.actor, organisationId), row.role)
    if (!(await markInvitationRevoked(trx, invitationId, ctx.clock.now().toISOString()))) {
      throw new AppError('conflict', 'This invitation was already accepted or revoked.')
    }
    await recordAudit(trx, ctx.clock, who, {
      action: 'invitation.revoked',
      organisationId,
      targetType: 'invitation',
      targetId: invitationId,
      details: { email: row.email },
    })
  })
}

async function findOpenInvitation(db: Db, token: string, now: string) {
  const row = await findInvitationByTokenHash(db, hashToken(token))
  if (!row || invitationStatus(row, now) !== 'pending') {
    throw new AppError(
      'invalid_or_expired_link',
      'This invitation is unknown, already used, revoked or expired. Ask for a new one.',
    )
  }
  return row
}

/** What an invitation link offers, for its public page. @throws invalid_or_expired_link */
export async function previewInvitation(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  token: string,
): Promise<InvitationPreview> {
  const row = await findOpenInvitation(ctx.db, token, ctx.clock.now().toISOString())
  return {
    organisationName: row.organisation_name,
    organisationType: row.organisation_type,
    email: row.email,
    role: row.role,
    expiresAt: row.expires_at,
    accountExists: (await findUserIdByEmail(ctx, row.email)) !== undefined,
  }
}

/**
 * Accepts an invitation. A newcomer gives a display name and a password and gets an account; a
 * person who already has one must be signed in as the invited email.
 * @throws invalid_or_expired_link, unauthorized, forbidden, validation_failed, weak_password
 */
export async function acceptInvitation(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  token: string,
  input: { displayName?: string; password?: string },
  signedIn: { userId: string; email: string } | undefined,
  meta: RequestMeta,
): Promise<{ organisationId: string; userId: string }> {
  const accepted = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now().toISOString()
    const invitation = await findOpenInvitation(trx, token, now)
    let userId = await findUserIdByEmail({ db: trx }, invitation.email)
    let created = false
    if (userId) {
      if (!signedIn) {
        throw new AppError(
          'unauthorized',
          `Sign in as ${invitation.email} to accept this invitation.`,
        )
      }
      if (signedIn.userId !== userId) {
        throw new AppError(
          'forbidden',
          `This invitation is for ${invitation.email}; you are signed in as ${signedIn.email}.`,
        )
      }
    } else {
      const missing = [
        ...(input.displayName
          ? []
          : [{ pointer: '/displayName', message: 'is required to create your account' }]),
        ...(input.password
          ? []
          : [{ pointer: '/password', message: 'is required to create your account' }]),
      ]
      if (missing.length > 0) {
        throw new AppError('validation_failed', 'Choose a display name and a password.', {
          details: missing,
        })
      }
      const user = await createUserAccount(
        { db: trx, clock: ctx.clock },
        { email: invitation.email, displayName: input.displayName!, password: input.password! },
      )
      userId = user.id
      created = true
    }
    if (!(await markInvitationAccepted(trx, invitation.id, userId, now))) {
      throw new AppError('invalid_or_expired_link', 'This invitation was just used or revoked.')
    }
    await insertMembership(trx, {
      organisation_id: invitation.organisation_id,
      user_id: userId,
      role: invitation.role,
      created_at: now,
    })
    const actor: Actor = { type: 'user', userId, email: invitation.email, isNetworkAdmin: false }
    if (created) {
      await recordAudit(
        trx,
        ctx.clock,
        { actor, meta },
        {
          action: 'user.created',
          targetType: 'user',
          targetId: userId,
          details: { via: 'invitation' },
        },
      )
    }
    await recordAudit(
      trx,
      ctx.clock,
      { actor, meta },
      {
        action: 'invitation.accepted',
        organisationId: invitation.organisation_id,
        targetType: 'invitation',
        targetId: invitation.id,
        details: { email: invitation.email },
      },
    )
    await recordAudit(
      trx,
      ctx.clock,
      { actor, meta },
      {
        action: 'membership.added',
        organisationId: invitation.organisation_id,
        targetType: 'user',
        targetId: userId,
        details: { role: invitation.role, via: 'invitation' },
      },
    )
    return { organisationId: invitation.organisation_id, userId }
  })
  forgetMembership(accepted.organisationId, accepted.userId)
  return accepted
}

/** Marks invitations that ran out unused as expired, one audit entry each (a scheduled job). */
export async function expireInvitations(ctx: Pick<Ctx, 'db' | 'clock'>): Promise<number> {
  const now = ctx.clock.now().toISOString()
  let expired = 0
  for (;;) {
    const batch = await listInvitationsToExpire(ctx.db, now, 100)
    for (const row of batch) {
      await ctx.db.transaction().execute(async (trx) => {
        if (!(await markInvitationExpired(trx, row.id, now))) return
        expired += 1
        await recordAudit(
          trx,
          ctx.clock,
          { actor: { type: 'system', name: 'invitations.expire' } },
          {
            action: 'invitation.expired',
            organisationId: row.organisation_id,
            targetType: 'invitation',
            targetId: row.id,
            details: { email: row.email },
          },
        )
      })
    }
    if (batch.length < 100) return expired
  }
}
