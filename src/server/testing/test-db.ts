import pg from 'pg'
import { createDb, type Db } from '../db/database.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { newId } from '../kernel/crypto.ts'

/** Which database this test run uses; set per Vitest project (see vitest.config.ts). */
export const TEST_DIALECT = (process.env.TEST_DIALECT ?? 'sqlite') as 'sqlite' | 'postgres'
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface TestDb {
  db: Db
  url: string
  dialect: 'sqlite' | 'postgres'
  /** Closes the connection and drops what the test created. */
  destroy(): Promise<void>
}

/**
 * A fresh, migrated database for one test file: in-memory SQLite, or a new schema of the
 * PostgreSQL `test` database that is dropped afterwards.
 */
export async function createTestDb(): Promise<TestDb> {
  if (TEST_DIALECT === 'sqlite') {
    const db = await createDb('sqlite::memory:')
    await migrateToLatest(db)
    return { db, url: 'sqlite::memory:', dialect: 'sqlite', destroy: () => db.destroy() }
  }
  const schema = `t_${newId().replaceAll('-', '')}`
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  const db = await createDb(TEST_POSTGRES_URL, { poolSize: 4, searchPath: schema })
  await migrateToLatest(db, { schema })
  return {
    db,
    url: TEST_POSTGRES_URL,
    dialect: 'postgres',
    destroy: async () => {
      await db.destroy()
      const cleanup = new pg.Client({ connectionString: TEST_POSTGRES_URL })
      await cleanup.connect()
      await cleanup.query(`drop schema ${schema} cascade`)
      await cleanup.end()
    },
  }
}
