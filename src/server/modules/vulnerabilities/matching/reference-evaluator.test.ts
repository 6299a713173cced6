import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TEST_DIALECT } from '../../../testing/test-db.ts'
import {
  evaluateOsvAffected,
  type OsvAffected,
  type OsvEvent,
  type OsvRange,
} from '../versions/osv.ts'
import { matchComponents, type OsvCandidate } from './engine.ts'
import { referenceEvaluate, referenceEvaluateAll } from './reference-evaluator.testing.ts'

/**
 * The fast engine against the slow reference (reference-evaluator.testing.ts) on generated OSV
 * `affected[]` entries: several ranges, multi-introduced ranges, last_affected, limit, versions[],
 * ECOSYSTEM / SEMVER / GIT, per ecosystem; component versions drawn from the entry's own versions,
 * from versions near them (the ecosystem's tricky neighbours: pre-releases, post-releases,
 * epochs, revisions) and from strings the ordering cannot read. The engine is called through
 * `matchComponents`, as the findings service and `isn sbom scan` call it.
 */

const SEED = 20261127
const RUNS = 2000

interface Profile {
  ecosystem: string
  /** The package name in the record, and the component's purl (no version: the engine reads it from the component). */
  name: string
  purl: string
  /** An entry purl, for ecosystems whose purls the engine maps only through the entry's own purl. */
  entryPurl?: string
  rangeType: 'ECOSYSTEM' | 'SEMVER'
  /** Versions dense around each other in the ecosystem's order, including its odd cases. */
  universe: string[]
  /** Strings the ordering cannot read (or, for an ecosystem without one, anything). */
  invalid: string[]
}

const COMMITS = [
  '1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d',
  'a0b1c2d3e4f5061728394a5b6c7d8e9f00112233',
  'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef',
  'f00df00df00df00df00df00df00df00df00df00d',
]

const SEMVER_UNIVERSE = [
  '0.0.1',
  '0.9.0',
  '1.0.0-alpha',
  '1.0.0-alpha.1',
  '1.0.0-beta',
  '1.0.0-rc.1',
  '1.0.0',
  '1.0.0+build.7',
  '1.0.1',
  '1.1.0',
  '1.2.3',
  '1.2.4',
  '1.10.0',
  '2.0.0-rc.1',
  '2.0.0',
  '2.0.1',
  '3.0.0',
]

