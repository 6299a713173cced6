import { compareVersions, getScheme, type VersionScheme } from '../../versions/schemes.ts'
import type { MatchStatus } from '../vendor-versions/vendor-range.ts'
import { compareVendorVersions, parseVendorVersion } from '../vendor-versions/vendor-version.ts'
import {
  type AttributeRelation,
  CPE_ATTRIBUTES,
  type Cpe,
  type CpeAttribute,
  compareCpeAttribute,
  formatCpe,
  literal,
  tryParseCpe,
} from './cpe.ts'

/**
 * Matching a component's CPE against match criteria as NVD configurations write them
 * (`cpeMatch[]`: a CPE pattern, `vulnerable`, and `versionStart/End(In|Ex)cluding`), and an index
 * that keeps the fan-out bounded.
 *
 * Versions are compared with the component's ecosystem ordering when the caller knows it
 * (`scheme`, e.g. from the component's purl type), otherwise with the vendor ordering
 * (vendor-versions/), which agrees with the generic dotted ordering and says "unknown" rather
 * than guess.
 */

export interface CpeMatchCriteria {
  /** The CPE 2.3 pattern (NVD `criteria`), either binding. */
  criteria: string
  /** NVD `vulnerable`: false marks a platform the vulnerable software runs on. */
  vulnerable?: boolean
  versionStartIncluding?: string
  versionStartExcluding?: string
  versionEndIncluding?: string
  versionEndExcluding?: string
}

export interface CpeVerdict {
  status: MatchStatus
  reason: string
  /** `name` (the CPE patterns alone), `range` (version bounds), `platform` or `hardware`. */
  rule: 'name' | 'range' | 'platform' | 'hardware' | 'invalid'
}

export interface CpeMatchOptions {
  /** The component's version ordering (a vers scheme name or one of ../../versions/schemes.ts). */
  scheme?: string | VersionScheme
  /** The component's version when its CPE has none (`*`), e.g. the SBOM component's version. */
  version?: string
}

function hasBounds(c: CpeMatchCriteria): boolean {
  return (
    c.versionStartIncluding !== undefined ||
    c.versionStartExcluding !== undefined ||
    c.versionEndIncluding !== undefined ||
    c.versionEndExcluding !== undefined
  )
}

function describeBounds(c: CpeMatchCriteria): string {
  return [
    c.versionStartIncluding !== undefined ? `>= ${c.versionStartIncluding}` : '',
    c.versionStartExcluding !== undefined ? `> ${c.versionStartExcluding}` : '',
    c.versionEndIncluding !== undefined ? `<= ${c.versionEndIncluding}` : '',
    c.versionEndExcluding !== undefined ? `< ${c.versionEndExcluding}` : '',
  ]
    .filter((s) => s !== '')
    .join(', ')
}

type Compare = (a: string, b: string) => -1 | 0 | 1 | { unknown: string }

function comparer(scheme: CpeMatchOptions['scheme']): Compare {
  const ordering = typeof scheme === 'string' ? getScheme(scheme) : scheme
  if (ordering) {
    return (a, b) => {
      const r = compareVersions(ordering, a, b)
      return typeof r === 'number'
        ? r
        : {
            unknown: `not a valid ${ordering.id} version: ${r.invalid === 'left' ? a : r.invalid === 'right' ? b : `${a}, ${b}`}`,
          }
    }
  }
  return (a, b) => {
    const x = parseVendorVersion(a)
    const y = parseVendorVersion(b)
    if (!x || !y) return { unknown: `"${x ? b : a}" is not a version we can read` }
    const r = compareVendorVersions(x, y)
    return typeof r === 'number' ? r : { unknown: `${a} and ${b}: ${r.incomparable}` }
  }
}

const ATTRIBUTE_LABEL: Record<CpeAttribute, string> = {
  part: 'part',
  vendor: 'vendor',
  product: 'product',
  version: 'version',
  update: 'update',
  edition: 'edition',
  language: 'language',
  swEdition: 'sw_edition',
  targetSw: 'target_sw',
  targetHw: 'target_hw',
  other: 'other',
}

