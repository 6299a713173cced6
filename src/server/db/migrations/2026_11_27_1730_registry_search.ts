/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'
import { labelWords } from '../../modules/registry/search-words.ts'
import { createWordIndex, dropWordIndex, keepRowsNarrow, type WordIndex } from '../dialect.ts'

/** The registry's word index (also named in `registry.repository.ts`). */
const index: WordIndex = {
  name: 'labels_words',
  table: 'labels',
  key: 'status_index',
  columns: ['search_words', 'manufacturer_words'],
}

// Registry search by words: each label's searched fields as folded words (product name,
// manufacturer, model numbers and version; the manufacturer alone), a full-text index over them
// (FTS5 on SQLite, GIN on PostgreSQL), and indexes that answer the registry's filters without
// reading rows (a label's row holds its record and JWS, a few kilobytes): one in the order of
// issue with every filter column (walked newest first for a page, and to filter a word search's
// matches), and one each for the status and the coverage filters (for counting). On PostgreSQL,
// label rows keep their record and JWS out of line, so that counting a word's matches reads
// few pages.
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of index.columns) {
    await db.schema
      .alterTable('labels')
      .addColumn(column, 'text', (c) => c.notNull().defaultTo(''))
      .execute()
  }
  const rows = await db
    .selectFrom('labels')
    .select(['id', 'search_text', 'manufacturer_name'])
    .execute()
  for (const row of rows as { id: string; search_text: string; manufacturer_name: string }[]) {
    await db.updateTable('labels').set(labelWords(row)).where('id', '=', row.id).execute()
  }
  await createWordIndex(db, index)
  await keepRowsNarrow(db, 'labels')
  await db.schema
    .createIndex('labels_registry_by_number')
    .on('labels')
    .columns([
      'status_index',
      'device_class',
      'tier',
      'status',
      'expires_at',
      'framework_version',
      'coverage_key',
      'id',
    ])
    .execute()
  await db.schema
    .createIndex('labels_registry_status')
    .on('labels')
    .columns(['status', 'expires_at'])
    .execute()
  await db.schema
    .createIndex('labels_registry_coverage')
    .on('labels')
    .columns(['framework_version', 'coverage_key'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of [
    'labels_registry_by_number',
    'labels_registry_status',
    'labels_registry_coverage',
  ]) {
    await db.schema.dropIndex(name).execute()
  }
  await dropWordIndex(db, index)
  for (const column of index.columns) {
    await db.schema.alterTable('labels').dropColumn(column).execute()
  }
}
