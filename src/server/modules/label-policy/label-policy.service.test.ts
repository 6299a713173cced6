import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dialectOfDb, lockKeysForTransaction } from '../../db/dialect.ts'
import type { Label } from '../../../common/api/labels.ts'
import { statusBit } from '../../../common/labels/status-list.ts'
import { platformTasks } from '../../jobs/tasks.ts'
import { DAY } from '../../kernel/clock.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { findAuditLog, verifyAuditChain } from '../audit/audit.service.ts'
import { EVALUATE_VERSION_TASK } from '../findings/findings.jobs.ts'
import type { NewFindingRow } from '../findings/findings.table.ts'
import { changeLabelStatus, getPublicLabelStatus, issueLabel } from '../labels/labels.service.ts'
import { offlineMaterial, sampleLabelInput } from '../labels/testing.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import { createProduct, createProductVersion } from '../products/products.service.ts'
import { getLabelPolicy, updateLabelPolicy } from '../settings/label-policy.service.ts'
import { createWebhook } from '../webhooks/webhooks.service.ts'
import { LABEL_POLICY_TASK } from './label-policy.jobs.ts'
import {
  evaluateLabelPolicy,
  getLabelExposure,
  getPublishedPolicy,
  listExposedLabels,
  POLICY_ACTOR_NAME,
  runLabelPolicyPass,
} from './label-policy.service.ts'

type UserWho = {
  actor: { type: 'user'; userId: string; email: string; isNetworkAdmin: boolean }
}

let ctx: Ctx
let clock: ManualClock
let testDb: TestDb
let admin: UserWho
let acmeId: string
let labId: string

beforeAll(async () => {
  ;({ ctx, clock, testDb } = await createTestContext())
  const user = await createAdmin(ctx)
  admin = { actor: { type: 'user', userId: user.id, email: user.email, isNetworkAdmin: true } }
  acmeId = (await createOrganisation(ctx, admin, { name: 'Acme', type: 'manufacturer' })).id
  labId = (await createOrganisation(ctx, admin, { name: 'Trusted Lab', type: 'assessor' })).id
  await createWebhook(ctx, admin, acmeId, {
    url: 'https://hooks.acme.example/isn',
    eventTypes: ['label.status_changed'],
  })
})
afterAll(async () => testDb.destroy())

/** A product version of Acme with a label, as an approval issues it. */
async function labelled() {
  const product = await createProduct(ctx, admin, acmeId, {
    name: `Gateway ${Math.random().toString(36).slice(2, 8)}`,
    modelNumbers: ['G-1'],
    deviceClass: 'gateway',
  })
  const version = await createProductVersion(ctx, admin, acmeId, product.id, {
    version: '2.4.1',
    releaseDate: '2026-05-01',
    supportPeriodEnd: '2031-12-31',
  })
  const sample = sampleLabelInput()
  const label = await issueLabel(ctx, admin, {
    ...sample,
    product: {
      ...sample.product,
      productId: product.id,
      productVersionId: version.id,
      manufacturer: { id: acmeId, name: 'Acme' },
      name: product.name,
      deviceClass: 'gateway',
      supportPeriodEnd: '2031-12-31',
    },
    assessor: { id: labId, name: 'Trusted Lab' },
  })
  return { productId: product.id, versionId: version.id, label }
}

type Subject = Awaited<ReturnType<typeof labelled>>

