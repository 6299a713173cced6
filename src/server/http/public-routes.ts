import type { FastifyInstance, FastifyPluginAsync, RouteOptions } from 'fastify'
import { access } from './access.ts'

/**
 * Wraps a third-party plugin whose routes cannot carry our access declaration (API docs, static
 * files) and declares each of them public. Only for content that is public by nature.
 */
export function publicRoutes(
  plugin: (scope: FastifyInstance) => Promise<void>,
): FastifyPluginAsync {
  return async (scope) => {
    scope.addHook('onRoute', (route: RouteOptions) => {
      route.config = { ...route.config, access: access.public } as RouteOptions['config']
    })
    await plugin(scope)
  }
}
