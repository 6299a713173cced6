import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  hasRoleAtLeast,
  ORGANISATION_ROLES,
  scopeFitsOrganisation,
  TOKEN_SCOPES,
  type OrganisationRole,
  type OrganisationType,
  type TokenScope,
} from '../../common/organisations.ts'
import { buildApp } from '../app.ts'
import { newId } from '../kernel/crypto.ts'
import {
  asUser,
  createAdmin,
  createTestApp,
  createTestContext,
  signInOverHttp,
  TEST_PASSWORD,
  type Session,
  type TestContext,
} from '../testing/test-app.ts'
import { access, accessControl, type Access } from './access.ts'
import { registerErrorHandler } from './error-handler.ts'

/** Everyone the walk sends requests as. */
const ROLES = [
  'anonymous',
  'user',
  ...ORGANISATION_ROLES,
  'network_admin',
  'api_token',
  'assessor_token',
] as const
type Role = (typeof ROLES)[number]

/** The organisation type each token role belongs to; it holds every scope that type can use. */
const TOKEN_ROLES = {
  api_token: 'manufacturer',
  assessor_token: 'assessor',
} as const satisfies Partial<Record<Role, OrganisationType>>
const isTokenRole = (role: Role): role is keyof typeof TOKEN_ROLES => role in TOKEN_ROLES
const scopesOf = (type: OrganisationType): TokenScope[] =>
  TOKEN_SCOPES.filter((scope) => scopeFitsOrganisation(scope, type))

/** The scopes that grant a token a route (`orScope` names a second one where declared). */
function grantingScopes(declared: Access): TokenScope[] {
  if (declared.kind !== 'org') return []
  return [declared.scope, declared.orScope].filter((scope) => scope !== undefined)
}

type Verdict = 'allowed' | 'unauthorized' | 'forbidden'

/**
 * What the access layer must answer `role` on a route declared `declared`. The organisation roles
 * are roles in org A (the walk's `:orgId`, a manufacturer); `user` belongs to no organisation;
 * `network_admin` is not a member of org A; `api_token` is org A's token with every scope a
 * manufacturer can hold; `assessor_token` is assessor org C's token with every scope an assessor
 * can hold, sent with org C as `:orgId`.
 */
function expectedVerdict(declared: Access, role: Role): Verdict {
  if (declared.kind === 'public') return 'allowed'
  if (role === 'anonymous') return 'unauthorized'
  if (isTokenRole(role)) {
    const held = scopesOf(TOKEN_ROLES[role])
    return grantingScopes(declared).some((scope) => held.includes(scope)) ? 'allowed' : 'forbidden'
  }
  switch (declared.kind) {
    case 'user':
      return 'allowed'
    case 'network_admin':
      return role === 'network_admin' ? 'allowed' : 'forbidden'
    case 'org':
      return role !== 'user' && role !== 'network_admin' && hasRoleAtLeast(role, declared.role)
        ? 'allowed'
        : 'forbidden'
  }
}

/**
 * Refusals that come from the access layer (access.ts), or that show a handler disagreeing with
 * its route's declaration. A service may refuse an allowed caller for a business reason (e.g. an
 * admin managing an owner), but never with one of these.
 */
const ACCESS_REFUSALS: RegExp[] = [
  /^Sign in to continue\.$/,
  /^The API token is unknown, revoked or expired\.$/,
  /^API tokens cannot use this endpoint\.$/,
  /^This API token belongs to another organisation\.$/,
  /^This API token lacks the scope /,
  /^Only network administrators can do this\.$/,
  /^You are not a member of this organisation\.$/,
  /^This needs the \w+ role or above in the organisation; you are \w+\.$/,
  /^Only people, not API tokens, can do this\.$/,
]
const ACCESS_CODES = new Set(['unauthorized', 'forbidden', 'access_not_declared', 'csrf_failed'])

function isAccessRefusal(status: number, error: { code?: string; message?: string } | undefined) {
  if (status !== 401 && status !== 403) return false
  if (!error?.code || !ACCESS_CODES.has(error.code)) return false
  if (error.code !== 'forbidden') return true
  return ACCESS_REFUSALS.some((pattern) => pattern.test(error.message ?? ''))
}

