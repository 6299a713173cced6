/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import { sql, type Kysely } from 'kysely'
import { addSerialPrimaryKey } from '../dialect.ts'

// Findings of the matching engine per product version, their CVEs (for KEV and VEX joins), the
// evaluation runs, the vendor keys of each version (for re-evaluation fan-out) and the cursor over
// the advisories change set (docs/vulnerabilities.md, "Findings").
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('product_version_id', 'text', (c) => c.notNull().references('product_versions.id'))
    .addColumn('component_key', 'text', (c) => c.notNull())
    .addColumn('component_name', 'text', (c) => c.notNull())
    .addColumn('component_version', 'text')
    .addColumn('component_purl', 'text')
    .addColumn('advisory_source', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('cves', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('confidence', 'text', (c) => c.notNull())
    .addColumn('matched_by', 'text', (c) => c.notNull())
    .addColumn('match_key', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('fixed_version', 'text')
    .addColumn('severity', 'text')
    .addColumn('cvss_score', 'real')
    .addColumn('kev', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('kev_cve', 'text')
    .addColumn('kev_date_added', 'text')
    .addColumn('kev_due_date', 'text')
    .addColumn('kev_ransomware', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addColumn('last_evaluated_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    // Triage by the manufacturer (and VEX): never written by the matcher.
    .addColumn('triage_state', 'text')
    .addColumn('triage_justification', 'text')
    .addColumn('triage_detail', 'text')
    .addColumn('triage_fixed_version', 'text')
    .addColumn('triaged_by', 'text')
    .addColumn('triaged_at', 'text')
    .execute()
  await db.schema
    .createIndex('findings_version_component_advisory')
    .unique()
    .on('findings')
    .columns(['product_version_id', 'component_key', 'advisory_id'])
    .execute()
  await db.schema
    .createIndex('findings_advisory')
    .on('findings')
    .columns(['advisory_id', 'product_version_id'])
    .execute()
  // The network's KEV exposure: open KEV findings.
  await db.schema
    .createIndex('findings_open_kev')
    .on('findings')
    .columns(['kev', 'product_version_id'])
    .where(sql.ref('resolved_at'), 'is', null)
    .execute()

  await db.schema
    .createTable('finding_cves')
    .addColumn('finding_id', 'text', (c) =>
      c.notNull().references('findings.id').onDelete('cascade'),
    )
    .addColumn('cve', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_cves_pk', ['finding_id', 'cve'])
    .execute()
  await db.schema.createIndex('finding_cves_cve').on('finding_cves').column('cve').execute()

  await addSerialPrimaryKey(db, db.schema.createTable('finding_evaluations'), 'id')
    .addColumn('product_version_id', 'text', (c) => c.notNull().references('product_versions.id'))
    .addColumn('sbom_id', 'text')
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('components', 'integer', (c) => c.notNull())
    .addColumn('candidates', 'integer', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('changed', 'integer', (c) => c.notNull())
    .addColumn('resolved', 'integer', (c) => c.notNull())
    .addColumn('unchanged', 'integer', (c) => c.notNull())
    .addColumn('open_total', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'real', (c) => c.notNull())
    .addColumn('evaluated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('finding_evaluations_version')
    .on('finding_evaluations')
    .columns(['product_version_id', 'id'])
    .execute()

  await db.schema
    .createTable('finding_vendor_keys')
    .addColumn('product_version_id', 'text', (c) => c.notNull().references('product_versions.id'))
    .addColumn('vendor_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_vendor_keys_pk', ['product_version_id', 'vendor_key'])
    .execute()
  await db.schema
    .createIndex('finding_vendor_keys_key')
    .on('finding_vendor_keys')
    .column('vendor_key')
    .execute()

  await db.schema
    .createTable('finding_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'finding_cursors',
    'finding_vendor_keys',
    'finding_evaluations',
    'finding_cves',
    'findings',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