/** A finding as the matcher stores it, inserted directly (the matcher has its own tests). */
async function addFinding(subject: Subject, overrides: Partial<NewFindingRow> = {}) {
  const now = clock.now().toISOString()
  const id = newId()
  await ctx.db
    .insertInto('findings')
    .values({
      id,
      organisation_id: acmeId,
      product_id: subject.productId,
      product_version_id: subject.versionId,
      component_key: `c-${id}`,
      component_name: 'log4j-core',
      component_version: '2.14.1',
      component_purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      advisory_source: 'osv',
      advisory_id: 'GHSA-jfh8-c2jp-5v3q',
      cves: JSON.stringify(['CVE-2021-44228']),
      status: 'affected',
      confidence: 'high',
      matched_by: 'purl',
      match_key: 'maven/org.apache.logging.log4j/log4j-core',
      rule: 'OSV ECOSYSTEM introduced 2.13.0 fixed 2.15.0',
      reason: '{}',
      fixed_version: '2.15.0',
      severity: 'critical',
      cvss_score: 10,
      kev: 1,
      kev_cve: 'CVE-2021-44228',
      kev_date_added: '2021-12-10',
      kev_due_date: '2021-12-24',
      kev_ransomware: 'Known',
      first_seen_at: now,
      changed_at: now,
      last_evaluated_at: now,
      resolved_at: null,
      ...overrides,
    })
    .execute()
  return id
}

const setFinding = (id: string, changes: Partial<NewFindingRow>) =>
  ctx.db.updateTable('findings').set(changes).where('id', '=', id).execute()

const status = async (label: Label) => (await getPublicLabelStatus(ctx, label.id)).status
const suspensionBit = async (label: Label) =>
  statusBit((await offlineMaterial(ctx)).statusLists.suspension, label.statusListIndex)
const deliveries = async () =>
  (
    await ctx.db
      .selectFrom('webhook_deliveries')
      .select(['event_type', 'payload'])
      .where('event_type', '=', 'label.status_changed')
      .execute()
  ).map((d) => JSON.parse(d.payload) as { data: { labelId: string; status: string } })

describe('the published policy', () => {
  it('has sensible defaults, says its rules in words and is changed only validly, audited', async () => {
    expect(await getLabelPolicy(ctx)).toEqual({
      enabled: true,
      kevSuspendAfterDays: 14,
      criticalWarningAfterDays: 30,
      minConfidence: 'medium',
    })
    const published = await getPublishedPolicy(ctx)
    expect(published.actor).toBe(POLICY_ACTOR_NAME)
    expect(published.rules.join(' ')).toContain('more than 14 days')
    await expect(
      updateLabelPolicy(ctx, admin, { ...published.policy, kevSuspendAfterDays: 400 }),
    ).rejects.toMatchObject({ code: 'validation_failed' })
    const saved = await updateLabelPolicy(ctx, admin, {
      ...published.policy,
      kevSuspendAfterDays: 7,
    })
    expect(saved.kevSuspendAfterDays).toBe(7)
    const [entry] = (await findAuditLog(ctx, { action: 'settings.label_policy_updated' })).entries
    expect(entry?.details).toMatchObject({
      before: { kevSuspendAfterDays: 14 },
      after: { kevSuspendAfterDays: 7 },
    })
    await updateLabelPolicy(ctx, admin, published.policy)
  })
})

