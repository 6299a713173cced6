import {
  PostgresAdapter,
  sql,
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
} from 'kysely'

/**
 * The only place that branches on the SQL dialect. Everything here is tested on both SQLite and
 * PostgreSQL (dialect.test.ts).
 */

/** The dialect of an open database, read from Kysely's adapter (it has no public accessor). */
export function dialectOfDb<DB>(db: Kysely<DB>): 'sqlite' | 'postgres' {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/** An auto-incrementing integer primary key: `serial` on PostgreSQL, `integer autoincrement` on SQLite. */
export function addSerialPrimaryKey<DB, T extends string, C extends string>(
  db: Kysely<DB>,
  table: CreateTableBuilder<T, C>,
  column: string,
): CreateTableBuilder<T, C> {
  return dialectOfDb(db) === 'postgres'
    ? table.addColumn(column, 'serial', (c: ColumnDefinitionBuilder) => c.primaryKey())
    : table.addColumn(column, 'integer', (c: ColumnDefinitionBuilder) =>
        c.primaryKey().autoIncrement(),
      )
}

/** Row-lock clause for read-modify-write inside a transaction; SQLite's BEGIN IMMEDIATE already serialises writers. */
export function forUpdate<DB, Q extends { forUpdate(): Q }>(db: Kysely<DB>, query: Q): Q {
  return dialectOfDb(db) === 'postgres' ? query.forUpdate() : query
}

/** `FOR UPDATE SKIP LOCKED` on PostgreSQL (job leasing across workers); nothing on SQLite. */
export function forUpdateSkipLocked<DB, Q extends { forUpdate(): Q; skipLocked(): Q }>(
  db: Kysely<DB>,
  query: Q,
): Q {
  return dialectOfDb(db) === 'postgres' ? query.forUpdate().skipLocked() : query
}

/** Case-insensitive "contains" match; `ILIKE` on PostgreSQL, `LIKE` (ASCII case-insensitive) on SQLite. */
export function containsInsensitive<DB>(db: Kysely<DB>, column: string, needle: string) {
  const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return dialectOfDb(db) === 'postgres'
    ? sql<boolean>`${sql.ref(column)} ilike ${pattern} escape '\\'`
    : sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`
}

/**
 * Case-sensitive "starts with", the same on both dialects: the prefix is compared as text, so
 * `%` and `_` in it are plain characters (SQLite's LIKE would also ignore ASCII case).
 */
export function startsWith(column: string, prefix: string) {
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${[...prefix].length}) = ${prefix}`
}

/**
 * A lock on an arbitrary key held until the transaction ends: `pg_advisory_xact_lock` on
 * PostgreSQL, nothing on SQLite (BEGIN IMMEDIATE already serialises writers). Use it inside a
 * transaction to make check-then-insert safe where no unique index can express the rule.
 */
export async function lockKeyForTransaction<DB>(db: Kysely<DB>, key: string): Promise<void> {
  if (dialectOfDb(db) === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(db)
  }
}
