import { getScheme } from '../../versions/schemes.ts'
import { versContains } from '../../versions/vers.ts'
import {
  compareVendorVersions,
  parseVendorVersion,
  type VendorOrdering,
  type VendorVersion,
} from './vendor-version.ts'

/**
 * Version ranges as CSAF `product_version_range` (and `product_version`) branches hold them in
 * practice: `vers:all/<V7.0.3`, `vers:generic/>=2.0|<2.4.1`, vls (`< A11_U05`, `>= 4.0, < 4.2.1`,
 * `>= A | <= B`, `>=V7.80<V9.30`), and free text (`All versions < V7.4 SP1`, `All versions`,
 * `V2.9.4 and prior`, `prior to 8.0.0.0`, `Firmware 1.2.3 and earlier`, `All versions between
 * V2.5 (including) and V2.7 (excluding)`).
 *
 * {@link parseVendorRange} turns a string into constraints or says which kind of text it could
 * not read; {@link evaluateVendorRange} answers affected / not_affected / unknown with a reason.
 */

export type RangeOperator = '<' | '<=' | '>' | '>=' | '=' | '!='

export interface VendorConstraint {
  operator: RangeOperator
  version: VendorVersion
}

/** Where the range came from, for reports. */
export type RangeSyntax = 'vers' | 'vers_all' | 'vls' | 'text' | 'exact'

export type VendorRange =
  | { kind: 'all'; text: string; syntax: RangeSyntax }
  /** Constraints read as vers reads them: `=` includes, `!=` excludes, then sorted bounds. */
  | { kind: 'constraints'; text: string; syntax: RangeSyntax; constraints: VendorConstraint[] }
  /** A real vers of an ordering we have (semver, pypi, deb, …): evaluated by versContains. */
  | { kind: 'vers'; text: string; syntax: 'vers'; scheme: string }

/** Why a range string was not read; the kinds are counted on the real corpus. */
export type UnparsedKind =
  | 'empty'
  | 'too_long'
  | 'no_version'
  | 'date'
  | 'wildcard'
  | 'other_component'
  | 'condition'
  | 'version'
  | 'text'

export type RangeParse =
  { ok: true; range: VendorRange } | { ok: false; kind: UnparsedKind; reason: string; text: string }

export type MatchStatus = 'affected' | 'not_affected' | 'unknown'

export interface RangeVerdict {
  status: MatchStatus
  /** A sentence naming the versions compared and the rule that decided. */
  reason: string
}

/** Longest range text read: longer strings are refused without work. */
export const MAX_RANGE_LENGTH = 200

const OPERATORS = /(<=|>=|!=|==|=<|=>|<|>|=)/
const NORMAL_OPERATOR: Record<string, RangeOperator> = {
  '<': '<',
  '<=': '<=',
  '=<': '<=',
  '>': '>',
  '>=': '>=',
  '=>': '>=',
  '=': '=',
  '==': '=',
  '!=': '!=',
}

const MONTHS = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/i

function unparsed(text: string, kind: UnparsedKind, reason: string): RangeParse {
  return { ok: false, kind, reason, text }
}

/** Names the kind of a piece of text we could not read as a version. */
function classify(text: string, piece: string): RangeParse {
  const t = piece.toLowerCase().replace(/_/g, ' ')
  if (MONTHS.test(t) || /\b\d{4}[-/]\d{1,2}[-/]\d{1,2}\b|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/.test(t)) {
    return unparsed(text, 'date', `"${piece}" is a date, not a version`)
  }
  if (/(^|[.\s])[x*](?=$|[.\s])/i.test(piece) || /\d\.?x\b/i.test(piece)) {
    return unparsed(text, 'wildcard', `"${piece}" has a wildcard inside the version`)
  }
  if (/\b(bios|u-boot|function state|fs|serial number|hardware|hw|model|option|mlfb)\b/i.test(t)) {
    return unparsed(text, 'other_component', `"${piece}" is about another component or attribute`)
  }
  if (
    /\b(with|if|when|installed|using|conjunction|configuration|excluding|except|only)\b/.test(t)
  ) {
    return unparsed(text, 'condition', `"${piece}" adds a condition that cannot be checked`)
  }
  if (/\d/.test(piece) && piece.split(/\s+/).length <= 3) {
    return unparsed(text, 'version', `"${piece}" is not a version we can read`)
  }
  return unparsed(text, 'text', `"${piece}" is free text`)
}

