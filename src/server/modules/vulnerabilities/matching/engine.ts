import { parseCpe } from '../../sboms/cpe.ts'
import { evaluateOsvAffected, type OsvAffected, type OsvEvent } from '../versions/osv.ts'
import { buildPurl, parsePurl, type Purl } from '../versions/purl.ts'
import {
  statusesOf,
  type CsafLeaf,
  type CsafVulnerabilityProducts,
  type ProductStatus,
} from './csaf/product-tree.ts'
import { vendorKeys } from './names/normalise.ts'
import {
  assessVulnerabilities,
  findCandidates,
  indexLeaves,
  productLookup,
  type Confidence,
  type ProductLookup,
  type Finding as CsafFinding,
  type LeafIndex,
  type LeafTerms,
  type ProductCandidate,
} from './product-match.ts'
import { matchVendorVersion } from './vendor-versions/vendor-range.ts'

/**
 * The matching engine's pure core: components in, candidate advisory data in, findings out. No
 * database, no I/O — the server feeds it from the advisory tables (findings.service.ts) and the
 * offline `isn sbom scan` can feed it from a snapshot file; both get the same answers.
 *
 * Three paths, each recording why it matched and with what confidence:
 * - **purl** → OSV `affected[]` entries of the same package (ecosystem + name, or the entry's own
 *   purl), evaluated with the ecosystem's ordering by `evaluateOsvAffected` (versions/osv.ts):
 *   confidence `high`;
 * - **cpe** → CSAF leaves that carry a CPE of the same vendor:product (bounded fan-out):
 *   confidence `medium`;
 * - **vendor/product** → CSAF leaves found by `findCandidates` (product-match.ts: model number
 *   `high`, product name `medium`, family `low`) for the registered product and for components
 *   with a supplier, each with the vendor-version verdict.
 *
 * `not_affected` never produces a finding; `unknown` does (status `unknown`, for human review).
 * KEV is joined by CVE id afterwards.
 */

export type FindingStatus = 'affected' | 'unknown'
export type MatchedBy = 'purl' | 'cpe' | 'vendor_product'
export type { Confidence } from './product-match.ts'

/** Something to match: an SBOM component, or the registered product itself. */
export interface EngineComponent {
  /** Unique within one call (the SBOM's bom-ref / SPDXID, or {@link PRODUCT_KEY}). */
  key: string
  name: string
  version?: string | null
  /** Canonical purl (with version); invalid purls are ignored. */
  purl?: string | null
  /**
   * `purl` already parsed (the SBOM parser parses every purl to canonicalise it): spares the
   * engine parsing it again. Must be what `parsePurl(purl)` gives.
   */
  parsedPurl?: Purl
  cpes?: readonly string[]
  /** Supplier or manufacturer: the vendor for CSAF name matching. */
  supplier?: string | null
  modelNumbers?: readonly string[]
}

/** The key under which the registered product (not an SBOM component) is matched. */
export const PRODUCT_KEY = '@product'

interface AdvisoryInfo {
  /** The advisory's own id (OSV id, CSAF tracking id). */
  advisoryId: string
  /** The ids it is also known by (CVE, GHSA, …). */
  aliases: readonly string[]
  severity?: string | null
  cvssScore?: number | null
}

/** An OSV record reduced to what matching needs. */
export interface OsvCandidate extends AdvisoryInfo {
  source: 'osv'
  /** `affected[]` entries (package, ranges, versions), in record order. */
  affected: readonly OsvAffected[]
}

/** A CSAF document reduced to its (relevant) leaves and vulnerabilities. */
export interface CsafCandidate extends AdvisoryInfo {
  source: 'csaf'
  leaves: readonly CsafLeaf[]
  vulnerabilities: readonly CsafVulnerabilityProducts[]
}

export interface KevInfo {
  cve: string
  dateAdded: string
  dueDate: string
  knownRansomwareCampaignUse?: string | null
}

export interface MatchCandidates {
  osv: readonly OsvCandidate[]
  csaf: readonly CsafCandidate[]
  /** KEV entries by CVE id. */
  kev: ReadonlyMap<string, KevInfo>
}

