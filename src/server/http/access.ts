import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../../common/errors.ts'
import {
  hasRoleAtLeast,
  type OrganisationRole,
  type TokenScope,
} from '../../common/organisations.ts'
import type { Actor, RequestMeta } from '../kernel/actor.ts'
import type { Ctx } from '../kernel/context.ts'
import { safeEqual } from '../kernel/crypto.ts'
import { authenticateSession, type SessionAuth } from '../modules/accounts/accounts.service.ts'
import {
  getMembershipRole,
  listMembershipsOfUser,
} from '../modules/organisations/organisations.service.ts'
import { getNetworkSettings, isTwoFactorRequired } from '../modules/settings/settings.service.ts'
import { authenticateApiToken, TOKEN_PREFIX } from '../modules/tokens/tokens.service.ts'

/**
 * Who may call a route. Every route declares one in `config.access`; a route without a
 * declaration is refused (403 `access_not_declared`), so forgetting is never an open door.
 */
export type Access =
  | { kind: 'public' }
  /** Any signed-in person (session cookie). `duringTwoFactorSetup`: still allowed while the network makes them set up TOTP. */
  | { kind: 'user'; duringTwoFactorSetup?: boolean }
  /** Members of the organisation in `:orgId` with at least `role`; API tokens of that organisation with `scope`. */
  | { kind: 'org'; role: OrganisationRole; scope?: TokenScope }
  | { kind: 'network_admin' }

export const access = {
  public: { kind: 'public' },
  user: { kind: 'user' },
  account: { kind: 'user', duringTwoFactorSetup: true },
  org: (role: OrganisationRole, scope?: TokenScope): Access => ({
    kind: 'org',
    role,
    ...(scope ? { scope } : {}),
  }),
  networkAdmin: { kind: 'network_admin' },
} as const satisfies Record<string, Access | ((...args: never[]) => Access)>

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
  interface FastifyRequest {
    actor: Actor
    /** Set when the request is authenticated by a session cookie. */
    auth: SessionAuth | undefined
    meta: RequestMeta
  }
}

/** The signed-in person behind a request, for routes that only people (not API tokens) may use. */
export function userWho(request: FastifyRequest): {
  actor: Extract<Actor, { type: 'user' }>
  meta: RequestMeta
} {
  if (request.actor.type !== 'user') {
    throw new AppError('forbidden', 'Only people, not API tokens, can do this.')
  }
  return { actor: request.actor, meta: request.meta }
}

export const SESSION_COOKIE = 'isn_session'
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Describes an access declaration for people (OpenAPI and the route-walk test). */
export function describeAccess(declared: Access | undefined): string {
  if (!declared) return 'undeclared (refused)'
  switch (declared.kind) {
    case 'public':
      return 'public'
    case 'user':
      return 'signed in'
    case 'org':
      return `organisation ${declared.role} or above${declared.scope ? `, or an API token with ${declared.scope}` : ''}`
    case 'network_admin':
      return 'network administrator'
  }
}

async function authenticate(ctx: Ctx, request: FastifyRequest): Promise<void> {
  const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
  if (bearer?.startsWith(TOKEN_PREFIX)) {
    const tokenActor = await authenticateApiToken(ctx, bearer)
    // A presented but invalid token is an error, not a silent fall-back to anonymous.
    if (!tokenActor) {
      throw new AppError('unauthorized', 'The API token is unknown, revoked or expired.')
    }
    request.actor = tokenActor
    return
  }
  const cookie = request.cookies[SESSION_COOKIE]
  if (!cookie) return
  const auth = await authenticateSession(ctx, cookie)
  if (!auth) return
  request.auth = auth
  request.actor = {
    type: 'user',
    userId: auth.user.id,
    email: auth.user.email,
    isNetworkAdmin: auth.user.isNetworkAdmin,
  }
}

async function authorise(ctx: Ctx, request: FastifyRequest, declared: Access): Promise<void> {
  // Any write that rides on the session cookie needs the CSRF token, public routes included
  // (accepting an invitation as the signed-in invitee, for example).
  if (request.auth && UNSAFE_METHODS.has(request.method)) {
    const csrf = request.headers['x-csrf-token']
    if (typeof csrf !== 'string' || !safeEqual(csrf, request.auth.csrfToken)) {
      throw new AppError(
        'csrf_failed',
        'Missing or wrong CSRF token; reload the page and try again.',
      )
    }
  }
  if (declared.kind === 'public') return
  const actor = request.actor
  if (actor.type === 'anonymous') throw new AppError('unauthorized', 'Sign in to continue.')

  if (actor.type === 'api_token') {
    const params = request.params as { orgId?: string }
    if (declared.kind !== 'org' || !declared.scope) {
      throw new AppError('forbidden', 'API tokens cannot use this endpoint.')
    }
    if (params.orgId !== actor.organisationId) {
      throw new AppError('forbidden', 'This API token belongs to another organisation.')
    }
    if (!actor.scopes.includes(declared.scope)) {
      throw new AppError('forbidden', `This API token lacks the scope ${declared.scope}.`)
    }
    return
  }
  if (actor.type !== 'user' || !request.auth) {
    throw new AppError('unauthorized', 'Sign in to continue.')
  }

  const user = request.auth.user
  if (!(declared.kind === 'user' && declared.duringTwoFactorSetup) && !user.twoFactorEnabled) {
    const settings = await getNetworkSettings(ctx)
    if (
      settings.twoFactorRequiredFor.length > 0 &&
      isTwoFactorRequired(settings, user, await listMembershipsOfUser(ctx, user.id))
    ) {
      throw new AppError(
        'two_factor_setup_required',
        'The network requires two-factor sign-in for your role. Set it up in your account first.',
      )
    }
  }

  switch (declared.kind) {
    case 'user':
      return
    case 'network_admin':
      if (!user.isNetworkAdmin) {
        throw new AppError('forbidden', 'Only network administrators can do this.')
      }
      return
    case 'org': {
      const orgId = (request.params as { orgId?: string }).orgId
      const role = orgId ? await getMembershipRole(ctx, orgId, user.id) : undefined
      if (!role) throw new AppError('forbidden', 'You are not a member of this organisation.')
      if (!hasRoleAtLeast(role, declared.role)) {
        throw new AppError(
          'forbidden',
          `This needs the ${declared.role} role or above in the organisation; you are ${role}.`,
        )
      }
      return
    }
  }
}

/** Authenticates every request and enforces each route's access declaration. */
export const accessControl = fp<{ ctx: Ctx }>(
  async (app: FastifyInstance, { ctx }) => {
    app.decorateRequest('actor', null as never)
    app.decorateRequest('auth', undefined)
    app.decorateRequest('meta', null as never)

    app.addHook('onRequest', async (request) => {
      request.actor = { type: 'anonymous' }
      request.auth = undefined
      request.meta = {
        requestId: request.id,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      }
      // Requests that match no route fall through to the not-found handler.
      if (request.is404) return
      const declared = request.routeOptions.config.access
      if (!declared) {
        throw new AppError(
          'access_not_declared',
          'This endpoint has no access declaration and is refused.',
        )
      }
      await authenticate(ctx, request)
      await authorise(ctx, request, declared)
    })
  },
  { name: 'access-control', dependencies: ['@fastify/cookie'] },
)
