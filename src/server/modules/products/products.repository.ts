import type { ExpressionBuilder } from 'kysely'
import type { Db } from '../../db/database.ts'
import { containsInsensitive } from '../../db/dialect.ts'
import type { Database } from '../../db/schema.ts'
import type {
  NewProductRow,
  ProductRow,
  ProductVersionRow,
  ProductVersionTable,
} from './products.table.ts'

// ---- products

/** The number of versions and the latest one's name, next to each product row. */
function versionSummary(eb: ExpressionBuilder<Database, 'products'>) {
  return [
    eb
      .selectFrom('product_versions')
      .select((v) => v.fn.countAll<number>().as('n'))
      .whereRef('product_versions.product_id', '=', 'products.id')
      .as('version_count'),
    eb
      .selectFrom('product_versions')
      .select('product_versions.version')
      .whereRef('product_versions.product_id', '=', 'products.id')
      .orderBy('product_versions.release_date', 'desc')
      .orderBy('product_versions.created_at', 'desc')
      .limit(1)
      .as('latest_version'),
  ] as const
}

export type ProductListRow = ProductRow & {
  version_count: number | string | null
  latest_version: string | null
}

export async function insertProduct(db: Db, row: NewProductRow): Promise<void> {
  await db.insertInto('products').values(row).execute()
}

/** A product of the organisation (never another organisation's, whatever the id). */
export async function findProduct(
  db: Db,
  organisationId: string,
  productId: string,
): Promise<ProductListRow | undefined> {
  return db
    .selectFrom('products')
    .selectAll('products')
    .select(versionSummary)
    .where('products.organisation_id', '=', organisationId)
    .where('products.id', '=', productId)
    .executeTakeFirst()
}

export async function findProductIdByName(
  db: Db,
  organisationId: string,
  name: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('products')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('name', '=', name)
    .executeTakeFirst()
  return row?.id
}

export async function updateProductRow(
  db: Db,
  id: string,
  changes: Partial<Omit<ProductRow, 'id' | 'organisation_id' | 'created_at'>>,
): Promise<void> {
  await db.updateTable('products').set(changes).where('id', '=', id).execute()
}

export async function deleteProductRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('products').where('id', '=', id).execute()
}

/** One page of the organisation's products by name, after `after` (the last row of the previous page). */
export async function listProductRows(
  db: Db,
  organisationId: string,
  filter: { query?: string; status: 'active' | 'archived' | 'all' },
  after: { name: string; id: string } | undefined,
  limit: number,
): Promise<ProductListRow[]> {
  let q = db
    .selectFrom('products')
    .selectAll('products')
    .select(versionSummary)
    .where('products.organisation_id', '=', organisationId)
  if (filter.status === 'active') q = q.where('products.archived_at', 'is', null)
  if (filter.status === 'archived') q = q.where('products.archived_at', 'is not', null)
  if (filter.query) {
    const needle = filter.query
    q = q.where((eb) =>
      eb.or([
        containsInsensitive(db, 'products.name', needle),
        containsInsensitive(db, 'products.model_numbers', needle),
      ]),
    )
  }
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('products.name', '>', after.name),
        eb.and([eb('products.name', '=', after.name), eb('products.id', '>', after.id)]),
      ]),
    )
  }
  return q.orderBy('products.name').orderBy('products.id').limit(limit).execute()
}

// ---- versions

export async function insertProductVersion(db: Db, row: ProductVersionRow): Promise<void> {
  await db.insertInto('product_versions').values(row).execute()
}

export async function findProductVersion(
  db: Db,
  productId: string,
  versionId: string,
): Promise<ProductVersionRow | undefined> {
  return db
    .selectFrom('product_versions')
    .selectAll()
    .where('product_id', '=', productId)
    .where('id', '=', versionId)
    .executeTakeFirst()
}

export async function findProductVersionIdByName(
  db: Db,
  productId: string,
  version: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('product_versions')
    .select('id')
    .where('product_id', '=', productId)
    .where('version', '=', version)
    .executeTakeFirst()
  return row?.id
}

export async function updateProductVersionRow(
  db: Db,
  id: string,
  changes: Partial<
    Pick<ProductVersionTable, 'release_date' | 'support_period_end' | 'notes' | 'updated_at'>
  >,
): Promise<void> {
  await db.updateTable('product_versions').set(changes).where('id', '=', id).execute()
}

/** A product's versions, newest release first. */
export async function listProductVersionRows(
  db: Db,
  productId: string,
): Promise<ProductVersionRow[]> {
  return db
    .selectFrom('product_versions')
    .selectAll()
    .where('product_id', '=', productId)
    .orderBy('release_date', 'desc')
    .orderBy('created_at', 'desc')
    .execute()
}