type ParsedVersion = { ok: true; version: VendorVersion } | { ok: false; parse: RangeParse }

function readVersion(text: string, piece: string): ParsedVersion {
  const version = parseVendorVersion(piece)
  return version ? { ok: true, version } : { ok: false, parse: classify(text, piece) }
}

/**
 * `V7.x`, `12.0.*`, `2.4.X` at the end: the operator is rewritten over the next release
 * (`<= 7.x` → `< 8`, `= 7.x` → `>= 7` and `< 8`), so no version is guessed.
 */
function expandWildcard(
  operator: RangeOperator,
  piece: string,
): { operator: RangeOperator; piece: string }[] | undefined {
  const m = /^(.*?\d)\.[x*]$/i.exec(piece.trim())
  if (!m?.[1]) return undefined
  const low = m[1]
  const parts = /^(.*?)(\d+)$/.exec(low)
  if (!parts) return undefined
  const high = `${parts[1] ?? ''}${Number(parts[2]) + 1}`
  switch (operator) {
    case '<=':
      return [{ operator: '<', piece: high }]
    case '<':
      return [{ operator: '<', piece: low }]
    case '>=':
      return [{ operator: '>=', piece: low }]
    case '>':
      return [{ operator: '>=', piece: high }]
    case '=':
      return [
        { operator: '>=', piece: low },
        { operator: '<', piece: high },
      ]
    case '!=':
      return undefined
  }
}

/** Reads `>= A < B`, `<V3.3`, `V6.3` (one piece of a `|`-, `,`- or `and`-separated list). */
function readPiece(text: string, piece: string, into: VendorConstraint[]): RangeParse | undefined {
  const parts = piece.split(OPERATORS).map((p) => p.trim())
  const pairs: { operator: RangeOperator; piece: string }[] = []
  if (parts[0] !== '') pairs.push({ operator: '=', piece: parts[0] ?? '' })
  for (let i = 1; i + 1 < parts.length; i += 2) {
    pairs.push({ operator: NORMAL_OPERATOR[parts[i] ?? '='] ?? '=', piece: parts[i + 1] ?? '' })
  }
  if (parts[0] !== '' && pairs.length > 1) {
    return classify(text, piece)
  }
  for (const pair of pairs) {
    if (pair.piece === '') return unparsed(text, 'version', `"${piece}" has an operator alone`)
    const expanded = expandWildcard(pair.operator, pair.piece) ?? [pair]
    for (const e of expanded) {
      const read = readVersion(text, e.piece)
      if (!read.ok) return read.parse
      into.push({ operator: e.operator, version: read.version })
    }
  }
  return undefined
}

function readConstraints(text: string, body: string, syntax: RangeSyntax): RangeParse {
  const constraints: VendorConstraint[] = []
  const pieces = body.split(/\s*(?:\||,|;|\band\b)\s*/i).filter((p) => p !== '')
  if (pieces.length === 0) return unparsed(text, 'empty', 'no constraint')
  for (const piece of pieces) {
    const failed = readPiece(text, piece, constraints)
    if (failed) return failed
  }
  return { ok: true, range: { kind: 'constraints', text, syntax, constraints } }
}

