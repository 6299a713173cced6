/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'

// The re-evaluation after an advisory change looks components up by purl type and a list of
// names (sboms.matching.ts: `purl_type = ? and purl_name in (…)`). The index on (type,
// namespace, name) serves that only by its first column, so every component of the type was read
// — 2 s per change with 10,000 npm SBOMs (docs/performance.md, "Label freshness").
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('sbom_components_purl_type_name')
    .on('sbom_components')
    .columns(['purl_type', 'purl_name'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sbom_components_purl_type_name').execute()
}
