import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { Db } from '../../db/database.ts'
import {
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
}

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

async function page(
  db: Db,
  query: WordQuery | undefined,
  filter: RawBuilder<SqlBool>[],
  limit: number,
  offset: number,
): Promise<string[]> {
  if (limit <= 0) return []
  const { from, where, key } = source(db, query, true)
  const { rows } = await sql<{ id: string }>`select labels.id from ${from} ${conditions([
    ...where,
    ...filter,
  ])} order by ${key} desc limit ${limit} offset ${offset}`.execute(db)
  return rows.map((r) => r.id)
}

async function count(
  db: Db,
  query: WordQuery | undefined,
  filter: RawBuilder<SqlBool>[],
  upTo: number,
): Promise<number> {
  const { from, where } = source(db, query)
  const { rows } = await sql<{
    n: number | string
  }>`select count(*) as n from (select 1 as one from ${from} ${conditions([
    ...where,
    ...filter,
  ])} limit ${upTo}) as matching`.execute(db)
  return Number(rows[0]?.n ?? 0)
}

/** What a registry entry shows of a label (not its JWS): the labels of a page, in the page's order. */
export async function findEntriesInOrder(db: Db, ids: string[]) {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('labels')
    .select(['id', 'status', 'status_reason', 'expires_at', 'record'])
    .where('id', 'in', ids)
    .execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.flatMap((id) => byId.get(id) ?? [])
}

/**
 * One page of a registry search, as label ids, and how many labels match (counted up to
 * `countLimit + 1`). Without words, newest first. With words, labels in which every word is a
 * whole word (or words) come first, then those where some word only starts a word; newest first
 * within each. The manufacturer's words only filter.
 */
export async function searchRegistryLabels(
  db: Db,
  search: RegistrySearch,
): Promise<{ ids: string[]; total: number }> {
  const { coverage, limit, offset } = search
  if (
    coverage &&
    (coverage.versions.length === 0 || (!coverage.exclude && coverage.profiles.length === 0))
  ) {
    return { ids: [], total: 0 }
  }
  const filter = filters(search)
  const terms = (column: string, words: readonly SearchWord[], prefix: boolean): WordTerm[] =>
    words.map((tokens) => ({ column, tokens, prefix }))
  const maker = terms('manufacturer_words', search.manufacturer, true)
  const matching = [...terms('search_words', search.words, true), ...maker]
  const all: WordQuery | undefined = matching.length > 0 ? { all: matching } : undefined
  // Independent queries run side by side (on PostgreSQL; SQLite answers one after the other).
  if (search.words.length === 0) {
    const [total, ids] = await Promise.all([
      count(db, all, filter, search.countLimit + 1),
      page(db, all, filter, limit, offset),
    ])
    return { ids, total }
  }
  // Relevance: whole words first.
  const whole = terms('search_words', search.words, false)
  const [total, first] = await Promise.all([
    count(db, all, filter, search.countLimit + 1),
    count(db, { all: [...whole, ...maker] }, filter, offset + limit),
  ])
  const ids =
    offset < first
      ? await page(
          db,
          { all: [...whole, ...maker] },
          filter,
          Math.min(limit, first - offset),
          offset,
        )
      : []
  if (ids.length < limit && total > first) {
    const rest = first === 0 ? all : { all: matching, unless: whole }
    ids.push(...(await page(db, rest, filter, limit - ids.length, Math.max(0, offset - first))))
  }
  return { ids, total }
}
