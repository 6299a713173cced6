import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../app.ts'
import { createDb } from '../db/database.ts'
import { createTestApp, type TestContext } from '../testing/test-app.ts'

describe('OpenAPI, health, metrics and security headers', () => {
  let t: TestContext
  beforeAll(async () => {
    t = await createTestApp({ metricsToken: undefined })
  })
  afterAll(async () => t.close())

  it('publishes an OpenAPI 3.1 document describing every API route and who may call it', async () => {
    const response = await t.app.inject({ url: '/api/openapi.json' })
    expect(response.statusCode).toBe(200)
    const doc = response.json<{
      openapi: string
      paths: Record<
        string,
        Record<string, { 'x-access'?: string; responses: Record<string, unknown> }>
      >
    }>()
    expect(doc.openapi).toBe('3.1.0')
    const apiRoutes = t.app.registeredRoutes.filter((r) => r.url.startsWith('/api/v1'))
    expect(apiRoutes.length).toBeGreaterThan(30)
    for (const route of apiRoutes) {
      const openApiPath = route.url.replace(/:(\w+)/g, '{$1}')
      const operation = doc.paths[openApiPath]?.[route.method.toLowerCase()]
      expect(operation, `${route.method} ${route.url}`).toBeDefined()
      expect(operation!['x-access'], `${route.method} ${route.url}`).toMatch(
        /public|signed in|organisation|network administrator/,
      )
      expect(Object.keys(operation!.responses)).toContain('4XX')
    }
  })

  it('serves a readable API reference at /api/docs', async () => {
    const response = await t.app.inject({ url: '/api/docs/' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/html')
  })

  it('answers liveness and readiness', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' })
  })

  it('exposes Prometheus metrics to loopback clients only', async () => {
    await t.app.inject({ url: '/healthz' })
    const local = await t.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })
    expect(local.statusCode).toBe(200)
    expect(local.body).toContain('isn_http_request_duration_seconds_bucket')
    expect(local.body).toContain('process_cpu_user_seconds_total')
    const remote = await t.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' })
    expect(remote.statusCode).toBe(403)
  })

  it('sends strict security headers and a request id', async () => {
    const page = await t.app.inject({ url: '/api/docs' })
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-eval')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['strict-transport-security']).toBeDefined()

    const response = await t.app.inject({
      url: '/api/v1/setup',
      headers: { 'x-request-id': 'trace-12345678' },
    })
    // The API's own set (OWASP REST Security Cheat Sheet): nothing may load, frame or sniff it.
    expect(response.headers).toMatchObject({
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-request-id': 'trace-12345678',
    })
  })

  it('answers unknown API paths with the JSON error shape', async () => {
    const response = await t.app.inject({ url: '/api/v1/nothing-here' })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({
      error: { code: 'not_found', message: 'No endpoint GET /api/v1/nothing-here' },
    })
  })

  it('reports the database as unavailable when it does not answer', async () => {
    // Nothing listens on port 1: every query fails to connect.
    const closedDb = await createDb('postgres://postgres@127.0.0.1:1/nothing')
    const broken = await buildApp({ ctx: { ...t.ctx, db: closedDb }, webRoot: '/nonexistent' })
    try {
      const response = await broken.inject({ url: '/readyz' })
      expect(response.statusCode).toBe(503)
      expect(response.json().error.code).toBe('service_unavailable')
    } finally {
      await broken.close()
      await closedDb.destroy()
    }
  })
})

describe('metrics with a token', () => {
  it('admits any client that presents METRICS_TOKEN, and no other', async () => {
    const t = await createTestApp({ metricsToken: 'metrics-token-for-tests' })
    try {
      const ok = await t.app.inject({
        url: '/metrics',
        remoteAddress: '203.0.113.9',
        headers: { authorization: 'Bearer metrics-token-for-tests' },
      })
      expect(ok.statusCode).toBe(200)
      const wrong = await t.app.inject({
        url: '/metrics',
        remoteAddress: '127.0.0.1',
        headers: { authorization: 'Bearer nope' },
      })
      expect(wrong.statusCode).toBe(403)
    } finally {
      await t.close()
    }
  })
})