/** Free-text forms, tried in order: pattern → the constraint body it stands for. */
const PHRASES: [RegExp, (m: RegExpExecArray) => string][] = [
  [
    /^(?:between )?(.+?) \((including|excluding)\) and (.+?) \((including|excluding)\)$/i,
    (m) =>
      `${m[2]?.toLowerCase() === 'including' ? '>=' : '>'}${m[1]}|` +
      `${m[4]?.toLowerCase() === 'including' ? '<=' : '<'}${m[3]}`,
  ],
  [
    /^(.+?),? (?:and|or) (?:prior|earlier|before|older|below|lower)(?: versions?)?$/i,
    (m) => `<=${m[1]}`,
  ],
  [/^(?:prior to|before|earlier than|older than|below|lower than) (.+)$/i, (m) => `<${m[1]}`],
  [/^(?:up to and including|up to|through|until) (.+)$/i, (m) => `<=${m[1]}`],
  [/^(.+?),? (?:and|or) (?:later|newer|above|higher|greater)(?: versions?)?$/i, (m) => `>=${m[1]}`],
  [/^(?:from|since|starting with) (.+)$/i, (m) => `>=${m[1]}`],
  [/^(\S+) (?:through|to|-) (\S+)$/i, (m) => `>=${m[1]}|<=${m[2]}`],
]

/**
 * Reads a CSAF version range (or, with `exact`, a `product_version`, where a bare version means
 * that version only and `a | b` a list). Never throws; text it cannot read comes back with its
 * {@link UnparsedKind} and a reason.
 */
export function parseVendorRange(input: string, options: { exact?: boolean } = {}): RangeParse {
  if (input.length > MAX_RANGE_LENGTH) {
    return unparsed(input, 'too_long', `longer than ${MAX_RANGE_LENGTH} characters`)
  }
  const text = input.trim().replace(/\s+/g, ' ')
  if (text === '') return unparsed(input, 'empty', 'no text')
  if (text === '*') return { ok: true, range: { kind: 'all', text: input, syntax: 'text' } }
  if (/^(?:no versions?|n\/?a|none|-|unknown)$/i.test(text)) {
    return unparsed(input, 'no_version', `"${text}" names no version`)
  }
  const vers = /^vers:([a-z][a-z0-9.+-]*)\/(.*)$/i.exec(text)
  if (vers) {
    const scheme = (vers[1] ?? '').toLowerCase()
    const body = (vers[2] ?? '').trim()
    if (body === '*') return { ok: true, range: { kind: 'all', text: input, syntax: 'vers' } }
    // CISA writes `vers:all/<V7.0.3`: "all" names no ordering, so the vendor one is used. A
    // real scheme we order (semver, pypi, deb, …) is left to versContains; generic and
    // unknown schemes are read with the vendor ordering, which agrees with generic.
    if (scheme !== 'all' && scheme !== 'generic' && getScheme(scheme)) {
      return { ok: true, range: { kind: 'vers', text: input, syntax: 'vers', scheme } }
    }
    return readConstraints(input, body, scheme === 'all' ? 'vers_all' : 'vers')
  }
  const all = /^all (?:(firmware|software|bios|[a-z-]+) )?versions?\b ?(.*)$/i.exec(text)
  if (all) {
    const subject = (all[1] ?? '').toLowerCase()
    const rest = all[2] ?? ''
    if (subject !== '' && subject !== 'firmware' && subject !== 'software') {
      return unparsed(input, 'other_component', `the range is about ${all[1]} versions`)
    }
    if (rest === '') return { ok: true, range: { kind: 'all', text: input, syntax: 'text' } }
    return readFreeText(input, rest)
  }
  if (/^[<>=!]/.test(text)) return readConstraints(input, text, 'vls')
  return readFreeText(input, text, options.exact ? 'exact' : 'text')
}

function readFreeText(input: string, text: string, syntax: RangeSyntax = 'text'): RangeParse {
  // "Firmware versions prior to 8.26.4": the subject words go, the phrase stays.
  const stripped = text.replace(/^(?:(?:firmware|software|version)s?:? )+/i, '')
  for (const t of stripped === text ? [text] : [text, stripped]) {
    for (const [pattern, body] of PHRASES) {
      const m = pattern.exec(t)
      if (m) return readConstraints(input, body(m), 'text')
    }
  }
  if (/^[<>=!]/.test(stripped)) return readConstraints(input, stripped, syntax)
  // A bare version (`V6.3`) or a list of them (`2.2.0 | 2.2.1`) means exactly those.
  if (/^[^|,]+(?:\s*[|,]\s*[^|,]+)*$/.test(stripped)) {
    return readConstraints(input, stripped, syntax)
  }
  return classify(input, text)
}

