import { afterEach, describe, expect, it } from 'vitest'
import { MINUTE } from '../kernel/clock.ts'
import { createTestApp, type TestContext } from '../testing/test-app.ts'
import { FixedWindowLimiter } from './rate-limit.ts'

describe('rate limits', () => {
  let t: TestContext | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  it('limits each client address per window, with the limit headers and a 429 with retry-after', async () => {
    t = await createTestApp({ rateLimitPerMinute: 3, authRateLimitPerMinute: 2 })
    const app = t.app
    const health = (remoteAddress = '127.0.0.1') =>
      app.inject({ method: 'GET', url: '/healthz', remoteAddress })
    const first = await health()
    expect(first.statusCode).toBe(200)
    expect(first.headers['x-ratelimit-limit']).toBe('3')
    expect(first.headers['x-ratelimit-remaining']).toBe('2')
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(0)
    await health()
    await health()
    const over = await health()
    expect(over.statusCode).toBe(429)
    expect(over.json().error.code).toBe('rate_limited')
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0)
    // Security headers are on the refusal too.
    expect(over.headers['content-security-policy']).toBeDefined()
    // Another address has its own count.
    expect((await health('10.0.0.2')).statusCode).toBe(200)

    // Sign-in has its own, tighter limit, counted apart from the global one.
    const signIn = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: 'nobody@example.com', password: 'not the password at all' },
        remoteAddress: '10.0.0.3',
      })
    expect((await signIn()).headers['x-ratelimit-limit']).toBe('2')
    expect((await signIn()).statusCode).toBe(401)
    expect((await signIn()).statusCode).toBe(429)
    expect((await health('10.0.0.3')).statusCode).toBe(200)
  })

  it('starts a new window once the old one ended, and stays bounded in size', () => {
    const limiter = new FixedWindowLimiter(2, '1 minute', 3)
    expect(limiter.hit('a', 0).count).toBe(1)
    expect(limiter.hit('a', 1000).count).toBe(2)
    expect(limiter.hit('a', 2000).count).toBe(3)
    expect(limiter.hit('a', MINUTE).count).toBe(1)
    for (const key of ['b', 'c', 'd', 'e']) limiter.hit(key, MINUTE + 1)
    // 'a' (the oldest window) was dropped to make room: it starts again at 1.
    expect(limiter.hit('a', MINUTE + 2).count).toBe(1)
  })
})
