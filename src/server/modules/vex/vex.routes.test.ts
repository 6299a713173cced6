import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VexFindingList, VexPublication, VexUploadResult } from '../../../common/api/vex.ts'
import type { FindingPage } from '../../../common/api/findings.ts'
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
import { bytesOf } from '../advisories/testing.ts'
import { evaluateProductVersion } from '../findings/findings.service.ts'
import { cycloneDx, DJANGO_3_2_0, djangoRecord } from '../findings/findings.testing.ts'
import { checkCsaf } from './csaf-checker.ts'
import { cdxVex } from './vex.testing.ts'

describe('VEX over HTTP', () => {
  let t: TestContext
  let dir: string
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let orgA: string
  let orgB: string
  let productId: string
  let base: string

  async function token(scopes: string[], orgId = orgA) {
    const created = await asAdmin('POST', `/api/v1/organisations/${orgId}/tokens`, {
      name: `token ${scopes.join(' ')}`,
      scopes,
    })
    expect(created.statusCode, created.body).toBe(201)
    return { authorization: `Bearer ${created.json<{ secret: string }>().secret}` }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-vex-routes-'))
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
    productId = product.json<{ id: string }>().id
    const version = await asAdmin(
      'POST',
      `/api/v1/organisations/${orgA}/products/${productId}/versions`,
      { version: '1.0.0', releaseDate: '2026-05-01' },
    )
    const versionId = version.json<{ id: string }>().id
    base = `/api/v1/organisations/${orgA}/product-versions/${versionId}`
    fs.writeFileSync(path.join(dir, 'django.json'), bytesOf(djangoRecord()))
    await importAdvisories(t.ctx, {
      location: path.join(dir, 'django.json'),
      format: 'auto',
      triggeredBy: 'test',
    })
    const sbom = await t.app.inject({
      method: 'POST',
      url: `${base}/sboms`,
      payload: cycloneDx([DJANGO_3_2_0]),
      headers: { 'content-type': 'application/json', ...(await token(['sboms:write'])) },
    })
    expect(sbom.statusCode, sbom.body).toBe(201)
    await evaluateProductVersion(t.ctx, versionId, { trigger: 'sbom' })
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('takes a VEX upload from a build pipeline token with sboms:write, not from readers or others', async () => {
    const body = cdxVex([
      {
        id: 'CVE-2021-31542',
        analysis: { state: 'in_triage' },
        affects: [{ ref: 'django' }],
      },
    ])
    const reader = await token(['sboms:read'])
    const refused = await t.app.inject({
      method: 'POST',
      url: `${base}/vex`,
      payload: body,
      headers: { 'content-type': 'application/json', ...reader },
    })
    expect(refused.statusCode).toBe(403)
    const other = await token(['sboms:write'], orgB)
    const crossed = await t.app.inject({
      method: 'POST',
      url: `${base}/vex`,
      payload: body,
      headers: { 'content-type': 'application/json', ...other },
    })
    expect(crossed.statusCode).toBe(403)
    const writer = await token(['sboms:write'])
    const stored = await t.app.inject({
      method: 'POST',
      url: `${base}/vex`,
      payload: body,
      headers: {
        'content-type': 'application/vnd.cyclonedx+json',
        'x-file-name': 'v.json',
        ...writer,
      },
    })
    expect(stored.statusCode, stored.body).toBe(201)
    expect(stored.json<VexUploadResult>()).toMatchObject({ created: true, applied: 1 })
    const again = await t.app.inject({
      method: 'POST',
      url: `${base}/vex`,
      payload: body,
      headers: { 'content-type': 'application/json', ...writer },
    })
    expect(again.statusCode).toBe(200)
    const bad = await t.app.inject({
      method: 'POST',
      url: `${base}/vex`,
      payload: cdxVex([{ id: 'CVE-1', analysis: { state: 'nope' }, affects: [{ ref: 'x' }] }]),
      headers: { 'content-type': 'application/json', ...writer },
    })
    expect(bad.statusCode).toBe(400)
    expect(
      bad.json<{ error: { details: { problems: { pointer: string }[] } } }>().error.details
        .problems[0]?.pointer,
    ).toBe('/vulnerabilities/0/analysis/state')
  })

  it('triages, publishes a CSAF advisory and lets anyone download it from the product', async () => {
    const list = await asAdmin('GET', `${base}/vex/findings`)
    expect(list.statusCode, list.body).toBe(200)
    const finding = list.json<VexFindingList>().items[0]!
    expect(finding.triage?.state).toBe('under_investigation')
    const missing = await asAdmin('PUT', `${base}/findings/${finding.id}/triage`, {
      state: 'not_affected',
    })
    expect(missing.statusCode).toBe(400)
    const triaged = await asAdmin('PUT', `${base}/findings/${finding.id}/triage`, {
      state: 'not_affected',
      justification: 'component_not_present',
      detail: 'Django is only in the build image.',
    })
    expect(triaged.statusCode, triaged.body).toBe(200)
    // The findings list shows the same triage.
    const findings = await asAdmin('GET', `${base}/findings?state=all`)
    expect(findings.statusCode, findings.body).toBe(200)
    expect(
      findings.json<FindingPage>().items.find((f) => f.id === finding.id)?.triage,
    ).toMatchObject({
      state: 'not_affected',
      justification: 'component_not_present',
      detail: 'Django is only in the build image.',
      source: 'manual',
    })
    const published = await asAdmin('POST', `${base}/vex/publications`, { kind: 'csaf' })
    expect(published.statusCode, published.body).toBe(201)
    const publication = published.json<VexPublication>()
    const mine = await asAdmin('GET', `${base}/vex/publications/${publication.id}/file`)
    expect(mine.statusCode).toBe(200)
    const publicList = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registry/products/${productId}/advisories`,
    })
    expect(publicList.statusCode, publicList.body).toBe(200)
    expect(publicList.json<{ id: string }[]>().map((p) => p.id)).toEqual([publication.id])
    const file = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registry/products/${productId}/advisories/${publication.id}/file`,
    })
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-disposition']).toContain('.csaf.json')
    expect(await checkCsaf(file.json())).toEqual([])
    const cdx = await asAdmin('POST', `${base}/vex/publications`, { kind: 'cyclonedx' })
    expect(cdx.statusCode, cdx.body).toBe(201)
  })
})
