import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { TEST_DIALECT } from '../../testing/test-db.ts'
import { SHARED_DATA, sharedDataPresent } from '../vulnerabilities/versions/shared-data.testing.ts'
import { openSource, readDocument, resolveFeedEntry } from './advisory-sources.ts'
import type { CsafAdvisory, KevAdvisory, OsvAdvisory, ReadOutcome } from './advisory.types.ts'
import { bytesOf, csafIcsDocument, kevCatalogue, osvGoRecord, osvPypiRecord } from './testing.ts'

const errors = (outcome: ReadOutcome) => outcome.problems.filter((p) => p.level !== 'warning')

describe('OSV reader', () => {
  it('normalises a record: aliases, affected entries by ecosystem and purl, references', () => {
    const outcome = readDocument(bytesOf(osvPypiRecord()), 'django.json', 'auto')
    expect(outcome.problems).toEqual([])
    const [advisory] = outcome.advisories as OsvAdvisory[]
    expect(advisory).toMatchObject({
      source: 'osv',
      advisoryId: 'PYSEC-2021-98',
      aliases: ['CVE-2021-31542', 'GHSA-rxjp-mfm9-w4wr'],
      modified: '2021-06-10T06:51:00.000Z',
    })
    expect(advisory!.affected[0]).toMatchObject({
      ecosystem: 'PyPI',
      name: 'Django',
      nameKey: 'django',
      purlType: 'pypi',
      purlNamespace: '',
      purlName: 'django',
      versions: ['2.2', '2.2.1', '3.1', '3.1.8'],
    })
    expect(advisory!.contentHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('reads withdrawn and refuses a record missing its id with the pointer named', () => {
    const withdrawn = readDocument(
      bytesOf(osvGoRecord({ withdrawn: '2024-06-01T00:00:00Z' })),
      'go.json',
      'osv',
    )
    expect(withdrawn.advisories[0]!.withdrawnAt).toBe('2024-06-01T00:00:00.000Z')
    const { id: _id, ...noId } = osvGoRecord()
    const bad = readDocument(bytesOf({ ...noId, modified: 'yesterday', id: 5 }), 'bad.json', 'osv')
    expect(bad.advisories).toEqual([])
    expect(bad.problems).toContainEqual({
      path: 'bad.json',
      pointer: '/id',
      message: 'must be of type string',
    })
    expect(bad.problems.map((p) => p.pointer)).toContain('/modified')
  })

  it('tolerates abbreviated GIT commits with a warning (real PyPI records have them)', () => {
    const record = osvPypiRecord({
      affected: [
        {
          package: { name: 'matrix-synapse', ecosystem: 'PyPI' },
          ranges: [
            {
              type: 'GIT',
              repo: 'https://github.com/matrix-org/synapse',
              events: [{ introduced: '0' }, { fixed: 'cb35df940a' }],
            },
          ],
        },
      ],
    })
    const outcome = readDocument(bytesOf(record), 'synapse.json', 'osv')
    expect(outcome.advisories).toHaveLength(1)
    expect(outcome.problems.length).toBeGreaterThan(0)
    expect(outcome.problems.every((p) => p.level === 'warning')).toBe(true)
  })

  it('reads a list of records, each refused on its own', () => {
    const outcome = readDocument(
      bytesOf([osvGoRecord(), { id: 'X', modified: 3 }]),
      'l.json',
      'auto',
    )
    expect(outcome.advisories.map((a) => a.advisoryId)).toEqual(['GO-2022-0969'])
    expect(errors(outcome).map((p) => p.pointer)).toEqual(['/1/id', '/1/modified'])
  })
})

describe('CSAF reader', () => {
  it('flattens the product tree and keeps statuses, remediations (groups expanded) and scores', () => {
    const outcome = readDocument(bytesOf(csafIcsDocument()), 'icsa.json', 'auto')
    expect(outcome.problems).toEqual([])
    const advisory = outcome.advisories[0] as CsafAdvisory
    expect(advisory).toMatchObject({
      advisoryId: 'ICSA-23-229-04',
      aliases: ['CVE-2023-38422'],
      severity: 'high',
      cvssScore: 7.5,
      trackingStatus: 'final',
      publisher: 'CISA',
    })
    expect(advisory.products).toEqual([
      expect.objectContaining({
        productId: 'CSAFPID-0001',
        vendor: 'Walchem',
        product: 'Intuition 9',
        versionRange: '< 4.21',
        modelNumbers: ['W900'],
        branchPath: [
          'vendor: Walchem',
          'product_name: Intuition 9',
          'product_version_range: < 4.21',
        ],
      }),
      expect.objectContaining({ productId: 'CSAFPID-0002', version: '4.21' }),
    ])
    const [vulnerability] = advisory.vulnerabilities
    expect(vulnerability!.statuses).toEqual([
      { productId: 'CSAFPID-0001', status: 'known_affected' },
      { productId: 'CSAFPID-0002', status: 'fixed' },
    ])
    expect(vulnerability!.remediations[0]!.productIds).toEqual(['CSAFPID-0001', 'CSAFPID-0002'])
  })

  it('names the pointer of a schema problem', () => {
    const document = csafIcsDocument() as { document: Record<string, unknown> }
    document.document.category = 42
    const outcome = readDocument(bytesOf(document), 'x.json', 'csaf')
    expect(outcome.advisories).toEqual([])
    expect(outcome.problems).toContainEqual({
      path: 'x.json',
      pointer: '/document/category',
      message: 'must be of type string',
    })
  })
})

describe('KEV reader', () => {
  it('makes one advisory per entry and refuses a bad entry alone', () => {
    const catalogue = kevCatalogue('2025.08.25', '2025-08-25T14:00:00.000Z')
    ;(catalogue.vulnerabilities[1] as Record<string, unknown>).cveID = 'not-a-cve'
    const outcome = readDocument(bytesOf(catalogue), 'kev.json', 'auto')
    expect(outcome.advisories.map((a) => a.advisoryId)).toEqual(['CVE-2021-44228', 'CVE-2017-0144'])
    expect(errors(outcome)).toEqual([
      {
        path: 'kev.json',
        pointer: '/vulnerabilities/1/cveID',
        message: expect.stringMatching(/pattern/),
      },
    ])
    expect((outcome.advisories[0] as KevAdvisory).kev).toMatchObject({
      vendorProject: 'Apache',
      product: 'Log4j2',
      knownRansomwareCampaignUse: 'Unknown',
    })
    expect(outcome.kevCatalogue).toEqual({
      catalogVersion: '2025.08.25',
      dateReleased: '2025-08-25T14:00:00.000Z',
    })
  })
})

describe('format detection and bad input', () => {
  it('says what was expected and what was found', () => {
    expect(readDocument(bytesOf(osvGoRecord()), 'a.json', 'csaf').problems[0]!.message).toBe(
      'expected a CSAF document, found an OSV record',
    )
    expect(readDocument(Buffer.from('{"hello": 1}'), 'b.json', 'auto').problems[0]!.message).toBe(
      'is not an OSV record, a CSAF document or a KEV catalogue',
    )
    expect(readDocument(Buffer.from('{"id": '), 'c.json', 'auto').problems[0]!.message).toMatch(
      /^not valid JSON/,
    )
    expect(
      readDocument(Buffer.from([0xff, 0xfe, 0x00]), 'd.json', 'auto').problems[0]!.message,
    ).toBe('not UTF-8 text')
  })

  it('refuses JSON nested too deep before validating it', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000)
    expect(readDocument(Buffer.from(deep), 'deep.json', 'auto').problems[0]!.message).toMatch(
      /nests deeper/,
    )
  })

  const samples = [
    osvGoRecord(),
    osvPypiRecord(),
    csafIcsDocument(),
    kevCatalogue('1', '2025-01-01T00:00:00Z'),
  ]

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const outcome = readDocument(Buffer.from(bytes), 'r.json', 'auto')
        expect(outcome.advisories.length + outcome.problems.length).toBeGreaterThan(0)
      }),
      { numRuns: 300 },
    )
  })

  it('reports every truncation of a valid document as a problem', () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), (sample, cut) => {
        const text = JSON.stringify(sample)
        const truncated = text.slice(0, cut % text.length)
        const outcome = readDocument(Buffer.from(truncated), 't.json', 'auto')
        expect(outcome.advisories).toEqual([])
        expect(outcome.problems.length).toBeGreaterThan(0)
      }),
      { numRuns: 200 },
    )
  })

  it('never throws when any value of a valid document is replaced by something of another type', () => {
    const paths = (value: unknown, prefix: string[] = []): string[][] =>
      typeof value === 'object' && value !== null
        ? Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])])
        : []
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        fc.anything({ maxDepth: 2 }),
        (sample, pick, replacement) => {
          const copy = structuredClone(sample) as Record<string, unknown>
          const all = paths(copy)
          const target = all[pick % all.length]!
          let parent: Record<string, unknown> = copy
          for (const key of target.slice(0, -1)) parent = parent[key] as Record<string, unknown>
          parent[target.at(-1)!] = replacement
          const outcome = readDocument(
            Buffer.from(JSON.stringify(copy) ?? 'null'),
            'w.json',
            'auto',
          )
          expect(Array.isArray(outcome.problems)).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('sources', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-advisory-sources-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('resolves feed links inside the feed folder only', () => {
    const self = 'https://psirt.example/advisories/csaf/feed-tlp-white.json'
    expect(
      resolveFeedEntry(dir, self, 'https://psirt.example/advisories/csaf/2020/a.json'),
    ).toEqual({
      file: path.join(dir, '2020', 'a.json'),
    })
    for (const href of [
      'https://psirt.example/other/a.json',
      'https://evil.example/advisories/csaf/2020/a.json',
      'https://psirt.example/advisories/csaf/../../etc/passwd',
      'https://psirt.example/advisories/csaf/%2e%2e/%2e%2e/etc/passwd',
      '../outside.json',
      '/etc/passwd',
    ]) {
      expect(resolveFeedEntry(dir, self, href), href).toHaveProperty('error')
    }
    fs.symlinkSync('/etc', path.join(dir, 'escape'))
    expect(resolveFeedEntry(dir, self, 'escape/passwd')).toHaveProperty('error')
  })

  it('fails clearly on a missing path and on a corrupt zip', async () => {
    await expect(openSource(path.join(dir, 'nothing-here'), 'auto')).rejects.toMatchObject({
      code: 'not_found',
    })
    const corrupt = path.join(dir, 'corrupt.zip')
    fs.writeFileSync(
      corrupt,
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 7)]),
    )
    await expect(openSource(corrupt, 'osv')).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/not a readable zip archive/),
    })
  })
})

