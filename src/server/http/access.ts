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
import {
  authenticateSession,
  cachedSession,
  type SessionAuth,
} from '../modules/accounts/accounts.service.ts'
import {
  cachedMembershipRole,
  getMembershipRoleForAccess,
  listMembershipsOfUser,
} from '../modules/organisations/organisations.service.ts'
import {
  cachedNetworkSettings,
  getNetworkSettings,
  isTwoFactorRequired,
} from '../modules/settings/settings.service.ts'
import { authenticateApiToken, TOKEN_PREFIX } from '../modules/tokens/tokens.service.ts'
import { matchedRoute } from './matched-route.ts'

/**
 * Who may call a route. Every route declares one in `config.access`; a route without a
 * declaration is refused (403 `access_not_declared`), so forgetting is never an open door.
 */
export type Access =
  | { kind: 'public' }
  /** Any signed-in person (session cookie). `duringTwoFactorSetup`: still allowed while the network makes them set up TOTP. */
  | { kind: 'user'; duringTwoFactorSetup?: boolean }
  /**
   * Members of the organisation in `:orgId` with at least `role`; API tokens of that organisation
   * with `scope` (or `orScope`, when a second scope also grants it).
   */
  | { kind: 'org'; role: OrganisationRole; scope?: TokenScope; orScope?: TokenScope }
  | { kind: 'network_admin' }

