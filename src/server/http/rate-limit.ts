import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { AppError } from '../../common/errors.ts'
import { matchedRoute } from './matched-route.ts'

export interface RateLimit {
  /** Requests per client address in one window. */
  max: number
  /** The window, in milliseconds or as '<n> minute(s)' / '<n> second(s)'. */
  timeWindow: number | string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A tighter limit for this route; it has its own count per client address. */
    rateLimit?: RateLimit
    /** Set at registration: the limiter this route counts against. */
    rateLimiter?: FixedWindowLimiter
  }
}

function windowMs(timeWindow: number | string): number {
  if (typeof timeWindow === 'number') return timeWindow
  const match = /^(\d+)\s*(second|minute|hour)s?$/.exec(timeWindow.trim())
  if (!match) throw new Error(`Unknown rate limit window: ${timeWindow}`)
  const unit = { second: 1000, minute: 60_000, hour: 3_600_000 }[match[2] as 'second']
  return Number(match[1]) * unit
}

interface Window {
  count: number
  resetAt: number
}

/**
 * Counts requests per client address in fixed windows that start with a client's first request,
 * as @fastify/rate-limit's local store does. At most `maxClients` addresses are tracked: when full,
 * ended windows are dropped first, then the oldest.
 */
export class FixedWindowLimiter {
  readonly #windows = new Map<string, Window>()
  readonly windowMs: number

  constructor(
    readonly max: number,
    timeWindow: number | string,
    readonly maxClients = 10_000,
  ) {
    this.windowMs = windowMs(timeWindow)
  }

  /** Counts one request of `key` at `now` (ms) and returns its window. */
  hit(key: string, now: number): Window {
    let window = this.#windows.get(key)
    if (!window || window.resetAt <= now) {
      // Re-inserted, so that the map stays ordered by window start.
      if (window) this.#windows.delete(key)
      else if (this.#windows.size >= this.maxClients) this.#prune(now)
      window = { count: 0, resetAt: now + this.windowMs }
      this.#windows.set(key, window)
    }
    window.count += 1
    return window
  }

  #prune(now: number): void {
    for (const [key, window] of this.#windows) {
      if (window.resetAt > now && this.#windows.size < this.maxClients) return
      this.#windows.delete(key)
      if (window.resetAt > now) return
    }
  }
}

/**
 * A rate limit per client address on every route registered after this call, with the headers
 * and the 429 answer @fastify/rate-limit gave (`x-ratelimit-limit`, `-remaining`, `-reset`;
 * `rate_limited` with `retry-after`). Routes may set a tighter `config.rateLimit`, counted apart.
 *
 * Why not @fastify/rate-limit: its per-request path (an async key generator, a promise around
 * the store, an LRU map, a route-level async hook) cost more than this whole function, on every
 * request, and the benchmark's authenticated read has to stay within a few microseconds of a
 * bare route (docs/performance.md has the measurements). The store was per process in both.
 */
export function registerRateLimit(app: FastifyInstance, options: RateLimit): void {
  const global = new FixedWindowLimiter(options.max, options.timeWindow)
  app.addHook('onRoute', (route: RouteOptions) => {
    const own = route.config?.rateLimit
    route.config = {
      ...route.config,
      rateLimiter: own ? new FixedWindowLimiter(own.max, own.timeWindow) : global,
    }
  })
}

/**
 * Counts the request against its route's limiter and sets the headers; throws `rate_limited`
 * when the client is over the limit. Called from the request's first hook (app.ts).
 */
export function applyRateLimit(request: FastifyRequest, reply: FastifyReply, now: number): void {
  // Requests that match no route (404s) are not counted, as before.
  const limiter = matchedRoute(request)?.config.rateLimiter
  if (!limiter) return
  const window = limiter.hit(request.ip, now)
  const resetSeconds = Math.ceil((window.resetAt - now) / 1000)
  void reply
    .header('x-ratelimit-limit', limiter.max)
    .header('x-ratelimit-remaining', Math.max(0, limiter.max - window.count))
    .header('x-ratelimit-reset', resetSeconds)
  if (window.count > limiter.max) {
    throw new AppError('rate_limited', 'Too many requests; slow down and try again shortly.', {
      details: { retryAfterSeconds: resetSeconds },
    })
  }
}
