import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SHARED_DATA, sharedDataPresent } from '../../versions/shared-data.testing.ts'
import { countVendorStrings } from './list-vendors.ts'
import {
  buildVendorAliases,
  compactModelNumber,
  extractModelNumbers,
  mechanicalVendorKey,
  normaliseProductName,
  productWords,
  repairMojibake,
  VENDOR_ALIASES_FILE,
  vendorKeys,
} from './normalise.ts'

describe('vendor keys', () => {
  it.each([
    // Spellings from the CISA corpus (advisory where each occurs) and from manufacturers.
    ['ICSA-18-079-02', 'Siemens', ['siemens']],
    ['manufacturer', 'Siemens AG', ['siemens']],
    ['ICSA-17-124-01', 'Schneider Electric', ['schneider-electric']],
    ['ICSA-17-124-01', 'Schneider Electric ', ['schneider-electric']],
    ['manufacturer', 'Schneider Electric SE', ['schneider-electric']],
    ['ICSA-17-250-01', 'Schneider Electric Software, LLC', ['schneider-electric']],
    ['ICSA-17-094-05', 'Rockwell Automation ', ['rockwell-automation']],
    ['manufacturer', 'Allen-Bradley', ['rockwell-automation']],
    ['ICSA-18-184-02', 'Mitsubishi Electric Corporation', ['mitsubishi-electric']],
    ['ICSA-21-021-01', 'Mitsubishi Electric India', ['mitsubishi-electric']],
    ['ICSA-22-034-01', ' Hitachi Energy', ['hitachi-energy']],
    ['ICSA-17-096-01', 'ABB', ['abb']],
    ['ICSA-19-164-01', 'Johnson Controls Inc.', ['johnson-controls']],
    ['ICSA-17-278-01', 'Delta Electronics', ['delta-electronics']],
    ['ICSA-20-091-01', 'Delta Controls', ['delta-controls']],
    ['ICSA-21-119-04', 'Pilz GmbH & Co. KG (Pilz)', ['pilz']],
    ['ICSA-19-255-01', 'GeutebrÃ¼ck GmbH', ['geutebruck']],
    ['ICSA-18-263-03', 'Control By Web', ['controlbyweb']],
    ['ICSA-22-034-02', 'Matrikon, Honeywell', ['matrikon', 'honeywell']],
    [
      'ICSA-22-228-03',
      'Sensormatic Electronics, LLC, Johnson Controls Inc.',
      ['sensormatic', 'johnson-controls'],
    ],
    ['ICSA-21-096-01', 'multiple', []],
    ['constructed', '', []],
  ])('%s: %s', (_source, vendor, keys) => {
    expect(vendorKeys(vendor)).toEqual(keys)
  })

  it('keeps the mechanical step to case, accents, punctuation and legal forms', () => {
    expect(mechanicalVendorKey('Becton, Dickinson and Company (BD)')).toBe('becton-dickinson')
    expect(mechanicalVendorKey('Dräger')).toBe('drager')
    expect(mechanicalVendorKey('Inc.')).toBe('inc')
    expect(repairMojibake('LeÃ£o')).toBe('Leão')
    expect(repairMojibake('Weidmüller')).toBe('Weidmüller')
  })

  it('has a consistent alias table: keys unique, no spelling claimed by two vendors', () => {
    const file = JSON.parse(fs.readFileSync(VENDOR_ALIASES_FILE, 'utf8')) as {
      vendors: { key: string; name: string; aliases: string[] }[]
      several: { text: string; keys: string[] }[]
    }
    const keys = file.vendors.map((v) => v.key)
    expect(new Set(keys).size).toBe(keys.length)
    for (const key of keys) expect(key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
    const owner = new Map<string, string>()
    for (const v of file.vendors) {
      for (const spelling of [v.key, v.name, ...v.aliases]) {
        const k = mechanicalVendorKey(spelling).replace(/-/g, '')
        expect(owner.get(k) ?? v.key, `${spelling} is claimed twice`).toBe(v.key)
        owner.set(k, v.key)
      }
    }
    const aliases = buildVendorAliases({ ...file, notVendors: [] })
    expect(aliases.names.get('rockwell-automation')).toBe('Rockwell Automation')
  })
})

describe('product names', () => {
  it.each([
    [
      'ICSA-18-079-02',
      'SIMATIC S7-1500 CPU family (incl. related ET200 CPUs and SIPLUS variants)',
      'simatic s7-1500 cpu family',
    ],
    [
      'ICSA-18-079-02',
      ' SIMATIC S7-400 CPU 414-3 PN/DP V7 (6ES7414-3EM07-0AB0)',
      'simatic s7-400 cpu 414-3 pn/dp v7',
    ],
    ['constructed', 'SIMATIC® S7‑1500 — CPU 1518-4 PN/DP™', 'simatic s7-1500 cpu 1518-4 pn/dp'],
    ['ICSA-23-005-01', 'Intuition 9', 'intuition 9'],
  ])('%s: %s', (_source, name, normal) => {
    expect(normaliseProductName(name)).toBe(normal)
  })

  it('leaves out the vendor name and generic words', () => {
    expect(normaliseProductName('Siemens SIMATIC S7-1500', 'Siemens AG')).toBe('simatic s7-1500')
    expect(productWords('SIMATIC S7-1500 CPU family')).toEqual(['simatic', 's7-1500', 'cpu'])
  })

  it('extracts model and order numbers, not versions', () => {
    expect(extractModelNumbers(' SIMATIC S7-400 CPU 414-3 PN/DP V7 (6ES7414-3EM07-0AB0)')).toEqual([
      'S7400',
      '4143',
      '6ES74143EM070AB0',
    ])
    expect(extractModelNumbers('ControlLogix 1756-EN2T V10.007')).toEqual(['1756EN2T'])
    expect(compactModelNumber('6ES7 414-3em07-0ab0')).toBe('6ES74143EM070AB0')
  })

  it('never throws on odd text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (s) => {
        vendorKeys(s)
        normaliseProductName(s, s)
        extractModelNumbers(s)
      }),
      { numRuns: 2000 },
    )
  })
})

const CISA = 'cisagov-CSAF/csaf_files/OT/white'

describe('vendor strings of the CISA ICS advisories', () => {
  if (!sharedDataPresent(CISA, 'the vendor alias coverage')) return

  it('maps every raw vendor string to canonical vendors', () => {
    const counts = countVendorStrings(path.join(SHARED_DATA, CISA))
    const canonical = new Set<string>()
    let several = 0
    let none = 0
    let byTable = 0
    for (const raw of counts.keys()) {
      const keys = vendorKeys(raw)
      if (keys.length > 1) several++
      if (keys.length === 0) none++
      if (keys.length !== 1 || keys[0] !== mechanicalVendorKey(raw)) byTable++
      keys.forEach((k) => canonical.add(k))
    }
    console.log(
      `${counts.size} raw vendor strings → ${canonical.size} canonical vendors ` +
        `(${byTable} mapped by the alias table, ${several} name several vendors, ${none} name none)`,
    )
    expect(counts.size).toBe(434)
    for (const [raw, key] of [
      ['Siemens', 'siemens'],
      ['Schneider Electric Software, LLC', 'schneider-electric'],
      ['Mitsubishi Electric Corporation', 'mitsubishi-electric'],
      ['Hitachi Energy ', 'hitachi-energy'],
    ]) {
      expect(vendorKeys(raw ?? '')).toEqual([key])
    }
  })
})
