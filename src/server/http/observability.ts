import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { sql } from 'kysely'
import { AppError } from '../../common/errors.ts'
import type { Ctx } from '../kernel/context.ts'
import { safeEqual } from '../kernel/crypto.ts'
import { access } from './access.ts'
import { matchedRoute } from './matched-route.ts'
import { RequestDurationHistogram } from './request-durations.ts'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/** `/healthz` (the process answers), `/readyz` (and its database does) and `/metrics` (Prometheus). */
export async function observabilityRoutes(
  app: FastifyInstance,
  { ctx }: { ctx: Ctx },
): Promise<void> {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const durations = new RequestDurationHistogram(
    'isn_http_request_duration_seconds',
    'HTTP request duration by route and status',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  )
  registry.registerMetric(durations.asMetric())
  app.addHook('onResponse', (request, reply, done) => {
    const route = matchedRoute(request)?.url ?? 'not_found'
    durations.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000)
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