export interface MatchOptions {
  /**
   * Match components that have neither supplier nor purl against CSAF leaves by product name
   * alone (confidence low). Off by default: too noisy, and the database path has no index for it.
   */
  csafNameOnly?: boolean
  /** CPEs read per component (default 8) and CSAF leaves per CPE key (default 200). */
  maxCpesPerComponent?: number
  maxLeavesPerCpe?: number
  /** CSAF candidate leaves kept per component (default 200). */
  maxCsafCandidates?: number
}

/** Why a finding matched: stored with it as JSON and shown to people. */
export interface FindingReason {
  matchedBy: MatchedBy
  /** The key compared: `pkg:pypi/django`, `cpe vendor:product`, `vendor key | matched name`. */
  key: string
  /** The deciding rule, e.g. `OSV ECOSYSTEM introduced 3.1 fixed 3.1.9`. */
  rule: string
  componentVersion: string | null
  /** One sentence per contributing entry, range or vulnerability. */
  details: string[]
}

export interface EngineFinding {
  componentKey: string
  source: 'osv' | 'csaf'
  advisoryId: string
  /** CVE ids the finding is known by (for KEV and VEX joins). */
  cves: string[]
  status: FindingStatus
  confidence: Confidence
  reason: FindingReason
  fixedVersion: string | null
  severity: string | null
  cvssScore: number | null
  kev: KevInfo | null
}

// ---- package keys (shared with the candidate sources)

const PURL_TO_ECOSYSTEM: Record<string, string> = {
  pypi: 'PyPI',
  npm: 'npm',
  golang: 'Go',
  maven: 'Maven',
  cargo: 'crates.io',
  gem: 'RubyGems',
  nuget: 'NuGet',
  composer: 'Packagist',
  hex: 'Hex',
  pub: 'Pub',
  apk: 'Alpine',
  alpine: 'Alpine',
}

const ECOSYSTEM_TO_PURL: Record<string, { type: string; namespace?: string }[]> = {
  PyPI: [{ type: 'pypi' }],
  npm: [{ type: 'npm' }],
  Go: [{ type: 'golang' }],
  Maven: [{ type: 'maven' }],
  'crates.io': [{ type: 'cargo' }],
  RubyGems: [{ type: 'gem' }],
  NuGet: [{ type: 'nuget' }],
  Packagist: [{ type: 'composer' }],
  Hex: [{ type: 'hex' }],
  Pub: [{ type: 'pub' }],
  Debian: [{ type: 'deb', namespace: 'debian' }],
  Ubuntu: [{ type: 'deb', namespace: 'ubuntu' }],
  Alpine: [
    { type: 'apk', namespace: 'alpine' },
    { type: 'alpine', namespace: 'alpine' },
  ],
}

/** The OSV name key of a package name: PEP 503 for PyPI, otherwise as written. */
export function osvNameKey(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name
}

/** The OSV package (ecosystem base and name key) a purl stands for, when we know the mapping. */
export function osvPackageOfPurl(purl: Purl): { ecosystem: string; name: string } | undefined {
  let ecosystem = PURL_TO_ECOSYSTEM[purl.type]
  if (purl.type === 'deb') {
    ecosystem =
      purl.namespace === 'ubuntu' ? 'Ubuntu' : purl.namespace === 'debian' ? 'Debian' : undefined
  }
  if (!ecosystem) return undefined
  let name = purl.name
  if (purl.namespace && ['npm', 'golang', 'composer'].includes(purl.type)) {
    name = `${purl.namespace}/${purl.name}`
  } else if (purl.type === 'maven') {
    if (!purl.namespace) return undefined
    name = `${purl.namespace}:${purl.name}`
  }
  return { ecosystem, name: osvNameKey(ecosystem, name) }
}

export interface PurlKey {
  type: string
  namespace: string | null
  name: string
}

/**
 * The purl package keys (type, namespace, name) under which SBOM components of an OSV package
 * are stored: what the re-evaluation looks components up by. Several for PyPI (purls keep `.`
 * that PEP 503 folds) and Alpine (`apk` and syft's `alpine`).
 */
