import type { ApiToken, CreatedToken } from '../../../common/api/organisations.ts'
import { AppError } from '../../../common/errors.ts'
import {
  hasRoleAtLeast,
  ORGANISATION_TYPE_LABELS,
  SCOPE_ORGANISATION_TYPES,
  scopeFitsOrganisation,
  TOKEN_SCOPES,
  type OrganisationRole,
  type TokenScope,
} from '../../../common/organisations.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import { DAY, MINUTE } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { hashToken, newId, randomToken } from '../../kernel/crypto.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { getMembershipRole, getOrganisation } from '../organisations/organisations.service.ts'
import {
  findApiTokenWithCreator,
  findApiTokenById,
  insertApiToken,
  listTokensByCreator,
  listTokensByOrganisation,
  markApiTokenRevoked,
  touchApiToken,
  type ApiTokenListRow,
} from './tokens.repository.ts'

type UserWho = { actor: Extract<Actor, { type: 'user' }>; meta?: RequestMeta }

/** Every token starts with this, so secret scanners can recognise a leaked one. */
export const TOKEN_PREFIX = 'isn_'
const TOUCH_INTERVAL = MINUTE
/** Scopes that change data; viewers may only create tokens without them. */
const WRITE_SCOPES: readonly TokenScope[] = TOKEN_SCOPES.filter((s) => s.endsWith(':write'))

/** The least role in the organisation that may hold a token with this scope. */
export function minimumRoleFor(scope: TokenScope): OrganisationRole {
  if (scope === 'audit:read') return 'admin'
  // People read reviews as members or above (the assessor's side has no viewer access).
  if (scope === 'reviews:read') return 'member'
  return WRITE_SCOPES.includes(scope) ? 'member' : 'viewer'
}

function parseScopes(json: string): TokenScope[] {
  const parsed = JSON.parse(json) as unknown
  return Array.isArray(parsed)
    ? parsed.filter((s): s is TokenScope => TOKEN_SCOPES.includes(s as TokenScope))
    : []
}

function toApiToken(row: ApiTokenListRow): ApiToken {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    name: row.name,
    prefix: row.prefix,
    scopes: parseScopes(row.scopes),
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }
}

/**
 * Creates an API token bound to one organisation. The secret is returned once and stored only
 * as a hash. Viewers may create read-only tokens; write scopes (and reading reviews) need member
 * or above. Scopes of another kind of organisation (products for manufacturers; reviews and
 * labels for assessors) are refused.
 * @throws forbidden, validation_failed (a scope that does not fit the organisation's type)
 */
export async function createApiToken(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: UserWho,
  organisationId: string,
  input: { name: string; scopes: TokenScope[]; expiresInDays?: number },
): Promise<CreatedToken> {
  const role = await getMembershipRole(ctx, organisationId, who.actor.userId)
  if (!role) throw new AppError('forbidden', 'You are not a member of this organisation.')
  if (
    input.scopes.some((s) => WRITE_SCOPES.includes(s) && !hasRoleAtLeast(role, minimumRoleFor(s)))
  ) {
    throw new AppError('forbidden', 'Viewers can only create read-only tokens.')
  }
  if (input.scopes.includes('audit:read') && !hasRoleAtLeast(role, minimumRoleFor('audit:read'))) {
    throw new AppError(
      'forbidden',
      'Only owners and admins can create tokens that read the audit log.',
    )
  }
  const tooStrong = input.scopes.find((s) => !hasRoleAtLeast(role, minimumRoleFor(s)))
  if (tooStrong) {
    throw new AppError(
      'forbidden',
      `A token with ${tooStrong} needs the ${minimumRoleFor(tooStrong)} role or above; you are ${role}.`,
    )
  }
  const organisation = await getOrganisation(ctx, organisationId)
  const misfits = input.scopes
    .map((scope, index) => ({ scope, index }))
    .filter(({ scope }) => !scopeFitsOrganisation(scope, organisation.type))
  if (misfits.length > 0) {
    const kinds = (scope: TokenScope) => (SCOPE_ORGANISATION_TYPES[scope] ?? []).join(' or ')
    throw new AppError(
      'validation_failed',
      `${misfits.map((m) => m.scope).join(', ')} cannot be used by ${organisation.name}, registered as ${ORGANISATION_TYPE_LABELS[organisation.type]}.`,
      {
        details: misfits.map(({ scope, index }) => ({
          in: 'body',
          pointer: `/scopes/${index}`,
          message: `${scope} is for ${kinds(scope)} organisations`,
        })),
      },
    )
  }
  const secret = `${TOKEN_PREFIX}${randomToken()}`
  const now = ctx.clock.now()
  const row = {
    id: newId(),
    organisation_id: organisationId,
    created_by: who.actor.userId,
    name: input.name.trim(),
    prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
    token_hash: hashToken(secret),
    scopes: JSON.stringify(input.scopes),
    created_at: now.toISOString(),
    expires_at: input.expiresInDays
      ? new Date(now.getTime() + input.expiresInDays * DAY).toISOString()
      : null,
    last_used_at: null,
    revoked_at: null,
  }
  return ctx.db.transaction().execute(async (trx) => {
    await insertApiToken(trx, row)
    await recordAudit(trx, ctx.clock, who, {
      action: 'api_token.created',
      organisationId,
      targetType: 'api_token',
      targetId: row.id,
      details: { name: row.name, scopes: input.scopes, expiresAt: row.expires_at },
    })
    const created = await findApiTokenById(trx, organisationId, row.id)
    return { token: toApiToken(created!), secret }
  })
}

