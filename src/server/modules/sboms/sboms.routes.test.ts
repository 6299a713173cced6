import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  isSbomWarning,
  type Sbom,
  type SbomComponentPage,
  type SbomUploadResult,
} from '../../../common/api/sboms.ts'
import type { TokenScope } from '../../../common/organisations.ts'
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
import { schemaInvalidCycloneDx, smallCycloneDx, trivyStyleSpdx } from './sbom-fixtures.ts'

describe('SBOMs over HTTP', () => {
  let t: TestContext
  let dataDir: string
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let orgA: string
  let orgB: string
  let versionA: string
  let versionB: string
  let sboms: string

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-sbom-routes-'))
    t = await createTestApp({ dataDir, sbomMaxBytes: 64 * 1024 })
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    orgA = (await createOrganisationOverHttp(asAdmin, 'Acme', 'manufacturer')).id
    orgB = (await createOrganisationOverHttp(asAdmin, 'Other', 'manufacturer')).id
    const version = async (orgId: string) => {
      const product = await asAdmin('POST', `/api/v1/organisations/${orgId}/products`, {
        name: 'Gateway',
        modelNumbers: ['G-1'],
        deviceClass: 'gateway',
      })
      const created = await asAdmin(
        'POST',
        `/api/v1/organisations/${orgId}/products/${product.json<{ id: string }>().id}/versions`,
        { version: '1.0.0', releaseDate: '2026-05-01' },
      )
      expect(created.statusCode, created.body).toBe(201)
      return created.json<{ id: string }>().id
    }
    versionA = await version(orgA)
    versionB = await version(orgB)
    sboms = `/api/v1/organisations/${orgA}/product-versions/${versionA}/sboms`
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const upload = (
    url: string,
    bytes: Buffer,
    headers: Record<string, string> = { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    contentType = 'application/vnd.cyclonedx+json',
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: bytes,
      headers: { 'content-type': contentType, ...headers },
    })

  async function tokenWith(scopes: TokenScope[], orgId = orgA) {
    const created = await asAdmin('POST', `/api/v1/organisations/${orgId}/tokens`, {
      name: `pipeline ${scopes.join(' ')}`,
      scopes,
    })
    expect(created.statusCode, created.body).toBe(201)
    return { authorization: `Bearer ${created.json<{ secret: string }>().secret}` }
  }

  const count = async () =>
    Number(
      (
        await t.ctx.db
          .selectFrom('sbom_documents')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('uploads the raw file (201), says so on the same file again (200), lists, reads, downloads', async () => {
    const bytes = smallCycloneDx(1)
    const first = await upload(sboms, bytes, {
      cookie: admin.cookie,
      'x-csrf-token': admin.csrf,
      'x-file-name': encodeURIComponent('gateway fw.cdx.json'),
    })
    expect(first.statusCode, first.body).toBe(201)
    const result = first.json<SbomUploadResult>()
    expect(result).toMatchObject({ created: true, madeCurrent: true })
    expect(result.sbom).toMatchObject({ fileName: 'gateway fw.cdx.json', componentCount: 5 })

    const again = await upload(sboms, bytes, undefined, 'application/json; charset=utf-8')
    expect(again.statusCode).toBe(200)
    expect(again.json<SbomUploadResult>()).toMatchObject({ created: false, madeCurrent: false })

    const list = await asAdmin('GET', sboms)
    expect(list.statusCode).toBe(200)
    expect(list.json<Sbom[]>()).toEqual([result.sbom])
    expect((await asAdmin('GET', `${sboms}/${result.sbom.id}`)).json()).toEqual(result.sbom)

    const components = await asAdmin('GET', `${sboms}/${result.sbom.id}/components?q=open&limit=10`)
    expect(components.statusCode).toBe(200)
    expect(components.json<SbomComponentPage>()).toMatchObject({
      total: 1,
      items: [{ name: 'openssl', purl: 'pkg:generic/openssl@3.0.13' }],
    })

    const file = await asAdmin('GET', `${sboms}/${result.sbom.id}/file`)
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-type']).toBe('application/vnd.cyclonedx+json')
    expect(file.headers['content-disposition']).toBe(
      "attachment; filename*=UTF-8''gateway%20fw.cdx.json",
    )
    expect(file.rawPayload.equals(bytes)).toBe(true)
  })

  it('refuses a schema-invalid file with the file name and JSON pointer, storing nothing', async () => {
    const before = await count()
    const response = await upload(sboms, schemaInvalidCycloneDx, {
      cookie: admin.cookie,
      'x-csrf-token': admin.csrf,
      'x-file-name': 'bad.cdx.json',
    })
    expect(response.statusCode).toBe(400)
    const error = response.json<{
      error: { code: string; message: string; details: { problems: { pointer: string }[] } }
    }>().error
    expect(error.code).toBe('validation_failed')
    expect(error.message).toMatch(/^bad\.cdx\.json is not valid CycloneDX 1\.5 JSON/)
    expect(error.details.problems.map((p) => p.pointer)).toContain('/components/1/type')
    expect(await count()).toBe(before)
  })

  it('refuses a file over SBOM_MAX_BYTES with 413 before parsing, and other content types', async () => {
    const before = await count()
    const big = Buffer.from(JSON.stringify({ padding: 'x'.repeat(70 * 1024) }))
    const tooBig = await upload(sboms, big)
    expect(tooBig.statusCode).toBe(413)
    expect(tooBig.json().error).toMatchObject({
      code: 'payload_too_large',
      message: `The SBOM is ${big.length} bytes; the limit is 65536 bytes (SBOM_MAX_BYTES).`,
      details: { reason: 'too_large', limit: 65536, actual: big.length },
    })
    const form = await upload(
      sboms,
      Buffer.from('a=b'),
      undefined,
      'application/x-www-form-urlencoded',
    )
    expect(form.statusCode).toBe(400)
    expect(form.json().error.message).toMatch(/^Send the SBOM file as the body/)
    expect(await count()).toBe(before)
  })

  it('lets API tokens upload with sboms:write and read with sboms:read or products:read', async () => {
    const writer = await tokenWith(['sboms:write'])
    const uploaded = await upload(sboms, smallCycloneDx(2), writer)
    expect(uploaded.statusCode, uploaded.body).toBe(201)
    const sbom = uploaded.json<SbomUploadResult>().sbom
    expect(sbom.uploadedBy).toMatchObject({ type: 'api_token', name: 'pipeline sboms:write' })
    expect(sbom).toMatchObject({ revision: 2, isCurrent: true })

    for (const scope of ['sboms:read', 'products:read'] as const) {
      const reader = await tokenWith([scope])
      const list = await t.app.inject({ method: 'GET', url: sboms, headers: reader })
      expect(list.statusCode).toBe(200)
      expect(list.json<Sbom[]>().map((s) => s.revision)).toEqual([2, 1])
      const refused = await upload(sboms, smallCycloneDx(3), reader)
      expect(refused.statusCode).toBe(403)
      expect(refused.json().error.message).toBe('This API token lacks the scope sboms:write.')
    }
    const productsWriter = await tokenWith(['products:write'])
    expect((await upload(sboms, smallCycloneDx(3), productsWriter)).statusCode).toBe(403)
    const writerReads = await t.app.inject({ method: 'GET', url: sboms, headers: writer })
    expect(writerReads.statusCode).toBe(403)

    // A token of organisation B cannot reach A's SBOMs, and B's URL with A's version is a 404.
    const otherWriter = await tokenWith(['sboms:write'], orgB)
    expect((await upload(sboms, smallCycloneDx(3), otherWriter)).statusCode).toBe(403)
    const crossed = await upload(
      `/api/v1/organisations/${orgB}/product-versions/${versionA}/sboms`,
      smallCycloneDx(3),
      otherWriter,
    )
    expect(crossed.statusCode).toBe(404)
    expect(crossed.json().error).toEqual({ code: 'not_found', message: 'No such product version' })
    const crossedRead = await t.app.inject({
      method: 'GET',
      url: `/api/v1/organisations/${orgB}/product-versions/${versionA}/sboms/${sbom.id}`,
      headers: await tokenWith(['sboms:read'], orgB),
    })
    expect(crossedRead.statusCode).toBe(404)
    // B's own version is fine for B's token.
    const own = await upload(
      `/api/v1/organisations/${orgB}/product-versions/${versionB}/sboms`,
      smallCycloneDx(3),
      otherWriter,
    )
    expect(own.statusCode).toBe(201)
  })

  it('lets members upload and delete, viewers only read, outsiders nothing', async () => {
    const member = asUser(t.app, await joinOverHttp(t.app, admin, orgA, 'm@acme.test', 'member'))
    const viewerSession = await joinOverHttp(t.app, admin, orgA, 'v@acme.test', 'viewer')
    const viewer = asUser(t.app, viewerSession)
    const outsiderSession = await joinOverHttp(t.app, admin, orgB, 'o@other.test', 'owner')
    const outsider = asUser(t.app, outsiderSession)

    expect((await viewer('GET', sboms)).statusCode).toBe(200)
    const viewerUpload = await upload(sboms, smallCycloneDx(4), {
      cookie: viewerSession.cookie,
      'x-csrf-token': viewerSession.csrf,
    })
    expect(viewerUpload.statusCode).toBe(403)
    expect((await outsider('GET', sboms)).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'GET', url: sboms })).statusCode).toBe(401)

    const [current, previous] = (await member('GET', sboms)).json<Sbom[]>()
    expect((await viewer('DELETE', `${sboms}/${current!.id}`)).statusCode).toBe(403)
    const deleted = await member('DELETE', `${sboms}/${current!.id}`)
    expect(deleted.statusCode).toBe(204)
    const after = (await member('GET', sboms)).json<Sbom[]>()
    expect(after.map((s) => [s.id, s.isCurrent])).toEqual([[previous!.id, true]])
    expect((await member('GET', `${sboms}/${current!.id}`)).statusCode).toBe(404)

    const audit = await asAdmin('GET', `/api/v1/organisations/${orgA}/audit?action=sbom.`)
    expect(audit.json<{ entries: { action: string }[] }>().entries.map((e) => e.action)).toEqual([
      'sbom.deleted',
      'sbom.uploaded',
      'sbom.uploaded',
    ])
  })

  it('stores a trivy-style SPDX 2.2 file (201) and answers its warnings with it', async () => {
    const product = await asAdmin('POST', `/api/v1/organisations/${orgA}/products`, {
      name: 'Camera',
      modelNumbers: ['C-1'],
      deviceClass: 'gateway',
    })
    const version = await asAdmin(
      'POST',
      `/api/v1/organisations/${orgA}/products/${product.json<{ id: string }>().id}/versions`,
      { version: '1.0.0', releaseDate: '2026-05-01' },
    )
    const url = `/api/v1/organisations/${orgA}/product-versions/${version.json<{ id: string }>().id}/sboms`
    const response = await upload(
      url,
      trivyStyleSpdx(1),
      { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'x-file-name': 'image.spdx.json' },
      'application/spdx+json',
    )
    expect(response.statusCode, response.body).toBe(201)
    const result = response.json<SbomUploadResult>()
    expect(result.message).toMatch(/it is the current SBOM\. Accepted with 9 warnings about/)
    const warnings = result.sbom.notes.filter(isSbomWarning)
    expect(warnings).toHaveLength(9)
    expect(warnings[0]).toEqual({
      code: 'tolerated_omission',
      message:
        '2 packages leave out downloadLocation, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
      pointer: '/packages/0',
    })
    const listed = await asAdmin('GET', url)
    expect(listed.json<Sbom[]>()[0]?.notes).toEqual(result.sbom.notes)
  })
})