export function purlKeysOfOsvPackage(ecosystem: string, name: string): PurlKey[] {
  const base = ecosystem.split(':')[0] ?? ''
  const out: PurlKey[] = []
  const names = base === 'PyPI' ? [...new Set([name, osvNameKey('PyPI', name)])] : [name]
  for (const target of ECOSYSTEM_TO_PURL[base] ?? []) {
    for (const n of names) {
      let namespace = target.namespace ?? null
      let purlName = n
      if (base === 'Maven') {
        const colon = n.indexOf(':')
        if (colon < 0) continue
        namespace = n.slice(0, colon)
        purlName = n.slice(colon + 1)
      } else if (['npm', 'Go', 'Packagist'].includes(base) && n.includes('/')) {
        const slash = n.lastIndexOf('/')
        namespace = n.slice(0, slash)
        purlName = n.slice(slash + 1)
      }
      try {
        const p = buildPurl({ type: target.type, namespace, name: purlName })
        out.push({ type: p.type, namespace: p.namespace, name: p.name })
      } catch {
        // A name the purl type cannot hold has no components.
      }
    }
  }
  const seen = new Set<string>()
  return out.filter((k) => {
    const id = `${k.type}\0${k.namespace ?? ''}\0${k.name}`
    return seen.has(id) ? false : (seen.add(id), true)
  })
}

const purlCache = new Map<string, Purl | null>()

/** A purl parsed, or undefined when invalid; cached (the same texts recur across components and entries). */
export function readPurl(text: string): Purl | undefined {
  let parsed = purlCache.get(text)
  if (parsed === undefined) {
    try {
      parsed = parsePurl(text)
    } catch {
      parsed = null
    }
    if (purlCache.size >= 100_000) purlCache.clear()
    purlCache.set(text, parsed)
  }
  return parsed ?? undefined
}

/** The purl of a component, parsed (once: the parser's, else cached). */
function componentPurl(c: EngineComponent): Purl | undefined {
  if (!c.purl) return undefined
  return c.parsedPurl ?? readPurl(c.purl)
}

/** The key of {@link PreparedCandidates.osvByKey} for OSV entries by purl package. */
export const purlKeyId = (p: { type: string; namespace: string | null; name: string }) =>
  `purl\0${p.type}\0${p.namespace ?? ''}\0${p.name}`
/** The key of {@link PreparedCandidates.osvByKey} for OSV entries by ecosystem and name key. */
export const packageId = (ecosystem: string, name: string) => `eco\0${ecosystem}\0${name}`
const cpeId = (vendor: string, product: string) => `${vendor}:${product}`

/** What a candidate source must answer for these components: the keys to look advisories up by. */
export interface CandidateKeys {
  /** OSV packages: ecosystem base and name key. */
  packages: { ecosystem: string; name: string }[]
  /** Purl package keys (for OSV entries and CSAF leaves that carry a purl). */
  purls: PurlKey[]
  /** CPE vendor:product, lower-case. */
  cpes: { vendor: string; product: string }[]
  /** Canonical vendor keys (names/normalise.ts) of the suppliers and the manufacturer. */
  vendors: string[]
}

/** The lookup keys of components: a candidate source returns the advisories under these keys. */
export function candidateKeys(
  components: readonly EngineComponent[],
  options: MatchOptions = {},
): CandidateKeys {
  const packages = new Map<string, { ecosystem: string; name: string }>()
  const purls = new Map<string, PurlKey>()
  const cpes = new Map<string, { vendor: string; product: string }>()
  const vendors = new Set<string>()
  const maxCpes = options.maxCpesPerComponent ?? 8
  for (const c of components) {
    const purl = componentPurl(c)
    if (purl) {
      purls.set(purlKeyId(purl), { type: purl.type, namespace: purl.namespace, name: purl.name })
      const pkg = osvPackageOfPurl(purl)
      if (pkg) packages.set(packageId(pkg.ecosystem, pkg.name), pkg)
    }
    for (const text of (c.cpes ?? []).slice(0, maxCpes)) {
      const parts = parseCpe(text)
      if (parts) cpes.set(cpeId(parts.vendor, parts.product), parts)
    }
    if (c.supplier) for (const k of vendorKeys(c.supplier)) vendors.add(k)
  }
  return {
    packages: [...packages.values()],
    purls: [...purls.values()],
    cpes: [...cpes.values()].map(({ vendor, product }) => ({ vendor, product })),
    vendors: [...vendors],
  }
}

