/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'

// Reviews of assessments by accredited assessors, their verdicts, and in-app notifications
// (docs/assessments.md, section Review).
export async function up(db: Kysely<any>): Promise<void> {
  // The state of the assessment's review (null: never submitted) and the label its approval issued.
  await db.schema.alterTable('assessments').addColumn('review_status', 'text').execute()
  await db.schema.alterTable('assessments').addColumn('label_id', 'text').execute()

  await db.schema
    .createTable('reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('assessor_organisation_id', 'text', (c) =>
      c.notNull().references('organisations.id'),
    )
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('tier_granted', 'integer')
    .addColumn('verification_strength', 'text')
    .addColumn('label_id', 'text')
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('reviews_assessment').on('reviews').column('assessment_id').execute()
  await db.schema
    .createIndex('reviews_assessor_status')
    .on('reviews')
    .columns(['assessor_organisation_id', 'status'])
    .execute()

  await db.schema
    .createTable('review_verdicts')
    .addColumn('review_id', 'text', (c) => c.notNull().references('reviews.id'))
    .addColumn('requirement_id', 'text', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('finding', 'text')
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_verdicts_pk', ['review_id', 'requirement_id'])
    .execute()

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute()
  await db.schema
    .createIndex('notifications_organisation_created')
    .on('notifications')
    .columns(['organisation_id', 'created_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notifications').execute()
  await db.schema.dropTable('review_verdicts').execute()
  await db.schema.dropTable('reviews').execute()
  await db.schema.alterTable('assessments').dropColumn('label_id').execute()
  await db.schema.alterTable('assessments').dropColumn('review_status').execute()
}
