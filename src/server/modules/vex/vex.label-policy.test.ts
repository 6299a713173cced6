import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../kernel/actor.ts'
import { DAY, type ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { JobRunner } from '../../jobs/runner.ts'
import { platformTasks } from '../../jobs/tasks.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { importAdvisories } from '../advisories/advisories.service.ts'
import { bytesOf, kevCatalogue } from '../advisories/testing.ts'
import { findAuditLog } from '../audit/audit.service.ts'
import { evaluateProductVersion } from '../findings/findings.service.ts'
import { cycloneDx, DJANGO_3_2_0, djangoRecord } from '../findings/findings.testing.ts'
import { LABEL_POLICY_TASK } from '../label-policy/label-policy.jobs.ts'
import { evaluateLabelPolicy, POLICY_ACTOR_NAME } from '../label-policy/label-policy.service.ts'
import { getPublicLabelStatus, issueLabel } from '../labels/labels.service.ts'
import { sampleLabelInput } from '../labels/testing.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import { createProduct, createProductVersion } from '../products/products.service.ts'
import { uploadSbom } from '../sboms/sboms.service.ts'
import { listTriagedFindings, setTriage, uploadVex } from './vex.service.ts'
import { cdxVex } from './vex.testing.ts'

// Triage and VEX uploads queue the label policy for the version they change, in their own
// transaction, so a label follows them when the jobs run — not on the hourly pass.

let ctx: Ctx
let clock: ManualClock
let testDb: TestDb
let dir: string
let owner: { actor: Extract<Actor, { type: 'user' }> }
let acmeId: string
let labId: string
let productId: string

/** CVE-2021-31542 (Django, PYSEC-2021-98) listed in KEV for these tests. */
const CVE = 'CVE-2021-31542'

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-vex-policy-'))
  ;({ ctx, clock, testDb } = await createTestContext({ dataDir: path.join(dir, 'data') }))
  const user = await createAdmin(ctx)
  owner = {
    actor: { type: 'user', userId: user.id, email: user.email, isNetworkAdmin: true },
  }
  acmeId = (await createOrganisation(ctx, owner, { name: 'Acme', type: 'manufacturer' })).id
  labId = (await createOrganisation(ctx, owner, { name: 'Trusted Lab', type: 'assessor' })).id
  productId = (
    await createProduct(ctx, owner, acmeId, {
      name: 'Gateway',
      modelNumbers: ['G-1'],
      deviceClass: 'gateway',
    })
  ).id
  for (const [name, value, format] of [
    ['osv/PYSEC-2021-98.json', djangoRecord(), 'osv'],
    [
      'kev/kev.json',
      kevCatalogue('2026.05.01', '2026-05-01T00:00:00.000Z', [
        { cveID: CVE, vendorProject: 'Django', product: 'Django' },
      ]),
      'kev',
    ],
  ] as const) {
    const file = path.join(dir, name)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, bytesOf(value))
    await importAdvisories(ctx, { location: file, format, triggeredBy: 'test' })
  }
})

afterAll(async () => {
  await testDb.destroy()
  fs.rmSync(dir, { recursive: true, force: true })
})

/**
 * A labelled version whose SBOM lists Django 3.2.0: its KEV finding is past the policy's 14 days,
 * so the policy has suspended its label.
 */
async function suspendedByPolicy(version: string) {
  const versionId = (
    await createProductVersion(ctx, owner, acmeId, productId, {
      version,
      releaseDate: '2026-05-01',
    })
  ).id
  await uploadSbom(ctx, owner, acmeId, versionId, { bytes: cycloneDx([DJANGO_3_2_0]) })
  await evaluateProductVersion(ctx, versionId, { trigger: 'sbom' })
  const sample = sampleLabelInput()
  const label = await issueLabel(ctx, owner, {
    ...sample,
    product: {
      ...sample.product,
      productId,
      productVersionId: versionId,
      manufacturer: { id: acmeId, name: 'Acme' },
      name: 'Gateway',
      version,
    },
    assessor: { id: labId, name: 'Trusted Lab' },
  })
  clock.advance(15 * DAY)
  expect(await evaluateLabelPolicy(ctx, [versionId])).toMatchObject({ suspended: 1 })
  expect((await getPublicLabelStatus(ctx, label.id)).status).toBe('suspended')
  const [finding] = (await listTriagedFindings(ctx, acmeId, versionId)).items
  expect(finding).toMatchObject({ advisoryId: 'PYSEC-2021-98', kev: true, suppressed: false })
  return { versionId, labelId: label.id, findingId: finding!.id }
}

