/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'
import { addSerialPrimaryKey } from '../dialect.ts'

// Advisories (OSV, CSAF, KEV), their normalised parts for the matcher, the import history and
// the change set (docs/vulnerabilities.md, "Advisories").
export async function up(db: Kysely<any>): Promise<void> {
  await addSerialPrimaryKey(db, db.schema.createTable('advisory_imports'), 'id')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'text')
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('triggered_by', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('files_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('new_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('changed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('withdrawn_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('removed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('stale_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('warning_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('problems', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('error', 'text')
    .execute()
  await db.schema
    .createIndex('advisory_imports_started_at')
    .on('advisory_imports')
    .column('started_at')
    .execute()

  await addSerialPrimaryKey(db, db.schema.createTable('advisories'), 'id')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('published', 'text')
    .addColumn('modified', 'text')
    .addColumn('withdrawn_at', 'text')
    .addColumn('title', 'text')
    .addColumn('summary', 'text')
    .addColumn('severity', 'text')
    .addColumn('cvss_score', 'real')
    .addColumn('cvss', 'text', (c) => c.notNull())
    .addColumn('refs', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('tracking_status', 'text')
    .addColumn('tracking_version', 'text')
    .addColumn('publisher', 'text')
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('first_import_id', 'integer', (c) => c.notNull().references('advisory_imports.id'))
    .addColumn('last_import_id', 'integer', (c) => c.notNull().references('advisory_imports.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('advisories_source_id', ['source', 'advisory_id'])
    .execute()
  await db.schema
    .createIndex('advisories_advisory_id')
    .on('advisories')
    .column('advisory_id')
    .execute()
  await db.schema.createIndex('advisories_modified').on('advisories').column('modified').execute()

  const child = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('advisory_pk', 'integer', (c) =>
        c.notNull().references('advisories.id').onDelete('cascade'),
      )

  await child('advisory_aliases')
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_aliases_pk', ['advisory_pk', 'alias'])
    .execute()
  await db.schema
    .createIndex('advisory_aliases_alias')
    .on('advisory_aliases')
    .column('alias')
    .execute()

  await child('advisory_osv_affected')
    .addColumn('entry_index', 'integer', (c) => c.notNull())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('ecosystem_base', 'text', (c) => c.notNull())
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('package_key', 'text', (c) => c.notNull())
    .addColumn('purl', 'text')
    .addColumn('purl_type', 'text')
    .addColumn('purl_namespace', 'text')
    .addColumn('purl_name', 'text')
    .addColumn('ranges', 'text', (c) => c.notNull())
    .addColumn('versions', 'text', (c) => c.notNull())
    .addColumn('severity', 'text')
    .addColumn('database_specific', 'text')
    .addColumn('ecosystem_specific', 'text')
    .addPrimaryKeyConstraint('advisory_osv_affected_pk', ['advisory_pk', 'entry_index'])
    .execute()
  await db.schema
    .createIndex('advisory_osv_affected_package')
    .on('advisory_osv_affected')
    .columns(['ecosystem_base', 'package_key'])
    .execute()
  await db.schema
    .createIndex('advisory_osv_affected_purl')
    .on('advisory_osv_affected')
    .columns(['purl_type', 'purl_namespace', 'purl_name'])
    .execute()

  await child('advisory_csaf_products')
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('vendor', 'text')
    .addColumn('vendor_norm', 'text')
    .addColumn('product', 'text')
    .addColumn('product_norm', 'text')
    .addColumn('vendor_key', 'text')
    .addColumn('product_key', 'text')
    .addColumn('family', 'text')
    .addColumn('version', 'text')
    .addColumn('version_range', 'text')
    .addColumn('model_numbers', 'text', (c) => c.notNull())
    .addColumn('skus', 'text', (c) => c.notNull())
    .addColumn('purl', 'text')
    .addColumn('purl_type', 'text')
    .addColumn('purl_namespace', 'text')
    .addColumn('purl_name', 'text')
    .addColumn('cpe', 'text')
    .addColumn('branch_path', 'text', (c) => c.notNull())
    .addColumn('relationship', 'text')
    .addPrimaryKeyConstraint('advisory_csaf_products_pk', ['advisory_pk', 'product_id'])
    .execute()
  await db.schema
    .createIndex('advisory_csaf_products_names')
    .on('advisory_csaf_products')
    .columns(['vendor_norm', 'product_norm'])
    .execute()
  await db.schema
    .createIndex('advisory_csaf_products_keys')
    .on('advisory_csaf_products')
    .columns(['vendor_key', 'product_key'])
    .execute()
  await db.schema
    .createIndex('advisory_csaf_products_purl')
    .on('advisory_csaf_products')
    .columns(['purl_type', 'purl_namespace', 'purl_name'])
    .execute()

  await child('advisory_csaf_vulnerabilities')
    .addColumn('vuln_index', 'integer', (c) => c.notNull())
    .addColumn('cve', 'text')
    .addColumn('title', 'text')
    .addColumn('cwe', 'text')
    .addColumn('ids', 'text', (c) => c.notNull())
    .addColumn('scores', 'text', (c) => c.notNull())
    .addColumn('flags', 'text', (c) => c.notNull())
    .addColumn('threats', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_csaf_vulnerabilities_pk', ['advisory_pk', 'vuln_index'])
    .execute()
  await db.schema
    .createIndex('advisory_csaf_vulnerabilities_cve')
    .on('advisory_csaf_vulnerabilities')
    .column('cve')
    .execute()

  await child('advisory_csaf_statuses')
    .addColumn('vuln_index', 'integer', (c) => c.notNull())
    .addColumn('cve', 'text')
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('advisory_csaf_statuses_product')
    .on('advisory_csaf_statuses')
    .columns(['advisory_pk', 'product_id'])
    .execute()

  await child('advisory_csaf_remediations')
    .addColumn('vuln_index', 'integer', (c) => c.notNull())
    .addColumn('cve', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('date', 'text')
    .addColumn('product_ids', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('advisory_csaf_remediations_advisory')
    .on('advisory_csaf_remediations')
    .column('advisory_pk')
    .execute()

  await child('advisory_kev')
    .addColumn('cve', 'text', (c) => c.notNull().unique())
    .addColumn('vendor_project', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('vulnerability_name', 'text', (c) => c.notNull())
    .addColumn('date_added', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('known_ransomware_campaign_use', 'text')
    .addColumn('required_action', 'text', (c) => c.notNull())
    .addColumn('short_description', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('cwes', 'text', (c) => c.notNull())
    .addColumn('catalog_version', 'text', (c) => c.notNull())
    .addColumn('catalog_released', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_kev_pk', ['advisory_pk'])
    .execute()

  await addSerialPrimaryKey(db, db.schema.createTable('advisory_changes'), 'seq')
    .addColumn('import_id', 'integer', (c) => c.notNull().references('advisory_imports.id'))
    .addColumn('advisory_pk', 'integer', (c) =>
      c.notNull().references('advisories.id').onDelete('cascade'),
    )
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('advisory_changes_import')
    .on('advisory_changes')
    .column('import_id')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'advisory_changes',
    'advisory_kev',
    'advisory_csaf_remediations',
    'advisory_csaf_statuses',
    'advisory_csaf_vulnerabilities',
    'advisory_csaf_products',
    'advisory_osv_affected',
    'advisory_aliases',
    'advisories',
    'advisory_imports',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
