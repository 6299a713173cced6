import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAdvisorySources } from '../../config.ts'
import { createTestContext } from '../../testing/test-app.ts'
import type { Ctx } from '../../kernel/context.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { SHARED_DATA, sharedDataPresent } from '../vulnerabilities/versions/shared-data.testing.ts'
import {
  advisoryChangesSince,
  countStoredAdvisories,
  findAdvisories,
  getAdvisory,
  getAdvisoryImport,
  importAdvisories,
  listAdvisoryImports,
} from './advisories.service.ts'
import {
  bytesOf,
  csafIcsDocument,
  kevCatalogue,
  KEV_ENTRIES,
  osvGoRecord,
  osvPypiRecord,
} from './testing.ts'

let ctx: Ctx
let clock: ManualClock
let testDb: TestDb
let dir: string

const write = (relative: string, value: unknown) => {
  const file = path.join(dir, relative)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(
    file,
    typeof value === 'string' || Buffer.isBuffer(value) ? value : bytesOf(value),
  )
  return file
}

const run = (location: string, format: 'auto' | 'osv' | 'csaf' | 'kev' = 'auto') =>
  importAdvisories(ctx, { location, format, triggeredBy: 'test' })

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-advisories-'))
  ;({ ctx, clock, testDb } = await createTestContext({ dataDir: path.join(dir, 'data') }))
})

