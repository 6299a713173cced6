import type { Db } from '../../../db/database.ts'

/**
 * Read-only, whole-corpus reads of the advisory tables for the snapshot builder: the heads of
 * the active advisories in pages (the candidates themselves come from the advisories module's
 * `candidatesOfAdvisories`, the same reader the server's findings engine uses) and the KEV
 * entries still in the catalogue.
 */

export interface AdvisoryHeadRow {
  id: number
  source: 'osv' | 'csaf' | 'kev'
  advisory_id: string
  summary: string | null
  title: string | null
  modified: string | null
}

/** Active OSV and CSAF advisories with `id > afterId`, by id, at most `limit`. */
export async function listActiveMatchableAdvisories(
  db: Db,
  afterId: number,
  limit: number,
): Promise<AdvisoryHeadRow[]> {
  const rows = await db
    .selectFrom('advisories')
    .select(['id', 'source', 'advisory_id', 'summary', 'title', 'modified'])
    .where('state', '=', 'active')
    .where('source', 'in', ['osv', 'csaf'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ ...r, id: Number(r.id) }))
}

/** Active advisories per source: how many, and the newest `modified` time. */
export async function summariseActiveAdvisories(db: Db) {
  const rows = await db
    .selectFrom('advisories')
    .select((eb) => [
      'source',
      eb.fn.countAll<number>().as('count'),
      eb.fn.max('modified').as('newest_modified'),
    ])
    .where('state', '=', 'active')
    .groupBy('source')
    .orderBy('source')
    .execute()
  return rows.map((r) => ({
    source: r.source,
    count: Number(r.count),
    newestModified: r.newest_modified,
  }))
}

/** Every KEV entry of an active KEV advisory, by CVE. */
export async function listActiveKevEntries(db: Db) {
  return db
    .selectFrom('advisory_kev')
    .innerJoin('advisories', 'advisories.id', 'advisory_kev.advisory_pk')
    .select([
      'advisory_kev.cve',
      'advisory_kev.date_added',
      'advisory_kev.due_date',
      'advisory_kev.known_ransomware_campaign_use',
      'advisory_kev.vulnerability_name',
    ])
    .where('advisories.state', '=', 'active')
    .orderBy('advisory_kev.cve')
    .execute()
}
