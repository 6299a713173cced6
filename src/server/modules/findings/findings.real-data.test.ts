import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { importAdvisories } from '../advisories/advisories.service.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import { createProduct, createProductVersion } from '../products/products.service.ts'
import { uploadSbom } from '../sboms/sboms.service.ts'
import { SHARED_DATA, sharedDataPresent } from '../vulnerabilities/versions/shared-data.testing.ts'
import { evaluateProductVersion, listFindings } from './findings.service.ts'
import { cycloneDx, XNET_OLD } from './findings.testing.ts'

/**
 * A real IoT image SBOM (syft's SPDX of the BeagleBone Black Debian image: 373 deb and npm
 * packages, with CPEs) against real OSV records: the OSS-Fuzz records of C projects that the
 * image also ships as Debian packages, the Django PyPI records and the Go x/net record.
 */
const SBOM = 'iot-image-sboms/spdx-syft-balenalib_beaglebone-black-debian-node.spdx.json'
const OSV_DIRS = [
  'google-oss-fuzz-vulns/vulns/openssl',
  'google-oss-fuzz-vulns/vulns/curl',
  'google-oss-fuzz-vulns/vulns/libxml2',
  'google-oss-fuzz-vulns/vulns/libpng',
  'pypa-advisory-database/vulns/django',
]
const GO_RECORD = 'golang-vulndb/data/osv/GO-2022-0969.json'

describe.runIf(sharedDataPresent('iot-image-sboms', 'the real-data findings test'))(
  'findings on real data',
  () => {
    let ctx: Ctx
    let testDb: TestDb
    let dataDir: string
    let orgId: string
    let imageVersion: string
    let goVersion: string

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-findings-real-'))
      ;({ ctx, testDb } = await createTestContext({ dataDir }))
      await createAdmin(ctx)
      const user = await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'admin@network.test')
        .executeTakeFirstOrThrow()
      const owner: { actor: Extract<Actor, { type: 'user' }> } = {
        actor: { type: 'user', userId: user.id, email: 'admin@network.test', isNetworkAdmin: true },
      }
      orgId = (await createOrganisation(ctx, owner, { name: 'Acme', type: 'manufacturer' })).id
      const product = await createProduct(ctx, owner, orgId, {
        name: 'Edge node',
        modelNumbers: ['EN-1'],
        deviceClass: 'gateway',
      })
      const version = async (v: string) =>
        (
          await createProductVersion(ctx, owner, orgId, product.id, {
            version: v,
            releaseDate: '2026-05-01',
          })
        ).id
      imageVersion = await version('1.0.0')
      goVersion = await version('2.0.0')
      for (const dir of [...OSV_DIRS, GO_RECORD]) {
        const result = await importAdvisories(ctx, {
          location: path.join(SHARED_DATA, dir),
          format: 'osv',
          triggeredBy: 'test',
        })
        expect(result.counts.failed, dir).toBe(0)
      }
      await uploadSbom(ctx, owner, orgId, imageVersion, {
        bytes: fs.readFileSync(path.join(SHARED_DATA, SBOM)),
        fileName: path.basename(SBOM),
      })
      await uploadSbom(ctx, owner, orgId, goVersion, { bytes: cycloneDx([XNET_OLD]) })
    }, 120_000)

    afterAll(async () => {
      await testDb?.destroy()
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
    })

    it('finds nothing across ecosystems: Debian’s openssl is not OSS-Fuzz’s pkg:generic/openssl', async () => {
      const summary = await evaluateProductVersion(ctx, imageVersion)
      console.log(
        `real data: ${summary.components} components of ${path.basename(SBOM)} evaluated against ${summary.candidates} candidate advisories`,
      )
      // The registered product and the SBOM's 366 components (373 packages, duplicates merged);
      // no candidate shares a package key with them.
      expect(summary).toMatchObject({ components: 367, candidates: 0, created: 0, open: 0 })
      expect((await listFindings(ctx, orgId, imageVersion, { state: 'all' })).total).toBe(0)
    })

    it('matches the real GO-2022-0969 record to an old golang.org/x/net', async () => {
      await evaluateProductVersion(ctx, goVersion)
      const { items } = await listFindings(ctx, orgId, goVersion)
      expect(
        items.map((f) => [f.advisory.id, f.status, f.confidence, f.reason.rule, f.fixedVersion]),
      ).toEqual([
        [
          'GO-2022-0969',
          'affected',
          'high',
          'OSV SEMVER introduced 0 fixed 0.0.0-20220906165146-f3363e06e74c',
          '0.0.0-20220906165146-f3363e06e74c',
        ],
      ])
      expect(items[0]!.cves).toEqual(['CVE-2022-27664'])
    })
  },
)
