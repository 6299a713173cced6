import type { Insertable } from 'kysely'
import type { Db } from '../../db/database.ts'
import type {
  NewVexStatementRow,
  VexDocumentRow,
  VexDocumentTable,
  VexPublicationRow,
  VexPublicationTable,
  VexStatementRow,
} from './vex.table.ts'
import { chunksOf } from '../../db/chunks.ts'

export async function findVersionOfOrganisation(db: Db, organisationId: string, versionId: string) {
  return db
    .selectFrom('product_versions')
    .innerJoin('products', 'products.id', 'product_versions.product_id')
    .innerJoin('organisations', 'organisations.id', 'products.organisation_id')
    .select([
      'product_versions.id',
      'product_versions.product_id',
      'product_versions.version',
      'products.name as product_name',
      'products.model_numbers',
      'organisations.id as organisation_id',
      'organisations.name as organisation_name',
      'organisations.website as organisation_website',
      'organisations.slug as organisation_slug',
    ])
    .where('products.organisation_id', '=', organisationId)
    .where('product_versions.id', '=', versionId)
    .executeTakeFirst()
}
export type VersionInfo = NonNullable<Awaited<ReturnType<typeof findVersionOfOrganisation>>>

export async function findDocumentBySha256(
  db: Db,
  versionId: string,
  sha256: string,
): Promise<VexDocumentRow | undefined> {
  return db
    .selectFrom('vex_documents')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .where('sha256', '=', sha256)
    .executeTakeFirst()
}

export async function insertDocument(db: Db, row: Insertable<VexDocumentTable>): Promise<void> {
  await db.insertInto('vex_documents').values(row).execute()
}

export async function insertStatements(db: Db, rows: NewVexStatementRow[]): Promise<void> {
  for (const chunk of chunksOf(rows, 200)) {
    await db.insertInto('vex_statements').values(chunk).execute()
  }
}

export async function listDocuments(db: Db, versionId: string): Promise<VexDocumentRow[]> {
  return db
    .selectFrom('vex_documents')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .orderBy('uploaded_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/** Which of these versions have VEX statements at all. */
export async function listVersionIdsWithStatements(
  db: Db,
  versionIds: readonly string[],
): Promise<string[]> {
  const ids = [...new Set(versionIds)]
  const out: string[] = []
  for (const chunk of chunksOf(ids, 500)) {
    const rows = await db
      .selectFrom('vex_statements')
      .select('product_version_id')
      .distinct()
      .where('product_version_id', 'in', chunk)
      .execute()
    out.push(...rows.map((r) => r.product_version_id))
  }
  return out
}

/** A version's statements, oldest document first and in document order: the last one wins. */
export async function listStatementsOfVersion(
  db: Db,
  versionId: string,
): Promise<(VexStatementRow & { uploaded_at: string })[]> {
  return db
    .selectFrom('vex_statements')
    .innerJoin('vex_documents', 'vex_documents.id', 'vex_statements.document_id')
    .selectAll('vex_statements')
    .select('vex_documents.uploaded_at')
    .where('vex_statements.product_version_id', '=', versionId)
    .orderBy('vex_documents.uploaded_at')
    .orderBy('vex_documents.id')
    .orderBy('vex_statements.ordinal')
    .execute()
}

export async function maxPublicationVersion(
  db: Db,
  versionId: string,
  kind: string,
): Promise<number> {
  const row = await db
    .selectFrom('vex_publications')
    .select((eb) => eb.fn.max('version').as('max'))
    .where('product_version_id', '=', versionId)
    .where('kind', '=', kind as 'csaf')
    .executeTakeFirst()
  return Number(row?.max ?? 0)
}

export async function insertPublication(
  db: Db,
  row: Insertable<VexPublicationTable>,
): Promise<void> {
  await db.insertInto('vex_publications').values(row).execute()
}

type PublicationSummary = Omit<VexPublicationRow, 'content'>
const SUMMARY = [
  'id',
  'organisation_id',
  'product_id',
  'product_version_id',
  'kind',
  'version',
  'tracking_id',
  'sha256',
  'statement_count',
  'published_by_type',
  'published_by_id',
  'published_by_name',
  'published_at',
] as const

export async function listPublications(
  db: Db,
  versionId: string,
  kind?: string,
): Promise<PublicationSummary[]> {
  let query = db
    .selectFrom('vex_publications')
    .select(SUMMARY)
    .where('product_version_id', '=', versionId)
  if (kind) query = query.where('kind', '=', kind as 'csaf')
  return query.orderBy('kind').orderBy('version', 'desc').execute()
}

export async function findPublication(
  db: Db,
  versionId: string,
  publicationId: string,
): Promise<VexPublicationRow | undefined> {
  return db
    .selectFrom('vex_publications')
    .selectAll()
    .where('product_version_id', '=', versionId)
    .where('id', '=', publicationId)
    .executeTakeFirst()
}

/** Published CSAF advisories of a product (every version), newest first, for the public. */
export async function listPublicationsOfProduct(
  db: Db,
  productId: string,
): Promise<(PublicationSummary & { version_name: string })[]> {
  return db
    .selectFrom('vex_publications')
    .innerJoin('product_versions', 'product_versions.id', 'vex_publications.product_version_id')
    .select(SUMMARY.map((c) => `vex_publications.${c}` as const))
    .select('product_versions.version as version_name')
    .where('vex_publications.product_id', '=', productId)
    .orderBy('vex_publications.published_at', 'desc')
    .orderBy('vex_publications.id', 'desc')
    .execute()
}

export async function findPublicationOfProduct(
  db: Db,
  productId: string,
  publicationId: string,
): Promise<VexPublicationRow | undefined> {
  return db
    .selectFrom('vex_publications')
    .selectAll()
    .where('product_id', '=', productId)
    .where('id', '=', publicationId)
    .executeTakeFirst()
}