const PROFILES: Profile[] = [
  {
    ecosystem: 'crates.io',
    name: 'tokio',
    purl: 'pkg:cargo/tokio',
    rangeType: 'SEMVER',
    universe: SEMVER_UNIVERSE,
    invalid: ['v1.0.0', '1.0', 'latest'],
  },
  {
    ecosystem: 'npm',
    name: 'lodash',
    purl: 'pkg:npm/lodash',
    rangeType: 'ECOSYSTEM',
    universe: [...SEMVER_UNIVERSE, 'v1.0.1', '=2.0.0'],
    invalid: ['1.0', '1.x', 'next'],
  },
  {
    ecosystem: 'npm',
    name: '@types/node',
    purl: 'pkg:npm/%40types/node',
    rangeType: 'SEMVER',
    universe: SEMVER_UNIVERSE,
    invalid: ['v2.0.0', '2'],
  },
  {
    ecosystem: 'Go',
    name: 'golang.org/x/net',
    purl: 'pkg:golang/golang.org/x/net',
    rangeType: 'SEMVER',
    universe: [
      '0.0.0-20220722155237-a158d28d115b',
      'v0.0.0-20220722155237-a158d28d115b',
      '0.0.0-20220906165146-f3363e06e74c',
      'v0.0.0-20220906165146-f3363e06e74c',
      '0.1.0',
      'v0.1.0',
      'v0.1.1',
      '1.0.0',
      'v1.0.1-0.20230101000000-abcdefabcdef',
      'v1.0.1',
      '1.2.0',
      'v2.0.0+incompatible',
      '2.0.1',
    ],
    invalid: ['master', 'v1', 'v1.2'],
  },
  {
    ecosystem: 'PyPI',
    name: 'django',
    purl: 'pkg:pypi/django',
    rangeType: 'ECOSYSTEM',
    universe: [
      '0',
      '0.9',
      '1.0.dev1',
      '1.0a1',
      '1.0b2',
      '1.0rc1',
      '1.0',
      '1.0.0',
      '1.0.post1',
      '1.0+local.1',
      '1.0.1',
      '1.1',
      '1.1.1',
      '2.0',
      '2.0.1',
      '1!0.5',
    ],
    invalid: ['1.0-foo-bar', 'abc', 'v-1'],
  },
  {
    ecosystem: 'Maven',
    name: 'org.apache.logging.log4j:log4j-core',
    purl: 'pkg:maven/org.apache.logging.log4j/log4j-core',
    rangeType: 'ECOSYSTEM',
    universe: [
      '1.0-alpha-1',
      '1.0-beta',
      '1.0-SNAPSHOT',
      '1.0-rc1',
      '1.0',
      '1.0.0',
      '1.0-sp1',
      '1.0.1',
      '1.1',
      '1.10',
      '2.0',
      '2.0.RELEASE',
      '2.0-final',
      '2.1',
    ],
    invalid: [],
  },
  {
    ecosystem: 'Debian:12',
    name: 'openssl',
    purl: 'pkg:deb/debian/openssl',
    rangeType: 'ECOSYSTEM',
    universe: [
      '1.0~rc1-1',
      '1.0-1',
      '1.0-1+deb12u1',
      '1.0-2',
      '1:0.9-1',
      '1.1-1',
      '1.1.1-1',
      '2.0-1',
      '2.0-1ubuntu1',
      '3.0.11-1~deb12u2',
      '3.0.11-1',
      '3.0.13-1~deb12u1',
    ],
    invalid: ['-1', 'a:b'],
  },
  {
    ecosystem: 'Rocky Linux:9',
    name: 'openssl',
    purl: 'pkg:rpm/rocky-linux/openssl',
    entryPurl: 'pkg:rpm/rocky-linux/openssl',
    rangeType: 'ECOSYSTEM',
    universe: [
      '1.0~rc1-1',
      '1.0-1',
      '1.0-2.el9',
      '1.0^git1-1',
      '1:1.0-1',
      '1.1-1',
      '1.1-1.el9_2',
      '2.0-1',
      '3.0.7-24.el9',
      '3.0.7-25.el9',
    ],
    invalid: [],
  },
  {
    ecosystem: 'Alpine:v3.19',
    name: 'musl',
    purl: 'pkg:apk/alpine/musl',
    rangeType: 'ECOSYSTEM',
    universe: [
      '1.0_alpha1-r0',
      '1.0_rc1-r0',
      '1.0-r0',
      '1.0-r1',
      '1.0_p1-r0',
      '1.0a-r0',
      '1.1-r0',
      '1.1.1-r0',
      '2.0-r0',
      '1.2.4_git20230717-r4',
      '1.2.4-r5',
    ],
    invalid: ['1.0_foo', 'x', '1.0-r'],
  },
  {
    // No ordering here: ECOSYSTEM ranges are unknown, GIT and versions[] still decide.
    ecosystem: 'OSS-Fuzz',
    name: 'openssl',
    purl: 'pkg:generic/openssl',
    entryPurl: 'pkg:generic/openssl',
    rangeType: 'ECOSYSTEM',
    universe: ['openssl-3.0.0', 'openssl-3.0.1', '3.0.1', '1.1.1k'],
    invalid: ['master'],
  },
  {
    ecosystem: 'Hex',
    name: 'plug',
    purl: 'pkg:hex/plug',
    rangeType: 'ECOSYSTEM',
    universe: ['1.0.0', '1.1.0', '2.0.0'],
    invalid: [],
  },
]

type Kind = keyof OsvEvent