/**
 * What the vendor/product path ({@link matchComponents}' CSAF name matching) looks each
 * component with a supplier up by: lets a candidate source with a leaf-term index (the snapshot)
 * return only the leaves that can match instead of every leaf of the vendor.
 */
export function productLookups(
  components: readonly EngineComponent[],
  knownVendor?: (key: string) => boolean,
): ProductLookup[] {
  const out = new Map<string, ProductLookup>()
  for (const c of components) {
    if (!c.supplier?.trim()) continue
    const id = `${c.supplier}\0${c.name}\0${(c.modelNumbers ?? []).join('\0')}`
    if (out.has(id)) continue
    const lookup = productLookup(
      {
        vendor: c.supplier,
        product: c.name,
        ...(c.modelNumbers ? { modelNumbers: [...c.modelNumbers] } : {}),
      },
      knownVendor,
    )
    if (lookup) out.set(id, lookup)
  }
  return [...out.values()]
}

// ---- matching

const cveOf = (ids: readonly string[]) => ids.filter((id) => /^CVE-\d{4}-\d+$/i.test(id))

function describeEvent(event: OsvEvent | undefined): string {
  if (!event) return ''
  if (event.fixed !== undefined) return ` fixed ${event.fixed}`
  if (event.last_affected !== undefined) return ` last_affected ${event.last_affected}`
  if (event.limit !== undefined) return ` limit ${event.limit}`
  return ''
}

/** The release an ecosystem suffix or distro qualifier names (`Debian:11`, `debian-11` → 11). */
function releaseOf(text: string | undefined): string | undefined {
  return text ? /(\d+(?:\.\d+)?)/.exec(text)?.[1] : undefined
}

/** False when the entry is for another release of the distribution than the component. */
function sameRelease(entry: OsvAffected, purl: Purl | undefined): boolean {
  const distro = purl?.qualifiers?.distro
  // Without a distro qualifier there is nothing to compare (most components): no string work.
  if (!distro) return true
  const suffix = entry.package?.ecosystem.split(':').slice(1).join(':')
  const a = releaseOf(suffix)
  const b = releaseOf(distro)
  if (!a || !b) return true
  return b === a || b.startsWith(`${a}.`)
}

interface Best {
  status: FindingStatus
  rule: string
  fixed: string | null
  details: string[]
}

function osvFinding(
  component: EngineComponent,
  purl: Purl,
  advisory: OsvCandidate,
  entries: OsvAffected[],
): Best | undefined {
  const version = component.version ?? purl.version ?? undefined
  let best: Best | undefined
  for (const entry of entries) {
    const pkg = entry.package ? `${entry.package.ecosystem}/${entry.package.name}` : '?'
    if (!version) {
      best ??= {
        status: 'unknown',
        rule: 'OSV: the component has no version',
        fixed: null,
        details: [`${pkg}: the component has no version to compare`],
      }
      continue
    }
    let verdict = evaluateOsvAffected(entry, version)
    // A versions[] entry decides before the ranges (cheaply), but only a range names the fix:
    // ask the ranges alone again for this (rare) affected answer.
    if (verdict.status === 'affected' && verdict.rule.kind === 'versions' && entry.ranges?.length) {
      const byRange = evaluateOsvAffected({ ...entry, versions: [] }, version)
      if (byRange.status === 'affected') verdict = byRange
    }
    if (verdict.status === 'affected') {
      const rule =
        verdict.rule.kind === 'range'
          ? `OSV ${verdict.rule.type} introduced ${verdict.rule.introduced}${describeEvent(verdict.rule.closedBy)}`
          : `OSV versions[] lists ${verdict.rule.entry}`
      const fixed = verdict.rule.kind === 'range' ? (verdict.rule.closedBy?.fixed ?? null) : null
      const details = [`${pkg}: ${version} affected (${rule})`]
      if (best?.status !== 'affected') best = { status: 'affected', rule, fixed, details }
      else best.details.push(...details)
    } else if (verdict.status === 'unknown' && best?.status !== 'affected') {
      const details = verdict.reasons.map((r) => `${pkg}: ${r}`)
      if (!best) {
        best = {
          status: 'unknown',
          rule: `OSV unknown: ${verdict.reasons[0] ?? '?'}`,
          fixed: null,
          details,
        }
      } else best.details.push(...details)
    }
  }
  return best
}

