import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluateOsvAffected, sortVersionList, type OsvAffected } from './osv.ts'
import { readJson, SHARED_DATA, sharedDataPresent } from './shared-data.testing.ts'

const go = (ranges: OsvAffected['ranges']): OsvAffected => ({
  package: { ecosystem: 'Go', name: 'example.com/m' },
  ranges,
})

describe('OSV affected evaluation', () => {
  const twoWindows = go([
    {
      type: 'SEMVER',
      // Deliberately unsorted: the schema does not require sorted events.
      events: [
        { fixed: '1.2.0' },
        { introduced: '2.0.0' },
        { introduced: '0' },
        { fixed: '2.1.3' },
      ],
    },
  ])

  it.each([
    ['v0.5.0', 'affected'],
    ['1.1.9', 'affected'],
    ['1.2.0', 'not_affected'],
    ['1.9.9', 'not_affected'],
    ['2.0.0', 'affected'],
    ['v2.1.2', 'affected'],
    ['2.1.3', 'not_affected'],
    ['2.1.3-rc.1', 'affected'],
    ['v2.1.3-0.20240101000000-abcdefabcdef', 'affected'],
    ['3.0.0+incompatible', 'not_affected'],
  ])('multiple introduced events: %s is %s', (version, status) => {
    expect(evaluateOsvAffected(twoWindows, version).status).toBe(status)
  })

  it('names the range and events that decided', () => {
    expect(evaluateOsvAffected(twoWindows, '2.0.5')).toEqual({
      status: 'affected',
      rule: {
        kind: 'range',
        range: 0,
        type: 'SEMVER',
        introduced: '2.0.0',
        closedBy: { fixed: '2.1.3' },
      },
    })
    const verdict = evaluateOsvAffected(twoWindows, '1.5.0')
    expect(verdict).toMatchObject({
      status: 'not_affected',
      ranges: [{ status: 'not_affected', reason: 'fixed 1.2.0 in range 0' }],
    })
  })

  it('last_affected includes its own version', () => {
    const entry = go([
      { type: 'SEMVER', events: [{ introduced: '1.0.0' }, { last_affected: '1.4.0' }] },
    ])
    expect(evaluateOsvAffected(entry, '1.4.0').status).toBe('affected')
    expect(evaluateOsvAffected(entry, '1.4.1').status).toBe('not_affected')
    expect(evaluateOsvAffected(entry, '0.9.0').status).toBe('not_affected')
  })

  it('limit bounds a range from above', () => {
    const entry = go([{ type: 'SEMVER', events: [{ introduced: '0' }, { limit: '1.5.0' }] }])
    expect(evaluateOsvAffected(entry, '1.4.9').status).toBe('affected')
    expect(evaluateOsvAffected(entry, '1.5.0')).toMatchObject({
      status: 'not_affected',
      ranges: [{ reason: 'not below any limit of range 0' }],
    })
    const star = go([{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { limit: '*' }] }])
    expect(evaluateOsvAffected(star, '99.0.0').status).toBe('affected')
  })

  it('an ECOSYSTEM range uses the ecosystem ordering (PEP 440)', () => {
    const entry: OsvAffected = {
      package: { ecosystem: 'PyPI', name: 'django' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.0a1' }, { fixed: '3.0.1' }] }],
    }
    expect(evaluateOsvAffected(entry, '3.0rc1').status).toBe('affected')
    expect(evaluateOsvAffected(entry, '3.0').status).toBe('affected')
    expect(evaluateOsvAffected(entry, '3.0.1.dev1').status).toBe('affected')
    expect(evaluateOsvAffected(entry, '3.0.1').status).toBe('not_affected')
    expect(evaluateOsvAffected(entry, '2.2.post1').status).toBe('not_affected')
  })

  it('versions[] matches on its own, also by ecosystem equality', () => {
    const entry: OsvAffected = {
      package: { ecosystem: 'PyPI', name: 'x' },
      versions: ['1.0', '1.1'],
    }
    expect(evaluateOsvAffected(entry, '1.1')).toEqual({
      status: 'affected',
      rule: { kind: 'versions', entry: '1.1' },
    })
    expect(evaluateOsvAffected(entry, '1.0.0').status).toBe('affected')
    expect(evaluateOsvAffected(entry, '1.2').status).toBe('not_affected')
  })

  it('says unknown rather than guessing', () => {
    // A version the ordering cannot read.
    expect(evaluateOsvAffected(twoWindows, 'master')).toMatchObject({
      status: 'unknown',
      reasons: ['"master" is not a valid golang version'],
    })
    // An ecosystem we have no ordering for.
    const hex: OsvAffected = {
      package: { ecosystem: 'Hex', name: 'plug' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }],
    }
    expect(evaluateOsvAffected(hex, '0.5.0').status).toBe('unknown')
    // A GIT range without a versions[] list needs a commit graph.
    const git: OsvAffected = {
      package: { ecosystem: 'OSS-Fuzz', name: 'openssl' },
      ranges: [
        {
          type: 'GIT',
          repo: 'https://github.com/openssl/openssl',
          events: [{ introduced: 'a'.repeat(40) }, { fixed: 'b'.repeat(40) }],
        },
      ],
    }
    expect(evaluateOsvAffected(git, '3.0.0')).toMatchObject({ status: 'unknown' })
    expect(evaluateOsvAffected(git, 'c'.repeat(40)).status).toBe('unknown')
    expect(evaluateOsvAffected(git, 'a'.repeat(40)).status).toBe('affected')
    // With versions[] the tags are enumerated, so an unlisted version is not affected.
    expect(evaluateOsvAffected({ ...git, versions: ['openssl-3.0.1'] }, '3.0.0').status).toBe(
      'not_affected',
    )
    expect(
      evaluateOsvAffected({ ...git, versions: ['openssl-3.0.1'] }, 'openssl-3.0.1').status,
    ).toBe('affected')
  })

  it('never throws on malformed entries', () => {
    const odd = [
      {},
      { ranges: [{ type: 'SEMVER', events: [] }] },
      { ranges: [{ type: 'SEMVER', events: [{}] }] },
      { ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.0' }] }] },
      { ranges: [{ type: 'SEMVER', events: [{ introduced: 'garbage' }] }] },
      { ranges: [{ type: 'WHATEVER', events: [{ introduced: '0' }] }] },
    ] as OsvAffected[]
    for (const entry of odd) {
      expect(['unknown', 'not_affected']).toContain(evaluateOsvAffected(entry, '1.0.0').status)
    }
  })
})

