// Synthetic OSV records for the matching-at-scale benchmark (docs/performance.md, "Matching at
// scale"), following the distributions of ../shared/docs/vulnerability-data.md §4.1: ~1.4
// `affected` entries per record, 1–3 events per range (multi-introduced ranges have 3–4), ~15%
// multi-introduced, ~40% of entries with `versions[]` of 5–60, 10 ecosystems with versions their
// comparators order, ~5% GIT ranges, ~3% withdrawn. Deterministic: the same seed gives the same
// records, one at a time (a 1M-range tier is never held in memory).
import type { OsvAffected } from '../../src/server/modules/vulnerabilities/versions/osv.ts'
import { intBetween, mulberry32, pick, type Random } from '../../src/server/testing/random.ts'

export interface SyntheticEcosystem {
  /** OSV ecosystem (with a release suffix for the distributions). */
  osv: string
  /** Share of the synthetic entries. */
  weight: number
  /** OSV range type of its non-GIT ranges. */
  rangeType: 'SEMVER' | 'ECOSYSTEM'
}

export const ECOSYSTEMS: readonly SyntheticEcosystem[] = [
  { osv: 'npm', weight: 0.25, rangeType: 'SEMVER' },
  { osv: 'PyPI', weight: 0.15, rangeType: 'ECOSYSTEM' },
  { osv: 'Maven', weight: 0.15, rangeType: 'ECOSYSTEM' },
  { osv: 'Go', weight: 0.1, rangeType: 'SEMVER' },
  { osv: 'Debian:12', weight: 0.1, rangeType: 'ECOSYSTEM' },
  { osv: 'Alpine:v3.19', weight: 0.05, rangeType: 'ECOSYSTEM' },
  { osv: 'crates.io', weight: 0.05, rangeType: 'SEMVER' },
  { osv: 'RubyGems', weight: 0.05, rangeType: 'ECOSYSTEM' },
  { osv: 'NuGet', weight: 0.05, rangeType: 'ECOSYSTEM' },
  { osv: 'Packagist', weight: 0.05, rangeType: 'ECOSYSTEM' },
]

/** Names per ecosystem at the 1M tier (§4.1: ~370k distinct keys at 1M ranges). */
export const NAMES_PER_ECOSYSTEM = 50_000

/** Name indexes from here on are never given an advisory: the misses of the SBOMs. */
export const MISS_NAME_BASE = 10_000_000

const SYLLABLES = [
  'ar', 'bel', 'cor', 'dex', 'el', 'fin', 'gor', 'hal', 'io', 'jet', 'kal', 'lum', 'mor', 'nex',
  'or', 'pix', 'qua', 'ros', 'sol', 'tor', 'ul', 'vex', 'wil', 'xen', 'yar', 'zed', 'at', 'bi',
  'cu', 'da', 'eno', 'fu',
] // prettier-ignore

/** The ecosystem without its release suffix (`Debian:12` → `Debian`). */
const baseOf = (ecosystem: string) => ecosystem.split(':')[0] ?? ''

/** The index in base 32, as syllables, at least two: an injective name stem. */
function syllables(index: number): string[] {
  const out: string[] = []
  let n = index
  do {
    out.unshift(SYLLABLES[n % 32]!)
    n = Math.floor(n / 32)
  } while (n > 0)
  if (out.length < 2) out.unshift('lib')
  return out
}

/** The `index`-th package name of an ecosystem, spelled as that ecosystem spells names. */
export function packageName(ecosystem: string, index: number): string {
  const parts = syllables(index)
  const head = parts[0]!
  const rest = parts.slice(1)
  const tail = rest.join('-')
  switch (baseOf(ecosystem)) {
    case 'npm':
      return index % 5 === 0 ? `@${head}/${tail}` : `${head}-${tail}`
    case 'Maven':
      return `org.${head}:${tail}`
    case 'Go':
      return `github.com/${head}/${tail}`
    case 'RubyGems':
      return `${head}_${rest.join('_')}`
    case 'NuGet':
      return parts.map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('.')
    case 'Packagist':
      return `${head}/${tail}`
    default:
      return `${head}-${tail}`
  }
}