describe('a known-exploited finding left unremediated', () => {
  it('suspends the label after N days and reinstates it when fixed', async () => {
    const subject = await labelled()
    const findingId = await addFinding(subject)

    // Within the 14 days nothing changes, but the product page counts it and says when.
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({ suspended: 0 })
    expect(await status(subject.label)).toBe('active')
    const exposure = await getLabelExposure(ctx, subject.label.id)
    expect(exposure.knownExploited).toEqual({
      open: 1,
      cves: ['CVE-2021-44228'],
      nextSuspensionAt: new Date(clock.now().getTime() + 14 * DAY).toISOString(),
    })
    expect(exposure.policySuspension).toBeNull()

    clock.advance(14 * DAY + 1000)
    const summary = await evaluateLabelPolicy(ctx, [subject.versionId])
    expect(summary).toMatchObject({ labels: 1, suspended: 1, reinstated: 0 })
    const history = await getPublicLabelStatus(ctx, subject.label.id)
    expect(history.status).toBe('suspended')
    expect(history.reason).toContain('CVE-2021-44228')
    expect(history.reason).toContain('GHSA-jfh8-c2jp-5v3q')
    expect(history.history.at(-1)).toMatchObject({
      fromStatus: 'active',
      toStatus: 'suspended',
      actor: POLICY_ACTOR_NAME,
    })
    expect(await suspensionBit(subject.label)).toBe(true)
    const [audit] = (await findAuditLog(ctx, { action: 'label.suspended' })).entries
    expect(audit).toMatchObject({ targetId: subject.label.id, actorType: 'system' })
    expect(audit?.details).toMatchObject({ reason: expect.stringContaining('CVE-2021-44228') })
    expect(await deliveries()).toContainEqual(
      expect.objectContaining({
        data: expect.objectContaining({ labelId: subject.label.id, status: 'suspended' }),
      }),
    )
    const notes = await ctx.db
      .selectFrom('notifications')
      .select(['organisation_id', 'kind'])
      .where('kind', '=', 'label.suspended')
      .execute()
    expect(notes.map((n) => n.organisation_id).sort()).toEqual([acmeId, labId].sort())
    expect((await getLabelExposure(ctx, subject.label.id)).policySuspension).toMatchObject({
      cve: 'CVE-2021-44228',
      advisory: 'GHSA-jfh8-c2jp-5v3q',
    })

    // Idempotent: a second pass changes nothing.
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({
      suspended: 0,
      reinstated: 0,
    })

    // Fixed: a new SBOM resolves the finding.
    clock.advance(DAY)
    await setFinding(findingId, { resolved_at: clock.now().toISOString() })
    expect(await runLabelPolicyPass(ctx)).toMatchObject({ reinstated: 1 })
    const after = await getPublicLabelStatus(ctx, subject.label.id)
    expect(after.status).toBe('active')
    expect(after.history.at(-1)).toMatchObject({
      fromStatus: 'suspended',
      toStatus: 'active',
      actor: POLICY_ACTOR_NAME,
    })
    expect(await suspensionBit(subject.label)).toBe(false)
    expect(await getLabelExposure(ctx, subject.label.id)).toMatchObject({
      knownExploited: { open: 0, cves: [], nextSuspensionAt: null },
      policySuspension: null,
    })
    expect(await deliveries()).toContainEqual(
      expect.objectContaining({
        data: expect.objectContaining({ labelId: subject.label.id, status: 'active' }),
      }),
    )
  })

  it('reinstates on a not-affected triage (VEX), but not on a fix in another version', async () => {
    const subject = await labelled()
    const findingId = await addFinding(subject, {
      first_seen_at: new Date(clock.now().getTime() - 20 * DAY).toISOString(),
    })
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({ suspended: 1 })
    await setFinding(findingId, { triage_state: 'fixed', triage_fixed_version: '2.5.0' })
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({ reinstated: 0 })
    expect(await status(subject.label)).toBe('suspended')
    await setFinding(findingId, {
      triage_state: 'not_affected',
      triage_justification: 'vulnerable_code_not_in_execute_path',
    })
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({ reinstated: 1 })
    expect(await status(subject.label)).toBe('active')
  })

  it('counts from the day CISA added it to KEV when that is later, and ignores low confidence', async () => {
    const subject = await labelled()
    const today = clock.now().toISOString().slice(0, 10)
    await addFinding(subject, {
      first_seen_at: new Date(clock.now().getTime() - 60 * DAY).toISOString(),
      kev_date_added: today,
    })
    await addFinding(subject, {
      confidence: 'low',
      first_seen_at: new Date(clock.now().getTime() - 60 * DAY).toISOString(),
    })
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({ suspended: 0 })
    expect((await getLabelExposure(ctx, subject.label.id)).knownExploited).toMatchObject({
      open: 1,
      nextSuspensionAt: new Date(Date.parse(`${today}T00:00:00.000Z`) + 14 * DAY).toISOString(),
    })
  })
})

