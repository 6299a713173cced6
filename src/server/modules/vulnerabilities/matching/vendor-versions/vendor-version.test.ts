import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  compareVendorVersions,
  formatVendorVersion,
  parseVendorVersion,
  type VendorVersion,
} from './vendor-version.ts'

function v(text: string): VendorVersion {
  const parsed = parseVendorVersion(text)
  if (!parsed) throw new Error(`"${text}" did not parse`)
  return parsed
}

describe('parseVendorVersion', () => {
  // [advisory the spelling comes from, text, canonical spelling]
  it.each([
    ['ICSA-20-161-04', 'V3.0 SP1', 'V3.0 SP1'],
    ['ICSA-17-129-01', 'V7.3 Update 15', 'V7.3 Update 15'],
    ['ICSA-17-012-03', 'A11_U05', 'A11 Update 5'],
    ['ICSA-19-227-04', 'V4.8 SP2 HF9', 'V4.8 SP2 HF9'],
    ['ICSA-23-131-03', 'V20.2 HotfixRev14', 'V20.2 HF14'],
    ['ICSA-20-212-04', '1.06G', 'V1.06g'],
    ['ICSA-17-010-01A', '2016 R2', 'V2016 R2'],
    ['ICSA-18-200-02', '2014 R2 SP1', 'V2014 R2 SP1'],
    ['ICSA-23-103-12', 'V22R2', 'V22 R2'],
    ['ICSA-22-132-12', 'V18 SR 1', 'V18 SR1'],
    ['ICSA-23-285-14', '1.4.0_build221212', 'V1.4.0 Build 221212'],
    ['ICSA-22-242-11', '6.8.9 CU01', 'V6.8.9 CU1'],
    ['ICSA-21-033-02', 'V16 Update 3a', 'V16 Update 3a'],
    ['ICSA-19-099-06', 'V15.1 Upd4', 'V15.1 Update 4'],
    ['ICSA-22-104-05', 'V9.2 SP 1', 'V9.2 SP1'],
    ['ICSA-22-123-01', 'R6.09.00', 'R6.09.00'],
    ['ICSA-17-024-01', 'SP1 P01', 'SP1 P1'],
    ['ICSA-19-353-04', 'Firmware 8.26.4', 'V8.26.4'],
    ['constructed (brief)', '4.1 (SP2)', 'V4.1 SP2'],
    ['constructed', 'version 2.0 rc1', 'V2.0 RC1'],
    ['ICSA-19-099-03', 'V 4.83', 'V4.83'],
  ])('%s: %s', (_advisory, text, canonical) => {
    expect(formatVendorVersion(v(text))).toBe(canonical)
  })

  it.each([
    ['ICSA-20-042-05', 'V3.X.17'],
    ['ICSA-18-018-01A', 'V7.x'],
    ['ICSA-23-115-01', 'May/12/2023'],
    ['ICSA-17-033-01', '1-02-08'],
    ['ICSA-22-132-12', 'V18.0 UPD 1 SR 1'], // qualifiers out of level order
    ['ICSA-18-200-02', '4.5.4SP'], // a qualifier without its number
    ['ICSA-20-212-04', 'CPCI85 V05.11'],
    ['constructed', ''],
    ['constructed', 'latest'],
    ['constructed', '1.0'.repeat(40)],
  ])('%s: %s is not a version', (_advisory, text) => {
    expect(parseVendorVersion(text)).toBeUndefined()
  })
})

