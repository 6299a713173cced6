import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { accessControl } from './http/access.ts'
import { answerFrameworkError, registerErrorHandler } from './http/error-handler.ts'
import { observabilityRoutes } from './http/observability.ts'
import { registerOpenApi } from './http/openapi.ts'
import { applyRouteConventions, type RegisteredRoute } from './http/route-conventions.ts'
import { lazySerializerFactory } from './http/serialization.ts'
import { validatorFactory } from './http/validation.ts'
import { registerRateLimit } from './http/rate-limit.ts'
import { registerResponseHeadersAndRateLimit } from './http/security-headers.ts'
import { registerWeb } from './http/web.ts'
import type { Ctx } from './kernel/context.ts'
import { VERSION } from './kernel/paths.ts'
import { newRequestId } from './kernel/crypto.ts'
import { LazyRequestLogger } from './kernel/logger.ts'
import { accountsRoutes } from './modules/accounts/accounts.routes.ts'
import { adminRoutes } from './modules/admin/admin.routes.ts'
import { advisoriesRoutes } from './modules/advisories/advisories.routes.ts'
import { frameworkRoutes } from './modules/framework/framework.routes.ts'
import { jwksRoutes, labelsRoutes } from './modules/labels/labels.routes.ts'
import { organisationsRoutes } from './modules/organisations/organisations.routes.ts'
import { productsRoutes } from './modules/products/products.routes.ts'
import { registryRoutes } from './modules/registry/registry.routes.ts'
import { assessmentsRoutes } from './modules/assessments/assessments.routes.ts'
import { reviewsRoutes } from './modules/reviews/reviews.routes.ts'
import { notificationsRoutes } from './modules/notifications/notifications.routes.ts'
import { tokensRoutes } from './modules/tokens/tokens.routes.ts'
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.ts'
import { sbomsRoutes } from './modules/sboms/sboms.routes.ts'
import { findingsRoutes } from './modules/findings/findings.routes.ts'
import { vexRoutes } from './modules/vex/vex.routes.ts'
import { labelPolicyRoutes } from './modules/label-policy/label-policy.routes.ts'

export interface BuildAppOptions {
  ctx: Ctx
  /** Where the built web app is; tests point it elsewhere or at nothing. */
  webRoot?: string
}

export type App = FastifyInstance & { registeredRoutes: RegisteredRoute[] }

/** Builds the HTTP application around the given context. It never listens; `isn serve` does. */
export async function buildApp({ ctx, webRoot }: BuildAppOptions): Promise<App> {
  const { config } = ctx
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // Fastify's "incoming request" / "request completed" lines are info level: when the logger
    // would drop them anyway, do not build them on every request (docs/performance.md).
    logController: new LogController({ disableRequestLogging: !ctx.logger.isLevelEnabled('info') }),
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    // Accept a caller's request id if it looks like one, so logs can be followed across services.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id']
      return typeof incoming === 'string' && /^[\w.:-]{8,100}$/.test(incoming)
        ? incoming
        : newRequestId()
    },
    childLoggerFactory: (logger, bindings, options) =>
      new LazyRequestLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors: answerFrameworkError,
    // Our own validator compiler (http/validation.ts): given here, Fastify does not load its Ajv
    // one at all. Response serialisers are compiled on a route's first answer (http/serialization.ts).
    schemaController: {
      compilersFactory: {
        buildValidator: validatorFactory,
        buildSerializer: lazySerializerFactory,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  const registeredRoutes: RegisteredRoute[] = []
  applyRouteConventions(app, registeredRoutes)
  registerErrorHandler(app)

  // Security headers, request id, no-store on the API and the rate limit: one hook (see there).
  registerResponseHeadersAndRateLimit(app)
  registerRateLimit(app, { max: config.rateLimitPerMinute, timeWindow: '1 minute' })
  await app.register(accessControl, { ctx })
  await registerOpenApi(app, VERSION)
  await app.register(observabilityRoutes, { ctx })

  await app.register(
    async (api) => {
      await api.register(accountsRoutes, { ctx })
      await api.register(organisationsRoutes, { ctx })
      await api.register(tokensRoutes, { ctx })
      await api.register(adminRoutes, { ctx })
      await api.register(frameworkRoutes, { ctx })
      await api.register(labelsRoutes, { ctx })
      await api.register(registryRoutes, { ctx })
      await api.register(productsRoutes, { ctx })
      await api.register(assessmentsRoutes, { ctx })
      await api.register(reviewsRoutes, { ctx })
      await api.register(notificationsRoutes, { ctx })
      await api.register(advisoriesRoutes, { ctx })
      await api.register(webhooksRoutes, { ctx })
      await api.register(sbomsRoutes, { ctx })
      await api.register(findingsRoutes, { ctx })
      await api.register(vexRoutes, { ctx })
      await api.register(labelPolicyRoutes, { ctx })
    },
    { prefix: '/api/v1' },
  )
  await app.register(jwksRoutes, { ctx })
  await registerWeb(app, webRoot)

  await app.ready()
  return Object.assign(app, { registeredRoutes }) as unknown as App
}