function confidenceRank(c: Confidence): number {
  return c === 'high' ? 0 : c === 'medium' ? 1 : 2
}

const FIXED: ProductStatus[] = ['fixed', 'first_fixed']

/** A fixed version named by the advisory for the same product: a leaf listed as fixed. */
function csafFixedVersion(
  advisory: CsafCandidate,
  leaf: CsafLeaf,
  vulnerabilityIndexes: Set<number>,
): string | null {
  for (const v of advisory.vulnerabilities) {
    if (!vulnerabilityIndexes.has(v.index)) continue
    for (const other of advisory.leaves) {
      if (other === leaf || other.product !== leaf.product || other.vendor !== leaf.vendor) continue
      if (other.version === undefined) continue
      if (statusesOf(v, other.productId).some((s) => FIXED.includes(s))) return other.version
    }
  }
  return null
}

function rangeRule(leaf: CsafLeaf): string {
  if (leaf.range !== undefined) return `CSAF product_version_range ${leaf.range}`
  if (leaf.version !== undefined) return `CSAF product_version ${leaf.version}`
  return 'CSAF product without a version'
}

/** One OSV `affected[]` entry of an advisory. */
export interface OsvEntryRef {
  advisory: OsvCandidate
  entry: OsvAffected
}

/**
 * OSV entries by {@link purlKeyId} and {@link packageId}: a Map built from the candidates, or a
 * source that reads a key's entries when asked (the snapshot's), so that a scan need not read
 * and index every candidate before matching. Per advisory, entries in record order; the same
 * entry object each time it is given for one component's keys.
 */
export interface OsvEntryLookup {
  get(key: string): readonly OsvEntryRef[] | undefined
}

/** Precomputed lookups over the candidates: build once, match many component lists. */
export interface PreparedCandidates {
  candidates: MatchCandidates
  osvByKey: OsvEntryLookup
  leafIndex: LeafIndex
  leafAdvisory: Map<CsafLeaf, CsafCandidate>
  leavesByCpe: Map<string, { leaf: CsafLeaf; version?: string }[]>
  leavesByPurl: Map<string, CsafLeaf[]>
}

export interface PrepareOptions {
  /** Where OSV entries come from instead of `candidates.osv` (which is then not indexed). */
  osvByKey?: OsvEntryLookup
  /** Each leaf's index terms when the source has them already (else computed). */
  leafTerms?: (leaf: CsafLeaf) => LeafTerms | undefined
}

/** Indexes the candidates (OSV entries by package key, CSAF leaves by vendor, model, name, CPE). */
export function prepareCandidates(
  candidates: MatchCandidates,
  options: PrepareOptions = {},
): PreparedCandidates {
  const osvByKey = new Map<string, OsvEntryRef[]>()
  const add = (key: string, value: OsvEntryRef) => {
    const list = osvByKey.get(key)
    if (list) list.push(value)
    else osvByKey.set(key, [value])
  }
  for (const advisory of options.osvByKey ? [] : candidates.osv) {
    for (const entry of advisory.affected) {
      if (!entry.package) continue
      const ecosystem = entry.package.ecosystem.split(':')[0] ?? ''
      add(packageId(ecosystem, osvNameKey(ecosystem, entry.package.name)), { advisory, entry })
      const purl = entry.package.purl ? readPurl(entry.package.purl) : undefined
      if (purl) add(purlKeyId(purl), { advisory, entry })
    }
  }
  const leafAdvisory = new Map<CsafLeaf, CsafCandidate>()
  const leavesByCpe = new Map<string, { leaf: CsafLeaf; version?: string }[]>()
  const leavesByPurl = new Map<string, CsafLeaf[]>()
  for (const advisory of candidates.csaf) {
    for (const leaf of advisory.leaves) {
      leafAdvisory.set(leaf, advisory)
      if (leaf.cpe) {
        const parts = parseCpe(leaf.cpe)
        if (parts) {
          const key = cpeId(parts.vendor, parts.product)
          const list = leavesByCpe.get(key) ?? []
          list.push({
            leaf,
            ...(parts.version && parts.version !== '-' ? { version: parts.version } : {}),
          })
          leavesByCpe.set(key, list)
        }
      }
      const purl = leaf.purl ? readPurl(leaf.purl) : undefined
      if (purl) {
        leavesByPurl.set(purlKeyId(purl), [...(leavesByPurl.get(purlKeyId(purl)) ?? []), leaf])
      }
    }
  }
  return {
    candidates,
    osvByKey: options.osvByKey ?? osvByKey,
    leafIndex: indexLeaves(leafAdvisory.keys(), options.leafTerms),
    leafAdvisory,
    leavesByCpe,
    leavesByPurl,
  }
}

