import type { Insertable, Updateable } from 'kysely'
import { containsInsensitive, insertRows } from '../../db/dialect.ts'
import type { Db } from '../../db/database.ts'
import type {
  FindingEvaluationTable,
  FindingRow,
  FindingTable,
  NewFindingRow,
} from './findings.table.ts'
import { chunksOf } from '../../db/chunks.ts'

const CHUNK = 500

const chunks = <T>(values: readonly T[]): T[][] => chunksOf(values, CHUNK)

// ---- subjects (product versions, with their product and manufacturer)

export interface VersionSubjectRow {
  product_version_id: string
  version: string
  product_id: string
  product_name: string
  model_numbers: string
  device_class: string
  organisation_id: string
  organisation_name: string
}

function subjects(db: Db) {
  return db
    .selectFrom('product_versions')
    .innerJoin('products', 'products.id', 'product_versions.product_id')
    .innerJoin('organisations', 'organisations.id', 'products.organisation_id')
    .select([
      'product_versions.id as product_version_id',
      'product_versions.version',
      'products.id as product_id',
      'products.name as product_name',
      'products.model_numbers',
      'products.device_class',
      'organisations.id as organisation_id',
      'organisations.name as organisation_name',
    ])
}

export async function findVersionSubject(
  db: Db,
  versionId: string,
): Promise<VersionSubjectRow | undefined> {
  return subjects(db).where('product_versions.id', '=', versionId).executeTakeFirst()
}

export async function listVersionSubjects(
  db: Db,
  versionIds: readonly string[],
): Promise<VersionSubjectRow[]> {
  const out: VersionSubjectRow[] = []
  for (const chunk of chunks([...new Set(versionIds)])) {
    out.push(...(await subjects(db).where('product_versions.id', 'in', chunk).execute()))
  }
  return out
}

/** Whether the version belongs to a product of the organisation. */
export async function isVersionOfOrganisation(
  db: Db,
  organisationId: string,
  versionId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('product_versions')
    .innerJoin('products', 'products.id', 'product_versions.product_id')
    .select('product_versions.id')
    .where('products.organisation_id', '=', organisationId)
    .where('product_versions.id', '=', versionId)
    .executeTakeFirst()
  return row !== undefined
}

/** Manufacturers' ids and names (matched to CSAF vendors by canonical key). */
export async function listManufacturers(db: Db): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('type', '=', 'manufacturer')
    .execute()
}

export async function listVersionIdsOfOrganisations(
  db: Db,
  organisationIds: readonly string[],
): Promise<string[]> {
  const out: string[] = []
  for (const chunk of chunks(organisationIds)) {
    const rows = await db
      .selectFrom('product_versions')
      .innerJoin('products', 'products.id', 'product_versions.product_id')
      .select('product_versions.id')
      .where('products.organisation_id', 'in', chunk)
      .execute()
    out.push(...rows.map((r) => r.id))
  }
  return out
}

// ---- findings

export async function listFindingsOfVersion(
  db: Db,
  versionId: string,
  advisoryIds?: readonly string[],
): Promise<FindingRow[]> {
  if (!advisoryIds) {
    return db
      .selectFrom('findings')
      .selectAll()
      .where('product_version_id', '=', versionId)
      .execute()
  }
  const out: FindingRow[] = []
  for (const chunk of chunks(advisoryIds)) {
    out.push(
      ...(await db
        .selectFrom('findings')
        .selectAll()
        .where('product_version_id', '=', versionId)
        .where('advisory_id', 'in', chunk)
        .execute()),
    )
  }
  return out
}

/** The findings of these versions (of these advisories only, when given). */
export async function listFindingsOfVersions(
  db: Db,
  versionIds: readonly string[],
  advisoryIds?: readonly string[],
): Promise<FindingRow[]> {
  const out: FindingRow[] = []
  for (const versions of chunks([...new Set(versionIds)])) {
    if (!advisoryIds) {
      out.push(
        ...(await db
          .selectFrom('findings')
          .selectAll()
          .where('product_version_id', 'in', versions)
          .execute()),
      )
      continue
    }
    for (const advisories of chunks([...new Set(advisoryIds)])) {
      out.push(
        ...(await db
          .selectFrom('findings')
          .selectAll()
          .where('product_version_id', 'in', versions)
          .where('advisory_id', 'in', advisories)
          .execute()),
      )
    }
  }
  return out
}

