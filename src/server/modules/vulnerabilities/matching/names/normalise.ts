import fs from 'node:fs'
import path from 'node:path'
import { PROJECT_ROOT } from '../../../../kernel/paths.ts'

/**
 * Vendor and product names as advisories and manufacturers write them, reduced to keys that
 * compare: `Siemens AG` → `siemens`, `Schneider Electric Software, LLC` → `schneider-electric`,
 * `Allen-Bradley` → `rockwell-automation`, `SIMATIC® S7-1500 CPU 1518-4 PN/DP` →
 * `simatic s7-1500 cpu 1518-4 pn/dp`.
 *
 * Vendor keys come from two steps: a mechanical one ({@link mechanicalVendorKey}: case, accents,
 * mis-decoded UTF-8, punctuation, legal suffixes such as Inc, GmbH, AG, SE, LLC) and the reviewed
 * alias table `vendor-aliases.json` (README.md beside it), which joins the spellings that the
 * mechanical step cannot (subsidiaries, former names, typos) and splits strings that name several
 * vendors.
 */

const LEGAL_SUFFIXES = new Set([
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'ltd',
  'ltda',
  'limited',
  'llc',
  'llp',
  'lp',
  'gmbh',
  'ag',
  'se',
  'sa',
  'spa',
  'srl',
  'sas',
  'sarl',
  'bv',
  'nv',
  'ab',
  'aktiebolag',
  'oy',
  'plc',
  'kg',
  'kk',
  'pty',
  'pte',
  'me',
  'and',
])

/** `GeutebrÃ¼ck` (UTF-8 read as Latin-1) → `Geutebrück`; other text is returned unchanged. */
export function repairMojibake(text: string): string {
  if (!/[ÃÂ][\u0080-\u00bf]/.test(text)) return text
  try {
    const bytes = Uint8Array.from([...text].map((c) => c.charCodeAt(0)))
    if ([...text].some((c) => c.charCodeAt(0) > 0xff)) return text
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return decoded
  } catch {
    return text
  }
}

/** Lower-case ASCII-ish text: mojibake repaired, accents and ®™© removed, NFKC. */
export function foldText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text.toLowerCase()
  return repairMojibake(text)
    .replace(/[®™©℠]/g, ' ')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFKC')
    .toLowerCase()
}

/**
 * The mechanical vendor key: folded, parentheses dropped (`General Electric (GE)`), `&`/`+` and
 * punctuation as spaces, legal-form words removed from the end (`Pilz GmbH & Co. KG` → `pilz`),
 * words joined with `-`. '' when nothing is left.
 */
export function mechanicalVendorKey(vendor: string): string {
  const known = vendorKeyCache.get(vendor)
  if (known !== undefined) return known
  const words = foldText(vendor)
    .replace(/\([^)]*\)/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w !== '')
  while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1] ?? '')) words.pop()
  const key = words.join('-')
  // Advisories repeat a few hundred vendor strings: remember them (bounded).
  if (vendorKeyCache.size >= 10_000) vendorKeyCache.clear()
  vendorKeyCache.set(vendor, key)
  return key
}

const vendorKeyCache = new Map<string, string>()

/** The lookup form: the mechanical key without separators, so `ControlByWeb` = `Control By Web`. */
function compact(key: string): string {
  return key.replace(/-/g, '')
}

interface AliasFile {
  vendors: { key: string; name: string; aliases: string[] }[]
  several: { text: string; keys: string[] }[]
  notVendors: string[]
}

export interface VendorAliases {
  /** compact mechanical key → canonical keys (one, or several for "A, B and C"). */
  lookup: Map<string, string[]>
  /** canonical key → display name. */
  names: Map<string, string>
  notVendors: Set<string>
}

/** Where the reviewed alias table is. */
export const VENDOR_ALIASES_FILE = path.join(
  PROJECT_ROOT,
  'src/server/modules/vulnerabilities/matching/names/vendor-aliases.json',
)

