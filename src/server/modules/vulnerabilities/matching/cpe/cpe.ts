/**
 * CPE 2.3 names (NISTIR 7695) and name matching (NISTIR 7696).
 *
 * {@link parseCpe} reads both bindings into one form:
 * - the formatted string `cpe:2.3:part:vendor:product:version:update:edition:language:
 *   sw_edition:target_sw:target_hw:other` — `\` quotes the next character, `*` alone is ANY,
 *   `-` alone is NA, an unquoted `*` or run of `?` at the start or end of a value is a wildcard;
 * - the URI binding `cpe:/part:vendor:product:version:update:edition:language` — percent-encoded,
 *   empty is ANY, `-` is NA, `%01` is `?` and `%02` is `*`, and a packed edition
 *   `~edition~sw_edition~target_sw~target_hw~other`.
 * Values are lower-cased (CPE compares case-insensitively). {@link formatCpe} writes the formatted
 * string back. {@link compareCpeAttribute} and {@link cpeNameMatches} follow NISTIR 7696 §6.
 *
 * Written here: the one CPE package found on the registry (@thefaultvault/tfv-cpe-parser 1.3.0)
 * is CommonJS only, splits on every `:` (a quoted `\:` breaks it), leaves quoting as a TODO and
 * has no matching.
 */

export type CpePart = 'a' | 'o' | 'h'

export type CpeValue =
  | { kind: 'any' }
  | { kind: 'na' }
  /**
   * A value: `text` unquoted and lower-case; `prefix`/`suffix` are '' or a wildcard (`*`, or
   * `?` repeated) at the start or end.
   */
  | { kind: 'value'; text: string; prefix: string; suffix: string }

export const CPE_ATTRIBUTES = [
  'part',
  'vendor',
  'product',
  'version',
  'update',
  'edition',
  'language',
  'swEdition',
  'targetSw',
  'targetHw',
  'other',
] as const

export type CpeAttribute = (typeof CPE_ATTRIBUTES)[number]

export type Cpe = Record<CpeAttribute, CpeValue>

export class CpeError extends Error {
  override name = 'CpeError'
}

/** Longest CPE read: longer strings are refused without work. */
export const MAX_CPE_LENGTH = 1000

const ANY: CpeValue = { kind: 'any' }
const NA: CpeValue = { kind: 'na' }

function fail(text: string, why: string): never {
  throw new CpeError(`invalid CPE "${text.slice(0, 100)}": ${why}`)
}

/** Splits on unquoted `:` (formatted string binding). */
function splitFormatted(body: string): string[] {
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? ''
    if (c === '\\') {
      current += c + (body[i + 1] ?? '')
      i++
    } else if (c === ':') {
      parts.push(current)
      current = ''
    } else {
      current += c
    }
  }
  parts.push(current)
  return parts
}

/** One attribute of the formatted string binding. */
function fromFormatted(raw: string, cpe: string): CpeValue {
  if (raw === '*') return ANY
  if (raw === '-') return NA
  if (raw === '') fail(cpe, 'an empty attribute')
  // Read into tokens: literal characters and unquoted wildcards.
  const tokens: { ch: string; wild: boolean }[] = []
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? ''
    if (c === '\\') {
      const next = raw[i + 1]
      if (next === undefined) fail(cpe, 'a value ends with "\\"')
      tokens.push({ ch: next, wild: false })
      i++
    } else if (c === '*' || c === '?') {
      tokens.push({ ch: c, wild: true })
    } else if (/[\s]/.test(c)) {
      fail(cpe, 'whitespace in a value')
    } else {
      // The binding asks for other punctuation to be quoted; generators do not always do it, and
      // an unquoted "+" or "/" can only mean itself, so it is read as a literal.
      tokens.push({ ch: c, wild: false })
    }
  }
  return fromTokens(tokens, cpe)
}

