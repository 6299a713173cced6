import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { Database } from '../../db/schema.ts'
import type {
  AdvisoryChangeKind,
  AdvisoryImportTable,
  AdvisoryTable,
  NewAdvisoryRow,
} from './advisories.table.ts'
import { chunksOf } from '../../db/chunks.ts'

type ChildTable =
  | 'advisory_aliases'
  | 'advisory_osv_affected'
  | 'advisory_csaf_products'
  | 'advisory_csaf_vulnerabilities'
  | 'advisory_csaf_statuses'
  | 'advisory_csaf_remediations'
  | 'advisory_kev'

export const CHILD_TABLES: ChildTable[] = [
  'advisory_aliases',
  'advisory_osv_affected',
  'advisory_csaf_products',
  'advisory_csaf_vulnerabilities',
  'advisory_csaf_statuses',
  'advisory_csaf_remediations',
  'advisory_kev',
]

/** Bound parameters per statement, below SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 30_000

/** Rows of `columns` parameters each that one statement takes. */
const rowsPerStatement = (columns: number) =>
  Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns)))

export async function insertImport(db: Db, row: Insertable<AdvisoryImportTable>): Promise<number> {
  const inserted = await db
    .insertInto('advisory_imports')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow()
  return Number(inserted.id)
}

export async function updateImport(
  db: Db,
  id: number,
  set: Updateable<AdvisoryImportTable>,
): Promise<void> {
  await db.updateTable('advisory_imports').set(set).where('id', '=', id).execute()
}

/** Marks imports still `running` that started before `before` as failed (their process died). */
export async function failInterruptedImports(db: Db, before: string, at: string): Promise<number> {
  const result = await db
    .updateTable('advisory_imports')
    .set({
      status: 'failed',
      finished_at: at,
      error:
        'interrupted: the process stopped during the import; the batches it committed are kept',
    })
    .where('status', '=', 'running')
    .where('started_at', '<', before)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export async function findImport(db: Db, id: number) {
  return db.selectFrom('advisory_imports').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The latest imports first; `before` pages by id. */
export async function listImports(db: Db, options: { limit: number; before?: number }) {
  let query = db
    .selectFrom('advisory_imports')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(options.limit)
  if (options.before !== undefined) query = query.where('id', '<', options.before)
  return query.execute()
}

/** The content hash of every stored advisory not removed, to skip unchanged files unread. */
export async function listContentHashes(db: Db) {
  return db
    .selectFrom('advisories')
    .select(['source', 'advisory_id', 'content_hash', 'modified'])
    .where('state', '!=', 'removed')
    .execute()
}

/** What is stored of these advisories of one source, for change detection. */
export async function findAdvisoryStates(db: Db, source: AdvisoryTable['source'], ids: string[]) {
  if (ids.length === 0) return []
  return db
    .selectFrom('advisories')
    .select(['id', 'advisory_id', 'content_hash', 'modified', 'state'])
    .where('source', '=', source)
    .where('advisory_id', 'in', ids)
    .execute()
}

export async function insertAdvisories(db: Db, rows: NewAdvisoryRow[]) {
  const inserted: { id: number; advisory_id: string }[] = []
  for (const chunk of chunksOf(rows, rowsPerStatement(24))) {
    const result = await db
      .insertInto('advisories')
      .values(chunk)
      .returning(['id', 'advisory_id'])
      .execute()
    inserted.push(...result.map((r) => ({ id: Number(r.id), advisory_id: r.advisory_id })))
  }
  return inserted
}

export async function updateAdvisory(
  db: Db,
  id: number,
  set: Updateable<AdvisoryTable>,
): Promise<void> {
  await db.updateTable('advisories').set(set).where('id', '=', id).execute()
}

/** Removes the normalised parts of these advisories (before they are written anew). */
export async function deleteAdvisoryParts(db: Db, advisoryPks: number[]): Promise<void> {
  if (advisoryPks.length === 0) return
  for (const table of CHILD_TABLES) {
    for (const chunk of chunksOf(advisoryPks, rowsPerStatement(1))) {
      await db.deleteFrom(table).where('advisory_pk', 'in', chunk).execute()
    }
  }
}

/** Inserts rows into one of the advisory part tables, in statements of bounded size. */
export async function insertParts<T extends ChildTable>(
  db: Db,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0]!).length
  for (const chunk of chunksOf(rows, rowsPerStatement(columns))) {
    // The union of part tables is too wide for Kysely's values() typing; the rows are typed above.
    await db
      .insertInto(table)
      .values(chunk as never)
      .execute()
  }
}

export async function insertChanges(
  db: Db,
  rows: {
    import_id: number
    advisory_pk: number
    change: AdvisoryChangeKind
    created_at: string
  }[],
): Promise<void> {
  for (const chunk of chunksOf(rows, rowsPerStatement(4))) {
    await db.insertInto('advisory_changes').values(chunk).execute()
  }
}