interface OsvRecord {
  id: string
  affected?: OsvAffected[]
}

function records(dir: string): OsvRecord[] {
  const out: OsvRecord[] = []
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.json')) out.push(readJson<OsvRecord>(full))
    }
  }
  walk(dir)
  return out
}

describe('versions[] sorted for the snapshot', () => {
  // Short strings over few characters, so that lists hold versions equal but spelt differently
  // ("1.0" and "1.0.0" in PyPI, "1.0" and "0:1.0" in Debian) and strings no ordering reads.
  const versionText = fc
    .array(
      fc.constantFrom('0', '1', '2', '10', '.', '.', '-', 'a', 'rc', ':', '+', 'v', '~', '_'),
      {
        minLength: 1,
        maxLength: 7,
      },
    )
    .map((parts) => parts.join(''))
  const ecosystem = fc.constantFrom(
    'npm',
    'PyPI',
    'Maven',
    'Go',
    'Debian:12',
    'Ubuntu:22.04',
    'Alpine:v3.19',
    'crates.io',
    'Rocky Linux:9',
    'RubyGems',
  )

  it('gives every version the verdict the record’s own order gives (property)', () => {
    fc.assert(
      fc.property(
        ecosystem,
        fc.array(versionText, { maxLength: 30 }),
        versionText,
        fc.boolean(),
        (eco, versions, query, withRange) => {
          const entry: OsvAffected = {
            package: { ecosystem: eco, name: 'p' },
            versions,
            ...(withRange
              ? { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }] }
              : {}),
          }
          const sorted = sortVersionList(entry)
          expect([...(sorted.versions ?? [])].sort()).toEqual([...versions].sort())
          for (const version of [query, ...versions.slice(0, 3)]) {
            expect(evaluateOsvAffected(sorted, version)).toEqual(
              evaluateOsvAffected(entry, version),
            )
          }
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('finds a version listed under another spelling, the first in record order', () => {
    const entry: OsvAffected = {
      package: { ecosystem: 'PyPI', name: 'p' },
      versions: ['2.0', 'not a version', '1.0.0', '1.0', '0.9'],
    }
    const sorted = sortVersionList(entry)
    expect(sorted).toMatchObject({
      versions: ['0.9', '1.0.0', '1.0', '2.0', 'not a version'],
      sortedVersions: 4,
    })
    expect(evaluateOsvAffected(sorted, '1')).toEqual({
      status: 'affected',
      rule: { kind: 'versions', entry: '1.0.0' },
    })
    expect(evaluateOsvAffected(sorted, '1.5').status).toBe('not_affected')
    // No ordering for the ecosystem, or one that is not total: left as it is.
    const gem: OsvAffected = { package: { ecosystem: 'RubyGems', name: 'g' }, versions: ['2', '1'] }
    expect(sortVersionList(gem)).toBe(gem)
    // Maven orders these three in a circle: sorted, "0" would not find "-._".
    const maven: OsvAffected = {
      package: { ecosystem: 'Maven', name: 'g:a' },
      versions: ['0', 'x0', '-._'],
    }
    expect(sortVersionList(maven)).toBe(maven)
    expect(
      sortVersionList({ ...maven, package: { ecosystem: 'Rocky Linux:9', name: 'r' } }),
    ).toEqual({ ...maven, package: { ecosystem: 'Rocky Linux:9', name: 'r' } })
  })
})

describe('OSV corpora in ../shared/data', () => {
  if (sharedDataPresent('golang-vulndb/data/osv', 'the Go OSV corpus check')) {
    it('every Go record evaluates without throwing, and its events are readable', () => {
      const all = records(path.join(SHARED_DATA, 'golang-vulndb/data/osv'))
      expect(all.length).toBeGreaterThan(4000)
      const unreadable: string[] = []
      for (const record of all) {
        for (const affected of record.affected ?? []) {
          for (const range of affected.ranges ?? []) {
            for (const event of range.events) {
              const version = event.introduced ?? event.fixed ?? event.last_affected
              if (!version || version === '0') continue
              // An event's own version must be decidable against its own record.
              const verdict = evaluateOsvAffected(affected, version)
              if (verdict.status === 'unknown') unreadable.push(`${record.id} ${version}`)
            }
          }
          evaluateOsvAffected(affected, 'v0.0.0-20200101000000-abcdefabcdef')
        }
      }
      expect(unreadable).toEqual([])
    })
  }

  if (sharedDataPresent('pypa-advisory-database/vulns', 'the PyPI OSV corpus check')) {
    it('every PyPI record evaluates without throwing, and each of its versions[] is affected', () => {
      const all = records(path.join(SHARED_DATA, 'pypa-advisory-database/vulns'))
      expect(all.length).toBeGreaterThan(2500)
      const wrong: string[] = []
      let checked = 0
      for (const record of all) {
        for (const affected of record.affected ?? []) {
          const sorted = sortVersionList(affected)
          for (const version of affected.versions ?? []) {
            checked++
            const verdict = evaluateOsvAffected(affected, version)
            if (verdict.status !== 'affected') {
              wrong.push(`${record.id} ${version}: ${verdict.status}`)
            }
            // The snapshot's sorted list finds it under another spelling as the record's does.
            const respelt = /^\d+(\.\d+)*$/.test(version) ? `${version}.0` : version
            const expected = evaluateOsvAffected(affected, respelt)
            if (JSON.stringify(evaluateOsvAffected(sorted, respelt)) !== JSON.stringify(expected)) {
              wrong.push(`${record.id} ${respelt}: differs once sorted`)
            }
          }
          evaluateOsvAffected(affected, '0.0.1')
        }
      }
      expect(checked).toBeGreaterThan(100_000)
      expect(wrong).toEqual([])
    })
  }
})