describe('suspensions the policy did not make', () => {
  it('never undoes a human suspension, nor touches a revoked label', async () => {
    const subject = await labelled()
    const findingId = await addFinding(subject, {
      first_seen_at: new Date(clock.now().getTime() - 30 * DAY).toISOString(),
    })
    await changeLabelStatus(ctx, admin, subject.label.id, 'suspend', 'Under investigation')
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({
      suspended: 0,
      reinstated: 0,
    })
    await setFinding(findingId, { resolved_at: clock.now().toISOString() })
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({ reinstated: 0 })
    const now = await getPublicLabelStatus(ctx, subject.label.id)
    expect(now).toMatchObject({ status: 'suspended', reason: 'Under investigation' })

    const revoked = await labelled()
    await addFinding(revoked, {
      first_seen_at: new Date(clock.now().getTime() - 30 * DAY).toISOString(),
    })
    await changeLabelStatus(ctx, admin, revoked.label.id, 'revoke', 'Withdrawn')
    expect(await evaluateLabelPolicy(ctx, [revoked.versionId])).toMatchObject({ labels: 0 })
    expect(await status(revoked.label)).toBe('revoked')
  })

  it('leaves a label a person reinstated over the policy alone for that finding', async () => {
    const subject = await labelled()
    await addFinding(subject, {
      first_seen_at: new Date(clock.now().getTime() - 30 * DAY).toISOString(),
    })
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({ suspended: 1 })
    await changeLabelStatus(ctx, admin, subject.label.id, 'reinstate', 'Mitigated on site')
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({ suspended: 0 })
    expect(await status(subject.label)).toBe('active')
    // A new known-exploited finding suspends again.
    await addFinding(subject, {
      advisory_id: 'GHSA-7rjr-3q55-vv33',
      cves: JSON.stringify(['CVE-2021-45046']),
      kev_cve: 'CVE-2021-45046',
      first_seen_at: new Date(clock.now().getTime() - 30 * DAY).toISOString(),
    })
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({ suspended: 1 })
    expect((await getPublicLabelStatus(ctx, subject.label.id)).reason).toContain('CVE-2021-45046')
  })
})

describe('a batch of labels', () => {
  it('suspends and reinstates many labels together, each audited, in its history, announced', async () => {
    const old = () => new Date(clock.now().getTime() - 30 * DAY).toISOString()
    const reinstated = await labelled()
    const fixed = await addFinding(reinstated, { first_seen_at: old() })
    expect(await evaluateLabelPolicy(ctx, [reinstated.versionId])).toMatchObject({ suspended: 1 })
    const suspended = [await labelled(), await labelled(), await labelled()]
    for (const subject of suspended) await addFinding(subject, { first_seen_at: old() })
    await setFinding(fixed, { resolved_at: clock.now().toISOString() })
    const audited = (await findAuditLog(ctx, { limit: 1 })).entries[0]!.seq
    const notesBefore = await ctx.db.selectFrom('notifications').select('id').execute()
    const deliveriesBefore = (await deliveries()).length
    clock.advance(1000)

    const summary = await evaluateLabelPolicy(ctx, [
      reinstated.versionId,
      ...suspended.map((s) => s.versionId),
    ])
    expect(summary).toMatchObject({ labels: 4, suspended: 3, reinstated: 1 })
    for (const subject of suspended) {
      const now = await getPublicLabelStatus(ctx, subject.label.id)
      expect(now.status).toBe('suspended')
      expect(now.history.at(-1)).toMatchObject({ toStatus: 'suspended', actor: POLICY_ACTOR_NAME })
      expect(await suspensionBit(subject.label)).toBe(true)
      // The policy holds the suspension it made (its moment is the label's last change).
      expect((await getLabelExposure(ctx, subject.label.id)).policySuspension).toMatchObject({
        since: now.changedAt,
        cve: 'CVE-2021-44228',
      })
    }
    expect(await status(reinstated.label)).toBe('active')
    expect(await suspensionBit(reinstated.label)).toBe(false)
    // The status changes (the critical finding's warnings are audited too).
    const entries = (await findAuditLog(ctx, { limit: 20 })).entries.filter(
      (e) => e.seq > audited && (e.action === 'label.suspended' || e.action === 'label.reinstated'),
    )
    expect(entries.map((e) => [e.action, e.targetId]).sort()).toEqual(
      [
        ['label.reinstated', reinstated.label.id],
        ...suspended.map((s) => ['label.suspended', s.label.id]),
      ].sort(),
    )
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true })
    const newDeliveries = (await deliveries()).slice(deliveriesBefore)
    expect(newDeliveries.map((d) => [d.data.labelId, d.data.status]).sort()).toEqual(
      [[reinstated.label.id, 'active'], ...suspended.map((s) => [s.label.id, 'suspended'])].sort(),
    )
    const jobs = await ctx.db
      .selectFrom('jobs')
      .select('payload')
      .where('task', '=', 'webhooks.deliver')
      .execute()
    const queued = new Set(
      jobs.map((j) => (JSON.parse(j.payload) as { deliveryId: string }).deliveryId),
    )
    const ids = await ctx.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('event_type', '=', 'label.status_changed')
      .execute()
    expect(ids.every((d) => queued.has(d.id))).toBe(true)
    const known = new Set(notesBefore.map((n) => n.id))
    const notes = (
      await ctx.db.selectFrom('notifications').select(['id', 'kind', 'link']).execute()
    ).filter((n) => !known.has(n.id))
    // Both organisations, for each label.
    expect(notes.filter((n) => n.kind === 'label.suspended')).toHaveLength(6)
    expect(notes.filter((n) => n.kind === 'label.reinstated')).toHaveLength(2)
    // Idempotent.
    expect(
      await evaluateLabelPolicy(
        ctx,
        suspended.map((s) => s.versionId),
      ),
    ).toMatchObject({
      suspended: 0,
      reinstated: 0,
    })
  })
})