/** How many open findings each of these versions has (versions without any are left out). */
export async function countOpenFindingsByVersion(
  db: Db,
  versionIds: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const chunk of chunks([...new Set(versionIds)])) {
    const rows = await db
      .selectFrom('findings')
      .select(['product_version_id', (eb) => eb.fn.countAll().as('n')])
      .where('product_version_id', 'in', chunk)
      .where('resolved_at', 'is', null)
      .groupBy('product_version_id')
      .execute()
    for (const r of rows) out.set(r.product_version_id, Number(r.n))
  }
  return out
}

export async function insertFindings(db: Db, rows: NewFindingRow[]): Promise<void> {
  await insertRows(db, 'findings', rows)
}

export async function updateFinding(
  db: Db,
  id: string,
  set: Updateable<FindingTable>,
): Promise<void> {
  await db.updateTable('findings').set(set).where('id', '=', id).execute()
}

/** The same change to many findings. */
export async function updateFindings(
  db: Db,
  ids: readonly string[],
  set: Updateable<FindingTable>,
): Promise<void> {
  for (const chunk of chunks(ids)) {
    await db.updateTable('findings').set(set).where('id', 'in', chunk).execute()
  }
}

export async function touchFindings(db: Db, ids: readonly string[], at: string): Promise<void> {
  for (const chunk of chunks(ids)) {
    await db
      .updateTable('findings')
      .set({ last_evaluated_at: at })
      .where('id', 'in', chunk)
      .execute()
  }
}

export async function resolveFindings(db: Db, ids: readonly string[], at: string): Promise<void> {
  for (const chunk of chunks(ids)) {
    await db
      .updateTable('findings')
      .set({ resolved_at: at, changed_at: at, last_evaluated_at: at })
      .where('id', 'in', chunk)
      .execute()
  }
}

/**
 * Replaces the CVE rows of these findings; a `fresh` finding (inserted in this transaction) has
 * none yet, so only the others' rows are deleted first.
 */
export async function replaceFindingCves(
  db: Db,
  rows: readonly { findingId: string; cves: readonly string[]; fresh?: boolean }[],
): Promise<void> {
  if (rows.length === 0) return
  for (const chunk of chunks(rows.filter((r) => !r.fresh).map((r) => r.findingId))) {
    await db.deleteFrom('finding_cves').where('finding_id', 'in', chunk).execute()
  }
  const values = rows.flatMap((r) =>
    [...new Set(r.cves)].map((cve) => ({ finding_id: r.findingId, cve })),
  )
  await insertRows(db, 'finding_cves', values)
}

/** Versions with findings (open or resolved) of these advisories. */
export async function listVersionIdsWithAdvisories(
  db: Db,
  advisoryIds: readonly string[],
): Promise<string[]> {
  const out = new Set<string>()
  for (const chunk of chunks(advisoryIds)) {
    const rows = await db
      .selectFrom('findings')
      .select('product_version_id')
      .distinct()
      .where('advisory_id', 'in', chunk)
      .execute()
    for (const r of rows) out.add(r.product_version_id)
  }
  return [...out]
}

/** Open findings naming one of these CVEs, with all their CVEs. */
export async function listOpenFindingsWithCves(
  db: Db,
  cves: readonly string[],
): Promise<FindingRow[]> {
  const out = new Map<string, FindingRow>()
  for (const chunk of chunks(cves)) {
    const rows = await db
      .selectFrom('findings')
      .selectAll('findings')
      .where('resolved_at', 'is', null)
      .where('id', 'in', (eb) =>
        eb.selectFrom('finding_cves').select('finding_id').where('cve', 'in', chunk),
      )
      .execute()
    for (const r of rows) out.set(r.id, r)
  }
  return [...out.values()]
}

// ---- vendor keys, evaluations, cursors

export async function replaceVendorKeys(
  db: Db,
  versionId: string,
  keys: readonly string[],
): Promise<void> {
  await db.deleteFrom('finding_vendor_keys').where('product_version_id', '=', versionId).execute()
  for (const chunk of chunks([...new Set(keys)])) {
    await db
      .insertInto('finding_vendor_keys')
      .values(chunk.map((vendor_key) => ({ product_version_id: versionId, vendor_key })))
      .execute()
  }
}

