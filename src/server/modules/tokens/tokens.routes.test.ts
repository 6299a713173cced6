import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OrganisationRole, TokenScope } from '../../../common/organisations.ts'
import { DAY, MINUTE } from '../../kernel/clock.ts'
import { hashToken, newId, randomToken } from '../../kernel/crypto.ts'
import {
  asUser,
  createAdmin,
  createOrganisationOverHttp,
  createTestApp,
  joinOverHttp,
  signInOverHttp,
  type Session,
  type TestContext,
} from '../../testing/test-app.ts'

const BAD_TOKEN = { code: 'unauthorized', message: 'The API token is unknown, revoked or expired.' }

describe('API tokens over HTTP', () => {
  let t: TestContext
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let orgA: string
  let orgB: string

  const createOrg = async (name: string) =>
    (await createOrganisationOverHttp(asAdmin, name, 'operator')).id
  const join = (orgId: string, email: string, role: OrganisationRole) =>
    joinOverHttp(t.app, admin, orgId, email, role)

  async function createToken(
    session: Session,
    orgId: string,
    scopes: TokenScope[],
    extra: { expiresInDays?: number } = {},
  ) {
    const response = await asUser(t.app, session)('POST', `/api/v1/organisations/${orgId}/tokens`, {
      name: `token ${scopes.join(' ')}`,
      scopes,
      ...extra,
    })
    expect(response.statusCode).toBe(201)
    return response.json<{ secret: string; token: { id: string; prefix: string } }>()
  }

  const withToken = (
    secret: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${secret}` },
      ...(payload ? { payload } : {}),
    })

  beforeEach(async () => {
    t = await createTestApp()
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    orgA = await createOrg('Acme')
    orgB = await createOrg('Bolt')
  })
  afterEach(async () => t.close())

  it('shows the secret once and stores only its hash', async () => {
    const member = await join(orgA, 'mia@acme.test', 'member')
    const response = await asUser(t.app, member)('POST', `/api/v1/organisations/${orgA}/tokens`, {
      name: '  CI pipeline ',
      scopes: ['organisation:read', 'organisation:write'],
      expiresInDays: 30,
    })
    expect(response.statusCode).toBe(201)
    const { secret, token } = response.json()
    expect(secret).toMatch(/^isn_[\w-]{43}$/)
    expect(token).toEqual({
      id: expect.any(String),
      organisationId: orgA,
      organisationName: 'Acme',
      name: 'CI pipeline',
      prefix: secret.slice(0, 10),
      scopes: ['organisation:read', 'organisation:write'],
      createdBy: member.userId,
      createdAt: '2026-06-01T08:00:00.000Z',
      expiresAt: '2026-07-01T08:00:00.000Z',
      lastUsedAt: null,
      revokedAt: null,
    })

    const rows = await t.ctx.db.selectFrom('api_tokens').selectAll().execute()
    expect(rows).toHaveLength(1)
    for (const value of Object.values(rows[0]!)) {
      expect(String(value)).not.toContain(secret.slice(4))
    }
    expect(rows[0]!.token_hash).toBe(hashToken(secret))

    const lists = [
      await asUser(t.app, member)('GET', '/api/v1/account/tokens'),
      await asAdmin('GET', `/api/v1/organisations/${orgA}/tokens`),
    ]
    for (const list of lists) {
      expect(list.statusCode).toBe(200)
      expect(list.json()).toEqual([token])
      expect(list.body).not.toContain(secret.slice(4))
    }
  })

  it('authenticates a bearer token for its organisation and scope, and records its use', async () => {
    const { secret, token } = await createToken(admin, orgA, ['organisation:read'])
    const read = await withToken(secret, 'GET', `/api/v1/organisations/${orgA}`)
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({ id: orgA, name: 'Acme' })
    expect(
      (await withToken(secret, 'GET', `/api/v1/organisations/${orgA}/members`)).statusCode,
    ).toBe(200)

    const listed = await asAdmin('GET', `/api/v1/organisations/${orgA}/tokens`)
    expect(listed.json()).toEqual([
      expect.objectContaining({ id: token.id, lastUsedAt: '2026-06-01T08:00:00.000Z' }),
    ])
    // Written at most once a minute, so reads stay cheap.
    t.clock.advance(30_000)
    await withToken(secret, 'GET', `/api/v1/organisations/${orgA}`)
    const unchanged = await asAdmin('GET', `/api/v1/organisations/${orgA}/tokens`)
    expect(unchanged.json()[0].lastUsedAt).toBe('2026-06-01T08:00:00.000Z')
    t.clock.advance(MINUTE)
    await withToken(secret, 'GET', `/api/v1/organisations/${orgA}`)
    const touched = await asAdmin('GET', `/api/v1/organisations/${orgA}/tokens`)
    expect(touched.json()[0].lastUsedAt).toBe('2026-06-01T08:01:30.000Z')
  })

  it('writes with a write-scoped token and audits the token as the actor', async () => {
    const { secret, token } = await createToken(admin, orgA, [
      'organisation:read',
      'organisation:write',
      'audit:read',
    ])
    const updated = await withToken(secret, 'PATCH', `/api/v1/organisations/${orgA}`, {
      data: { country: 'NL' },
    })
    expect(updated.statusCode).toBe(200)
    expect(updated.json().country).toBe('NL')
    const audit = await withToken(secret, 'GET', `/api/v1/organisations/${orgA}/audit?limit=1`)
    expect(audit.statusCode).toBe(200)
    expect(audit.json().entries[0]).toMatchObject({
      action: 'organisation.updated',
      actorType: 'api_token',
      actorId: token.id,
      organisationId: orgA,
    })
  })

  it('refuses a token without the scope, for another organisation, or on session-only routes', async () => {
    const { secret } = await createToken(admin, orgA, ['organisation:read'])
    const noScope = await withToken(secret, 'PATCH', `/api/v1/organisations/${orgA}`, {
      data: { name: 'Renamed' },
    })
    expect(noScope.statusCode).toBe(403)
    expect(noScope.json().error).toEqual({
      code: 'forbidden',
      message: 'This API token lacks the scope organisation:write.',
    })
    const noAudit = await withToken(secret, 'GET', `/api/v1/organisations/${orgA}/audit`)
    expect(noAudit.json().error.message).toBe('This API token lacks the scope audit:read.')

    const other = await withToken(secret, 'GET', `/api/v1/organisations/${orgB}`)
    expect(other.statusCode).toBe(403)
    expect(other.json().error).toEqual({
      code: 'forbidden',
      message: 'This API token belongs to another organisation.',
    })

    for (const [method, url] of [
      ['GET', '/api/v1/account/sessions'],
      ['GET', '/api/v1/account/tokens'],
      ['GET', '/api/v1/auth/session'],
      ['GET', '/api/v1/organisations'],
      ['GET', '/api/v1/admin/users'],
      ['GET', `/api/v1/organisations/${orgA}/tokens`],
      ['POST', `/api/v1/organisations/${orgA}/tokens`],
      ['GET', `/api/v1/organisations/${orgA}/invitations`],
      ['POST', '/api/v1/auth/sign-out'],
    ] as const) {
      const response = await withToken(
        secret,
        method,
        url,
        method === 'POST' ? { name: 'x', scopes: ['organisation:read'] } : undefined,
      )
      expect({ url, status: response.statusCode, error: response.json().error }).toEqual({
        url,
        status: 403,
        error: { code: 'forbidden', message: 'API tokens cannot use this endpoint.' },
      })
    }
  })

  it('refuses revoked, expired and forged tokens with 401', async () => {
    const revoked = await createToken(admin, orgA, ['organisation:read'])
    const expiring = await createToken(admin, orgA, ['organisation:read'], { expiresInDays: 1 })
    const url = `/api/v1/organisations/${orgA}`

    expect((await asAdmin('DELETE', `${url}/tokens/${revoked.token.id}`)).statusCode).toBe(204)
    const afterRevoke = await withToken(revoked.secret, 'GET', url)
    expect(afterRevoke.statusCode).toBe(401)
    expect(afterRevoke.json().error).toEqual(BAD_TOKEN)

    t.clock.advance(DAY - 1)
    expect((await withToken(expiring.secret, 'GET', url)).statusCode).toBe(200)
    t.clock.advance(1)
    const expired = await withToken(expiring.secret, 'GET', url)
    expect(expired.statusCode).toBe(401)
    expect(expired.json().error).toEqual(BAD_TOKEN)

    for (const forged of [`isn_${randomToken()}`, `isn_${'a'.repeat(300)}`, 'isn_']) {
      const response = await withToken(forged, 'GET', url)
      expect(response.statusCode).toBe(401)
      expect(response.json().error).toEqual(BAD_TOKEN)
    }
    // A presented but bad token is refused even where no credentials are needed.
    const publicRoute = await withToken(`isn_${randomToken()}`, 'GET', '/api/v1/setup')
    expect(publicRoute.statusCode).toBe(401)
    // Something that is not one of our tokens counts as no credentials at all.
    const foreign = await withToken('ghp_0123456789abcdef', 'GET', url)
    expect(foreign.statusCode).toBe(401)
    expect(foreign.json().error).toEqual({ code: 'unauthorized', message: 'Sign in to continue.' })
  })

  it('lets viewers create read-only tokens only, and only admins audit tokens', async () => {
    const viewer = await join(orgA, 'vera@acme.test', 'viewer')
    const member = await join(orgA, 'mia@acme.test', 'member')
    const create = (session: Session, scopes: TokenScope[]) =>
      asUser(t.app, session)('POST', `/api/v1/organisations/${orgA}/tokens`, {
        name: 'x',
        scopes,
      })

    expect((await create(viewer, ['organisation:read'])).statusCode).toBe(201)
    const write = await create(viewer, ['organisation:read', 'organisation:write'])
    expect(write.statusCode).toBe(403)
    expect(write.json().error).toEqual({
      code: 'forbidden',
      message: 'Viewers can only create read-only tokens.',
    })
    expect((await create(member, ['organisation:write'])).statusCode).toBe(201)
    const audit = await create(member, ['audit:read'])
    expect(audit.statusCode).toBe(403)
    expect(audit.json().error.message).toBe(
      'Only owners and admins can create tokens that read the audit log.',
    )
    expect((await create(admin, ['audit:read'])).statusCode).toBe(201)

    const elsewhere = await asUser(t.app, viewer)('POST', `/api/v1/organisations/${orgB}/tokens`, {
      name: 'x',
      scopes: ['organisation:read'],
    })
    expect(elsewhere.statusCode).toBe(403)
    expect(elsewhere.json().error.message).toBe('You are not a member of this organisation.')
  })

  it('lets only the creator or an organisation admin revoke a token', async () => {
    const viewer = await join(orgA, 'vera@acme.test', 'viewer')
    const member = await join(orgA, 'mia@acme.test', 'member')
    const orgAdmin = await join(orgA, 'adam@acme.test', 'admin')
    const outsider = await join(orgB, 'ben@bolt.test', 'owner')
    const mine = await createToken(viewer, orgA, ['organisation:read'])
    const theirs = await createToken(member, orgA, ['organisation:read'])
    const url = (id: string) => `/api/v1/organisations/${orgA}/tokens/${id}`

    const notMine = await asUser(t.app, viewer)('DELETE', url(theirs.token.id))
    expect(notMine.statusCode).toBe(403)
    expect(notMine.json().error).toEqual({
      code: 'forbidden',
      message: 'Only the token’s creator or an organisation admin can revoke it.',
    })
    const foreign = await asUser(t.app, outsider)('DELETE', url(theirs.token.id))
    expect(foreign.statusCode).toBe(403)

    expect((await asUser(t.app, viewer)('DELETE', url(mine.token.id))).statusCode).toBe(204)
    expect((await asUser(t.app, orgAdmin)('DELETE', url(theirs.token.id))).statusCode).toBe(204)
    const again = await asUser(t.app, orgAdmin)('DELETE', url(theirs.token.id))
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('conflict')
    expect((await asAdmin('DELETE', url(newId()))).statusCode).toBe(404)

    const listed = await asAdmin('GET', `/api/v1/organisations/${orgA}/tokens`)
    expect(listed.json().map((tk: { revokedAt: string | null }) => tk.revokedAt)).toEqual([
      '2026-06-01T08:00:00.000Z',
      '2026-06-01T08:00:00.000Z',
    ])
    const audit = await asAdmin(
      'GET',
      `/api/v1/organisations/${orgA}/audit?action=api_token.revoked`,
    )
    expect(audit.json().entries).toHaveLength(2)
  })
  it('stops a token when its creator is demoted, removed or disabled', async () => {
    const member = await join(orgA, 'builder@acme.test', 'member')
    const { secret } = await createToken(member, orgA, ['organisation:read', 'organisation:write'])
    const read = () => withToken(secret, 'GET', `/api/v1/organisations/${orgA}`)
    expect((await read()).statusCode).toBe(200)

    await asAdmin('PATCH', `/api/v1/organisations/${orgA}/members/${member.userId}`, {
      data: { role: 'viewer' },
    })
    expect((await read()).json()).toEqual({ error: BAD_TOKEN })
    await asAdmin('PATCH', `/api/v1/organisations/${orgA}/members/${member.userId}`, {
      data: { role: 'member' },
    })
    expect((await read()).statusCode).toBe(200)

    await asAdmin('PATCH', `/api/v1/admin/users/${member.userId}`, { data: { disabled: true } })
    expect((await read()).statusCode).toBe(401)
    await asAdmin('PATCH', `/api/v1/admin/users/${member.userId}`, { data: { disabled: false } })
    expect((await read()).statusCode).toBe(200)

    await asAdmin('DELETE', `/api/v1/organisations/${orgA}/members/${member.userId}`)
    expect((await read()).statusCode).toBe(401)
  })
})