/**
 * Whether the component's CPE is matched by one criterion.
 *
 * - Every attribute of the pattern must equal or contain the component's (NISTIR 7696); a
 *   disjoint one → `not_affected`. Where the component's CPE says ANY and the pattern names a
 *   value (a CPE without version against `…:openssl:1.0.2:…`), or the component's CPE holds a
 *   wildcard → `unknown`.
 * - With version bounds, the component's version (its CPE's, else `options.version`) is compared
 *   with each bound; a version that does not order → `unknown`.
 * - `vulnerable: false` (a platform) never makes a component affected; nor does a hardware (`h`)
 *   pattern: a matched hardware CPE is `unknown` — whether the device is affected depends on its
 *   firmware, which must match an `o` criterion of its own.
 */
export function matchCpe(
  component: Cpe | string,
  criterion: CpeMatchCriteria,
  options: CpeMatchOptions = {},
): CpeVerdict {
  const target = typeof component === 'string' ? tryParseCpe(component) : component
  const source = tryParseCpe(criterion.criteria)
  if (!target || !source) {
    return {
      status: 'unknown',
      rule: 'invalid',
      reason: `cannot read the ${target ? 'criterion' : 'component'} CPE`,
    }
  }
  const verdict = matchName(target, source, criterion, options)
  if (verdict.status === 'affected' && criterion.vulnerable === false) {
    return {
      status: 'not_affected',
      rule: 'platform',
      reason: `${verdict.reason}, a platform criterion (vulnerable: false)`,
    }
  }
  if (verdict.status === 'affected' && literal(source.part) === 'h') {
    return {
      status: 'unknown',
      rule: 'hardware',
      reason: `${verdict.reason}; a hardware CPE alone does not make the device affected — its firmware (an o CPE) decides`,
    }
  }
  return verdict
}

/** Whether the pattern (with its version bounds) covers the component, ignoring `vulnerable`. */
function matchName(
  target: Cpe,
  source: Cpe,
  criterion: CpeMatchCriteria,
  options: CpeMatchOptions,
): CpeVerdict {
  const bounded = hasBounds(criterion)
  const pattern = formatCpe(source)
  let unsure: string | undefined
  for (const a of CPE_ATTRIBUTES) {
    if (bounded && a === 'version') continue
    const relation: AttributeRelation = compareCpeAttribute(source[a], target[a])
    if (relation === 'disjoint') {
      return {
        status: 'not_affected',
        rule: 'name',
        reason: `${ATTRIBUTE_LABEL[a]} differs from ${pattern}`,
      }
    }
    if (relation === 'subset' || relation === 'undefined') {
      unsure ??=
        relation === 'subset'
          ? `the component's CPE leaves ${ATTRIBUTE_LABEL[a]} open where ${pattern} names one`
          : `the component's CPE has a wildcard in ${ATTRIBUTE_LABEL[a]}`
    }
  }
  if (unsure) return { status: 'unknown', rule: 'name', reason: unsure }
  if (!bounded) return { status: 'affected', rule: 'name', reason: `matches ${pattern}` }
  return inBounds(target, criterion, options, pattern)
}

function inBounds(
  target: Cpe,
  criterion: CpeMatchCriteria,
  options: CpeMatchOptions,
  pattern: string,
): CpeVerdict {
  const cpeVersion = target.version
  const version =
    cpeVersion.kind === 'value' && !cpeVersion.prefix && !cpeVersion.suffix
      ? cpeVersion.text
      : options.version
  const bounds = describeBounds(criterion)
  if (version === undefined || version === '') {
    return {
      status: 'unknown',
      rule: 'range',
      reason: `no version to compare with ${bounds} (${pattern})`,
    }
  }
  const compare = comparer(options.scheme)
  const checks: [string | undefined, (c: -1 | 0 | 1) => boolean][] = [
    [criterion.versionStartIncluding, (c) => c >= 0],
    [criterion.versionStartExcluding, (c) => c > 0],
    [criterion.versionEndIncluding, (c) => c <= 0],
    [criterion.versionEndExcluding, (c) => c < 0],
  ]
  for (const [bound, ok] of checks) {
    if (bound === undefined) continue
    const c = compare(version, bound)
    if (typeof c !== 'number') return { status: 'unknown', rule: 'range', reason: c.unknown }
    if (!ok(c)) {
      return {
        status: 'not_affected',
        rule: 'range',
        reason: `${version} is outside ${bounds} (${pattern})`,
      }
    }
  }
  return {
    status: 'affected',
    rule: 'range',
    reason: `${version} is within ${bounds} (${pattern})`,
  }
}