export const access = {
  public: { kind: 'public' },
  user: { kind: 'user' },
  account: { kind: 'user', duringTwoFactorSetup: true },
  org: (role: OrganisationRole, scope?: TokenScope, orScope?: TokenScope): Access => ({
    kind: 'org',
    role,
    ...(scope ? { scope } : {}),
    ...(scope && orScope ? { orScope } : {}),
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
      return `organisation ${declared.role} or above${declared.scope ? `, or an API token with ${declared.scope}${declared.orScope ? ` or ${declared.orScope}` : ''}` : ''}`
    case 'network_admin':
      return 'network administrator'
  }
}

/**
 * The value of one cookie in a Cookie header, read as @fastify/cookie (the `cookie` package)
 * reads it: the first pair with that name, surrounding quotes removed, percent-decoded. Only the
 * session cookie is ever needed, so the other cookies are not parsed on every request.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  let start = 0
  while (start < header.length) {
    let end = header.indexOf(';', start)
    if (end === -1) end = header.length
    const equals = header.indexOf('=', start)
    if (equals !== -1 && equals < end && header.slice(start, equals).trim() === name) {
      let value = header.slice(equals + 1, end).trim()
      if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) {
        value = value.slice(1, -1)
      }
      if (value.includes('%')) {
        try {
          value = decodeURIComponent(value)
        } catch {
          // Kept as it is, as the cookie package does.
        }
      }
      return value
    }
    start = end + 1
  }
  return undefined
}

/**
 * The Set-Cookie value for a new session: httpOnly, SameSite=Lax, Secure on https, until the
 * session's absolute expiry. Written by hand rather than through @fastify/cookie, whose onSend
 * hook otherwise ran on every response to look for cookies to write (docs/performance.md).
 */
export function sessionCookie(token: string, options: { secure: boolean; expires: Date }): string {
  return (
    `${SESSION_COOKIE}=${encodeURIComponent(token)}; Expires=${options.expires.toUTCString()}; ` +
    `Path=/; HttpOnly${options.secure ? '; Secure' : ''}; SameSite=Lax`
  )
}

/** The Set-Cookie value that removes the session cookie. */
export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/`

function useSession(request: FastifyRequest, auth: SessionAuth): void {
  request.auth = auth
  request.actor = {
    type: 'user',
    userId: auth.user.id,
    email: auth.user.email,
    isNetworkAdmin: auth.user.isNetworkAdmin,
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
  const cookie = readCookie(request.headers.cookie, SESSION_COOKIE)
  if (!cookie) return
  const auth = await authenticateSession(ctx, cookie)
  if (auth) useSession(request, auth)
}

/**
 * Any write that rides on the session cookie needs the CSRF token, public routes included
 * (accepting an invitation as the signed-in invitee, for example).
 */
function checkCsrf(request: FastifyRequest): void {
  if (request.auth && UNSAFE_METHODS.has(request.method)) {
    const csrf = request.headers['x-csrf-token']
    if (typeof csrf !== 'string' || !safeEqual(csrf, request.auth.csrfToken)) {
      throw new AppError(
        'csrf_failed',
        'Missing or wrong CSRF token; reload the page and try again.',
      )
    }
  }
}

/** Whether the network's two-factor requirement must be checked for this person and route. */
function twoFactorMatters(declared: Access, user: SessionAuth['user']): boolean {
  return !(declared.kind === 'user' && declared.duringTwoFactorSetup) && !user.twoFactorEnabled
}

const twoFactorSetupRequired = () =>
  new AppError(
    'two_factor_setup_required',
    'The network requires two-factor sign-in for your role. Set it up in your account first.',
  )

/** The decision for a signed-in person once their role in `:orgId` (if any) is known. */
function checkPersonAccess(
  declared: Exclude<Access, { kind: 'public' }>,
  user: SessionAuth['user'],
  role: OrganisationRole | undefined,
): void {
  switch (declared.kind) {
    case 'user':
      return
    case 'network_admin':
      if (!user.isNetworkAdmin) {
        throw new AppError('forbidden', 'Only network administrators can do this.')
      }
      return
    case 'org':
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

async function authorise(ctx: Ctx, request: FastifyRequest, declared: Access): Promise<void> {
  checkCsrf(request)
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
    if (
      !actor.scopes.includes(declared.scope) &&
      !(declared.orScope && actor.scopes.includes(declared.orScope))
    ) {
      throw new AppError('forbidden', `This API token lacks the scope ${declared.scope}.`)
    }
    return
  }
  if (actor.type !== 'user' || !request.auth) {
    throw new AppError('unauthorized', 'Sign in to continue.')
  }

  const user = request.auth.user
  if (twoFactorMatters(declared, user)) {
    const settings = await getNetworkSettings(ctx)
    if (
      settings.twoFactorRequiredFor.length > 0 &&
      isTwoFactorRequired(settings, user, await listMembershipsOfUser(ctx, user.id))
    ) {
      throw twoFactorSetupRequired()
    }
  }
  let role: OrganisationRole | undefined
  if (declared.kind === 'org') {
    const orgId = (request.params as { orgId?: string }).orgId
    role = orgId ? await getMembershipRoleForAccess(ctx, orgId, user.id) : undefined
  }
  checkPersonAccess(declared, user, role)
}

/**
 * The same decision as `authenticate` + `authorise`, taken synchronously from this process's
 * caches (session, network settings, membership): true when allowed, an AppError thrown when
 * refused, false when something it needs is not cached (then the full path decides). Most
 * requests of a signed-in person end here without a query or a promise (docs/performance.md).
 */
function decideFromCache(ctx: Ctx, request: FastifyRequest, declared: Access): boolean {
  // API tokens are always checked against the database (revocation is immediate everywhere).
  if (request.headers.authorization !== undefined) return false
  const cookie = readCookie(request.headers.cookie, SESSION_COOKIE)
  if (cookie) {
    const auth = cachedSession(ctx, cookie)
    if (!auth) return false
    useSession(request, auth)
  }
  checkCsrf(request)
  if (declared.kind === 'public') return true
  const auth = request.auth
  if (!auth) throw new AppError('unauthorized', 'Sign in to continue.')
  if (twoFactorMatters(declared, auth.user)) {
    const settings = cachedNetworkSettings(ctx)
    // When the network requires two-factor sign-in of some roles, the answer depends on the
    // person's memberships, which the full path reads.
    if (!settings || settings.twoFactorRequiredFor.length > 0) return false
  }
  let role: OrganisationRole | undefined
  if (declared.kind === 'org') {
    const orgId = (request.params as { orgId?: string }).orgId
    if (orgId) {
      const cached = cachedMembershipRole(orgId, auth.user.id)
      if (!cached) return false
      role = cached.role
    }
  }
  checkPersonAccess(declared, auth.user, role)
  return true
}

/** Authenticates every request and enforces each route's access declaration. */
export const accessControl = fp<{ ctx: Ctx }>(
  async (app: FastifyInstance, { ctx }) => {
    app.decorateRequest('actor', null as never)
    app.decorateRequest('auth', undefined)
    // Built when a route asks for it (writes, for the audit log), not on every request.
    app.decorateRequest('meta', {
      getter(this: FastifyRequest): RequestMeta {
        return { requestId: this.id, ip: this.ip, userAgent: this.headers['user-agent'] }
      },
    })

    // A callback hook rather than an async one: when the caches answer, the request goes on
    // without a promise (docs/performance.md).
    app.addHook('onRequest', (request, _reply, done) => {
      request.actor = { type: 'anonymous' }
      request.auth = undefined
      // Requests that match no route fall through to the not-found handler.
      const route = matchedRoute(request)
      if (!route) return done()
      const declared = route.config.access
      if (!declared) {
        return done(
          new AppError(
            'access_not_declared',
            'This endpoint has no access declaration and is refused.',
          ),
        )
      }
      try {
        if (decideFromCache(ctx, request, declared)) return done()
      } catch (error) {
        return done(error as Error)
      }
      request.actor = { type: 'anonymous' }
      request.auth = undefined
      authenticate(ctx, request)
        .then(() => authorise(ctx, request, declared))
        .then(() => done(), done)
    })
  },
  { name: 'access-control' },
)
