import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../common/errors.ts'
import type { Actor } from '../../kernel/actor.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { importAdvisories } from '../advisories/advisories.service.ts'
import {
  bytesOf,
  csafIcsDocument,
  kevCatalogue,
  KEV_ENTRIES,
  osvGoRecord,
} from '../advisories/testing.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import { createProduct, createProductVersion } from '../products/products.service.ts'
import { uploadSbom } from '../sboms/sboms.service.ts'
import { EVALUATE_VERSION_TASK } from './findings.jobs.ts'
import {
  evaluateProductVersion,
  getFinding,
  getKevExposure,
  listFindings,
  listVersionEvaluations,
  reevaluateForAdvisoryChanges,
} from './findings.service.ts'
import {
  cycloneDx,
  DJANGO_3_2_0,
  djangoRecord,
  LODASH,
  XNET_FIXED,
  XNET_OLD,
} from './findings.testing.ts'

let ctx: Ctx
let clock: ManualClock
let testDb: TestDb
let dir: string
let owner: { actor: Extract<Actor, { type: 'user' }> }
let acmeId: string
let walchemId: string
const v: Record<'gw1' | 'gw2' | 'i420' | 'i421', string> = { gw1: '', gw2: '', i420: '', i421: '' }

const KEV_WITH_DJANGO = [
  ...KEV_ENTRIES,
  // Synthetic: the test puts the Django CVE in the catalogue to exercise the KEV join.
  { cveID: 'CVE-2021-31542', vendorProject: 'Django', product: 'Django' },
]

async function importJson(name: string, value: unknown) {
  const file = path.join(dir, name)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, bytesOf(value))
  return importAdvisories(ctx, { location: file, format: 'auto', triggeredBy: 'test' })
}

async function open(versionId: string, orgId = acmeId) {
  return (await listFindings(ctx, orgId, versionId)).items
}

function evaluatedVersions(summary: Awaited<ReturnType<typeof reevaluateForAdvisoryChanges>>) {
  return [...new Set(summary.versions.map((s) => s.productVersionId))].sort()
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-findings-'))
  ;({ ctx, clock, testDb } = await createTestContext({ dataDir: path.join(dir, 'data') }))
  await createAdmin(ctx)
  const user = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'admin@network.test')
    .executeTakeFirstOrThrow()
  owner = {
    actor: { type: 'user', userId: user.id, email: 'admin@network.test', isNetworkAdmin: true },
  }
  acmeId = (await createOrganisation(ctx, owner, { name: 'Acme', type: 'manufacturer' })).id
  walchemId = (await createOrganisation(ctx, owner, { name: 'Walchem', type: 'manufacturer' })).id
  const gateway = await createProduct(ctx, owner, acmeId, {
    name: 'Gateway',
    modelNumbers: ['G-1'],
    deviceClass: 'gateway',
  })
  const controller = await createProduct(ctx, owner, walchemId, {
    name: 'Intuition 9',
    modelNumbers: ['W900'],
    deviceClass: 'controller',
  })
  const version = async (orgId: string, productId: string, value: string) =>
    (
      await createProductVersion(ctx, owner, orgId, productId, {
        version: value,
        releaseDate: '2026-05-01',
      })
    ).id
  v.gw1 = await version(acmeId, gateway.id, '1.0.0')
  v.gw2 = await version(acmeId, gateway.id, '2.0.0')
  v.i420 = await version(walchemId, controller.id, '4.20')
  v.i421 = await version(walchemId, controller.id, '4.21')

  await importJson('osv/PYSEC-2021-98.json', djangoRecord())
  await importJson('osv/GO-2022-0969.json', osvGoRecord())
  await importJson('csaf/icsa-23-229-04.json', csafIcsDocument())
  await importJson(
    'kev/kev.json',
    kevCatalogue('2025.08.20', '2025-08-20T12:00:00.000Z', KEV_WITH_DJANGO),
  )

  await uploadSbom(ctx, owner, acmeId, v.gw1, {
    bytes: cycloneDx([DJANGO_3_2_0, XNET_OLD, LODASH]),
    fileName: 'gw1.cdx.json',
  })
  await uploadSbom(ctx, owner, acmeId, v.gw2, {
    bytes: cycloneDx([XNET_FIXED, LODASH], 2),
    fileName: 'gw2.cdx.json',
  })
  for (const id of Object.values(v)) await evaluateProductVersion(ctx, id, { trigger: 'sbom' })
  // Everything imported so far is evaluated: move the change-set cursor past it.
  await reevaluateForAdvisoryChanges(ctx)
})

