/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'
import { addSerialPrimaryKey } from '../dialect.ts'

// VEX: uploaded CycloneDX / CSAF VEX documents, their statements, and the VEX documents and CSAF
// advisories published per product version (docs/vulnerabilities.md, "VEX").
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('vex_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('product_version_id', 'text', (c) => c.notNull().references('product_versions.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('byte_length', 'integer', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('spec_version', 'text', (c) => c.notNull())
    .addColumn('document_ref', 'text')
    .addColumn('statement_count', 'integer', (c) => c.notNull())
    .addColumn('unresolved_count', 'integer', (c) => c.notNull())
    .addColumn('uploaded_by_type', 'text', (c) => c.notNull())
    .addColumn('uploaded_by_id', 'text')
    .addColumn('uploaded_by_name', 'text')
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('vex_documents_version_sha256')
    .unique()
    .on('vex_documents')
    .columns(['product_version_id', 'sha256'])
    .execute()

  await addSerialPrimaryKey(db, db.schema.createTable('vex_statements'), 'id')
    .addColumn('document_id', 'text', (c) =>
      c.notNull().references('vex_documents.id').onDelete('cascade'),
    )
    .addColumn('product_version_id', 'text', (c) => c.notNull().references('product_versions.id'))
    .addColumn('component_key', 'text')
    .addColumn('purl', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('vulnerability_id', 'text', (c) => c.notNull())
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('justification', 'text')
    .addColumn('responses', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('fixed_version', 'text')
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('vex_statements_version')
    .on('vex_statements')
    .columns(['product_version_id', 'document_id'])
    .execute()

  await db.schema
    .createTable('vex_publications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('product_version_id', 'text', (c) => c.notNull().references('product_versions.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('tracking_id', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('statement_count', 'integer', (c) => c.notNull())
    .addColumn('published_by_type', 'text', (c) => c.notNull())
    .addColumn('published_by_id', 'text')
    .addColumn('published_by_name', 'text')
    .addColumn('published_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('vex_publications_version_kind')
    .unique()
    .on('vex_publications')
    .columns(['product_version_id', 'kind', 'version'])
    .execute()
  await db.schema
    .createIndex('vex_publications_product')
    .on('vex_publications')
    .columns(['product_id', 'kind'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['vex_publications', 'vex_statements', 'vex_documents']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
