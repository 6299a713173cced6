/**
 * Debian package versions ([epoch:]upstream[-revision]) ordered as dpkg does (deb-version(7)).
 * Written here: no maintained npm package implements dpkg's ordering, and it is short.
 */

export interface DebianVersion {
  epoch: number
  upstream: string
  revision: string
}

const UPSTREAM = /^[0-9][A-Za-z0-9.+~-]*$/
const REVISION = /^[A-Za-z0-9.+~]+$/

export function parseDebianVersion(version: string): DebianVersion | undefined {
  let rest = version
  let epoch = 0
  const colon = rest.indexOf(':')
  if (colon >= 0) {
    const epochText = rest.slice(0, colon)
    if (!/^\d+$/.test(epochText)) return undefined
    epoch = Number(epochText)
    rest = rest.slice(colon + 1)
  }
  let revision = ''
  const dash = rest.lastIndexOf('-')
  if (dash >= 0) {
    revision = rest.slice(dash + 1)
    rest = rest.slice(0, dash)
    if (!REVISION.test(revision)) return undefined
  }
  if (!UPSTREAM.test(rest) || !Number.isSafeInteger(epoch)) return undefined
  return { epoch, upstream: rest, revision }
}

// dpkg's character weight: '~' sorts before everything, even the end of the string; letters
// before other characters.
function weight(text: string, i: number): number {
  if (i >= text.length) return 0
  const c = text.charCodeAt(i)
  if (c === 0x7e) return -1
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return c
  return c + 256
}

function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  return c >= 0x30 && c <= 0x39
}

/** dpkg's verrevcmp: alternating non-digit and digit runs. */
export function compareDebianPart(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a, i)) || (j < b.length && !isDigit(b, j))) {
      const diff = weight(a, i) - weight(b, j)
      if (diff !== 0) return Math.sign(diff)
      i++
      j++
    }
    while (a[i] === '0') i++
    while (b[j] === '0') j++
    let firstDiff = 0
    while (isDigit(a, i) && isDigit(b, j)) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j)
      i++
      j++
    }
    if (isDigit(a, i)) return 1
    if (isDigit(b, j)) return -1
    if (firstDiff !== 0) return Math.sign(firstDiff)
  }
  return 0
}

export function compareDebianVersions(a: DebianVersion, b: DebianVersion): number {
  return (
    Math.sign(a.epoch - b.epoch) ||
    compareDebianPart(a.upstream, b.upstream) ||
    compareDebianPart(a.revision, b.revision)
  )
}
