import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readJson, SHARED_DATA, sharedDataPresent } from '../versions/shared-data.testing.ts'
import { type CsafLeaf, flattenProductTree, resolveVulnerabilities } from './csaf/product-tree.ts'
import {
  assessVulnerabilities,
  findCandidates,
  indexLeaves,
  matchProductToAdvisory,
  type ProductDescription,
} from './product-match.ts'

/** Leaves and statuses copied from ICSA-18-079-02 (CVE-2018-4843), trimmed. */
const DOC = {
  product_tree: {
    branches: [
      {
        category: 'vendor',
        name: 'Siemens',
        branches: [
          {
            category: 'product_name',
            name: ' SIMATIC S7-400 CPU 414-3 PN/DP V7 (6ES7414-3EM07-0AB0)',
            branches: [
              {
                category: 'product_version_range',
                name: 'vers:all/<V7.0.3',
                product: {
                  name: 'Siemens SIMATIC S7-400 CPU 414-3 PN/DP V7 (6ES7414-3EM07-0AB0) vers:all/<V7.0.3',
                  product_id: 'CSAFPID-0001',
                  product_identification_helper: { model_numbers: ['6ES7414-3EM07-0AB0'] },
                },
              },
            ],
          },
          {
            category: 'product_name',
            name: 'SIMATIC S7-1500 CPU family (incl. related ET200 CPUs and SIPLUS variants)',
            branches: [
              {
                category: 'product_version_range',
                name: 'vers:all/<V1.7.0',
                product: { name: 'S7-1500 CPU family', product_id: 'CSAFPID-00015' },
              },
            ],
          },
          {
            category: 'product_name',
            name: 'SIMATIC S7-1500 Software Controller',
            branches: [
              {
                category: 'product_version_range',
                name: 'vers:all/<V1.7.0',
                product: { name: 'S7-1500 Software Controller', product_id: 'CSAFPID-00016' },
              },
            ],
          },
          {
            category: 'product_name',
            name: 'Softnet PROFINET IO for PC-based Windows systems',
            branches: [
              {
                category: 'product_version_range',
                name: 'vers:all/*',
                product: { name: 'Softnet PROFINET IO', product_id: 'CSAFPID-00045' },
              },
            ],
          },
          {
            category: 'product_name',
            name: 'SINUMERIK 828D',
            branches: [
              {
                category: 'product_version_range',
                name: 'All versions < V4.7 SP6 HF1',
                product: { name: 'SINUMERIK 828D', product_id: 'CSAFPID-00033' },
              },
            ],
          },
        ],
      },
    ],
  },
  vulnerabilities: [
    {
      cve: 'CVE-2018-4843',
      product_status: {
        known_affected: ['CSAFPID-0001', 'CSAFPID-00015', 'CSAFPID-00016', 'CSAFPID-00045'],
        under_investigation: ['CSAFPID-00033'],
      },
      remediations: [
        { category: 'vendor_fix', details: 'Update to V7.0.3', product_ids: ['CSAFPID-0001'] },
        { category: 'no_fix_planned', details: 'None', product_ids: ['CSAFPID-00045'] },
      ],
    },
    {
      cve: 'CVE-2000-0001',
      product_status: { fixed: ['CSAFPID-00016'] },
    },
  ],
}

const tree = flattenProductTree(DOC)
const { vulnerabilities } = resolveVulnerabilities(DOC, tree)
const findings = (product: ProductDescription) =>
  matchProductToAdvisory(product, tree, vulnerabilities)

