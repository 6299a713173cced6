import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../../kernel/actor.ts'
import { ManualClock } from '../../kernel/clock.ts'
import { createTestDb, type TestDb } from '../../testing/test-db.ts'
import {
  findAuditLog,
  hashAuditEntry,
  recordAudit,
  recordAuditEntries,
  verifyAuditChain,
} from './audit.service.ts'

describe('audit log', () => {
  let t: TestDb
  const clock = new ManualClock()
  const who = { actor: systemActor('test'), meta: { requestId: 'req-1', ip: '127.0.0.1' } }

  beforeAll(async () => {
    t = await createTestDb()
  })
  afterAll(async () => t.destroy())

  it('chains entries and verifies an intact log', async () => {
    for (let i = 0; i < 5; i++) {
      clock.advance(1000)
      await recordAudit(t.db, clock, who, {
        action: 'test.event',
        targetType: 'thing',
        targetId: `t${i}`,
        details: { i },
      })
    }
    const result = await verifyAuditChain(t.db)
    expect(result).toEqual({ ok: true, checked: 5, headSeq: 5 })
  })

  it('serialises concurrent appends into one unbroken chain', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit(t.db, clock, who, { action: 'test.concurrent', details: { i } }),
      ),
    )
    const result = await verifyAuditChain(t.db)
    expect(result.ok).toBe(true)
    expect(result.checked).toBe(25)
  })

  it('filters and pages newest first', async () => {
    const first = await findAuditLog(t, { action: 'test.', limit: 10 })
    expect(first.entries).toHaveLength(10)
    expect(first.entries[0]!.seq).toBe(25)
    expect(first.nextBefore).toBe(16)
    const byTarget = await findAuditLog(t, { targetId: 't3', limit: 10 })
    expect(byTarget.entries.map((e) => e.details)).toEqual([{ i: 3 }])
  })

  it('names the first altered entry', async () => {
    await sql`update audit_log set details = ${JSON.stringify({ i: 99 })} where seq = 3`.execute(
      t.db,
    )
    const result = await verifyAuditChain(t.db)
    expect(result.ok).toBe(false)
    expect(result.broken).toEqual({
      seq: 3,
      reason: 'the entry was changed after it was written (hash mismatch)',
    })
  })

  it('appends many entries at once, chained as single appends chain them', async () => {
    const fresh = await createTestDb()
    try {
      await recordAudit(fresh.db, clock, who, { action: 'x.single' })
      // More than one insert statement's worth, interleaved with single appends.
      const [batch] = await Promise.all([
        recordAuditEntries(
          fresh.db,
          clock,
          who,
          Array.from({ length: 1201 }, (_, i) => ({
            action: 'x.bulk',
            targetId: `t${i}`,
            details: { i },
          })),
        ),
        recordAudit(fresh.db, clock, who, { action: 'x.single' }),
      ])
      expect(batch.map((e) => e.details)).toEqual(Array.from({ length: 1201 }, (_, i) => ({ i })))
      for (const [i, entry] of batch.entries()) {
        if (i > 0) expect(entry.prevHash).toBe(batch[i - 1]!.hash)
        expect(entry.seq).toBe(batch[0]!.seq + i)
        const { hash, ...unhashed } = entry
        expect(hashAuditEntry(unhashed)).toBe(hash)
      }
      expect(await recordAuditEntries(fresh.db, clock, who, [])).toEqual([])
      expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, checked: 1203, headSeq: 1203 })
    } finally {
      await fresh.destroy()
    }
  })

  it('detects a deleted tail entry', async () => {
    const fresh = await createTestDb()
    try {
      for (let i = 0; i < 3; i++) await recordAudit(fresh.db, clock, who, { action: 'x' })
      await sql`delete from audit_log where seq = 3`.execute(fresh.db)
      const result = await verifyAuditChain(fresh.db)
      expect(result.broken?.reason).toContain('entries were removed')
    } finally {
      await fresh.destroy()
    }
  })
})
