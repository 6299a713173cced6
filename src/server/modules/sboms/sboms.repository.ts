import type { Db } from '../../db/database.ts'
import { containsInsensitive, forUpdate, insertRows, startsWith } from '../../db/dialect.ts'
import type {
  NewSbomDocumentRow,
  SbomComponentCpeTable,
  SbomComponentRow,
  SbomComponentTable,
  SbomDependencyTable,
  SbomDocumentRow,
} from './sboms.table.ts'
import type { Insertable } from 'kysely'

// ---- product versions (read only: whose version it is)

/** The version with its product, when the product belongs to the organisation. */
export async function findVersionOfOrganisation(
  db: Db,
  organisationId: string,
  versionId: string,
): Promise<{ id: string; product_id: string; version: string; product_name: string } | undefined> {
  return db
    .selectFrom('product_versions')
    .innerJoin('products', 'products.id', 'product_versions.product_id')
    .select([
      'product_versions.id',
      'product_versions.product_id',
      'product_versions.version',
      'products.name as product_name',
    ])
    .where('products.organisation_id', '=', organisationId)
    .where('product_versions.id', '=', versionId)
    .executeTakeFirst()
}

/** Locks the version row while an upload or delete decides the current SBOM. */
export async function lockVersion(db: Db, versionId: string): Promise<void> {
  await forUpdate(
    db,
    db.selectFrom('product_versions').select('id').where('id', '=', versionId),
  ).execute()
}

// ---- documents

export async function insertDocument(db: Db, row: NewSbomDocumentRow): Promise<void> {
  await db.insertInto('sbom_documents').values(row).execute()
}

export async function findDocument(
  db: Db,
  versionId: string,
  sbomId: string,
): Promise<SbomDocumentRow | undefined> {
  return db
    .selectFrom('sbom_documents')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .where('id', '=', sbomId)
    .executeTakeFirst()
}

export async function findDocumentBySha256(
  db: Db,
  versionId: string,
  sha256: string,
): Promise<SbomDocumentRow | undefined> {
  return db
    .selectFrom('sbom_documents')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .where('sha256', '=', sha256)
    .executeTakeFirst()
}

/** The version's SBOMs, current first, then newest upload first. */
export async function listDocuments(db: Db, versionId: string): Promise<SbomDocumentRow[]> {
  return db
    .selectFrom('sbom_documents')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .orderBy('is_current', 'desc')
    .orderBy('revision', 'desc')
    .execute()
}

export async function findCurrentDocument(
  db: Db,
  versionId: string,
): Promise<SbomDocumentRow | undefined> {
  return db
    .selectFrom('sbom_documents')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .where('is_current', '=', 1)
    .executeTakeFirst()
}

