import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Finding } from '../../../../common/api/findings.ts'
import type { Actor } from '../../../kernel/actor.ts'
import type { Ctx } from '../../../kernel/context.ts'
import { createAdmin, createTestContext } from '../../../testing/test-app.ts'
import { TEST_DIALECT, type TestDb } from '../../../testing/test-db.ts'
import { importAdvisories } from '../../advisories/advisories.service.ts'
import { createOrganisation } from '../../organisations/organisations.service.ts'
import { createProduct, createProductVersion } from '../../products/products.service.ts'
import { uploadSbom } from '../../sboms/sboms.service.ts'
import { listTriagedFindings, uploadVex } from '../../vex/vex.service.ts'
import {
  SHARED_DATA,
  sharedDataPresent,
} from '../../vulnerabilities/versions/shared-data.testing.ts'
import { evaluateProductVersion, listFindings } from '../findings.service.ts'

/**
 * Golden results: real advisories from ../shared/data (read in place) against SBOMs, with the
 * findings expected from reading each advisory (expected.json, a "why" per line), not from running
 * the engine. The engine's precision and recall against the file are printed; any disagreement
 * fails the test with the list.
 */

interface Expectation {
  component: string
  advisory: string
  status: 'affected' | 'unknown' | 'not_affected'
  fixedVersion?: string
  cves?: string[]
  why: string
}

interface Pair {
  name: string
  sbom: string
  advisories: string[]
  expected: Expectation[]
  vex?: {
    file: string
    expected: {
      component: string
      advisory: string
      triage: string
      justification: string
      suppressed: boolean
      why: string
    }[]
  }
}

const HERE = path.dirname(new URL(import.meta.url).pathname)
const GOLDEN = JSON.parse(fs.readFileSync(path.join(HERE, 'expected.json'), 'utf8')) as {
  pairs: Pair[]
}

/**
 * GHSA-288c-cq4h-88gq (CVE-2020-25649, jackson-databind XXE) as published, its 2.10 branch only:
 * the advisory the CycloneDX VEX example speaks about. The shared corpora have no Maven records.
 */
const JACKSON_RECORD = {
  schema_version: '1.4.0',
  id: 'GHSA-288c-cq4h-88gq',
  modified: '2021-01-07T00:00:00Z',
  published: '2020-12-07T00:00:00Z',
  aliases: ['CVE-2020-25649'],
  summary: 'XML External Entity (XXE) Injection in jackson-databind',
  affected: [
    {
      package: {
        ecosystem: 'Maven',
        name: 'com.fasterxml.jackson.core:jackson-databind',
        purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
      },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.10.0' }, { fixed: '2.10.5.1' }] }],
    },
  ],
}

const IOT_SBOMS = [
  'iot-image-sboms/spdx-syft-balenalib_am571x-evm-alpine-node.spdx.json',
  'iot-image-sboms/spdx-syft-balenalib_apalis-imx6q-debian-node.spdx.json',
  'iot-image-sboms/spdx-syft-balenalib_beaglebone-black-debian-node.spdx.json',
]
const OSV_CORPORA = [
  'golang-vulndb/data/osv',
  'pypa-advisory-database/vulns',
  'google-oss-fuzz-vulns/vulns',
]

type Owner = { actor: Extract<Actor, { type: 'user' }> }

async function setUp(ctx: Ctx): Promise<{ owner: Owner; orgId: string; productId: string }> {
  await createAdmin(ctx)
  const user = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'admin@network.test')
    .executeTakeFirstOrThrow()
  const owner: Owner = {
    actor: { type: 'user', userId: user.id, email: 'admin@network.test', isNetworkAdmin: true },
  }
  const org = await createOrganisation(ctx, owner, {
    name: 'Golden Integrator',
    type: 'manufacturer',
  })
  const product = await createProduct(ctx, owner, org.id, {
    name: 'Site controller',
    modelNumbers: ['SC-1'],
    deviceClass: 'gateway',
  })
  return { owner, orgId: org.id, productId: product.id }
}

