import {
  type CsafLeaf,
  type CsafProductTree,
  type CsafRemediation,
  type CsafVulnerabilityProducts,
  type ProductStatus,
  statusesOf,
} from './csaf/product-tree.ts'
import {
  compactModelNumber,
  extractModelNumbers,
  normaliseProductName,
  productWords,
  vendorKeys,
} from './names/normalise.ts'
import {
  matchVendorVersion,
  type MatchStatus,
  type RangeVerdict,
} from './vendor-versions/vendor-range.ts'

/**
 * Matching a product — as a registered product carries it (manufacturer, product name, model
 * numbers, firmware version) or as an SBOM component does (supplier, name, version) — to the
 * leaves of CSAF advisories that carry neither purl nor CPE (all of CISA's ICS advisories).
 *
 * 1. {@link indexLeaves} groups leaves by canonical vendor key (names/normalise.ts).
 * 2. {@link findCandidates} returns the leaves that may describe the product, each with a
 *    confidence and the rule that found it:
 *    - `high` — same vendor and a model number in common (the product's model numbers against
 *      the leaf's `model_numbers`, `skus` or order-number-like words of its name, 8 characters
 *      or more without separators, such as `6ES7414-3EM07-0AB0` or `1756-EN2T`);
 *    - `medium` — same vendor and the same normalised product name;
 *    - `low` — same vendor and one name contained in the other (a product family such as
 *      `SIMATIC S7-1500 CPU family` for `SIMATIC S7-1500 CPU 1518-4 PN/DP`), or no vendor on the
 *      product (an SBOM component without supplier) and the same product name.
 *    Each candidate also carries the version verdict against the leaf's range or version.
 * 3. {@link assessVulnerabilities} joins candidates with each vulnerability's product statuses
 *    into findings: affected, not_affected or unknown, each with the reason. Unknowns are kept
 *    for human review, never dropped.
 */

export interface ProductDescription {
  /** Manufacturer, or an SBOM component's supplier; may be empty. */
  vendor: string
  /** Product name, or an SBOM component's name. */
  product: string
  modelNumbers?: string[]
  /** Firmware or software version; a missing version gives `unknown` against any range. */
  version?: string
}

export type Confidence = 'high' | 'medium' | 'low'

export type MatchRule =
  'vendor+model_number' | 'vendor+product_name' | 'vendor+product_family' | 'product_name_only'

export interface ProductCandidate {
  leaf: CsafLeaf
  confidence: Confidence
  rule: MatchRule
  /** The keys compared: vendor key, and the model number or names that matched. */
  keys: { vendor?: string; matched: string }
  /** The product's version against the leaf's range (or exact version). */
  version: RangeVerdict & { range?: string }
}

export interface LeafIndex {
  /** Canonical vendor key → that vendor's leaves, indexed several ways. */
  byVendor: Map<string, VendorLeaves>
  /** Every leaf by normalised product name, for products that come without a vendor. */
  byProduct: Map<string, CsafLeaf[]>
}

/** One vendor's leaves by model number, by name, by word set and by word. */
interface VendorLeaves {
  byModel: Map<string, CsafLeaf[]>
  byName: Map<string, CsafLeaf[]>
  /** Sorted distinct words of a leaf's product name (or of its family) → leaves. */
  byWords: Map<string, CsafLeaf[]>
  byWord: Map<string, Set<CsafLeaf>>
}

const CONFIDENCE_ORDER: Record<Confidence, number> = { high: 0, medium: 1, low: 2 }

/** A product's words beyond this many are left out of the subset search (2^12 lookups). */
const MAX_WORDS = 12

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (!list) map.set(key, [value])
  else if (list[list.length - 1] !== value) list.push(value)
}

function wordsKey(words: string[]): string {
  return [...new Set(words)].sort().join(' ')
}

/**
 * Whether a set of words is specific enough to match on: "SIMATIC" alone would match every
 * SIMATIC product, so two words or one with a digit are needed.
 */
function meaningful(words: string[]): boolean {
  return words.length >= 2 || words.some((w) => /\d/.test(w))
}

