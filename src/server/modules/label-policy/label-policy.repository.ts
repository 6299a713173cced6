import type { Db } from '../../db/database.ts'
import { insertRows } from '../../db/dialect.ts'
import type { LabelPolicyStateRow } from './label-policy.table.ts'
import { chunksOf } from '../../db/chunks.ts'

const CHUNK = 500

export async function findPolicyState(
  db: Db,
  labelId: string,
): Promise<LabelPolicyStateRow | undefined> {
  return db
    .selectFrom('label_policy_states')
    .selectAll()
    .where('label_id', '=', labelId)
    .executeTakeFirst()
}

/** Inserts or replaces these labels' policy states. */
export async function upsertPolicyStates(
  db: Db,
  rows: readonly LabelPolicyStateRow[],
): Promise<void> {
  await insertRows(db, 'label_policy_states', rows, (insert) =>
    insert.onConflict((oc) =>
      oc.column('label_id').doUpdateSet((eb) => ({
        product_version_id: eb.ref('excluded.product_version_id'),
        suspended_at: eb.ref('excluded.suspended_at'),
        suspension: eb.ref('excluded.suspension'),
        overridden_findings: eb.ref('excluded.overridden_findings'),
        warning: eb.ref('excluded.warning'),
        warning_since: eb.ref('excluded.warning_since'),
        evaluated_at: eb.ref('excluded.evaluated_at'),
      })),
    ),
  )
}

/** Product versions where the policy holds a suspension or shows a warning. */
export async function listVersionIdsWithPolicyEffects(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('label_policy_states')
    .select('product_version_id')
    .distinct()
    .where((eb) => eb.or([eb('suspended_at', 'is not', null), eb('warning', 'is not', null)]))
    .execute()
  return rows.map((r) => r.product_version_id)
}

export async function listPolicyStatesOfLabels(
  db: Db,
  labelIds: readonly string[],
): Promise<LabelPolicyStateRow[]> {
  const out: LabelPolicyStateRow[] = []
  for (const chunk of chunksOf(labelIds, CHUNK)) {
    out.push(
      ...(await db
        .selectFrom('label_policy_states')
        .selectAll()
        .where('label_id', 'in', chunk)
        .execute()),
    )
  }
  return out
}
