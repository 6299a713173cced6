import {
  PostgresAdapter,
  sql,
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  type QueryExecutorProvider,
  type RawBuilder,
  type SqlBool,
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

/**
 * The locks `lockKeyForTransaction` takes, for many keys in one statement and in code-unit order
 * (`collate "C"`), so that two transactions locking overlapping sets never wait on each other in
 * a cycle. Nothing on SQLite.
 */
export async function lockKeysForTransaction(
  db: QueryExecutorProvider,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0 || !(db.getExecutor().adapter instanceof PostgresAdapter)) return
  await sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from (select k from unnest(${[...new Set(keys)]}::text[]) as k order by k collate "C" offset 0) as keys`.execute(
    db,
  )
}

/**
 * A word index over text columns of a table whose values are words already folded and joined by
 * single spaces (the registry's `search-words.ts`), keyed by a unique integer column. SQLite: an
 * FTS5 table with that table as external content, the `ascii` tokenizer (it only splits at the
 * spaces; the words are folded before) and prefix indexes, kept in step by triggers. PostgreSQL:
 * a generated `tsvector` column of the words taken as lexemes as they are (`array_to_tsvector`;
 * the second column's marked `1~`, and so on) with a GIN index.
 */
export interface WordIndex {
  name: string
  table: string
  key: string
  columns: readonly string[]
}

/** One word of a search: its tokens in a row in `column`, the last one a prefix when `prefix`. */
export interface WordTerm {
  column: string
  tokens: readonly string[]
  prefix: boolean
}

/** Rows matching every term of `all` and not every term of `unless` (when given). */
export interface WordQuery {
  all: readonly WordTerm[]
  unless?: readonly WordTerm[]
}

/** PostgreSQL: the generated column holding the index's lexemes (other columns' words marked `1~`, `2~`…). */
const vectorColumn = (index: WordIndex) => `${index.name}_vector`
const columnMark = (i: number) => (i === 0 ? '' : `${i}~`)

export async function createWordIndex<DB>(db: Kysely<DB>, index: WordIndex): Promise<void> {
  const { name, table, key, columns } = index
  if (dialectOfDb(db) === 'postgres') {
    const words = sql.join(
      columns.map((c, i) =>
        i === 0
          ? sql.ref(c)
          : sql`case when ${sql.ref(c)} = '' then '' else ${sql.lit(columnMark(i))} || replace(${sql.ref(c)}, ' ', ${sql.lit(` ${columnMark(i)}`)}) end`,
      ),
      sql` || ' ' || `,
    )
    await sql`alter table ${sql.table(table)} add column ${sql.id(vectorColumn(index))} tsvector generated always as (array_to_tsvector(array_remove(string_to_array(${words}, ' '), ''))) stored`.execute(
      db,
    )
    // Kept in the row (compressed if need be), not out of line: every match is checked against it.
    await sql`alter table ${sql.table(table)} alter column ${sql.id(vectorColumn(index))} set storage main`.execute(
      db,
    )
    await sql`create index ${sql.id(name)} on ${sql.table(table)} using gin (${sql.id(vectorColumn(index))})`.execute(
      db,
    )
    return
  }
  const cols = sql.join(columns.map((c) => sql.id(c)))
  const values = (row: 'new' | 'old') => sql.join(columns.map((c) => sql.raw(`${row}.${c}`)))
  const ftsTable = sql.table(name)
  await sql`create virtual table ${ftsTable} using fts5(${cols}, content=${sql.lit(table)}, content_rowid=${sql.lit(key)}, tokenize='ascii', prefix='1 2 3 4')`.execute(
    db,
  )
  const insertNew = sql`insert into ${ftsTable} (rowid, ${cols}) values (${sql.raw(`new.${key}`)}, ${values('new')});`
  const deleteOld = sql`insert into ${ftsTable} (${sql.id(name)}, rowid, ${cols}) values ('delete', ${sql.raw(`old.${key}`)}, ${values('old')});`
  await sql`create trigger ${sql.id(`${name}_insert`)} after insert on ${sql.table(table)} begin ${insertNew} end`.execute(
    db,
  )
  await sql`create trigger ${sql.id(`${name}_delete`)} after delete on ${sql.table(table)} begin ${deleteOld} end`.execute(
    db,
  )
  await sql`create trigger ${sql.id(`${name}_update`)} after update of ${sql.join([key, ...columns].map((c) => sql.id(c)))} on ${sql.table(table)} begin ${deleteOld} ${insertNew} end`.execute(
    db,
  )
  await sql`insert into ${ftsTable} (${sql.id(name)}) values ('rebuild')`.execute(db)
}

export async function dropWordIndex<DB>(db: Kysely<DB>, index: WordIndex): Promise<void> {
  const { name } = index
  if (dialectOfDb(db) === 'postgres') {
    await sql`drop index ${sql.id(name)}`.execute(db)
    await sql`alter table ${sql.table(index.table)} drop column ${sql.id(vectorColumn(index))}`.execute(
      db,
    )
    return
  }
  for (const trigger of ['insert', 'delete', 'update']) {
    await sql`drop trigger ${sql.id(`${name}_${trigger}`)}`.execute(db)
  }
  await sql`drop table ${sql.table(name)}`.execute(db)
}

/**
 * A table to select from in the order of one of its indexes: SQLite's planner prefers a narrower
 * index and sorts, reading every matching row (a page of a broad filter then reads thousands), so
 * it is told (`INDEXED BY`); PostgreSQL's planner weighs both with its statistics.
 */
export function tableInIndexOrder<DB>(db: Kysely<DB>, table: string, index: string) {
  return dialectOfDb(db) === 'postgres'
    ? sql`${sql.table(table)}`
    : sql`${sql.table(table)} indexed by ${sql.id(index)}`
}

/**
 * The keys `k` of `rows` (a select of one column `k`), highest first, `limit` of them after
 * `offset`. A page of word matches: PostgreSQL plans it as a walk of the key's index backwards,
 * testing each row against the words — cheap for a first page, tens of thousands of rows for a
 * deep one — so when `deep`, the matches are found apart first (a subquery with `offset 0` is
 * planned on its own: a bitmap scan of the word index) and sorted after. SQLite's FTS5 yields
 * its matches in key order already.
 */
export function highestKeys<DB>(
  db: Kysely<DB>,
  rows: RawBuilder<unknown>,
  limit: number,
  offset: number,
  deep: boolean,
) {
  return dialectOfDb(db) === 'postgres' && deep
    ? sql`select matches.k from (${rows} offset 0) as matches order by matches.k desc limit ${limit} offset ${offset}`
    : sql`${rows} order by k desc limit ${limit} offset ${offset}`
}

/**
 * Keeps a table's rows narrow, so that a scan that must visit rows (PostgreSQL checks each row's
 * visibility) reads few pages: PostgreSQL moves long values out of line once a row passes 512
 * bytes instead of 2 KiB. SQLite needs nothing (covering indexes do it there).
 */
export async function keepRowsNarrow<DB>(db: Kysely<DB>, table: string): Promise<void> {
  if (dialectOfDb(db) === 'postgres') {
    await sql`alter table ${sql.table(table)} set (toast_tuple_target = 512)`.execute(db)
  }
}

/** An FTS5 expression of `terms` (the tokens hold only letters and digits; quotes are doubled anyway). */
function ftsExpression(terms: readonly WordTerm[]): string {
  return terms
    .map((t) => `${t.column} : "${t.tokens.join(' ').replaceAll('"', '""')}"${t.prefix ? '*' : ''}`)
    .join(' AND ')
}

