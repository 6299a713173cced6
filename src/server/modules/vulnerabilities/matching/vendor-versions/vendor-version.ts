/**
 * Vendor version strings as ICS advisories write them: `V3.0 SP1`, `V7.4 Update 15`, `A11_U05`,
 * `V4.8 SP2 HF9`, `2016 R2`, `1.06G`, `4.1 (SP2)`, `Firmware 1.2.3`, `2.1.76_build230204`.
 *
 * A version is read into a prefix, a dotted release, an optional letter and up to one qualifier
 * per level:
 *
 * | level | kinds (spellings)                                                        |
 * |-------|--------------------------------------------------------------------------|
 * | pre   | alpha, beta, rc — before the bare release                                |
 * | 0     | r, a release of a year or major (`2016 R2`, `V22R2`)                     |
 * | 1     | sp (SP, Service Pack), sr (SR, Service Release)                          |
 * | 2     | update (Update, Upd, U), hotfix (HF, Hotfix, HotfixRev), patch (P), cu   |
 * | 3     | build (Build), rev (Rev)                                                 |
 *
 * Qualifiers must come in level order (`SP2 HF9`, not `HF9 SP2`). Anything else — dates,
 * product names, wildcards, free text — is not a version here: {@link parseVendorVersion}
 * returns undefined rather than guessing.
 *
 * {@link compareVendorVersions} orders two versions only when they follow one scheme; otherwise
 * it says why not. Written here because no library reads these strings: the per-ecosystem
 * orderings in ../../versions refuse them, rightly.
 */

export type QualifierKind =
  | 'alpha'
  | 'beta'
  | 'rc'
  | 'sp'
  | 'sr'
  | 'r'
  | 'update'
  | 'hotfix'
  | 'patch'
  | 'cu'
  | 'build'
  | 'rev'

export interface Qualifier {
  kind: QualifierKind
  number: number
  /** A letter after the number, lower-case (`Update 3a` → `a`), or ''. */
  letter: string
}

export interface VendorVersion {
  /** The text as given. */
  text: string
  /**
   * Letters glued to the release that name a scheme, lower-case (`A11_U05` → `a`, `R6.03` → `r`,
   * `BT02` → `bt`); '' when none. `V`, `ver`, `version`, `firmware`, `fw` are left out.
   */
  prefix: string
  release: number[]
  /** The release numbers as written (`06` stays `06`), for the dotted-or-decimal check. */
  digits: string[]
  /** A letter right after the release (`1.06G`, `12.1a`), lower-case, or ''. */
  letter: string
  pre?: Qualifier
  level0?: Qualifier
  level1?: Qualifier
  level2?: Qualifier
  level3?: Qualifier
}

/** Longest text read as a version: longer strings are refused without work. */
export const MAX_VERSION_LENGTH = 80

const COSMETIC = /^(?:firmware|software|fw|sw|version|ver\.?|v(?=\s?\d))[\s_]*/i
const PREFIX = /^([a-z]{1,3})(?=\d)/i
// One letter after the release; never x, which vendors write as a wildcard (`V7.x`).
const RELEASE = /^(\d{1,15}(?:\.\d{1,15})*)([a-wyz](?![a-z\d]))?/i
const SEPARATORS = /^[\s_\-.,()]+/

const QUALIFIERS: [RegExp, QualifierKind][] = [
  [/^(?:service\s*pack|sp)/i, 'sp'],
  [/^(?:service\s*release|sr)/i, 'sr'],
  [/^(?:hotfix\s*rev|hotfix|hf)/i, 'hotfix'],
  [/^(?:update|upd|u)/i, 'update'],
  [/^(?:patch|p)/i, 'patch'],
  [/^cu/i, 'cu'],
  [/^build/i, 'build'],
  [/^rev(?:ision)?/i, 'rev'],
  [/^r/i, 'r'],
  [/^alpha/i, 'alpha'],
  [/^beta/i, 'beta'],
  [/^rc/i, 'rc'],
]
const QUALIFIER_NUMBER = /^\s*\.?\s*(\d{1,15})([a-z]?)(?![a-z\d])/i

const LEVEL: Record<QualifierKind, 'pre' | 'level0' | 'level1' | 'level2' | 'level3'> = {
  alpha: 'pre',
  beta: 'pre',
  rc: 'pre',
  sp: 'level1',
  sr: 'level1',
  r: 'level0',
  update: 'level2',
  hotfix: 'level2',
  patch: 'level2',
  cu: 'level2',
  build: 'level3',
  rev: 'level3',
}
const LEVEL_ORDER = ['pre', 'level0', 'level1', 'level2', 'level3'] as const

/** Reads a vendor version, or returns undefined when the text is not one (never throws). */
export function parseVendorVersion(text: string): VendorVersion | undefined {
  if (text.length > MAX_VERSION_LENGTH) return undefined
  let rest = text.trim().replace(/\s+/g, ' ')
  for (let i = 0; i < 2; i++) rest = rest.replace(COSMETIC, '')
  const prefixMatch = PREFIX.exec(rest)
  const prefix = prefixMatch ? (prefixMatch[1] ?? '').toLowerCase() : ''
  rest = rest.slice(prefix.length)
  const release = RELEASE.exec(rest)
  if (!release) return undefined
  rest = rest.slice(release[0].length)
  const version: VendorVersion = {
    text,
    prefix,
    release: (release[1] ?? '').split('.').map(Number),
    digits: (release[1] ?? '').split('.'),
    letter: (release[2] ?? '').toLowerCase(),
  }
  let lastLevel = -1
  for (;;) {
    rest = rest.replace(SEPARATORS, '')
    if (rest === '') break
    const found = QUALIFIERS.map(([re, kind]) => ({ m: re.exec(rest), kind })).find(
      (q) => q.m && QUALIFIER_NUMBER.test(rest.slice(q.m[0].length)),
    )
    if (!found?.m) return undefined
    rest = rest.slice(found.m[0].length)
    const number = QUALIFIER_NUMBER.exec(rest)
    if (!number) return undefined
    rest = rest.slice(number[0].length)
    const level = LEVEL[found.kind]
    const levelIndex = LEVEL_ORDER.indexOf(level)
    // One qualifier per level, in level order: "SP2 HF9" reads, "HF9 SP2" does not.
    if (levelIndex <= lastLevel) return undefined
    lastLevel = levelIndex
    version[level] = {
      kind: found.kind,
      number: Number(number[1]),
      letter: (number[2] ?? '').toLowerCase(),
    }
  }
  return version
}