/**
 * Groups leaves (of one or many advisories) by canonical vendor key, and within a vendor by
 * model number, normalised name and words, so that {@link findCandidates} makes a few map
 * lookups per product instead of a pass over the vendor's leaves.
 */
export function indexLeaves(
  leaves: Iterable<CsafLeaf>,
  /** The leaf's terms when already known (a snapshot stores them); else computed. */
  termsOf?: (leaf: CsafLeaf) => LeafTerms | undefined,
): LeafIndex {
  const index: LeafIndex = { byVendor: new Map(), byProduct: new Map() }
  for (const leaf of leaves) {
    const terms = termsOf?.(leaf) ?? leafTerms(leaf)
    for (const key of terms.vendorKeys) {
      let bucket = index.byVendor.get(key)
      if (!bucket) {
        bucket = { byModel: new Map(), byName: new Map(), byWords: new Map(), byWord: new Map() }
        index.byVendor.set(key, bucket)
      }
      for (const m of terms.models) push(bucket.byModel, m, leaf)
      for (const n of terms.names) push(bucket.byName, n, leaf)
      for (const w of terms.wordSets) push(bucket.byWords, w, leaf)
      for (const w of terms.words) {
        let set = bucket.byWord.get(w)
        if (!set) bucket.byWord.set(w, (set = new Set()))
        set.add(leaf)
      }
    }
    push(index.byProduct, terms.product, leaf)
  }
  return index
}

/** What {@link indexLeaves} files one leaf under (the same under each of its vendor keys). */
export interface LeafTerms {
  vendorKeys: string[]
  /** Compacted model numbers (byModel). */
  models: string[]
  /** Normalised product names (byName). */
  names: string[]
  /** Keys of its meaningful word sets, name and family (byWords). */
  wordSets: string[]
  /** Its name's words (byWord). */
  words: string[]
  /** Its normalised product name without vendor (byProduct). */
  product: string
}

export function leafTerms(leaf: CsafLeaf): LeafTerms {
  const product = leaf.product || leaf.name
  const names = new Set(
    [leaf.product, leaf.name]
      .filter((n) => n !== '')
      .map((n) => normaliseProductName(n, leaf.vendor)),
  )
  const words = productWords(product, leaf.vendor)
  const familyWords = leaf.productFamily ? productWords(leaf.productFamily, leaf.vendor) : []
  const models = new Set([
    ...[...leaf.modelNumbers, ...leaf.skus].map(compactModelNumber),
    // From names only order-number-like words: "S7-1500" or "414-3" name a family or a CPU
    // type, not a model, and must not give high confidence.
    ...extractModelNumbers(`${leaf.product} ${leaf.name}`).filter((m) => m.length >= 8),
  ])
  return {
    vendorKeys: vendorKeys(leaf.vendor),
    models: [...models],
    names: [...names],
    wordSets: [words, familyWords].filter((w) => meaningful(w)).map((w) => wordsKey(w)),
    words,
    product: normaliseProductName(product),
  }
}

/**
 * The index keys {@link findCandidates} looks a product up by, so that a store of
 * {@link leafTerms} (the snapshot's `csaf_leaf_terms`) can return just the leaves it can find:
 * per vendor key, `terms` (any leaf filed under one of them: `m:` model, `n:` name, `s:` word
 * set) and `allWords` (leaves whose name words include all of these: `w:` words).
 */
export interface ProductLookup {
  vendorKeys: string[]
  terms: string[]
  allWords?: string[]
}

export const TERM = { model: 'm:', name: 'n:', wordSet: 's:', word: 'w:' } as const

/** The snapshot terms of a leaf, one list for each of its vendor keys. */
export function leafTermList(terms: LeafTerms): string[] {
  return [
    ...terms.models.map((m) => TERM.model + m),
    ...terms.names.map((n) => TERM.name + n),
    ...terms.wordSets.map((w) => TERM.wordSet + w),
    ...terms.words.map((w) => TERM.word + w),
  ]
}

/**
 * What {@link findCandidates} would look `product` up by (undefined: no vendor, no lookup).
 * `knownVendor`: leave out vendor keys the store is known not to hold (undefined when none is
 * left), before the product's name is normalised.
 */