/** PostgreSQL: every term of `terms`, one `@@` (one GIN scan) and a LIKE for each phrase. */
function pgCondition(index: WordIndex, terms: readonly WordTerm[]) {
  const lexeme = (token: string) => `'${token.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`
  const parts: string[] = []
  const phrases = []
  for (const term of terms) {
    const mark = columnMark(index.columns.indexOf(term.column))
    const lexemes = term.tokens.map((token) => lexeme(`${mark}${token}`))
    if (term.prefix) lexemes[lexemes.length - 1] += ':*'
    parts.push(...lexemes)
    if (term.tokens.length > 1) {
      const text = term.tokens.join(' ').replace(/[\\%_]/g, (c) => `\\${c}`)
      const pattern = `% ${text}${term.prefix ? '%' : ' %'}`
      phrases.push(
        sql<SqlBool>`(' ' || ${sql.ref(`${index.table}.${term.column}`)} || ' ') like ${pattern} escape '\\'`,
      )
    }
  }
  const vector = sql.ref(`${index.table}.${vectorColumn(index)}`)
  const conditions = [sql<SqlBool>`${vector} @@ ${parts.join(' & ')}::tsquery`, ...phrases]
  return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`
}

/**
 * The rows of `index.table` matching `query`, to select from: `from` (the table, joined to the
 * FTS5 table on SQLite), `where` and `key` (the index key, to order by: on SQLite FTS5 walks its
 * rowids in order, so a page of a common word stops early).
 */
export function wordSearch<DB>(db: Kysely<DB>, index: WordIndex, query: WordQuery) {
  const { name, table, key } = index
  if (dialectOfDb(db) === 'postgres') {
    const all = pgCondition(index, query.all)
    return {
      from: sql`${sql.table(table)}`,
      where: query.unless?.length
        ? sql<SqlBool>`${all} and not ${pgCondition(index, query.unless)}`
        : all,
      key: sql.ref(`${table}.${key}`),
    }
  }
  const all = ftsExpression(query.all)
  const expression = query.unless?.length ? `(${all}) NOT (${ftsExpression(query.unless)})` : all
  return {
    from: sql`${sql.table(name)} join ${sql.table(table)} on ${sql.ref(`${table}.${key}`)} = ${sql.ref(`${name}.rowid`)}`,
    where: sql<SqlBool>`${sql.table(name)} match ${expression}`,
    key: sql.ref(`${name}.rowid`),
  }
}

/** Bound parameters per multi-row INSERT … VALUES: below SQLite's limit (32,766). */
const PARAMETERS_PER_INSERT = 30_000
/** Rows per PostgreSQL INSERT … SELECT FROM unnest(…): one parameter per column, whatever the rows. */
const ROWS_PER_UNNEST = 5_000

/** PostgreSQL column types (udt names) per table, read once per process for unnest's casts. */
const pgColumnTypes = new Map<string, Map<string, string>>()

async function columnTypesOf<DB>(
  db: Kysely<DB>,
  table: string,
  columns: readonly string[],
): Promise<Map<string, string>> {
  const known = pgColumnTypes.get(table)
  if (known && columns.every((c) => known.has(c))) return known
  // Every schema is migrated by the same migrations, so a table's types are the same in each.
  const { rows } = await sql<{ column_name: string; udt_name: string }>`
    select column_name, udt_name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table}`.execute(db)
  const types = new Map(rows.map((r) => [r.column_name, r.udt_name]))
  pgColumnTypes.set(table, types)
  return types
}

type Scalar = string | number | boolean | null

/** The rows' common columns when every row has the same ones and only plain values. */
function uniformColumns(rows: readonly Record<string, unknown>[]): string[] | undefined {
  const columns = Object.keys(rows[0]!)
  for (const row of rows) {
    if (Object.keys(row).length !== columns.length) return undefined
    for (const column of columns) {
      const value = row[column]
      // Undefined (or absent) is Kysely's "leave to the default"; an array would make it null.
      if (value === undefined) return undefined
      if (
        value !== null &&
        typeof value !== 'string' &&
        typeof value !== 'number' &&
        typeof value !== 'boolean'
      ) {
        return undefined
      }
    }
  }
  return columns
}

/**
 * Inserts many rows into one table, in as few statements as the database allows. SQLite:
 * multi-row `INSERT … VALUES` under its parameter limit. PostgreSQL: `INSERT … SELECT * FROM
 * unnest($1::type[], …)`, one array per column — a thousand rows bound as thousands of scalars
 * cost the driver, Kysely and PostgreSQL's parser about twice as much (docs/performance.md,
 * "Label freshness"). Rows whose columns differ or that hold other than plain values (a Buffer, a
 * missing column left to its default) go the VALUES way on both. `modify` adds what the
 * statement needs after its rows (an `onConflict`).
 */
export async function insertRows<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  rows: readonly Insertable<DB[T]>[],
  modify?: (
    query: InsertQueryBuilder<DB, T, InsertResult>,
  ) => InsertQueryBuilder<DB, T, InsertResult>,
): Promise<void> {
  if (rows.length === 0) return
  const finish = modify ?? ((query) => query)
  const columns =
    dialectOfDb(db) === 'postgres'
      ? uniformColumns(rows as readonly Record<string, unknown>[])
      : undefined
  if (!columns) {
    // Kysely binds every column any row of a statement has, for each of its rows.
    const width = new Set(rows.flatMap((row) => Object.keys(row))).size
    const perStatement = Math.max(1, Math.floor(PARAMETERS_PER_INSERT / width))
    for (let i = 0; i < rows.length; i += perStatement) {
      await finish(db.insertInto(table).values(rows.slice(i, i + perStatement))).execute()
    }
    return
  }
  const types = await columnTypesOf(db, table, columns)
  for (let i = 0; i < rows.length; i += ROWS_PER_UNNEST) {
    const slice = rows.slice(i, i + ROWS_PER_UNNEST) as readonly Record<string, Scalar>[]
    const arrays = columns.map((column) => {
      const type = types.get(column)
      if (!type) throw new Error(`${table}.${column}: no such column`)
      return sql`${slice.map((row) => row[column]!)}::${sql.id(type)}[]`
    })
    const query = db
      .insertInto(table)
      .columns(columns as never)
      .expression(sql`select * from unnest(${sql.join(arrays)})`)
    await finish(query).execute()
  }
}
