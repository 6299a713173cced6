import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  compareCpeAttribute,
  type CpeValue,
  CpeError,
  cpeNameMatches,
  formatCpe,
  parseCpe,
} from './cpe.ts'

const v = (text: string, prefix = '', suffix = ''): CpeValue => ({
  kind: 'value',
  text,
  prefix,
  suffix,
})

describe('parseCpe', () => {
  it('reads the formatted string binding with quoting, ANY and NA', () => {
    const cpe = parseCpe(
      'cpe:2.3:o:siemens:simatic_s7-1500_cpu_1518-4_pn\\/dp_firmware:2.9.2:*:*:*:*:*:*:-',
    )
    expect(cpe.part).toEqual(v('o'))
    expect(cpe.product).toEqual(v('simatic_s7-1500_cpu_1518-4_pn/dp_firmware'))
    expect(cpe.version).toEqual(v('2.9.2'))
    expect(cpe.update).toEqual({ kind: 'any' })
    expect(cpe.other).toEqual({ kind: 'na' })
    expect(parseCpe('cpe:2.3:a:foo\\:bar:baz:1.0:*:*:*:*:*:*:*').vendor).toEqual(v('foo:bar'))
    expect(parseCpe('cpe:2.3:a:Microsoft:Internet_Explorer:8.*:*:*:*:*:*:*:*').version).toEqual(
      v('8.', '', '*'),
    )
    expect(parseCpe('cpe:2.3:a:x:y:??1.0:*:*:*:*:*:*:*').version).toEqual(v('1.0', '??'))
    expect(parseCpe('cpe:2.3:a:x:y:\\*:*:*:*:*:*:*:*').version).toEqual(v('*'))
  })

  it('reads the URI binding: percent-encoding, %01/%02 wildcards, packed edition', () => {
    const cpe = parseCpe('cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~')
    expect(cpe.version).toEqual(v('7.4.0.1570'))
    expect(cpe.update).toEqual({ kind: 'any' })
    expect(cpe.edition).toEqual({ kind: 'any' })
    expect(cpe.swEdition).toEqual(v('online'))
    expect(cpe.targetSw).toEqual(v('win2003'))
    expect(cpe.targetHw).toEqual(v('x64'))
    expect(
      parseCpe('cpe:/a:foo%7ebar:big%24money_2010%07:::~~special~ipod_touch~80gb~').vendor,
    ).toEqual(v('foo~bar'))
    expect(parseCpe('cpe:/a:foo:bar:1.%02').version).toEqual(v('1.', '', '*'))
    expect(parseCpe('cpe:/o:redhat:enterprise_linux:8').targetSw).toEqual({ kind: 'any' })
    expect(parseCpe('cpe:/o:microsoft:windows_xp:-:sp3').version).toEqual({ kind: 'na' })
  })

  it('writes one canonical formatted string for both bindings', () => {
    expect(formatCpe(parseCpe('cpe:/a:openssl:openssl:1.0.2k'))).toBe(
      'cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*',
    )
    expect(formatCpe(parseCpe('CPE:2.3:A:OpenSSL:OpenSSL:1.0.2K:*:*:*:*:*:*:*'))).toBe(
      'cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*',
    )
    expect(formatCpe(parseCpe('cpe:2.3:a:x:y:\\-:*:*:*:*:*:*:*'))).toBe(
      'cpe:2.3:a:x:y:\\-:*:*:*:*:*:*:*',
    )
  })

  it.each([
    ['not-a-cpe', 'starts with'],
    ['cpe:2.3:a:x:y', '11 attributes'],
    ['cpe:2.3:q:x:y:*:*:*:*:*:*:*:*', 'part must be'],
    ['cpe:2.3:a:x:y:1*0:*:*:*:*:*:*:*', 'wildcard inside'],
    ['cpe:2.3:a:x:y::*:*:*:*:*:*:*', 'empty attribute'],
    ['cpe:/a:x:y:%zz', 'percent-encoding'],
    ['cpe:/a:x:y:1:2:~a~b:en:extra', 'at most 7'],
  ])('refuses %s (%s)', (text, why) => {
    expect(() => parseCpe(text)).toThrow(why)
  })

  it('round-trips and never throws anything but CpeError (fuzz)', () => {
    const value = fc.oneof(
      fc.constantFrom('*', '-', 'a\\:b', 'x?', '*y', '??z', 'é'),
      fc.stringMatching(/^[a-z0-9_.-]{1,8}$/),
    )
    fc.assert(
      fc.property(
        fc.constantFrom('a', 'o', 'h', '*'),
        fc.array(value, { minLength: 10, maxLength: 10 }),
        (part, values) => {
          const text = `cpe:2.3:${part}:${values.join(':')}`
          const once = formatCpe(parseCpe(text))
          expect(formatCpe(parseCpe(once))).toBe(once)
        },
      ),
      { numRuns: 1000 },
    )
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.string({ maxLength: 80 }).map((s) => `cpe:2.3:${s}`),
          fc.string({ maxLength: 80 }).map((s) => `cpe:/${s}`),
        ),
        (text) => {
          try {
            formatCpe(parseCpe(text))
          } catch (error) {
            expect(error).toBeInstanceOf(CpeError)
          }
        },
      ),
      { numRuns: 5000 },
    )
  })
})

describe('name matching (NISTIR 7696 Table 6-2)', () => {
  it.each([
    [{ kind: 'any' }, { kind: 'any' }, 'equal'],
    [{ kind: 'any' }, { kind: 'na' }, 'superset'],
    [{ kind: 'any' }, v('1.0'), 'superset'],
    [{ kind: 'na' }, { kind: 'any' }, 'subset'],
    [{ kind: 'na' }, { kind: 'na' }, 'equal'],
    [{ kind: 'na' }, v('1.0'), 'disjoint'],
    [v('1.0'), { kind: 'any' }, 'subset'],
    [v('1.0'), { kind: 'na' }, 'disjoint'],
    [v('1.0'), v('1.0'), 'equal'],
    [v('1.0'), v('1.1'), 'disjoint'],
    [v('8.', '', '*'), v('8.0.6001'), 'superset'],
    [v('8.', '', '*'), v('9.0'), 'disjoint'],
    [v('.0', '?'), v('8.0'), 'superset'],
    [v('.0', '?'), v('10.0'), 'disjoint'],
    [v('1.0', '', '??'), v('1.0'), 'superset'],
    [v('1.0', '', '??'), v('1.0.1'), 'superset'],
    [v('1.0', '', '??'), v('1.0.12'), 'disjoint'],
    [v('1.0'), v('1.', '', '*'), 'undefined'],
  ] as [CpeValue, CpeValue, string][])('%o vs %o → %s', (source, target, relation) => {
    expect(compareCpeAttribute(source, target)).toBe(relation)
  })

  it('matches names attribute by attribute', () => {
    const pattern = parseCpe('cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*')
    expect(
      cpeNameMatches(
        pattern,
        parseCpe('cpe:2.3:a:microsoft:internet_explorer:8.0.6001:sp1:-:*:*:*:*:*'),
      ),
    ).toBe(true)
    expect(
      cpeNameMatches(
        pattern,
        parseCpe('cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:-:*:*:*:*:*'),
      ),
    ).toBe(false)
  })
})
