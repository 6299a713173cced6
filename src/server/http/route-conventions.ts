import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify'
import { ErrorSchema } from '../../common/api/shared.ts'
import { describeAccess, type Access } from './access.ts'

/** Every route registered, with its access declaration: the route-walk test reads this. */
export interface RegisteredRoute {
  method: string
  url: string
  access: Access | undefined
  /** The route's schemas (response serialisers are compiled on first use: serialization.test.ts). */
  schema: FastifySchema | undefined
}

/**
 * Applied to every route as it is registered: documents its access rule in OpenAPI, adds the
 * shared error schema for 4xx/5xx answers, and records the route for the access test.
 */
export function applyRouteConventions(app: FastifyInstance, registry: RegisteredRoute[]): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const declared = route.config?.access
    for (const method of [route.method].flat()) {
      // Read lazily: a wrapping plugin's own onRoute hook (publicRoutes) may declare access after this one.
      if (method !== 'HEAD') {
        registry.push({
          method,
          url: route.url,
          get access() {
            return route.config?.access
          },
          get schema() {
            return route.schema
          },
        })
      }
    }
    if (!route.schema || route.schema.hide) return
    const response = (route.schema.response ??= {}) as Record<string, unknown>
    response['4xx'] ??= ErrorSchema
    response['5xx'] ??= ErrorSchema
    const schema = route.schema as Record<string, unknown>
    schema['x-access'] = describeAccess(declared)
    if (declared && declared.kind !== 'public') {
      schema.security =
        declared.kind === 'org' && declared.scope
          ? [
              { session: [] },
              { apiToken: [declared.scope] },
              ...(declared.orScope ? [{ apiToken: [declared.orScope] }] : []),
            ]
          : [{ session: [] }]
    }
  })
}
