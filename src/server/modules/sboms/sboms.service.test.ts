import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError, isAppError } from '../../../common/errors.ts'
import type { Actor } from '../../kernel/actor.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { PROJECT_ROOT } from '../../kernel/paths.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { findAuditLog, verifyAuditChain } from '../audit/audit.service.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import { createProduct, createProductVersion } from '../products/products.service.ts'
import {
  schemaInvalidCycloneDx as schemaInvalid,
  smallCycloneDx,
  trivyStyleSpdx,
} from './sbom-fixtures.ts'
import { parseSbom } from './sbom-parser.ts'
import {
  componentsByCpe,
  componentsByPackage,
  currentComponentsOfVersion,
  deleteSbom,
  getSbom,
  getSbomFile,
  listSbomComponents,
  listSboms,
  uploadSbom,
} from './sboms.service.ts'

const DATA = path.join(PROJECT_ROOT, '..', 'shared', 'data')
const hasData = fs.existsSync(DATA)
const SYFT_BEAGLEBONE = 'iot-image-sboms/spdx-syft-balenalib_beaglebone-black-debian-node.spdx.json'
const SYFT_ALPINE = 'iot-image-sboms/spdx-syft-balenalib_am571x-evm-alpine-node.spdx.json'
const BOM_APALIS = 'iot-image-sboms/spdx-bom-balenalib_apalis-imx6q-debian-node.spdx.json'
const JUICE_SHOP = 'CycloneDX-bom-examples/SBOM/juice-shop/via_npm/bare/bom.1.4.json'
const TRIVY_APALIS = 'iot-image-sboms/spdx-trivy-balenalib_apalis-imx6q-debian-node.spdx.json'
const readData = (file: string) => fs.readFileSync(path.join(DATA, file))

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (isAppError(error)) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('sboms service', () => {
  let ctx: Ctx
  let clock: ManualClock
  let testDb: TestDb
  let dataDir: string
  let owner: { actor: Extract<Actor, { type: 'user' }> }
  let orgId: string
  let otherOrgId: string
  let productId: string
  let versionId: string
  let version2Id: string
  let otherVersionId: string

  const counts = async () => {
    const count = async (table: 'sbom_documents' | 'sbom_components' | 'sbom_component_cpes') =>
      Number(
        (
          await ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    return {
      documents: await count('sbom_documents'),
      components: await count('sbom_components'),
      cpes: await count('sbom_component_cpes'),
    }
  }
  const storedFiles = () => {
    const root = path.join(dataDir, 'sboms')
    if (!fs.existsSync(root)) return []
    return fs
      .readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort()
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-sboms-'))
    ;({ ctx, clock, testDb } = await createTestContext({ dataDir, sbomMaxBytes: 8 * 1024 * 1024 }))
    await createAdmin(ctx)
    const user = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'admin@network.test')
      .executeTakeFirstOrThrow()
    owner = {
      actor: { type: 'user', userId: user.id, email: 'admin@network.test', isNetworkAdmin: true },
    }
    orgId = (await createOrganisation(ctx, owner, { name: 'Acme', type: 'manufacturer' })).id
    otherOrgId = (await createOrganisation(ctx, owner, { name: 'Other', type: 'manufacturer' })).id
    const product = await createProduct(ctx, owner, orgId, {
      name: 'Gateway',
      modelNumbers: ['G-1'],
      deviceClass: 'gateway',
    })
    productId = product.id
    const version = (v: string) =>
      createProductVersion(ctx, owner, orgId, product.id, { version: v, releaseDate: '2026-05-01' })
    versionId = (await version('1.0.0')).id
    version2Id = (await version('2.0.0')).id
    const otherProduct = await createProduct(ctx, owner, otherOrgId, {
      name: 'Sensor',
      modelNumbers: ['S-1'],
      deviceClass: 'field-device',
    })
    otherVersionId = (
      await createProductVersion(ctx, owner, otherOrgId, otherProduct.id, {
        version: '1.0.0',
        releaseDate: '2026-05-01',
      })
    ).id
  })
  afterAll(async () => {
    await testDb.destroy()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('stores an upload with its document, components, CPEs and file, as the current SBOM', async () => {
    const bytes = smallCycloneDx(1)
    const result = await uploadSbom(ctx, owner, orgId, versionId, {
      bytes,
      fileName: 'fw.cdx.json',
    })
    expect(result.created).toBe(true)
    expect(result.madeCurrent).toBe(true)
    expect(result.message).toMatch(/^Stored CycloneDX 1\.5 SBOM with 5 components as upload 1/)
    const sbom = result.sbom
    expect(sbom).toMatchObject({
      organisationId: orgId,
      productId,
      productVersionId: versionId,
      revision: 1,
      isCurrent: true,
      byteLength: bytes.length,
      fileName: 'fw.cdx.json',
      format: 'cyclonedx',
      specVersion: '1.5',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b71',
      bomVersion: 1,
      documentCreatedAt: '2026-05-01T10:00:00.000Z',
      tools: [{ name: 'cdxgen', version: '10.0.0' }],
      rootKey: 'fw',
      componentCount: 5,
      dependencyCount: 3,
      uploadedBy: { type: 'user', name: 'admin@network.test' },
      uploadedAt: clock.now().toISOString(),
    })
    expect(sbom.sha256).toBe(parseSbom(bytes).sha256)
    expect(await getSbom(ctx, orgId, versionId, sbom.id)).toEqual(sbom)

    const page = await listSbomComponents(ctx, orgId, versionId, sbom.id, {})
    expect(page.total).toBe(5)
    expect(page.items.map((c) => c.key)).toEqual(['fw', 'openssl', 'mosquitto', 'cjson', 'busybox'])
    expect(page.items[1]).toMatchObject({
      name: 'openssl',
      version: '3.0.13',
      type: 'library',
      purl: 'pkg:generic/openssl@3.0.13',
      purlValid: true,
      purlParts: { type: 'generic', namespace: null, name: 'openssl', version: '3.0.13' },
      cpes: ['cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*'],
      hashes: [{ algorithm: 'SHA-256', value: 'a'.repeat(64) }],
      licenses: ['Apache-2.0'],
    })
    expect(page.items[3]).toMatchObject({ name: 'cjson', parentKey: 'mosquitto', purl: null })

    const file = await getSbomFile(ctx, orgId, versionId, sbom.id)
    expect(file.bytes.equals(bytes)).toBe(true)
    expect(file.file).toEqual({
      mediaType: 'application/vnd.cyclonedx+json',
      fileName: 'fw.cdx.json',
    })
    expect(storedFiles()).toEqual([sbom.sha256])

    const audit = await findAuditLog(ctx, { organisationId: orgId, action: 'sbom.uploaded' })
    expect(audit.entries[0]).toMatchObject({ targetId: sbom.id, targetType: 'sbom' })
  })

  it('says so and stores nothing when the same bytes are uploaded to the same version again', async () => {
    const before = await counts()
    const files = storedFiles()
    const again = await uploadSbom(ctx, owner, orgId, versionId, { bytes: smallCycloneDx(1) })
    expect(again.created).toBe(false)
    expect(again.madeCurrent).toBe(false)
    expect(again.message).toBe(
      'This file is already the current SBOM of Gateway 1.0.0 (upload 1); nothing changed.',
    )
    expect(await counts()).toEqual(before)
    expect(storedFiles()).toEqual(files)
  })

  it('keeps earlier uploads as history, and the same bytes on another version are stored once', async () => {
    clock.advance(60_000)
    const second = await uploadSbom(ctx, owner, orgId, versionId, { bytes: smallCycloneDx(2) })
    expect(second.sbom).toMatchObject({ revision: 2, isCurrent: true })
    const list = await listSboms(ctx, orgId, versionId)
    expect(list.map((s) => [s.revision, s.isCurrent])).toEqual([
      [2, true],
      [1, false],
    ])
    // Another version with the first file: a new document, the same stored file.
    const onV2 = await uploadSbom(ctx, owner, orgId, version2Id, { bytes: smallCycloneDx(1) })
    expect(onV2.created).toBe(true)
    expect(storedFiles()).toHaveLength(2)

    // Uploading the superseded file again makes it current again, without a new row.
    const back = await uploadSbom(ctx, owner, orgId, versionId, { bytes: smallCycloneDx(1) })
    expect(back).toMatchObject({ created: false, madeCurrent: true })
    expect(back.sbom).toMatchObject({ revision: 1, isCurrent: true })
    expect((await listSboms(ctx, orgId, versionId)).map((s) => [s.revision, s.isCurrent])).toEqual([
      [1, true],
      [2, false],
    ])
    // And the pipeline's current file again: back to revision 2.
    await uploadSbom(ctx, owner, orgId, versionId, { bytes: smallCycloneDx(2) })
  })

  it('refuses a schema-invalid file with its pointer and stores nothing', async () => {
    const before = await counts()
    const files = storedFiles()
    const error = await refusal(
      uploadSbom(ctx, owner, orgId, versionId, { bytes: schemaInvalid, fileName: 'bad.json' }),
    )
    expect(error.code).toBe('validation_failed')
    expect(error.message).toMatch(/^bad\.json is not valid CycloneDX 1\.5 JSON/)
    expect(error.details).toMatchObject({
      reason: 'schema_invalid',
      fileName: 'bad.json',
      problems: [expect.objectContaining({ pointer: '/components/1/type' })],
    })
    const notJson = await refusal(
      uploadSbom(ctx, owner, orgId, versionId, { bytes: Buffer.from('{"bomFormat": "Cyclo') }),
    )
    expect(notJson.code).toBe('validation_failed')
    expect(await counts()).toEqual(before)
    expect(storedFiles()).toEqual(files)
  })

  it('refuses a file over the configured size before parsing it', async () => {
    const before = await counts()
    const small = { ...ctx, config: { ...ctx.config, sbomMaxBytes: 1024 } }
    const error = await refusal(
      uploadSbom(small, owner, orgId, versionId, {
        bytes: smallCycloneDx(3),
        fileName: 'big.json',
      }),
    )
    expect(error.code).toBe('payload_too_large')
    expect(error.details).toMatchObject({ reason: 'too_large', limit: 1024 })
    expect(await counts()).toEqual(before)
  })

  it('answers not_found for another organisation’s version, SBOM or file', async () => {
    const [current] = await listSboms(ctx, orgId, versionId)
    const bytes = smallCycloneDx(4)
    expect((await refusal(uploadSbom(ctx, owner, otherOrgId, versionId, { bytes }))).code).toBe(
      'not_found',
    )
    expect((await refusal(listSboms(ctx, otherOrgId, versionId))).code).toBe('not_found')
    expect((await refusal(getSbom(ctx, otherOrgId, versionId, current!.id))).code).toBe('not_found')
    expect((await refusal(getSbom(ctx, orgId, version2Id, current!.id))).code).toBe('not_found')
    expect((await refusal(getSbomFile(ctx, otherOrgId, versionId, current!.id))).code).toBe(
      'not_found',
    )
    expect((await refusal(deleteSbom(ctx, owner, otherOrgId, versionId, current!.id))).code).toBe(
      'not_found',
    )
    expect((await refusal(listSboms(ctx, orgId, otherVersionId))).code).toBe('not_found')
  })

  it('filters and pages components', async () => {
    const [current] = await listSboms(ctx, orgId, versionId)
    const id = current!.id
    const names = async (query: Parameters<typeof listSbomComponents>[4]) =>
      (await listSbomComponents(ctx, orgId, versionId, id, query)).items.map((c) => c.name)
    expect(await names({ q: 'SSL' })).toEqual(['openssl'])
    expect(await names({ purl: 'pkg:github/' })).toEqual(['mosquitto'])
    expect(await names({ type: 'firmware' })).toEqual(['gateway-fw'])
    const page = await listSbomComponents(ctx, orgId, versionId, id, { limit: 2, offset: 2 })
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 2 })
    expect(page.items.map((c) => c.name)).toEqual(['mosquitto', 'cjson'])
    expect(await names({ q: '100%_' })).toEqual([])
  })

  it('answers the matching engine’s lookups by purl and CPE from current SBOMs only', async () => {
    const byPurl = await componentsByPackage(ctx, { type: 'generic', name: 'openssl' })
    // Version 1.0.0's current SBOM and version 2.0.0's; the superseded upload is left out.
    expect(byPurl.map((c) => c.productVersionId).sort()).toEqual([versionId, version2Id].sort())
    expect(byPurl[0]).toMatchObject({ name: 'openssl', organisationId: orgId, productId })
    expect(
      await componentsByPackage(ctx, { type: 'github', namespace: 'eclipse', name: 'mosquitto' }),
    ).toHaveLength(2)
    expect(await componentsByPackage(ctx, { type: 'github', name: 'mosquitto' })).toHaveLength(0)

    const byCpe = await componentsByCpe(ctx, { vendor: 'OpenSSL', product: 'openssl' })
    expect(byCpe).toHaveLength(2)
    expect(byCpe[0]!.matchedCpe).toBe('cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*')

    const components = await currentComponentsOfVersion(ctx, versionId)
    expect(components.map((c) => c.version)).toContain('1.36.2')
    expect(await currentComponentsOfVersion(ctx, otherVersionId)).toEqual([])
  })

  it('deletes an SBOM: the current one falls back to the previous, the last file goes', async () => {
    const [current, previous] = await listSboms(ctx, orgId, versionId)
    const deleted = await deleteSbom(ctx, owner, orgId, versionId, current!.id)
    expect(deleted.newCurrent).toMatchObject({ id: previous!.id, isCurrent: true })
    expect(await listSboms(ctx, orgId, versionId)).toEqual([
      expect.objectContaining({ id: previous!.id, isCurrent: true }),
    ])
    // Its file went (no other document has those bytes); the other file is shared with 2.0.0.
    expect(storedFiles()).toEqual([previous!.sha256])
    await deleteSbom(ctx, owner, orgId, versionId, previous!.id)
    expect(await listSboms(ctx, orgId, versionId)).toEqual([])
    expect(storedFiles()).toEqual([previous!.sha256])
    const audit = await findAuditLog(ctx, { organisationId: orgId, action: 'sbom.deleted' })
    expect(audit.entries).toHaveLength(2)
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true)
  })

  it('keeps concurrent uploads consistent: the same file stored once, one current SBOM', async () => {
    const version = await createProductVersion(ctx, owner, orgId, productId, {
      version: '3.0.0',
      releaseDate: '2026-05-01',
    })
    const same = await Promise.all(
      [1, 2, 3].map(() => uploadSbom(ctx, owner, orgId, version.id, { bytes: smallCycloneDx(7) })),
    )
    expect(same.map((r) => r.created).sort()).toEqual([false, false, true])
    const different = await Promise.all(
      [8, 9].map((n) => uploadSbom(ctx, owner, orgId, version.id, { bytes: smallCycloneDx(n) })),
    )
    expect(different.every((r) => r.created)).toBe(true)
    const list = await listSboms(ctx, orgId, version.id)
    expect(list.map((s) => s.revision).sort()).toEqual([1, 2, 3])
    expect(list.filter((s) => s.isCurrent)).toHaveLength(1)
  })

  it('stores a trivy-style SPDX 2.2 file with its warnings in the notes and says so', async () => {
    const trivyVersion = await createProductVersion(ctx, owner, orgId, productId, {
      version: '3.0.0-trivy',
      releaseDate: '2026-05-01',
    })
    const result = await uploadSbom(ctx, owner, orgId, trivyVersion.id, {
      bytes: trivyStyleSpdx(1),
      fileName: 'image.spdx.json',
    })
    expect(result.message).toBe(
      'Stored SPDX 2.2 SBOM with 2 components as upload 1 of Gateway 3.0.0-trivy; it is the current SBOM. Accepted with 9 warnings about what the file leaves out or misspells of SPDX 2.2 (listed in its notes).',
    )
    expect(result.sbom).toMatchObject({
      specVersion: '2.2',
      componentCount: 2,
      dependencyCount: 1,
      rootKey: 'SPDXRef-ContainerImage-1',
    })
    const stored = await getSbom(ctx, orgId, trivyVersion.id, result.sbom.id)
    expect(stored.notes).toEqual(parseSbom(trivyStyleSpdx(1)).notes)
    expect(stored.notes.map((n) => `${n.code} ${n.pointer}`)).toEqual([
      'tolerated_omission /packages/0',
      'tolerated_omission /packages/0',
      'tolerated_omission /packages/0',
      'tolerated_omission /packages/0',
      'tolerated_omission /files/0',
      'tolerated_omission /files/0',
      'tolerated_omission /files/0',
      'tolerated_omission /files/0',
      'tolerated_relationship /relationships/0/relationshipType',
    ])
    const again = await uploadSbom(ctx, owner, orgId, trivyVersion.id, { bytes: trivyStyleSpdx(1) })
    expect(again.created).toBe(false)
    expect(again.sbom.notes).toEqual(stored.notes)
  })

  describe('real SBOMs from ../shared/data', () => {
    if (!hasData && process.env.CI === 'true') {
      it('finds the shared data', () => {
        throw new Error(`${DATA} is missing; CI needs ../shared/data`)
      })
    } else if (!hasData) {
      console.warn(`Skipping the real-SBOM storage tests: ${DATA} is missing`)
    }

    it.skipIf(!hasData).each([SYFT_BEAGLEBONE, SYFT_ALPINE, BOM_APALIS, JUICE_SHOP, TRIVY_APALIS])(
      'stores and normalises %s',
      async (file) => {
        const bytes = readData(file)
        const parsed = parseSbom(bytes, path.basename(file))
        const { sbom } = await uploadSbom(ctx, owner, orgId, version2Id, {
          bytes,
          fileName: path.basename(file),
        })
        expect(sbom).toMatchObject({
          format: parsed.format,
          specVersion: parsed.specVersion,
          componentCount: parsed.components.length,
          dependencyCount: parsed.dependencies.length,
          notes: parsed.notes,
          isCurrent: true,
        })
        const page = await listSbomComponents(ctx, orgId, version2Id, sbom.id, { limit: 500 })
        expect(page.total).toBe(parsed.components.length)
        expect(page.items.map((c) => c.key)).toEqual(
          parsed.components.slice(0, 500).map((c) => c.key),
        )
        const withPurl = parsed.components.filter((c) => c.purlValid).length
        const stored = await currentComponentsOfVersion(ctx, version2Id)
        expect(stored.filter((c) => c.purlValid).length).toBe(withPurl)
        expect((await getSbomFile(ctx, orgId, version2Id, sbom.id)).bytes.equals(bytes)).toBe(true)
      },
    )

    it.skipIf(!hasData)('finds syft’s Debian packages by purl and by CPE', async () => {
      await uploadSbom(ctx, owner, orgId, version2Id, { bytes: readData(SYFT_BEAGLEBONE) })
      const openssl = await componentsByPackage(ctx, {
        type: 'deb',
        namespace: 'debian',
        name: 'openssl',
      })
      expect(openssl).toHaveLength(1)
      expect(openssl[0]).toMatchObject({
        version: '1.1.1n-0+deb11u3',
        productVersionId: version2Id,
      })
      // zlib1g's CPE quotes the colon of its epoch: 1\:1.2.11.dfsg-2\+deb11u2.
      const zlib = await componentsByCpe(ctx, { vendor: 'zlib1g', product: 'zlib1g' })
      expect(zlib.map((c) => c.name)).toEqual(['zlib1g'])
      const cpe = await ctx.db
        .selectFrom('sbom_component_cpes')
        .select(['version'])
        .where('vendor', '=', 'zlib1g')
        .executeTakeFirstOrThrow()
      expect(cpe.version).toBe('1:1.2.11.dfsg-2+deb11u2')
    })
  })
})
