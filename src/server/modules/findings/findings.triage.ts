import type { Triage } from '../../../common/api/vex.ts'
import type { TriageState } from '../vex/vex-vocabulary.ts'
import type { TriageColumns } from './findings.triage.repository.ts'

/** `triaged_by` of a triage a VEX document set: this prefix and the document's id. */
export const VEX_BY = 'vex:'

/** A finding's triage as the API shows it (findings list and VEX panel), or null when none. */
export function toTriage(row: TriageColumns): Triage | null {
  if (row.triage_state === null) return null
  const state = row.triage_state as TriageState
  const fromVex = row.triaged_by?.startsWith(VEX_BY) ?? false
  return {
    state,
    justification: state === 'not_affected' ? row.triage_justification : null,
    response: state === 'affected' ? row.triage_justification : null,
    detail: row.triage_detail,
    fixedVersion: row.triage_fixed_version,
    source: fromVex ? 'vex' : 'manual',
    by: fromVex ? (row.triaged_by?.slice(VEX_BY.length) ?? null) : row.triaged_by,
    at: row.triaged_at,
  }
}
