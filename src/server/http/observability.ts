import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { sql } from 'kysely'
import { AppError } from '../../common/errors.ts'
import type { Ctx } from '../kernel/context.ts'
import { safeEqual } from '../kernel/crypto.ts'
import { access } from './access.ts'
import { matchedRoute } from './matched-route.ts'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/** `/healthz` (the process answers), `/readyz` (and its database does) and `/metrics` (Prometheus). */
export async function observabilityRoutes(
  app: FastifyInstance,
  { ctx }: { ctx: Ctx },
): Promise<void> {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const duration = new Histogram({
    name: 'isn_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  // One labelled child per method, route and status, kept: prom-client otherwise hashes the
  // label set on every observation.
  const children = new Map<string, ReturnType<typeof duration.labels>>()
  app.addHook('onResponse', (request, reply, done) => {
    const method = request.method
    const route = matchedRoute(request)?.url ?? 'not_found'
    const status = reply.statusCode
    const key = `${method} ${status} ${route}`
    let child = children.get(key)
    if (!child) {
      child = duration.labels(method, route, String(status))
      children.set(key, child)
    }
    child.observe(reply.elapsedTime / 1000)
    done()
  })

  const Status = Type.Object({ status: Type.String() })
  app.get(
    '/healthz',
    { config: { access: access.public }, schema: { hide: true, response: { 200: Status } } },
    async () => ({
      status: 'ok',
    }),
  )
  app.get(
    '/readyz',
    { config: { access: access.public }, schema: { hide: true, response: { 200: Status } } },
    async () => {
      try {
        await sql`select 1`.execute(ctx.db)
      } catch (error) {
        throw new AppError('service_unavailable', 'The database does not answer.', { cause: error })
      }
      return { status: 'ready' }
    },
  )
  // Public by declaration; the handler itself admits only loopback clients or holders of METRICS_TOKEN.
  app.get(
    '/metrics',
    { config: { access: access.public }, schema: { hide: true } },
    async (request, reply) => {
      const token = ctx.config.metricsToken
      const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? ''
      const allowed = token
        ? safeEqual(bearer, token)
        : LOOPBACK.has(request.socket.remoteAddress ?? '')
      if (!allowed) {
        throw new AppError(
          'forbidden',
          'Metrics are available to loopback clients or with METRICS_TOKEN.',
        )
      }
      return reply.type(registry.contentType).send(await registry.metrics())
    },
  )
}