/** The purl (without version) of a package: what osv.dev puts in `package.purl`. */
export function packagePurl(ecosystem: string, name: string): string {
  const base = baseOf(ecosystem)
  const encode = (s: string) => s.split('/').map(encodeURIComponent).join('/')
  switch (base) {
    case 'npm':
      return `pkg:npm/${encode(name).replace(/^@/, '%40')}`
    case 'PyPI':
      return `pkg:pypi/${name}`
    case 'Maven':
      return `pkg:maven/${name.replace(':', '/')}`
    case 'Go':
      return `pkg:golang/${encode(name)}`
    case 'Debian':
      return `pkg:deb/debian/${name}`
    case 'Alpine':
      return `pkg:apk/alpine/${name}`
    case 'crates.io':
      return `pkg:cargo/${name}`
    case 'RubyGems':
      return `pkg:gem/${name}`
    case 'NuGet':
      return `pkg:nuget/${name}`
    default:
      return `pkg:composer/${name}`
  }
}

/** A version as the ecosystem writes it; increasing tuples give increasing versions. */
export function formatVersion(ecosystem: string, [a, b, c]: readonly number[]): string {
  switch (baseOf(ecosystem)) {
    case 'Debian':
      return `${a}.${b}.${c}-${(c! % 3) + 1}`
    case 'Alpine':
      return `${a}.${b}.${c}-r${c! % 4}`
    case 'Maven':
      return c! % 7 === 0 ? `${a}.${b}.${c}.Final` : `${a}.${b}.${c}`
    case 'PyPI':
      return c === 0 ? `${a}.${b}` : `${a}.${b}.${c}`
    default:
      return `${a}.${b}.${c}`
  }
}

/** `count` increasing version tuples. */
function versionTuples(random: Random, count: number): number[][] {
  const out: number[][] = []
  let t = [intBetween(random, 0, 4), intBetween(random, 0, 20), intBetween(random, 0, 10)]
  for (let i = 0; i < count; i++) {
    out.push(t)
    const step = random()
    t =
      step < 0.1
        ? [t[0]! + 1, 0, 0]
        : step < 0.35
          ? [t[0]!, t[1]! + 1, 0]
          : [t[0]!, t[1]!, t[2]! + intBetween(random, 1, 3)]
  }
  return out
}

/** A version of the ecosystem for an SBOM component (the same value space as the ranges). */
export function randomVersion(random: Random, ecosystem: string): string {
  return formatVersion(ecosystem, versionTuples(random, 1 + intBetween(random, 0, 30)).at(-1)!)
}

const hex = (random: Random, length: number) =>
  Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('')

export interface OsvRecord {
  schema_version: string
  id: string
  modified: string
  published: string
  withdrawn?: string
  aliases: string[]
  summary: string
  database_specific: { severity: string }
  affected: OsvAffected[]
}

function affectedEntry(
  random: Random,
  eco: SyntheticEcosystem,
  name: string,
): { entry: OsvAffected; git: boolean } {
  const git = random() < 0.05
  const multi = random() < 0.15
  const withVersions = git || random() < 0.4
  const tuples = versionTuples(random, withVersions ? intBetween(random, 6, 61) : 4)
  const v = (i: number) => formatVersion(eco.osv, tuples[Math.min(i, tuples.length - 1)]!)
  const last = tuples.length - 1
  const events: Record<string, string>[] = []
  if (git) {
    events.push({ introduced: hex(random, 40) }, { fixed: hex(random, 40) })
    if (multi) events.push({ introduced: hex(random, 40) })
  } else if (multi) {
    const q = Math.max(1, Math.floor(last / 4))
    events.push({ introduced: v(0) }, { fixed: v(q) }, { introduced: v(2 * q) })
    if (random() < 0.5) events.push({ fixed: v(3 * q) })
  } else {
    events.push({ introduced: random() < 0.3 ? '0' : v(0) })
    const close = random()
    if (close < 0.7) events.push({ fixed: v(last) })
    else if (close < 0.85) events.push({ last_affected: v(last - 1) })
  }
  const entry: OsvAffected = {
    package: { ecosystem: eco.osv, name, purl: packagePurl(eco.osv, name) },
    ranges: [
      git
        ? { type: 'GIT', repo: `https://git.example.org/${name}`, events }
        : { type: eco.rangeType, events },
    ],
  } as OsvAffected
  if (withVersions) {
    // The versions the range covers (what osv.dev lists): all but the last, which closes it.
    ;(entry as { versions?: string[] }).versions = tuples
      .slice(0, last)
      .map((t) => formatVersion(eco.osv, t))
  }
  return { entry, git }
}