function eventArb(profile: Profile, git: boolean, closer: 'fixed' | 'last_affected') {
  // Now and then an event version the ordering cannot read, which makes the range unknown.
  const value =
    git || profile.invalid.length === 0
      ? fc.constantFrom(...(git ? COMMITS : profile.universe))
      : fc.oneof(
          { arbitrary: fc.constantFrom(...profile.universe), weight: 15 },
          { arbitrary: fc.constantFrom(...profile.invalid), weight: 1 },
        )
  const kinds: Kind[] = ['introduced', closer, closer, closer, 'limit']
  return fc.tuple(fc.constantFrom(...kinds), value, fc.nat(19)).map(([kind, v, dice]): OsvEvent => {
    if (kind === 'introduced' && dice < 3) return { introduced: '0' }
    if (kind === 'limit' && dice < 6) return { limit: dice < 4 ? '*' : `${v.split('.')[0]}.*` }
    return { [kind]: v }
  })
}

function rangeArb(profile: Profile): fc.Arbitrary<OsvRange> {
  return fc
    .tuple(
      fc.nat(19),
      fc.constantFrom<'fixed' | 'last_affected'>('fixed', 'fixed', 'fixed', 'last_affected'),
    )
    .chain(([dice, closer]) => {
      const git = dice < 3
      const type = git
        ? 'GIT'
        : dice < 5 && profile.rangeType === 'ECOSYSTEM'
          ? 'SEMVER'
          : profile.rangeType
      const values = git ? COMMITS : profile.universe
      return fc
        .tuple(
          fc.oneof(
            { arbitrary: fc.constant('0'), weight: 1 },
            { arbitrary: fc.constantFrom(...values), weight: 3 },
          ),
          fc.array(eventArb(profile, git, closer), { maxLength: 5 }),
          fc.nat(5),
        )
        .map(([introduced, rest, at]): OsvRange => {
          // At least one introduced, as the schema requires, anywhere among the others.
          const events = [...rest]
          events.splice(at % (rest.length + 1), 0, { introduced })
          return {
            type,
            ...(git ? { repo: 'https://example.org/repo.git' } : {}),
            events,
          }
        })
    })
}

function entryArb(profile: Profile): fc.Arbitrary<OsvAffected> {
  return fc
    .tuple(
      fc.array(rangeArb(profile), { maxLength: 2 }),
      fc.option(
        fc.array(fc.constantFrom(...profile.universe, ...COMMITS.slice(0, 1)), { maxLength: 4 }),
        { nil: undefined },
      ),
    )
    .map(([ranges, versions]) => ({
      package: {
        ecosystem: profile.ecosystem,
        name: profile.name,
        ...(profile.entryPurl ? { purl: profile.entryPurl } : {}),
      },
      ...(ranges.length > 0 || versions === undefined ? { ranges } : {}),
      ...(versions !== undefined ? { versions } : {}),
    }))
}

/** The entries of one advisory (usually one, sometimes two for the same package) and a version. */
function caseArb(profile: Profile) {
  return fc
    .tuple(entryArb(profile), fc.option(entryArb(profile), { freq: 5, nil: undefined }))
    .chain(([first, second]) => {
      const entries = second ? [first, second] : [first]
      const own = entries.flatMap((e) => [
        ...(e.ranges ?? []).flatMap((r) =>
          r.events.flatMap((ev) => Object.values(ev).filter((x) => x !== '0' && !x.includes('*'))),
        ),
        ...(e.versions ?? []),
      ])
      const hasGit = entries.some((e) => (e.ranges ?? []).some((r) => r.type === 'GIT'))
      const pool = (values: string[], weight: number) => ({
        arbitrary: fc.constantFrom(...values),
        weight,
      })
      return fc
        .oneof(
          pool(profile.universe, 4),
          ...(own.length > 0 ? [pool(own, 4)] : []),
          ...(hasGit ? [pool(COMMITS, 2)] : []),
          ...(profile.invalid.length > 0 ? [pool(profile.invalid, 1)] : []),
        )
        .map((version) => ({ entries, version }))
    })
}

function engineVerdict(profile: Profile, entries: OsvAffected[], version: string) {
  const advisory: OsvCandidate = {
    source: 'osv',
    advisoryId: 'TEST-2026-0001',
    aliases: ['CVE-2026-0001'],
    affected: entries,
  }
  const findings = matchComponents(
    [{ key: 'c', name: profile.name, version, purl: profile.purl }],
    { osv: [advisory], csaf: [], kev: new Map() },
  )
  if (findings.length > 1) expect.fail(`${findings.length} findings for one advisory`)
  const f = findings[0]
  return {
    status: f?.status ?? 'not_affected',
    fixed: f?.fixedVersion ?? null,
    rule: f?.reason.rule,
  }
}