describe('compareVendorVersions', () => {
  /** Strictly ascending; each row from one advisory family. */
  it.each([
    ['ICSA-17-129-01 (WinCC)', ['V7.3', 'V7.3 Update 1', 'V7.3 Update 15', 'V7.3 SP1', 'V7.4']],
    ['ICSA-19-227-04 (SPPA-T3000)', ['V4.8', 'V4.8 HF6', 'V4.8 SP2', 'V4.8 SP2 HF9', 'V4.8 SP5']],
    ['ICSA-17-012-03', ['A11', 'A11_U04', 'A11_U05', 'A12']],
    ['ICSA-18-200-02 (PI)', ['2014 R2', '2014 R2 SP1', '2016', '2016 R2', '2018']],
    ['ICSA-20-212-04', ['1.06', '1.06F', '1.06G', '1.07', '1.10', '2.00']],
    ['constructed', ['1.5', '1.10', '1.10.1']],
    ['ICSA-22-123-01 (CENTUM)', ['R4.01.00', 'R4.05.00', 'R6.01.10', 'R6.09.00']],
    ['ICSA-23-285-14', ['1.4.0', '1.4.0_build221212', '1.4.0 build 230101', '1.4.1']],
    ['constructed', ['2.0 alpha1', '2.0 beta2', '2.0 rc1', '2.0', '2.0.1']],
    ['ICSA-21-082-01', ['20201231', '20210204']],
  ])('%s', (_source, ascending) => {
    for (let i = 0; i + 1 < ascending.length; i++) {
      const a = v(ascending[i] ?? '')
      const b = v(ascending[i + 1] ?? '')
      expect(compareVendorVersions(a, b), `${a.text} < ${b.text}`).toBe(-1)
      expect(compareVendorVersions(b, a), `${b.text} > ${a.text}`).toBe(1)
    }
  })

  it.each([
    ['ICSA-18-079-02', 'V3', 'V3.0.0'],
    ['ICSA-23-131-03', 'V05.00.00.00', '5.0'],
    ['constructed', 'Firmware 1.2.3', 'v1.2.3'],
    ['constructed', 'V7.4', 'V7.4 SP0'],
  ])('%s: %s equals %s', (_source, a, b) => {
    expect(compareVendorVersions(v(a), v(b))).toBe(0)
  })

  it.each([
    ['ICSA-17-012-03', 'A11_U05', '11.5', 'different prefixes'],
    ['ICSA-17-010-01A', '2016 R2', '1.2', 'different numbering'],
    ['ICSA-21-082-01', '20210204', '2.1', 'different numbering'],
    ['ICSA-17-129-01', 'V7.4 HF2', 'V7.4 Update 1', 'different kinds'],
    ['ICSA-22-132-12', 'V18 SR 1', 'V18 SP1', 'different kinds'],
    ['ICSA-20-212-04', '1.06G', '1.1', 'dotted or decimal'],
    ['ICSA-21-194-06', '1.030', '1.1', 'dotted or decimal'],
  ])('%s: %s and %s do not order (%s)', (_source, a, b, why) => {
    const order = compareVendorVersions(v(a), v(b))
    expect(order).toEqual({ incomparable: expect.stringContaining(why) as string })
  })
})

/** Versions of one scheme family: same prefix, plain numbering, fixed qualifier kinds. */
const sameScheme = fc
  .record({
    release: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 4 }),
    letter: fc.constantFrom('', 'a', 'b'),
    sp: fc.option(fc.integer({ min: 0, max: 5 })),
    update: fc.option(fc.integer({ min: 0, max: 20 })),
  })
  .map(
    ({ release, letter, sp, update }) =>
      `V${release.join('.')}${letter}${sp === null ? '' : ` SP${sp}`}${update === null ? '' : ` Update ${update}`}`,
  )

/** Any mix of prefixes, eras and qualifier kinds. */
const anyScheme = fc
  .record({
    prefix: fc.constantFrom('', 'V', 'A', 'R'),
    release: fc.array(fc.integer({ min: 0, max: 2100 }), { minLength: 1, maxLength: 3 }),
    q: fc.array(fc.constantFrom(' SP1', ' SR2', ' HF3', ' Update 4', ' P5', ' Build 7', ' R2')),
  })
  .map(({ prefix, release, q }) => `${prefix}${release.join('.')}${q.join('')}`)

describe('properties', () => {
  it('is a total preorder on versions of one scheme', () => {
    fc.assert(
      fc.property(sameScheme, sameScheme, sameScheme, (x, y, z) => {
        const [a, b, c] = [v(x), v(y), v(z)]
        const ab = compareVendorVersions(a, b)
        const ba = compareVendorVersions(b, a)
        expect(typeof ab).toBe('number')
        expect(compareVendorVersions(a, a)).toBe(0)
        expect(ab).toBe(-(ba as number) || 0)
        if ((ab as number) <= 0 && (compareVendorVersions(b, c) as number) <= 0) {
          expect(compareVendorVersions(a, c) as number).toBeLessThanOrEqual(0)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('is antisymmetric and transitive wherever it orders, across schemes', () => {
    fc.assert(
      fc.property(anyScheme, anyScheme, anyScheme, (x, y, z) => {
        const [a, b, c] = [x, y, z].map(parseVendorVersion)
        if (!a || !b || !c) return
        const ab = compareVendorVersions(a, b)
        const ba = compareVendorVersions(b, a)
        if (typeof ab !== 'number') {
          expect(typeof ba).toBe('object')
          return
        }
        expect(ba).toBe(-ab || 0)
        const bc = compareVendorVersions(b, c)
        const ac = compareVendorVersions(a, c)
        if (typeof bc === 'number' && typeof ac === 'number' && ab <= 0 && bc <= 0) {
          expect(ac).toBeLessThanOrEqual(0)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.string({ maxLength: 20 }), (x, y) => {
        const a = parseVendorVersion(x)
        const b = parseVendorVersion(y)
        if (a && b) compareVendorVersions(a, b)
      }),
      { numRuns: 5000 },
    )
  })

  it('reads long crafted strings quickly', () => {
    const started = performance.now()
    for (const text of ['1.'.repeat(39) + 'x', 'V1 ' + 'SP1 '.repeat(19), '('.repeat(79)]) {
      parseVendorVersion(text)
    }
    expect(performance.now() - started).toBeLessThan(50)
  })
})