/** Builds the lookup from an alias file's content (exported for tests and other tables). */
export function buildVendorAliases(file: AliasFile): VendorAliases {
  const lookup = new Map<string, string[]>()
  const names = new Map<string, string>()
  for (const vendor of file.vendors) {
    names.set(vendor.key, vendor.name)
    for (const spelling of [vendor.key, vendor.name, ...vendor.aliases]) {
      lookup.set(compact(mechanicalVendorKey(spelling)), [vendor.key])
    }
  }
  for (const entry of file.several) {
    lookup.set(compact(mechanicalVendorKey(entry.text)), entry.keys)
  }
  return {
    lookup,
    names,
    notVendors: new Set(file.notVendors.map((n) => compact(mechanicalVendorKey(n)))),
  }
}

let loaded: VendorAliases | undefined

/** The project's reviewed alias table, read once. */
export function vendorAliases(): VendorAliases {
  loaded ??= buildVendorAliases(
    JSON.parse(fs.readFileSync(VENDOR_ALIASES_FILE, 'utf8')) as AliasFile,
  )
  return loaded
}

/**
 * The canonical vendor keys a vendor string stands for: usually one (`Siemens AG` → `siemens`),
 * several for strings that name several vendors (`Matrikon, Honeywell` → `matrikon`,
 * `honeywell`), none for strings that name no vendor (`multiple`, `n/a`, empty).
 */
export function vendorKeys(vendor: string, aliases: VendorAliases = vendorAliases()): string[] {
  const key = mechanicalVendorKey(vendor)
  if (key === '') return []
  const c = compact(key)
  if (aliases.notVendors.has(c)) return []
  return aliases.lookup.get(c) ?? [key]
}

/** Words that describe a set of products rather than name one. */
const GENERIC_WORDS = new Set([
  'all',
  'and',
  'devices',
  'device',
  'family',
  'firmware',
  'for',
  'models',
  'model',
  'of',
  'product',
  'products',
  'series',
  'software',
  'the',
  'version',
  'versions',
  'with',
])

/** Folded text with only letters, digits, spaces and `-`, `/`, `.`, `+`, `_` inside words. */
/** Longest product name read; the rest is cut off (SBOM names can be anything). */
export const MAX_NAME_LENGTH = 500

function productText(name: string): string {
  return foldText(name.slice(0, MAX_NAME_LENGTH))
    .replace(/[^a-z0-9\-/.+_\s]+/g, ' ')
    .replace(/(^|\s)[-/.+_]+|[-/.+_]+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * A product name folded for comparison: lower case, accents and trademark signs gone, remarks in
 * parentheses dropped (`(incl. SIPLUS variants)`, `(6ES7414-3EM07-0AB0)`), spaces collapsed,
 * punctuation other than `-`, `/`, `.`, `+`, `_` inside words removed. The vendor's own name at
 * the start is left out when given (`Siemens SIMATIC S7-1500` → `simatic s7-1500`).
 */
export function normaliseProductName(name: string, vendor?: string): string {
  let text = productText(name.replace(/\([^()]*\)/g, ' '))
  if (vendor) {
    const v = mechanicalVendorKey(vendor).replace(/-/g, ' ')
    if (v !== '' && text.startsWith(v + ' ')) text = text.slice(v.length + 1)
  }
  return text
}

/** The words of a normalised product name that name something (generic words left out). */
export function productWords(name: string, vendor?: string): string[] {
  return normaliseProductName(name, vendor)
    .split(' ')
    .filter((w) => w !== '' && !GENERIC_WORDS.has(w))
}

/** A model or order number compared without case or separators: `6ES7 518-4AP00-0AB0` → `6ES75184AP000AB0`. */
export function compactModelNumber(model: string): string {
  return foldText(model)
    .replace(/[^a-z0-9]/g, '')
    .toUpperCase()
}

/**
 * Model-like words of a product name: at least four characters, at least one digit and one
 * letter or separator, not a version (`V2.9`) — `S7-1500`, `1518-4`, `1756-EN2T`,
 * `6ES7518-4AX00-1AB0`. Returned compacted ({@link compactModelNumber}).
 */
export function extractModelNumbers(name: string): string[] {
  const out = new Set<string>()
  for (const word of productText(name).split(' ')) {
    if (word.length < 4 || !/\d/.test(word)) continue
    if (/^v?\d+(\.\d+)+$/.test(word) || (/^v\d/.test(word) && /^v[\d.]+$/.test(word))) continue
    if (!/[a-z]/.test(word) && !/[-/_]/.test(word)) continue
    out.add(compactModelNumber(word))
  }
  return [...out]
}
