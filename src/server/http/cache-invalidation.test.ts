import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { currentTotpCode } from '../modules/accounts/totp.ts'
import { MINUTE } from '../kernel/clock.ts'
import { hashToken } from '../kernel/crypto.ts'
import {
  asUser,
  createAdmin,
  createOrganisationOverHttp,
  createTestApp,
  joinOverHttp,
  signInOverHttp,
  TEST_PASSWORD,
  type Session,
  type TestContext,
} from '../testing/test-app.ts'

/**
 * Sessions, memberships and organisation records are cached per process for a few seconds
 * (docs/performance.md). Every change made through this process must still take effect on the
 * very next request: each test first reads through the cache, so that the entry is there, then
 * changes something and expects the next answer to reflect it at once (the clock never moves).
 */
describe('per-process caches: changes take effect at once on the same process', () => {
  let t: TestContext
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let orgId: string

  const status = async (session: Session, method: 'GET' | 'POST', url: string) =>
    (await asUser(t.app, session)(method, url)).statusCode

  beforeEach(async () => {
    t = await createTestApp()
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    orgId = (await createOrganisationOverHttp(asAdmin, 'Cache Works')).id
  })
  afterEach(async () => {
    await t.close()
  })

  it('refuses a signed-out session at once', async () => {
    expect(await status(admin, 'GET', `/api/v1/organisations/${orgId}`)).toBe(200)
    expect(await status(admin, 'POST', '/api/v1/auth/sign-out')).toBe(204)
    expect(await status(admin, 'GET', `/api/v1/organisations/${orgId}`)).toBe(401)
  })

  it('refuses a revoked session at once', async () => {
    const other = await signInOverHttp(t.app, 'admin@network.test')
    expect(await status(other, 'GET', `/api/v1/organisations/${orgId}`)).toBe(200)
    const sessions = (await asAdmin('GET', '/api/v1/account/sessions')).json<
      { id: string; current: boolean }[]
    >()
    const otherId = sessions.find((s) => !s.current)!.id
    expect((await asAdmin('DELETE', `/api/v1/account/sessions/${otherId}`)).statusCode).toBe(204)
    expect(await status(other, 'GET', `/api/v1/organisations/${orgId}`)).toBe(401)
    expect(await status(admin, 'GET', `/api/v1/organisations/${orgId}`)).toBe(200)
  })

  it('refuses every session at once after "sign out everywhere" and after a password change', async () => {
    const other = await signInOverHttp(t.app, 'admin@network.test')
    expect(await status(other, 'GET', '/api/v1/auth/session')).toBe(200)
    const changed = await asAdmin('POST', '/api/v1/account/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'another long passphrase 7',
    })
    expect(changed.statusCode).toBe(204)
    expect(await status(other, 'GET', '/api/v1/auth/session')).toBe(401)

    const third = await signInOverHttp(t.app, 'admin@network.test', 'another long passphrase 7')
    expect(await status(third, 'GET', '/api/v1/auth/session')).toBe(200)
    expect(await status(admin, 'POST', '/api/v1/account/sessions/sign-out-everywhere')).toBe(204)
    expect(await status(third, 'GET', '/api/v1/auth/session')).toBe(401)
    expect(await status(admin, 'GET', '/api/v1/auth/session')).toBe(401)
  })

  it('answers 403 at once to a demoted or removed member', async () => {
    const member = await joinOverHttp(t.app, admin, orgId, 'member@cache.test', 'admin')
    const invitations = `/api/v1/organisations/${orgId}/invitations`
    expect(await status(member, 'GET', invitations)).toBe(200)
    const demoted = await asAdmin(
      'PATCH',
      `/api/v1/organisations/${orgId}/members/${member.userId}`,
      {
        data: { role: 'viewer' },
      },
    )
    expect(demoted.statusCode).toBe(200)
    const refused = await asUser(t.app, member)('GET', invitations)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.message).toContain('you are viewer')

    expect(await status(member, 'GET', `/api/v1/organisations/${orgId}`)).toBe(200)
    const removed = await asAdmin(
      'DELETE',
      `/api/v1/organisations/${orgId}/members/${member.userId}`,
    )
    expect(removed.statusCode).toBe(204)
    expect(await status(member, 'GET', `/api/v1/organisations/${orgId}`)).toBe(403)
  })

  it('lets a new member in at once after a refusal was cached', async () => {
    const otherOrg = (await createOrganisationOverHttp(asAdmin, 'Elsewhere')).id
    const person = await joinOverHttp(t.app, admin, otherOrg, 'person@cache.test', 'member')
    expect(await status(person, 'GET', `/api/v1/organisations/${orgId}`)).toBe(403)
    const invited = await asAdmin('POST', `/api/v1/organisations/${orgId}/invitations`, {
      email: 'person@cache.test',
      role: 'viewer',
    })
    const token = new URL(invited.json<{ link: string }>().link).pathname.split('/').at(-1)!
    expect(
      (await asUser(t.app, person)('POST', `/api/v1/invitations/${token}/accept`, {})).statusCode,
    ).toBe(200)
    expect(await status(person, 'GET', `/api/v1/organisations/${orgId}`)).toBe(200)
  })

  it('refuses a disabled user and a former network administrator at once', async () => {
    const second = await joinOverHttp(t.app, admin, orgId, 'second@cache.test', 'member')
    const grant = (isNetworkAdmin: boolean) =>
      asAdmin('PATCH', `/api/v1/admin/users/${second.userId}`, { data: { isNetworkAdmin } })
    expect((await grant(true)).statusCode).toBe(200)
    expect(await status(second, 'GET', '/api/v1/admin/users')).toBe(200)
    expect((await grant(false)).statusCode).toBe(200)
    expect(await status(second, 'GET', '/api/v1/admin/users')).toBe(403)

    expect(await status(second, 'GET', `/api/v1/organisations/${orgId}`)).toBe(200)
    const disabled = await asAdmin('PATCH', `/api/v1/admin/users/${second.userId}`, {
      data: { disabled: true },
    })
    expect(disabled.statusCode).toBe(200)
    expect(await status(second, 'GET', `/api/v1/organisations/${orgId}`)).toBe(401)
  })

  it('applies two-factor changes at once where the network requires it', async () => {
    const setting = await asAdmin('PATCH', '/api/v1/admin/settings', {
      data: { twoFactorRequiredFor: ['org_owner'] },
    })
    expect(setting.statusCode).toBe(200)
    expect(await status(admin, 'GET', `/api/v1/organisations/${orgId}`)).toBe(403)
    const setup = (await asAdmin('POST', '/api/v1/account/two-factor/setup')).json<{
      secret: string
    }>()
    const code = currentTotpCode(setup.secret, t.clock.now())
    expect((await asAdmin('POST', '/api/v1/account/two-factor/confirm', { code })).statusCode).toBe(
      204,
    )
    expect(await status(admin, 'GET', `/api/v1/organisations/${orgId}`)).toBe(200)

    t.clock.advance(MINUTE)
    const disabled = await asAdmin('POST', '/api/v1/account/two-factor/disable', {
      password: TEST_PASSWORD,
      code: currentTotpCode(setup.secret, t.clock.now()),
    })
    expect(disabled.statusCode).toBe(204)
    const blocked = await asAdmin('GET', `/api/v1/organisations/${orgId}`)
    expect(blocked.json().error.code).toBe('two_factor_setup_required')
  })

  it('serves an updated organisation at once', async () => {
    expect((await asAdmin('GET', `/api/v1/organisations/${orgId}`)).json().name).toBe('Cache Works')
    const renamed = await asAdmin('PATCH', `/api/v1/organisations/${orgId}`, {
      data: { name: 'Renamed' },
    })
    expect(renamed.statusCode).toBe(200)
    expect((await asAdmin('GET', `/api/v1/organisations/${orgId}`)).json().name).toBe('Renamed')
  })

  it('refuses a revoked API token at once', async () => {
    const created = await asAdmin('POST', `/api/v1/organisations/${orgId}/tokens`, {
      name: 'reader',
      scopes: ['organisation:read'],
    })
    const { token, secret } = created.json<{ token: { id: string }; secret: string }>()
    const read = () =>
      t.app.inject({
        method: 'GET',
        url: `/api/v1/organisations/${orgId}`,
        headers: { authorization: `Bearer ${secret}` },
      })
    expect((await read()).statusCode).toBe(200)
    expect(
      (await asAdmin('DELETE', `/api/v1/organisations/${orgId}/tokens/${token.id}`)).statusCode,
    ).toBe(204)
    expect((await read()).statusCode).toBe(401)
  })

  it('writes a session’s last-seen time at most once a minute, and still ends idle sessions', async () => {
    const lastSeen = async () =>
      (
        await t.ctx.db
          .selectFrom('sessions')
          .select('last_seen_at')
          .where('token_hash', '=', hashToken(admin.cookie.split('=')[1]!))
          .executeTakeFirstOrThrow()
      ).last_seen_at
    const before = await lastSeen()
    t.clock.advance(30_000)
    expect(await status(admin, 'GET', `/api/v1/organisations/${orgId}`)).toBe(200)
    expect(await lastSeen()).toBe(before)
    t.clock.advance(31_000)
    expect(await status(admin, 'GET', `/api/v1/organisations/${orgId}`)).toBe(200)
    expect(await lastSeen()).toBe(t.clock.now().toISOString())
    t.clock.advance(t.ctx.config.sessionIdleMinutes * MINUTE)
    expect(await status(admin, 'GET', `/api/v1/organisations/${orgId}`)).toBe(401)
  })
})
