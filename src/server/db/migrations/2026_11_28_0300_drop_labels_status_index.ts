/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'

// `labels_registry_status` (status, expires_at) serves every lookup by status that `labels_status`
// (status) served, and every status change has to update each index on the column: one fewer
// makes the label policy's bulk suspensions cheaper (docs/performance.md, "Label freshness").
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('labels_status').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('labels_status').on('labels').column('status').execute()
}
