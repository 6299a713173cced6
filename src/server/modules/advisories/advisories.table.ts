import type { Generated, Insertable, Selectable } from 'kysely'

/**
 * Advisories as imported (OSV, CSAF, KEV) and their normalised parts that the matcher reads.
 * Lists and objects are JSON text; times are ISO-8601 UTC text.
 */

export type AdvisoryState = 'active' | 'withdrawn' | 'removed'

/** One advisory: an OSV record, a CSAF document or a KEV entry, unique by (source, advisory_id). */
export interface AdvisoryTable {
  id: Generated<number>
  source: 'osv' | 'csaf' | 'kev'
  advisory_id: string
  /** `withdrawn`: the source withdrew it; `removed`: it left a newer full KEV catalogue. */
  state: AdvisoryState
  /** SHA-256 of the record as read; the raw record is kept gzipped under this name in DATA_DIR. */
  content_hash: string
  /** JSON string[]: the other ids it is known by (CVE, GHSA, PYSEC, …). */
  aliases: string
  published: string | null
  modified: string | null
  withdrawn_at: string | null
  title: string | null
  summary: string | null
  /** critical / high / medium / low / none, when the record says. */
  severity: string | null
  /** The highest CVSS base score given. */
  cvss_score: number | null
  /** JSON CvssScore[] (vectors, scores, the CSAF products they apply to). */
  cvss: string
  /** JSON AdvisoryReference[]. */
  refs: string
  /** CSAF `document.category`, OSV ecosystems joined by a space, `kev` for KEV. */
  category: string | null
  /** CSAF tracking status and version; OSV and KEV: null. */
  tracking_status: string | null
  tracking_version: string | null
  publisher: string | null
  /** Where it was last read from (file path, relative within an archive or feed). */
  origin: string
  first_import_id: number
  last_import_id: number
  created_at: string
  updated_at: string
}
export type AdvisoryRow = Selectable<AdvisoryTable>
export type NewAdvisoryRow = Insertable<AdvisoryTable>

/** The ids an advisory is known by, its own included, for joins by CVE. */
export interface AdvisoryAliasTable {
  advisory_pk: number
  alias: string
  /** `cve`, `ghsa`, `go`, `pysec`, `osv`, `icsa`, … (the id's prefix, lower-case). */
  kind: string
}

/** One OSV `affected[]` entry. */
export interface AdvisoryOsvAffectedTable {
  advisory_pk: number
  entry_index: number
  /** As written, e.g. `Debian:12`. */
  ecosystem: string
  /** Before the first `:`, e.g. `Debian`. */
  ecosystem_base: string
  package_name: string
  /** The lookup key of the name: PyPI PEP 503-normalised, otherwise as written. */
  package_key: string
  purl: string | null
  purl_type: string | null
  /** '' when the purl has no namespace. */
  purl_namespace: string | null
  purl_name: string | null
  /** JSON: `ranges[]` and `versions[]` as in the record. */
  ranges: string
  versions: string
  /** JSON: the entry's `severity[]`, `database_specific` and `ecosystem_specific` (or null). */
  severity: string | null
  database_specific: string | null
  ecosystem_specific: string | null
}

/** One leaf of a CSAF product tree (or a product defined by a relationship). */
export interface AdvisoryCsafProductTable {
  advisory_pk: number
  product_id: string
  name: string
  vendor: string | null
  /** Lower-case, whitespace-collapsed vendor / product name: the plain lookup key. */
  vendor_norm: string | null
  product: string | null
  product_norm: string | null
  /** Keys from the vendor/product alias normaliser (matching/), filled by it; null until then. */
  vendor_key: string | null
  product_key: string | null
  family: string | null
  version: string | null
  /** The raw `product_version_range` string (`vers:all/<V7.0.3`, `<V3.3`, free text). */
  version_range: string | null
  /** JSON string[]. */
  model_numbers: string
  skus: string
  purl: string | null
  purl_type: string | null
  purl_namespace: string | null
  purl_name: string | null
  cpe: string | null
  /** JSON string[] of `category: name` from the root. */
  branch_path: string
  /** JSON `{ category, productReference, relatesTo }` for relationship products. */
  relationship: string | null
}

/** One CSAF vulnerability of a document. */
export interface AdvisoryCsafVulnerabilityTable {
  advisory_pk: number
  vuln_index: number
  cve: string | null
  title: string | null
  cwe: string | null
  /** JSON: `ids[]`, `scores`, `flags`, `threats`. */
  ids: string
  scores: string
  flags: string
  threats: string
}

/** One product's status for one CSAF vulnerability. */
export interface AdvisoryCsafStatusTable {
  advisory_pk: number
  vuln_index: number
  cve: string | null
  product_id: string
  status: string
}

/** One CSAF remediation, with the product ids it applies to (groups expanded). */
export interface AdvisoryCsafRemediationTable {
  advisory_pk: number
  vuln_index: number
  cve: string | null
  category: string
  details: string
  url: string | null
  date: string | null
  /** JSON string[]. */
  product_ids: string
}

/** One KEV catalogue entry. */
export interface AdvisoryKevTable {
  advisory_pk: number
  cve: string
  vendor_project: string
  product: string
  vulnerability_name: string
  date_added: string
  due_date: string
  known_ransomware_campaign_use: string | null
  required_action: string
  short_description: string
  notes: string | null
  /** JSON string[]. */
  cwes: string
  /** The catalogue it was last seen in. */
  catalog_version: string
  catalog_released: string
}

export type ImportStatus = 'running' | 'succeeded' | 'partial' | 'failed'

/** One run of an import: what, who, when, the counts and the per-file problems. */
export interface AdvisoryImportTable {
  id: Generated<number>
  /** The format asked for (`auto`, `osv`, `csaf`, `kev`). */
  format: string
  /** What was found: `file`, `directory`, `zip`, `rolie` or `url`. */
  source_kind: string | null
  location: string
  /** `cli:<user>`, `user:<id>`, `job:<schedule>`. */
  triggered_by: string
  status: ImportStatus
  started_at: string
  finished_at: string | null
  files_read: number
  new_count: number
  changed_count: number
  unchanged_count: number
  withdrawn_count: number
  removed_count: number
  stale_count: number
  failed_count: number
  warning_count: number
  /** JSON AdvisoryProblem[], at most MAX_STORED_PROBLEMS (the counts are complete). */
  problems: string
  /** Why the import failed as a whole. */
  error: string | null
}
export type AdvisoryImportRow = Selectable<AdvisoryImportTable>

export type AdvisoryChangeKind = 'created' | 'changed' | 'withdrawn' | 'removed'

/**
 * The change set: every advisory an import created, changed, withdrew or removed, in order.
 * The matcher keeps the last `seq` it evaluated and reads what came after
 * (`advisoryChangesSince`).
 */
export interface AdvisoryChangeTable {
  seq: Generated<number>
  import_id: number
  advisory_pk: number
  change: AdvisoryChangeKind
  created_at: string
}
