import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { Db } from '../../db/database.ts'
import {
  highestKeys,
  tableInIndexOrder,
  wordSearch,
  type WordIndex,
  type WordQuery,
  type WordTerm,
} from '../../db/dialect.ts'
import type { LabelStatus } from '../../../common/api/labels.ts'
import { coverageKey, type IssuedProfile } from '../labels/labels.repository.ts'
import type { SearchWord } from './search-words.ts'

/** The registry's word index over labels (migration 2026_11_27_1730_registry_search). */
export const LABEL_WORDS: WordIndex = {
  name: 'labels_words',
  table: 'labels',
  key: 'status_index',
  columns: ['search_words', 'manufacturer_words'],
}

/** What the public registry searches labels by; every field narrows the search. */
export interface RegistrySearch {
  /** Words that must each match the start of words in the product name, manufacturer, model numbers or version. */
  words: readonly SearchWord[]
  /** Words that must each match the start of words in the manufacturer's name. */
  manufacturer: readonly SearchWord[]
  deviceClass?: string
  tier?: number
  /** The status a reader sees (active or suspended past its expiry reads as expired) at `now`. */
  status?: LabelStatus
  /**
   * Only labels of these framework versions whose profile (framework version, tier, profile and
   * strength) is one of `profiles`, or with `exclude`, is none of them.
   */
  coverage?: { versions: string[]; profiles: IssuedProfile[]; exclude: boolean }
  now: string
  limit: number
  offset: number
  /** Matches are counted up to `countLimit + 1`. */
  countLimit: number
  /** From this offset on, a page of word matches is found as a deep page (`highestKeys`). */
  deepFrom?: number
}

/** The offset from which a page of word matches is a deep page: its matches found, then sorted. */
export const DEEP_PAGE_FROM = 1000

function filters(search: RegistrySearch): RawBuilder<SqlBool>[] {
  const where: RawBuilder<SqlBool>[] = []
  const col = (name: string) => sql.ref(`labels.${name}`)
  if (search.deviceClass) where.push(sql`${col('device_class')} = ${search.deviceClass}`)
  if (search.tier !== undefined) where.push(sql`${col('tier')} = ${search.tier}`)
  switch (search.status) {
    case undefined:
      break
    case 'active':
    case 'suspended':
      where.push(sql`${col('status')} = ${search.status} and ${col('expires_at')} > ${search.now}`)
      break
    case 'expired':
      // Recorded by the expiry job, or past its expiry and not yet recorded.
      where.push(
        sql`(${col('status')} = 'expired' or (${col('status')} in ('active', 'suspended') and ${col('expires_at')} <= ${search.now}))`,
      )
      break
    case 'revoked':
      where.push(sql`${col('status')} = 'revoked'`)
  }
  const { coverage } = search
  if (coverage) {
    const keys = coverage.profiles.map(coverageKey)
    where.push(sql`${col('framework_version')} in (${sql.join(coverage.versions)})`)
    if (!coverage.exclude) where.push(sql`${col('coverage_key')} in (${sql.join(keys)})`)
    else if (keys.length > 0) where.push(sql`${col('coverage_key')} not in (${sql.join(keys)})`)
  }
  return where
}

/** Where a query's rows come from and how they are ordered, newest (highest number) first. */
function source(db: Db, query: WordQuery | undefined, ordered = false) {
  if (!query) {
    return {
      // A page walks the labels newest first on the index that holds every filter column.
      from: ordered ? tableInIndexOrder(db, 'labels', 'labels_registry_by_number') : sql`labels`,
      where: [] as RawBuilder<SqlBool>[],
      key: sql.ref('labels.status_index'),
    }
  }
  const { from, where, key } = wordSearch(db, LABEL_WORDS, query)
  return { from, where: [where], key }
}

function conditions(where: RawBuilder<SqlBool>[]) {
  return where.length === 0 ? sql`` : sql`where ${sql.join(where, sql` and `)}`
}

/** What a registry entry shows of a label (not its JWS). */
export interface RegistryEntryRow {
  id: string
  status: LabelStatus
  status_reason: string | null
  expires_at: string
  record: string
}

/**
 * A page of entries matching `query`, newest first, with their order key `k` (SQL). The page's
 * keys are found first, reading nothing but the key (and, with words, the word index): skipping
 * `offset` matches then reads no record, and without words PostgreSQL walks the filter index
 * alone (an index-only scan); only the page's own rows are then read in full. From `deepFrom`
 * on, word matches are found apart and sorted (dialect.ts `highestKeys`).
 */