// Reading is the same whatever the database: the whole-corpus check runs in the SQLite project
// only. It is not even defined in the PostgreSQL project, so that project reports no skipped tests
// (a skipped count in CI would hide real skips).
if (TEST_DIALECT === 'sqlite') defineCorpusChecks()

function defineCorpusChecks(): void {
  describe('the real corpora in ../shared/data', () => {
    const folders = [
      ['golang-vulndb/data/osv', 'osv'],
      ['pypa-advisory-database/vulns', 'osv'],
      ['google-oss-fuzz-vulns/vulns', 'osv'],
      ['cisagov-CSAF/csaf_files', 'csaf'],
      ['oasis-csaf-examples/csaf_2.0/examples/csaf', 'csaf'],
    ] as const
    for (const [folder, format] of folders) {
      if (!sharedDataPresent(folder, `the ${folder} reader check`)) continue
      it(`reads every file of ${folder} without an error (warnings listed)`, async () => {
        const source = await openSource(path.join(SHARED_DATA, folder), format)
        let files = 0
        let advisories = 0
        const csaf = { products: 0, versionRanges: 0, vulnerabilities: 0, statuses: 0 }
        const refused: string[] = []
        const warned = new Set<string>()
        for await (const item of source.items()) {
          if ('message' in item) throw new Error(`${item.path}: ${item.message}`)
          const outcome = readDocument(item.bytes, item.path, 'auto')
          files += 1
          advisories += outcome.advisories.length
          for (const a of outcome.advisories) {
            if (a.source !== 'csaf') continue
            csaf.products += a.products.length
            csaf.versionRanges += a.products.filter((p) => p.versionRange !== undefined).length
            csaf.vulnerabilities += a.vulnerabilities.length
            csaf.statuses += a.vulnerabilities.reduce((n, v) => n + v.statuses.length, 0)
          }
          for (const p of outcome.problems) {
            if (p.level === 'warning') warned.add(p.path)
            else refused.push(`${p.path}${p.pointer}: ${p.message}`)
          }
        }
        console.log(
          `${folder}: ${files} files, ${advisories} advisories, warnings in ${warned.size} files` +
            (csaf.products > 0 ? `; CSAF ${JSON.stringify(csaf)}` : ''),
        )
        // The ROLIE feeds in the CISA folder are the only non-advisory files met.
        expect(refused).toEqual([])
        expect(advisories).toBeGreaterThan(0)
      }, 60_000)
    }
    if (sharedDataPresent('cisagov-kev-data', 'the KEV reader check')) {
      it('reads the KEV catalogue whole', () => {
        const file = path.join(SHARED_DATA, 'cisagov-kev-data/known_exploited_vulnerabilities.json')
        const outcome = readDocument(fs.readFileSync(file), 'kev.json', 'kev')
        expect(outcome.problems).toEqual([])
        expect(outcome.advisories).toHaveLength(1404)
      })
    }
  })
}
