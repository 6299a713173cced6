/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'

// What the label policy has done to each label (docs/labels.md, "Label policy").
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('label_policy_states')
    .addColumn('label_id', 'text', (c) =>
      c.primaryKey().references('labels.id').onDelete('cascade'),
    )
    .addColumn('product_version_id', 'text', (c) => c.notNull())
    .addColumn('suspended_at', 'text')
    .addColumn('suspension', 'text')
    .addColumn('overridden_findings', 'text', (c) => c.notNull())
    .addColumn('warning', 'text')
    .addColumn('warning_since', 'text')
    .addColumn('evaluated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('label_policy_states_version')
    .on('label_policy_states')
    .column('product_version_id')
    .execute()
  // The policy reads a version's labels after each evaluation of its findings.
  await db.schema
    .createIndex('labels_product_version_status')
    .on('labels')
    .columns(['product_version_id', 'status'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('labels_product_version_status').execute()
  await db.schema.dropTable('label_policy_states').execute()
}
