import type { OsvAffected, OsvEvent } from '../versions/osv.ts'
import { compareVersions, getScheme, type VersionScheme } from '../versions/schemes.ts'

/**
 * A slow, obviously correct OSV `affected[]` evaluator, written straight from the OSV schema's
 * § Evaluation pseudocode (IsVulnerable / IncludedInVersions / IncludedInRanges / BeforeLimits)
 * to cross-check the fast engine (versions/osv.ts through matching/engine.ts). It shares only the
 * version comparators with it: no parsed-version cache, no pre-filtering, every comparison parses
 * both strings again, events are sorted once with a plain insertion sort.
 *
 * Where the pseudocode cannot answer, the answer is "unknown":
 * - the ecosystem has no ordering here, or the version or an event's version does not parse;
 * - a GIT range: the commit graph is needed (see {@link gitRange} for the two cases that are
 *   decidable without it).
 *
 * Conventions the schema leaves open, stated once:
 * - events at the same version are walked introduced → last_affected → fixed, so a stretch
 *   "introduced X, fixed X" is empty and "introduced X, last_affected X" is X alone;
 * - `versions[]` also matches a version the ecosystem's ordering calls equal (PyPI `1.0` = `1.0.0`);
 * - a GIT range that cannot be decided is ignored when `versions[]` is non-empty: the schema
 *   requires the affected tags to be enumerated there precisely because GIT ranges cannot be
 *   evaluated without the repository.
 */

export type ReferenceStatus = 'affected' | 'not_affected' | 'unknown'

export interface ReferenceVerdict {
  status: ReferenceStatus
  /**
   * The `fixed` event that ends the affected stretch the version is in, from the first range
   * (in record order) that makes it affected; null when that stretch ends with last_affected,
   * never ends, or only `versions[]` lists the version.
   */
  fixed: string | null
  /** One line, for failure messages. */
  why: string
}

