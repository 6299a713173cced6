import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import type { Db } from '../../db/database.ts'
import { containsInsensitive, insertRows } from '../../db/dialect.ts'
import type { Database } from '../../db/schema.ts'
import type { LabelStatus } from '../../../common/api/labels.ts'
import { labelWords, type LabelWords } from '../registry/search-words.ts'
import type { LabelRow, LabelSigningKeyRow, NewLabelStatusChange } from './labels.table.ts'
import { chunksOf } from '../../db/chunks.ts'

/** Label ids per `in (…)` list. */
/**
 * Label ids per `in (…)` list. Kept small so that PostgreSQL looks the labels up by index: with a
 * few hundred ids it estimates a scan of the whole table as cheaper, and on this wide table
 * (signed records, word vectors) that scan costs tens of milliseconds (docs/performance.md,
 * "Label freshness").
 */
const ID_CHUNK = 100

const keyColumns = [
  'kid',
  'algorithm',
  'public_jwk',
  'private_key_sealed',
  'state',
  'created_at',
  'retired_at',
] as const

export async function insertSigningKey(db: Db, row: LabelSigningKeyRow): Promise<void> {
  await db.insertInto('label_signing_keys').values(row).execute()
}

export async function findActiveSigningKey(db: Db): Promise<LabelSigningKeyRow | undefined> {
  return db
    .selectFrom('label_signing_keys')
    .select(keyColumns)
    .where('state', '=', 'active')
    .executeTakeFirst()
}

/** Every key, newest first. */
export async function listSigningKeys(db: Db): Promise<LabelSigningKeyRow[]> {
  return db
    .selectFrom('label_signing_keys')
    .select(keyColumns)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute()
}

