import type { Generated, Insertable, Selectable } from 'kysely'

/**
 * Findings of the matching engine: one per (product version, component key, advisory id).
 * `resolved_at` is set when a re-evaluation no longer produces the finding (SBOM replaced,
 * advisory changed or withdrawn) and cleared if it comes back. Lists and the reason are JSON text.
 */
export interface FindingTable {
  id: string
  organisation_id: string
  product_id: string
  product_version_id: string
  /** The SBOM component's key, or `@product` for the registered product itself. */
  component_key: string
  component_name: string
  component_version: string | null
  component_purl: string | null
  advisory_source: 'osv' | 'csaf'
  advisory_id: string
  /** JSON string[] of CVE ids. */
  cves: string
  status: 'affected' | 'unknown'
  confidence: 'high' | 'medium' | 'low'
  matched_by: 'purl' | 'cpe' | 'vendor_product'
  match_key: string
  rule: string
  /** JSON FindingReason (matching/engine.ts). */
  reason: string
  fixed_version: string | null
  severity: string | null
  cvss_score: number | null
  /** 1 when one of the CVEs is in CISA's KEV catalogue. */
  kev: number
  kev_cve: string | null
  kev_date_added: string | null
  kev_due_date: string | null
  kev_ransomware: string | null
  first_seen_at: string
  /** When status, reason, severity or KEV last changed (or the finding appeared). */
  changed_at: string
  last_evaluated_at: string
  resolved_at: string | null
  triage_state: string | null
  triage_justification: string | null
  triage_detail: string | null
  triage_fixed_version: string | null
  triaged_by: string | null
  triaged_at: string | null
}
export type FindingRow = Selectable<FindingTable>
export type NewFindingRow = Insertable<FindingTable>

export interface FindingCveTable {
  finding_id: string
  cve: string
}

/** One evaluation of one product version (full, or limited to changed advisories). */
export interface FindingEvaluationTable {
  id: Generated<number>
  product_version_id: string
  sbom_id: string | null
  /** `sbom`, `advisories`, `kev`, `manual`. */
  trigger: string
  /** `all`, or JSON of the advisory ids / CVEs the evaluation was limited to. */
  scope: string
  components: number
  candidates: number
  created: number
  changed: number
  resolved: number
  unchanged: number
  open_total: number
  duration_ms: number
  evaluated_at: string
}
export type FindingEvaluationRow = Selectable<FindingEvaluationTable>

/** Canonical vendor keys of a version's manufacturer and component suppliers. */
export interface FindingVendorKeyTable {
  product_version_id: string
  vendor_key: string
}

/** Durable cursors, e.g. the last advisory change-set `seq` evaluated. */
export interface FindingCursorTable {
  name: string
  seq: number
  updated_at: string
}
