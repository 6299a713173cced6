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
  const db = await createDb(TEST_POSTGRES_URL, { poolSize: 4, searchPath: schema })
  await whileSchemasAreStill(async (admin) => {
    await admin.query(`create schema ${schema}`)
    await migrateToLatest(db, { schema })
  })
  return {
    db,
    url: TEST_POSTGRES_URL,
    dialect: 'postgres',
    destroy: async () => {
      await db.destroy()
      await whileSchemasAreStill((admin) => admin.query(`drop schema ${schema} cascade`))
    },
  }
}

/**
 * Runs `work` holding an advisory lock that every test file takes to create, migrate or drop its
 * schema. Kysely's migrator reads the catalogue of every schema, and a schema that another test
 * file drops at that moment makes the read fail ("cache lookup failed"), so those steps take turns.
 */
async function whileSchemasAreStill<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  return onTestCluster(async (admin) => {
    await admin.query('select pg_advisory_lock($1)', [SCHEMA_LOCK])
    return work(admin)
  })
}

/** Runs `work` with a client of the test cluster's `test` database (to create or drop databases). */
export async function onTestCluster<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.end()
  }
}

/** Any constant shared by all test files; the lock ends with the session that holds it. */
const SCHEMA_LOCK = 742_100_001
