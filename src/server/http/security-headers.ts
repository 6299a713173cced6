import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import helmet from 'helmet'
import { applyRateLimit } from './rate-limit.ts'

/**
 * Strict security headers, helmet's defaults with our Content-Security-Policy. @fastify/helmet
 * builds helmet's middleware on every request (a twelfth of the CPU of a read, see
 * docs/performance.md); the headers never vary, so they are computed once here and copied.
 */
function computeSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {}
  const collect = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
    getHeader: (name: string) => headers[name.toLowerCase()],
  } as unknown as ServerResponse
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Mantine sets style attributes at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  })({} as IncomingMessage, collect, () => {})
  return headers
}

const SECURITY_HEADERS = computeSecurityHeaders()

/**
 * JSON API answers (/api/v1/) are never rendered as documents, so they carry the set the OWASP
 * REST Security Cheat Sheet recommends for APIs instead of the browser-document headers above:
 * a CSP that allows nothing, no framing, no sniffing, HSTS, no referrer, same-origin resources,
 * and no caching unless a route says otherwise (it may set its own). Fewer headers per answer
 * is also measurably cheaper (docs/performance.md). The API reference (/api/docs) is a page and
 * keeps the full set.
 */
const API_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': SECURITY_HEADERS['strict-transport-security'] ?? 'max-age=31536000',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
}

/** The headers every answer carries: security headers, the request id, no-store on the API. */
export function applyResponseHeaders(request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .headers(request.url.startsWith('/api/v1/') ? API_HEADERS : SECURITY_HEADERS)
    .header('x-request-id', request.id)
}

/**
 * The first hook of every request: the response headers above, then the rate limit. One
 * synchronous hook instead of an async hook each (headers, request id, rate limit): every hook
 * is a step of Fastify's hook runner, and an async one also a promise, per request.
 */
export function registerResponseHeadersAndRateLimit(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    applyResponseHeaders(request, reply)
    try {
      applyRateLimit(request, reply, Date.now())
    } catch (error) {
      return done(error as Error)
    }
    done()
  })
}