afterAll(async () => {
  await testDb.destroy()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('importing a directory', () => {
  let first: Awaited<ReturnType<typeof run>>

  beforeAll(async () => {
    write('mixed/go/GO-2022-0969.json', osvGoRecord())
    write('mixed/pypi/PYSEC-2021-98.json', osvPypiRecord())
    write('mixed/csaf/icsa-23-229-04.json', csafIcsDocument())
    write('mixed/kev.json', kevCatalogue('2025.08.20', '2025-08-20T12:00:00.000Z'))
    write('mixed/broken.json', '{"id": "GO-2024-0001", "modified": ')
    write('mixed/notes.txt', 'not read: only *.json files are')
    first = await run(path.join(dir, 'mixed'))
  })

  it('stores every good record and reports the bad file with its path', () => {
    expect(first.status).toBe('partial')
    expect(first.sourceKind).toBe('directory')
    expect(first.counts).toMatchObject({
      filesRead: 5,
      new: 6,
      changed: 0,
      unchanged: 0,
      failed: 1,
    })
    expect(first.problems).toEqual([
      { path: 'broken.json', pointer: '', message: expect.stringMatching(/^not valid JSON/) },
    ])
  })

  it('records the import in the history with its counts and problems', async () => {
    const [latest] = await listAdvisoryImports(ctx)
    expect(latest).toMatchObject({
      id: first.importId,
      status: 'partial',
      triggeredBy: 'test',
      counts: { new: 6, failed: 1 },
    })
    expect((await getAdvisoryImport(ctx, first.importId)).problems).toHaveLength(1)
  })

  it('finds the OSV, CSAF and KEV records by CVE', async () => {
    expect((await findAdvisories(ctx, 'CVE-2022-27664')).map((a) => a.id)).toEqual(['GO-2022-0969'])
    expect((await findAdvisories(ctx, 'cve-2023-38422')).map((a) => [a.source, a.id])).toEqual([
      ['csaf', 'ICSA-23-229-04'],
    ])
    const kev = await getAdvisory(ctx, 'kev', 'CVE-2021-44228', { raw: true })
    expect(kev).toMatchObject({ kev: { vendorProject: 'Apache', catalogVersion: '2025.08.20' } })
    expect(kev.raw).toMatchObject({ cveID: 'CVE-2021-44228' })
    const csaf = await getAdvisory(ctx, 'csaf', 'ICSA-23-229-04')
    expect(csaf).toMatchObject({
      severity: 'high',
      products: [
        {
          productId: 'CSAFPID-0001',
          vendor: 'Walchem',
          versionRange: '< 4.21',
          modelNumbers: ['W900'],
        },
        { productId: 'CSAFPID-0002', version: '4.21' },
      ],
      vulnerabilities: [
        { cve: 'CVE-2023-38422', statuses: [{ status: 'known_affected' }, { status: 'fixed' }] },
      ],
    })
  })

  it('keeps the normalised keys the matcher looks up', async () => {
    const affected = await ctx.db
      .selectFrom('advisory_osv_affected')
      .select(['ecosystem_base', 'package_key', 'purl_type', 'purl_namespace', 'purl_name'])
      .orderBy('package_key')
      .execute()
    expect(affected).toEqual([
      {
        ecosystem_base: 'PyPI',
        package_key: 'django',
        purl_type: 'pypi',
        purl_namespace: '',
        purl_name: 'django',
      },
      {
        ecosystem_base: 'Go',
        package_key: 'golang.org/x/net',
        purl_type: null,
        purl_namespace: null,
        purl_name: null,
      },
      {
        ecosystem_base: 'Go',
        package_key: 'stdlib',
        purl_type: null,
        purl_namespace: null,
        purl_name: null,
      },
    ])
    const products = await ctx.db
      .selectFrom('advisory_csaf_products')
      .select(['vendor_norm', 'product_norm'])
      .where('vendor_norm', '=', 'walchem')
      .execute()
    expect(products).toHaveLength(2)
  })

  it('changes nothing when the same data is imported again', async () => {
    const { nextSeq } = await advisoryChangesSince(ctx, 0)
    const again = await run(path.join(dir, 'mixed'))
    expect(again.counts).toMatchObject({ new: 0, changed: 0, unchanged: 6, failed: 1 })
    expect((await advisoryChangesSince(ctx, nextSeq)).changes).toEqual([])
  })

  it('re-processes only the changed record and lists it in the change set', async () => {
    const { nextSeq } = await advisoryChangesSince(ctx, 0)
    clock.advance(60_000)
    write(
      'mixed/go/GO-2022-0969.json',
      osvGoRecord({ modified: '2024-06-01T00:00:00Z', summary: 'Changed' }),
    )
    const result = await run(path.join(dir, 'mixed'))
    expect(result.counts).toMatchObject({ new: 0, changed: 1, unchanged: 5 })
    const { changes } = await advisoryChangesSince(ctx, nextSeq)
    expect(changes.map((c) => [c.change, c.advisory.id, c.importId])).toEqual([
      ['changed', 'GO-2022-0969', result.importId],
    ])
  })

  it('keeps the stored record when an older version comes in', async () => {
    const older = write(
      'older/GO-2022-0969.json',
      osvGoRecord({ modified: '2023-01-01T00:00:00Z' }),
    )
    const result = await run(older, 'osv')
    expect(result.counts).toMatchObject({ stale: 1, changed: 0 })
    expect((await getAdvisory(ctx, 'osv', 'GO-2022-0969')).title).toBe('Changed')
  })

  it('honours OSV withdrawn', async () => {
    const file = write(
      'withdrawn/PYSEC-2021-98.json',
      osvPypiRecord({ modified: '2024-07-01T00:00:00Z', withdrawn: '2024-07-01T00:00:00Z' }),
    )
    const { nextSeq } = await advisoryChangesSince(ctx, 0)
    const result = await run(file)
    expect(result.counts).toMatchObject({ withdrawn: 1 })
    expect((await getAdvisory(ctx, 'osv', 'PYSEC-2021-98')).state).toBe('withdrawn')
    expect((await advisoryChangesSince(ctx, nextSeq)).changes.map((c) => c.change)).toEqual([
      'withdrawn',
    ])
  })

  it('marks KEV entries missing from a newer full catalogue as removed, and ignores an older one', async () => {
    const newer = write(
      'kev-newer.json',
      kevCatalogue('2025.08.25', '2025-08-25T12:00:00.000Z', KEV_ENTRIES.slice(0, 2)),
    )
    const result = await run(newer, 'kev')
    expect(result.counts).toMatchObject({ removed: 1, unchanged: 2 })
    expect((await getAdvisory(ctx, 'kev', 'CVE-2017-0144')).state).toBe('removed')
    const older = write('kev-older.json', kevCatalogue('2025.08.01', '2025-08-01T12:00:00.000Z'))
    const stale = await run(older, 'kev')
    expect(stale.counts).toMatchObject({ stale: 3, new: 0, changed: 0, removed: 0 })
    expect((await getAdvisory(ctx, 'kev', 'CVE-2017-0144')).state).toBe('removed')
    // The entry comes back in a later catalogue.
    const back = write('kev-back.json', kevCatalogue('2025.09.01', '2025-09-01T12:00:00.000Z'))
    expect((await run(back)).counts).toMatchObject({ changed: 1, unchanged: 2 })
    expect((await getAdvisory(ctx, 'kev', 'CVE-2017-0144')).state).toBe('active')
  })

  it('counts what is stored per source and state', async () => {
    expect(await countStoredAdvisories(ctx)).toEqual(
      expect.arrayContaining([{ source: 'kev', state: 'active', count: 3 }]),
    )
  })

  it("names the advisory's CVEs that KEV lists now, and drops one the catalogue removes; lists the same vulnerability's other records", async () => {
    const exploited = async (source: 'osv' | 'csaf' | 'kev', id: string) =>
      (await getAdvisory(ctx, source, id)).knownExploited.map((k) => k.cve)
    expect(await exploited('osv', 'GO-2022-0969')).toEqual([])
    const added = [
      ...KEV_ENTRIES,
      { cveID: 'CVE-2022-27664', vendorProject: 'Go', product: 'net/http' },
      { cveID: 'CVE-2023-38422', vendorProject: 'Walchem', product: 'Intuition 9' },
    ]
    await run(write('kev-added.json', kevCatalogue('2025.10.01', '2025-10-01T12:00:00Z', added)))
    expect((await getAdvisory(ctx, 'osv', 'GO-2022-0969')).knownExploited).toEqual([
      {
        cve: 'CVE-2022-27664',
        dateAdded: '2021-11-03',
        dueDate: '2021-11-17',
        knownRansomwareCampaignUse: 'Unknown',
      },
    ])
    expect(await exploited('csaf', 'ICSA-23-229-04')).toEqual(['CVE-2023-38422'])
    expect(await exploited('osv', 'PYSEC-2021-98')).toEqual([])
    // The same vulnerability's other records, either way, never the advisory itself.
    const related = async (source: 'osv' | 'csaf' | 'kev', id: string) =>
      (await getAdvisory(ctx, source, id)).related.map((a) => `${a.source}:${a.id}:${a.state}`)
    expect(await related('osv', 'GO-2022-0969')).toEqual(['kev:CVE-2022-27664:active'])
    expect(await related('kev', 'CVE-2022-27664')).toEqual(['osv:GO-2022-0969:active'])
    expect(await related('csaf', 'ICSA-23-229-04')).toEqual(['kev:CVE-2023-38422:active'])
    expect(await related('osv', 'PYSEC-2021-98')).toEqual([])
    // A KEV entry is itself the listing: its `kev` part says so.
    expect(await exploited('kev', 'CVE-2022-27664')).toEqual([])
    const fewer = added.filter((e) => e.cveID !== 'CVE-2022-27664')
    await run(write('kev-fewer.json', kevCatalogue('2025.11.01', '2025-11-01T12:00:00Z', fewer)))
    expect(await exploited('osv', 'GO-2022-0969')).toEqual([])
    expect(await exploited('csaf', 'ICSA-23-229-04')).toEqual(['CVE-2023-38422'])
    // A removed KEV entry is still a record of the vulnerability, listed with its state.
    expect(await related('osv', 'GO-2022-0969')).toEqual(['kev:CVE-2022-27664:removed'])
  })
})

describe('interrupted imports', () => {
  it('marks an import left running by a process that stopped as failed at the next import', async () => {
    const { id } = await ctx.db
      .insertInto('advisory_imports')
      .values({
        format: 'auto',
        source_kind: 'directory',
        location: '/gone',
        triggered_by: 'test',
        status: 'running',
        started_at: new Date(clock.now().getTime() - 13 * 3_600_000).toISOString(),
        files_read: 10,
        new_count: 10,
        changed_count: 0,
        unchanged_count: 0,
        withdrawn_count: 0,
        removed_count: 0,
        stale_count: 0,
        failed_count: 0,
        warning_count: 0,
        problems: '[]',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await run(write('one/GO-2022-0969.json', osvGoRecord({ id: 'GO-2098-0001' })))
    expect(await getAdvisoryImport(ctx, Number(id))).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^interrupted/),
      counts: { new: 10 },
    })
  })
})

describe('zip archives', () => {
  it('imports the records of an OSV zip and reports the bad entries', async () => {
    const zip = zipSync({
      'GO-2022-0969.json': bytesOf(osvGoRecord({ id: 'GO-2099-0001' })),
      'PYSEC-2021-98.json': bytesOf(osvPypiRecord({ id: 'PYSEC-2099-1' })),
      'bad.json': Buffer.from('[1, 2'),
      'README.txt': Buffer.from('skipped'),
    })
    const file = write('all.zip', Buffer.from(zip))
    const result = await run(file, 'osv')
    expect(result.sourceKind).toBe('zip')
    expect(result.counts).toMatchObject({ filesRead: 3, new: 2, failed: 1 })
    expect(result.problems[0]).toMatchObject({ path: 'bad.json', pointer: '' })
    expect((await run(file, 'osv')).counts).toMatchObject({ new: 0, unchanged: 2 })
  })

  it('fails a corrupt archive clearly, and says so in the history', async () => {
    const zip = Buffer.from(zipSync({ 'a.json': bytesOf(osvGoRecord()) }))
    const file = write('truncated.zip', zip.subarray(0, zip.length - 30))
    await expect(run(file, 'osv')).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/zip archive/),
    })
    const [latest] = await listAdvisoryImports(ctx, { limit: 1 })
    expect(latest).toMatchObject({ status: 'failed', error: expect.stringMatching(/zip/) })
  })
})

