import type { Selectable } from 'kysely'

/**
 * What the label policy has done to one label. `suspended_at` is the moment of the suspension the
 * policy made and still stands behind (the label's `status_changed_at` then): the policy lifts
 * only a suspension whose moment is still the label's last change. `overridden_findings` are the
 * findings whose suspension a person reinstated over: the policy does not suspend for them again.
 */
export interface LabelPolicyStateTable {
  label_id: string
  product_version_id: string
  suspended_at: string | null
  /** JSON PolicySuspension plus the finding id, while `suspended_at` is set. */
  suspension: string | null
  /** JSON string[] of finding ids. */
  overridden_findings: string
  /** JSON PolicyWarning, or null when there is none. */
  warning: string | null
  warning_since: string | null
  evaluated_at: string
}
export type LabelPolicyStateRow = Selectable<LabelPolicyStateTable>
