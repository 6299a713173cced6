import type { Db } from '../../db/database.ts'

export async function findSetting(db: Db, key: string) {
  return db
    .selectFrom('settings')
    .select(['value', 'updated_at'])
    .where('key', '=', key)
    .executeTakeFirst()
}

export async function upsertSetting(
  db: Db,
  key: string,
  value: string,
  at: string,
  by: string | null,
): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value, updated_at: at, updated_by: by })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at, updated_by: by }))
    .execute()
}
