import type { Db } from '../../db/database.ts'
import type { FindingRow } from './findings.table.ts'
import { chunksOf } from '../../db/chunks.ts'

/**
 * Triage writes on findings (VEX statements and manual triage, src/server/modules/vex): the only
 * SQL that touches the triage columns, which the matcher never writes.
 */

export type TriageFindingRow = Pick<
  FindingRow,
  | 'id'
  | 'organisation_id'
  | 'product_id'
  | 'product_version_id'
  | 'component_key'
  | 'component_name'
  | 'component_version'
  | 'component_purl'
  | 'advisory_source'
  | 'advisory_id'
  | 'cves'
  | 'status'
  | 'fixed_version'
  | 'severity'
  | 'cvss_score'
  | 'kev'
  | 'first_seen_at'
  | 'resolved_at'
> &
  TriageColumns

/** The columns of a finding's triage (`toTriage` in findings.triage.ts reads them). */
export type TriageColumns = Pick<
  FindingRow,
  | 'triage_state'
  | 'triage_justification'
  | 'triage_detail'
  | 'triage_fixed_version'
  | 'triaged_by'
  | 'triaged_at'
>

const COLUMNS = [
  'id',
  'organisation_id',
  'product_id',
  'product_version_id',
  'component_key',
  'component_name',
  'component_version',
  'component_purl',
  'advisory_source',
  'advisory_id',
  'cves',
  'status',
  'fixed_version',
  'severity',
  'cvss_score',
  'kev',
  'first_seen_at',
  'resolved_at',
  'triage_state',
  'triage_justification',
  'triage_detail',
  'triage_fixed_version',
  'triaged_by',
  'triaged_at',
] as const

/** Every finding of a version (open and resolved), in a stable order. */
export async function listTriageFindingsOfVersion(
  db: Db,
  versionId: string,
): Promise<TriageFindingRow[]> {
  return db
    .selectFrom('findings')
    .select(COLUMNS)
    .where('product_version_id', '=', versionId)
    .orderBy('kev', 'desc')
    .orderBy('cvss_score', 'desc')
    .orderBy('id')
    .execute()
}

export async function findTriageFinding(
  db: Db,
  versionId: string,
  findingId: string,
): Promise<TriageFindingRow | undefined> {
  return db
    .selectFrom('findings')
    .select(COLUMNS)
    .where('product_version_id', '=', versionId)
    .where('id', '=', findingId)
    .executeTakeFirst()
}

export interface TriageValues {
  triage_state: string | null
  triage_justification: string | null
  triage_detail: string | null
  triage_fixed_version: string | null
  triaged_by: string | null
  triaged_at: string | null
}

export async function setFindingTriage(
  db: Db,
  findingIds: readonly string[],
  values: TriageValues,
): Promise<void> {
  for (const chunk of chunksOf(findingIds, 500)) {
    await db.updateTable('findings').set(values).where('id', 'in', chunk).execute()
  }
}
