import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bytesOf,
  csafIcsDocument,
  kevCatalogue,
  osvGoRecord,
  osvPypiRecord,
} from '../server/modules/advisories/testing.ts'
import { SNAPSHOT_FORMAT_VERSION } from '../server/modules/vulnerabilities/snapshot/snapshot-file.ts'
import type { ScanResult } from '../server/modules/vulnerabilities/snapshot/snapshot.service.ts'
import {
  SHARED_DATA,
  sharedDataPresent,
} from '../server/modules/vulnerabilities/versions/shared-data.testing.ts'
import { TEST_DIALECT } from '../server/testing/test-db.ts'
import { cliWorkspace, isn } from './testing.ts'

/**
 * GHSA-jfh8-c2jp-5v3q (CVE-2021-44228, "Log4Shell"): log4j-core JNDI lookups, rated critical;
 * the CVE is in CISA KEV. Ranges as published (trimmed to two).
 */
const log4jRecord = {
  schema_version: '1.4.0',
  id: 'GHSA-jfh8-c2jp-5v3q',
  modified: '2024-07-24T19:34:48Z',
  published: '2021-12-10T00:40:56Z',
  aliases: ['CVE-2021-44228'],
  summary: 'Remote code injection in Log4j',
  affected: [
    {
      package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' },
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '2.13.0' }, { fixed: '2.15.0' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '2.0-beta9' }, { fixed: '2.3.1' }] },
      ],
    },
  ],
  database_specific: { severity: 'CRITICAL' },
}

const cdxComponent = (ref: string, name: string, version?: string, extra = {}) => ({
  type: 'library',
  'bom-ref': ref,
  name,
  ...(version ? { version } : {}),
  ...extra,
})

const cycloneDx = (components: object[]) =>
  bytesOf({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: {
      component: { type: 'firmware', name: 'gateway-fw', version: '1.0.0', 'bom-ref': 'fw' },
    },
    components,
  })

/** Django 3.1.7 (PYSEC-2021-98, unrated), a Walchem Intuition 9 4.20 (ICSA-23-229-04, high). */
const GATEWAY_CDX = cycloneDx([
  cdxComponent('django', 'Django', '3.1.7', { purl: 'pkg:pypi/django@3.1.7' }),
  cdxComponent('intuition', 'Intuition 9', '4.20', {
    type: 'firmware',
    supplier: { name: 'Walchem' },
  }),
  cdxComponent('lodash', 'lodash', '4.17.21', { purl: 'pkg:npm/lodash@4.17.21' }),
  // No version anywhere: the engine cannot compare it, so the finding is "unknown".
  cdxComponent('django-unversioned', 'Django', undefined, { purl: 'pkg:pypi/Django' }),
])

const ONLY_UNVERSIONED_CDX = cycloneDx([
  cdxComponent('django-unversioned', 'Django', undefined, { purl: 'pkg:pypi/Django' }),
])

const spdxPackage = (id: string, name: string, version: string, purl: string) => ({
  SPDXID: `SPDXRef-${id}`,
  name,
  versionInfo: version,
  downloadLocation: 'NOASSERTION',
  externalRefs: [
    { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl },
  ],
})

/** golang.org/x/net before the fix (GO-2022-0969, unrated) and log4j-core 2.14.1 (critical, KEV). */
const SERVICE_SPDX = bytesOf({
  spdxVersion: 'SPDX-2.3',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'edge-service',
  documentNamespace: 'https://isn.example/spdx/edge-service-1.0.0',
  creationInfo: { created: '2026-05-01T10:00:00Z', creators: ['Tool: test'] },
  packages: [
    spdxPackage(
      'xnet',
      'golang.org/x/net',
      'v0.0.0-20220722155237-a158d28d115b',
      'pkg:golang/golang.org/x/net@v0.0.0-20220722155237-a158d28d115b',
    ),
    spdxPackage(
      'log4j',
      'log4j-core',
      '2.14.1',
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    ),
  ],
})

type Brief = [component: string, advisory: string, severity: string, kev: boolean]
const brief = (findings: ScanResult['findings']): Brief[] =>
  findings.map((f) => [f.component.key, f.advisory.id, f.severity, f.kev !== null])