// The orderings of the OSV ecosystems, from the table in docs/vulnerabilities.md (written out
// again here rather than imported, so that a slip in the engine's table shows as a disagreement).
const ECOSYSTEM_SCHEMES: Record<string, string> = {
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

function baseEcosystem(affected: OsvAffected): string {
  return (affected.package?.ecosystem ?? '').split(':')[0] ?? ''
}

function ecosystemScheme(affected: OsvAffected): VersionScheme | undefined {
  const id = ECOSYSTEM_SCHEMES[baseEcosystem(affected)]
  return id ? getScheme(id) : undefined
}

/** SEMVER ranges are SemVer 2.0; Go's records drop the "v" its versions carry. */
function rangeScheme(affected: OsvAffected, type: string): VersionScheme | undefined {
  if (type === 'SEMVER') return getScheme(baseEcosystem(affected) === 'Go' ? 'golang' : 'semver')
  if (type === 'ECOSYSTEM') return ecosystemScheme(affected)
  return undefined
}

type Kind = 'introduced' | 'last_affected' | 'fixed' | 'limit'

interface Event {
  kind: Kind
  value: string
}

function eventOf(event: OsvEvent): Event | undefined {
  const kinds = (['introduced', 'fixed', 'last_affected', 'limit'] as const).filter(
    (k) => typeof event[k] === 'string',
  )
  // The schema allows exactly one kind per event object.
  if (kinds.length !== 1) return undefined
  const kind = kinds[0]!
  return { kind, value: event[kind]! }
}

const isBottom = (e: Event) => e.kind === 'introduced' && e.value === '0'
// "limit allows versions containing the string '*' to represent infinity".
const isTop = (e: Event) => e.kind === 'limit' && e.value.includes('*')

class Unorderable extends Error {}

/** a − b in the range's ordering: -1, 0 or 1; throws Unorderable for a version it cannot read. */
function compare(scheme: VersionScheme, a: string, b: string): number {
  const result = compareVersions(scheme, a, b)
  if (typeof result !== 'number') throw new Unorderable(`"${result.invalid === 'left' ? a : b}"`)
  return result
}

const TIE_ORDER: Kind[] = ['introduced', 'last_affected', 'fixed', 'limit']

function compareEvents(scheme: VersionScheme, a: Event, b: Event): number {
  const rank = (e: Event) => (isBottom(e) ? -1 : isTop(e) ? 1 : 0)
  if (rank(a) !== 0 || rank(b) !== 0) {
    if (rank(a) !== rank(b)) return rank(a) - rank(b)
  } else {
    const c = compare(scheme, a.value, b.value)
    if (c !== 0) return c
  }
  return TIE_ORDER.indexOf(a.kind) - TIE_ORDER.indexOf(b.kind)
}

function sortedOnce(scheme: VersionScheme, events: Event[]): Event[] {
  const out: Event[] = []
  for (const e of events) {
    let i = out.length
    while (i > 0 && compareEvents(scheme, out[i - 1]!, e) > 0) i--
    out.splice(i, 0, e)
  }
  return out
}

interface RangeAnswer {
  status: ReferenceStatus
  fixed: string | null
  why: string
}

/** v < limit, with "*" limits as infinity. */
function belowLimit(scheme: VersionScheme, v: string, limit: Event): boolean {
  return isTop(limit) || compare(scheme, v, limit.value) < 0
}

function orderedRange(scheme: VersionScheme, events: Event[], v: string): RangeAnswer {
  // BeforeLimits(v, range)
  const limits = events.filter((e) => e.kind === 'limit')
  if (limits.length > 0 && !limits.some((l) => belowLimit(scheme, v, l))) {
    return { status: 'not_affected', fixed: null, why: 'not below a limit' }
  }
  const sorted = sortedOnce(scheme, events)
  let vulnerable = false
  for (const evt of sorted) {
    if (evt.kind === 'introduced' && (isBottom(evt) || compare(scheme, v, evt.value) >= 0)) {
      vulnerable = true
    } else if (evt.kind === 'fixed' && compare(scheme, v, evt.value) >= 0) {
      vulnerable = false
    } else if (evt.kind === 'last_affected' && compare(scheme, v, evt.value) > 0) {
      vulnerable = false
    }
  }
  if (!vulnerable) return { status: 'not_affected', fixed: null, why: 'walk ends not vulnerable' }
  // The stretch v is in ends at the first closing event after it in the sorted walk.
  const end = sorted.find(
    (e) =>
      (e.kind === 'fixed' && compare(scheme, v, e.value) < 0) ||
      (e.kind === 'last_affected' && compare(scheme, v, e.value) <= 0),
  )
  return {
    status: 'affected',
    fixed: end?.kind === 'fixed' ? end.value : null,
    why: `walk ends vulnerable${end ? ` before ${end.kind} ${end.value}` : ''}`,
  }
}

const COMMIT = /^[0-9a-f]{40}$/i

/**
 * GIT: `u < v` is ancestry in the repository, which we do not have. Without the graph, only two
 * facts hold for every graph: a commit equals itself, and "0" / "*" bound everything. So:
 * - v that is not a full commit hash cannot be placed in the graph at all: unknown;
 * - BeforeLimits: a "*" limit passes; a limit that is v itself fails (v < v is false); any other
 *   limit needs the graph: unknown;
 * - v that is an `introduced` commit: the introduced event fires at v; any event walked after it
 *   that also fires would have to be both ≥ v and ≤ v — the same commit. So v is affected,
 *   unless a `fixed` event names that same commit (walked after it at the tie): not affected;
 * - v that is a `last_affected` commit: the event states that v is affected (and it was
 *   introduced before, or the record would be inconsistent), so affected;
 * - anything else needs the graph: unknown.
 */
function gitRange(events: Event[], v: string): RangeAnswer {
  if (!COMMIT.test(v)) return { status: 'unknown', fixed: null, why: 'GIT: v is not a commit' }
  const limits = events.filter((e) => e.kind === 'limit')
  if (limits.length > 0 && !limits.some(isTop)) {
    if (limits.every((l) => l.value === v)) {
      return { status: 'not_affected', fixed: null, why: 'GIT: v is the limit itself' }
    }
    return { status: 'unknown', fixed: null, why: 'GIT: a limit needs the commit graph' }
  }
  const same = (kind: Kind) => events.some((e) => e.kind === kind && e.value === v)
  if (same('introduced')) {
    return same('fixed')
      ? { status: 'not_affected', fixed: null, why: 'GIT: introduced and fixed at v' }
      : { status: 'affected', fixed: null, why: 'GIT: v is an introduced commit' }
  }
  if (same('last_affected')) {
    return { status: 'affected', fixed: null, why: 'GIT: v is a last_affected commit' }
  }
  return { status: 'unknown', fixed: null, why: 'GIT: needs the commit graph' }
}

function evaluateRange(
  affected: OsvAffected,
  range: NonNullable<OsvAffected['ranges']>[number],
  v: string,
): RangeAnswer {
  const events: Event[] = []
  for (const raw of range.events) {
    const e = eventOf(raw)
    if (!e) return { status: 'unknown', fixed: null, why: 'an event without exactly one kind' }
    events.push(e)
  }
  if (!events.some((e) => e.kind === 'introduced')) {
    // The schema requires one; a record without it is malformed, not "not affected".
    return { status: 'unknown', fixed: null, why: 'no introduced event' }
  }
  if (range.type === 'GIT') return gitRange(events, v)
  const scheme = rangeScheme(affected, range.type)
  if (!scheme) return { status: 'unknown', fixed: null, why: `no ordering for ${range.type}` }
  try {
    // Every event must be readable, even one the walk might not reach: otherwise the sort
    // itself is undefined.
    for (const e of events) if (!isBottom(e) && !isTop(e)) compare(scheme, e.value, e.value)
    compare(scheme, v, v)
    return orderedRange(scheme, events, v)
  } catch (error) {
    if (error instanceof Unorderable) {
      return { status: 'unknown', fixed: null, why: `unreadable ${error.message}` }
    }
    throw error
  }
}

/** IncludedInVersions: the exact string, or a version the ecosystem's ordering calls equal. */
function includedInVersions(affected: OsvAffected, v: string): boolean {
  const scheme = ecosystemScheme(affected)
  for (const listed of affected.versions ?? []) {
    if (listed === v) return true
    if (scheme && compareVersions(scheme, listed, v) === 0) return true
  }
  return false
}

/** The reference verdict for one `affected[]` entry and a version of its package. */
export function referenceEvaluate(affected: OsvAffected, v: string): ReferenceVerdict {
  const answers = (affected.ranges ?? []).map((range) => ({
    type: range.type,
    ...evaluateRange(affected, range, v),
  }))
  const listed = includedInVersions(affected, v)
  const hit = answers.find((a) => a.status === 'affected')
  if (hit || listed) {
    return {
      status: 'affected',
      fixed: hit?.fixed ?? null,
      why: hit ? `${hit.type}: ${hit.why}` : 'listed in versions[]',
    }
  }
  const hasList = (affected.versions ?? []).length > 0
  const unknown = answers.find((a) => a.status === 'unknown' && !(a.type === 'GIT' && hasList))
  if (unknown) return { status: 'unknown', fixed: null, why: `${unknown.type}: ${unknown.why}` }
  if (answers.length === 0 && !hasList) {
    return { status: 'unknown', fixed: null, why: 'neither ranges nor versions' }
  }
  return { status: 'not_affected', fixed: null, why: 'no range and no list entry' }
}

/**
 * Several entries of one advisory for the same package (IsVulnerable's loop): affected when any
 * entry is, else unknown when any is; the fixed version comes from the first affected entry.
 */
export function referenceEvaluateAll(entries: OsvAffected[], v: string): ReferenceVerdict {
  const verdicts = entries.map((e) => referenceEvaluate(e, v))
  return (
    verdicts.find((x) => x.status === 'affected') ??
    verdicts.find((x) => x.status === 'unknown') ?? {
      status: 'not_affected',
      fixed: null,
      why: verdicts.map((x) => x.why).join('; '),
    }
  )
}
