import type { Db } from '../../db/database.ts'
import type { FrameworkRequirementTable, FrameworkVersionTable } from './framework.table.ts'
import { chunksOf } from '../../db/chunks.ts'

const SUMMARY_COLUMNS = [
  'version',
  'title',
  'status',
  'released',
  'content_hash',
  'source_hash',
  'is_current',
  'loaded_at',
] as const

export async function listFrameworkVersions(db: Db) {
  return db.selectFrom('framework_versions').select(SUMMARY_COLUMNS).execute()
}

export async function findCurrentFrameworkVersion(db: Db) {
  return db
    .selectFrom('framework_versions')
    .select(SUMMARY_COLUMNS)
    .where('is_current', '=', 1)
    .executeTakeFirst()
}

export async function findFrameworkVersion(db: Db, version: string) {
  return db
    .selectFrom('framework_versions')
    .select(SUMMARY_COLUMNS)
    .where('version', '=', version)
    .executeTakeFirst()
}

export async function findFrameworkDocument(db: Db, version: string) {
  const row = await db
    .selectFrom('framework_versions')
    .select('document')
    .where('version', '=', version)
    .executeTakeFirst()
  return row?.document
}

/** Inserts or replaces one version and its requirement rows (call inside a transaction). */
export async function saveFrameworkVersion(
  db: Db,
  version: FrameworkVersionTable,
  requirements: FrameworkRequirementTable[],
): Promise<void> {
  await db.deleteFrom('framework_requirements').where('version', '=', version.version).execute()
  await db.deleteFrom('framework_versions').where('version', '=', version.version).execute()
  await db.insertInto('framework_versions').values(version).execute()
  // Batches keep each statement under SQLite's bound-parameter limit.
  for (const chunk of chunksOf(requirements, 100)) {
    await db.insertInto('framework_requirements').values(chunk).execute()
  }
}

export async function makeFrameworkVersionCurrent(db: Db, version: string): Promise<void> {
  await db
    .updateTable('framework_versions')
    .set({ is_current: 0 })
    .where('version', '!=', version)
    .where('is_current', '=', 1)
    .execute()
  await db
    .updateTable('framework_versions')
    .set({ is_current: 1 })
    .where('version', '=', version)
    .execute()
}

export async function updateFrameworkSourceHash(
  db: Db,
  version: string,
  sourceHash: string,
): Promise<void> {
  await db
    .updateTable('framework_versions')
    .set({ source_hash: sourceHash })
    .where('version', '=', version)
    .execute()
}
