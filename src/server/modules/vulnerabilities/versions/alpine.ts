/**
 * Alpine (apk) versions: digit{.digit}...{letter}{_suffix{number}}...{-r#}, ordered as apk-tools
 * orders them. Written here from the algorithm apk-tools documents (no npm package exists).
 */

// Token kinds in apk-tools' order; a token may only be followed by a kind not smaller than its
// own, with three exceptions (see nextKind).
const enum Kind {
  Invalid = -1,
  DigitOrZero = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNumber = 4,
  Revision = 5,
  End = 6,
}

export interface ApkToken {
  kind: Kind
  value: number
}

const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc']
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p']

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z'

/** The tokens of a version followed by an End marker, or undefined when apk would refuse it. */
export function tokeniseApkVersion(version: string): ApkToken[] | undefined {
  // apk itself reads zero digits for a leading letter; a version must start with a number.
  if (!isDigit(version[0])) return undefined
  const tokens: ApkToken[] = []
  let kind: Kind = Kind.Digit
  let pos = 0
  while (kind !== Kind.End) {
    let value = 0
    let forceDigit = false
    let length = 0
    if (kind === Kind.DigitOrZero && version[pos] === '0') {
      // A component with leading zeros sorts below any without ("1.01" < "1.1"), so zeros are
      // a token of their own (minus their count) and what follows them is read as digits. Before
      // a suffix we depart from apk-tools 2.10, whose reading put "1.0_alpha" above "1.0".
      while (version[pos + length] === '0') length++
      value = -length
      forceDigit = isDigit(version[pos + length]) || version[pos + length] === '.'
    } else {
      switch (kind) {
        case Kind.DigitOrZero:
        case Kind.Digit:
        case Kind.SuffixNumber:
        case Kind.Revision:
          while (isDigit(version[pos + length])) {
            value = value * 10 + Number(version[pos + length])
            length++
          }
          break
        case Kind.Letter:
          value = version.charCodeAt(pos)
          length = 1
          break
        case Kind.Suffix: {
          const rest = version.slice(pos)
          const pre = PRE_SUFFIXES.findIndex((s) => rest.startsWith(s))
          const post = POST_SUFFIXES.findIndex((s) => rest.startsWith(s))
          if (pre >= 0) {
            value = pre - PRE_SUFFIXES.length
            length = PRE_SUFFIXES[pre]?.length ?? 0
          } else if (post >= 0) {
            value = post
            length = POST_SUFFIXES[post]?.length ?? 0
          } else return undefined
          break
        }
        default:
          return undefined
      }
    }
    tokens.push({ kind, value })
    pos += length
    if (pos >= version.length) kind = Kind.End
    else if (forceDigit) kind = Kind.Digit
    else {
      const next = nextKind(kind, version, pos)
      if (next.kind === Kind.Invalid) return undefined
      kind = next.kind
      pos = next.pos
    }
  }
  tokens.push({ kind: Kind.End, value: 0 })
  return tokens
}

function nextKind(previous: Kind, version: string, pos: number): { kind: Kind; pos: number } {
  const c = version[pos]
  let kind: Kind
  let at = pos
  if ((previous === Kind.Digit || previous === Kind.DigitOrZero) && isLower(c)) kind = Kind.Letter
  else if (previous === Kind.Letter && isDigit(c)) kind = Kind.Digit
  else if (previous === Kind.Suffix && isDigit(c)) kind = Kind.SuffixNumber
  else {
    at++
    if (c === '.') kind = Kind.DigitOrZero
    else if (c === '_') kind = Kind.Suffix
    else if (c === '-' && version[at] === 'r') {
      kind = Kind.Revision
      at++
    } else kind = Kind.Invalid
  }
  const allowedStepBack =
    (kind === Kind.DigitOrZero && previous === Kind.Digit) ||
    (kind === Kind.Suffix && previous === Kind.SuffixNumber) ||
    (kind === Kind.Digit && previous === Kind.Letter)
  if (kind < previous && !allowedStepBack) kind = Kind.Invalid
  return { kind, pos: at }
}

export function compareApkTokens(a: ApkToken[], b: ApkToken[]): number {
  let i = 0
  for (;;) {
    const ta = a[i]
    const tb = b[i]
    if (!ta || !tb || ta.kind !== tb.kind || ta.kind === Kind.End) break
    i++
    if (ta.value !== tb.value) return ta.value < tb.value ? -1 : 1
  }
  // Equal so far: the longer version is newer, unless what follows is a pre-release suffix.
  const na = a[i] ?? { kind: Kind.End, value: 0 }
  const nb = b[i] ?? { kind: Kind.End, value: 0 }
  if (na.kind === nb.kind) return 0
  if (na.kind === Kind.Suffix && na.value < 0) return -1
  if (nb.kind === Kind.Suffix && nb.value < 0) return 1
  return na.kind > nb.kind ? -1 : 1
}
