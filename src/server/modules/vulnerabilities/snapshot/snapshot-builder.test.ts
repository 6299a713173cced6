import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { candidateKeys, type EngineComponent } from '../matching/engine.ts'
import type { OsvAffected } from '../versions/osv.ts'
import { KeyFilter, type SnapshotAdvisory } from './snapshot-file.ts'
import { openSnapshot, osvSnapshotEntries, SnapshotBuilder } from './snapshot.service.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-snapshot-builder-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const head = (advisoryId: string, aliases: string[] = []): SnapshotAdvisory => ({
  source: 'osv',
  advisoryId,
  aliases,
  severity: 'high',
  cvssScore: null,
  summary: `summary of ${advisoryId}`,
  modified: '2026-01-01T00:00:00.000Z',
})

const entry = (ecosystem: string, name: string, purl?: string): OsvAffected => ({
  package: { ecosystem, name, ...(purl ? { purl } : {}) },
  ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }],
  versions: [],
})

const component = (key: string, purl: string): EngineComponent => ({
  key,
  name: key,
  version: '1.0',
  purl,
  cpes: [],
})

describe('KeyFilter', () => {
  it('answers hasParts as has answers the parts joined with NUL', () => {
    const keys = ['p\0PyPI\0django', 'u\0npm\0@scope\0left-pad', 'v\0siemens', 't\0abb\0w:relé']
    const filter = KeyFilter.build(keys, keys.length)
    const probes: [string, string, string?, string?][] = [
      ['p', 'PyPI', 'django'],
      ['u', 'npm', '@scope', 'left-pad'],
      ['v', 'siemens'],
      ['t', 'abb', 'w:relé'],
      ['p', 'PyPI', 'flask'],
      ['u', 'npm', '', 'left-pad'],
      ['v', 'siemens ag'],
    ]
    for (const [kind, a, b, c] of probes) {
      const joined = [kind, a, b, c].filter((x) => x !== undefined).join('\0')
      expect(filter.hasParts(kind, a, b, c), joined).toBe(filter.has(joined))
    }
    expect(filter.hasParts('p', 'PyPI', 'django')).toBe(true)
    expect(filter.hasParts('t', 'abb', 'w:relé')).toBe(true)
  })
})

describe('osvSnapshotEntries', () => {
  it('leaves out the purl key only where it names the entry’s own package', () => {
    const rows = osvSnapshotEntries([
      entry('PyPI', 'Django', 'pkg:pypi/django'),
      entry('OSS-Fuzz', 'openssl', 'pkg:generic/openssl'),
      entry('npm', 'left-pad', 'pkg:npm/right-pad'),
      entry('Go', 'golang.org/x/net'),
      { versions: ['1.0'] },
    ])
    expect(rows.map((r) => [r.index, r.ecosystemBase, r.packageKey, r.purl?.name ?? null])).toEqual(
      [
        [0, 'PyPI', 'django', null],
        [1, 'OSS-Fuzz', 'openssl', 'openssl'],
        [2, 'npm', 'left-pad', 'right-pad'],
        [3, 'Go', 'golang.org/x/net', null],
      ],
    )
  })
})

describe('SnapshotBuilder and the batched reader', () => {
  it('answers many keys of every kind in one call, each entry once, with KEV by CVE', async () => {
    const file = path.join(dir, 'built.snapshot')
    const builder = await SnapshotBuilder.create(file)
    builder.addOsv(head('PYSEC-1', ['CVE-2021-0001']), [
      entry('PyPI', 'Django', 'pkg:pypi/django'),
      entry('PyPI', 'djangorestframework'),
    ])
    builder.addOsv(head('OSV-2'), [entry('OSS-Fuzz', 'openssl', 'pkg:generic/openssl')])
    builder.addOsv(head('GHSA-3'), [entry('npm', 'left-pad', 'pkg:npm/right-pad')])
    for (let i = 0; i < 50; i++) builder.addOsv(head(`GHSA-x${i}`), [entry('npm', `p${i}`)])
    builder.addKev({ cve: 'CVE-2021-0001', dateAdded: '2022-01-01', dueDate: '2022-02-01' })
    const meta = builder.finish(new Date('2026-11-27T00:00:00Z'), { osv: null })
    expect(meta.counts).toMatchObject({ osv: 53, osvEntries: 54, kev: 1 })
    expect(fs.existsSync(file)).toBe(true)

    const snapshot = await openSnapshot(file)
    try {
      const components = [
        component('django', 'pkg:pypi/Django@1.0'),
        component('openssl', 'pkg:generic/openssl@1.0'),
        component('right-pad', 'pkg:npm/right-pad@1.0'),
        ...Array.from({ length: 50 }, (_, i) => component(`p${i}`, `pkg:npm/p${i}@1.0`)),
        component('none', 'pkg:npm/nothing@1.0'),
      ]
      const found = snapshot.candidates(candidateKeys(components))
      const ids = found.osv.map((c) => c.advisoryId).sort()
      expect(ids).toHaveLength(53)
      const django = found.osv.find((c) => c.advisoryId === 'PYSEC-1')!
      // Only the entry under the looked-up key, once although both its keys were asked.
      expect(django.affected.map((a) => a.package?.name)).toEqual(['Django'])
      expect(django.aliases).toEqual(['CVE-2021-0001'])
      expect(found.kev.get('CVE-2021-0001')?.dueDate).toBe('2022-02-01')
      expect(found.heads.get('GHSA-3')?.summary).toBe('summary of GHSA-3')
      expect(snapshot.candidates(candidateKeys([component('none', 'pkg:npm/x@1')])).osv).toEqual([])
    } finally {
      snapshot.close()
    }
  })

  it('leaves nothing behind when abandoned', async () => {
    const file = path.join(dir, 'abandoned.snapshot')
    const builder = await SnapshotBuilder.create(file)
    builder.addOsv(head('X-1'), [entry('npm', 'a')])
    builder.abandon()
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('abandoned'))).toEqual([])
  })
})