describe('ROLIE feeds', () => {
  it('follows the feed to documents beside it, never outside its folder', async () => {
    const self = 'https://psirt.example/csaf/white/feed-tlp-white.json'
    const entry = (id: string, href: string) => ({
      id,
      title: id,
      link: [{ rel: 'self', href }],
      published: '2023-07-21T06:00:00Z',
      updated: '2023-07-21T06:00:00Z',
      content: { type: 'application/json', src: href },
    })
    write('feed/white/2023/icsa-23-229-04.json', csafIcsDocument({ version: '2' }))
    write('outside.json', csafIcsDocument())
    const feed = write('feed/white/feed-tlp-white.json', {
      feed: {
        id: 'feed-tlp-white',
        title: 'Example feed',
        link: [{ rel: 'self', href: self }],
        updated: '2023-07-21T06:00:00Z',
        entry: [
          entry('ICSA-23-229-04', 'https://psirt.example/csaf/white/2023/icsa-23-229-04.json'),
          entry('ICSA-23-999-01', 'https://psirt.example/csaf/white/2023/icsa-23-999-01.json'),
          entry('ESCAPE', 'https://psirt.example/csaf/white/../../../outside.json'),
        ],
      },
    })
    const result = await run(feed)
    expect(result.sourceKind).toBe('rolie')
    expect(result.counts).toMatchObject({ filesRead: 1, failed: 2 })
    expect(result.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/not on disk/),
      expect.stringMatching(/outside the feed's folder/),
    ])
  })
})