/** The label-policy jobs queued and not yet run, by their product versions. */
async function queuedPolicyJobs(): Promise<string[][]> {
  const rows = await ctx.db
    .selectFrom('jobs')
    .select('payload')
    .where('task', '=', LABEL_POLICY_TASK)
    .where('status', '=', 'queued')
    .execute()
  return rows.map(
    (r) => (JSON.parse(r.payload) as { productVersionIds: string[] }).productVersionIds,
  )
}

/** Runs every due job as the worker does. */
async function runJobs() {
  const runner = new JobRunner({
    db: ctx.db,
    clock,
    logger: pino({ level: 'silent' }),
    tasks: platformTasks(ctx),
  })
  while ((await runner.runDue()) > 0);
}

const reinstatedBy = async (labelId: string) =>
  (await findAuditLog(ctx, { action: 'label.reinstated' })).entries.filter(
    (e) => e.targetId === labelId,
  )

describe('the label policy follows triage and VEX', () => {
  it('reinstates a policy-suspended label once the last open KEV finding is triaged not_affected', async () => {
    const subject = await suspendedByPolicy('5.0.0')
    await runJobs()
    expect(await queuedPolicyJobs()).toEqual([])

    await setTriage(ctx, owner, acmeId, subject.versionId, subject.findingId, {
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: 'The upload handler is not used.',
    })
    // Queued with the triage, in its transaction; nothing has changed on the label yet.
    expect(await queuedPolicyJobs()).toEqual([[subject.versionId]])
    expect((await getPublicLabelStatus(ctx, subject.labelId)).status).toBe('suspended')

    await runJobs()
    const after = await getPublicLabelStatus(ctx, subject.labelId)
    expect(after.status).toBe('active')
    expect(after.history.at(-1)).toMatchObject({
      fromStatus: 'suspended',
      toStatus: 'active',
      actor: POLICY_ACTOR_NAME,
    })
    const [reinstated] = await reinstatedBy(subject.labelId)
    expect(reinstated).toMatchObject({ actorType: 'system', actorLabel: POLICY_ACTOR_NAME })
    expect(reinstated?.details).toMatchObject({ from: 'suspended', to: 'active' })
    const [triaged] = (await findAuditLog(ctx, { action: 'finding.triaged' })).entries.filter(
      (e) => e.targetId === subject.findingId,
    )
    expect(triaged?.details).toMatchObject({ after: { state: 'not_affected' } })
    expect(await queuedPolicyJobs()).toEqual([])
  })

  it('keeps the label suspended when the triage leaves the finding exploitable', async () => {
    const subject = await suspendedByPolicy('5.1.0')
    await setTriage(ctx, owner, acmeId, subject.versionId, subject.findingId, {
      state: 'affected',
      response: 'update',
      detail: 'Update to 3.2.1.',
    })
    expect(await queuedPolicyJobs()).toEqual([[subject.versionId]])
    await runJobs()
    expect((await getPublicLabelStatus(ctx, subject.labelId)).status).toBe('suspended')
    expect(await reinstatedBy(subject.labelId)).toEqual([])
  })

  it('reinstates it after a VEX upload stating not_affected, and queues nothing for a VEX that changes no finding', async () => {
    const subject = await suspendedByPolicy('5.2.0')
    await runJobs()
    const unrelated = await uploadVex(ctx, owner, acmeId, subject.versionId, {
      bytes: cdxVex([
        {
          id: 'CVE-2020-0001',
          analysis: { state: 'not_affected', justification: 'code_not_present' },
          affects: [{ ref: 'django' }],
        },
      ]),
    })
    expect(unrelated.applied).toBe(0)
    expect(await queuedPolicyJobs()).toEqual([])

    const result = await uploadVex(ctx, owner, acmeId, subject.versionId, {
      bytes: cdxVex([
        {
          id: CVE,
          analysis: {
            state: 'not_affected',
            justification: 'code_not_reachable',
            detail: 'The upload handler is not used.',
          },
          affects: [{ ref: 'django' }],
        },
      ]),
    })
    expect(result.applied).toBe(1)
    expect(await queuedPolicyJobs()).toEqual([[subject.versionId]])
    await runJobs()
    expect((await getPublicLabelStatus(ctx, subject.labelId)).status).toBe('active')
    expect(await reinstatedBy(subject.labelId)).toHaveLength(1)
  })
})
