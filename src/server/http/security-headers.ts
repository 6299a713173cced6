import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'

/**
 * Strict security headers, helmet's defaults with our Content-Security-Policy. @fastify/helmet
 * builds helmet's middleware on every request (a twelfth of the CPU of a read, see
 * docs/performance.md); the headers never vary, so they are computed once here and copied.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
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
  app.addHook('onRequest', async (_request, reply) => {
    void reply.headers(headers)
  })
}
