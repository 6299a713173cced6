import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FindingOverview, FindingPage } from '../../../common/api/findings.ts'
import {
  asUser,
  createAdmin,
  createOrganisationOverHttp,
  createTestApp,
  joinOverHttp,
  signInOverHttp,
  type Session,
  type TestContext,
} from '../../testing/test-app.ts'
import { importAdvisories } from '../advisories/advisories.service.ts'
import { bytesOf, kevCatalogue, KEV_ENTRIES, osvGoRecord } from '../advisories/testing.ts'
import { evaluateProductVersion } from './findings.service.ts'
import { cycloneDx, DJANGO_3_2_0, djangoRecord, LODASH, XNET_OLD } from './findings.testing.ts'

describe('the manufacturer’s vulnerability overview over HTTP', () => {
  let t: TestContext
  let dir: string
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let orgA: string
  let orgB: string
  let memberA: Session
  let memberB: Session
  const versions: Record<string, string> = {}

  async function addVersion(orgId: string, productName: string, version: string) {
    const product = await asAdmin('POST', `/api/v1/organisations/${orgId}/products`, {
      name: productName,
      modelNumbers: [`${productName}-1`],
      deviceClass: 'gateway',
    })
    expect(product.statusCode, product.body).toBe(201)
    const created = await asAdmin(
      'POST',
      `/api/v1/organisations/${orgId}/products/${product.json<{ id: string }>().id}/versions`,
      { version, releaseDate: '2026-05-01' },
    )
    expect(created.statusCode, created.body).toBe(201)
    return created.json<{ id: string }>().id
  }

  async function uploadAndEvaluate(orgId: string, versionId: string, sbom: Buffer) {
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `/api/v1/organisations/${orgId}/product-versions/${versionId}/sboms`,
      payload: sbom,
      headers: {
        'content-type': 'application/vnd.cyclonedx+json',
        cookie: admin.cookie,
        'x-csrf-token': admin.csrf,
      },
    })
    expect(uploaded.statusCode, uploaded.body).toBe(201)
    await evaluateProductVersion(t.ctx, versionId, { trigger: 'sbom' })
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-findings-overview-'))
    t = await createTestApp({ dataDir: path.join(dir, 'data') })
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    orgA = (await createOrganisationOverHttp(asAdmin, 'Acme', 'manufacturer')).id
    orgB = (await createOrganisationOverHttp(asAdmin, 'Other', 'manufacturer')).id
    memberA = await joinOverHttp(t.app, admin, orgA, 'viewer@acme.test', 'viewer')
    memberB = await joinOverHttp(t.app, admin, orgB, 'member@other.test', 'member')
    versions.gateway = await addVersion(orgA, 'Gateway', '1.0.0')
    versions.clean = await addVersion(orgA, 'Sensor', '2.0.0')
    versions.unscanned = await addVersion(orgA, 'Panel', '3.0.0')
    versions.other = await addVersion(orgB, 'Router', '9.9.9')
    for (const [name, value] of [
      ['django.json', djangoRecord({ database_specific: { severity: 'HIGH' } })],
      ['go.json', osvGoRecord()],
      [
        'kev.json',
        kevCatalogue('2025.08.20', '2025-08-20T12:00:00.000Z', [
          ...KEV_ENTRIES,
          { cveID: 'CVE-2021-31542', vendorProject: 'Django', product: 'Django' },
        ]),
      ],
    ] as const) {
      fs.writeFileSync(path.join(dir, name), bytesOf(value))
      await importAdvisories(t.ctx, {
        location: path.join(dir, name),
        format: 'auto',
        triggeredBy: 'test',
      })
    }
    await uploadAndEvaluate(orgA, versions.gateway, cycloneDx([DJANGO_3_2_0, XNET_OLD]))
    await uploadAndEvaluate(orgA, versions.clean, cycloneDx([LODASH], 2))
    await uploadAndEvaluate(orgB, versions.other, cycloneDx([DJANGO_3_2_0, XNET_OLD], 3))
  }, 120_000)
  afterAll(async () => {
    await t.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const overviewOf = (orgId: string) => `/api/v1/organisations/${orgId}/findings/overview`

  it('counts open findings per version by severity, KEV and review, with the last evaluation', async () => {
    const response = await asUser(t.app, memberA)('GET', overviewOf(orgA))
    expect(response.statusCode, response.body).toBe(200)
    const overview = response.json<FindingOverview>()
    expect(overview.versions).toHaveLength(1)
    expect(overview.versions[0]).toMatchObject({
      productName: 'Gateway',
      version: '1.0.0',
      productVersionId: versions.gateway,
      deviceClass: 'gateway',
      open: 2,
      bySeverity: { critical: 0, high: 1, medium: 0, low: 0, none: 0, unknown: 1 },
      knownExploited: 1,
      needsReview: 0,
      suppressed: 0,
    })
    expect(overview.versions[0]!.lastEvaluatedAt).toBe(t.clock.now().toISOString())
    expect(overview.totals).toEqual({ open: 2, knownExploited: 1, needsReview: 0 })
    // The clean version was evaluated; the one without an SBOM never was.
    expect(overview.evaluatedVersions).toBe(2)
    expect(overview.lastEvaluatedAt).toBe(t.clock.now().toISOString())
  })

  it('leaves a finding triaged not affected out of the open counts', async () => {
    const base = `/api/v1/organisations/${orgA}/product-versions/${versions.gateway}`
    const page = (await asAdmin('GET', `${base}/findings?kev=true`)).json<FindingPage>()
    const kevFinding = page.items[0]!
    const triaged = await asAdmin('PUT', `${base}/findings/${kevFinding.id}/triage`, {
      state: 'not_affected',
      justification: 'component_not_present',
      detail: 'Django is only in the build image.',
    })
    expect(triaged.statusCode, triaged.body).toBe(200)
    const overview = (await asAdmin('GET', overviewOf(orgA))).json<FindingOverview>()
    expect(overview.versions[0]).toMatchObject({
      open: 1,
      knownExploited: 0,
      suppressed: 1,
      bySeverity: { high: 0, unknown: 1 },
    })
    // Under investigation is open again.
    const cleared = await asAdmin('PUT', `${base}/findings/${kevFinding.id}/triage`, {
      state: 'under_investigation',
    })
    expect(cleared.statusCode, cleared.body).toBe(200)
  })

  it('shows each organisation only its own versions, and refuses others', async () => {
    const own = (await asUser(t.app, memberB)('GET', overviewOf(orgB))).json<FindingOverview>()
    expect(own.versions.map((v) => v.productVersionId)).toEqual([versions.other])
    const crossed = await asUser(t.app, memberB)('GET', overviewOf(orgA))
    expect(crossed.statusCode).toBe(403)
    const signedOut = await t.app.inject({ method: 'GET', url: overviewOf(orgA) })
    expect(signedOut.statusCode).toBe(401)
  })

  it('reads with an sboms:read token of the organisation, not with another organisation’s', async () => {
    const token = async (orgId: string) => {
      const created = await asAdmin('POST', `/api/v1/organisations/${orgId}/tokens`, {
        name: 'overview reader',
        scopes: ['sboms:read'],
      })
      expect(created.statusCode, created.body).toBe(201)
      return { authorization: `Bearer ${created.json<{ secret: string }>().secret}` }
    }
    const mine = await t.app.inject({
      method: 'GET',
      url: overviewOf(orgA),
      headers: await token(orgA),
    })
    expect(mine.statusCode, mine.body).toBe(200)
    expect(mine.json<FindingOverview>().totals.open).toBe(2)
    const theirs = await t.app.inject({
      method: 'GET',
      url: overviewOf(orgA),
      headers: await token(orgB),
    })
    expect(theirs.statusCode).toBe(403)
  })
})