async function importAll(ctx: Ctx, locations: string[], format: 'osv' | 'csaf') {
  for (const location of locations) {
    const result = await importAdvisories(ctx, { location, format, triggeredBy: 'test' })
    expect(result.counts.failed, location).toBe(0)
  }
}

const key = (component: string, advisory: string) => `${component} × ${advisory}`

/** Compares the engine's open findings with the expectations: true/false positives, misses. */
function score(pair: Pair, findings: Finding[]) {
  const byKey = new Map(findings.map((f) => [key(f.component.key, f.advisory.id), f]))
  const listed = new Set(pair.expected.map((e) => key(e.component, e.advisory)))
  const disagreements: string[] = []
  let tp = 0
  let fp = 0
  let fn = 0
  for (const e of pair.expected) {
    const f = byKey.get(key(e.component, e.advisory))
    const got = f?.status ?? 'not_affected'
    if (e.status === 'not_affected') {
      if (f) {
        fp++
        disagreements.push(`${key(e.component, e.advisory)}: expected no finding, got ${got}`)
      }
      continue
    }
    if (got !== e.status) {
      fn++
      if (f) fp++
      disagreements.push(`${key(e.component, e.advisory)}: expected ${e.status}, got ${got}`)
      continue
    }
    tp++
    if (e.fixedVersion !== undefined && f?.fixedVersion !== e.fixedVersion) {
      disagreements.push(
        `${key(e.component, e.advisory)}: fixed ${e.fixedVersion} expected, got ${f?.fixedVersion ?? 'none'}`,
      )
    }
    if (e.cves && JSON.stringify(f?.cves) !== JSON.stringify(e.cves)) {
      disagreements.push(`${key(e.component, e.advisory)}: CVEs ${JSON.stringify(f?.cves)}`)
    }
  }
  for (const f of findings) {
    if (!listed.has(key(f.component.key, f.advisory.id))) {
      fp++
      disagreements.push(`${key(f.component.key, f.advisory.id)}: unexpected ${f.status}`)
    }
  }
  return { tp, fp, fn, disagreements }
}

const needed = [
  ...GOLDEN.pairs.flatMap((p) => p.advisories.map((a) => a.split('/')[0]!)),
  'CycloneDX-bom-examples',
  'iot-image-sboms',
]
const present = [...new Set(needed)].every((dir) => sharedDataPresent(dir, 'the golden findings'))