/** An NVD configuration node: its criteria joined by `operator`, optionally negated. */
export interface CpeConfigurationNode {
  operator?: 'AND' | 'OR'
  negate?: boolean
  cpeMatch: CpeMatchCriteria[]
}

/** An NVD configuration: nodes joined by `operator` (OR when absent). */
export interface CpeConfiguration {
  operator?: 'AND' | 'OR'
  negate?: boolean
  nodes: CpeConfigurationNode[]
}

type Truth = true | false | 'unknown'

function and(values: Truth[]): Truth {
  if (values.includes(false)) return false
  return values.includes('unknown') ? 'unknown' : true
}

function or(values: Truth[]): Truth {
  if (values.includes(true)) return true
  return values.includes('unknown') ? 'unknown' : false
}

function not(value: Truth, negate: boolean | undefined): Truth {
  return negate && value !== 'unknown' ? !value : value
}

/**
 * Evaluates an NVD configuration against all the CPEs of one device or component (e.g. its
 * firmware `o` CPE and its hardware `h` CPE), in three-valued logic: a criterion is true when one
 * of the CPEs matches it, unknown when one might, false otherwise; AND and OR as Kleene's.
 *
 * `affected` needs the configuration to hold *and* a matched criterion marked vulnerable on an
 * application or operating-system part: when only hardware criteria are vulnerable, or the
 * configuration only holds through platforms, the answer is `unknown` or `not_affected` — a
 * hardware CPE alone never makes a device affected.
 */
export function evaluateCpeConfiguration(
  configuration: CpeConfiguration,
  cpes: string[],
  options: CpeMatchOptions = {},
): CpeVerdict {
  const targets = cpes.map(tryParseCpe).filter((c): c is Cpe => c !== undefined)
  if (targets.length === 0) {
    return { status: 'unknown', rule: 'invalid', reason: 'no readable CPE to evaluate' }
  }
  const vulnerableHits: string[] = []
  const hardwareHits: string[] = []
  const unsure: string[] = []
  const criterionTruth = (criterion: CpeMatchCriteria): Truth => {
    const source = tryParseCpe(criterion.criteria)
    if (!source) {
      unsure.push(`cannot read ${criterion.criteria}`)
      return 'unknown'
    }
    const verdicts = targets.map((t) => matchName(t, source, criterion, options))
    const hit = verdicts.find((v) => v.status === 'affected')
    if (hit) {
      if (criterion.vulnerable !== false) {
        ;(literal(source.part) === 'h' ? hardwareHits : vulnerableHits).push(hit.reason)
      }
      return true
    }
    const maybe = verdicts.find((v) => v.status === 'unknown')
    if (maybe) {
      unsure.push(maybe.reason)
      return 'unknown'
    }
    return false
  }
  const nodeTruth = (node: CpeConfigurationNode): Truth => {
    const values = node.cpeMatch.map(criterionTruth)
    return not(node.operator === 'AND' ? and(values) : or(values), node.negate)
  }
  const values = configuration.nodes.map(nodeTruth)
  const holds = not(
    configuration.operator === 'AND' ? and(values) : or(values),
    configuration.negate,
  )
  if (holds === false) {
    return { status: 'not_affected', rule: 'range', reason: 'the configuration does not hold' }
  }
  if (holds === 'unknown') {
    return { status: 'unknown', rule: 'range', reason: unsure[0] ?? 'the configuration may hold' }
  }
  if (vulnerableHits.length > 0) {
    return { status: 'affected', rule: 'range', reason: vulnerableHits.join('; ') }
  }
  if (hardwareHits.length > 0) {
    return {
      status: 'unknown',
      rule: 'hardware',
      reason: `only hardware criteria are vulnerable (${hardwareHits.join('; ')}): the firmware decides`,
    }
  }
  return { status: 'not_affected', rule: 'platform', reason: 'only platform criteria matched' }
}

