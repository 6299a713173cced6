/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'

// Manufacturers' self-assessments of product versions, their answers and evidence (docs/assessments.md).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('assessments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('product_version_id', 'text', (c) => c.notNull().references('product_versions.id'))
    .addColumn('framework_version', 'text', (c) => c.notNull())
    .addColumn('device_class', 'text', (c) => c.notNull())
    .addColumn('target_tier', 'integer', (c) => c.notNull())
    .addColumn('reused_from', 'text')
    .addColumn('migration', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('assessments_organisation_version')
    .on('assessments')
    .columns(['organisation_id', 'product_version_id'])
    .execute()

  await db.schema
    .createTable('assessment_answers')
    .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id'))
    .addColumn('requirement_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text')
    .addColumn('explanation', 'text')
    .addColumn('justification', 'text')
    .addColumn('compensating_measures', 'text')
    .addColumn('links', 'text', (c) => c.notNull())
    .addColumn('carried_over', 'text')
    .addColumn('carried_from', 'text')
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assessment_answers_pk', ['assessment_id', 'requirement_id'])
    .execute()

  // Stored once per content under <DATA_DIR>/evidence/<aa>/<sha256>.
  await db.schema
    .createTable('evidence_blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('assessment_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id'))
    .addColumn('requirement_id', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().references('evidence_blobs.sha256'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('evidence_date', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('assessment_files_assessment_requirement')
    .on('assessment_files')
    .columns(['assessment_id', 'requirement_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('assessment_files').execute()
  await db.schema.dropTable('evidence_blobs').execute()
  await db.schema.dropTable('assessment_answers').execute()
  await db.schema.dropTable('assessments').execute()
}