describe(`isn advisories snapshot and isn sbom scan on ${TEST_DIALECT}`, () => {
  const workspace = cliWorkspace('sbom-scan')
  const { dir, env } = workspace
  const write = (name: string, content: Buffer | string) => {
    const at = path.join(dir, name)
    fs.mkdirSync(path.dirname(at), { recursive: true })
    fs.writeFileSync(at, content)
    return at
  }
  const snapshot = path.join(dir, 'out/advisories.snapshot')
  // The scan needs neither the database nor the server: only the SBOM and the snapshot.
  const offline = { PATH: process.env.PATH ?? '', DATA_DIR: path.join(dir, 'nowhere') }
  const scan = (sbom: string, ...args: string[]) =>
    isn(['sbom', 'scan', sbom, '--db', snapshot, ...args], offline)

  beforeAll(async () => {
    await workspace.create()
    write('feeds/pypi.json', bytesOf(osvPypiRecord()))
    write('feeds/go.json', bytesOf(osvGoRecord()))
    write('feeds/log4j.json', bytesOf(log4jRecord))
    write('feeds/icsa.json', bytesOf(csafIcsDocument()))
    write('feeds/kev.json', bytesOf(kevCatalogue('2025.08.25', '2025-08-25T12:00:00Z')))
    const imported = await isn(['advisories', 'import', path.join(dir, 'feeds')], env)
    expect(imported.stderr).not.toContain('error')
    expect(imported.code).toBe(0)
  }, 120_000)
  afterAll(() => workspace.destroy())

  it('builds a snapshot atomically and reports its counts, newest times and hash', async () => {
    const built = await isn(['advisories', 'snapshot', '--out', snapshot, '--json'], env)
    expect(built.stderr).not.toContain('error')
    expect(built.code).toBe(0)
    const summary = JSON.parse(built.stdout) as {
      file: string
      bytes: number
      meta: {
        formatVersion: number
        contentSha256: string
        counts: Record<string, number>
        newestModified: Record<string, string>
      }
    }
    expect(summary.file).toBe(snapshot)
    expect(summary.bytes).toBe(fs.statSync(snapshot).size)
    expect(summary.meta).toMatchObject({
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      counts: { osv: 3, csaf: 1, kev: 3, osvEntries: 4, csafLeaves: 2, csafVulnerabilities: 1 },
      newestModified: { osv: '2024-07-24T19:34:48.000Z' },
    })
    expect(summary.meta.contentSha256).toMatch(/^[0-9a-f]{64}$/)
    expect(fs.readdirSync(path.dirname(snapshot))).toEqual(['advisories.snapshot'])
    // The same data gives the same content hash.
    const again = await isn(['advisories', 'snapshot', '--out', snapshot, '--json'], env)
    expect(JSON.parse(again.stdout)).toMatchObject({
      meta: { contentSha256: summary.meta.contentSha256 },
    })
    const human = await isn(['advisories', 'snapshot'], env)
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^Snapshot .*data\/advisories\.snapshot: /)
    expect(human.stdout).toContain('OSV 3 records (4 affected entries), CSAF 1 documents')
  }, 120_000)

  it('scans a CycloneDX SBOM offline: exact findings, unknown ones apart, exit per --fail-on', async () => {
    const sbom = write('gateway.cdx.json', GATEWAY_CDX)
    const result = await scan(sbom, '--json', '--fail-on', 'none')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as ScanResult
    expect(brief(json.findings)).toEqual([
      ['intuition', 'ICSA-23-229-04', 'high', false],
      ['django', 'PYSEC-2021-98', 'unrated', false],
    ])
    expect(json.findings[0]).toMatchObject({
      component: { key: 'intuition', name: 'Intuition 9', version: '4.20', purl: null },
      advisory: { source: 'csaf', id: 'ICSA-23-229-04' },
      cves: ['CVE-2023-38422'],
      status: 'affected',
      cvssScore: 7.5,
      fixedVersion: '4.21',
      reason: { matchedBy: 'vendor_product', rule: 'CSAF product_version_range < 4.21' },
    })
    expect(json.findings[1]).toMatchObject({
      component: { purl: 'pkg:pypi/django@3.1.7' },
      cves: ['CVE-2021-31542'],
      confidence: 'high',
      fixedVersion: '3.1.9',
      reason: {
        matchedBy: 'purl',
        key: 'pkg:pypi/django',
        rule: 'OSV ECOSYSTEM introduced 3.1 fixed 3.1.9',
      },
    })
    expect(brief(json.unknown)).toEqual([['django-unversioned', 'PYSEC-2021-98', 'unrated', false]])
    expect(json.unknown[0]).toMatchObject({ status: 'unknown', reachesThreshold: false })
    expect(json.summary).toEqual({
      affected: 2,
      unknown: 1,
      bySeverity: { unrated: 1, low: 0, medium: 0, high: 1, critical: 0 },
      kev: 0,
      atOrAboveThreshold: 0,
      failed: false,
    })
    expect(json.sbom).toMatchObject({ format: 'cyclonedx', specVersion: '1.5', components: 5 })
    expect(json.snapshot.sha256).toMatch(/^[0-9a-f]{64}$/)

    const codes: Record<string, number | null> = {}
    for (const threshold of ['none', 'low', 'medium', 'high', 'critical', 'kev']) {
      codes[threshold] = (await scan(sbom, '--fail-on', threshold)).code
    }
    // The unrated Django finding counts as low; the high CSAF one reaches medium and high.
    expect(codes).toEqual({ none: 0, low: 1, medium: 1, high: 1, critical: 0, kev: 0 })

    const table = await scan(sbom)
    expect(table.code).toBe(1)
    const lines = table.stdout.split('\n')
    expect(lines[0]).toMatch(/gateway\.cdx\.json: cyclonedx 1\.5, 5 components$/)
    expect(lines[3]).toMatch(
      /^COMPONENT +VERSION +ADVISORY +CVES +SEVERITY +KEV +FIXED IN +CONFIDENCE +WHY$/,
    )
    expect(lines[4]).toMatch(
      /^Intuition 9 +4\.20 +ICSA-23-229-04 +CVE-2023-38422 +high +- +4\.21 +\w+ +vendor_product /,
    )
    expect(lines[5]).toMatch(
      /^Django +3\.1\.7 +PYSEC-2021-98 +CVE-2021-31542 +unrated +- +3\.1\.9 +high +purl pkg:pypi\/django: OSV ECOSYSTEM/,
    )
    expect(table.stdout).toContain('Needs review (status unknown')
    expect(table.stdout).toContain(
      '2 affected (1 high, 1 unrated), 0 known exploited, 1 to review; 2 at or above --fail-on low: FAILED.',
    )
  }, 120_000)

  it('scans an SPDX SBOM: a critical KEV finding fails every threshold but none', async () => {
    const sbom = write('service.spdx.json', SERVICE_SPDX)
    const result = await scan(sbom, '--json', '--fail-on', 'kev')
    expect(result.code).toBe(1)
    const json = JSON.parse(result.stdout) as ScanResult
    expect(brief(json.findings)).toEqual([
      ['SPDXRef-log4j', 'GHSA-jfh8-c2jp-5v3q', 'critical', true],
      ['SPDXRef-xnet', 'GO-2022-0969', 'unrated', false],
    ])
    expect(json.findings[0]).toMatchObject({
      cves: ['CVE-2021-44228'],
      fixedVersion: '2.15.0',
      kev: { cve: 'CVE-2021-44228', dateAdded: '2021-11-03', dueDate: '2021-11-17' },
      reachesThreshold: true,
    })
    expect(json.findings[1]).toMatchObject({
      fixedVersion: '0.0.0-20220906165146-f3363e06e74c',
      reachesThreshold: false,
    })
    expect(json.summary).toMatchObject({ affected: 2, unknown: 0, kev: 1, failed: true })
    const codes: Record<string, number | null> = {}
    for (const threshold of ['none', 'low', 'medium', 'high', 'critical', 'kev']) {
      codes[threshold] = (await scan(sbom, '--fail-on', threshold)).code
    }
    expect(codes).toEqual({ none: 0, low: 1, medium: 1, high: 1, critical: 1, kev: 1 })
  }, 120_000)

  it('fails on unknown findings only with --include-unknown', async () => {
    const sbom = write('unversioned.cdx.json', ONLY_UNVERSIONED_CDX)
    expect((await scan(sbom)).code).toBe(0)
    const strict = await scan(sbom, '--include-unknown', '--json')
    expect(strict.code).toBe(1)
    expect(JSON.parse(strict.stdout)).toMatchObject({
      findings: [],
      unknown: [{ advisory: { id: 'PYSEC-2021-98' }, reachesThreshold: true }],
      summary: { unknown: 1, atOrAboveThreshold: 1, failed: true },
    })
  }, 120_000)

  it('exits 2 naming the file and JSON pointer for a schema-invalid SBOM, or a missing one', async () => {
    const bad = write(
      'bad.cdx.json',
      cycloneDx([{ type: 'library', 'bom-ref': 'x', version: '1.0' }]),
    )
    const result = await scan(bad)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`error: ${bad} is not valid CycloneDX 1.5 JSON`)
    expect(result.stderr).toMatch(/ {2}\/components\/0: .*name/)
    const missing = await scan(path.join(dir, 'nope.json'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('No such SBOM file')
    const usage = await scan(bad, '--fail-on', 'severe')
    expect(usage.code).toBe(2)
  }, 120_000)

  it('exits 3 for a missing, foreign, truncated or garbage snapshot', async () => {
    const sbom = write('gateway2.cdx.json', GATEWAY_CDX)
    const run = (db: string) => isn(['sbom', 'scan', sbom, '--db', db], offline)

    const missing = await run(path.join(dir, 'none.snapshot'))
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/^error: No advisory snapshot at .*none\.snapshot; build one/)

    const garbage = await run(write('garbage.snapshot', 'not a database at all, just text\n'))
    expect(garbage.code).toBe(3)
    expect(garbage.stderr).toContain('is not a readable advisory snapshot')

    const bytes = fs.readFileSync(snapshot)
    const truncated = await run(write('truncated.snapshot', bytes.subarray(0, bytes.length - 4096)))
    expect(truncated.code).toBe(3)
    expect(truncated.stderr).toMatch(
      /truncated\.snapshot (is damaged|is not a readable advisory snapshot)/,
    )

    // Another SQLite database (the platform's own, on SQLite) is not a snapshot.
    const other = write('other.snapshot', Buffer.alloc(0))
    fs.rmSync(other)
    const { default: SQLite } = await import('better-sqlite3')
    const db = new SQLite(other)
    db.exec('create table t (x)')
    db.close()
    const foreign = await run(other)
    expect(foreign.code).toBe(3)
    expect(foreign.stderr).toContain('is a SQLite database but not an advisory snapshot')

    // The default place is DATA_DIR/advisories.snapshot.
    const fallback = await isn(['sbom', 'scan', sbom], offline)
    expect(fallback.code).toBe(3)
    expect(fallback.stderr).toContain(path.join(dir, 'nowhere/advisories.snapshot'))
  })
})

