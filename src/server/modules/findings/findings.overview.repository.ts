import type { Db } from '../../db/database.ts'

/*
 * The SQL of the manufacturer's vulnerability overview (findings.overview.ts): counts over an
 * organisation's unresolved findings and the last evaluation of each of its versions.
 */

/** The organisation's product versions, as a subquery (uses the findings' version index). */
function versionIdsOf(db: Db, organisationId: string) {
  return db
    .selectFrom('product_versions')
    .innerJoin('products', 'products.id', 'product_versions.product_id')
    .select('product_versions.id')
    .where('products.organisation_id', '=', organisationId)
}

export interface UnresolvedCountRow {
  product_version_id: string
  severity: string | null
  status: 'affected' | 'unknown'
  kev: number
  triage_state: string | null
  /** Findings of the group. */
  n: number | string | bigint
  /** Of those, findings with a triage justification. */
  justified: number | string | bigint
}

/**
 * The organisation's unresolved findings counted by version, severity, status, KEV and triage
 * state; `justified` counts those with a justification (not_affected + justification = suppressed).
 */
export async function countUnresolvedFindingsOfOrganisation(
  db: Db,
  organisationId: string,
): Promise<UnresolvedCountRow[]> {
  return db
    .selectFrom('findings')
    .select((eb) => [
      'product_version_id',
      'severity',
      'status',
      'kev',
      'triage_state',
      eb.fn.countAll().as('n'),
      eb.fn.count('triage_justification').as('justified'),
    ])
    .where('product_version_id', 'in', versionIdsOf(db, organisationId))
    .where('resolved_at', 'is', null)
    .groupBy(['product_version_id', 'severity', 'status', 'kev', 'triage_state'])
    .execute()
}

/** When each evaluated version of the organisation was last evaluated. */
export async function listLastEvaluationsOfOrganisation(
  db: Db,
  organisationId: string,
): Promise<{ product_version_id: string; evaluated_at: string | null }[]> {
  return db
    .selectFrom('finding_evaluations')
    .select((eb) => ['product_version_id', eb.fn.max('evaluated_at').as('evaluated_at')])
    .where('product_version_id', 'in', versionIdsOf(db, organisationId))
    .groupBy('product_version_id')
    .execute()
}