/** The answer of {@link compareVendorVersions}: an ordering, or why the two do not order. */
export type VendorOrdering = -1 | 0 | 1 | { incomparable: string }

/** Release numbering eras that never compare with each other: 1.2 vs 2016 vs 20210204. */
function era(v: VendorVersion): 'date' | 'year' | 'number' {
  const first = v.release[0] ?? 0
  if (first >= 19000101 && first <= 20991231) return 'date'
  if (first >= 1990 && first <= 2099) return 'year'
  return 'number'
}

function cmp(a: number | string, b: number | string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareLetters(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1
  return cmp(a, b)
}

const PRE_ORDER: QualifierKind[] = ['alpha', 'beta', 'rc']

function compareLevel(
  name: string,
  a: Qualifier | undefined,
  b: Qualifier | undefined,
): VendorOrdering {
  if (!a && !b) return 0
  if (a && b && a.kind !== b.kind) {
    return { incomparable: `${name} qualifiers of different kinds (${a.kind}, ${b.kind})` }
  }
  // An absent qualifier counts as number 0 of the other side's kind: "V7.4" = "V7.4 SP0".
  const x = a ?? { number: 0, letter: '' }
  const y = b ?? { number: 0, letter: '' }
  return cmp(x.number, y.number) || compareLetters(x.letter, y.letter)
}

/**
 * Orders two vendor versions: release numbers (missing ones are 0, so `V3` = `V3.0`), then the
 * letter (`1.0.2` < `1.0.2a`), then pre-release (before the bare release), then each qualifier
 * level (`V7.4` < `V7.4 Update 15` < `V7.4 SP1` < `V7.4 SP1 Update 1`).
 *
 * Incomparable — never guessed — when the prefixes differ (`A11` vs `11`), the release eras
 * differ (`2016 R2` vs `1.2`, `20210204` vs `3.1`), or one level holds different kinds
 * (`V7.4 HF2` vs `V7.4 Update 1`).
 */
export function compareVendorVersions(a: VendorVersion, b: VendorVersion): VendorOrdering {
  if (a.prefix !== b.prefix) {
    return { incomparable: `different prefixes ("${a.prefix}", "${b.prefix}")` }
  }
  if (era(a) !== era(b)) {
    return { incomparable: `different numbering (${era(a)} vs ${era(b)})` }
  }
  for (let i = 0; i < Math.max(a.release.length, b.release.length); i++) {
    const c = cmp(a.release[i] ?? 0, b.release[i] ?? 0)
    if (c === 0) continue
    const x = a.digits[i] ?? '0'
    const y = b.digits[i] ?? '0'
    // "1.06" vs "1.1": as dotted numbers 6 > 1, as decimals .06 < .1. A leading zero says the
    // vendor may mean decimals, so when the two readings disagree we do not pick one.
    if (i > 0 && (/^0\d/.test(x) || /^0\d/.test(y))) {
      const width = Math.max(x.length, y.length)
      if (cmp(x.padEnd(width, '0'), y.padEnd(width, '0')) !== c) {
        return { incomparable: `${x} and ${y} order differently as dotted or decimal numbers` }
      }
    }
    return c
  }
  const letters = compareLetters(a.letter, b.letter)
  if (letters !== 0) return letters
  if (a.pre || b.pre) {
    if (!a.pre) return 1
    if (!b.pre) return -1
    const c =
      cmp(PRE_ORDER.indexOf(a.pre.kind), PRE_ORDER.indexOf(b.pre.kind)) ||
      cmp(a.pre.number, b.pre.number) ||
      compareLetters(a.pre.letter, b.pre.letter)
    if (c !== 0) return c
  }
  for (const [name, level] of [
    ['release', 'level0'],
    ['service pack', 'level1'],
    ['update', 'level2'],
    ['build', 'level3'],
  ] as const) {
    const c = compareLevel(name, a[level], b[level])
    if (c !== 0) return c
  }
  return 0
}

/** Writes a parsed version back in one spelling (`V7.4 SP1 Update 15`), for reasons and tests. */
export function formatVendorVersion(v: VendorVersion): string {
  const q = (x: Qualifier | undefined): string =>
    x ? ` ${QUALIFIER_LABEL[x.kind]}${x.number}${x.letter}` : ''
  return (
    (v.prefix ? v.prefix.toUpperCase() : 'V') +
    v.digits.join('.') +
    v.letter +
    q(v.pre) +
    q(v.level0) +
    q(v.level1) +
    q(v.level2) +
    q(v.level3)
  )
}

const QUALIFIER_LABEL: Record<QualifierKind, string> = {
  alpha: 'alpha',
  beta: 'beta',
  rc: 'RC',
  sp: 'SP',
  sr: 'SR',
  r: 'R',
  update: 'Update ',
  hotfix: 'HF',
  patch: 'P',
  cu: 'CU',
  build: 'Build ',
  rev: 'Rev ',
}
