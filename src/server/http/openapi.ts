import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { publicRoutes } from './public-routes.ts'

/** OpenAPI 3.1 generated from the route schemas, at /api/openapi.json, and a reference at /api/docs. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'IIoT Safety Network API',
        version,
        description:
          'The platform API. Errors always have the form `{ "error": { "code", "message", "details" } }`. ' +
          'Each operation states who may call it in `x-access`. Browser sessions send the `x-csrf-token` header on writes; ' +
          'machines use organisation API tokens (`Authorization: Bearer isn_…`) where an operation lists the `apiToken` scheme.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'isn_session' },
          apiToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'Organisation API token with scopes',
          },
        },
      },
    },
  })
  await app.register(
    publicRoutes(async (scope) => {
      scope.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())
      await scope.register(swaggerUi, {
        routePrefix: '/api/docs',
        staticCSP: false,
        uiConfig: { deepLinking: true },
      })
    }),
  )
}
