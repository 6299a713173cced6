/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'

// Every framework version ever loaded, kept whole (a published version never changes), and its
// requirements as rows so that assessments can refer to (version, requirement id).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('framework_versions')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('released', 'text')
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('source_hash', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('is_current', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('loaded_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('framework_requirements')
    .addColumn('version', 'text', (c) =>
      c.notNull().references('framework_versions.version').onDelete('cascade'),
    )
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('tier', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('framework_requirements_pk', ['version', 'id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('framework_requirements').execute()
  await db.schema.dropTable('framework_versions').execute()
}
