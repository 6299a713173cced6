/**
 * Maven versions ordered as Maven's ComparableVersion orders them: items split on '.', '-' and
 * digit/letter transitions; '-' opens a sub-list; known qualifiers alpha < beta < milestone <
 * rc = cr < snapshot < "" = ga = final < sp, unknown qualifiers after them in lexical order;
 * trailing zeros and empty qualifiers are dropped ("1.0.0" = "1" = "1-ga").
 * Written here: no maintained npm package implements ComparableVersion.
 */

type Item = bigint | string | MavenItems

export type MavenItems = Item[]

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp']
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' }
const RELEASE_INDEX = QUALIFIERS.indexOf('')

function qualifierKey(q: string): [number, string] {
  const i = QUALIFIERS.indexOf(q)
  return i >= 0 ? [i, ''] : [QUALIFIERS.length, q]
}

function compareQualifiers(a: string, b: string): number {
  const [ia, sa] = qualifierKey(a)
  const [ib, sb] = qualifierKey(b)
  if (ia !== ib) return ia < ib ? -1 : 1
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

function stringItem(text: string, followedByDigit: boolean): string {
  let value = text
  if (followedByDigit && value.length === 1) {
    value = { a: 'alpha', b: 'beta', m: 'milestone' }[value] ?? value
  }
  return ALIASES[value] ?? value
}

function isNull(item: Item): boolean {
  if (typeof item === 'bigint') return item === 0n
  if (typeof item === 'string') return qualifierKey(item)[0] === RELEASE_INDEX
  return item.length === 0
}

function normalise(list: MavenItems): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as Item
    if (isNull(item)) list.splice(i, 1)
    else if (!Array.isArray(item)) break
  }
}

export function parseMavenVersion(version: string): MavenItems | undefined {
  if (version.trim() === '' || /\s/.test(version)) return undefined
  const text = version.toLowerCase()
  const root: MavenItems = []
  const lists: MavenItems[] = [root]
  let list = root
  let isDigit = false
  let start = 0
  const parseItem = (digit: boolean, buf: string): Item =>
    digit ? BigInt(buf) : stringItem(buf, false)
  const openList = (): void => {
    const next: MavenItems = []
    list.push(next)
    list = next
    lists.push(next)
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (c === '.') {
      list.push(i === start ? 0n : parseItem(isDigit, text.slice(start, i)))
      start = i + 1
    } else if (c === '-') {
      list.push(i === start ? 0n : parseItem(isDigit, text.slice(start, i)))
      start = i + 1
      openList()
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(stringItem(text.slice(start, i), true))
        start = i
        openList()
      }
      isDigit = true
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, text.slice(start, i)))
        start = i
        openList()
      }
      isDigit = false
    }
  }
  if (text.length > start) list.push(parseItem(isDigit, text.slice(start)))
  for (let i = lists.length - 1; i >= 0; i--) normalise(lists[i] as MavenItems)
  return root
}

/** Compares one item with another, or with nothing (undefined: "1.0" = "1", "1-rc" < "1"). */
function compareItem(a: Item, b: Item | undefined): number {
  if (typeof a === 'bigint') {
    if (b === undefined) return a === 0n ? 0 : 1
    if (typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
    return 1 // 1.1 > 1-sp, 1.1 > 1-1
  }
  if (typeof a === 'string') {
    if (b === undefined) return compareQualifiers(a, '')
    if (typeof b === 'string') return compareQualifiers(a, b)
    return -1 // 1.any < 1.1, 1.any < 1-1
  }
  if (b === undefined) return a.length === 0 ? 0 : compareItem(a[0] as Item, undefined)
  if (typeof b === 'bigint') return -1 // 1-1 < 1.0.x
  if (typeof b === 'string') return 1 // 1-1 > 1-sp
  return compareMavenVersions(a, b)
}

export function compareMavenVersions(a: MavenItems, b: MavenItems): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i]
    const r = b[i]
    const result =
      l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r)
    if (result !== 0) return result
  }
  return 0
}
