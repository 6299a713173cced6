import * as pep440 from '@renovatebot/pep440'
import semver from 'semver'
import { type ApkToken, compareApkTokens, tokeniseApkVersion } from './alpine.ts'
import { compareDebianVersions, parseDebianVersion } from './debian.ts'
import { compareGenericVersions, parseDatetime, parseGenericVersion } from './generic.ts'
import { compareMavenVersions, parseMavenVersion } from './maven.ts'
import { compareAlpmVersions, compareRpmVersions, parseEvr } from './rpm.ts'

/**
 * One ecosystem's version ordering. `parse` returns undefined for a version the scheme cannot
 * read; nothing is guessed. Parsed values can be kept and compared many times.
 */
export interface VersionScheme<T = unknown> {
  /** The vers scheme name (a purl type where there is one). */
  id: SchemeId
  parse(version: string): T | undefined
  /** Negative, zero or positive, as Array.prototype.sort wants. */
  compareParsed(a: T, b: T): number
}

export const SCHEME_IDS = [
  'semver',
  'npm',
  'golang',
  'pypi',
  'maven',
  'deb',
  'rpm',
  'apk',
  'alpm',
  'generic',
  'datetime',
  'lexicographic',
] as const

export type SchemeId = (typeof SCHEME_IDS)[number]

export type Ordering = -1 | 0 | 1

/** The answer of {@link compareVersions}: an ordering, or which side could not be read. */
export type CompareResult = Ordering | { invalid: 'left' | 'right' | 'both' }

function scheme<T>(
  id: SchemeId,
  parse: (v: string) => T | undefined,
  compareParsed: (a: T, b: T) => number,
): VersionScheme {
  return { id, parse, compareParsed } as VersionScheme<T> as VersionScheme
}

// Parsed SemVer objects compare directly: `semver.compare(a, b)` would build new SemVer objects
// from them (and re-parse the text of loosely parsed ones) on every call. Same ordering.
const compareSemVer = (a: semver.SemVer, b: semver.SemVer) => a.compare(b)

// SemVer 2.0 precedence: strict syntax, no "v" prefix; build metadata does not order.
const semverScheme = scheme(
  'semver',
  // node-semver accepts a leading "v" or "=" even when strict; SemVer 2.0 does not.
  (v) => (/^\d/.test(v) ? (semver.parse(v) ?? undefined) : undefined),
  compareSemVer,
)

// npm: node-semver's own ordering, reading versions loosely as npm does ("v1.2.3", "=1.2.3").
const npmScheme = scheme('npm', (v) => semver.parse(v, { loose: true }) ?? undefined, compareSemVer)

// Go modules: semver with a required-by-Go "v" prefix that OSV drops, so both are accepted.
// Pseudo-versions (v0.0.0-20191109021931-daa7c04131f5, vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef) are
// semver pre-releases and order correctly as such; "+incompatible" is build metadata.
const goScheme = scheme(
  'golang',
  (v) => {
    const bare = v.startsWith('v') ? v.slice(1) : v
    return semver.parse(bare) ?? undefined
  },
  compareSemVer,
)

/**
 * PEP 440's sort key, as @renovatebot/pep440's `compare` computes it (its `calculateKey` and
 * `pyCompare`, which it does not export) from its `parse`: computed once per version here rather
 * than on every comparison.
 */
type Pep440Key = unknown[]

function pep440Key(version: string): Pep440Key | undefined {
  const parsed = pep440.parse(version) as {
    epoch: number
    release: number[]
    pre?: unknown
    post?: unknown
    dev?: unknown
    local?: string[] | null
  } | null
  if (!parsed) return undefined
  const release = [...parsed.release]
  while (release.length > 0 && release[release.length - 1] === 0) release.pop()
  let pre = parsed.pre
  let post = parsed.post
  let dev = parsed.dev
  if (!pre && !post && dev) pre = -Infinity
  else if (!pre) pre = Infinity
  if (!post) post = -Infinity
  if (!dev) dev = Infinity
  const local = parsed.local
    ? parsed.local.map((i) => (Number.isNaN(Number(i)) ? [-Infinity, i] : [Number(i), '']))
    : -Infinity
  return [parsed.epoch, release, pre, post, dev, local]
}