type Acc = Map<string, EngineFinding>

function keep(acc: Acc, finding: EngineFinding): void {
  const id = `${finding.componentKey}\0${finding.advisoryId}`
  const existing = acc.get(id)
  if (!existing) {
    acc.set(id, finding)
    return
  }
  // One finding per (component, advisory): affected beats unknown, then higher confidence.
  const better =
    (finding.status === 'affected' && existing.status !== 'affected') ||
    (finding.status === existing.status &&
      confidenceRank(finding.confidence) < confidenceRank(existing.confidence))
  const merged = better ? finding : existing
  const other = better ? existing : finding
  merged.cves = [...new Set([...merged.cves, ...other.cves])].sort()
  merged.reason.details = [...merged.reason.details, ...other.reason.details].slice(0, 20)
  merged.fixedVersion ??= other.fixedVersion
  acc.set(id, merged)
}

/**
 * A finding of this advisory. Its fields are written out, not spread from a shared head:
 * V8 cloned `{ ...head, … }` through its slow runtime path here (a third of a hit lookup's time).
 */
function findingOf(
  advisory: AdvisoryInfo,
  source: 'osv' | 'csaf',
  f: Omit<EngineFinding, 'source' | 'advisoryId' | 'severity' | 'cvssScore' | 'kev'>,
): EngineFinding {
  return {
    componentKey: f.componentKey,
    source,
    advisoryId: advisory.advisoryId,
    cves: f.cves,
    status: f.status,
    confidence: f.confidence,
    reason: f.reason,
    fixedVersion: f.fixedVersion,
    severity: advisory.severity ?? null,
    cvssScore: advisory.cvssScore ?? null,
    kev: null,
  }
}

function matchOsv(c: EngineComponent, prepared: PreparedCandidates, acc: Acc): void {
  const purl = componentPurl(c)
  if (!purl) return
  const keys = [purlKeyId(purl)]
  const pkg = osvPackageOfPurl(purl)
  if (pkg) keys.push(packageId(pkg.ecosystem, pkg.name))
  const byAdvisory = new Map<OsvCandidate, OsvAffected[]>()
  for (const key of keys) {
    for (const { advisory, entry } of prepared.osvByKey.get(key) ?? []) {
      if (!sameRelease(entry, purl)) continue
      const list = byAdvisory.get(advisory) ?? []
      if (!list.includes(entry)) list.push(entry)
      byAdvisory.set(advisory, list)
    }
  }
  const keyText = `pkg:${purl.type}/${purl.namespace ? `${purl.namespace}/` : ''}${purl.name}`
  for (const [advisory, entries] of byAdvisory) {
    const best = osvFinding(c, purl, advisory, entries)
    if (!best) continue
    keep(
      acc,
      findingOf(advisory, 'osv', {
        componentKey: c.key,
        cves: cveOf([advisory.advisoryId, ...advisory.aliases]).sort(),
        status: best.status,
        confidence: 'high',
        reason: {
          matchedBy: 'purl',
          key: keyText,
          rule: best.rule,
          componentVersion: c.version ?? purl.version ?? null,
          details: best.details,
        },
        fixedVersion: best.fixed,
      }),
    )
  }
}

