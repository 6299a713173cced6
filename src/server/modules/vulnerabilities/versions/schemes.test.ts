import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareVersions, getScheme, SCHEME_IDS, type VersionScheme } from './schemes.ts'

function scheme(id: string): VersionScheme {
  const found = getScheme(id)
  if (!found) throw new Error(`no scheme ${id}`)
  return found
}

/** Each row: scheme, then versions in strictly ascending order. */
const ASCENDING: [string, string[]][] = [
  [
    'semver',
    [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.10.0',
    ],
  ],
  ['npm', ['0.9.9', '1.0.0-rc.1', '1.0.0', '2.0.0']],
  [
    'golang',
    [
      'v0.0.0-20191109021931-daa7c04131f5',
      'v0.0.0-20200101000000-aaaaaaaaaaaa',
      'v0.1.0',
      'v1.2.3',
      'v1.2.4-0.20200101000000-abcdefabcdef', // pseudo-version after v1.2.3
      'v1.2.4',
      'v2.0.0+incompatible',
      'v2.0.1',
    ],
  ],
  [
    'pypi',
    [
      '1!0.5',
      '2.0.dev1',
      '2.0a1',
      '2.0b2',
      '2.0rc1',
      '2.0',
      '2.0+local.1',
      '2.0.post1',
      '2.0.1',
    ].slice(1),
  ],
  ['pypi', ['1.0', '1!0.5']],
  [
    'maven',
    [
      '1-alpha-1',
      '1-beta',
      '1-milestone-1',
      '1-rc',
      '1-snapshot',
      '1',
      '1-sp',
      '1-abc',
      '1.0.1',
      '1.1',
    ],
  ],
  ['maven', ['2.0-alpha1', '2.0-beta1', '2.0-M1', '2.0-RC1', '2.0-SNAPSHOT', '2.0', '2.0.1']],
  ['deb', ['1.0~rc1', '1.0', '1.0-1', '1.0-1+b1', '1.0a', '1.0+dfsg', '1.0.1', '1:0.1']],
  ['deb', ['2.30-0ubuntu1', '2.30-0ubuntu1.1', '2.30-1~bpo1', '2.30-1']],
  ['rpm', ['1.0~rc1', '1.0', '1.0^git1', '1.0a', '1.0.1', '1:0.9']],
  ['rpm', ['1.0-1.el8', '1.0-2.el8', '1.0-10.el8']],
  [
    'apk',
    ['1.0_alpha1', '1.0_beta', '1.0_pre2', '1.0_rc1', '1.0', '1.0-r1', '1.0_p1', '1.0a', '1.0.1'],
  ],
  ['apk', ['1.01', '1.1', '1.2_git20200101']],
  ['generic', ['1', '1.0.1', '1.0.2', '1.0.2a', '1.0.2k', '1.0.10', '2']],
]

/** Pairs that must compare equal. */
const EQUAL: [string, string, string][] = [
  ['semver', '1.0.0+build.1', '1.0.0+build.2'],
  ['golang', 'v1.2.3', '1.2.3'],
  ['pypi', '1.0', '1.0.0'],
  ['pypi', '1.0.post1', '1.0-1'],
  ['maven', '1.0.0', '1'],
  ['maven', '1-ga', '1-final'],
  ['maven', '1-cr1', '1-rc1'],
  ['deb', '0:1.0', '1.0'],
  ['deb', '1.0-0', '1.0-00'],
  ['rpm', '0:1.0', '1.0'],
  ['rpm', '1.0', '1_0'],
  ['generic', '1.2', '1.2.0'],
]

/** Versions each scheme must call invalid instead of guessing. */
const INVALID: [string, string][] = [
  ['semver', 'v1.2.3'],
  ['semver', '1.2'],
  ['semver', '1.2.3.4'],
  ['golang', 'latest'],
  ['pypi', '1.0-foo-bar'],
  ['pypi', 'not a version'],
  ['maven', ''],
  ['maven', '1.0 beta'],
  ['deb', 'abc'],
  ['deb', '1.0-'],
  ['deb', 'x:1.0'],
  ['rpm', '1.0 1'],
  ['apk', '1.0_foo'],
  ['apk', '1.0-1'],
  ['apk', 'a1'],
  ['generic', '1.0-rc1'],
  ['generic', 'V7.4 SP1'],
  ['generic', ''],
]

