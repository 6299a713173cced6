import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely'

/**
 * The only place that branches on the SQL dialect. Everything here is tested on both SQLite and
 * PostgreSQL (dialect.test.ts).
 */

// Kysely has no public accessor for the dialect, so we record it when the database is opened.
const dialects = new WeakMap<Kysely<unknown>, 'sqlite' | 'postgres'>()

export function dialectOfDb(db: Kysely<never>): 'sqlite' | 'postgres' {
  const adapter = db.getExecutor().adapter.constructor.name
  const cached = dialects.get(db as Kysely<unknown>)
  if (cached) return cached
  const dialect = adapter.startsWith('Postgres') ? 'postgres' : 'sqlite'
  dialects.set(db as Kysely<unknown>, dialect)
  return dialect
}

/** An auto-incrementing integer primary key: `serial` on PostgreSQL, `integer autoincrement` on SQLite. */
export function addSerialPrimaryKey<T extends string, C extends string>(
  db: Kysely<never>,
  table: CreateTableBuilder<T, C>,
  column: string,
): CreateTableBuilder<T, C> {
  return dialectOfDb(db) === 'postgres'
    ? table.addColumn(column, 'serial', (c: ColumnDefinitionBuilder) => c.primaryKey())
    : table.addColumn(column, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement())
}

/** Row-lock clause for read-modify-write inside a transaction; SQLite's BEGIN IMMEDIATE already serialises writers. */
export function forUpdate<Q extends { forUpdate(): Q }>(db: Kysely<never>, query: Q): Q {
  return dialectOfDb(db) === 'postgres' ? query.forUpdate() : query
}

/** `FOR UPDATE SKIP LOCKED` on PostgreSQL (job leasing across workers); nothing on SQLite. */
export function forUpdateSkipLocked<Q extends { forUpdate(): Q; skipLocked(): Q }>(
  db: Kysely<never>,
  query: Q,
): Q {
  return dialectOfDb(db) === 'postgres' ? query.forUpdate().skipLocked() : query
}

/** Case-insensitive "contains" match; `ILIKE` on PostgreSQL, `LIKE` (ASCII case-insensitive) on SQLite. */
export function containsInsensitive(db: Kysely<never>, column: string, needle: string) {
  const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return dialectOfDb(db) === 'postgres'
    ? sql<boolean>`${sql.ref(column)} ilike ${pattern} escape '\\'`
    : sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`
}