function csafFindingsToAcc(
  c: EngineComponent,
  advisory: CsafCandidate,
  found: CsafFinding[],
  candidates: ProductCandidate[],
  matchedBy: MatchedBy,
  key: (f: CsafFinding) => string,
  acc: Acc,
): void {
  const relevant = found.filter((f) => f.status !== 'not_affected')
  if (relevant.length === 0) return
  const affected = relevant.filter((f) => f.status === 'affected')
  const deciding = (affected.length > 0 ? affected : relevant).sort(
    (a, b) => confidenceRank(a.confidence) - confidenceRank(b.confidence),
  )[0]!
  const leaf = candidates.find((x) => x.leaf.productId === deciding.productId)?.leaf
  const cves = relevant.flatMap((f) => (f.cve ? [f.cve] : []))
  keep(
    acc,
    findingOf(advisory, 'csaf', {
      componentKey: c.key,
      cves: [...new Set(cves.length > 0 ? cves : cveOf(advisory.aliases))].sort(),
      status: affected.length > 0 ? 'affected' : 'unknown',
      confidence: deciding.confidence,
      reason: {
        matchedBy,
        key: key(deciding),
        rule: leaf ? rangeRule(leaf) : 'CSAF',
        componentVersion: c.version ?? null,
        details: relevant
          .slice(0, 20)
          .map(
            (f) =>
              `${f.cve ?? `vulnerability ${f.vulnerability}`} ${f.productId}: ${f.status} — ${f.reason}`,
          ),
      },
      fixedVersion: leaf
        ? csafFixedVersion(advisory, leaf, new Set(relevant.map((f) => f.vulnerability)))
        : null,
    }),
  )
}

function matchCsafByName(
  c: EngineComponent,
  prepared: PreparedCandidates,
  options: MatchOptions,
  acc: Acc,
): void {
  if (prepared.leafAdvisory.size === 0) return
  const hasVendor = Boolean(c.supplier?.trim())
  if (!hasVendor && (c.purl || !options.csafNameOnly)) return
  const found = findCandidates(
    {
      vendor: c.supplier ?? '',
      product: c.name,
      ...(c.modelNumbers ? { modelNumbers: [...c.modelNumbers] } : {}),
      ...(c.version ? { version: c.version } : {}),
    },
    prepared.leafIndex,
  ).slice(0, options.maxCsafCandidates ?? 200)
  const byAdvisory = new Map<CsafCandidate, ProductCandidate[]>()
  for (const candidate of found) {
    const advisory = prepared.leafAdvisory.get(candidate.leaf)
    if (!advisory) continue
    byAdvisory.set(advisory, [...(byAdvisory.get(advisory) ?? []), candidate])
  }
  for (const [advisory, candidates] of byAdvisory) {
    const findings = assessVulnerabilities(candidates, [...advisory.vulnerabilities])
    csafFindingsToAcc(
      c,
      advisory,
      findings,
      candidates,
      'vendor_product',
      (f) => `${f.keys.vendor ?? ''}|${f.keys.matched} (${f.rule})`,
      acc,
    )
  }
}

/** A leaf's version verdict: a version the leaf's identifier names, else its range or version. */
function leafVerdict(
  leaf: CsafLeaf,
  componentVersion: string | undefined,
  identifierVersion?: string,
): ProductCandidate['version'] {
  if (identifierVersion !== undefined) {
    return {
      ...matchVendorVersion(identifierVersion, componentVersion, { exact: true }),
      range: identifierVersion,
    }
  }
  if (leaf.range !== undefined) {
    return { ...matchVendorVersion(leaf.range, componentVersion), range: leaf.range }
  }
  if (leaf.version !== undefined) {
    return {
      ...matchVendorVersion(leaf.version, componentVersion, { exact: true }),
      range: leaf.version,
    }
  }
  return { status: 'affected', reason: 'the advisory names the product without a version' }
}