describe('the real corpora in ../shared/data (samples)', () => {
  const samples = [
    ['pypa-advisory-database/vulns/django', 116],
    ['cisagov-CSAF/csaf_files/OT/white/2017', 187],
  ] as const
  for (const [folder, files] of samples) {
    if (!sharedDataPresent(folder, `the ${folder} import sample`)) continue
    it(`imports ${folder} and re-imports it unchanged`, async () => {
      const location = path.join(SHARED_DATA, folder)
      const result = await run(location)
      expect(result.problems.filter((p) => p.level !== 'warning')).toEqual([])
      expect(result.counts.filesRead).toBe(files)
      // PYSEC-2021-98 is also a fixture above, stored with a later `modified`: that one is kept.
      const { new: created, changed, stale } = result.counts
      expect(created + changed + stale).toBe(files)
      const again = await run(location)
      expect(again.counts).toMatchObject({ new: 0, changed: 0, unchanged: files - stale, stale })
    }, 60_000)
  }
})

describe('URLs', () => {
  let server: http.Server
  let base: string
  const kev = bytesOf(kevCatalogue('2025.10.01', '2025-10-01T12:00:00.000Z'))

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/kev.json') response.end(kev)
      else if (request.url === '/slow.json') setTimeout(() => response.end(kev), 2000)
      else if (request.url === '/big.json') response.end(Buffer.alloc(4096, 32))
      else response.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const fromUrl = (url: string, limits = { timeoutMs: 5000, maxBytes: 1024 * 1024 }) =>
    importAdvisories(ctx, {
      location: url,
      format: 'auto',
      triggeredBy: 'test',
      fetchLimits: limits,
    })

  it('imports what a URL serves', async () => {
    const result = await fromUrl(`${base}/kev.json`)
    expect(result.sourceKind).toBe('url:file')
    expect(result.counts.failed).toBe(0)
  })

  it('refuses an error status, a download over the size limit and one past the timeout', async () => {
    await expect(fromUrl(`${base}/missing.json`)).rejects.toMatchObject({
      code: 'service_unavailable',
      message: expect.stringMatching(/answered 404/),
    })
    await expect(
      fromUrl(`${base}/big.json`, { timeoutMs: 5000, maxBytes: 1000 }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    })
    await expect(
      fromUrl(`${base}/slow.json`, { timeoutMs: 200, maxBytes: 1 << 20 }),
    ).rejects.toMatchObject({
      code: 'service_unavailable',
      message: expect.stringMatching(/timed out/),
    })
  })
})

describe('ADVISORY_SOURCES', () => {
  it('reads formats, paths and URLs, and refuses other schemes', () => {
    const problems: { variable: string; problem: string }[] = []
    expect(
      parseAdvisorySources(
        'osv:/srv/osv/Go.zip; kev:https://feeds.example/kev.json;\n/srv/csaf',
        problems,
      ),
    ).toEqual([
      { format: 'osv', location: '/srv/osv/Go.zip' },
      { format: 'kev', location: 'https://feeds.example/kev.json' },
      { format: 'auto', location: '/srv/csaf' },
    ])
    expect(problems).toEqual([])
    parseAdvisorySources('ftp://feeds.example/x.json;csaf:', problems)
    expect(problems).toHaveLength(2)
  })
})
