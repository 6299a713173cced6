import type { Db } from '../../db/database.ts'
import type { LabelPolicyStateRow } from './label-policy.table.ts'

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

export async function upsertPolicyState(db: Db, row: LabelPolicyStateRow): Promise<void> {
  const { label_id: _id, ...changes } = row
  await db
    .insertInto('label_policy_states')
    .values(row)
    .onConflict((oc) => oc.column('label_id').doUpdateSet(changes))
    .execute()
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
  for (let i = 0; i < labelIds.length; i += CHUNK) {
    out.push(
      ...(await db
        .selectFrom('label_policy_states')
        .selectAll()
        .where('label_id', 'in', labelIds.slice(i, i + CHUNK))
        .execute()),
    )
  }
  return out
}