function fromTokens(tokens: { ch: string; wild: boolean }[], cpe: string): CpeValue {
  let start = 0
  let end = tokens.length
  let prefix = ''
  let suffix = ''
  if (tokens[0]?.wild && tokens[0].ch === '*') {
    prefix = '*'
    start = 1
  } else {
    while (start < end && tokens[start]?.wild && tokens[start]?.ch === '?') {
      prefix += '?'
      start++
    }
  }
  if (end > start && tokens[end - 1]?.wild && tokens[end - 1]?.ch === '*') {
    suffix = '*'
    end--
  } else {
    while (end > start && tokens[end - 1]?.wild && tokens[end - 1]?.ch === '?') {
      suffix = '?' + suffix
      end--
    }
  }
  const middle = tokens.slice(start, end)
  if (middle.some((t) => t.wild)) fail(cpe, 'a wildcard inside a value (only at its start or end)')
  if (prefix === '*' && suffix === '' && middle.length === 0) return ANY
  return {
    kind: 'value',
    text: middle
      .map((t) => t.ch)
      .join('')
      .toLowerCase(),
    prefix,
    suffix,
  }
}

/** One component of the URI binding. */
function fromUri(raw: string, cpe: string): CpeValue {
  if (raw === '' || raw === '*') return ANY
  if (raw === '-') return NA
  const tokens: { ch: string; wild: boolean }[] = []
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? ''
    if (c === '%') {
      const hex = raw.slice(i + 1, i + 3)
      if (!/^[0-9a-f]{2}$/i.test(hex)) fail(cpe, `bad percent-encoding "%${hex}"`)
      i += 2
      if (hex === '01') tokens.push({ ch: '?', wild: true })
      else if (hex === '02') tokens.push({ ch: '*', wild: true })
      else tokens.push({ ch: String.fromCharCode(parseInt(hex, 16)), wild: false })
    } else if (/[\s]/.test(c)) {
      fail(cpe, 'whitespace in a component')
    } else {
      tokens.push({ ch: c, wild: false })
    }
  }
  return fromTokens(tokens, cpe)
}

function withPart(attrs: CpeValue[], cpe: string): Cpe {
  const out = {} as Cpe
  CPE_ATTRIBUTES.forEach((name, i) => {
    out[name] = attrs[i] ?? ANY
  })
  const part = out.part
  if (part.kind === 'na') fail(cpe, 'part cannot be NA')
  if (
    part.kind === 'value' &&
    (part.prefix || part.suffix || !['a', 'o', 'h'].includes(part.text))
  ) {
    fail(cpe, `part must be a, o, h or *`)
  }
  return out
}

/** Reads a CPE in either binding. Throws {@link CpeError} (and nothing else) when it cannot. */
export function parseCpe(text: string): Cpe {
  if (text.length > MAX_CPE_LENGTH) fail(text, `longer than ${MAX_CPE_LENGTH} characters`)
  const cpe = text.trim()
  if (/^cpe:2\.3:/i.test(cpe)) {
    const parts = splitFormatted(cpe.slice(8))
    if (parts.length !== 11) fail(cpe, `11 attributes expected, found ${parts.length}`)
    return withPart(
      parts.map((p) => fromFormatted(p, cpe)),
      cpe,
    )
  }
  if (/^cpe:\//i.test(cpe)) {
    const parts = cpe.slice(5).split(':')
    if (parts.length > 7) fail(cpe, `at most 7 components expected, found ${parts.length}`)
    const values = parts.slice(0, 5).map((p) => fromUri(p, cpe))
    while (values.length < 5) values.push(ANY)
    const edition = parts[5] ?? ''
    let packed: CpeValue[]
    if (edition.startsWith('~')) {
      const fields = edition.slice(1).split('~')
      if (fields.length !== 5) fail(cpe, 'a packed edition has 5 fields')
      packed = fields.map((f) => fromUri(f, cpe))
    } else {
      packed = [fromUri(edition, cpe), ANY, ANY, ANY, ANY]
    }
    const [ed, swEdition, targetSw, targetHw, other] = packed
    return withPart(
      [
        ...values,
        ed ?? ANY,
        fromUri(parts[6] ?? '', cpe),
        swEdition ?? ANY,
        targetSw ?? ANY,
        targetHw ?? ANY,
        other ?? ANY,
      ],
      cpe,
    )
  }
  fail(cpe, 'a CPE starts with "cpe:2.3:" or "cpe:/"')
}

