import semver from 'semver'
import { getScheme, type VersionScheme } from './schemes.ts'

/**
 * vers (package-url/vers-spec): `vers:<scheme>/<constraint>|<constraint>…`.
 *
 * - {@link parseVers} reads the canonical form strictly, as the spec's canonical-parse tests ask:
 *   no whitespace, no empty constraints, versions sorted, percent-encoding canonical.
 * - {@link canonicaliseVers} reads leniently (whitespace removed) and writes the canonical form:
 *   constraints sorted by version (stable), `=` left out.
 * - {@link versContains} answers "is this version in the range" with the spec's algorithm.
 */

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>='

export interface VersConstraint {
  comparator: Comparator
  version: string
}

export interface Vers {
  scheme: string
  /** `null` for `*`, every version. */
  constraints: VersConstraint[] | null
}

export class VersError extends Error {
  override name = 'VersError'
}

const COMPARATORS: Comparator[] = ['>=', '<=', '!=', '<', '>', '=']

function fail(message: string): never {
  throw new VersError(`non-canonical VERS: ${message}`)
}

function decodeVersion(text: string, scheme: string, strict: boolean): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) fail('invalid percent-encoding in version')
  if (strict && scheme === 'datetime' && /%3A/.test(text)) {
    fail('datetime time colons must be unencoded')
  }
  if (strict && /%([0-9A-F][a-f]|[a-f][0-9A-Fa-f])/.test(text)) {
    fail('percent-encoding in version is not canonical')
  }
  const decoded = decodeURIComponent(text)
  if (strict && scheme === 'datetime' && /[tz]/.test(decoded)) {
    fail('datetime must use uppercase T and Z')
  }
  return decoded
}

function encodeVersion(version: string): string {
  return version.replace(/[^\x21-\x7e]|[%|]/gu, (c) =>
    [...Buffer.from(c, 'utf8')]
      .map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'))
      .join(''),
  )
}

function parseConstraint(text: string, scheme: string, strict: boolean): VersConstraint {
  const comparator = COMPARATORS.find((c) => text.startsWith(c)) ?? '='
  const rest = text.startsWith(comparator) ? text.slice(comparator.length) : text
  if (rest === '') throw new VersError(`constraint "${text}" has no version`)
  return { comparator, version: decodeVersion(rest, scheme, strict) }
}

function split(text: string, strict: boolean): { scheme: string; body: string } {
  if (!/^vers:/i.test(text)) throw new VersError('a vers starts with "vers:"')
  const rest = text.slice(5)
  const slash = rest.indexOf('/')
  if (slash < 0) throw new VersError('a vers needs "<scheme>/"')
  const scheme = rest.slice(0, slash).toLowerCase()
  if (!/^[a-z][a-z0-9.+-]*$/.test(scheme)) throw new VersError(`invalid vers scheme "${scheme}"`)
  let body = rest.slice(slash + 1)
  if (strict && /[\s]/.test(body)) fail('whitespace is not permitted')
  body = body.replace(/\s+/g, '')
  if (strict) {
    if (body.startsWith('|')) fail('leading pipe is not permitted')
    if (body.endsWith('|')) fail('trailing pipe is not permitted')
    if (body.includes('||')) fail('consecutive pipes are not permitted')
  }
  if (body === '') throw new VersError('a vers needs at least one constraint')
  return { scheme, body }
}

function parseBody(scheme: string, body: string, strict: boolean): Vers {
  const parts = body.split('|').filter((p) => p !== '')
  if (parts.includes('*')) {
    if (parts.length > 1) throw new VersError('"*" must be the only constraint')
    return { scheme, constraints: null }
  }
  return { scheme, constraints: parts.map((p) => parseConstraint(p, scheme, strict)) }
}

/**
 * Reads a vers in canonical form; throws {@link VersError} when it is not canonical. Sorting is
 * checked only for the schemes we can order (the others cannot be checked here).
 */
export function parseVers(text: string): Vers {
  const { scheme, body } = split(text, true)
  const vers = parseBody(scheme, body, true)
  const ordering = getScheme(scheme)
  if (ordering && vers.constraints) {
    const parsed = vers.constraints.map((c) => ordering.parse(c.version))
    for (let i = 1; i < parsed.length; i++) {
      const a = parsed[i - 1]
      const b = parsed[i]
      if (a === undefined || b === undefined) continue
      if (ordering.compareParsed(a, b) > 0) fail('constraints are not sorted by version')
    }
  }
  return vers
}

/** Sorts constraints by version; throws when a version is invalid for the scheme. */
function sortConstraints(vers: Vers, ordering: VersionScheme): VersConstraint[] | null {
  if (!vers.constraints) return null
  const keyed = vers.constraints.map((c) => {
    const key = ordering.parse(c.version)
    if (key === undefined) {
      throw new VersError(`"${c.version}" is not a valid ${vers.scheme} version`)
    }
    return { c, key }
  })
  keyed.sort((a, b) => ordering.compareParsed(a.key, b.key))
  return keyed.map((k) => k.c)
}

