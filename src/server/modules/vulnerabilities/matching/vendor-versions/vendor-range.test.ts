import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SHARED_DATA, sharedDataPresent } from '../../versions/shared-data.testing.ts'
import {
  matchVendorVersion,
  parseVendorRange,
  rangeBoundsOrder,
  type UnparsedKind,
} from './vendor-range.ts'

describe('matchVendorVersion on real ranges', () => {
  // [advisory, range as written, version, expected status]
  it.each([
    ['ICSA-18-079-02', 'vers:all/<V7.0.3', 'V7.0.2', 'affected'],
    ['ICSA-18-079-02', 'vers:all/<V7.0.3', 'V7.0.3', 'not_affected'],
    ['ICSA-18-079-02', 'vers:all/<V7.0.3', '7.1', 'not_affected'],
    ['ICSA-18-079-02', 'vers:all/*', undefined, 'affected'],
    ['ICSA-20-161-04', '< V3.0 SP1', 'V3.0', 'affected'],
    ['ICSA-20-161-04', '< V3.0 SP1', 'V3.0 SP1', 'not_affected'],
    ['ICSA-20-161-04', '< V3.0 SP1', 'V3.0 Update 2', 'affected'],
    ['ICSA-17-129-01', 'All versions < V7.3 Update 15', 'V7.3 Update 14', 'affected'],
    ['ICSA-17-129-01', 'All versions < V7.3 Update 15', 'V7.3 Upd 15', 'not_affected'],
    ['ICSA-17-129-01', 'All versions < V7.3 Update 15', 'V7.3 SP1', 'not_affected'],
    ['ICSA-17-045-03', 'All versions < V7.4 SP1', 'V7.4 Update 15', 'affected'],
    ['ICSA-17-045-03', 'All versions < V7.4 SP1', 'V7.4 SP1', 'not_affected'],
    ['ICSA-17-045-03', 'All versions', '1.0', 'affected'],
    ['ICSA-17-012-03', '< A11_U05', 'A11_U04', 'affected'],
    ['ICSA-17-012-03', '< A11_U05', 'A11_U05', 'not_affected'],
    ['ICSA-17-012-03', '< A11_U05', '11.4', 'unknown'],
    ['ICSA-19-227-04', 'All versions < V4.8 SP2 HF9', 'V4.8 SP2 HF8', 'affected'],
    ['ICSA-19-227-04', 'All versions < V4.8 SP2 HF9', 'V4.8 SP3', 'not_affected'],
    ['ICSA-23-131-03', 'vers:all/<V20.2 HotfixRev14', 'V20.2 HF13', 'affected'],
    ['ICSA-23-103-06', 'vers:all/>=V7.80<V9.40', 'V8.0', 'affected'],
    ['ICSA-23-103-06', 'vers:all/>=V7.80<V9.40', 'V7.5', 'not_affected'],
    ['ICSA-23-103-06', 'vers:all/>=V7.80<V9.40', 'V9.40', 'not_affected'],
    ['ICSA-18-011-03', '>= 1.0 | <= 1.32', '1.32', 'affected'],
    ['ICSA-18-011-03', '>= 1.0 | <= 1.32', '1.33', 'not_affected'],
    ['ICSA-18-011-03', '>= 1.0 | <= 1.32', '0.9', 'not_affected'],
    ['ICSA-17-341-03', '< 1.99 | 2.20 | 2.40', '2.20', 'affected'],
    ['ICSA-17-341-03', '< 1.99 | 2.20 | 2.40', '2.30', 'not_affected'],
    ['ICSA-17-341-03', '< 1.99 | 2.20 | 2.40', '1.50', 'affected'],
    [
      'ICSA-19-099-03',
      'All versions between V2.5 (including) and V2.7 (excluding)',
      'V2.5',
      'affected',
    ],
    [
      'ICSA-19-099-03',
      'All versions between V2.5 (including) and V2.7 (excluding)',
      'V2.7',
      'not_affected',
    ],
    ['ICSA-18-282-05', 'All versions >= V2.0 and < V2.5', 'V2.4.9', 'affected'],
    ['ICSA-18-282-05', 'All versions >= V2.0 and < V2.5', 'V1.9', 'not_affected'],
    ['ICSA-18-018-01A', 'All versions <= V7.x', 'V7.9.2', 'affected'],
    ['ICSA-18-018-01A', 'All versions <= V7.x', 'V8.0', 'not_affected'],
    ['ICSA-18-200-02', '<=2014 R2 SP1', '2014 R2', 'affected'],
    ['ICSA-18-200-02', '<=2014 R2 SP1', '2016 R2', 'not_affected'],
    ['ICSA-18-200-02', '<=2014 R2 SP1', '3.4', 'unknown'],
    ['ICSA-17-010-01A', '< 2016 R2', '2016', 'affected'],
    ['ICSA-22-104-05', '>= V9.1 Upd 7 < V9.2 SP 1', 'V9.2', 'affected'],
    ['ICSA-22-104-05', '>= V9.1 Upd 7 < V9.2 SP 1', 'V9.1 Upd 6', 'not_affected'],
    ['ICSA-23-166-04', 'vers:all/>=V5.4<V5.5 SP1', 'V5.5', 'affected'],
    ['ICSA-23-285-14', '<=1.4.0_build221212', '1.4.0 build 221212', 'affected'],
    ['ICSA-23-285-14', '<=1.4.0_build221212', '1.4.0 build 230101', 'not_affected'],
    ['ICSA-22-242-11', '< 6.8.9 CU01', '6.8.9', 'affected'],
    ['ICSA-23-103-12', 'vers:all/<V22R2', 'V22R1', 'affected'],
    ['ICSA-20-212-04', '<= 1.06G', '1.06F', 'affected'],
    ['ICSA-20-212-04', '<= 1.06G', '1.1', 'unknown'], // dotted 1.1 < 1.06? decimal 1.1 > 1.06?
    ['ICSA-21-082-01', '< 20210204', '20201231', 'affected'],
    ['ICSA-21-082-01', '< 20210204', '2.0', 'unknown'],
    ['ICSA-22-249-04', '2.2.0 | 2.2.1', '2.2.1', 'affected'],
    ['ICSA-22-249-04', '2.2.0 | 2.2.1', '2.2.2', 'not_affected'],
    ['ICSA-18-172-01', 'EH2 | EH3 | ES2 | SS2', 'ES2', 'affected'],
    ['ICSA-18-172-01', 'EH2 | EH3 | ES2 | SS2', 'ES3', 'not_affected'],
    ['ICSA-18-172-01', 'EH2 | EH3 | ES2 | SS2', '2', 'unknown'],
    ['constructed from ICSA-17-341-03', '< 1.99 | 2.20 | A2.40', '1.50', 'affected'],
    ['constructed from ICSA-17-341-03', '< 1.99 | 2.20 | A2.40', '2.30', 'unknown'],
    ['ICSA-21-336-08', '12.0.*', '12.0.7', 'affected'],
    ['ICSA-21-336-08', '12.0.*', '12.1', 'not_affected'],
    ['ICSA-17-024-01', '< SP1 P01', 'SP1', 'affected'],
    ['ICSA-23-115-01', '<May/12/2023', '1.0', 'unknown'],
    ['ICSA-18-058-01A', 'BIOS < V22.01.04', 'V22.01.03', 'unknown'],
    ['ICSA-20-042-05', '< V3.X.17', 'V3.1.16', 'unknown'],
    ['ICSA-17-306-01', 'All versions < V8.1 SP1 with WinCC V7.3 Upd 13', 'V8.0', 'unknown'],
    ['ICSA-17-129-01', 'All versions < V7.3 Update 15', 'V7.3 HF2', 'unknown'],
    ['ICSA-17-129-01', 'All versions < V7.3 Update 15', undefined, 'unknown'],
    ['ICSA-17-129-01', 'All versions < V7.3 Update 15', 'the latest one', 'unknown'],
    // The brief's spellings, not found verbatim in the corpus:
    ['constructed', 'V2.9.4 and prior', 'V2.9.4', 'affected'],
    ['constructed', 'V2.9.4 and prior', 'V2.10', 'not_affected'],
    ['constructed', 'Firmware 1.2.3 and earlier', '1.2.2', 'affected'],
    ['constructed', 'prior to 8.0.0.0', '7.9', 'affected'],
    ['ICSA-19-353-04', 'Firmware versions prior to 8.26.4', '8.26.3', 'affected'],
    ['ICSA-19-353-04', 'Firmware versions prior to 8.26.4', '8.26.4', 'not_affected'],
    ['constructed', 'prior to 8.0.0.0', '8.0', 'not_affected'],
    ['constructed', '>= 4.0, < 4.2.1', '4.2.0', 'affected'],
    ['constructed', '>= 4.0, < 4.2.1', '4.2.1', 'not_affected'],
    ['constructed', '4.1 (SP2)', '4.1 SP2', 'affected'],
    ['constructed', 'vers:generic/>=2.0|<2.4.1', '2.4.0', 'affected'],
    ['constructed', 'vers:generic/>=2.0|<2.4.1', '2.4.1', 'not_affected'],
    ['constructed', 'vers:semver/>=1.0.0|<1.2.0', '1.1.5', 'affected'],
    ['constructed', 'vers:semver/>=1.0.0|<1.2.0', 'V1.1', 'unknown'],
    ['constructed', '2.0 and later', '2.1', 'affected'],
  ])('%s: %s with %s → %s', (_advisory, range, version, status) => {
    const verdict = matchVendorVersion(range, version, {
      exact: range === '2.2.0 | 2.2.1' || range.startsWith('EH2'),
    })
    expect(verdict.status, verdict.reason).toBe(status)
    expect(verdict.reason.length).toBeGreaterThan(0)
  })

  it("tells whether a range's own bounds order", () => {
    const read = (text: string) => {
      const parsed = parseVendorRange(text)
      if (!parsed.ok) throw new Error(parsed.reason)
      return rangeBoundsOrder(parsed.range)
    }
    expect(read('>= V9.1 Upd 7 < V9.2 SP 1')).toBe(true) // ICSA-22-104-05
    expect(read('>= V7.4 HF2 | < V7.4 Update 3')).toEqual({
      unknown:
        '>= V7.4 HF2 and < V7.4 Update 3: update qualifiers of different kinds (hotfix, update)',
    })
  })

  it('names the versions and the rule', () => {
    expect(matchVendorVersion('vers:all/<V7.0.3', 'V7.0.2')).toEqual({
      status: 'affected',
      reason: 'V7.0.2 < V7.0.3 ("vers:all/<V7.0.3")',
    })
    expect(matchVendorVersion('< A11_U05', '11.4').reason).toBe(
      '11.4 does not order against A11_U05: different prefixes ("", "a")',
    )
  })

  it.each([
    ['ICSA-23-115-01', '<May/12/2023', 'date'],
    ['ICSA-18-058-01A', 'All BIOS versions < V1.0.212N', 'other_component'],
    ['ICSA-17-306-01', 'All versions < V8.1 SP1 with WinCC V7.3 Upd 13', 'condition'],
    ['ICSA-20-042-05', '< V3.X.17', 'wildcard'],
    ['ICSA-17-033-01', '<= 1-02-08', 'version'],
    ['ICSA-22-123-01', 'No version', 'no_version'],
    ['ICSA-19-353-04', 'SCADA Web Server', 'text'],
  ])('%s: "%s" is unparsed as %s', (_advisory, range, kind) => {
    const parsed = parseVendorRange(range, { exact: true })
    expect(parsed).toMatchObject({ ok: false, kind })
  })

  it('never throws and stays fast on random and crafted text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 220 }), fc.string({ maxLength: 30 }), (range, version) => {
        const verdict = matchVendorVersion(range, version)
        expect(['affected', 'not_affected', 'unknown']).toContain(verdict.status)
      }),
      { numRuns: 3000 },
    )
    const started = performance.now()
    for (const range of ['<'.repeat(199), '< 1|'.repeat(49), 'All versions ' + 'and '.repeat(46)]) {
      matchVendorVersion(range, '1.0')
    }
    expect(performance.now() - started).toBeLessThan(100)
  })
})