/** The newest upload of the version other than `exceptId`: the fallback when the current goes. */
export async function findLatestDocument(
  db: Db,
  versionId: string,
  exceptId: string,
): Promise<SbomDocumentRow | undefined> {
  return db
    .selectFrom('sbom_documents')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .where('id', '!=', exceptId)
    .orderBy('revision', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function maxRevision(db: Db, versionId: string): Promise<number> {
  const row = await db
    .selectFrom('sbom_documents')
    .select((eb) => eb.fn.max('revision').as('revision'))
    .where('product_version_id', '=', versionId)
    .executeTakeFirst()
  return Number(row?.revision ?? 0)
}

/** Clears the version's current mark (before another document takes it). */
export async function clearCurrent(db: Db, versionId: string): Promise<void> {
  await db
    .updateTable('sbom_documents')
    .set({ is_current: 0 })
    .where('product_version_id', '=', versionId)
    .where('is_current', '=', 1)
    .execute()
}

export async function markCurrent(db: Db, sbomId: string): Promise<void> {
  await db.updateTable('sbom_documents').set({ is_current: 1 }).where('id', '=', sbomId).execute()
}

/** Whether any document (of any version) still refers to the stored file. */
export async function isSha256Referenced(db: Db, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('sbom_documents')
    .select('id')
    .where('sha256', '=', sha256)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** Deletes a document with its components, CPEs and dependencies. */
export async function deleteDocument(db: Db, sbomId: string): Promise<void> {
  await db.deleteFrom('sbom_dependencies').where('sbom_id', '=', sbomId).execute()
  await db.deleteFrom('sbom_component_cpes').where('sbom_id', '=', sbomId).execute()
  await db.deleteFrom('sbom_components').where('sbom_id', '=', sbomId).execute()
  await db.deleteFrom('sbom_documents').where('id', '=', sbomId).execute()
}

// ---- components

export async function insertComponents(
  db: Db,
  rows: Insertable<SbomComponentTable>[],
): Promise<void> {
  await insertRows(db, 'sbom_components', rows)
}

export async function insertComponentCpes(
  db: Db,
  rows: Insertable<SbomComponentCpeTable>[],
): Promise<void> {
  await insertRows(db, 'sbom_component_cpes', rows)
}

export async function insertDependencies(
  db: Db,
  rows: Insertable<SbomDependencyTable>[],
): Promise<void> {
  await insertRows(db, 'sbom_dependencies', rows)
}

export interface ComponentFilter {
  name?: string
  purlPrefix?: string
  type?: string
}

function filtered(db: Db, sbomId: string, filter: ComponentFilter) {
  let query = db.selectFrom('sbom_components').where('sbom_id', '=', sbomId)
  if (filter.name) query = query.where(containsInsensitive(db, 'name', filter.name))
  if (filter.purlPrefix) query = query.where(startsWith('purl', filter.purlPrefix))
  if (filter.type) query = query.where('type', '=', filter.type)
  return query
}

/** One page of a document's components in document order. */
export async function listComponentRows(
  db: Db,
  sbomId: string,
  filter: ComponentFilter,
  page: { limit: number; offset: number },
): Promise<SbomComponentRow[]> {
  return filtered(db, sbomId, filter)
    .selectAll()
    .orderBy('ordinal')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
}

export async function countComponentRows(
  db: Db,
  sbomId: string,
  filter: ComponentFilter,
): Promise<number> {
  const row = await filtered(db, sbomId, filter)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

// ---- lookups for the matching engine (current SBOMs only)

/** Where a component sits: its SBOM, the product version, and the component row. */
export type ComponentHitRow = SbomComponentRow & {
  product_version_id: string
  product_id: string
  organisation_id: string
}

const hitColumns = [
  'sbom_documents.product_version_id',
  'sbom_documents.product_id',
  'sbom_documents.organisation_id',
] as const

/** Components of current SBOMs with this purl type, namespace (null: none) and name. */
export async function findCurrentComponentsByPurl(
  db: Db,
  key: { type: string; namespace: string | null; name: string },
): Promise<ComponentHitRow[]> {
  let query = db
    .selectFrom('sbom_components')
    .innerJoin('sbom_documents', 'sbom_documents.id', 'sbom_components.sbom_id')
    .selectAll('sbom_components')
    .select(hitColumns)
    .where('sbom_components.purl_type', '=', key.type)
    .where('sbom_components.purl_name', '=', key.name)
    .where('sbom_documents.is_current', '=', 1)
  query =
    key.namespace === null
      ? query.where('sbom_components.purl_namespace', 'is', null)
      : query.where('sbom_components.purl_namespace', '=', key.namespace)
  return query.orderBy('sbom_components.sbom_id').orderBy('sbom_components.ordinal').execute()
}

/** Components of current SBOMs with a CPE of this vendor and product (lower-case). */
export async function findCurrentComponentsByCpe(
  db: Db,
  key: { vendor: string; product: string },
): Promise<(ComponentHitRow & { matched_cpe: string })[]> {
  return db
    .selectFrom('sbom_component_cpes')
    .innerJoin('sbom_documents', 'sbom_documents.id', 'sbom_component_cpes.sbom_id')
    .innerJoin('sbom_components', (join) =>
      join
        .onRef('sbom_components.sbom_id', '=', 'sbom_component_cpes.sbom_id')
        .onRef('sbom_components.ordinal', '=', 'sbom_component_cpes.ordinal'),
    )
    .selectAll('sbom_components')
    .select(hitColumns)
    .select('sbom_component_cpes.cpe as matched_cpe')
    .where('sbom_component_cpes.vendor', '=', key.vendor)
    .where('sbom_component_cpes.product', '=', key.product)
    .where('sbom_documents.is_current', '=', 1)
    .orderBy('sbom_components.sbom_id')
    .orderBy('sbom_components.ordinal')
    .execute()
}

/** Every component of the version's current SBOM, in document order. */
export async function listCurrentComponentRowsOfVersion(
  db: Db,
  versionId: string,
): Promise<ComponentHitRow[]> {
  return db
    .selectFrom('sbom_components')
    .innerJoin('sbom_documents', 'sbom_documents.id', 'sbom_components.sbom_id')
    .selectAll('sbom_components')
    .select(hitColumns)
    .where('sbom_documents.product_version_id', '=', versionId)
    .where('sbom_documents.is_current', '=', 1)
    .orderBy('sbom_components.ordinal')
    .execute()
}