function describe(c: VendorConstraint): string {
  return `${c.operator} ${c.version.text.trim()}`
}

function satisfies(order: -1 | 0 | 1, operator: RangeOperator): boolean {
  switch (operator) {
    case '=':
      return order === 0
    case '!=':
      return order !== 0
    case '<':
      return order < 0
    case '<=':
      return order <= 0
    case '>':
      return order > 0
    case '>=':
      return order >= 0
  }
}

function isOrder(o: VendorOrdering): o is -1 | 0 | 1 {
  return typeof o === 'number'
}

/**
 * Whether `version` is in `range`, by the vers algorithm over the vendor ordering: an equal `=`
 * includes and an equal `!=` excludes; the bounds, in version order, are read as a leading upper
 * bound, `>`…`<` pairs and a trailing lower bound (so CISA's `>= 1.0 | <= 1.32` is an interval).
 *
 * `unknown` whenever the answer would be a guess: the version is missing or unreadable, it does
 * not order against a bound (other prefix, other numbering, other qualifier kind), or the
 * range's own bounds do not order against each other.
 */
export function evaluateVendorRange(
  range: VendorRange,
  version: string | VendorVersion | undefined,
): RangeVerdict {
  const rangeText = range.text.trim()
  if (range.kind === 'all') {
    return { status: 'affected', reason: `"${rangeText}" covers all versions` }
  }
  const versionText = typeof version === 'string' ? version : version?.text
  if (versionText === undefined || versionText.trim() === '') {
    return { status: 'unknown', reason: `no version given to compare with "${rangeText}"` }
  }
  if (range.kind === 'vers') {
    const answer = versContains(range.text, versionText)
    if (typeof answer === 'boolean') {
      return {
        status: answer ? 'affected' : 'not_affected',
        reason: `${versionText} is ${answer ? '' : 'not '}in ${rangeText} (${range.scheme} ordering)`,
      }
    }
    return { status: 'unknown', reason: answer.unknown }
  }
  const v = typeof version === 'string' ? parseVendorVersion(version) : version
  if (!v) return { status: 'unknown', reason: `"${versionText}" is not a version we can read` }
  // Compare with every constraint first: a listed version (`=`) is affected even when other
  // list entries follow another scheme (`EH2 | EH3 | ES2 | SS2`).
  const all = range.constraints.map((c) => ({ c, order: compareVendorVersions(v, c.version) }))
  const notOrdering = (x: (typeof all)[number]): string =>
    `${versionText} does not order against ${x.c.version.text.trim()}: ${
      isOrder(x.order) ? '' : x.order.incomparable
    }`
  // Two different scheme prefixes (`EH2`, `ES3`) are never the same version; a prefix against
  // none (`R6.01`, `6.01`) might be.
  const unequal = (x: (typeof all)[number]): boolean =>
    !isOrder(x.order) && v.prefix !== '' && x.c.version.prefix !== ''
  const excluded = all.find((x) => x.c.operator === '!=' && x.order === 0)
  if (excluded) {
    return {
      status: 'not_affected',
      reason: `${versionText} is excluded by ${describe(excluded.c)}`,
    }
  }
  const unsureExclusion = all.find((x) => x.c.operator === '!=' && !isOrder(x.order) && !unequal(x))
  if (unsureExclusion) return { status: 'unknown', reason: notOrdering(unsureExclusion) }
  const listed = all.find((x) => x.c.operator === '=' && x.order === 0)
  if (listed) {
    return { status: 'affected', reason: `${versionText} is listed (${describe(listed.c)})` }
  }
  const compared: { c: VendorConstraint; order: -1 | 0 | 1 }[] = []
  for (const x of all) {
    if (x.c.operator === '=' || x.c.operator === '!=') continue
    if (!isOrder(x.order)) return { status: 'unknown', reason: notOrdering(x) }
    compared.push({ c: x.c, order: x.order })
  }
  const bounds = compared.filter((x) => x.c.operator !== '=' && x.c.operator !== '!=')
  let sorted: typeof bounds
  try {
    sorted = [...bounds].sort((a, b) => {
      const o = compareVendorVersions(a.c.version, b.c.version)
      if (!isOrder(o)) throw new Error(`${describe(a.c)} and ${describe(b.c)}: ${o.incomparable}`)
      return o
    })
  } catch (error) {
    return {
      status: 'unknown',
      reason: `the bounds of "${rangeText}" do not order: ${(error as Error).message}`,
    }
  }
  const isLower = (x: { c: VendorConstraint }): boolean => x.c.operator.startsWith('>')
  const hit = (x: (typeof bounds)[number]): boolean => satisfies(x.order, x.c.operator)
  const first = sorted[0]
  const last = sorted[sorted.length - 1]
  if (first && !isLower(first) && hit(first)) {
    return { status: 'affected', reason: `${versionText} ${describe(first.c)} ("${rangeText}")` }
  }
  if (last && isLower(last) && hit(last)) {
    return { status: 'affected', reason: `${versionText} ${describe(last.c)} ("${rangeText}")` }
  }
  for (let i = 0; i + 1 < sorted.length; i++) {
    const low = sorted[i]
    const high = sorted[i + 1]
    if (low && high && isLower(low) && !isLower(high) && hit(low) && hit(high)) {
      return {
        status: 'affected',
        reason: `${versionText} ${describe(low.c)} and ${describe(high.c)} ("${rangeText}")`,
      }
    }
  }
  const unsureListing = all.find((x) => x.c.operator === '=' && !isOrder(x.order) && !unequal(x))
  if (unsureListing) return { status: 'unknown', reason: notOrdering(unsureListing) }
  return { status: 'not_affected', reason: `${versionText} is outside "${rangeText}"` }
}