afterAll(async () => {
  await testDb.destroy()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('evaluating a product version', () => {
  it('queues an evaluation job with each SBOM upload, in the upload transaction', async () => {
    const jobs = await ctx.db
      .selectFrom('jobs')
      .select(['payload'])
      .where('task', '=', EVALUATE_VERSION_TASK)
      .execute()
    expect(jobs.map((j) => JSON.parse(j.payload) as unknown)).toEqual([
      { productVersionId: v.gw1, trigger: 'sbom' },
      { productVersionId: v.gw2, trigger: 'sbom' },
    ])
  })

  it('finds the OSV advisories of the purl components with their rules, fix and KEV entry', async () => {
    const findings = await open(v.gw1)
    expect(
      findings.map((f) => ({
        component: f.component.key,
        advisory: f.advisory.id,
        cves: f.cves,
        status: f.status,
        confidence: f.confidence,
        matchedBy: f.reason.matchedBy,
        key: f.reason.key,
        rule: f.reason.rule,
        fixed: f.fixedVersion,
        kev: f.kev?.cve ?? null,
      })),
    ).toEqual([
      {
        component: 'django',
        advisory: 'PYSEC-2021-98',
        cves: ['CVE-2021-31542'],
        status: 'affected',
        confidence: 'high',
        matchedBy: 'purl',
        key: 'pkg:pypi/django',
        rule: 'OSV ECOSYSTEM introduced 3.2 fixed 3.2.1',
        fixed: '3.2.1',
        kev: 'CVE-2021-31542',
      },
      {
        component: 'xnet',
        advisory: 'GO-2022-0969',
        cves: ['CVE-2022-27664'],
        status: 'affected',
        confidence: 'high',
        matchedBy: 'purl',
        key: 'pkg:golang/golang.org/x/net',
        rule: 'OSV SEMVER introduced 0 fixed 0.0.0-20220906165146-f3363e06e74c',
        fixed: '0.0.0-20220906165146-f3363e06e74c',
        kev: null,
      },
    ])
    expect(findings[0]!.kev).toEqual({
      cve: 'CVE-2021-31542',
      dateAdded: '2021-11-03',
      dueDate: '2021-11-17',
      knownRansomwareCampaignUse: 'Unknown',
    })
    expect(await open(v.gw2)).toEqual([])
  })

  it('matches the registered controller to the CSAF ICS advisory by model number', async () => {
    const [finding, ...rest] = await open(v.i420, walchemId)
    expect(rest).toEqual([])
    expect(finding).toMatchObject({
      component: { key: '@product', name: 'Intuition 9', version: '4.20', purl: null },
      advisory: { source: 'csaf', id: 'ICSA-23-229-04' },
      cves: ['CVE-2023-38422'],
      status: 'affected',
      confidence: 'high',
      fixedVersion: '4.21',
      cvssScore: 7.5,
      kev: null,
      reason: {
        matchedBy: 'vendor_product',
        key: 'walchem|W900 (vendor+model_number)',
        rule: 'CSAF product_version_range < 4.21',
        componentVersion: '4.20',
      },
    })
    // 4.21 is listed as fixed: not affected gives no finding.
    expect(await open(v.i421, walchemId)).toEqual([])
  })

  it('is idempotent and keeps triage fields', async () => {
    const [django] = await open(v.gw1)
    await ctx.db
      .updateTable('findings')
      .set({ triage_state: 'in_triage', triage_detail: 'looking' })
      .where('id', '=', django!.id)
      .execute()
    const again = await evaluateProductVersion(ctx, v.gw1)
    expect(again).toMatchObject({ created: 0, changed: 0, resolved: 0, unchanged: 2, open: 2 })
    const row = await ctx.db
      .selectFrom('findings')
      .select(['triage_state', 'triage_detail'])
      .where('id', '=', django!.id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ triage_state: 'in_triage', triage_detail: 'looking' })
  })

  it('keeps findings private to the manufacturer', async () => {
    const [django] = await open(v.gw1)
    const refused = await listFindings(ctx, walchemId, v.gw1).catch((e: unknown) => e)
    expect(isAppError(refused) && refused.code).toBe('not_found')
    const one = await getFinding(ctx, walchemId, v.gw1, django!.id).catch((e: unknown) => e)
    expect(isAppError(one) && one.code).toBe('not_found')
    expect((await getFinding(ctx, acmeId, v.gw1, django!.id)).reason.details[0]).toContain(
      'PyPI/Django: 3.2.0 affected',
    )
  })

  it('filters and pages', async () => {
    expect((await listFindings(ctx, acmeId, v.gw1, { kev: true })).items).toHaveLength(1)
    expect((await listFindings(ctx, acmeId, v.gw1, { q: 'x/net' })).items[0]!.advisory.id).toBe(
      'GO-2022-0969',
    )
    expect((await listFindings(ctx, acmeId, v.gw1, { confidence: 'low' })).total).toBe(0)
    const page = await listFindings(ctx, acmeId, v.gw1, { limit: 1, offset: 1 })
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 1 })
    expect(page.items).toHaveLength(1)
  })

  it('shows network administrators the KEV exposure as counts', async () => {
    expect(await getKevExposure(ctx)).toEqual({
      totals: { products: 1, versions: 1, cves: 1 },
      byManufacturer: [{ organisationId: acmeId, name: 'Acme', products: 1, versions: 1, cves: 1 }],
      byDeviceClass: [{ deviceClass: 'gateway', products: 1, versions: 1, cves: 1 }],
      overdue: 1,
    })
  })
})

