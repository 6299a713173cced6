import fc from 'fast-check'
import { base64url } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as nodeBytes from './bytes.ts'

/** bytes.ts as a browser loads it: without Node's Buffer. */
async function portableBytes(): Promise<typeof nodeBytes> {
  vi.stubGlobal('Buffer', undefined)
  vi.resetModules()
  try {
    return await import('./bytes.ts')
  } finally {
    vi.unstubAllGlobals()
  }
}

describe('the verifier’s text-to-bytes helpers', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('decode base64url the same with Buffer and without, as jose does', async () => {
    const portable = await portableBytes()
    // Each path is the one meant: Node's gives a Buffer, the portable one a plain Uint8Array.
    expect(Buffer.isBuffer(nodeBytes.decodeBase64Url('AAAA'))).toBe(true)
    expect(Buffer.isBuffer(portable.decodeBase64Url('AAAA'))).toBe(false)
    expect(Buffer.isBuffer(portable.asciiBytes('AAAA'))).toBe(false)
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const text = base64url.encode(bytes)
        expect([...nodeBytes.decodeBase64Url(text)]).toEqual([...bytes])
        expect([...portable.decodeBase64Url(text)]).toEqual([...bytes])
      }),
      { numRuns: 300 },
    )
  })

  it('refuse a length no base64 text has, with Buffer and without', async () => {
    const portable = await portableBytes()
    for (const text of ['A', 'AAAAA', 'eyJhbGciOiJFZERTQSJ9x']) {
      expect(() => nodeBytes.decodeBase64Url(text)).toThrow(TypeError)
      expect(() => portable.decodeBase64Url(text)).toThrow()
    }
  })

  it('give the bytes of ASCII text, with Buffer and without', async () => {
    const portable = await portableBytes()
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary-ascii', maxLength: 200 }), async (text) => {
        const expected = [...new TextEncoder().encode(text)]
        expect([...nodeBytes.asciiBytes(text)]).toEqual(expected)
        expect([...portable.asciiBytes(text)]).toEqual(expected)
      }),
    )
  })
})