/** {@link parseCpe} that returns undefined instead of throwing. */
export function tryParseCpe(text: string): Cpe | undefined {
  try {
    return parseCpe(text)
  } catch (error) {
    if (error instanceof CpeError) return undefined
    throw error
  }
}

function quote(text: string): string {
  return text.replace(/[^a-z0-9._-]/g, (c) => '\\' + c)
}

/** The formatted string binding (canonical: lower case, minimal quoting). */
export function formatCpe(cpe: Cpe): string {
  const attr = (v: CpeValue): string => {
    switch (v.kind) {
      case 'any':
        return '*'
      case 'na':
        return '-'
      case 'value':
        // A lone literal "-" must stay quoted, or it would read as NA.
        return v.prefix + (v.text === '-' ? '\\-' : quote(v.text)) + v.suffix
    }
  }
  return 'cpe:2.3:' + CPE_ATTRIBUTES.map((a) => attr(cpe[a])).join(':')
}

/** The relation of a source (pattern) attribute to a target attribute, NISTIR 7696 Table 6-2. */
export type AttributeRelation = 'equal' | 'superset' | 'subset' | 'disjoint' | 'undefined'

function hasWildcards(v: CpeValue): boolean {
  return v.kind === 'value' && (v.prefix !== '' || v.suffix !== '')
}

/**
 * `?`… at the start or end matches up to that many characters, `*` any number (NISTIR 7696
 * §6.3 compareStrings).
 */
function wildcardMatches(source: CpeValue & { kind: 'value' }, target: string): boolean {
  const begins = source.prefix === '*' ? -1 : source.prefix.length
  const ends = source.suffix === '*' ? -1 : source.suffix.length
  let index = -1
  for (;;) {
    index = target.indexOf(source.text, index + 1)
    if (index === -1) return false
    if (begins !== -1 && index > begins) return false
    const leftover = target.length - index - source.text.length
    if (ends !== -1 && leftover > ends) {
      if (source.text === '') return false
      continue
    }
    return true
  }
}

export function compareCpeAttribute(source: CpeValue, target: CpeValue): AttributeRelation {
  if (hasWildcards(target)) return 'undefined'
  if (source.kind === 'any') return target.kind === 'any' ? 'equal' : 'superset'
  if (target.kind === 'any') return 'subset'
  if (source.kind === 'na' || target.kind === 'na') {
    return source.kind === target.kind ? 'equal' : 'disjoint'
  }
  if (target.kind !== 'value' || source.kind !== 'value') return 'disjoint'
  if (hasWildcards(source)) return wildcardMatches(source, target.text) ? 'superset' : 'disjoint'
  return source.text === target.text ? 'equal' : 'disjoint'
}

/** Per-attribute relations of a source name to a target name. */
export function compareCpeNames(source: Cpe, target: Cpe): Record<CpeAttribute, AttributeRelation> {
  const out = {} as Record<CpeAttribute, AttributeRelation>
  for (const a of CPE_ATTRIBUTES) out[a] = compareCpeAttribute(source[a], target[a])
  return out
}

/** CPE name matching: the source is a superset of (or equal to) the target in every attribute. */
export function cpeNameMatches(source: Cpe, target: Cpe): boolean {
  return CPE_ATTRIBUTES.every((a) => {
    const r = compareCpeAttribute(source[a], target[a])
    return r === 'equal' || r === 'superset'
  })
}

/** The literal text of a value attribute without wildcards, or undefined. */
export function literal(v: CpeValue): string | undefined {
  return v.kind === 'value' && !hasWildcards(v) ? v.text : undefined
}
