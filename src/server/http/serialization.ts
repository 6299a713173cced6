import { createRequire } from 'node:module'
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler'

type Serializer = (data: unknown) => string
type FastJsonStringifyCompiler = typeof import('@fastify/fast-json-stringify-compiler')

// The serializer factory Fastify uses by default, loaded from Fastify's own dependencies (it is not
// ours) and through a require esbuild leaves alone, so the bundle shares Fastify's copy.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'))
const { SerializerSelector } = requireFromFastify(
  '@fastify/fast-json-stringify-compiler',
) as FastJsonStringifyCompiler

/** Fastify's default: every route's response schemas compiled when the route is registered. */
export const eagerSerializerFactory: SerializerFactory = SerializerSelector()

/**
 * Fastify's response serialisers (fast-json-stringify), compiled when a route first answers with a
 * status instead of for every route and status at start-up, where they took a third of the start's
 * CPU (docs/performance.md, start-up). A schema object shared by several routes (the 4xx/5xx error
 * schema, a GET route and its HEAD twin) is compiled once. Compiling is synchronous, so two
 * concurrent first requests cannot race. A schema that does not compile would fail its first
 * answer instead of the start: `serialization.test.ts` compiles every route's schemas.
 */
export const lazySerializerFactory = compiledOnFirstUse(eagerSerializerFactory)

/** Wraps a serializer factory so that each route's serialiser is compiled on its first use. */
export function compiledOnFirstUse(factory: SerializerFactory): SerializerFactory {
  return (externalSchemas, options) => lazyCompiler(factory(externalSchemas, options))
}

function lazyCompiler(compile: ReturnType<SerializerFactory>): ReturnType<SerializerFactory> {
  const compiled = new WeakMap<object, Serializer>()
  return (route) => {
    let serialize: Serializer | undefined
    return (data) => {
      if (!serialize) {
        const { schema } = route
        const key = typeof schema === 'object' && schema !== null ? schema : undefined
        serialize = (key && compiled.get(key)) ?? compile(route)
        if (key) compiled.set(key, serialize)
      }
      return serialize(data)
    }
  }
}
