import { Migrator, type MigrationResult } from 'kysely'
import { AppError } from '../../common/errors.ts'
import type { Db } from './database.ts'
import { migrations } from './migrations/index.ts'

/**
 * Brings the schema to the latest migration and returns what ran.
 * @throws internal_error naming the migration that failed (nothing after it runs).
 */
export async function migrateToLatest(
  db: Db,
  options: { schema?: string } = {},
): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Kysely looks for its bookkeeping tables in every schema unless told which one is ours.
    ...(options.schema ? { migrationTableSchema: options.schema } : {}),
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new AppError('internal_error', `Migration ${failed} failed: ${String(error)}`, {
      cause: error,
    })
  }
  return results
}
