/**
 * RPM ([epoch:]version[-release], rpmvercmp with `~` and `^`) and Arch Linux (alpm, pacman's
 * vercmp) version ordering. Written here: no maintained npm package implements either.
 */

export interface EpochVersionRelease {
  epoch: number
  version: string
  release: string | null
}

const RPM_PART = /^[A-Za-z0-9._+~^]+$/

export function parseEvr(text: string): EpochVersionRelease | undefined {
  let rest = text
  let epoch = 0
  const colon = rest.indexOf(':')
  if (colon >= 0) {
    const epochText = rest.slice(0, colon)
    if (!/^\d+$/.test(epochText)) return undefined
    epoch = Number(epochText)
    rest = rest.slice(colon + 1)
  }
  let release: string | null = null
  const dash = rest.lastIndexOf('-')
  if (dash >= 0) {
    release = rest.slice(dash + 1)
    rest = rest.slice(0, dash)
    if (!RPM_PART.test(release)) return undefined
  }
  if (!RPM_PART.test(rest) || !Number.isSafeInteger(epoch)) return undefined
  return { epoch, version: rest, release }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c)

function compareSegments(x: string, y: string, numeric: boolean): number {
  if (numeric) {
    const a = x.replace(/^0+/, '')
    const b = y.replace(/^0+/, '')
    if (a.length !== b.length) return a.length < b.length ? -1 : 1
  }
  const [a, b] = numeric ? [x.replace(/^0+/, ''), y.replace(/^0+/, '')] : [x, y]
  return a < b ? -1 : a > b ? 1 : 0
}

function takeRun(text: string, from: number, numeric: boolean): number {
  let i = from
  while (i < text.length && (numeric ? isDigit(text[i]) : isAlpha(text[i]))) i++
  return i
}

/** rpm's rpmvercmp: `~` sorts before anything (even the end), `^` after the end only. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1
      if (b[j] !== '~') return -1
      i++
      j++
      continue
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1
      if (j >= b.length) return 1
      if (a[i] !== '^') return 1
      if (b[j] !== '^') return -1
      i++
      j++
      continue
    }
    if (i >= a.length || j >= b.length) break
    const numeric = isDigit(a[i])
    const endA = takeRun(a, i, numeric)
    const endB = takeRun(b, j, numeric)
    if (endB === j) return numeric ? 1 : -1
    const rc = compareSegments(a.slice(i, endA), b.slice(j, endB), numeric)
    if (rc !== 0) return rc
    i = endA
    j = endB
  }
  if (i >= a.length && j >= b.length) return 0
  return i < a.length ? 1 : -1
}

export function compareRpmVersions(a: EpochVersionRelease, b: EpochVersionRelease): number {
  return (
    Math.sign(a.epoch - b.epoch) ||
    rpmvercmp(a.version, b.version) ||
    rpmvercmp(a.release ?? '', b.release ?? '')
  )
}

/**
 * pacman's variant of rpmvercmp: no `~`/`^`, a longer separator run wins, and at the end a
 * trailing letter run is older than nothing ("1.0a" < "1.0") while a trailing number is newer.
 */
export function alpmVercmp(a: string, b: string): number {
  if (a === b) return 0
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const si = i
    const sj = j
    while (i < a.length && !isAlnum(a[i])) i++
    while (j < b.length && !isAlnum(b[j])) j++
    if (i >= a.length || j >= b.length) break
    if (i - si !== j - sj) return i - si < j - sj ? -1 : 1
    const numeric = isDigit(a[i])
    const endA = takeRun(a, i, numeric)
    const endB = takeRun(b, j, numeric)
    if (endB === j) return numeric ? 1 : -1
    const rc = compareSegments(a.slice(i, endA), b.slice(j, endB), numeric)
    if (rc !== 0) return rc
    i = endA
    j = endB
  }
  if (i >= a.length && j >= b.length) return 0
  if ((i >= a.length && !isAlpha(b[j])) || isAlpha(a[i])) return -1
  return 1
}

/** Arch Linux: epoch, then version, then release only when both have one. */
export function compareAlpmVersions(a: EpochVersionRelease, b: EpochVersionRelease): number {
  const byVersion = Math.sign(a.epoch - b.epoch) || alpmVercmp(a.version, b.version)
  if (byVersion !== 0 || a.release === null || b.release === null) return byVersion
  return alpmVercmp(a.release, b.release)
}
