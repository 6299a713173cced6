import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCpe } from './cpe.ts'

describe('parseCpe', () => {
  it.each([
    [
      'cpe:2.3:a:openssl:openssl:1.1.1n-0\\+deb11u3:*:*:*:*:*:*:*',
      { part: 'a', vendor: 'openssl', product: 'openssl', version: '1.1.1n-0+deb11u3' },
    ],
    [
      'cpe:2.3:a:zlib1g:zlib1g:1\\:1.2.11.dfsg-2\\+deb11u2:*:*:*:*:*:*:*',
      { part: 'a', vendor: 'zlib1g', product: 'zlib1g', version: '1:1.2.11.dfsg-2+deb11u2' },
    ],
    [
      'cpe:2.3:o:Siemens:SIMATIC_S7-1500:*:*:*:*:*:*:*:*',
      { part: 'o', vendor: 'siemens', product: 'simatic_s7-1500' },
    ],
    [
      'cpe:/a:busybox:busybox:1.36.1',
      { part: 'a', vendor: 'busybox', product: 'busybox', version: '1.36.1' },
    ],
    ['cpe:/h:acme:gate%20way', { part: 'h', vendor: 'acme', product: 'gate way' }],
  ])('reads %s', (cpe, parts) => {
    expect(parseCpe(cpe)).toEqual(parts)
  })

  it.each([
    'cpe:2.3:a:openssl:openssl:1.0',
    'cpe:2.3:x:vendor:product:*:*:*:*:*:*:*:*',
    'cpe:/a:vendor',
    'cpe:/a::product',
    'cpe:/a:bad%zzencoding:product',
    'pkg:generic/openssl@3.0.13',
    '',
  ])('leaves %s unindexed', (cpe) => {
    expect(parseCpe(cpe)).toBeUndefined()
  })

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const parts = parseCpe(`cpe:2.3:${text}`)
        parseCpe(`cpe:/${text}`)
        return parts === undefined || (parts.vendor.length > 0 && parts.product.length > 0)
      }),
      { numRuns: 500 },
    )
  })
})