export async function listVersionIdsByVendorKeys(
  db: Db,
  keys: readonly string[],
): Promise<string[]> {
  const out = new Set<string>()
  for (const chunk of chunks(keys)) {
    const rows = await db
      .selectFrom('finding_vendor_keys')
      .select('product_version_id')
      .where('vendor_key', 'in', chunk)
      .execute()
    for (const r of rows) out.add(r.product_version_id)
  }
  return [...out]
}

export async function insertEvaluation(
  db: Db,
  row: Insertable<FindingEvaluationTable>,
): Promise<void> {
  await db.insertInto('finding_evaluations').values(row).execute()
}

export async function insertEvaluations(
  db: Db,
  rows: readonly Insertable<FindingEvaluationTable>[],
): Promise<void> {
  await insertRows(db, 'finding_evaluations', rows)
}

export async function listEvaluations(db: Db, versionId: string, limit: number) {
  return db
    .selectFrom('finding_evaluations')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

export async function findCursor(db: Db, name: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('finding_cursors')
    .select('seq')
    .where('name', '=', name)
    .executeTakeFirst()
  return row ? Number(row.seq) : undefined
}

export async function saveCursor(db: Db, name: string, seq: number, at: string): Promise<void> {
  await db
    .insertInto('finding_cursors')
    .values({ name, seq, updated_at: at })
    .onConflict((oc) => oc.column('name').doUpdateSet({ seq, updated_at: at }))
    .execute()
}

// ---- reading for people

export interface FindingFilter {
  state: 'open' | 'resolved' | 'all'
  status?: 'affected' | 'unknown'
  severity?: string
  kevOnly?: boolean
  confidence?: FindingRow['confidence']
  text?: string
}

function filtered(db: Db, versionId: string, f: FindingFilter) {
  let q = db.selectFrom('findings').where('product_version_id', '=', versionId)
  if (f.state === 'open') q = q.where('resolved_at', 'is', null)
  if (f.state === 'resolved') q = q.where('resolved_at', 'is not', null)
  if (f.status) q = q.where('status', '=', f.status)
  if (f.severity) q = q.where('severity', '=', f.severity)
  if (f.kevOnly) q = q.where('kev', '=', 1)
  if (f.confidence) q = q.where('confidence', '=', f.confidence)
  if (f.text) {
    const text = f.text
    q = q.where((eb) =>
      eb.or([
        containsInsensitive(db, 'component_name', text),
        containsInsensitive(db, 'advisory_id', text),
        containsInsensitive(db, 'cves', text),
        containsInsensitive(db, 'component_purl', text),
      ]),
    )
  }
  return q
}

/** A page of a version's findings: KEV first, then by CVSS score (highest first), then id. */
export async function listFindingPage(
  db: Db,
  versionId: string,
  filter: FindingFilter,
  page: { limit: number; offset: number },
): Promise<FindingRow[]> {
  return filtered(db, versionId, filter)
    .selectAll()
    .orderBy('kev', 'desc')
    .orderBy('status')
    .orderBy('cvss_score', (ob) => ob.desc().nullsLast())
    .orderBy('advisory_id')
    .orderBy('component_key')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
}

export async function countFindings(
  db: Db,
  versionId: string,
  filter: FindingFilter,
): Promise<number> {
  const row = await filtered(db, versionId, filter)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

export async function findFinding(
  db: Db,
  versionId: string,
  findingId: string,
): Promise<FindingRow | undefined> {
  return db
    .selectFrom('findings')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .where('id', '=', findingId)
    .executeTakeFirst()
}

/** Open, affected KEV findings with the product, its manufacturer and device class. */
export async function listOpenKevExposure(db: Db) {
  return db
    .selectFrom('findings')
    .innerJoin('products', 'products.id', 'findings.product_id')
    .innerJoin('organisations', 'organisations.id', 'findings.organisation_id')
    .select([
      'findings.organisation_id',
      'organisations.name as organisation_name',
      'findings.product_id',
      'products.name as product_name',
      'products.device_class',
      'findings.product_version_id',
      'findings.kev_cve',
      'findings.kev_due_date',
    ])
    .where('findings.kev', '=', 1)
    .where('findings.resolved_at', 'is', null)
    .where('findings.status', '=', 'affected')
    .execute()
}