/**
 * Whether a parsed range's own bounds order against each other (so that some version can be
 * placed in it); `{ unknown }` names the first pair that does not — e.g. `>= V2.0 | < A3` or
 * `< 2016 R2 | >= 3.1`. The advisory import reports how many ranges fail this.
 */
export function rangeBoundsOrder(range: VendorRange): true | { unknown: string } {
  if (range.kind !== 'constraints') return true
  const cs = range.constraints
  for (let i = 0; i < cs.length; i++) {
    for (let j = i + 1; j < cs.length; j++) {
      const a = cs[i]
      const b = cs[j]
      if (!a || !b) continue
      const o = compareVendorVersions(a.version, b.version)
      if (!isOrder(o)) return { unknown: `${describe(a)} and ${describe(b)}: ${o.incomparable}` }
    }
  }
  return true
}

const MAX_CACHED_RANGES = 50_000
const parsedRanges = new Map<string, RangeParse>()

/**
 * Parses a range string and evaluates a version against it in one call: `unknown` with the reason
 * when the range cannot be read.
 */
export function matchVendorVersion(
  rangeText: string,
  version: string | undefined,
  options: { exact?: boolean } = {},
): RangeVerdict {
  const key = (options.exact ? '=' : '~') + rangeText
  let parsed = parsedRanges.get(key)
  if (!parsed) {
    // Advisories repeat the same few thousand range strings: parse each once per process.
    if (parsedRanges.size >= MAX_CACHED_RANGES) parsedRanges.clear()
    parsed = parseVendorRange(rangeText, options)
    parsedRanges.set(key, parsed)
  }
  if (!parsed.ok) {
    return { status: 'unknown', reason: `cannot read "${rangeText.trim()}": ${parsed.reason}` }
  }
  return evaluateVendorRange(parsed.range, version)
}