describe('version schemes: tables', () => {
  for (const [id, versions] of ASCENDING) {
    it(`${id}: ${versions.join(' < ')}`, () => {
      const s = scheme(id)
      for (let i = 0; i < versions.length; i++) {
        for (let j = 0; j < versions.length; j++) {
          const expected = Math.sign(i - j)
          expect([
            versions[i],
            versions[j],
            compareVersions(s, versions[i] ?? '', versions[j] ?? ''),
          ]).toEqual([versions[i], versions[j], expected])
        }
      }
    })
  }

  it.each(EQUAL)('%s: %s = %s', (id, a, b) => {
    expect(compareVersions(scheme(id), a, b)).toBe(0)
  })

  it.each(INVALID)('%s: %j is invalid', (id, version) => {
    expect(compareVersions(scheme(id), version, version)).toEqual({ invalid: 'both' })
    expect(
      compareVersions(scheme(id), version, ASCENDING.find(([s]) => s === id)?.[1][0] ?? '1'),
    ).toEqual({
      invalid: 'left',
    })
  })
})

/** Version-shaped strings for each scheme, many of them valid, some not. */
function versionArbitrary(id: string): fc.Arbitrary<string> {
  if (id === 'datetime') {
    return fc
      .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
      .map((d) => d.toISOString())
  }
  if (id === 'lexicographic') return fc.string({ minLength: 1, maxLength: 6 })
  const num = fc.integer({ min: 0, max: 12 }).map(String)
  const dotted = fc.array(num, { minLength: 1, maxLength: 4 }).map((p) => p.join('.'))
  const word = fc.constantFrom(
    'alpha',
    'beta',
    'rc',
    'pre',
    'p',
    'dev',
    'post',
    'a',
    'b',
    'm',
    'sp',
    'ga',
    'snapshot',
    'git',
    'x',
    '',
  )
  const sep = fc.constantFrom('.', '-', '_', '~', '^', '+', ':', '')
  const tail = fc.array(
    fc.tuple(sep, fc.oneof(word, num)).map(([s, w]) => s + w),
    { maxLength: 3 },
  )
  const semverLike = fc
    .tuple(
      num,
      num,
      num,
      fc.option(
        fc
          .array(
            fc.oneof(
              word.filter((w) => w !== ''),
              num,
            ),
            { minLength: 1, maxLength: 3 },
          )
          .map((p) => p.join('.')),
      ),
    )
    .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? '-' + pre : ''}`)
  return id === 'semver' || id === 'npm' || id === 'golang'
    ? semverLike
    : fc.tuple(dotted, tail).map(([d, t]) => d + t.join(''))
}

describe('version schemes: ordering is a total order on valid versions', () => {
  // alpm compares releases only when both versions have one, which pacman does on purpose and
  // which is not transitive ("1.0" = "1.0-1", "1.0" = "1.0-2", "1.0-1" < "1.0-2").
  for (const id of SCHEME_IDS.filter((s) => s !== 'alpm')) {
    it(`${id}: antisymmetric, transitive, reflexive`, () => {
      const s = scheme(id)
      const valid = versionArbitrary(id).filter((v) => s.parse(v) !== undefined)
      fc.assert(
        fc.property(valid, valid, valid, (a, b, c) => {
          const ab = compareVersions(s, a, b)
          const ba = compareVersions(s, b, a)
          const bc = compareVersions(s, b, c)
          const ac = compareVersions(s, a, c)
          expect(compareVersions(s, a, a)).toBe(0)
          expect(typeof ab).toBe('number')
          expect(ab).toBe(-(ba as number) || 0)
          if ((ab as number) <= 0 && (bc as number) <= 0) {
            expect(ac as number).toBeLessThanOrEqual(0)
          }
          if (ab === 0 && bc === 0) expect(ac).toBe(0)
        }),
        { numRuns: 300 },
      )
    })
  }
})
