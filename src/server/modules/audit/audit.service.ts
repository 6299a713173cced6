import { canonicalJson } from '../../../common/canonical-json.ts'
import type { AuditQuery } from '../../../common/api/admin.ts'
import type { Db } from '../../db/database.ts'
import type { Ctx } from '../../kernel/context.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import type { Clock } from '../../kernel/clock.ts'
import { sha256Hex } from '../../kernel/crypto.ts'
import {
  findAuditEntries,
  findAuditHead,
  insertAuditEntries,
  listAuditEntriesAfter,
  lockAuditHead,
} from './audit.repository.ts'
import type { AuditLogRow } from './audit.table.ts'

export const GENESIS_HASH = '0'.repeat(64)

export interface AuditEvent {
  /** Dotted verb, e.g. `session.created`, `membership.role_changed`. */
  action: string
  organisationId?: string | null
  targetType?: string
  targetId?: string
  details?: Record<string, unknown>
}

export interface AuditEntry {
  seq: number
  at: string
  actorType: AuditLogRow['actor_type']
  actorId: string | null
  actorLabel: string | null
  organisationId: string | null
  action: string
  targetType: string | null
  targetId: string | null
  requestId: string | null
  ip: string | null
  details: Record<string, unknown>
  prevHash: string
  hash: string
}

/**
 * The hash of an entry: SHA-256 over the RFC 8785 canonical JSON of every field but `hash`,
 * `prevHash` included. Anyone holding an export of the log can recompute the chain.
 */
export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(canonicalJson(entry))
}

function actorFields(actor: Actor): Pick<AuditEntry, 'actorType' | 'actorId' | 'actorLabel'> {
  switch (actor.type) {
    case 'user':
      return { actorType: 'user', actorId: actor.userId, actorLabel: actor.email }
    case 'api_token':
      return { actorType: 'api_token', actorId: actor.tokenId, actorLabel: actor.name }
    case 'system':
      return { actorType: 'system', actorId: null, actorLabel: actor.name }
    case 'anonymous':
      return { actorType: 'anonymous', actorId: null, actorLabel: null }
  }
}

/**
 * Appends one entry to the hash-chained audit log. Call it with the transaction that makes the
 * change, so the change and its record commit together; the head-row lock orders appends from
 * every process.
 */
export async function recordAudit(
  db: Db,
  clock: Clock,
  who: { actor: Actor; meta?: RequestMeta },
  event: AuditEvent,
): Promise<AuditEntry> {
  const [entry] = await recordAuditEntries(db, clock, who, [event])
  return entry!
}

/**
 * Appends several entries, in the order given, by one actor: the head row is locked and updated
 * once and the entries are inserted together, each chained to the one before it exactly as
 * single appends would chain them. Same transaction rule as {@link recordAudit}.
 */
export async function recordAuditEntries(
  db: Db,
  clock: Clock,
  who: { actor: Actor; meta?: RequestMeta },
  events: readonly AuditEvent[],
): Promise<AuditEntry[]> {
  if (events.length === 0) return []
  const append = async (trx: Db): Promise<AuditEntry[]> => {
    const head = await lockAuditHead(trx)
    const at = clock.now().toISOString()
    const actor = actorFields(who.actor)
    let { seq, hash: prevHash } = head
    const entries = events.map((event): AuditEntry => {
      seq += 1
      const unhashed: Omit<AuditEntry, 'hash'> = {
        seq,
        at,
        ...actor,
        organisationId:
          event.organisationId ??
          (who.actor.type === 'api_token' ? who.actor.organisationId : null),
        action: event.action,
        targetType: event.targetType ?? null,
        targetId: event.targetId ?? null,
        requestId: who.meta?.requestId ?? null,
        ip: who.meta?.ip ?? null,
        details: event.details ?? {},
        prevHash,
      }
      const entry: AuditEntry = { ...unhashed, hash: hashAuditEntry(unhashed) }
      prevHash = entry.hash
      return entry
    })
    await insertAuditEntries(trx, entries.map(toRow))
    return entries
  }
  return db.isTransaction ? append(db) : db.transaction().execute(append)
}

function toRow(entry: AuditEntry): AuditLogRow {
  return {
    seq: entry.seq,
    at: entry.at,
    actor_type: entry.actorType,
    actor_id: entry.actorId,
    actor_label: entry.actorLabel,
    organisation_id: entry.organisationId,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    request_id: entry.requestId,
    ip: entry.ip,
    details: JSON.stringify(entry.details),
    prev_hash: entry.prevHash,
    hash: entry.hash,
  }
}

function fromRow(row: AuditLogRow): AuditEntry {
  let details: Record<string, unknown>
  try {
    details = JSON.parse(row.details) as Record<string, unknown>
  } catch {
    details = { unreadable: row.details }
  }
  return {
    seq: row.seq,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    organisationId: row.organisation_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    requestId: row.request_id,
    ip: row.ip,
    details,
    prevHash: row.prev_hash,
    hash: row.hash,
  }
}

export interface AuditVerification {
  ok: boolean
  checked: number
  headSeq: number
  /** The first entry that does not match the chain, and why. */
  broken?: { seq: number; reason: string }
}

/** Walks the whole chain in order and names the first broken link. */
export async function verifyAuditChain(
  db: Db,
  onProgress?: (checked: number) => void,
): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH
  let expectedSeq = 1
  let checked = 0
  const head = (await findAuditHead(db)) ?? { seq: 0, hash: GENESIS_HASH }
  for (;;) {
    const rows = await listAuditEntriesAfter(db, expectedSeq - 1, 1000)
    for (const row of rows) {
      const entry = fromRow(row)
      const fail = (reason: string): AuditVerification => ({
        ok: false,
        checked,
        headSeq: head.seq,
        broken: { seq: entry.seq, reason },
      })
      if (entry.seq !== expectedSeq) {
        return {
          ok: false,
          checked,
          headSeq: head.seq,
          broken: { seq: expectedSeq, reason: `entry ${expectedSeq} is missing` },
        }
      }
      if (entry.prevHash !== prevHash) {
        return fail('prev_hash does not match the hash of the entry before it')
      }
      const { hash, ...unhashed } = entry
      if (hashAuditEntry(unhashed) !== hash) {
        return fail('the entry was changed after it was written (hash mismatch)')
      }
      prevHash = hash
      expectedSeq += 1
      checked += 1
    }
    onProgress?.(checked)
    if (rows.length < 1000) break
  }
  if (head.seq !== checked || head.hash !== prevHash) {
    return {
      ok: false,
      checked,
      headSeq: head.seq,
      broken: {
        seq: checked + 1,
        reason: `the log ends at entry ${checked} but its head says ${head.seq}: entries were removed`,
      },
    }
  }
  return { ok: true, checked, headSeq: head.seq }
}

/** A page of the audit log, newest first, with a cursor for the next page. */
export async function findAuditLog(
  ctx: Pick<Ctx, 'db'>,
  query: AuditQuery,
): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
  const { before, limit = 50, ...filter } = query
  const rows = await findAuditEntries(ctx.db, { ...filter, beforeSeq: before, limit: limit + 1 })
  const page = rows.slice(0, limit).map(fromRow)
  return { entries: page, nextBefore: rows.length > limit ? (page.at(-1)?.seq ?? null) : null }
}