const SBOMS = 'iot-image-sboms'
const OSS_FUZZ = 'google-oss-fuzz-vulns/vulns'

describe.runIf(
  sharedDataPresent(SBOMS, 'the real-data scan') &&
    sharedDataPresent(OSS_FUZZ, 'the real-data scan'),
)(`isn sbom scan of a real IoT image SBOM against real OSV records on ${TEST_DIALECT}`, () => {
  const workspace = cliWorkspace('sbom-scan-real')
  const { dir, env } = workspace
  const snapshot = path.join(dir, 'real.snapshot')
  // A sample of the corpus: the OSS-Fuzz records of projects the Debian image ships as packages.
  const projects = ['curl', 'openssl', 'gnupg', 'util-linux', 'systemd', 'libssh2', 'zstd']

  beforeAll(async () => {
    await workspace.create()
    const feeds = path.join(dir, 'feeds')
    fs.mkdirSync(feeds, { recursive: true })
    for (const project of projects) {
      const from = path.join(SHARED_DATA, OSS_FUZZ, project)
      for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(feeds, f))
    }
    const imported = await isn(['advisories', 'import', feeds, '--format', 'osv'], env)
    expect(imported.code).toBe(0)
    const built = await isn(['advisories', 'snapshot', '--out', snapshot, '--json'], env)
    expect(built.code).toBe(0)
    expect(JSON.parse(built.stdout)).toMatchObject({
      meta: { counts: { osv: 73, osvEntries: 73 } },
    })
  }, 180_000)
  afterAll(() => workspace.destroy())

  it('scans the syft SBOM of the BeagleBone Debian image: no false matches across ecosystems', async () => {
    const sbom = path.join(
      SHARED_DATA,
      SBOMS,
      'spdx-syft-balenalib_beaglebone-black-debian-node.spdx.json',
    )
    const result = await isn(['sbom', 'scan', sbom, '--db', snapshot, '--json'], {
      PATH: process.env.PATH ?? '',
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as ScanResult
    expect(json.sbom).toMatchObject({ format: 'spdx', specVersion: '2.3', components: 366 })
    // The image lists curl, openssl, gnupg … as Debian packages (pkg:deb/debian/…); OSS-Fuzz
    // records name upstream projects (pkg:generic/…, GIT ranges). Different packages to OSV, so
    // no finding — as the server's engine answers for the same SBOM.
    expect(json.findings).toEqual([])
    expect(json.unknown).toEqual([])
    expect(json.sbom.warnings).toEqual([])
  })

  it('scans a trivy SPDX 2.2 SBOM and names where it departs from its schema', async () => {
    const sbom = path.join(
      SHARED_DATA,
      SBOMS,
      'spdx-trivy-balenalib_am571x-evm-alpine-node.spdx.json',
    )
    const env = { PATH: process.env.PATH ?? '' }
    const result = await isn(['sbom', 'scan', sbom, '--db', snapshot, '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    const json = JSON.parse(result.stdout) as ScanResult
    expect(json.sbom).toMatchObject({ format: 'spdx', specVersion: '2.2' })
    expect(json.sbom.warnings).toContainEqual({
      pointer: '/packages/0',
      message: expect.stringMatching(
        /packages leave out downloadLocation, which SPDX 2\.2 requires/,
      ),
    })
    const table = await isn(['sbom', 'scan', sbom, '--db', snapshot], env)
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(
      new RegExp(
        `Accepted with ${json.sbom.warnings.length} warnings: the file departs from its schema`,
      ),
    )
    expect(table.stdout).toContain('  /packages/0: ')
  })
})