describe('re-evaluating after advisory changes', () => {
  it('re-evaluates only the versions a changed advisory can reach', async () => {
    const others = [v.gw2, v.i420, v.i421]
    const evaluations = async () =>
      Promise.all(others.map(async (id) => (await listVersionEvaluations(ctx, id, 100)).length))
    const before = await evaluations()
    clock.advance(60_000)
    // The Django record changes (a later modified time, new details).
    await importJson(
      'osv/PYSEC-2021-98.json',
      djangoRecord({ modified: '2022-01-01T00:00:00Z', details: 'Updated.' }),
    )
    const summary = await reevaluateForAdvisoryChanges(ctx)
    expect(summary).toMatchObject({ changes: 1, advisories: 1, kevCves: 0 })
    expect(evaluatedVersions(summary)).toEqual([v.gw1])
    // Only the components the change's package reaches are evaluated (Django), not the whole
    // version; its finding stays as it was.
    expect(summary.versions[0]).toMatchObject({
      components: 1,
      created: 0,
      resolved: 0,
      unchanged: 1,
    })
    expect(await evaluations()).toEqual(before)
    // The cursor moved: nothing more to do.
    expect((await reevaluateForAdvisoryChanges(ctx)).changes).toBe(0)
  })

  it('re-evaluates the CSAF vendor’s products when an ICS advisory changes', async () => {
    await importJson('csaf/icsa-23-229-04.json', csafIcsDocument({ version: '2' }))
    const summary = await reevaluateForAdvisoryChanges(ctx)
    expect(evaluatedVersions(summary)).toEqual([v.i420, v.i421].sort())
    expect((await open(v.i420, walchemId)).map((f) => f.advisory.id)).toEqual(['ICSA-23-229-04'])
  })

  it('writes nothing when a KEV change leaves every finding’s KEV fields as they were', async () => {
    const evaluations = async () =>
      (await listVersionEvaluations(ctx, v.gw1, 100)).filter((e) => e.trigger === 'kev').length
    const before = await evaluations()
    const changedAt = (await open(v.gw1)).map((f) => f.changedAt)
    // The Django entry changes a field findings do not keep (its product name).
    await importJson(
      'kev/kev.json',
      kevCatalogue('2025.08.21', '2025-08-21T12:00:00.000Z', [
        ...KEV_ENTRIES,
        { cveID: 'CVE-2021-31542', vendorProject: 'Django', product: 'Django web framework' },
      ]),
    )
    const summary = await reevaluateForAdvisoryChanges(ctx)
    expect(summary.kevCves).toBe(1)
    expect(summary.versions).toMatchObject([{ productVersionId: v.gw1, changed: 0 }])
    expect(await evaluations()).toBe(before)
    expect((await open(v.gw1)).map((f) => f.changedAt)).toEqual(changedAt)
  })

  it('re-joins KEV when an entry leaves the catalogue', async () => {
    await importJson('kev/kev.json', kevCatalogue('2025.08.25', '2025-08-25T12:00:00.000Z'))
    const summary = await reevaluateForAdvisoryChanges(ctx)
    expect(summary.kevCves).toBe(1)
    expect(evaluatedVersions(summary)).toEqual([v.gw1])
    const django = (await open(v.gw1)).find((f) => f.advisory.id === 'PYSEC-2021-98')
    expect(django).toMatchObject({ changedAt: clock.now().toISOString(), kev: null })
    expect((await getKevExposure(ctx)).totals.products).toBe(0)
  })

  it('resolves the findings of a withdrawn advisory', async () => {
    await importJson(
      'osv/GO-2022-0969.json',
      osvGoRecord({ modified: '2025-01-01T00:00:00Z', withdrawn: '2025-01-01T00:00:00Z' }),
    )
    const summary = await reevaluateForAdvisoryChanges(ctx)
    expect(evaluatedVersions(summary)).toEqual([v.gw1, v.gw2].sort())
    expect((await open(v.gw1)).map((f) => f.advisory.id)).toEqual(['PYSEC-2021-98'])
    const resolved = (await listFindings(ctx, acmeId, v.gw1, { state: 'resolved' })).items
    expect(resolved.map((f) => [f.advisory.id, f.resolvedAt])).toEqual([
      ['GO-2022-0969', clock.now().toISOString()],
    ])
  })
})