const CSAF_DIR = 'cisagov-CSAF/csaf_files/OT/white'

interface Branch {
  category: string
  name: string
  branches?: Branch[]
}

describe('parse coverage on the CISA ICS advisories', () => {
  if (!sharedDataPresent(CSAF_DIR, 'the vendor range coverage')) return

  it('reads most product_version_range and product_version strings, and says what it cannot', () => {
    const root = path.join(SHARED_DATA, CSAF_DIR)
    const counts = {
      product_version_range: {
        total: 0,
        parsed: 0,
        unparsed: {} as Partial<Record<UnparsedKind, number>>,
      },
      product_version: {
        total: 0,
        parsed: 0,
        unparsed: {} as Partial<Record<UnparsedKind, number>>,
      },
    }
    let files = 0
    let unordered = 0
    const walk = (branches: Branch[]): void => {
      for (const b of branches) {
        if (b.category === 'product_version_range' || b.category === 'product_version') {
          const c = counts[b.category]
          const parsed = parseVendorRange(b.name, { exact: b.category === 'product_version' })
          c.total++
          if (parsed.ok) {
            c.parsed++
            if (rangeBoundsOrder(parsed.range) !== true) unordered++
          } else {
            c.unparsed[parsed.kind] = (c.unparsed[parsed.kind] ?? 0) + 1
          }
        }
        walk(b.branches ?? [])
      }
    }
    for (const year of fs.readdirSync(root).filter((d) => /^\d{4}$/.test(d))) {
      for (const file of fs.readdirSync(path.join(root, year))) {
        if (!file.endsWith('.json')) continue
        const doc = JSON.parse(fs.readFileSync(path.join(root, year, file), 'utf8')) as {
          product_tree?: { branches?: Branch[] }
        }
        walk(doc.product_tree?.branches ?? [])
        files++
      }
    }
    for (const [category, c] of Object.entries(counts)) {
      console.log(
        `${category}: ${c.parsed} / ${c.total} parsed (${((100 * c.parsed) / c.total).toFixed(1)}%); unparsed`,
        c.unparsed,
      )
    }
    console.log(`parsed ranges whose own bounds do not order: ${unordered}`)
    expect(files).toBe(2035)
    expect(
      counts.product_version_range.parsed / counts.product_version_range.total,
    ).toBeGreaterThan(0.9)
    expect(counts.product_version.parsed / counts.product_version.total).toBeGreaterThan(0.8)
  })
})