describe.runIf(present)('golden findings: real advisories × SBOMs', () => {
  let ctx: Ctx
  let testDb: TestDb
  let dataDir: string
  let owner: Owner
  let orgId: string
  const versions = new Map<string, string>()
  const totals = { tp: 0, fp: 0, fn: 0, pairs: 0, expectations: 0 }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-golden-'))
    ;({ ctx, testDb } = await createTestContext({ dataDir }))
    const set = await setUp(ctx)
    owner = set.owner
    orgId = set.orgId
    for (const [i, pair] of GOLDEN.pairs.entries()) {
      const locations = pair.advisories.map((a) => path.join(SHARED_DATA, a))
      await importAll(
        ctx,
        locations.filter((l) => l.includes('cisagov-CSAF')),
        'csaf',
      )
      await importAll(
        ctx,
        locations.filter((l) => !l.includes('cisagov-CSAF')),
        'osv',
      )
      const version = await createProductVersion(ctx, owner, orgId, set.productId, {
        version: `golden-${i + 1}`,
        releaseDate: '2026-11-01',
      })
      versions.set(pair.name, version.id)
    }
    const jackson = path.join(dataDir, 'GHSA-288c-cq4h-88gq.json')
    fs.writeFileSync(jackson, JSON.stringify(JACKSON_RECORD))
    await importAll(ctx, [jackson], 'osv')
    for (const pair of GOLDEN.pairs) {
      await uploadSbom(ctx, owner, orgId, versions.get(pair.name)!, {
        bytes: fs.readFileSync(path.join(HERE, pair.sbom)),
        fileName: pair.sbom,
      })
    }
  }, 120_000)

  afterAll(async () => {
    await testDb?.destroy()
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
  })

  for (const pair of GOLDEN.pairs) {
    it(`${pair.name}: the findings the advisories describe, and no others`, async () => {
      const versionId = versions.get(pair.name)!
      await evaluateProductVersion(ctx, versionId)
      const { items, total } = await listFindings(ctx, orgId, versionId, { limit: 500 })
      expect(items.length).toBe(total)
      const result = score(pair, items)
      totals.tp += result.tp
      totals.fp += result.fp
      totals.fn += result.fn
      totals.pairs++
      totals.expectations += pair.expected.length
      expect(result.disagreements).toEqual([])
    })
  }

  for (const pair of GOLDEN.pairs.filter((p) => p.vex)) {
    it(`${pair.name}: the CycloneDX VEX example suppresses the finding it speaks about`, async () => {
      const versionId = versions.get(pair.name)!
      await evaluateProductVersion(ctx, versionId)
      const vex = pair.vex!
      const result = await uploadVex(ctx, owner, orgId, versionId, {
        bytes: fs.readFileSync(path.join(SHARED_DATA, vex.file)),
        fileName: path.basename(vex.file),
      })
      expect(result.unresolved).toEqual([])
      const { items } = await listTriagedFindings(ctx, orgId, versionId)
      const triaged = items
        .filter((f) => f.triage)
        .map((f) => ({
          component: f.component.key,
          advisory: f.advisoryId,
          triage: f.triage!.state,
          justification: f.triage!.justification,
          suppressed: f.suppressed,
        }))
      expect(triaged).toEqual(vex.expected.map(({ why: _why, ...rest }) => rest))
    })
  }

  it('reports precision and recall against the golden file', () => {
    expect(totals.pairs).toBe(GOLDEN.pairs.length)
    const precision = totals.tp / (totals.tp + totals.fp)
    const recall = totals.tp / (totals.tp + totals.fn)
    console.log(
      `golden: ${totals.pairs} pairs, ${totals.expectations} expectations — ${totals.tp} true positives, ${totals.fp} false positives, ${totals.fn} missed; precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`,
    )
    expect(totals.tp).toBeGreaterThan(0)
  })
})

// Importing the three whole corpora takes minutes on PostgreSQL on a shared machine; the pairs
// above run the same candidate queries there, so the whole-corpus fact runs in the SQLite project
// (and is not defined in the PostgreSQL one, which therefore reports no skipped test).
if (TEST_DIALECT === 'sqlite') {
  describe.runIf(present)(
    'golden fact: the real IoT image SBOMs share no package with the Go, PyPI and OSS-Fuzz corpora',
    () => {
      let ctx: Ctx
      let testDb: TestDb
      let dataDir: string

      beforeAll(async () => {
        dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-golden-iot-'))
        ;({ ctx, testDb } = await createTestContext({ dataDir }))
        await importAll(
          ctx,
          OSV_CORPORA.map((c) => path.join(SHARED_DATA, c)),
          'osv',
        )
      }, 600_000)

      afterAll(async () => {
        await testDb?.destroy()
        if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
      })

      it('finds nothing for any of them: their purls are deb, apk, npm and generic/node', async () => {
        const { owner, orgId, productId } = await setUp(ctx)
        const counts: string[] = []
        for (const [i, sbom] of IOT_SBOMS.entries()) {
          const version = await createProductVersion(ctx, owner, orgId, productId, {
            version: `image-${i + 1}`,
            releaseDate: '2026-11-01',
          })
          await uploadSbom(ctx, owner, orgId, version.id, {
            bytes: fs.readFileSync(path.join(SHARED_DATA, sbom)),
            fileName: path.basename(sbom),
          })
          const summary = await evaluateProductVersion(ctx, version.id)
          counts.push(`${path.basename(sbom)}: ${summary.components} components`)
          expect(summary.components).toBeGreaterThan(100)
          expect({ candidates: summary.candidates, open: summary.open }).toEqual({
            candidates: 0,
            open: 0,
          })
        }
        console.log(`golden IoT: ${counts.join('; ')} — 0 findings each`)
      })
    },
  )
}