function pyCompare(elemIn: unknown, otherIn: unknown): number {
  let elem = elemIn
  let other = otherIn
  if (elem === other) return 0
  if (Array.isArray(elem) !== Array.isArray(other)) {
    elem = Array.isArray(elem) ? elem : [elem]
    other = Array.isArray(other) ? other : [other]
  }
  if (Array.isArray(elem)) {
    const o = other as unknown[]
    const len = Math.min(elem.length, o.length)
    for (let i = 0; i < len; i += 1) {
      const res = pyCompare(elem[i], o[i])
      if (res !== 0) return res
    }
    return elem.length - o.length
  }
  if (elem === -Infinity || other === Infinity) return -1
  if (elem === Infinity || other === -Infinity) return 1
  return (elem as number | string) < (other as number | string) ? -1 : 1
}

// PEP 440 through @renovatebot/pep440 (epochs, pre/post/dev releases, local versions).
const pypiScheme = scheme('pypi', pep440Key, pyCompare)

const mavenScheme = scheme('maven', parseMavenVersion, compareMavenVersions)
const debScheme = scheme('deb', parseDebianVersion, compareDebianVersions)
const rpmScheme = scheme('rpm', parseEvr, compareRpmVersions)
const alpmScheme = scheme('alpm', parseEvr, compareAlpmVersions)
const apkScheme = scheme<ApkToken[]>('apk', tokeniseApkVersion, compareApkTokens)
const genericScheme = scheme('generic', parseGenericVersion, compareGenericVersions)
const datetimeScheme = scheme('datetime', parseDatetime, (a, b) => a - b)
// Byte order of the UTF-8 text ("A" < "a", "a" < "aa"); every non-empty string is valid.
const lexicographicScheme = scheme(
  'lexicographic',
  (v) => (v === '' ? undefined : Buffer.from(v, 'utf8')),
  (a, b) => Buffer.compare(a, b),
)

const SCHEMES: Record<SchemeId, VersionScheme> = {
  semver: semverScheme,
  npm: npmScheme,
  golang: goScheme,
  pypi: pypiScheme,
  maven: mavenScheme,
  deb: debScheme,
  rpm: rpmScheme,
  apk: apkScheme,
  alpm: alpmScheme,
  generic: genericScheme,
  datetime: datetimeScheme,
  lexicographic: lexicographicScheme,
}

/** vers scheme names that are other names for one of ours. */
const SCHEME_ALIASES: Record<string, SchemeId> = {
  go: 'golang',
  debian: 'deb',
  alpine: 'apk',
  cargo: 'semver',
}

export function getScheme(id: string): VersionScheme | undefined {
  const known = (SCHEME_IDS as readonly string[]).includes(id) ? (id as SchemeId) : undefined
  const resolved = known ?? SCHEME_ALIASES[id]
  return resolved ? SCHEMES[resolved] : undefined
}

/** Compares two versions of one scheme, or says which of them the scheme cannot read. */
export function compareVersions(scheme: VersionScheme, a: string, b: string): CompareResult {
  const pa = scheme.parse(a)
  const pb = scheme.parse(b)
  if (pa === undefined || pb === undefined) {
    return { invalid: pa === undefined ? (pb === undefined ? 'both' : 'left') : 'right' }
  }
  return Math.sign(scheme.compareParsed(pa, pb)) as Ordering
}

/** OSV ecosystem bases and their schemes (a constant: the lookup runs for every range evaluated). */
const OSV_ECOSYSTEM_SCHEMES: Readonly<Record<string, SchemeId>> = {
  Go: 'golang',
  npm: 'npm',
  PyPI: 'pypi',
  Maven: 'maven',
  Debian: 'deb',
  Ubuntu: 'deb',
  Alpine: 'apk',
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  openSUSE: 'rpm',
  SUSE: 'rpm',
  Mageia: 'rpm',
  'crates.io': 'semver',
}

/**
 * The version scheme of an OSV ecosystem ("PyPI", "Debian:12", "Alpine:v3.19", …), or
 * undefined when we have none — ranges of such ecosystems evaluate to "unknown".
 */
export function schemeForOsvEcosystem(ecosystem: string): VersionScheme | undefined {
  const colon = ecosystem.indexOf(':')
  const base = colon < 0 ? ecosystem : ecosystem.slice(0, colon)
  const id = Object.hasOwn(OSV_ECOSYSTEM_SCHEMES, base) ? OSV_ECOSYSTEM_SCHEMES[base] : undefined
  return id ? SCHEMES[id] : undefined
}
