import fs from 'node:fs'
import path from 'node:path'
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely'
import { dialectOf, sqliteFilename } from '../config.ts'
import type { Database } from './schema.ts'

export type Db = Kysely<Database>

// Kysely opens SQLite transactions with a deferred BEGIN; two processes (serve and worker) that
// both upgrade a read lock to a write lock would then deadlock with SQLITE_BUSY. BEGIN IMMEDIATE
// takes the write lock up front, so the busy timeout can do its work.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0]
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config)
    this.#config = config
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config)
  }
}

const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely's SQLite driver prepares every statement anew; preparing was a fifth of the CPU of an
 * authenticated read (docs/performance.md). Our queries have a small, fixed set of SQL texts, so
 * prepared statements are kept and reused (Kysely runs one query at a time per connection).
 */
function withStatementCache(sqlite: SqliteDatabase): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>()
  return {
    close: () => sqlite.close(),
    prepare(sqlText) {
      let statement = cache.get(sqlText)
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear()
        statement = sqlite.prepare(sqlText)
        cache.set(sqlText, statement)
      }
      return statement
    },
  }
}

/**
 * Opens the database named by the URL: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL.
 * Only the driver in use is loaded.
 */
export async function createDb(
  databaseUrl: string,
  options: { poolSize?: number; searchPath?: string } = {},
): Promise<Db> {
  if (dialectOf(databaseUrl) === 'postgres') {
    const { default: pg } = await import('pg')
    // PostgreSQL returns int8 (COUNT, SUM) as strings; every count we take fits a JS number.
    pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: options.poolSize ?? 10,
      // Tests give each file its own schema.
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    })
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  }
  const file = sqliteFilename(databaseUrl)
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true })
  const { default: SQLite } = await import('better-sqlite3')
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }),
  })
}