function matchCsafByPurl(c: EngineComponent, prepared: PreparedCandidates, acc: Acc): void {
  if (prepared.leavesByPurl.size === 0 || !c.purl) return
  const purl = componentPurl(c)
  if (!purl) return
  const keyText = `pkg:${purl.type}/${purl.namespace ? `${purl.namespace}/` : ''}${purl.name}`
  const byAdvisory = new Map<CsafCandidate, ProductCandidate[]>()
  for (const leaf of prepared.leavesByPurl.get(purlKeyId(purl)) ?? []) {
    const advisory = prepared.leafAdvisory.get(leaf)
    if (!advisory) continue
    const leafPurl = leaf.purl ? readPurl(leaf.purl) : undefined
    byAdvisory.set(advisory, [
      ...(byAdvisory.get(advisory) ?? []),
      {
        leaf,
        confidence: 'high',
        rule: 'vendor+product_name',
        keys: { matched: keyText },
        version: leafVerdict(
          leaf,
          c.version ?? purl.version ?? undefined,
          leafPurl?.version ?? undefined,
        ),
      },
    ])
  }
  for (const [advisory, candidates] of byAdvisory) {
    const findings = assessVulnerabilities(candidates, [...advisory.vulnerabilities])
    csafFindingsToAcc(c, advisory, findings, candidates, 'purl', () => keyText, acc)
  }
}

function matchCsafByCpe(
  c: EngineComponent,
  prepared: PreparedCandidates,
  options: MatchOptions,
  acc: Acc,
): void {
  if (prepared.leavesByCpe.size === 0) return
  for (const text of (c.cpes ?? []).slice(0, options.maxCpesPerComponent ?? 8)) {
    const parts = parseCpe(text)
    if (!parts) continue
    const hits = (prepared.leavesByCpe.get(cpeId(parts.vendor, parts.product)) ?? []).slice(
      0,
      options.maxLeavesPerCpe ?? 200,
    )
    const byAdvisory = new Map<CsafCandidate, ProductCandidate[]>()
    for (const { leaf, version } of hits) {
      const advisory = prepared.leafAdvisory.get(leaf)
      if (!advisory) continue
      // The leaf's CPE version decides when it names one; otherwise its range or version branch.
      const verdict = leafVerdict(leaf, c.version ?? parts.version, version)
      byAdvisory.set(advisory, [
        ...(byAdvisory.get(advisory) ?? []),
        {
          leaf,
          confidence: 'medium',
          rule: 'vendor+product_name',
          keys: { vendor: parts.vendor, matched: `${parts.vendor}:${parts.product}` },
          version: verdict,
        },
      ])
    }
    for (const [advisory, candidates] of byAdvisory) {
      const findings = assessVulnerabilities(candidates, [...advisory.vulnerabilities])
      csafFindingsToAcc(
        c,
        advisory,
        findings,
        candidates,
        'cpe',
        () => `cpe ${parts.vendor}:${parts.product}`,
        acc,
      )
    }
  }
}

/**
 * Matches components against candidate advisories: one finding per (component, advisory) that
 * is affected or unknown, with its reason, confidence, fixed version, severity and KEV entry.
 * Deterministic: findings come in component order, then by advisory id. Never throws on odd
 * input (unreadable purls, CPEs and versions give no finding or an `unknown` one).
 */
export function matchComponents(
  components: readonly EngineComponent[],
  candidates: MatchCandidates | PreparedCandidates,
  options: MatchOptions = {},
): EngineFinding[] {
  const prepared = 'osvByKey' in candidates ? candidates : prepareCandidates(candidates)
  const out: EngineFinding[] = []
  for (const c of components) {
    const acc: Acc = new Map()
    matchOsv(c, prepared, acc)
    matchCsafByPurl(c, prepared, acc)
    matchCsafByCpe(c, prepared, options, acc)
    matchCsafByName(c, prepared, options, acc)
    const found = [...acc.values()].sort((a, b) =>
      a.advisoryId < b.advisoryId ? -1 : a.advisoryId > b.advisoryId ? 1 : 0,
    )
    for (const f of found) {
      f.kev = kevOf(f.cves, prepared.candidates.kev)
      out.push(f)
    }
  }
  return out
}

/** The KEV entry of the first of these CVEs that KEV lists (earliest added when several). */
export function kevOf(cves: readonly string[], kev: ReadonlyMap<string, KevInfo>): KevInfo | null {
  let found: KevInfo | null = null
  for (const cve of cves) {
    const entry = kev.get(cve.toUpperCase())
    if (entry && (!found || entry.dateAdded < found.dateAdded)) found = entry
  }
  return found
}