export interface CpeIndexStats {
  criteria: number
  invalid: number
  /** Criteria filed under their part:vendor:product key. */
  keyed: number
  /** Criteria with ANY (or wildcard) vendor and product, never expanded over the index. */
  wide: number
}

export interface CpeLookup<T> {
  matches: { ref: T; criterion: CpeMatchCriteria; verdict: CpeVerdict }[]
  /** Criteria looked at (the fan-out of this lookup). */
  examined: number
  /** Why some were not looked at: a wide query, or wide criteria over the cap. */
  skipped: { reason: string; count: number }[]
}

interface Entry<T> {
  ref: T
  criterion: CpeMatchCriteria
}

const PARTS = ['a', 'o', 'h'] as const

/**
 * Criteria indexed by `part:vendor:product`, with a bounded fan-out:
 *
 * - a criterion with ANY part is filed under each of the three parts;
 * - one with ANY (or wildcard) vendor but a literal product is filed under `part:*:product`, and
 *   the reverse under `part:vendor:*` — each lookup reads at most these three keys;
 * - one with neither a literal vendor nor a literal product is "wide": it is only tried while
 *   there are at most `maxWide` of them, and otherwise counted as skipped, never expanded;
 * - a component CPE without a literal vendor and product is not looked up at all (skipped with
 *   the reason), since it would match half the index.
 */
export class CpeIndex<T> {
  private readonly byKey = new Map<string, Entry<T>[]>()
  private readonly wide: Entry<T>[] = []
  readonly stats: CpeIndexStats = { criteria: 0, invalid: 0, keyed: 0, wide: 0 }

  constructor(private readonly options: { maxWide?: number } = {}) {}

  /** Adds a criterion; false (and counted) when its CPE cannot be read. */
  add(criterion: CpeMatchCriteria, ref: T): boolean {
    this.stats.criteria++
    const cpe = tryParseCpe(criterion.criteria)
    if (!cpe) {
      this.stats.invalid++
      return false
    }
    const vendor = literal(cpe.vendor)
    const product = literal(cpe.product)
    if (vendor === undefined && product === undefined) {
      this.stats.wide++
      this.wide.push({ ref, criterion })
      return true
    }
    const part = literal(cpe.part)
    const parts = part === undefined ? PARTS : [part]
    for (const p of parts) {
      const key = `${p}:${vendor ?? '*'}:${product ?? '*'}`
      const list = this.byKey.get(key)
      if (list) list.push({ ref, criterion })
      else this.byKey.set(key, [{ ref, criterion }])
    }
    this.stats.keyed++
    return true
  }

  /** The criteria that match a component's CPE, each with its verdict (not_affected ones left out). */
  lookup(component: string, options: CpeMatchOptions = {}): CpeLookup<T> {
    const result: CpeLookup<T> = { matches: [], examined: 0, skipped: [] }
    const cpe = tryParseCpe(component)
    if (!cpe) {
      result.skipped.push({ reason: 'the component CPE cannot be read', count: 0 })
      return result
    }
    const part = literal(cpe.part)
    const vendor = literal(cpe.vendor)
    const product = literal(cpe.product)
    if (part === undefined || vendor === undefined || product === undefined) {
      result.skipped.push({
        reason: 'the component CPE has no literal part, vendor and product: not expanded',
        count: this.stats.criteria,
      })
      return result
    }
    const entries = [
      ...(this.byKey.get(`${part}:${vendor}:${product}`) ?? []),
      ...(this.byKey.get(`${part}:*:${product}`) ?? []),
      ...(this.byKey.get(`${part}:${vendor}:*`) ?? []),
    ]
    const maxWide = this.options.maxWide ?? 64
    if (this.wide.length > 0 && this.wide.length <= maxWide) entries.push(...this.wide)
    else if (this.wide.length > maxWide) {
      result.skipped.push({
        reason: `criteria without vendor and product (over the cap of ${maxWide})`,
        count: this.wide.length,
      })
    }
    for (const entry of entries) {
      result.examined++
      const verdict = matchCpe(cpe, entry.criterion, options)
      if (verdict.status !== 'not_affected' || verdict.rule === 'platform') {
        result.matches.push({ ref: entry.ref, criterion: entry.criterion, verdict })
      }
    }
    return result
  }
}
