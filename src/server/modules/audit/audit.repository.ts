import type { Db } from '../../db/database.ts'
import { forUpdate, insertRows, startsWith } from '../../db/dialect.ts'
import type { AuditLogRow, NewAuditLogRow } from './audit.table.ts'

export async function lockAuditHead(db: Db): Promise<{ seq: number; hash: string }> {
  const head = await forUpdate(
    db,
    db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1),
  ).executeTakeFirstOrThrow()
  return head
}

/** Inserts entries (in chain order) and moves the head to the last one. */
export async function insertAuditEntries(
  db: Db,
  entries: readonly (NewAuditLogRow & { seq: number })[],
): Promise<void> {
  const last = entries.at(-1)
  if (!last) return
  await insertRows(db, 'audit_log', entries)
  await db
    .updateTable('audit_head')
    .set({ seq: last.seq, hash: last.hash })
    .where('id', '=', 1)
    .execute()
}

export async function findAuditHead(db: Db): Promise<{ seq: number; hash: string } | undefined> {
  return db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst()
}

export async function listAuditEntriesAfter(
  db: Db,
  afterSeq: number,
  limit: number,
): Promise<AuditLogRow[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute()
}

export interface AuditFilter {
  action?: string
  actorId?: string
  organisationId?: string
  targetId?: string
  from?: string
  to?: string
  beforeSeq?: number
  limit: number
}

export async function findAuditEntries(db: Db, filter: AuditFilter): Promise<AuditLogRow[]> {
  let query = db.selectFrom('audit_log').selectAll()
  // An action filter ending in "." matches the whole family ("session." → session.created, …).
  if (filter.action) {
    query = filter.action.endsWith('.')
      ? query.where(startsWith('action', filter.action))
      : query.where('action', '=', filter.action)
  }
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId)
  if (filter.organisationId) query = query.where('organisation_id', '=', filter.organisationId)
  if (filter.targetId) query = query.where('target_id', '=', filter.targetId)
  if (filter.from) query = query.where('at', '>=', filter.from)
  if (filter.to) query = query.where('at', '<', filter.to)
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq)
  return query.orderBy('seq', 'desc').limit(filter.limit).execute()
}