function pageSql(
  db: Db,
  query: WordQuery | undefined,
  filter: RawBuilder<SqlBool>[],
  limit: number,
  offset: number,
  deepFrom: number,
) {
  const { from, where, key } = source(db, query, true)
  const rows = sql`select ${key} as k from ${from} ${conditions([...where, ...filter])}`
  const keys = highestKeys(db, rows, limit, offset, query !== undefined && offset >= deepFrom)
  return sql`select labels.id, labels.status, labels.status_reason, labels.expires_at, labels.record, keys.k from (${keys}) as keys join labels on labels.status_index = keys.k`
}

/** How many labels match `query`, counted up to `upTo` (SQL). */
function countSql(
  db: Db,
  query: WordQuery | undefined,
  filter: RawBuilder<SqlBool>[],
  upTo: number,
) {
  const { from, where } = source(db, query)
  return sql`select count(*) as n from (select 1 as one from ${from} ${conditions([
    ...where,
    ...filter,
  ])} limit ${upTo}) as matching`
}

async function count(
  db: Db,
  query: WordQuery | undefined,
  filter: RawBuilder<SqlBool>[],
  upTo: number,
): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`${countSql(db, query, filter, upTo)}`.execute(
    db,
  )
  return Number(rows[0]?.n ?? 0)
}

async function page(
  db: Db,
  query: WordQuery | undefined,
  filter: RawBuilder<SqlBool>[],
  limit: number,
  offset: number,
  deepFrom: number,
): Promise<RegistryEntryRow[]> {
  const { rows } = await sql<RegistryEntryRow>`select * from (${pageSql(
    db,
    query,
    filter,
    limit,
    offset,
    deepFrom,
  )}) as page order by k desc`.execute(db)
  return rows
}

/**
 * One page of a registry search and how many labels match (counted up to `countLimit + 1`).
 * Without words, newest first. With words, labels in which every word is a whole word (or
 * words) come first, then those where some word only starts a word; newest first within each.
 * The manufacturer's words only filter. One statement answers the count and the whole-word
 * matches' page (a round trip each would dominate on PostgreSQL); when they do not fill the page,
 * a second one the rest of it, after a count of the whole-word matches if the page was empty.
 */
export async function searchRegistryLabels(
  db: Db,
  search: RegistrySearch,
): Promise<{ rows: RegistryEntryRow[]; total: number }> {
  const { coverage, limit, offset } = search
  const deepFrom = search.deepFrom ?? DEEP_PAGE_FROM
  if (
    coverage &&
    (coverage.versions.length === 0 || (!coverage.exclude && coverage.profiles.length === 0))
  ) {
    return { rows: [], total: 0 }
  }
  const filter = filters(search)
  const terms = (column: string, words: readonly SearchWord[], prefix: boolean): WordTerm[] =>
    words.map((tokens) => ({ column, tokens, prefix }))
  const maker = terms('manufacturer_words', search.manufacturer, true)
  const matching = [...terms('search_words', search.words, true), ...maker]
  const all: WordQuery | undefined = matching.length > 0 ? { all: matching } : undefined
  const whole = terms('search_words', search.words, false)
  // Without words every match is a whole-word match.
  const first: WordQuery | undefined = search.words.length > 0 ? { all: [...whole, ...maker] } : all
  const { rows } = await sql<RegistryEntryRow & { total: number | string }>`
    with all_count as (${countSql(db, all, filter, search.countLimit + 1)}),
      page_rows as (${pageSql(db, first, filter, limit, offset, deepFrom)})
    select all_count.n as total, page_rows.*
    from all_count left join page_rows on 1 = 1
    order by page_rows.k desc`.execute(db)
  const total = Number(rows[0]?.total ?? 0)
  const entries: RegistryEntryRow[] = rows
    .filter((row) => row.id !== null)
    .map(({ id, status, status_reason, expires_at, record }) => ({
      id,
      status,
      status_reason,
      expires_at,
      record,
    }))
  // A count past `countLimit` says only that more match.
  const more = total > search.countLimit || total > offset + entries.length
  if (search.words.length > 0 && entries.length < limit && more) {
    // The whole-word matches ended on this page, or before it (then counted, up to `offset`).
    const firstCount =
      entries.length > 0 || offset === 0
        ? offset + entries.length
        : await count(db, first, filter, offset)
    const rest = firstCount === 0 ? all : { all: matching, unless: whole }
    entries.push(
      ...(await page(
        db,
        rest,
        filter,
        limit - entries.length,
        Math.max(0, offset - firstCount),
        deepFrom,
      )),
    )
  }
  return { rows: entries, total }
}
