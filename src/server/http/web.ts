import fs from 'node:fs'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../common/errors.ts'
import { PROJECT_ROOT } from '../kernel/paths.ts'
import { publicRoutes } from './public-routes.ts'

export const WEB_ROOT = path.join(PROJECT_ROOT, 'dist/web')

/**
 * Serves the built React app and answers unknown non-API paths with its index.html (client-side
 * routing). API paths that match nothing get the JSON `not_found` error.
 */
export async function registerWeb(app: FastifyInstance, webRoot = WEB_ROOT): Promise<void> {
  const indexFile = path.join(webRoot, 'index.html')
  // index.html is small and changes only with a new build: read it once, serve it from memory.
  const indexHtml = fs.existsSync(indexFile) ? fs.readFileSync(indexFile, 'utf8') : undefined
  const hasWeb = indexHtml !== undefined
  if (hasWeb) {
    await app.register(
      publicRoutes(async (scope) => {
        await scope.register(fastifyStatic, {
          root: webRoot,
          wildcard: false,
          index: false,
          cacheControl: false,
          // Hashed asset names never change content, so browsers may keep them for a year.
          setHeaders: (res, filePath) => {
            res.setHeader(
              'cache-control',
              filePath.includes(`${path.sep}assets${path.sep}`)
                ? 'public, max-age=31536000, immutable'
                : 'public, max-age=3600',
            )
          },
        })
      }),
    )
  }
  app.setNotFoundHandler(async (request, reply) => {
    const isApi = /^\/(api|\.well-known)(\/|$)/.test(request.url)
    if (!isApi && request.method === 'GET' && request.headers.accept?.includes('text/html')) {
      if (hasWeb) return reply.header('cache-control', 'no-cache').type('text/html').send(indexHtml)
      return reply
        .type('text/html')
        .send(
          '<!doctype html><title>IIoT Safety Network</title><p>The web app is not built yet: run <code>npm run build:web</code>.</p>',
        )
    }
    throw new AppError('not_found', `No endpoint ${request.method} ${request.url.split('?')[0]}`)
  })
}