describe('label locks', () => {
  it('takes a batch’s locks in one statement: the locks lockKeyForTransaction takes', async () => {
    const keys = ['label-policy:b', 'label-policy:a', 'label-policy:b']
    await ctx.db.transaction().execute(async (trx) => {
      await lockKeysForTransaction(trx, keys)
      await lockKeysForTransaction(trx, [])
      if (dialectOfDb(ctx.db) !== 'postgres') return
      // Held: another connection cannot take them meanwhile.
      for (const key of ['label-policy:a', 'label-policy:b']) {
        const { rows } = await sql<{
          got: boolean
        }>`select pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) as got`.execute(ctx.db)
        expect(rows[0]!.got).toBe(false)
      }
    })
  })
})

describe('the security warning', () => {
  it('appears after M days without fix or VEX and disappears with a statement', async () => {
    const subject = await labelled()
    const findingId = await addFinding(subject, {
      kev: 0,
      kev_cve: null,
      kev_date_added: null,
      kev_due_date: null,
      kev_ransomware: null,
      advisory_id: 'ICSA-24-011-01',
      advisory_source: 'csaf',
      cves: JSON.stringify(['CVE-2023-6448']),
      severity: 'critical',
    })
    await evaluateLabelPolicy(ctx, [subject.versionId])
    expect((await getLabelExposure(ctx, subject.label.id)).warning).toBeNull()

    clock.advance(31 * DAY)
    expect(await runLabelPolicyPass(ctx)).toMatchObject({ warningsRaised: 1 })
    const exposure = await getLabelExposure(ctx, subject.label.id)
    expect(exposure.warning).toMatchObject({
      cves: ['CVE-2023-6448'],
      advisories: ['ICSA-24-011-01'],
      message: expect.stringContaining('without a fix or a VEX statement'),
    })
    // The signed status is unchanged.
    expect(await status(subject.label)).toBe('active')
    expect(await suspensionBit(subject.label)).toBe(false)
    const [raised] = (await findAuditLog(ctx, { action: 'label.policy_warning_raised' })).entries
    expect(raised).toMatchObject({ targetId: subject.label.id })

    await setFinding(findingId, { triage_state: 'affected', triage_detail: 'Update to 2.5' })
    expect(await evaluateLabelPolicy(ctx, [subject.versionId])).toMatchObject({
      warningsCleared: 1,
    })
    expect((await getLabelExposure(ctx, subject.label.id)).warning).toBeNull()
    const [cleared] = (await findAuditLog(ctx, { action: 'label.policy_warning_cleared' })).entries
    expect(cleared).toMatchObject({ targetId: subject.label.id })
  })
})