/** The KEV advisories not yet removed: id, CVE and when its catalogue was released. */
export async function listPresentKevEntries(db: Db) {
  return db
    .selectFrom('advisories')
    .innerJoin('advisory_kev', 'advisory_kev.advisory_pk', 'advisories.id')
    .select(['advisories.id', 'advisories.advisory_id', 'advisory_kev.catalog_released'])
    .where('advisories.source', '=', 'kev')
    .where('advisories.state', '!=', 'removed')
    .execute()
}

/** The release time of the newest KEV catalogue imported, if any. */
export async function findLatestKevCatalogRelease(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom('advisory_kev')
    .select((eb) => eb.fn.max('catalog_released').as('latest'))
    .executeTakeFirst()
  return row?.latest ?? undefined
}

export async function markAdvisoriesRemoved(
  db: Db,
  ids: number[],
  at: string,
  importId: number,
): Promise<void> {
  for (const chunk of chunksOf(ids, rowsPerStatement(1))) {
    await db
      .updateTable('advisories')
      .set({ state: 'removed', withdrawn_at: at, updated_at: at, last_import_id: importId })
      .where('id', 'in', chunk)
      .execute()
  }
}

const summaryColumns = [
  'advisories.id',
  'advisories.source',
  'advisories.advisory_id',
  'advisories.state',
  'advisories.aliases',
  'advisories.published',
  'advisories.modified',
  'advisories.withdrawn_at',
  'advisories.title',
  'advisories.severity',
  'advisories.cvss_score',
  'advisories.category',
] as const

/** Changes after `seq`, oldest first, with the advisory they concern. */
export async function listChangesSince(db: Db, seq: number, limit: number) {
  return db
    .selectFrom('advisory_changes')
    .innerJoin('advisories', 'advisories.id', 'advisory_changes.advisory_pk')
    .select([
      'advisory_changes.seq',
      'advisory_changes.import_id',
      'advisory_changes.change',
      'advisory_changes.created_at',
      'advisories.id as advisory_pk',
      'advisories.source',
      'advisories.advisory_id',
    ])
    .where('advisory_changes.seq', '>', seq)
    .orderBy('advisory_changes.seq')
    .limit(limit)
    .execute()
}

/** Advisories whose own id, or one of whose aliases, is one of `ids` (exact, as stored). */
export async function findAdvisoriesByIdsOrAliases(db: Db, ids: readonly string[], limit: number) {
  if (ids.length === 0) return []
  return db
    .selectFrom('advisories')
    .select(summaryColumns)
    .where((eb) =>
      eb.or([
        eb('advisories.advisory_id', 'in', ids),
        eb(
          'advisories.id',
          'in',
          eb.selectFrom('advisory_aliases').select('advisory_pk').where('alias', 'in', ids),
        ),
      ]),
    )
    .orderBy('advisories.source')
    .orderBy('advisories.advisory_id')
    .limit(limit)
    .execute()
}

export async function findAdvisory(db: Db, source: AdvisoryTable['source'], advisoryId: string) {
  return db
    .selectFrom('advisories')
    .selectAll()
    .where('source', '=', source)
    .where('advisory_id', '=', advisoryId)
    .executeTakeFirst()
}

export async function listOsvAffected(db: Db, advisoryPk: number) {
  return db
    .selectFrom('advisory_osv_affected')
    .selectAll()
    .where('advisory_pk', '=', advisoryPk)
    .orderBy('entry_index')
    .execute()
}

export async function listCsafProducts(db: Db, advisoryPk: number) {
  return db
    .selectFrom('advisory_csaf_products')
    .selectAll()
    .where('advisory_pk', '=', advisoryPk)
    .orderBy('product_id')
    .execute()
}

export async function listCsafVulnerabilities(db: Db, advisoryPk: number) {
  return db
    .selectFrom('advisory_csaf_vulnerabilities')
    .selectAll()
    .where('advisory_pk', '=', advisoryPk)
    .orderBy('vuln_index')
    .execute()
}

export async function listCsafStatuses(db: Db, advisoryPk: number) {
  return db
    .selectFrom('advisory_csaf_statuses')
    .selectAll()
    .where('advisory_pk', '=', advisoryPk)
    .orderBy('vuln_index')
    .orderBy('product_id')
    .execute()
}

export async function listCsafRemediations(db: Db, advisoryPk: number) {
  return db
    .selectFrom('advisory_csaf_remediations')
    .selectAll()
    .where('advisory_pk', '=', advisoryPk)
    .orderBy('vuln_index')
    .execute()
}

export async function findKevEntry(db: Db, advisoryPk: number) {
  return db
    .selectFrom('advisory_kev')
    .selectAll()
    .where('advisory_pk', '=', advisoryPk)
    .executeTakeFirst()
}

/** How many advisories of each source and state are stored. */
export async function countAdvisories(db: Db) {
  return db
    .selectFrom('advisories')
    .select(['source', 'state', (eb) => eb.fn.countAll<string>().as('count')])
    .groupBy(['source', 'state'])
    .execute()
}