export async function retireSigningKey(db: Db, kid: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('label_signing_keys')
    .set({ state: 'retired', retired_at: at })
    .where('kid', '=', kid)
    .where('state', '=', 'active')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function insertLabel(db: Db, row: LabelRow): Promise<void> {
  // With the registry's folded words, which its word index follows (registry/search-words.ts).
  await db
    .withTables<{ labels: LabelWords }>()
    .insertInto('labels')
    .values({ ...row, ...labelWords(row) })
    .execute()
}

export async function findLabel(db: Db, id: string): Promise<LabelRow | undefined> {
  return db.selectFrom('labels').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The status of one label, for live verification (one indexed read). */
export async function findLabelStatus(db: Db, id: string) {
  return db
    .selectFrom('labels')
    .select(['status', 'status_reason', 'status_changed_at', 'expires_at'])
    .where('id', '=', id)
    .executeTakeFirst()
}

/** A label with the support period end its product version has today (it may have changed since issue). */
export type LabelWithSupportEnd = LabelRow & { support_period_end: string | null }

function selectWithSupportEnd(db: Db) {
  return (
    db
      .selectFrom('labels')
      .leftJoin('product_versions', 'product_versions.id', 'labels.product_version_id')
      .leftJoin('products', 'products.id', 'labels.product_id')
      .selectAll('labels')
      // The version's own end, else the product's (as the product module reads it).
      .select((eb) =>
        eb.fn
          .coalesce('product_versions.support_period_end', 'products.support_period_end')
          .as('support_period_end'),
      )
  )
}

/**
 * The columns a status change reads: the label as readers see it less its signed form (the
 * largest column, which no change needs), and not its registry columns.
 */
const STATUS_CHANGE_COLUMNS = [
  'id',
  'status_index',
  'kid',
  'product_id',
  'product_version_id',
  'manufacturer_id',
  'assessor_id',
  'assessment_id',
  'product_name',
  'record',
  'status',
  'status_reason',
  'status_changed_at',
  'issued_at',
  'expires_at',
] as const satisfies readonly (keyof LabelRow)[]

/**
 * A label as a status change reads it, with its product version's version and the support
 * period end that version has today.
 */
export type LabelForStatusChange = Pick<LabelRow, (typeof STATUS_CHANGE_COLUMNS)[number]> & {
  version: string | null
  support_period_end: string | null
}

/**
 * Id order, in JavaScript (code units, as SQLite's binary collation): on PostgreSQL an `order by`
 * on a text id under the database's locale costs more than the read of the rows itself.
 */
export const byId = (a: { id: string }, b: { id: string }) =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0

/**
 * Labels with their support period end, in id order (those that exist), without the registry's
 * search columns (nor, on PostgreSQL, their word vector).
 */
export async function listLabelsForStatusChange(
  db: Db,
  ids: readonly string[],
): Promise<LabelForStatusChange[]> {
  const out: LabelForStatusChange[] = []
  const unique = [...new Set(ids)].sort()
  for (const chunk of chunksOf(unique, ID_CHUNK)) {
    out.push(
      ...(await db
        .selectFrom('labels')
        .leftJoin('product_versions', 'product_versions.id', 'labels.product_version_id')
        .leftJoin('products', 'products.id', 'labels.product_id')
        .select(STATUS_CHANGE_COLUMNS.map((c) => `labels.${c}` as const))
        .select('product_versions.version')
        // The version's own end, else the product's (as the product module reads it).
        .select((eb) =>
          eb.fn
            .coalesce('product_versions.support_period_end', 'products.support_period_end')
            .as('support_period_end'),
        )
        .where('labels.id', 'in', chunk)
        .execute()),
    )
  }
  return out.sort(byId)
}

/**
 * Active and suspended labels whose validity ended at `now`, or whose product version's support
 * period ended before `today` (YYYY-MM-DD), in id order after `after`.
 */
export async function listLabelsToExpire(
  db: Db,
  options: { now: string; today: string; after: string; limit: number },
): Promise<LabelWithSupportEnd[]> {
  return selectWithSupportEnd(db)
    .where('labels.status', 'in', ['active', 'suspended'])
    .where('labels.id', '>', options.after)
    .where((eb) =>
      eb.or([
        eb('labels.expires_at', '<=', options.now),
        eb(
          eb.fn.coalesce('product_versions.support_period_end', 'products.support_period_end'),
          '<',
          options.today,
        ),
      ]),
    )
    .orderBy('labels.id')
    .limit(options.limit)
    .execute()
}

/** The next free status-list index: labels are numbered in order of issue. */
export async function nextStatusIndex(db: Db): Promise<number> {
  const row = await db
    .selectFrom('labels')
    .select((eb) => eb.fn.max('status_index').as('max'))
    .executeTakeFirst()
  return row?.max == null ? 0 : Number(row.max) + 1
}

export async function updateLabelStatus(
  db: Db,
  id: string,
  from: LabelStatus,
  change: { status: LabelStatus; reason: string; at: string },
): Promise<boolean> {
  return (await updateLabelStatuses(db, [id], from, change)) === 1
}

/**
 * Sets the same status change on these labels where their status is still `from`; returns how
 * many were changed.
 */
export async function updateLabelStatuses(
  db: Db,
  ids: readonly string[],
  from: LabelStatus,
  change: { status: LabelStatus; reason: string; at: string },
): Promise<number> {
  let changed = 0
  for (const chunk of chunksOf(ids, ID_CHUNK)) {
    const result = await db
      .updateTable('labels')
      .set({ status: change.status, status_reason: change.reason, status_changed_at: change.at })
      .where('id', 'in', chunk)
      .where('status', '=', from)
      .executeTakeFirst()
    changed += Number(result.numUpdatedRows)
  }
  return changed
}

export async function insertStatusChange(db: Db, row: NewLabelStatusChange): Promise<void> {
  await db.insertInto('label_status_changes').values(row).execute()
}

/** Inserts history rows in the order given (their ids keep that order). */
export async function insertStatusChanges(
  db: Db,
  rows: readonly NewLabelStatusChange[],
): Promise<void> {
  await insertRows(db, 'label_status_changes', rows)
}

export async function listStatusChanges(db: Db, labelId: string) {
  return db
    .selectFrom('label_status_changes')
    .select(['at', 'from_status', 'to_status', 'reason', 'actor_label'])
    .where('label_id', '=', labelId)
    .orderBy('id')
    .execute()
}

/** The status-list indices of labels whose stored status is one of `statuses`, and the highest index used. */
export async function listStatusIndices(db: Db, statuses: readonly LabelStatus[]) {
  const [flagged, top] = await Promise.all([
    db.selectFrom('labels').select('status_index').where('status', 'in', statuses).execute(),
    db
      .selectFrom('labels')
      .select((eb) => eb.fn.max('status_index').as('max'))
      .executeTakeFirst(),
  ])
  return {
    indices: flagged.map((r) => Number(r.status_index)),
    maxIndex: top?.max == null ? -1 : Number(top.max),
  }
}

/** Labels, newest first (for network administrators). */
export async function listLabels(db: Db, limit: number) {
  return db.selectFrom('labels').selectAll().orderBy('issued_at', 'desc').limit(limit).execute()
}

/** What the public registry filters labels by; every field narrows the search. */
export interface LabelSearch {
  /** Words that must all appear in the product name, manufacturer, model numbers or version. */
  words: string[]
  manufacturer?: string
  deviceClass?: string
  tier?: number
  /** The status a reader sees (active or suspended past its expiry reads as expired) at `now`. */
  status?: LabelStatus
  /**
   * Only labels of these framework versions whose profile (framework version, tier, profile and
   * strength) is one of `profiles`, or with `exclude`, is none of them. Excluding the few that
   * do not match keeps a broad filter on the newest-first index instead of sorting its matches.
   */
  coverage?: { versions: string[]; profiles: IssuedProfile[]; exclude: boolean }
  now: string
  limit: number
  offset: number
}

/** `%word%` with LIKE's wildcards and escape character taken literally. */
const likePattern = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

function searchFilter(db: Db, search: LabelSearch) {
  return (eb: ExpressionBuilder<Database, 'labels'>) => {
    // search_text and the words are both lower case: a plain LIKE, the same on both dialects
    // (and cheaper than ILIKE on PostgreSQL).
    const where: Expression<SqlBool>[] = search.words.map(
      (word) => sql<SqlBool>`${sql.ref('search_text')} like ${likePattern(word)} escape '\\'`,
    )
    if (search.manufacturer) {
      where.push(containsInsensitive(db, 'manufacturer_name', search.manufacturer))
    }
    if (search.deviceClass) where.push(eb('device_class', '=', search.deviceClass))
    if (search.tier !== undefined) where.push(eb('tier', '=', search.tier))
    switch (search.status) {
      case undefined:
        break
      case 'active':
      case 'suspended':
        where.push(eb.and([eb('status', '=', search.status), eb('expires_at', '>', search.now)]))
        break
      case 'expired':
        // Recorded by the expiry job, or past its expiry and not yet recorded.
        where.push(
          eb.or([
            eb('status', '=', 'expired'),
            eb.and([
              eb('status', 'in', ['active', 'suspended']),
              eb('expires_at', '<=', search.now),
            ]),
          ]),
        )
        break
      case 'revoked':
        where.push(eb('status', '=', 'revoked'))
    }
    const { coverage } = search
    if (coverage) {
      const keys = coverage.profiles.map(coverageKey)
      where.push(eb('framework_version', 'in', coverage.versions))
      if (!coverage.exclude) where.push(eb('coverage_key', 'in', keys))
      else if (keys.length > 0) where.push(eb('coverage_key', 'not in', keys))
    }
    return eb.and(where)
  }
}

/**
 * One page of labels matching a registry search, newest first, and how many match, counted up
 * to `countLimit + 1` (counting every label of a large registry costs more than the page).
 */
export async function searchLabels(db: Db, search: LabelSearch & { countLimit: number }) {
  const { coverage } = search
  if (
    coverage &&
    (coverage.versions.length === 0 || (!coverage.exclude && coverage.profiles.length === 0))
  ) {
    return { rows: [], total: 0 }
  }
  const filter = searchFilter(db, search)
  const [rows, count] = await Promise.all([
    db
      .selectFrom('labels')
      .selectAll()
      .where(filter)
      .orderBy('issued_at', 'desc')
      .orderBy('id', 'desc')
      .limit(search.limit)
      .offset(search.offset)
      .execute(),
    db
      .selectFrom(
        db
          .selectFrom('labels')
          .select('id')
          .where(filter)
          .limit(search.countLimit + 1)
          .as('matching'),
      )
      .select((eb) => eb.fn.countAll().as('total'))
      .executeTakeFirst(),
  ])
  return { rows, total: Number(count?.total ?? 0) }
}

/**
 * A framework version, tier, profile and verification strength: what decides the standards a
 * label reaches.
 */
export interface IssuedProfile {
  frameworkVersion: string
  tier: number
  profile: string
  verificationStrength: string
}

/** The `coverage_key` column of a label with this profile. */
export function coverageKey(p: IssuedProfile): string {
  return [p.frameworkVersion, p.tier, p.profile, p.verificationStrength].join('|')
}
