import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ctx } from '../../../kernel/context.ts'
import { createTestContext } from '../../../testing/test-app.ts'
import type { TestDb } from '../../../testing/test-db.ts'
import { csafCandidates, kevByCves, osvCandidates } from '../../advisories/advisories.candidates.ts'
import { importAdvisories } from '../../advisories/advisories.service.ts'
import {
  bytesOf,
  csafIcsDocument,
  kevCatalogue,
  osvGoRecord,
  osvPypiRecord,
} from '../../advisories/testing.ts'
import {
  candidateKeys,
  matchComponents,
  productLookups,
  type EngineComponent,
} from '../matching/engine.ts'
import { SNAPSHOT_FORMAT_VERSION } from './snapshot-file.ts'
import {
  buildSnapshot,
  openSnapshot,
  reachesThreshold,
  scanSbom,
  type FailOn,
} from './snapshot.service.ts'

let ctx: Ctx
let testDb: TestDb
let dir: string

const components: EngineComponent[] = [
  { key: 'django', name: 'Django', version: '3.1.7', purl: 'pkg:pypi/django@3.1.7', cpes: [] },
  { key: 'django-old', name: 'Django', version: '2.2.1', purl: 'pkg:pypi/Django@2.2.1', cpes: [] },
  { key: 'django-new', name: 'Django', version: '3.2.0', purl: 'pkg:pypi/django@3.2.0', cpes: [] },
  {
    key: 'xnet',
    name: 'golang.org/x/net',
    version: 'v0.0.0-20220722155237-a158d28d115b',
    purl: 'pkg:golang/golang.org/x/net@v0.0.0-20220722155237-a158d28d115b',
    cpes: [],
  },
  { key: 'stdlib', name: 'stdlib', version: '1.19.0', purl: 'pkg:golang/stdlib@1.19.0', cpes: [] },
  { key: 'intuition', name: 'Intuition 9', version: '4.20', supplier: 'Walchem Corp.', cpes: [] },
  { key: 'intuition-new', name: 'Intuition 9', version: '4.21', supplier: 'Walchem', cpes: [] },
  { key: 'intuition-odd', name: 'Intuition 9', version: 'beta', supplier: 'Walchem', cpes: [] },
]

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-snapshot-'))
  ;({ ctx, testDb } = await createTestContext({ dataDir: path.join(dir, 'data') }))
  const feeds = path.join(dir, 'feeds')
  fs.mkdirSync(feeds)
  fs.writeFileSync(path.join(feeds, 'pypi.json'), bytesOf(osvPypiRecord()))
  fs.writeFileSync(path.join(feeds, 'go.json'), bytesOf(osvGoRecord()))
  fs.writeFileSync(path.join(feeds, 'icsa.json'), bytesOf(csafIcsDocument()))
  fs.writeFileSync(
    path.join(feeds, 'kev.json'),
    bytesOf(
      kevCatalogue('2025.08.25', '2025-08-25T12:00:00Z', [
        { cveID: 'CVE-2022-27664', vendorProject: 'Go', product: 'net/http' },
      ]),
    ),
  )
  await importAdvisories(ctx, { location: feeds, format: 'auto', triggeredBy: 'test' })
})