describe('expectedVerdict', () => {
  it('follows the declaration kinds', () => {
    expect(expectedVerdict(access.public, 'anonymous')).toBe('allowed')
    expect(expectedVerdict(access.user, 'anonymous')).toBe('unauthorized')
    expect(expectedVerdict(access.user, 'api_token')).toBe('forbidden')
    expect(expectedVerdict(access.networkAdmin, 'owner')).toBe('forbidden')
    expect(expectedVerdict(access.org('admin'), 'member')).toBe('forbidden')
    expect(expectedVerdict(access.org('admin'), 'owner')).toBe('allowed')
    expect(expectedVerdict(access.org('viewer'), 'network_admin')).toBe('forbidden')
    expect(expectedVerdict(access.org('viewer'), 'api_token')).toBe('forbidden')
    expect(expectedVerdict(access.org('admin', 'audit:read'), 'api_token')).toBe('allowed')
    expect(expectedVerdict(access.org('member', 'products:write'), 'api_token')).toBe('allowed')
    expect(expectedVerdict(access.org('member', 'reviews:write'), 'api_token')).toBe('forbidden')
    expect(expectedVerdict(access.org('member', 'reviews:write'), 'assessor_token')).toBe('allowed')
    expect(expectedVerdict(access.org('member', 'labels:write'), 'assessor_token')).toBe('allowed')
    expect(expectedVerdict(access.org('member', 'products:read'), 'assessor_token')).toBe(
      'forbidden',
    )
    expect(expectedVerdict(access.org('admin', 'audit:read'), 'assessor_token')).toBe('allowed')
  })
})

