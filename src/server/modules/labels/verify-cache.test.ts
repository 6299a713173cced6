import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Label, VerificationResult } from '../../../common/api/labels.ts'
import { systemActor } from '../../kernel/actor.ts'
import { DAY } from '../../kernel/clock.ts'
import { createTestApp, type TestContext } from '../../testing/test-app.ts'
import { publishedKeys, rotateSigningKey } from './keys.service.ts'
import { changeLabelStatus, expireLabels, issueLabel, verifyLabelLive } from './labels.service.ts'
import { sampleLabelInput } from './testing.ts'

const who = { actor: systemActor('test') }

/**
 * `POST /labels/verify` keeps each label's live status per process for a few seconds and
 * remembers labels it found genuine (docs/performance.md, "Label verification"). Every change
 * made through this process must still show on the very next verification: each test first
 * verifies, so that the entries are there, then changes something (the clock never moves unless
 * the test says so).
 */
describe('label verification caches: changes show at once on the same process', () => {
  let t: TestContext
  let label: Label

  beforeEach(async () => {
    t = await createTestApp()
    label = await issueLabel(t.ctx, who, sampleLabelInput())
  })
  afterEach(async () => t.close())

  const verify = async (jws = label.jws) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/labels/verify',
      payload: { label: jws },
    })
    expect(response.statusCode).toBe(200)
    return response.json<VerificationResult>()
  }
  const statusOf = async (jws?: string) => {
    const result = await verify(jws)
    return [result.status, result.valid, result.reasons.map((r) => r.code)]
  }

  it('shows suspension, reinstatement and revocation on the next verification', async () => {
    expect(await statusOf()).toEqual(['active', true, []])
    expect(await statusOf()).toEqual(['active', true, []])
    await changeLabelStatus(t.ctx, who, label.id, 'suspend', 'Report received')
    expect(await statusOf()).toEqual(['suspended', false, ['suspended']])
    await changeLabelStatus(t.ctx, who, label.id, 'reinstate', 'Fixed')
    expect(await statusOf()).toEqual(['active', true, []])
    await changeLabelStatus(t.ctx, who, label.id, 'revoke', 'Withdrawn')
    expect(await statusOf()).toEqual(['revoked', false, ['revoked']])
  })

  it('shows a change made in a caller’s transaction once it commits, and none that rolled back', async () => {
    expect(await statusOf()).toEqual(['active', true, []])
    // As an assessor's change does: the label service joins the caller's transaction, which
    // commits after changeLabelStatus has returned.
    await expect(
      t.ctx.db.transaction().execute(async (trx) => {
        await changeLabelStatus({ ...t.ctx, db: trx }, who, label.id, 'suspend', 'Rolled back')
        throw new Error('the caller fails after the change')
      }),
    ).rejects.toThrow('the caller fails')
    expect(await statusOf()).toEqual(['active', true, []])
    await t.ctx.db.transaction().execute(async (trx) => {
      await changeLabelStatus({ ...t.ctx, db: trx }, who, label.id, 'suspend', 'Committed')
      await trx.selectFrom('labels').select('id').execute()
    })
    expect(await statusOf()).toEqual(['suspended', false, ['suspended']])
  })

  it('shows an expiry the job records at once', async () => {
    expect(await statusOf()).toEqual(['active', true, []])
    t.clock.advance(DAY)
    expect(await statusOf()).toEqual(['active', true, []])
    // The signed exp has not passed; the stored end of validity has (as when support ends early).
    await t.ctx.db
      .updateTable('labels')
      .set({ expires_at: t.clock.now().toISOString() })
      .where('id', '=', label.id)
      .execute()
    expect(await expireLabels(t.ctx)).toBe(1)
    const result = await verify()
    expect([result.status, result.valid]).toEqual(['expired', false])
  })

  it('judges a remembered label’s validity at the time of each verification', async () => {
    expect(await statusOf()).toEqual(['active', true, []])
    t.clock.set(new Date(Date.parse(label.expiresAt) + 1000))
    expect(await statusOf()).toEqual(['expired', false, ['expired']])
  })

  it('verifies labels of a key generated after the key set was read', async () => {
    expect(await statusOf()).toEqual(['active', true, []])
    await publishedKeys(t.ctx)
    // Another process rotates: this one still holds the old key set.
    await t.ctx.db.transaction().execute(async (trx) => {
      await rotateSigningKey({ ...t.ctx, db: trx }, who)
    })
    const newer = await issueLabel(t.ctx, who, sampleLabelInput())
    expect(newer.keyId).not.toBe(label.keyId)
    expect((await verifyLabelLive(t.ctx, newer.jws)).valid).toBe(true)
    expect(await statusOf(newer.jws)).toEqual(['active', true, []])
    expect(await statusOf()).toEqual(['active', true, []])
  })

  it('answers a changed copy of a remembered label as forged', async () => {
    expect(await statusOf()).toEqual(['active', true, []])
    const [h, p, s] = label.jws.split('.') as [string, string, string]
    const record = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as object
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...record, tier: 4 })).toString('base64url')}.${s}`
    expect(await statusOf(tampered)).toEqual(['unknown', false, ['bad_signature']])
    expect(await statusOf(`${label.jws} `)).toEqual(['active', true, []])
    expect(await statusOf(`${label.jws}A`)).toEqual(['unknown', false, ['bad_signature']])
  })
})