export interface GeneratedCounts {
  records: number
  affected: number
  withdrawn: number
  gitRanges: number
  withVersions: number
  multiIntroduced: number
  events: number
}

/**
 * Yields OSV records until they hold `affected` entries in all; each ecosystem's names are
 * `packageName(eco, 0 … namesPerEcosystem - 1)`, every one of them used at least once when there
 * are enough entries. `counts` is filled in as the records are generated.
 */
export function* syntheticOsvRecords(options: {
  seed: number
  affected: number
  namesPerEcosystem: number
  counts: GeneratedCounts
}): Generator<OsvRecord> {
  const random = mulberry32(options.seed)
  const used = new Map<string, number>()
  const counts = options.counts
  const ecoOf = () => {
    let r = random()
    for (const e of ECOSYSTEMS) {
      r -= e.weight
      if (r < 0) return e
    }
    return ECOSYSTEMS[0]!
  }
  let n = 0
  while (counts.affected < options.affected) {
    const eco = ecoOf()
    const r = random()
    const entries = r < 0.7 ? 1 : r < 0.92 ? 2 : intBetween(random, 3, 4)
    const affected: OsvAffected[] = []
    for (let i = 0; i < entries; i++) {
      // Names in order first, so that each one has an advisory, then at random.
      const next = used.get(eco.osv) ?? 0
      used.set(eco.osv, next + 1)
      const index =
        next < options.namesPerEcosystem ? next : Math.floor(random() * options.namesPerEcosystem)
      const { entry, git } = affectedEntry(random, eco, packageName(eco.osv, index))
      affected.push(entry)
      counts.gitRanges += git ? 1 : 0
      counts.withVersions += (entry as { versions?: unknown }).versions ? 1 : 0
      const events = entry.ranges?.[0]?.events ?? []
      counts.events += events.length
      counts.multiIntroduced += events.filter((e) => 'introduced' in e).length > 1 ? 1 : 0
    }
    n += 1
    const year = 2015 + (n % 11)
    const day = `${year}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`
    const record: OsvRecord = {
      schema_version: '1.6.0',
      id: `GHSA-${hex(random, 4)}-${hex(random, 4)}-${n.toString(36).padStart(4, '0')}`,
      modified: `${day}T12:00:00Z`,
      published: `${day}T00:00:00Z`,
      aliases: [`CVE-${year}-${String(100_000 + n).slice(-6)}`],
      summary: `Synthetic advisory ${n} for ${affected[0]!.package!.name}`,
      database_specific: { severity: pick(random, ['LOW', 'MODERATE', 'HIGH', 'CRITICAL']) },
      affected,
    }
    if (random() < 0.03) {
      record.withdrawn = `${day}T18:00:00Z`
      counts.withdrawn += 1
    }
    counts.records += 1
    counts.affected += affected.length
    yield record
  }
}

export const emptyCounts = (): GeneratedCounts => ({
  records: 0,
  affected: 0,
  withdrawn: 0,
  gitRanges: 0,
  withVersions: 0,
  multiIntroduced: 0,
  events: 0,
})