export function productLookup(
  product: ProductDescription,
  knownVendor?: (key: string) => boolean,
): ProductLookup | undefined {
  const keys = knownVendor
    ? vendorKeys(product.vendor).filter(knownVendor)
    : vendorKeys(product.vendor)
  if (keys.length === 0) return undefined
  const productName = normaliseProductName(product.product, product.vendor)
  const words = productWords(product.product, product.vendor)
  const models = (product.modelNumbers ?? []).map(compactModelNumber).filter((m) => m.length >= 3)
  const terms = models.map((m) => TERM.model + m)
  if (productName !== '') terms.push(TERM.name + productName)
  const distinct = [...new Set(words)].sort().slice(0, MAX_WORDS)
  for (let mask = 1; mask < 1 << distinct.length; mask++) {
    const subset = distinct.filter((_, i) => mask & (1 << i))
    if (meaningful(subset)) terms.push(TERM.wordSet + subset.join(' '))
  }
  return {
    vendorKeys: keys,
    terms,
    ...(meaningful(words) ? { allWords: [...new Set(words)] } : {}),
  }
}

/** Leaves whose name (or family) words are a meaningful subset of `words`. */
function leavesWithin(bucket: VendorLeaves, words: string[]): [CsafLeaf, string][] {
  const distinct = [...new Set(words)].sort().slice(0, MAX_WORDS)
  const out: [CsafLeaf, string][] = []
  for (let mask = 1; mask < 1 << distinct.length; mask++) {
    const subset = distinct.filter((_, i) => mask & (1 << i))
    if (!meaningful(subset)) continue
    const key = subset.join(' ')
    for (const leaf of bucket.byWords.get(key) ?? []) out.push([leaf, key])
  }
  return out
}

/** Leaves whose name words include all of `words` (a product registered by its family name). */
function leavesAround(bucket: VendorLeaves, words: string[]): [CsafLeaf, string][] {
  if (!meaningful(words)) return []
  const lists = [...new Set(words)].map((w) => bucket.byWord.get(w) ?? new Set<CsafLeaf>())
  lists.sort((a, b) => a.size - b.size)
  const [smallest, ...others] = lists
  const key = words.join(' ')
  return [...(smallest ?? [])].filter((l) => others.every((s) => s.has(l))).map((l) => [l, key])
}

function versionOf(leaf: CsafLeaf, version: string | undefined): ProductCandidate['version'] {
  if (leaf.range !== undefined) {
    return { ...matchVendorVersion(leaf.range, version), range: leaf.range }
  }
  if (leaf.version !== undefined) {
    return { ...matchVendorVersion(leaf.version, version, { exact: true }), range: leaf.version }
  }
  return { status: 'affected', reason: 'the advisory names the product without a version' }
}

/**
 * The leaves that may describe `product`, best first (confidence, then discovery order). A leaf
 * is returned once, under the strongest rule that finds it.
 */
export function findCandidates(product: ProductDescription, index: LeafIndex): ProductCandidate[] {
  const keys = vendorKeys(product.vendor)
  const productName = normaliseProductName(product.product, product.vendor)
  const words = productWords(product.product, product.vendor)
  const models = (product.modelNumbers ?? []).map(compactModelNumber).filter((m) => m.length >= 3)
  const out: ProductCandidate[] = []
  const seen = new Set<CsafLeaf>()
  const add = (
    leaf: CsafLeaf,
    confidence: Confidence,
    rule: MatchRule,
    keysCompared: ProductCandidate['keys'],
  ): void => {
    if (seen.has(leaf)) return
    seen.add(leaf)
    out.push({
      leaf,
      confidence,
      rule,
      keys: keysCompared,
      version: versionOf(leaf, product.version),
    })
  }
  for (const vendor of keys) {
    const bucket = index.byVendor.get(vendor)
    if (!bucket) continue
    for (const model of models) {
      for (const leaf of bucket.byModel.get(model) ?? []) {
        add(leaf, 'high', 'vendor+model_number', { vendor, matched: model })
      }
    }
    for (const leaf of productName === '' ? [] : (bucket.byName.get(productName) ?? [])) {
      add(leaf, 'medium', 'vendor+product_name', { vendor, matched: productName })
    }
    for (const [leaf, matched] of [
      ...leavesWithin(bucket, words),
      ...leavesAround(bucket, words),
    ]) {
      add(leaf, 'low', 'vendor+product_family', { vendor, matched })
    }
  }
  if (keys.length === 0 && productName !== '') {
    // A product without a vendor (an SBOM component without supplier) is matched by its exact
    // normalised name only, at low confidence.
    for (const leaf of index.byProduct.get(productName) ?? []) {
      add(leaf, 'low', 'product_name_only', { matched: productName })
    }
  }
  return out.sort((a, b) => CONFIDENCE_ORDER[a.confidence] - CONFIDENCE_ORDER[b.confidence])
}

