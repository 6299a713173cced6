import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Finding, FindingPage, KevExposure } from '../../../common/api/findings.ts'
import type { TokenScope } from '../../../common/organisations.ts'
import {
  asUser,
  createAdmin,
  createOrganisationOverHttp,
  createTestApp,
  signInOverHttp,
  type Session,
  type TestContext,
} from '../../testing/test-app.ts'
import { importAdvisories } from '../advisories/advisories.service.ts'
import { bytesOf, kevCatalogue, KEV_ENTRIES, osvGoRecord } from '../advisories/testing.ts'
import { EVALUATE_VERSION_TASK } from './findings.jobs.ts'
import { evaluateProductVersion } from './findings.service.ts'
import { cycloneDx, DJANGO_3_2_0, djangoRecord, XNET_OLD } from './findings.testing.ts'

describe('findings over HTTP', () => {
  let t: TestContext
  let dir: string
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let orgA: string
  let orgB: string
  let versionA: string
  let findings: string

  async function tokenWith(scopes: TokenScope[], orgId = orgA) {
    const created = await asAdmin('POST', `/api/v1/organisations/${orgId}/tokens`, {
      name: `reader ${scopes.join(' ')}`,
      scopes,
    })
    expect(created.statusCode, created.body).toBe(201)
    return { authorization: `Bearer ${created.json<{ secret: string }>().secret}` }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-findings-routes-'))
    t = await createTestApp({ dataDir: path.join(dir, 'data') })
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    orgA = (await createOrganisationOverHttp(asAdmin, 'Acme', 'manufacturer')).id
    orgB = (await createOrganisationOverHttp(asAdmin, 'Other', 'manufacturer')).id
    const product = await asAdmin('POST', `/api/v1/organisations/${orgA}/products`, {
      name: 'Gateway',
      modelNumbers: ['G-1'],
      deviceClass: 'gateway',
    })
    const created = await asAdmin(
      'POST',
      `/api/v1/organisations/${orgA}/products/${product.json<{ id: string }>().id}/versions`,
      { version: '1.0.0', releaseDate: '2026-05-01' },
    )
    versionA = created.json<{ id: string }>().id
    findings = `/api/v1/organisations/${orgA}/product-versions/${versionA}/findings`
    for (const [name, value] of [
      ['django.json', djangoRecord()],
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
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `/api/v1/organisations/${orgA}/product-versions/${versionA}/sboms`,
      payload: cycloneDx([DJANGO_3_2_0, XNET_OLD]),
      headers: {
        'content-type': 'application/vnd.cyclonedx+json',
        cookie: admin.cookie,
        'x-csrf-token': admin.csrf,
      },
    })
    expect(uploaded.statusCode, uploaded.body).toBe(201)
    // What the queued job does.
    const job = await t.ctx.db
      .selectFrom('jobs')
      .select('payload')
      .where('task', '=', EVALUATE_VERSION_TASK)
      .executeTakeFirstOrThrow()
    expect(JSON.parse(job.payload)).toEqual({ productVersionId: versionA, trigger: 'sbom' })
    await evaluateProductVersion(t.ctx, versionA, { trigger: 'sbom' })
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('lists a version’s findings, KEV first, and reads one with its reason', async () => {
    const list = await asAdmin('GET', findings)
    expect(list.statusCode, list.body).toBe(200)
    const page = list.json<FindingPage>()
    expect(page.items.map((f) => [f.advisory.id, f.kev?.cve ?? null])).toEqual([
      ['PYSEC-2021-98', 'CVE-2021-31542'],
      ['GO-2022-0969', null],
    ])
    const one = await asAdmin('GET', `${findings}/${page.items[1]!.id}`)
    expect(one.statusCode).toBe(200)
    expect(one.json<Finding>().reason).toMatchObject({
      matchedBy: 'purl',
      key: 'pkg:golang/golang.org/x/net',
      rule: 'OSV SEMVER introduced 0 fixed 0.0.0-20220906165146-f3363e06e74c',
    })
    const kevOnly = await asAdmin('GET', `${findings}?kev=true&status=affected`)
    expect(kevOnly.json<FindingPage>().total).toBe(1)
    const bad = await asAdmin('GET', `${findings}?status=fixed`)
    expect(bad.statusCode).toBe(400)
  })

  it('reads with sboms:read or products:read tokens, not other scopes or organisations', async () => {
    for (const scope of ['sboms:read', 'products:read'] as const) {
      const reader = await tokenWith([scope])
      const list = await t.app.inject({ method: 'GET', url: findings, headers: reader })
      expect(list.statusCode, list.body).toBe(200)
      expect(list.json<FindingPage>().total).toBe(2)
    }
    const writer = await tokenWith(['sboms:write'])
    expect((await t.app.inject({ method: 'GET', url: findings, headers: writer })).statusCode).toBe(
      403,
    )
    const other = await tokenWith(['sboms:read'], orgB)
    expect((await t.app.inject({ method: 'GET', url: findings, headers: other })).statusCode).toBe(
      403,
    )
    const crossed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/organisations/${orgB}/product-versions/${versionA}/findings`,
      headers: other,
    })
    expect(crossed.statusCode).toBe(404)
    expect(crossed.json().error).toEqual({ code: 'not_found', message: 'No such product version' })
  })

  it('gives network administrators the KEV exposure, and nobody else', async () => {
    const exposure = await asAdmin('GET', '/api/v1/admin/kev-exposure')
    expect(exposure.statusCode, exposure.body).toBe(200)
    expect(exposure.json<KevExposure>()).toMatchObject({
      totals: { products: 1, versions: 1, cves: 1 },
      byDeviceClass: [{ deviceClass: 'gateway', products: 1 }],
    })
    const reader = await tokenWith(['sboms:read'])
    const refused = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/kev-exposure',
      headers: reader,
    })
    expect(refused.statusCode).toBe(403)
  })
})
