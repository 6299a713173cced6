import { describe, expect, it } from 'vitest'
import { readOsvRecord } from '../../src/server/modules/advisories/osv-reader.ts'
import { parseSbom } from '../../src/server/modules/sboms/sbom-parser.ts'
import { evaluateOsvAffected } from '../../src/server/modules/vulnerabilities/versions/osv.ts'
import { mulberry32 } from '../../src/server/testing/random.ts'
import {
  ECOSYSTEMS,
  emptyCounts,
  MISS_NAME_BASE,
  packageName,
  packagePurl,
  syntheticOsvRecords,
} from './scale-osv.ts'
import { allComponents, generateComponents, toCycloneDx, toSpdx } from './scale-sbom.ts'

const records = (affected: number, seed = 7) => {
  const counts = emptyCounts()
  const list = [...syntheticOsvRecords({ seed, affected, namesPerEcosystem: 500, counts })]
  return { list, counts }
}

describe('mulberry32', () => {
  it('is deterministic per seed and spreads over [0, 1)', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const values = Array.from({ length: 10_000 }, () => a())
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()))
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...values)).toBeLessThan(1)
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(0.5, 1)
  })
})

describe('synthetic OSV records', () => {
  const { list, counts } = records(10_000)

  it('are the same for the same seed', () => {
    expect(records(300).list).toEqual(records(300).list)
    expect(records(300, 8).list).not.toEqual(records(300).list)
  })

  it('follow the distributions of vulnerability-data.md §4.1', () => {
    expect(counts.affected).toBeGreaterThanOrEqual(10_000)
    expect(counts.affected / counts.records).toBeGreaterThan(1.3)
    expect(counts.affected / counts.records).toBeLessThan(1.5)
    expect(counts.withVersions / counts.affected).toBeGreaterThan(0.35)
    expect(counts.withVersions / counts.affected).toBeLessThan(0.5)
    expect(counts.multiIntroduced / counts.affected).toBeGreaterThan(0.12)
    expect(counts.multiIntroduced / counts.affected).toBeLessThan(0.18)
    expect(counts.gitRanges / counts.affected).toBeGreaterThan(0.035)
    expect(counts.gitRanges / counts.affected).toBeLessThan(0.065)
    expect(counts.withdrawn / counts.records).toBeGreaterThan(0.02)
    expect(counts.withdrawn / counts.records).toBeLessThan(0.04)
    const ecosystems = new Set(list.flatMap((r) => r.affected.map((a) => a.package!.ecosystem)))
    expect(ecosystems.size).toBe(ECOSYSTEMS.length)
    const lengths = list.flatMap((r) => r.affected.flatMap((a) => a.versions?.length ?? []))
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(5)
    expect(Math.max(...lengths)).toBeLessThanOrEqual(60)
  })

  it('are valid OSV for the import (schema and reader)', () => {
    for (const record of list.slice(0, 300)) {
      const outcome = readOsvRecord(record, Buffer.from(JSON.stringify(record)), 'synthetic')
      expect(outcome.problems.filter((p) => p.level !== 'warning')).toEqual([])
      expect(outcome.advisories).toHaveLength(1)
    }
  })

  it('have versions that their ecosystem orders: a fixed version is not affected', () => {
    let checked = 0
    for (const record of list.slice(0, 2000)) {
      for (const entry of record.affected) {
        const range = entry.ranges![0]!
        const fixed = range.events.find((e) => e.fixed !== undefined)?.fixed
        if (range.type === 'GIT' || !fixed || range.events.length !== 2) continue
        if (['RubyGems', 'NuGet', 'Packagist'].includes(entry.package!.ecosystem)) continue
        expect(evaluateOsvAffected({ ...entry, versions: [] }, fixed).status).toBe('not_affected')
        checked += 1
      }
    }
    expect(checked).toBeGreaterThan(500)
  })

  it('give every name of an ecosystem an advisory once there are enough entries', () => {
    const names = new Set(list.flatMap((r) => r.affected.map((a) => a.package!.name)))
    expect(names.has(packageName('npm', 0))).toBe(true)
    expect(names.has(packageName('npm', 499))).toBe(true)
    expect(names.has(packageName('npm', 500))).toBe(false)
  })
})

describe('synthetic SBOMs', () => {
  const hits = [{ ecosystem: 'PyPI', purl: 'pkg:pypi/django' }]
  const ics = [{ vendor: 'Siemens', product: 'SIMATIC S7-1500 CPU', version: 'V2.9' }]
  const components = generateComponents({ seed: 5, size: 1000, hitRate: 0.5, hits, ics })
  const flat = [...allComponents(components)]

  it('mix purl only, purl + CPEs and ICS components, nested at most 3 deep', () => {
    expect(flat).toHaveLength(1000)
    const ics = flat.filter((c) => c.ics).length / flat.length
    const cpe = flat.filter((c) => c.cpes.length > 0).length / flat.length
    expect(ics).toBeGreaterThan(0.07)
    expect(ics).toBeLessThan(0.13)
    expect(cpe).toBeGreaterThan(0.16)
    expect(cpe).toBeLessThan(0.24)
    expect(flat.filter((c) => c.hit).length / flat.length).toBeCloseTo(0.5, 1)
    const depth = (list: typeof components, d: number): number =>
      Math.max(d, ...list.map((c) => depth(c.children, d + 1)))
    expect(depth(components, 0)).toBeLessThanOrEqual(3)
    expect(depth(components, 0)).toBeGreaterThanOrEqual(2)
    const missName = packageName('npm', MISS_NAME_BASE)
    expect(packagePurl('npm', missName)).toMatch(/^pkg:npm\//)
  })

  it('parse as CycloneDX 1.6 and SPDX 2.3 with every component', () => {
    const small = generateComponents({ seed: 6, size: 100, hitRate: 0.05, hits, ics })
    const cdx = parseSbom(Buffer.from(JSON.stringify(toCycloneDx(small, 6))), 's.cdx.json')
    const spdx = parseSbom(Buffer.from(JSON.stringify(toSpdx(small, 6))), 's.spdx.json')
    expect(cdx.specVersion).toBe('1.6')
    expect(spdx.specVersion).toBe('2.3')
    // + the described root; duplicates (same purl and version) are merged by the parser.
    expect(cdx.components.length).toBeGreaterThan(95)
    expect(spdx.components.length).toBe(cdx.components.length)
    expect(spdx.components.filter((c) => c.cpes.length > 1).length).toBeGreaterThan(0)
  })
})