export async function listMyApiTokens(ctx: Pick<Ctx, 'db'>, userId: string): Promise<ApiToken[]> {
  return (await listTokensByCreator(ctx.db, userId)).map(toApiToken)
}

export async function listOrganisationApiTokens(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
): Promise<ApiToken[]> {
  return (await listTokensByOrganisation(ctx.db, organisationId)).map(toApiToken)
}

/**
 * Revokes a token: its creator may, and so may the organisation's owners and admins.
 * @throws not_found, forbidden, conflict (already revoked)
 */
export async function revokeApiToken(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: UserWho,
  organisationId: string,
  tokenId: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const token = await findApiTokenById(trx, organisationId, tokenId)
    if (!token) throw new AppError('not_found', 'No such token')
    const role = await getMembershipRole({ db: trx }, organisationId, who.actor.userId)
    if (token.created_by !== who.actor.userId && !(role && hasRoleAtLeast(role, 'admin'))) {
      throw new AppError(
        'forbidden',
        'Only the token’s creator or an organisation admin can revoke it.',
      )
    }
    if (!(await markApiTokenRevoked(trx, tokenId, ctx.clock.now().toISOString()))) {
      throw new AppError('conflict', 'This token is already revoked.')
    }
    await recordAudit(trx, ctx.clock, who, {
      action: 'api_token.revoked',
      organisationId,
      targetType: 'api_token',
      targetId: tokenId,
      details: { name: token.name },
    })
  })
}

/** Resolves a bearer token to an actor; undefined when unknown, revoked or expired. */
export async function authenticateApiToken(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  secret: string,
): Promise<Extract<Actor, { type: 'api_token' }> | undefined> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return undefined
  const row = await findApiTokenWithCreator(ctx.db, hashToken(secret))
  const now = ctx.clock.now()
  if (
    !row ||
    row.revoked_at !== null ||
    (row.expires_at !== null && row.expires_at <= now.toISOString())
  ) {
    return undefined
  }
  // A token never carries more than its creator holds today: removed, demoted or disabled
  // creators take their tokens' powers with them.
  const scopes = parseScopes(row.scopes)
  if (row.creator_disabled_at !== null || !row.creator_role) return undefined
  if (scopes.some((scope) => !hasRoleAtLeast(row.creator_role!, minimumRoleFor(scope)))) {
    return undefined
  }
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() >= TOUCH_INTERVAL) {
    await touchApiToken(ctx.db, row.id, now.toISOString())
  }
  return {
    type: 'api_token',
    tokenId: row.id,
    name: row.name,
    organisationId: row.organisation_id,
    scopes,
    createdBy: row.created_by,
  }
}
