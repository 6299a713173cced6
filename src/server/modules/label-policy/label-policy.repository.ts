import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { dialectOfDb, insertRows } from '../../db/dialect.ts'
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

/**
 * Takes the transaction-scoped locks of these keys in one statement, the same locks as
 * `lockKeyForTransaction` takes one by one, in code-unit order (PostgreSQL; SQLite's writer lock
 * already serialises transactions).
 */
export async function lockKeysForTransaction(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0 || dialectOfDb(db) !== 'postgres') return
  await sql`select pg_advisory_xact_lock(h) from (select hashtextextended(k, 0) as h from unnest(${[...new Set(keys)]}::text[]) as k order by k collate "C" offset 0) as locks`.execute(
    db,
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