export interface Finding {
  /** Index of the vulnerability in the document, and its CVE when it has one. */
  vulnerability: number
  cve?: string
  productId: string
  status: MatchStatus
  /** Why: the product status, the version verdict and the matching rule, in words. */
  reason: string
  confidence: Confidence
  rule: MatchRule
  keys: ProductCandidate['keys']
  /** The range or version string the product's version was compared with. */
  range?: string
  productStatuses: ProductStatus[]
  remediations: CsafRemediation[]
}

const AFFECTED: ProductStatus[] = ['known_affected', 'first_affected', 'last_affected']
const NOT_AFFECTED: ProductStatus[] = ['fixed', 'first_fixed', 'known_not_affected', 'recommended']
const OPEN: ProductStatus[] = ['under_investigation', 'unknown']

/**
 * Findings of one advisory for one product: for each vulnerability and each candidate leaf that
 * the vulnerability lists, the product status combined with the version verdict.
 *
 * - listed as affected, version in range → `affected`; outside → `not_affected`; cannot tell →
 *   `unknown`;
 * - listed as fixed / not affected / recommended, version in that leaf → `not_affected`; version
 *   not comparable → no finding (nothing claims the product is affected);
 * - under investigation (or 2.1's unknown), version in range or not comparable → `unknown`.
 */
export function assessVulnerabilities(
  candidates: ProductCandidate[],
  vulnerabilities: CsafVulnerabilityProducts[],
): Finding[] {
  const findings: Finding[] = []
  for (const v of vulnerabilities) {
    for (const c of candidates) {
      const statuses = statusesOf(v, c.leaf.productId)
      if (statuses.length === 0) continue
      const verdict = c.version
      const how = `${c.rule} (${c.confidence}: ${c.keys.matched})`
      let status: MatchStatus | undefined
      let reason: string
      if (statuses.some((s) => AFFECTED.includes(s))) {
        status = verdict.status
        reason = `listed as ${statuses.join(', ')}; ${verdict.reason}; ${how}`
      } else if (statuses.some((s) => OPEN.includes(s))) {
        status = verdict.status === 'not_affected' ? undefined : 'unknown'
        reason = `listed as ${statuses.join(', ')}; ${verdict.reason}; ${how}`
      } else if (statuses.some((s) => NOT_AFFECTED.includes(s))) {
        status = verdict.status === 'affected' ? 'not_affected' : undefined
        reason = `listed as ${statuses.join(', ')}; ${verdict.reason}; ${how}`
      } else {
        continue
      }
      if (!status) continue
      findings.push({
        vulnerability: v.index,
        ...(v.cve ? { cve: v.cve } : {}),
        productId: c.leaf.productId,
        status,
        reason,
        confidence: c.confidence,
        rule: c.rule,
        keys: c.keys,
        ...(verdict.range === undefined ? {} : { range: verdict.range }),
        productStatuses: statuses,
        remediations: v.remediations.filter((r) => r.productIds.includes(c.leaf.productId)),
      })
    }
  }
  return findings
}

/** One call for one advisory: flatten-and-resolve results in, findings out. */
export function matchProductToAdvisory(
  product: ProductDescription,
  tree: CsafProductTree,
  vulnerabilities: CsafVulnerabilityProducts[],
): Finding[] {
  return assessVulnerabilities(findCandidates(product, indexLeaves(tree.leaves)), vulnerabilities)
}
