/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import { sql, type Kysely } from 'kysely'
import { addSerialPrimaryKey } from '../dialect.ts'

// Label signing keys (private keys sealed), issued labels with their status-list index, and the
// history of each label's status.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('label_signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute()
  // At most one active key, whatever several processes starting at once do.
  await db.schema
    .createIndex('label_signing_keys_one_active')
    .on('label_signing_keys')
    .column('state')
    .unique()
    .where(sql.ref('state'), '=', 'active')
    .execute()

  await db.schema
    .createTable('labels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status_index', 'integer', (c) => c.notNull().unique())
    .addColumn('kid', 'text', (c) => c.notNull().references('label_signing_keys.kid'))
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('product_version_id', 'text')
    .addColumn('manufacturer_id', 'text')
    .addColumn('assessor_id', 'text')
    .addColumn('assessment_id', 'text')
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('status_changed_at', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('labels_status').on('labels').column('status').execute()
  await db.schema.createIndex('labels_product_id').on('labels').column('product_id').execute()

  await addSerialPrimaryKey(db, db.schema.createTable('label_status_changes'), 'id')
    .addColumn('label_id', 'text', (c) => c.notNull().references('labels.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .execute()
  await db.schema
    .createIndex('label_status_changes_label_id')
    .on('label_status_changes')
    .columns(['label_id', 'at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('label_status_changes').execute()
  await db.schema.dropTable('labels').execute()
  await db.schema.dropTable('label_signing_keys').execute()
}