// Pure code, no database: the generated cases run once, in the SQLite project, and are not even
// defined in the PostgreSQL one (a skipped count in CI would hide real skips).
if (TEST_DIALECT === 'sqlite') {
  describe('the engine agrees with the reference evaluator on generated OSV entries', () => {
    const totals = { affected: 0, not_affected: 0, unknown: 0, fixedCompared: 0 }

    for (const profile of PROFILES) {
      it(`${profile.ecosystem} (${profile.rangeType}, ${profile.name}): ${RUNS} cases`, () => {
        fc.assert(
          fc.property(caseArb(profile), ({ entries, version }) => {
            const reference = referenceEvaluateAll(entries, version)
            const engine = engineVerdict(profile, entries, version)
            const same =
              engine.status === reference.status &&
              (engine.status !== 'affected' || engine.fixed === reference.fixed)
            if (!same) {
              // Built only on a disagreement: JSON of every case would dominate the run time.
              const context = `${version} against ${JSON.stringify(entries)}: reference ${reference.status} fixed ${reference.fixed} (${reference.why}), engine ${engine.status} fixed ${engine.fixed} (${engine.rule ?? 'no finding'})`
              expect.fail(context)
            }
            if (reference.fixed !== null) totals.fixedCompared++
            totals[reference.status]++
          }),
          { seed: SEED, numRuns: RUNS },
        )
      })
    }

    it('covers every verdict in quantity', () => {
      console.log(
        `reference vs engine: ${PROFILES.length} ecosystems × ${RUNS} cases — ${totals.affected} affected, ${totals.not_affected} not affected, ${totals.unknown} unknown; ${totals.fixedCompared} fixed versions compared`,
      )
      // A generator that drifted into one verdict would make the comparison worthless.
      expect(totals.affected).toBeGreaterThan(PROFILES.length * RUNS * 0.15)
      expect(totals.not_affected).toBeGreaterThan(PROFILES.length * RUNS * 0.1)
      expect(totals.unknown).toBeGreaterThan(PROFILES.length * RUNS * 0.05)
      expect(totals.fixedCompared).toBeGreaterThan(PROFILES.length * RUNS * 0.05)
    })
  })
}

