import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyLabel } from '../../../common/labels/verify.ts'
import { statusBit } from '../../../common/labels/status-list.ts'
import type { Label } from '../../../common/api/labels.ts'
import { JobRunner } from '../../jobs/runner.ts'
import { PLATFORM_SCHEDULES, platformTasks } from '../../jobs/tasks.ts'
import { DAY, HOUR } from '../../kernel/clock.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { findAuditLog, verifyAuditChain } from '../audit/audit.service.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import {
  createProduct,
  createProductVersion,
  updateProduct,
  updateProductVersion,
} from '../products/products.service.ts'
import { searchRegistry } from '../registry/registry.service.ts'
import { getNetworkSettings, updateNetworkSettings } from '../settings/settings.service.ts'
import {
  addMonths,
  changeLabelStatus,
  expireLabels,
  getLabel,
  getPublicLabelStatus,
  issueLabel,
  searchPublicLabels,
  verifyLabelLive,
} from './labels.service.ts'
import { offlineMaterial, sampleLabelInput } from './testing.ts'

type UserWho = {
  actor: { type: 'user'; userId: string; email: string; isNetworkAdmin: boolean }
}

describe('label validity and automatic expiry', () => {
  let ctx: Ctx
  let clock: ManualClock
  let testDb: TestDb
  let admin: UserWho
  let manufacturerId: string

  beforeEach(async () => {
    ;({ ctx, clock, testDb } = await createTestContext())
    const user = await createAdmin(ctx)
    admin = {
      actor: { type: 'user', userId: user.id, email: user.email, isNetworkAdmin: true },
    }
    manufacturerId = (await createOrganisation(ctx, admin, { name: 'Acme', type: 'manufacturer' }))
      .id
  })
  afterEach(async () => testDb.destroy())

  /**
   * A product and version of the manufacturer, and a label for them as an approval issues it
   * (the record's support period end is the version's effective one at issue).
   */
  async function labelled(
    options: { productEnds?: string; versionEnds?: string; validUntil?: string } = {},
  ) {
    const product = await createProduct(ctx, admin, manufacturerId, {
      name: `FieldSense ${Math.random().toString(36).slice(2, 8)}`,
      modelNumbers: ['FS-200'],
      deviceClass: 'field-device',
      ...(options.productEnds ? { supportPeriodEnd: options.productEnds } : {}),
    })
    const version = await createProductVersion(ctx, admin, manufacturerId, product.id, {
      version: '2.4.1',
      releaseDate: '2026-05-01',
      ...(options.versionEnds ? { supportPeriodEnd: options.versionEnds } : {}),
    })
    const sample = sampleLabelInput()
    const label = await issueLabel(ctx, admin, {
      ...sample,
      product: {
        ...sample.product,
        productId: product.id,
        productVersionId: version.id,
        manufacturer: { id: manufacturerId, name: 'Acme' },
        name: product.name,
        supportPeriodEnd: version.effectiveSupportPeriodEnd!,
      },
      ...(options.validUntil ? { validUntil: options.validUntil } : {}),
    })
    return { product, version, label }
  }

  const storedStatus = async (id: string) =>
    ctx.db
      .selectFrom('labels')
      .select(['status', 'status_reason', 'status_changed_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  const notifications = async () =>
    ctx.db
      .selectFrom('notifications')
      .select(['organisation_id', 'kind', 'text', 'link'])
      .where('kind', '=', 'label.expired')
      .execute()
  const expiryAudit = async () =>
    (await findAuditLog(ctx, { action: 'label.expired', limit: 100 })).entries
  const revocationBit = async (label: Label) => {
    const { statusLists } = await offlineMaterial(ctx)
    return statusBit(statusLists.revocation, label.statusListIndex)
  }

  describe('the network’s label validity', () => {
    it('adds calendar months, ending on the month’s last day when it is shorter', () => {
      const at = (iso: string, months: number) => addMonths(new Date(iso), months).toISOString()
      expect(at('2026-06-01T08:00:00.000Z', 24)).toBe('2028-06-01T08:00:00.000Z')
      expect(at('2026-01-31T10:00:00.000Z', 1)).toBe('2026-02-28T10:00:00.000Z')
      expect(at('2028-02-29T00:00:00.000Z', 12)).toBe('2029-02-28T00:00:00.000Z')
      expect(at('2026-11-30T23:59:59.999Z', 36)).toBe('2029-11-30T23:59:59.999Z')
    })

    it('moves any instant by exactly the months asked, never past three years', () => {
      const instants = fc.date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2200-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      fc.assert(
        fc.property(instants, fc.integer({ min: 1, max: 36 }), (date, months) => {
          const later = addMonths(date, months)
          const monthIndex = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth()
          expect(monthIndex(later) - monthIndex(date)).toBe(months)
          const lastDay = new Date(
            Date.UTC(later.getUTCFullYear(), later.getUTCMonth() + 1, 0),
          ).getUTCDate()
          expect(later.getUTCDate()).toBe(Math.min(date.getUTCDate(), lastDay))
          expect(later.getTime() % DAY).toBe(date.getTime() % DAY)
          expect(later.getTime() - date.getTime()).toBeLessThanOrEqual(3 * 366 * DAY)
          expect(later.getTime()).toBeGreaterThan(date.getTime())
        }),
        { numRuns: 500 },
      )
    })

    it('defaults to 24 months, takes 1–36, refuses anything else and audits each change', async () => {
      expect(await getNetworkSettings(ctx)).toEqual({
        twoFactorRequiredFor: [],
        labelValidityMonths: 24,
      })
      for (const months of [0, 37, 12.5, -1]) {
        await expect(
          updateNetworkSettings(ctx, admin, { labelValidityMonths: months }),
        ).rejects.toMatchObject({
          code: 'validation_failed',
          message: 'The label validity must be a whole number of months from 1 to 36.',
          details: [expect.objectContaining({ in: 'body', pointer: '/data/labelValidityMonths' })],
        })
      }
      expect(await findAuditLog(ctx, { action: 'settings.updated' })).toMatchObject({
        entries: [],
      })
      // Only the fields given change.
      await updateNetworkSettings(ctx, admin, { twoFactorRequiredFor: ['assessor'] })
      const saved = await updateNetworkSettings(ctx, admin, { labelValidityMonths: 36 })
      expect(saved).toEqual({ twoFactorRequiredFor: ['assessor'], labelValidityMonths: 36 })
      const [last] = (await findAuditLog(ctx, { action: 'settings.updated' })).entries
      expect(last).toMatchObject({
        actorId: admin.actor.userId,
        details: {
          before: { labelValidityMonths: 24 },
          after: { labelValidityMonths: 36 },
        },
      })
    })

    it('issues labels valid for the setting, or until support ends when that is sooner', async () => {
      const standard = await labelled({ versionEnds: '2031-12-31' })
      expect(standard.label.expiresAt).toBe('2028-06-01T08:00:00.000Z')

      await updateNetworkSettings(ctx, admin, { labelValidityMonths: 6 })
      const short = await labelled({ versionEnds: '2031-12-31' })
      expect(short.label.expiresAt).toBe('2026-12-01T08:00:00.000Z')
      expect(short.label.record.exp).toBe(Date.parse('2026-12-01T08:00:00.000Z') / 1000)

      // The support period ends first: the label ends with it (the end of that day, UTC).
      const supportFirst = await labelled({ versionEnds: '2026-09-30' })
      expect(supportFirst.label.expiresAt).toBe('2026-10-01T00:00:00.000Z')

      await updateNetworkSettings(ctx, admin, { labelValidityMonths: 36 })
      const longest = await labelled({ versionEnds: '2031-12-31' })
      expect(longest.label.expiresAt).toBe('2029-06-01T08:00:00.000Z')
    })
  })

  describe('the expiry job', () => {
    it('records the end of validity once: history, audit by the system, notification, status list', async () => {
      await updateNetworkSettings(ctx, admin, { labelValidityMonths: 6 })
      const { label } = await labelled({ versionEnds: '2031-12-31' })
      expect(await expireLabels(ctx)).toBe(0)
      clock.set('2026-12-01T07:59:59.999Z')
      expect(await expireLabels(ctx)).toBe(0)

      clock.set('2026-12-01T09:30:00.000Z')
      expect(await expireLabels(ctx)).toBe(1)
      expect(await expireLabels(ctx)).toBe(0)
      expect(await storedStatus(label.id)).toEqual({
        status: 'expired',
        status_reason: 'Validity ended',
        status_changed_at: '2026-12-01T08:00:00.000Z',
      })
      const status = await getPublicLabelStatus(ctx, label.id)
      expect(status).toMatchObject({
        status: 'expired',
        reason: 'Validity ended',
        changedAt: '2026-12-01T08:00:00.000Z',
      })
      expect(status.history.map((h) => [h.fromStatus, h.toStatus, h.reason, h.actor])).toEqual([
        [null, 'active', 'Issued', 'admin@network.test'],
        ['active', 'expired', 'Validity ended', 'labels.expire'],
      ])

      const audit = await expiryAudit()
      expect(audit).toHaveLength(1)
      expect(audit[0]).toMatchObject({
        actorType: 'system',
        actorLabel: 'labels.expire',
        organisationId: manufacturerId,
        targetId: label.id,
        details: { from: 'active', reason: 'Validity ended' },
      })
      expect((await verifyAuditChain(ctx.db)).ok).toBe(true)
      expect(await notifications()).toEqual([
        {
          organisation_id: manufacturerId,
          kind: 'label.expired',
          text: `The label of ${label.record.product.name} 2.4.1 expired: Validity ended.`,
          link: `/registry/${label.id}`,
        },
      ])

      // Online and offline say the same: expired (the signed exp has passed).
      expect(await verifyLabelLive(ctx, label.jws)).toMatchObject({
        valid: false,
        status: 'expired',
        reasons: [{ code: 'expired' }],
      })
      const { keys, statusLists } = await offlineMaterial(ctx)
      expect(
        await verifyLabel(label.jws, { jwks: keys, statusLists, now: clock.now() }),
      ).toMatchObject({ valid: false, status: 'expired', reasons: [{ code: 'expired' }] })
      expect(await revocationBit(label)).toBe(true)
    })

    it('expires a label whose support period is brought forward after issue, offline too', async () => {
      const { product, version, label } = await labelled({ versionEnds: '2030-12-31' })
      expect(label.expiresAt).toBe('2028-06-01T08:00:00.000Z')
      await updateProductVersion(ctx, admin, manufacturerId, product.id, version.id, {
        supportPeriodEnd: '2026-09-30',
      })
      clock.set('2026-09-30T23:59:00.000Z')
      expect(await expireLabels(ctx)).toBe(0)
      expect((await getLabel(ctx, label.id)).status).toBe('active')

      clock.set('2026-10-01T00:30:00.000Z')
      expect(await expireLabels(ctx)).toBe(1)
      expect(await storedStatus(label.id)).toEqual({
        status: 'expired',
        status_reason: 'Support period ended on 2026-09-30',
        status_changed_at: '2026-10-01T00:00:00.000Z',
      })
      expect(await getLabel(ctx, label.id)).toMatchObject({
        status: 'expired',
        statusReason: 'Support period ended on 2026-09-30',
      })

      const online = await verifyLabelLive(ctx, label.jws)
      expect(online).toMatchObject({ valid: false, genuine: true, status: 'expired' })
      expect(online.reasons).toEqual([
        {
          code: 'expired',
          message:
            'The label expired at 2026-10-01T00:00:00.000Z: Support period ended on 2026-09-30.',
        },
      ])
      // The signed exp is still ahead: the revocation list is what tells an offline verifier.
      expect(await revocationBit(label)).toBe(true)
      const { keys, statusLists } = await offlineMaterial(ctx)
      expect(
        await verifyLabel(label.jws, { jwks: keys, statusLists, now: clock.now() }),
      ).toMatchObject({ valid: false, status: 'revoked' })

      // Expiry is final: a later support end does not bring the label back.
      await updateProductVersion(ctx, admin, manufacturerId, product.id, version.id, {
        supportPeriodEnd: '2032-12-31',
      })
      expect(await expireLabels(ctx)).toBe(0)
      await expect(
        changeLabelStatus(ctx, admin, label.id, 'reinstate', 'Support extended'),
      ).rejects.toMatchObject({ code: 'conflict' })
      expect((await changeLabelStatus(ctx, admin, label.id, 'revoke', 'Withdrawn')).status).toBe(
        'revoked',
      )
    })

    it('expires suspended labels, by the product’s support end when the version has none', async () => {
      const { product, label } = await labelled({ productEnds: '2029-12-31' })
      clock.advance(HOUR)
      await changeLabelStatus(ctx, admin, label.id, 'suspend', 'Under investigation')
      await updateProduct(ctx, admin, manufacturerId, product.id, {
        supportPeriodEnd: '2026-07-31',
      })
      clock.set('2026-08-01T03:00:00.000Z')
      expect(await expireLabels(ctx)).toBe(1)
      const status = await getPublicLabelStatus(ctx, label.id)
      expect(status.history.map((h) => [h.fromStatus, h.toStatus, h.reason])).toEqual([
        [null, 'active', 'Issued'],
        ['active', 'suspended', 'Under investigation'],
        ['suspended', 'expired', 'Support period ended on 2026-07-31'],
      ])
      const { statusLists } = await offlineMaterial(ctx)
      expect(statusBit(statusLists.suspension, label.statusListIndex)).toBe(false)
      expect(statusBit(statusLists.revocation, label.statusListIndex)).toBe(true)
    })

    it('reads a suspended label past its expiry as expired before the job records it', async () => {
      const { label } = await labelled({
        versionEnds: '2030-12-31',
        validUntil: '2026-07-01T00:00:00.000Z',
      })
      await changeLabelStatus(ctx, admin, label.id, 'suspend', 'Under investigation')
      clock.set('2026-07-01T00:00:00.000Z')
      expect(await getPublicLabelStatus(ctx, label.id)).toMatchObject({
        status: 'expired',
        reason: 'Validity ended',
        history: [
          { toStatus: 'active' },
          { toStatus: 'suspended' },
          { fromStatus: 'suspended', toStatus: 'expired', actor: null },
        ],
      })
      // Both the label module's search and the public registry's.
      const search = async (status: 'suspended' | 'expired') => {
        const own = await searchPublicLabels(ctx, {
          words: [],
          status,
          limit: 10,
          offset: 0,
          countLimit: 100,
        })
        const registry = await searchRegistry(ctx, { status })
        expect(registry.items.map((i) => i.labelId)).toEqual(own.labels.map((l) => l.id))
        expect(registry.items.every((i) => i.status === status)).toBe(true)
        return own
      }
      expect((await search('suspended')).total).toBe(0)
      expect((await search('expired')).labels.map((l) => l.id)).toEqual([label.id])
      await expect(
        changeLabelStatus(ctx, admin, label.id, 'reinstate', 'Cleared'),
      ).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('expired') })

      expect(await expireLabels(ctx)).toBe(1)
      expect((await search('expired')).labels.map((l) => l.id)).toEqual([label.id])
      expect((await getPublicLabelStatus(ctx, label.id)).history).toHaveLength(3)
    })

    it('records a pending expiry first when an administrator changes the label', async () => {
      const { label } = await labelled({
        versionEnds: '2030-12-31',
        validUntil: '2026-07-01T00:00:00.000Z',
      })
      clock.set('2026-07-02T00:00:00.000Z')
      await changeLabelStatus(ctx, admin, label.id, 'revoke', 'Withdrawn by the network')
      const status = await getPublicLabelStatus(ctx, label.id)
      expect(status.history.map((h) => [h.fromStatus, h.toStatus, h.actor])).toEqual([
        [null, 'active', 'admin@network.test'],
        ['active', 'expired', 'labels.expire'],
        ['expired', 'revoked', 'admin@network.test'],
      ])
      expect(await expireLabels(ctx)).toBe(0)
      expect(await expiryAudit()).toHaveLength(1)
    })

    it('expires each label once when two workers run at the same time', async () => {
      await updateNetworkSettings(ctx, admin, { labelValidityMonths: 1 })
      const labels = []
      for (let i = 0; i < 3; i += 1) {
        labels.push((await labelled({ versionEnds: '2031-01-31' })).label)
      }
      clock.set('2026-07-02T00:00:00.000Z')
      const counts = await Promise.all([expireLabels(ctx), expireLabels(ctx)])
      expect(counts[0] + counts[1]).toBe(3)
      expect(await expiryAudit()).toHaveLength(3)
      expect(await notifications()).toHaveLength(3)
      const changes = await ctx.db
        .selectFrom('label_status_changes')
        .select('label_id')
        .where('to_status', '=', 'expired')
        .execute()
      expect(changes.map((c) => c.label_id).sort()).toEqual(labels.map((l) => l.id).sort())
    })

    it('runs hourly as the labels.expire schedule', async () => {
      const schedule = PLATFORM_SCHEDULES.find((s) => s.name === 'labels.expire')
      expect(schedule).toEqual({
        name: 'labels.expire',
        task: 'labels.expire',
        intervalSeconds: 3600,
      })
      const runner = new JobRunner({
        db: ctx.db,
        clock,
        logger: ctx.logger,
        tasks: platformTasks(ctx),
        schedules: PLATFORM_SCHEDULES,
      })
      try {
        const tick = async () => {
          await runner.syncSchedules()
          await runner.enqueueDueSchedules()
          return runner.runDue()
        }
        const { label } = await labelled({
          versionEnds: '2030-12-31',
          validUntil: '2026-06-01T12:00:00.000Z',
        })
        await tick()
        expect((await storedStatus(label.id)).status).toBe('active')
        clock.set('2026-06-01T13:00:00.000Z')
        await tick()
        expect((await storedStatus(label.id)).status).toBe('expired')
      } finally {
        await runner.stop()
      }
    })
  })
})
