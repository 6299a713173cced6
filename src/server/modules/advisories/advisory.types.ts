/**
 * The normalised form of an advisory, whatever format it came in: what the import stores and
 * the matcher reads. Readers (osv-reader.ts, csaf-reader.ts, kev-reader.ts) produce it; they
 * never throw on bad input, they return problems.
 */

export type AdvisorySource = 'osv' | 'csaf' | 'kev'
export type AdvisoryFormat = AdvisorySource | 'rolie'
export type ImportFormat = 'auto' | AdvisorySource

/** A problem with one file or record: where (file path, JSON pointer) and what. */
export interface AdvisoryProblem {
  path: string
  pointer: string
  message: string
  /** A warning is noted and the record still imported; anything else refuses the record. */
  level?: 'warning'
}

export interface CvssScore {
  /** `CVSS_V3`, `CVSS_V4`, `CVSS_V2` or `Ubuntu` (OSV); `3.1`, `3.0`, `2.0` (CSAF). */
  type: string
  vector: string
  score?: number
  severity?: string
  /** CSAF: the products the score applies to. */
  products?: string[]
}

export interface AdvisoryReference {
  url: string
  type?: string
  summary?: string
}

export interface OsvAffectedEntry {
  index: number
  /** As written, e.g. `Debian:12`. */
  ecosystem: string
  /** The part before the first `:`, e.g. `Debian`. */
  ecosystemBase: string
  name: string
  /** The name as the matcher looks it up: PyPI PEP 503-normalised, otherwise as written. */
  nameKey: string
  purl?: string
  purlType?: string
  /** '' when the purl has no namespace. */
  purlNamespace?: string
  purlName?: string
  ranges: unknown[]
  versions: string[]
  severity: unknown[] | undefined
  databaseSpecific: unknown
  ecosystemSpecific: unknown
}

export interface CsafProduct {
  productId: string
  /** The full product name. */
  name: string
  vendor?: string
  product?: string
  family?: string
  version?: string
  versionRange?: string
  modelNumbers: string[]
  skus: string[]
  purl?: string
  purlType?: string
  purlNamespace?: string
  purlName?: string
  cpe?: string
  /** The branch path from the root, as `category: name`. */
  branchPath: string[]
  /** For products defined by a relationship. */
  relationship?: { category: string; productReference: string; relatesTo: string }
}

export type CsafProductStatus =
  | 'known_affected'
  | 'fixed'
  | 'known_not_affected'
  | 'under_investigation'
  | 'first_affected'
  | 'first_fixed'
  | 'last_affected'
  | 'recommended'

export interface CsafVulnerability {
  index: number
  cve?: string
  ids: { system: string; text: string }[]
  title?: string
  cwe?: string
  statuses: { productId: string; status: CsafProductStatus }[]
  remediations: {
    category: string
    details: string
    url?: string
    date?: string
    productIds: string[]
  }[]
  scores: CvssScore[]
  flags: { label: string; productIds: string[] }[]
  threats: { category: string; details: string; productIds: string[] }[]
}

export interface KevEntry {
  cve: string
  vendorProject: string
  product: string
  vulnerabilityName: string
  dateAdded: string
  dueDate: string
  shortDescription: string
  requiredAction: string
  knownRansomwareCampaignUse?: string
  notes?: string
  cwes: string[]
}

interface AdvisoryBase {
  advisoryId: string
  aliases: string[]
  published?: string
  modified?: string
  /** Set when the source withdrew the record (OSV `withdrawn`; CSAF withdrawn/superseded). */
  withdrawnAt?: string
  title?: string
  summary?: string
  /** Lower-case qualitative severity when the record gives one (critical/high/medium/low/none). */
  severity?: string
  cvss: CvssScore[]
  /** The highest CVSS base score given. */
  cvssScore?: number
  references: AdvisoryReference[]
  /** SHA-256 of the record's bytes as read (KEV: of the entry's canonical JSON). */
  contentHash: string
  /** The record's bytes, kept compressed by hash. */
  raw: Buffer
}

export interface OsvAdvisory extends AdvisoryBase {
  source: 'osv'
  affected: OsvAffectedEntry[]
}

export interface CsafAdvisory extends AdvisoryBase {
  source: 'csaf'
  category: string
  trackingStatus: string
  trackingVersion: string
  publisher?: string
  products: CsafProduct[]
  vulnerabilities: CsafVulnerability[]
}

export interface KevAdvisory extends AdvisoryBase {
  source: 'kev'
  kev: KevEntry
}

export type ParsedAdvisory = OsvAdvisory | CsafAdvisory | KevAdvisory

/** A KEV catalogue: its entries, and what the import needs to mark the missing ones removed. */
export interface KevCatalogue {
  catalogVersion: string
  dateReleased: string
  advisories: KevAdvisory[]
}

/** What a reader makes of one file: advisories (possibly none) and problems (possibly none). */
export interface ReadOutcome {
  advisories: ParsedAdvisory[]
  problems: AdvisoryProblem[]
  /** Set when the file is a full KEV catalogue. */
  kevCatalogue?: { catalogVersion: string; dateReleased: string }
}
