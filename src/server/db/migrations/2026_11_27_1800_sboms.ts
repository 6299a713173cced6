/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import { sql, type Kysely } from 'kysely'

// SBOM documents per product version and their normalised components (docs/vulnerabilities.md).
export async function up(db: Kysely<any>): Promise<void> {
  // The file itself is stored once per content under <DATA_DIR>/sboms/<aa>/<sha256>.
  await db.schema
    .createTable('sbom_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('product_version_id', 'text', (c) => c.notNull().references('product_versions.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('is_current', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('byte_length', 'integer', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('spec_version', 'text', (c) => c.notNull())
    .addColumn('serial_number', 'text')
    .addColumn('bom_version', 'integer')
    .addColumn('namespace', 'text')
    .addColumn('document_name', 'text')
    .addColumn('document_created_at', 'text')
    .addColumn('tools', 'text', (c) => c.notNull())
    .addColumn('authors', 'text', (c) => c.notNull())
    .addColumn('root_key', 'text')
    .addColumn('component_count', 'integer', (c) => c.notNull())
    .addColumn('dependency_count', 'integer', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('uploaded_by_type', 'text', (c) => c.notNull())
    .addColumn('uploaded_by_id', 'text')
    .addColumn('uploaded_by_name', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .execute()
  // The same bytes are stored once per version; revisions count uploads per version.
  await db.schema
    .createIndex('sbom_documents_version_sha256')
    .unique()
    .on('sbom_documents')
    .columns(['product_version_id', 'sha256'])
    .execute()
  await db.schema
    .createIndex('sbom_documents_version_revision')
    .unique()
    .on('sbom_documents')
    .columns(['product_version_id', 'revision'])
    .execute()
  // At most one current SBOM per version.
  await db.schema
    .createIndex('sbom_documents_version_current')
    .unique()
    .on('sbom_documents')
    .column('product_version_id')
    .where(sql.ref('is_current'), '=', 1)
    .execute()
  await db.schema
    .createIndex('sbom_documents_sha256')
    .on('sbom_documents')
    .column('sha256')
    .execute()

  await db.schema
    .createTable('sbom_components')
    .addColumn('sbom_id', 'text', (c) => c.notNull().references('sbom_documents.id'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('component_key', 'text', (c) => c.notNull())
    .addColumn('parent_key', 'text')
    .addColumn('pointer', 'text', (c) => c.notNull())
    .addColumn('is_root', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text')
    .addColumn('version', 'text')
    .addColumn('type', 'text')
    .addColumn('supplier', 'text')
    .addColumn('author', 'text')
    .addColumn('purl', 'text')
    .addColumn('purl_valid', 'integer')
    .addColumn('purl_type', 'text')
    .addColumn('purl_namespace', 'text')
    .addColumn('purl_name', 'text')
    .addColumn('purl_version', 'text')
    .addColumn('cpes', 'text', (c) => c.notNull())
    .addColumn('hashes', 'text', (c) => c.notNull())
    .addColumn('licenses', 'text', (c) => c.notNull())
    .addColumn('pedigree', 'text')
    .addColumn('merged_keys', 'text')
    .addPrimaryKeyConstraint('sbom_components_pk', ['sbom_id', 'ordinal'])
    .execute()
  // The matching engine's purl lookup: (type, namespace, name) across SBOMs.
  await db.schema
    .createIndex('sbom_components_purl')
    .on('sbom_components')
    .columns(['purl_type', 'purl_namespace', 'purl_name'])
    .execute()

  await db.schema
    .createTable('sbom_component_cpes')
    .addColumn('sbom_id', 'text', (c) => c.notNull().references('sbom_documents.id'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('cpe', 'text', (c) => c.notNull())
    .addColumn('part', 'text')
    .addColumn('vendor', 'text')
    .addColumn('product', 'text')
    .addColumn('version', 'text')
    .addPrimaryKeyConstraint('sbom_component_cpes_pk', ['sbom_id', 'ordinal', 'position'])
    .execute()
  // The matching engine's CPE lookup: vendor:product across SBOMs.
  await db.schema
    .createIndex('sbom_component_cpes_vendor_product')
    .on('sbom_component_cpes')
    .columns(['vendor', 'product'])
    .execute()

  await db.schema
    .createTable('sbom_dependencies')
    .addColumn('sbom_id', 'text', (c) => c.notNull().references('sbom_documents.id'))
    .addColumn('from_key', 'text', (c) => c.notNull())
    .addColumn('to_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('sbom_dependencies_sbom')
    .on('sbom_dependencies')
    .columns(['sbom_id', 'from_key'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sbom_dependencies').execute()
  await db.schema.dropTable('sbom_component_cpes').execute()
  await db.schema.dropTable('sbom_components').execute()
  await db.schema.dropTable('sbom_documents').execute()
}