export function formatVers(vers: Vers): string {
  const body = vers.constraints
    ? vers.constraints
        .map((c) => (c.comparator === '=' ? '' : c.comparator) + encodeVersion(c.version))
        .join('|')
    : '*'
  return `vers:${vers.scheme}/${body}`
}

/**
 * Reads a vers leniently and returns its canonical form. Throws {@link VersError} for a scheme
 * we cannot order or a version that scheme cannot read.
 */
export function canonicaliseVers(text: string): string {
  const { scheme, body } = split(text, false)
  const vers = parseBody(scheme, body, false)
  const ordering = getScheme(scheme)
  if (!ordering) throw new VersError(`unsupported vers scheme "${scheme}"`)
  return formatVers({ scheme, constraints: sortConstraints(vers, ordering) })
}

/** The answer of {@link versContains}: in or out, or why it cannot tell. */
export type Containment = boolean | { unknown: string }

function satisfies(cmp: number, comparator: Comparator): boolean {
  switch (comparator) {
    case '=':
      return cmp === 0
    case '!=':
      return cmp !== 0
    case '<':
      return cmp < 0
    case '<=':
      return cmp <= 0
    case '>':
      return cmp > 0
    case '>=':
      return cmp >= 0
  }
}

/**
 * Whether `version` is in the range, by the vers-spec algorithm: an equal `!=` excludes, an
 * equal `=` includes; the remaining `<`/`<=`/`>`/`>=` constraints, in version order, are read as
 * intervals — a leading upper bound, `>`…`<` pairs, and a trailing lower bound.
 */
export function versContains(vers: Vers | string, version: string): Containment {
  let range: Vers
  try {
    range = typeof vers === 'string' ? parseVers(vers) : vers
  } catch (error) {
    return { unknown: (error as Error).message }
  }
  if (!range.constraints) return true
  const ordering = getScheme(range.scheme)
  if (!ordering) return { unknown: `unsupported vers scheme "${range.scheme}"` }
  const v = ordering.parse(version)
  if (v === undefined) return { unknown: `"${version}" is not a valid ${range.scheme} version` }
  let sorted: VersConstraint[]
  try {
    sorted = sortConstraints(range, ordering) ?? []
  } catch (error) {
    return { unknown: (error as Error).message }
  }
  const compared = sorted.map((c) => ({
    comparator: c.comparator,
    cmp: ordering.compareParsed(v, ordering.parse(c.version)),
  }))
  if (compared.some((c) => c.comparator === '!=' && c.cmp === 0)) return false
  if (compared.some((c) => c.comparator === '=' && c.cmp === 0)) return true
  const bounds = compared.filter((c) => c.comparator !== '=' && c.comparator !== '!=')
  if (bounds.length === 0) return compared.every((c) => c.comparator === '!=')
  const isLower = (c: { comparator: Comparator }): boolean => c.comparator.startsWith('>')
  const first = bounds[0]
  const last = bounds[bounds.length - 1]
  if (first && !isLower(first) && satisfies(first.cmp, first.comparator)) return true
  if (last && isLower(last) && satisfies(last.cmp, last.comparator)) return true
  for (let i = 0; i + 1 < bounds.length; i++) {
    const low = bounds[i]
    const high = bounds[i + 1]
    if (low && high && isLower(low) && !isLower(high)) {
      if (satisfies(low.cmp, low.comparator) && satisfies(high.cmp, high.comparator)) return true
    }
  }
  return false
}

/**
 * Converts a native range of a supported ecosystem into a canonical vers: npm ranges through
 * node-semver's own desugaring (`^`, `~`, x-ranges, hyphen ranges, `||`), PyPI specifier lists
 * (`>=1.0, <2`, `==1.0`, `!=1.1`). Other schemes throw {@link VersError}.
 */
export function versFromNative(scheme: string, native: string): string {
  if (scheme === 'npm') {
    let range: semver.Range
    try {
      range = new semver.Range(native, { loose: true })
    } catch {
      throw new VersError(`"${native}" is not an npm range`)
    }
    const constraints: VersConstraint[] = []
    for (const set of range.set) {
      for (const comparator of set) {
        if (comparator.value === '') return 'vers:npm/*'
        // node-semver writes exclusive upper bounds as "<2.0.0-0" to keep pre-releases out;
        // vers compares by version, where "<2.0.0" says the same for released versions.
        const version = comparator.semver.version.replace(/-0$/, '')
        constraints.push({ comparator: (comparator.operator || '=') as Comparator, version })
      }
    }
    return canonicaliseVers(formatVers({ scheme, constraints }))
  }
  if (scheme === 'pypi') {
    const constraints = native
      .split(',')
      .map((s) => s.replace(/\s+/g, ''))
      .filter((s) => s !== '')
      .map((s) => {
        const match = /^(===|==|!=|<=|>=|<|>)(.+)$/.exec(s)
        if (!match?.[1] || !match[2] || match[2].includes('*')) {
          throw new VersError(`"${s}" is not a PyPI specifier we can convert`)
        }
        const op = match[1].startsWith('==') ? '=' : (match[1] as Comparator)
        return { comparator: op, version: match[2] }
      })
    return canonicaliseVers(formatVers({ scheme, constraints }))
  }
  throw new VersError(`no native range conversion for "${scheme}"`)
}