describe('the route walk: every route, every role', () => {
  let t: TestContext
  let orgA: string
  const sessions = new Map<Role, Session>()
  const emails: Partial<Record<Role, string>> = {
    user: 'nobody@example.test',
    owner: 'olivia@acme.test',
    admin: 'adam@acme.test',
    member: 'mia@acme.test',
    viewer: 'vera@acme.test',
    network_admin: 'admin@network.test',
  }
  let orgC: string
  const tokenSecrets: Partial<Record<Role, string>> = {}

  beforeAll(async () => {
    t = await createTestApp()
    await createAdmin(t.ctx)
    const root = await signInOverHttp(t.app, 'admin@network.test')
    const asRoot = asUser(t.app, root)
    orgA = (
      await asRoot('POST', '/api/v1/organisations', { name: 'Acme', type: 'manufacturer' })
    ).json<{ id: string }>().id
    const orgB = (
      await asRoot('POST', '/api/v1/organisations', { name: 'Bolt', type: 'operator' })
    ).json<{ id: string }>().id

    const accept = async (orgId: string, email: string, role: OrganisationRole) => {
      const invited = await asRoot('POST', `/api/v1/organisations/${orgId}/invitations`, {
        email,
        role,
      })
      const token = new URL(invited.json<{ link: string }>().link).pathname.split('/').at(-1)!
      const accepted = await t.app.inject({
        method: 'POST',
        url: `/api/v1/invitations/${token}/accept`,
        payload: { displayName: email, password: TEST_PASSWORD },
      })
      expect(accepted.statusCode).toBe(200)
    }
    for (const role of ORGANISATION_ROLES) await accept(orgA, emails[role]!, role)
    // The "no memberships" user gets an account through org B and then leaves it.
    await accept(orgB, emails.user!, 'viewer')
    const nobody = await signInOverHttp(t.app, emails.user!)
    expect(
      (await asRoot('DELETE', `/api/v1/organisations/${orgB}/members/${nobody.userId}`)).statusCode,
    ).toBe(204)
    // The network administrator created org A and so owned it; leave it to Olivia.
    expect(
      (await asRoot('DELETE', `/api/v1/organisations/${orgA}/members/${root.userId}`)).statusCode,
    ).toBe(204)

    const owner = await signInOverHttp(t.app, emails.owner!)
    const created = await asUser(t.app, owner)('POST', `/api/v1/organisations/${orgA}/tokens`, {
      name: 'everything',
      scopes: scopesOf('manufacturer'),
    })
    expect(created.statusCode).toBe(201)
    tokenSecrets.api_token = created.json<{ secret: string }>().secret
    // Org C is an assessor; the network administrator owns it and makes its token.
    orgC = (
      await asRoot('POST', '/api/v1/organisations', { name: 'Trusted Lab', type: 'assessor' })
    ).json<{ id: string }>().id
    const assessorToken = await asRoot('POST', `/api/v1/organisations/${orgC}/tokens`, {
      name: 'everything an assessor can hold',
      scopes: scopesOf('assessor'),
    })
    expect(assessorToken.statusCode, assessorToken.body).toBe(201)
    tokenSecrets.assessor_token = assessorToken.json<{ secret: string }>().secret

    const session = await asRoot('GET', '/api/v1/auth/session')
    expect(session.json().memberships).toEqual([
      expect.objectContaining({ organisationName: 'Bolt', role: 'owner' }),
      expect.objectContaining({ organisationName: 'Trusted Lab', role: 'owner' }),
    ])
  })
  afterAll(async () => t.close())

  /** A live session for the role, signing in again when a walked route ended the last one. */
  async function sessionOf(role: Role): Promise<Session> {
    const known = sessions.get(role)
    if (known) {
      const alive = await asUser(t.app, known)('GET', '/api/v1/auth/session')
      if (alive.statusCode === 200) return known
    }
    const fresh = await signInOverHttp(t.app, emails[role]!)
    sessions.set(role, fresh)
    return fresh
  }

  async function send(role: Role, method: string, url: string) {
    const headers: Record<string, string> = {}
    if (isTokenRole(role)) headers.authorization = `Bearer ${tokenSecrets[role]!}`
    else if (role !== 'anonymous') {
      const session = await sessionOf(role)
      headers.cookie = session.cookie
      headers['x-csrf-token'] = session.csrf
    }
    const isWrite = !['GET', 'HEAD', 'OPTIONS'].includes(method)
    return t.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(isWrite ? { payload: {} } : {}),
    })
  }

  function concreteUrl(url: string, orgId = orgA): string {
    return url.replace(/:(\w+)/g, (_, name: string) => {
      if (name === 'orgId') return orgId
      if (name === 'token') return 'not-a-real-token-0123456789'
      return newId()
    })
  }

  it('declares access on every registered route, the API docs and web files included', async () => {
    const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-web-'))
    fs.mkdirSync(path.join(webRoot, 'assets'))
    fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>ISN</title>')
    fs.writeFileSync(path.join(webRoot, 'assets', 'app.js'), 'console.log(1)')
    const withWeb = await buildApp({ ctx: t.ctx, webRoot })
    try {
      const routes = withWeb.registeredRoutes
      expect(routes.map((r) => r.url)).toEqual(
        expect.arrayContaining([
          '/healthz',
          '/metrics',
          '/api/openapi.json',
          '/api/docs',
          '/assets/app.js',
        ]),
      )
      expect(routes.filter((r) => !r.access).map((r) => `${r.method} ${r.url}`)).toEqual([])
      const asset = await withWeb.inject({ url: '/assets/app.js' })
      expect(asset.statusCode).toBe(200)
    } finally {
      await withWeb.close()
      fs.rmSync(webRoot, { recursive: true, force: true })
    }
    expect(t.app.registeredRoutes.filter((r) => !r.access)).toEqual([])
  })

  it('answers every role on every API route as the route declares', async () => {
    const walked = t.app.registeredRoutes.filter(
      (r) => r.url.startsWith('/api/v1/') || r.url === '/healthz' || r.url === '/readyz',
    )
    // Leaving the organisation ends a role's membership for good, so that route is walked last.
    walked.sort(
      (a, b) => Number(a.url.endsWith('/membership')) - Number(b.url.endsWith('/membership')),
    )
    expect(walked.length).toBeGreaterThanOrEqual(35)
    const mismatches: string[] = []
    let checked = 0
    for (const route of walked) {
      for (const role of ROLES) {
        const url = concreteUrl(route.url, role === 'assessor_token' ? orgC : orgA)
        const expected = expectedVerdict(route.access!, role)
        const response = await send(role, route.method, url)
        const error = String(response.headers['content-type']).includes('json')
          ? response.json<{ error?: { code?: string; message?: string } }>().error
          : undefined
        const refused = isAccessRefusal(response.statusCode, error)
        const status = expected === 'unauthorized' ? 401 : 403
        const ok =
          response.statusCode < 500 &&
          (expected === 'allowed'
            ? !refused
            : refused && response.statusCode === status && error?.code === expected)
        checked += 1
        if (!ok) {
          mismatches.push(
            `${route.method} ${route.url} as ${role}: expected ${expected}, got ${response.statusCode} ${error?.code ?? ''} ${error?.message ?? ''}`,
          )
        }
      }
    }
    expect(mismatches).toEqual([])
    expect(checked).toBe(walked.length * ROLES.length)
  })

  it('refuses cookie writes without the CSRF token for every session role', async () => {
    const writes = t.app.registeredRoutes.filter(
      (r) => r.url.startsWith('/api/v1/') && r.method !== 'GET' && r.access?.kind !== 'public',
    )
    for (const route of writes) {
      const session = await sessionOf('owner')
      const response = await t.app.inject({
        method: route.method as 'POST',
        url: concreteUrl(route.url),
        headers: { cookie: session.cookie, 'x-csrf-token': 'wrong' },
        payload: {},
      })
      expect({ route: `${route.method} ${route.url}`, code: response.json().error?.code }).toEqual({
        route: `${route.method} ${route.url}`,
        code: 'csrf_failed',
      })
    }
  })
})

describe('a route without an access declaration', () => {
  it('is refused with 403 access_not_declared', async () => {
    const { ctx, testDb } = await createTestContext()
    const app = Fastify()
    registerErrorHandler(app)
    await app.register(accessControl, { ctx })
    app.get('/forgotten', async () => ({ secret: 'leaked' }))
    app.get('/declared', { config: { access: access.public } }, async () => ({ ok: true }))
    await app.ready()
    try {
      const forgotten = await app.inject({ url: '/forgotten' })
      expect(forgotten.statusCode).toBe(403)
      expect(forgotten.json()).toEqual({
        error: {
          code: 'access_not_declared',
          message: 'This endpoint has no access declaration and is refused.',
        },
      })
      expect((await app.inject({ url: '/declared' })).json()).toEqual({ ok: true })
    } finally {
      await app.close()
      await testDb.destroy()
    }
  })
})
