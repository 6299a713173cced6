import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestContext } from '../testing/test-app.ts'
import { compiledOnFirstUse, eagerSerializerFactory } from './serialization.ts'

describe('response serialisers compiled on first use', () => {
  let t: TestContext
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => t.close())

  it("compiles every route's response schema for every status (what the start no longer does)", () => {
    const compile = eagerSerializerFactory(undefined, {})
    let compiled = 0
    for (const route of t.app.registeredRoutes) {
      const response = (route.schema?.response ?? {}) as Record<string, Record<string, unknown>>
      for (const [httpStatus, schema] of Object.entries(response)) {
        const bodies = schema.content
          ? Object.values(schema.content as Record<string, { schema: unknown }>).map(
              (c) => c.schema,
            )
          : [schema]
        for (const body of bodies) {
          expect(
            () => compile({ schema: body, method: route.method, url: route.url, httpStatus }),
            `${route.method} ${route.url} ${httpStatus}`,
          ).not.toThrow()
          compiled++
        }
      }
    }
    expect(compiled).toBeGreaterThan(200)
  })

  it('serialises like the eager compiler, and compiles a schema shared by routes once', () => {
    const schema = {
      type: 'object',
      properties: { id: { type: 'string' }, count: { type: 'integer' } },
      required: ['id'],
    }
    const eager = eagerSerializerFactory(undefined, {})
    let compiles = 0
    const counting = compiledOnFirstUse((external, options) => {
      const compile = eagerSerializerFactory(external, options)
      return (route) => {
        compiles++
        return compile(route)
      }
    })(undefined, {})
    const lazy = (url: string) => counting({ schema, method: 'GET', url, httpStatus: '200' })
    const first = lazy('/a')
    const second = lazy('/b')
    expect(compiles).toBe(0)
    const data = { id: 'x', count: 2, secret: 'not in the schema' }
    const expected = eager({ schema, method: 'GET', url: '/a', httpStatus: '200' })(data)
    expect(first(data)).toBe(expected)
    expect(second(data)).toBe(expected)
    expect(first({ id: 'y' })).toBe('{"id":"y"}')
    expect(() => first({ count: 1 })).toThrow(/id/)
    expect(compiles).toBe(1)
    expect(
      counting({ schema: { ...schema }, method: 'GET', url: '/d', httpStatus: '200' })(data),
    ).toBe(expected)
    expect(compiles).toBe(2)
  })

  it('answers the first requests of a route, its HEAD twin and its error statuses', async () => {
    const [health, head, missing] = await Promise.all([
      t.app.inject({ url: '/healthz' }),
      t.app.inject({ method: 'HEAD', url: '/healthz' }),
      t.app.inject({ url: '/api/v1/organisations/nope' }),
    ])
    expect(health.statusCode).toBe(200)
    expect(health.json()).toMatchObject({ status: 'ok' })
    expect(head.statusCode).toBe(200)
    expect(head.body).toBe('')
    expect(missing.statusCode).toBe(401)
    expect(missing.json()).toEqual({
      error: { code: 'unauthorized', message: 'Sign in to continue.' },
    })
  })
})