describe('matching a registered product to CSAF leaves', () => {
  it('vendor and model number: high confidence, version in range → affected, with why', () => {
    const [finding, ...rest] = findings({
      vendor: 'Siemens AG',
      product: 'S7-400 CPU 414-3',
      modelNumbers: ['6ES7 414-3EM07-0AB0'],
      version: 'V7.0.2',
    })
    expect(rest).toEqual([])
    expect(finding).toMatchObject({
      cve: 'CVE-2018-4843',
      productId: 'CSAFPID-0001',
      status: 'affected',
      confidence: 'high',
      rule: 'vendor+model_number',
      keys: { vendor: 'siemens', matched: '6ES74143EM070AB0' },
      range: 'vers:all/<V7.0.3',
      productStatuses: ['known_affected'],
      remediations: [{ category: 'vendor_fix' }],
    })
    expect(finding?.reason).toBe(
      'listed as known_affected; V7.0.2 < V7.0.3 ("vers:all/<V7.0.3"); ' +
        'vendor+model_number (high: 6ES74143EM070AB0)',
    )
  })

  it('the fixed version is not affected', () => {
    expect(
      findings({
        vendor: 'Siemens',
        product: 'x',
        modelNumbers: ['6ES7414-3EM07-0AB0'],
        version: 'V7.0.3',
      }),
    ).toMatchObject([{ status: 'not_affected', confidence: 'high' }])
  })

  it('vendor and product name: medium; vendor and family: low', () => {
    const controller = findings({
      vendor: 'Siemens',
      product: 'SIMATIC S7-1500 Software Controller',
      version: 'V1.6',
    })
    expect(controller.map((f) => [f.cve, f.productId, f.status, f.confidence, f.rule])).toEqual([
      ['CVE-2018-4843', 'CSAFPID-00016', 'affected', 'medium', 'vendor+product_name'],
      ['CVE-2000-0001', 'CSAFPID-00016', 'not_affected', 'medium', 'vendor+product_name'],
    ])
    const cpu = findings({
      vendor: 'Siemens',
      product: 'SIMATIC S7-1500 CPU 1518-4 PN/DP',
      version: 'V2.0',
    })
    expect(cpu).toMatchObject([
      {
        productId: 'CSAFPID-00015',
        status: 'not_affected',
        confidence: 'low',
        rule: 'vendor+product_family',
        keys: { matched: 'cpu s7-1500 simatic' },
      },
    ])
  })

  it('a fixed listing makes a matching version not affected', () => {
    const controller = findings({
      vendor: 'Siemens',
      product: 'SIMATIC S7-1500 Software Controller',
      version: 'V1.0',
    })
    expect(controller.find((f) => f.cve === 'CVE-2000-0001')).toMatchObject({
      status: 'not_affected',
      productStatuses: ['fixed'],
    })
  })

  it('reports unknowns for review instead of dropping them', () => {
    const noVersion = findings({
      vendor: 'Siemens',
      product: 'SIMATIC S7-1500 Software Controller',
    })
    expect(noVersion[0]).toMatchObject({ status: 'unknown' })
    expect(noVersion[0]?.reason).toContain('no version given')
    const otherScheme = findings({
      vendor: 'Siemens',
      product: 'SIMATIC S7-1500 Software Controller',
      version: '2019-05',
    })
    expect(otherScheme[0]).toMatchObject({ status: 'unknown' })
    const investigated = findings({
      vendor: 'Siemens',
      product: 'SINUMERIK 828D',
      version: 'V4.7 SP5',
    })
    expect(investigated).toMatchObject([
      { status: 'unknown', productStatuses: ['under_investigation'] },
    ])
    const all = findings({
      vendor: 'Siemens',
      product: 'Softnet PROFINET IO for PC-based Windows systems',
    })
    expect(all).toMatchObject([
      { status: 'affected', remediations: [{ category: 'no_fix_planned' }] },
    ])
  })

  it('never matches another vendor, nor a bare brand word', () => {
    expect(
      findings({
        vendor: 'Schneider Electric',
        product: 'SIMATIC S7-1500 Software Controller',
        version: 'V1.0',
      }),
    ).toEqual([])
    expect(findings({ vendor: 'Siemens', product: 'SIMATIC', version: 'V1.0' })).toEqual([])
  })

  it('a family name given as model number is not high confidence', () => {
    const result = findings({
      vendor: 'Siemens',
      product: 'SIMATIC S7-1500 CPU 1518-4 PN/DP',
      modelNumbers: ['S7-1500'],
      version: 'V1.0',
    })
    expect(result.map((f) => [f.productId, f.confidence, f.rule])).toEqual([
      ['CSAFPID-00015', 'low', 'vendor+product_family'],
    ])
  })

  it('never throws on odd product descriptions (fuzz)', () => {
    const index = indexLeaves(tree.leaves)
    const text = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.constantFrom('Siemens', 'SIMATIC S7-1500'),
    )
    fc.assert(
      fc.property(
        text,
        text,
        fc.array(text, { maxLength: 3 }),
        fc.option(text),
        (vendor, product, models, version) => {
          const candidates = findCandidates(
            { vendor, product, modelNumbers: models, ...(version === null ? {} : { version }) },
            index,
          )
          assessVulnerabilities(candidates, vulnerabilities)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('an SBOM component without supplier matches by exact name at low confidence', () => {
    const candidates = findCandidates(
      { vendor: '', product: 'SIMATIC S7-1500 Software Controller', version: 'V1.6' },
      indexLeaves(tree.leaves),
    )
    expect(candidates.map((c) => [c.leaf.productId, c.confidence, c.rule])).toEqual([
      ['CSAFPID-00016', 'low', 'product_name_only'],
    ])
    expect(assessVulnerabilities(candidates, vulnerabilities)[0]?.status).toBe('affected')
  })
})

describe('matching against every leaf of the CISA ICS advisories', () => {
  const CISA = 'cisagov-CSAF/csaf_files/OT/white'
  if (!sharedDataPresent(CISA, 'the product matching measurement')) return

  it('finds each leaf from its own vendor and product name, and counts the version answers', () => {
    const root = path.join(SHARED_DATA, CISA)
    const leaves: CsafLeaf[] = []
    for (const year of fs.readdirSync(root).filter((d) => /^\d{4}$/.test(d))) {
      for (const file of fs.readdirSync(path.join(root, year)).filter((f) => f.endsWith('.json'))) {
        leaves.push(...flattenProductTree(readJson<unknown>(path.join(root, year, file))).leaves)
      }
    }
    const started = performance.now()
    const index = indexLeaves(leaves)
    const indexMs = performance.now() - started
    const statuses = { affected: 0, not_affected: 0, unknown: 0 }
    let found = 0
    let candidates = 0
    const queried = leaves.filter((_, i) => i % 10 === 0)
    const matchStarted = performance.now()
    for (const leaf of queried) {
      const result = findCandidates(
        {
          vendor: leaf.vendor,
          product: leaf.product,
          modelNumbers: leaf.modelNumbers,
          version: 'V1.0',
        },
        index,
      )
      candidates += result.length
      const self = result.find((c) => c.leaf === leaf)
      if (self) {
        found++
        statuses[self.version.status]++
      }
    }
    const matchMs = performance.now() - matchStarted
    console.log(
      `${leaves.length} leaves indexed in ${indexMs.toFixed(0)} ms; ${queried.length} queries in ` +
        `${matchMs.toFixed(0)} ms, ${found} found themselves, ${(candidates / queried.length).toFixed(1)} ` +
        `candidates each; version V1.0 against their own range:`,
      statuses,
    )
    // Leaves of 'multiple' or 'n/a' vendors are found too, by exact name (product_name_only).
    expect(found).toBe(queried.length)
  })
})