describe('the jobs', () => {
  it('queues the policy for the versions the findings jobs evaluated, and runs it', async () => {
    const subject = await labelled()
    const tasks = platformTasks(ctx)
    await tasks[EVALUATE_VERSION_TASK]!({ productVersionId: subject.versionId, trigger: 'sbom' }, {
      attempt: 1,
      signal: new AbortController().signal,
    } as never)
    const jobs = await ctx.db
      .selectFrom('jobs')
      .select('payload')
      .where('task', '=', LABEL_POLICY_TASK)
      .execute()
    expect(jobs.map((j) => JSON.parse(j.payload) as unknown)).toContainEqual({
      productVersionIds: [subject.versionId],
    })
    await addFinding(subject, {
      first_seen_at: new Date(clock.now().getTime() - 30 * DAY).toISOString(),
    })
    await tasks[LABEL_POLICY_TASK]!({ productVersionIds: [subject.versionId] }, {
      attempt: 1,
      signal: new AbortController().signal,
    } as never)
    expect(await status(subject.label)).toBe('suspended')
  })
})

describe('the network dashboard’s list of exposed labels', () => {
  it('lists labelled versions with open known-exploited findings, the longest exposed first', async () => {
    const daysAgo = (n: number) => new Date(clock.now().getTime() - n * DAY).toISOString()
    const [older, newer, resolved, criticalOnly] = [
      await labelled(),
      await labelled(),
      await labelled(),
      await labelled(),
    ]
    await addFinding(newer, { first_seen_at: daysAgo(2) })
    await addFinding(older, { first_seen_at: daysAgo(5) })
    await addFinding(older, {
      first_seen_at: daysAgo(1),
      kev_cve: 'CVE-2021-45046',
      cves: JSON.stringify(['CVE-2021-45046']),
      kev_due_date: '2021-12-20',
    })
    await addFinding(resolved, { first_seen_at: daysAgo(9), resolved_at: daysAgo(1) })
    await addFinding(criticalOnly, {
      first_seen_at: daysAgo(9),
      kev: 0,
      kev_cve: null,
      kev_date_added: null,
      kev_due_date: null,
    })
    const subjects = [older, newer, resolved, criticalOnly].map((s) => s.label.id)

    const all = await listExposedLabels(ctx, { limit: 200 })
    const mine = all.items.filter((i) => subjects.includes(i.labelId))
    expect(mine.map((i) => i.labelId)).toEqual([older.label.id, newer.label.id])
    expect(mine[0]).toEqual({
      labelId: older.label.id,
      productName: older.label.record.product.name,
      version: '2.4.1',
      manufacturer: { id: acmeId, name: 'Acme' },
      deviceClass: 'gateway',
      status: 'active',
      knownExploited: {
        open: 2,
        cves: ['CVE-2021-44228', 'CVE-2021-45046'],
        nextSuspensionAt: new Date(Date.parse(daysAgo(5)) + 14 * DAY).toISOString(),
      },
      exposedSince: daysAgo(5),
      kevDueDate: '2021-12-20',
      policySuspension: null,
    })

    // Paged: the same order, the same total.
    const index = all.items.findIndex((i) => i.labelId === older.label.id)
    const one = await listExposedLabels(ctx, { limit: 1, offset: index })
    expect(one).toMatchObject({ total: all.total, limit: 1, offset: index })
    expect(one.items.map((i) => i.labelId)).toEqual([older.label.id])

    // Suspended by the policy, it stays listed, with the suspension.
    clock.advance(10 * DAY)
    await evaluateLabelPolicy(ctx, [older.versionId])
    const suspended = (await listExposedLabels(ctx, { limit: 200 })).items.find(
      (i) => i.labelId === older.label.id,
    )
    expect(suspended).toMatchObject({
      status: 'suspended',
      knownExploited: { nextSuspensionAt: null },
      policySuspension: { cve: 'CVE-2021-44228' },
    })
  })
})
