/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'

// Products of manufacturer organisations and their firmware/software versions (docs/products.md).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('model_numbers', 'text', (c) => c.notNull())
    .addColumn('device_class', 'text', (c) => c.notNull())
    .addColumn('hardware_versions', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('support_period_end', 'text')
    .addColumn('update_mechanism', 'text')
    .addColumn('update_description', 'text')
    .addColumn('default_password_policy', 'text')
    .addColumn('default_password_description', 'text')
    .addColumn('security_contact_email', 'text')
    .addColumn('security_contact_url', 'text')
    .addColumn('vulnerability_disclosure_url', 'text')
    .addColumn('sbom_availability', 'text')
    .addColumn('sbom_url', 'text')
    .addColumn('secure_setup_url', 'text')
    .addColumn('sensors', 'text', (c) => c.notNull())
    .addColumn('data_collected', 'text', (c) => c.notNull())
    .addColumn('data_disclosure', 'text')
    .addColumn('archived_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('products_organisation_name', ['organisation_id', 'name'])
    .execute()
  // The list pages walk (organisation, name, id).
  await db.schema
    .createIndex('products_organisation_name_id')
    .on('products')
    .columns(['organisation_id', 'name', 'id'])
    .execute()

  await db.schema
    .createTable('product_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('release_date', 'text', (c) => c.notNull())
    .addColumn('support_period_end', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('product_versions_product_version', ['product_id', 'version'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('product_versions').execute()
  await db.schema.dropTable('products').execute()
}