describe('the reference evaluator itself, on the schema’s own examples', () => {
  const semver = (events: OsvEvent[], versions?: string[]): OsvAffected => ({
    package: { ecosystem: 'crates.io', name: 'x' },
    ranges: [{ type: 'SEMVER', events }],
    ...(versions ? { versions } : {}),
  })

  it.each([
    // "every possible version is affected"
    [[{ introduced: '0' }], '0.0.1', 'affected', null],
    // "everything before 1.0.2"
    [[{ introduced: '0' }, { fixed: '1.0.2' }], '1.0.1', 'affected', '1.0.2'],
    [[{ introduced: '0' }, { fixed: '1.0.2' }], '1.0.2', 'not_affected', null],
    // "1.0.0 up to and including 1.0.2" (last_affected)
    [[{ introduced: '1.0.0' }, { last_affected: '1.0.2' }], '1.0.2', 'affected', null],
    [[{ introduced: '1.0.0' }, { last_affected: '1.0.2' }], '1.0.3', 'not_affected', null],
    // Two stretches, events out of order.
    [
      [{ fixed: '2.0.1' }, { introduced: '1.0.0' }, { introduced: '2.0.0' }, { fixed: '1.0.1' }],
      '2.0.0',
      'affected',
      '2.0.1',
    ],
    [
      [{ fixed: '2.0.1' }, { introduced: '1.0.0' }, { introduced: '2.0.0' }, { fixed: '1.0.1' }],
      '1.2.3',
      'not_affected',
      null,
    ],
    // A limit: only below it.
    [[{ introduced: '1.0.0' }, { limit: '2.0.0' }], '2.0.0', 'not_affected', null],
    [[{ introduced: '1.0.0' }, { limit: '2.0.0' }], '1.10.0', 'affected', null],
    // The same version opens and closes: an empty stretch.
    [[{ introduced: '1.0.0' }, { fixed: '1.0.0' }], '1.0.0', 'not_affected', null],
  ] as const)('%j at %s → %s (fixed %s)', (events, version, status, fixed) => {
    const verdict = referenceEvaluate(semver([...events]), version)
    expect({ status: verdict.status, fixed: verdict.fixed }).toEqual({ status, fixed })
  })

  it('says unknown where the pseudocode cannot order', () => {
    expect(referenceEvaluate(semver([{ introduced: '0' }, { fixed: '1.0' }]), '0.5.0').status).toBe(
      'unknown',
    )
    expect(referenceEvaluate(semver([{ introduced: '0' }]), 'v1.0.0').status).toBe('unknown')
    const hex: OsvAffected = {
      package: { ecosystem: 'Hex', name: 'plug' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
    }
    expect(referenceEvaluate(hex, '1.0.0').status).toBe('unknown')
    const git: OsvAffected = {
      package: { ecosystem: 'OSS-Fuzz', name: 'p' },
      ranges: [
        { type: 'GIT', repo: 'r', events: [{ introduced: COMMITS[0]! }, { fixed: COMMITS[1]! }] },
      ],
    }
    expect(referenceEvaluate(git, COMMITS[2]!).status).toBe('unknown')
    expect(referenceEvaluate(git, COMMITS[0]!).status).toBe('affected')
    expect(referenceEvaluate({ ...git, versions: ['p-1.0'] }, COMMITS[2]!).status).toBe(
      'not_affected',
    )
  })
})

describe('engine regressions the cross-check found (versions/osv.ts)', () => {
  const [a, b] = [COMMITS[0]!, COMMITS[1]!]
  const git = (events: OsvEvent[]): OsvAffected => ({
    package: { ecosystem: 'OSS-Fuzz', name: 'p' },
    ranges: [{ type: 'GIT', repo: 'https://example.org/repo.git', events }],
  })

  it('a GIT limit is not ignored for an introduced commit', () => {
    // Was "affected": v must be strictly before a limit, which needs the graph unless it is v.
    expect(evaluateOsvAffected(git([{ introduced: a }, { limit: b }]), a).status).toBe('unknown')
    expect(evaluateOsvAffected(git([{ introduced: a }, { limit: a }]), a).status).toBe(
      'not_affected',
    )
    expect(evaluateOsvAffected(git([{ introduced: '0' }, { limit: a }]), a).status).toBe(
      'not_affected',
    )
    expect(evaluateOsvAffected(git([{ introduced: a }, { limit: '*' }]), a).status).toBe('affected')
  })

  it('a GIT commit both introduced and fixed is not affected', () => {
    // Was "affected": at equal versions the fix is walked after the introduction.
    expect(evaluateOsvAffected(git([{ introduced: a }, { fixed: a }]), a).status).toBe(
      'not_affected',
    )
  })

  it('a limit containing "*" is infinity, not an unreadable version', () => {
    // Was "unknown": the schema's special value is any limit containing "*".
    const entry: OsvAffected = {
      package: { ecosystem: 'PyPI', name: 'x' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { limit: '2.*' }] }],
    }
    expect(evaluateOsvAffected(entry, '3.0').status).toBe('affected')
    expect(evaluateOsvAffected(entry, '0.9').status).toBe('not_affected')
  })

  it('a version versions[] lists still gets the fix its range names (engine.ts)', () => {
    // Was fixedVersion null: the versions[] shortcut answered before any range was read.
    const entry: OsvAffected = {
      package: { ecosystem: 'PyPI', name: 'django', purl: 'pkg:pypi/django' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '4.2' }, { fixed: '4.2.16' }] }],
      versions: ['4.2', '4.2.11'],
    }
    const [finding] = matchComponents(
      [{ key: 'c', name: 'django', version: '4.2.11', purl: 'pkg:pypi/django' }],
      {
        osv: [{ source: 'osv', advisoryId: 'PYSEC-0000-1', aliases: [], affected: [entry] }],
        csaf: [],
        kev: new Map(),
      },
    )
    expect(finding).toMatchObject({ status: 'affected', fixedVersion: '4.2.16' })
  })
})