afterAll(async () => {
  await testDb.destroy()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('the offline snapshot', () => {
  it('gives the same findings as the server’s candidate reader for the same components', async () => {
    const file = path.join(dir, 'a.snapshot')
    const built = await buildSnapshot(ctx, { file })
    expect(built.meta.counts).toMatchObject({ osv: 2, csaf: 1, kev: 1 })

    const keys = candidateKeys(components)
    const osv = await osvCandidates(ctx, keys)
    const csaf = await csafCandidates(ctx, keys)
    const cves = [...osv, ...csaf].flatMap((a) => [a.advisoryId, ...a.aliases])
    for (const c of csaf) for (const v of c.vulnerabilities) if (v.cve) cves.push(v.cve)
    const kev = await kevByCves(
      ctx,
      cves.filter((id) => /^CVE-/i.test(id)),
    )
    const server = matchComponents(components, { osv, csaf, kev })

    const snapshot = await openSnapshot(file)
    try {
      const offline = matchComponents(components, snapshot.candidates(keys))
      expect(offline).toEqual(server)
      // Reading only the CSAF leaves the components' names can find gives the same findings.
      const lookups = productLookups(components)
      expect(lookups.length).toBeGreaterThan(0)
      const narrowed = snapshot.candidates(keys, lookups)
      expect(matchComponents(components, narrowed)).toEqual(server)
      expect(narrowed.csaf.flatMap((c) => c.leaves).length).toBeLessThanOrEqual(
        snapshot.candidates(keys).csaf.flatMap((c) => c.leaves).length,
      )
      expect(offline.map((f) => [f.componentKey, f.advisoryId, f.status, f.kev?.cve])).toEqual([
        ['django', 'PYSEC-2021-98', 'affected', undefined],
        ['django-old', 'PYSEC-2021-98', 'affected', undefined],
        ['xnet', 'GO-2022-0969', 'affected', 'CVE-2022-27664'],
        ['stdlib', 'GO-2022-0969', 'affected', 'CVE-2022-27664'],
        ['intuition', 'ICSA-23-229-04', 'affected', undefined],
        ['intuition-odd', 'ICSA-23-229-04', 'unknown', undefined],
      ])
    } finally {
      snapshot.close()
    }
  })

  it('hashes content, not ids: a rebuild gives the same hash, and replaces the file atomically', async () => {
    const file = path.join(dir, 'b.snapshot')
    const first = await buildSnapshot(ctx, { file })
    const second = await buildSnapshot(ctx, { file })
    expect(second.meta.contentSha256).toBe(first.meta.contentSha256)
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('b.snapshot'))).toEqual(['b.snapshot'])
  })

  it('refuses a snapshot of another format version and says to rebuild it', async () => {
    const file = path.join(dir, 'old.snapshot')
    await buildSnapshot(ctx, { file })
    const { default: SQLite } = await import('better-sqlite3')
    const db = new SQLite(file)
    db.pragma(`user_version = ${SNAPSHOT_FORMAT_VERSION - 1}`)
    db.close()
    await expect(openSnapshot(file)).rejects.toThrow(
      new RegExp(`format version ${SNAPSHOT_FORMAT_VERSION - 1}.*Rebuild it`),
    )
  })

  it('scans SBOM bytes: parse, load by key, match, threshold', async () => {
    const file = path.join(dir, 'a.snapshot')
    const snapshot = await openSnapshot(file)
    try {
      const sbom = Buffer.from(
        JSON.stringify({
          bomFormat: 'CycloneDX',
          specVersion: '1.6',
          version: 1,
          components: [
            {
              type: 'library',
              'bom-ref': 'x',
              name: 'golang.org/x/net',
              version: 'v0.0.0-20220722155237-a158d28d115b',
              purl: 'pkg:golang/golang.org/x/net@v0.0.0-20220722155237-a158d28d115b',
            },
          ],
        }),
      )
      const result = scanSbom(
        snapshot,
        { bytes: sbom, fileName: 'x.json', snapshotFile: file },
        { failOn: 'kev', includeUnknown: false },
      )
      expect(result.findings.map((f) => [f.advisory.id, f.kev?.cve, f.reachesThreshold])).toEqual([
        ['GO-2022-0969', 'CVE-2022-27664', true],
      ])
      expect(result.summary.failed).toBe(true)
    } finally {
      snapshot.close()
    }
  })
})

describe('thresholds', () => {
  it('ranks unrated as low, and kev only by KEV', () => {
    const levels: FailOn[] = ['none', 'low', 'medium', 'high', 'critical', 'kev']
    const reach = (severity: string | null, kev: unknown) =>
      levels.filter((l) => reachesThreshold({ severity, kev }, l))
    expect(reach(null, null)).toEqual(['low'])
    expect(reach('moderate', null)).toEqual(['low'])
    expect(reach('medium', null)).toEqual(['low', 'medium'])
    expect(reach('CRITICAL', null)).toEqual(['low', 'medium', 'high', 'critical'])
    expect(reach('low', { cve: 'CVE-1' })).toEqual(['low', 'kev'])
  })
})
