import type { FastifyRequest } from 'fastify'

type RouteView = FastifyRequest['routeOptions']

const MATCHED = Symbol('matchedRoute')
type WithMatched = FastifyRequest & { [MATCHED]?: RouteView | null }

/**
 * The options of the route the request matched, or undefined for a request that matched none
 * (a 404). Fastify builds a fresh `routeOptions` object on every read, and three hooks of every
 * request need it (rate limit, access control, metrics), so it is read once per request here.
 */
export function matchedRoute(request: FastifyRequest): RouteView | undefined {
  const own = request as WithMatched
  let route = own[MATCHED]
  if (route === undefined) {
    route = request.is404 ? null : request.routeOptions
    own[MATCHED] = route
  }
  return route ?? undefined
}
