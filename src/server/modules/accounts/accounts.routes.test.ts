import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HOUR, MINUTE } from '../../kernel/clock.ts'
import {
  asUser,
  createAdmin,
  createTestApp,
  signInOverHttp,
  TEST_PASSWORD,
  type TestContext,
} from '../../testing/test-app.ts'
import { createFirstRunLink } from './accounts.service.ts'
import { currentTotpCode } from './totp.ts'

describe('first run, sign-in and sessions over HTTP', () => {
  let t: TestContext
  beforeEach(async () => {
    t = await createTestApp()
  })
  afterEach(async () => t.close())

  it('sets up the first administrator with a one-time link, once', async () => {
    expect((await t.app.inject({ url: '/api/v1/setup' })).json()).toEqual({ needsSetup: true })
    const link = await createFirstRunLink(t.ctx)
    expect(link?.url).toMatch(/^http:\/\/isn\.test\/setup\?token=/)
    const token = new URL(link!.url).searchParams.get('token')!

    const preview = await t.app.inject({ url: `/api/v1/setup/links/${token}` })
    expect(preview.json()).toMatchObject({ purpose: 'first_admin', email: null })

    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/v1/setup/admin',
      payload: { token, email: 'root@example.org', displayName: 'Root', password: 'password1234' },
    })
    expect(weak.statusCode).toBe(400)
    expect(weak.json().error.code).toBe('weak_password')

    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/setup/admin',
      payload: { token, email: 'Root@Example.org', displayName: 'Root', password: TEST_PASSWORD },
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ email: 'root@example.org', isNetworkAdmin: true })

    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/setup/admin',
      payload: { token, email: 'other@example.org', displayName: 'Other', password: TEST_PASSWORD },
    })
    expect(again.statusCode).toBe(410)
    expect(again.json().error.code).toBe('invalid_or_expired_link')
    expect(await createFirstRunLink(t.ctx)).toBeUndefined()
    expect((await t.app.inject({ url: '/api/v1/setup' })).json()).toEqual({ needsSetup: false })
  })

  it('refuses a set-up link after one hour', async () => {
    const link = await createFirstRunLink(t.ctx)
    t.clock.advance(HOUR + 1)
    const token = new URL(link!.url).searchParams.get('token')!
    const response = await t.app.inject({ url: `/api/v1/setup/links/${token}` })
    expect(response.statusCode).toBe(410)
  })

  it('answers a wrong password and an unknown user the same way', async () => {
    await createAdmin(t.ctx)
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'admin@network.test', password: 'not the password at all' },
    })
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'nobody@network.test', password: 'not the password at all' },
    })
    expect(wrong.statusCode).toBe(401)
    expect(unknown.statusCode).toBe(401)
    expect(wrong.json()).toEqual(unknown.json())
    expect(wrong.json().error.code).toBe('invalid_credentials')
  })

  it('locks an email after repeated failures, known or not, and unlocks after the lockout', async () => {
    await createAdmin(t.ctx)
    for (const email of ['admin@network.test', 'ghost@network.test']) {
      const codes: string[] = []
      for (let i = 0; i < 6; i++) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: { email, password: 'wrong password here' },
        })
        codes.push(r.json().error.code)
      }
      expect(codes).toEqual([
        'invalid_credentials',
        'invalid_credentials',
        'invalid_credentials',
        'invalid_credentials',
        'invalid_credentials',
        'account_locked',
      ])
    }
    const locked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'admin@network.test', password: TEST_PASSWORD },
    })
    expect(locked.statusCode).toBe(429)
    expect(locked.headers['retry-after']).toBeDefined()
    t.clock.advance(16 * MINUTE)
    await signInOverHttp(t.app, 'admin@network.test')
  })

  it('issues an httpOnly SameSite session cookie and describes the session', async () => {
    await createAdmin(t.ctx)
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'admin@network.test', password: TEST_PASSWORD },
    })
    const cookie = response.cookies.find((c) => c.name === 'isn_session')!
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    const session = await signInOverHttp(t.app, 'admin@network.test')
    const info = await asUser(t.app, session)('GET', '/api/v1/auth/session')
    expect(info.json()).toMatchObject({
      user: { email: 'admin@network.test', isNetworkAdmin: true },
      memberships: [],
      twoFactorSetupRequired: false,
    })
  })

  it('refuses forged and expired sessions with 401, and cookie writes without the CSRF token with 403', async () => {
    await createAdmin(t.ctx)
    const forged = await t.app.inject({
      url: '/api/v1/auth/session',
      headers: { cookie: 'isn_session=forged-value-1234567890' },
    })
    expect(forged.statusCode).toBe(401)
    expect(forged.json().error.code).toBe('unauthorized')

    const session = await signInOverHttp(t.app, 'admin@network.test')
    const noCsrf = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/account',
      headers: { cookie: session.cookie },
      payload: { data: { displayName: 'X' } },
    })
    expect(noCsrf.statusCode).toBe(403)
    expect(noCsrf.json().error.code).toBe('csrf_failed')

    t.clock.advance(61 * MINUTE) // idle expiry is 60 minutes
    const idle = await asUser(t.app, session)('GET', '/api/v1/auth/session')
    expect(idle.statusCode).toBe(401)
  })

  it('keeps a used session alive until its absolute expiry', async () => {
    await createAdmin(t.ctx)
    const session = await signInOverHttp(t.app, 'admin@network.test')
    const call = asUser(t.app, session)
    for (let i = 0; i < 12; i++) {
      t.clock.advance(59 * MINUTE)
      expect((await call('GET', '/api/v1/auth/session')).statusCode).toBe(200)
    }
    t.clock.advance(13 * MINUTE) // just over 12 hours after sign-in
    expect((await call('GET', '/api/v1/auth/session')).statusCode).toBe(401)
  })

  it('lists sessions, revokes one and signs out everywhere', async () => {
    await createAdmin(t.ctx)
    const first = await signInOverHttp(t.app, 'admin@network.test')
    const second = await signInOverHttp(t.app, 'admin@network.test')
    const sessions = (await asUser(t.app, first)('GET', '/api/v1/account/sessions')).json<
      { id: string; current: boolean }[]
    >()
    expect(sessions).toHaveLength(2)
    const other = sessions.find((s) => !s.current)!
    expect(
      (await asUser(t.app, first)('DELETE', `/api/v1/account/sessions/${other.id}`)).statusCode,
    ).toBe(204)
    expect((await asUser(t.app, second)('GET', '/api/v1/auth/session')).statusCode).toBe(401)

    const third = await signInOverHttp(t.app, 'admin@network.test')
    expect(
      (await asUser(t.app, first)('POST', '/api/v1/account/sessions/sign-out-everywhere'))
        .statusCode,
    ).toBe(204)
    expect((await asUser(t.app, first)('GET', '/api/v1/auth/session')).statusCode).toBe(401)
    expect((await asUser(t.app, third)('GET', '/api/v1/auth/session')).statusCode).toBe(401)
  })

  it('turns on TOTP, then requires a fresh code at sign-in and refuses a replayed one', async () => {
    await createAdmin(t.ctx)
    const session = await signInOverHttp(t.app, 'admin@network.test')
    const call = asUser(t.app, session)
    const setup = (await call('POST', '/api/v1/account/two-factor/setup')).json<{
      secret: string
      otpauthUrl: string
      qrSvg: string
    }>()
    expect(setup.otpauthUrl).toContain('otpauth://totp/')
    expect(setup.qrSvg).toContain('<svg')
    expect(
      (await call('POST', '/api/v1/account/two-factor/confirm', { code: '000000' })).json().error
        .code,
    ).toBe('invalid_two_factor_code')
    expect(
      (
        await call('POST', '/api/v1/account/two-factor/confirm', {
          code: currentTotpCode(setup.secret, t.clock.now()),
        })
      ).statusCode,
    ).toBe(204)

    t.clock.advance(MINUTE)
    const step1 = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'admin@network.test', password: TEST_PASSWORD },
    })
    expect(step1.json().status).toBe('two_factor_required')
    expect(step1.cookies).toHaveLength(0)
    const { challenge } = step1.json<{ challenge: string }>()
    const code = currentTotpCode(setup.secret, t.clock.now())
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in/two-factor',
      payload: { challenge, code: code === '123456' ? '654321' : '123456' },
    })
    expect(bad.json().error.code).toBe('invalid_two_factor_code')
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in/two-factor',
      payload: { challenge, code },
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.json().status).toBe('signed_in')

    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'admin@network.test', password: TEST_PASSWORD },
    })
    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in/two-factor',
      payload: { challenge: again.json().challenge, code },
    })
    expect(replay.json().error.code).toBe('invalid_two_factor_code')
  })

  it('makes users set up TOTP first when the network requires it for their role', async () => {
    await createAdmin(t.ctx)
    const session = await signInOverHttp(t.app, 'admin@network.test')
    const call = asUser(t.app, session)
    expect(
      (
        await call('PATCH', '/api/v1/admin/settings', {
          data: { twoFactorRequiredFor: ['network_admin'] },
        })
      ).statusCode,
    ).toBe(200)
    const blocked = await call('GET', '/api/v1/admin/users')
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json().error.code).toBe('two_factor_setup_required')
    expect((await call('GET', '/api/v1/auth/session')).json().twoFactorSetupRequired).toBe(true)
    const setup = (await call('POST', '/api/v1/account/two-factor/setup')).json<{
      secret: string
    }>()
    await call('POST', '/api/v1/account/two-factor/confirm', {
      code: currentTotpCode(setup.secret, t.clock.now()),
    })
    expect((await call('GET', '/api/v1/admin/users')).statusCode).toBe(200)
  })

  it('changes the password, ending other sessions', async () => {
    await createAdmin(t.ctx)
    const a = await signInOverHttp(t.app, 'admin@network.test')
    const b = await signInOverHttp(t.app, 'admin@network.test')
    const wrong = await asUser(t.app, a)('POST', '/api/v1/account/password', {
      currentPassword: 'nope nope nope',
      newPassword: 'another long passphrase 7',
    })
    expect(wrong.json().error.code).toBe('invalid_credentials')
    const ok = await asUser(t.app, a)('POST', '/api/v1/account/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'another long passphrase 7',
    })
    expect(ok.statusCode).toBe(204)
    expect((await asUser(t.app, b)('GET', '/api/v1/auth/session')).statusCode).toBe(401)
    expect((await asUser(t.app, a)('GET', '/api/v1/auth/session')).statusCode).toBe(200)
    await signInOverHttp(t.app, 'admin@network.test', 'another long passphrase 7')
  })
})