describe('replacing the SBOM', () => {
  it('resolves what left and finds what came', async () => {
    clock.advance(60_000)
    await uploadSbom(ctx, owner, acmeId, v.gw1, {
      bytes: cycloneDx([{ ...DJANGO_3_2_0, version: '3.2.5', purl: 'pkg:pypi/django@3.2.5' }], 3),
    })
    const summary = await evaluateProductVersion(ctx, v.gw1, { trigger: 'sbom' })
    expect(summary).toMatchObject({ created: 0, resolved: 1, open: 0 })
    expect(await open(v.gw1)).toEqual([])
    await uploadSbom(ctx, owner, acmeId, v.gw1, {
      bytes: cycloneDx([DJANGO_3_2_0], 4),
    })
    const back = await evaluateProductVersion(ctx, v.gw1, { trigger: 'sbom' })
    // The same finding comes back (reopened, same id), its triage kept.
    expect(back).toMatchObject({ created: 0, changed: 1, open: 1 })
    const [django] = await open(v.gw1)
    expect(django!.resolvedAt).toBeNull()
    const row = await ctx.db
      .selectFrom('findings')
      .select('triage_state')
      .where('id', '=', django!.id)
      .executeTakeFirstOrThrow()
    expect(row.triage_state).toBe('in_triage')
  })
})
