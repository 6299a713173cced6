import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readJson, SHARED_DATA, sharedDataPresent } from '../../versions/shared-data.testing.ts'
import { flattenProductTree, resolveVulnerabilities, statusesOf } from './product-tree.ts'

/** A small document with every product_tree feature (facts from ICSA-20-161-04 and RHSA-2021:5186). */
const DOC = {
  product_tree: {
    branches: [
      {
        category: 'vendor',
        name: 'Siemens',
        branches: [
          {
            category: 'product_family',
            name: 'SIMATIC S7-1500',
            branches: [
              {
                category: 'product_name',
                name: 'SIMATIC S7-1500 CPU 1518-4 PN/DP',
                branches: [
                  {
                    category: 'architecture',
                    name: 'MFP',
                    branches: [
                      {
                        category: 'product_version_range',
                        name: 'vers:all/<V2.9.2',
                        product: {
                          name: 'SIMATIC S7-1500 CPU 1518-4 PN/DP MFP < V2.9.2',
                          product_id: 'CSAFPID-0001',
                          product_identification_helper: {
                            model_numbers: ['6ES7518-4AX00-1AB0'],
                            skus: ['6ES7518-4AX00-1AB0'],
                          },
                        },
                      },
                    ],
                  },
                ],
              },
              {
                category: 'product_name',
                name: 'SIMATIC S7-1500 Software Controller',
                branches: [
                  {
                    category: 'product_version',
                    name: 'V21.9',
                    product: {
                      name: 'S7-1500 Software Controller V21.9',
                      product_id: 'CSAFPID-0002',
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
    full_product_names: [
      {
        name: 'Red Hat Enterprise Linux 8',
        product_id: 'RHEL-8',
        product_identification_helper: { cpe: 'cpe:/o:redhat:enterprise_linux:8' },
      },
      {
        name: 'openssl 1.1.1k',
        product_id: 'openssl-1.1.1k',
        product_identification_helper: { purl: 'pkg:rpm/redhat/openssl@1.1.1k' },
      },
    ],
    relationships: [
      {
        category: 'default_component_of',
        product_reference: 'openssl-1.1.1k',
        relates_to_product_reference: 'RHEL-8',
        full_product_name: {
          name: 'openssl 1.1.1k as a component of RHEL 8',
          product_id: 'RHEL-8:openssl',
        },
      },
      {
        category: 'installed_on',
        product_reference: 'nothing',
        relates_to_product_reference: 'RHEL-8',
      },
    ],
    product_groups: [{ group_id: 'CSAFGID-1', product_ids: ['CSAFPID-0001', 'CSAFPID-0002'] }],
  },
  vulnerabilities: [
    {
      cve: 'CVE-2020-7587',
      ids: [{ system_name: 'Siemens', text: 'SSA-232418' }],
      product_status: { known_affected: ['CSAFPID-0001'], fixed: ['CSAFPID-0002'] },
      remediations: [
        {
          category: 'vendor_fix',
          details: 'Update to V2.9.2',
          group_ids: ['CSAFGID-1'],
          url: 'https://example.com',
        },
        {
          category: 'mitigation',
          details: 'Restrict access',
          product_ids: ['CSAFPID-0001', 'CSAFPID-9'],
        },
      ],
      flags: [{ label: 'component_not_present', product_ids: ['RHEL-8:openssl'] }],
    },
    'not a vulnerability',
  ],
}

describe('flattenProductTree', () => {
  const tree = flattenProductTree(DOC)

  it('walks branches at any depth and keeps the nearest vendor, family, product and range', () => {
    expect(tree.byId.get('CSAFPID-0001')).toMatchObject({
      vendor: 'Siemens',
      productFamily: 'SIMATIC S7-1500',
      product: 'SIMATIC S7-1500 CPU 1518-4 PN/DP',
      range: 'vers:all/<V2.9.2',
      attributes: { architecture: 'MFP' },
      modelNumbers: ['6ES7518-4AX00-1AB0'],
      skus: ['6ES7518-4AX00-1AB0'],
      source: 'branch',
      pointer: '/product_tree/branches/0/branches/0/branches/0/branches/0/branches/0/product',
    })
    expect(tree.byId.get('CSAFPID-0001')?.path.map((s) => s.category)).toEqual([
      'vendor',
      'product_family',
      'product_name',
      'architecture',
      'product_version_range',
    ])
    expect(tree.byId.get('CSAFPID-0002')).toMatchObject({ version: 'V21.9', source: 'branch' })
  })

  it('reads full_product_names and relationships (the component gives vendor and version)', () => {
    expect(tree.byId.get('RHEL-8')).toMatchObject({ cpe: 'cpe:/o:redhat:enterprise_linux:8' })
    expect(tree.byId.get('RHEL-8:openssl')).toMatchObject({
      source: 'relationship',
      purl: 'pkg:rpm/redhat/openssl@1.1.1k',
      relationship: {
        category: 'default_component_of',
        component: 'openssl-1.1.1k',
        platform: 'RHEL-8',
      },
    })
    expect(tree.groups.get('CSAFGID-1')).toEqual(['CSAFPID-0001', 'CSAFPID-0002'])
    expect(tree.problems).toEqual([
      {
        pointer: '/product_tree/relationships/1',
        message: 'relationship refers to an unknown product',
      },
    ])
  })

  it('never throws on random JSON shaped like a product tree (fuzz)', () => {
    const branch = fc.letrec((tie) => ({
      branch: fc.record(
        {
          category: fc.oneof(
            fc.constantFrom('vendor', 'product_name', 'product_version'),
            fc.anything(),
          ),
          name: fc.oneof(fc.string(), fc.anything()),
          product: fc.oneof(
            fc.record({
              product_id: fc.oneof(fc.constantFrom('A', 'B'), fc.anything()),
              name: fc.string(),
            }),
            fc.anything(),
          ),
          branches: fc.oneof(fc.array(tie('branch'), { maxLength: 3 }), fc.anything()),
        },
        { requiredKeys: [] },
      ),
    })).branch
    const doc = fc.record({
      product_tree: fc.oneof(
        fc.record({
          branches: fc.array(branch, { maxLength: 3 }),
          relationships: fc.array(fc.anything(), { maxLength: 3 }),
          product_groups: fc.anything(),
        }),
        fc.anything(),
      ),
      vulnerabilities: fc.oneof(fc.array(fc.anything(), { maxLength: 3 }), fc.anything()),
    })
    fc.assert(
      fc.property(doc, (d) => {
        const tree = flattenProductTree(d)
        resolveVulnerabilities(d, tree)
      }),
      { numRuns: 500 },
    )
  })

  it('never throws on odd shapes', () => {
    for (const doc of [
      null,
      1,
      'x',
      [],
      { product_tree: [] },
      { product_tree: { branches: 'x' } },
    ]) {
      expect(flattenProductTree(doc).leaves).toEqual([])
      expect(resolveVulnerabilities(doc).vulnerabilities).toEqual([])
    }
    let deep: Record<string, unknown> = {
      category: 'product_version',
      name: '1',
      product: { product_id: 'deep', name: 'd' },
    }
    for (let i = 0; i < 100; i++) deep = { category: 'vendor', name: `v${i}`, branches: [deep] }
    const t = flattenProductTree({ product_tree: { branches: [deep] } })
    expect(t.leaves).toEqual([])
    expect(t.problems[0]?.message).toBe('branches deeper than 32')
  })
})

describe('resolveVulnerabilities', () => {
  const { vulnerabilities, problems } = resolveVulnerabilities(DOC)

  it('resolves statuses, remediations (groups expanded) and flags to product ids', () => {
    const [first] = vulnerabilities
    expect(first).toMatchObject({
      cve: 'CVE-2020-7587',
      ids: ['Siemens:SSA-232418'],
      statuses: { known_affected: ['CSAFPID-0001'], fixed: ['CSAFPID-0002'] },
      flags: [{ label: 'component_not_present', productIds: ['RHEL-8:openssl'] }],
    })
    expect(first?.remediations.map((r) => [r.category, r.productIds])).toEqual([
      ['vendor_fix', ['CSAFPID-0001', 'CSAFPID-0002']],
      ['mitigation', ['CSAFPID-0001', 'CSAFPID-9']],
    ])
    expect(statusesOf(first!, 'CSAFPID-0002')).toEqual(['fixed'])
    expect(problems).toEqual([
      { pointer: '/vulnerabilities/0/remediations/1', message: 'unknown product CSAFPID-9' },
    ])
  })
})

describe('real documents', () => {
  const EXAMPLES = 'oasis-csaf-examples/csaf_2.0/examples/csaf'
  if (sharedDataPresent(EXAMPLES, 'the OASIS CSAF examples')) {
    it('reads the OASIS examples, relationships included (RHSA-2021:5186)', () => {
      const doc = readJson<unknown>(path.join(SHARED_DATA, EXAMPLES, 'rhsa-2021_5186.json'))
      const tree = flattenProductTree(doc)
      expect(tree.problems).toEqual([])
      const related = tree.leaves.filter((l) => l.source === 'relationship')
      expect(related).toHaveLength(3)
      expect(related[0]).toMatchObject({
        vendor: 'Red Hat',
        relationship: { platform: '8Base-RHOSE-4.6' },
      })
      const { vulnerabilities, problems } = resolveVulnerabilities(doc, tree)
      expect(problems).toEqual([])
      expect(vulnerabilities[0]?.statuses.known_not_affected).toHaveLength(2)
    })
  }

  const CISA = 'cisagov-CSAF/csaf_files/OT/white'
  if (sharedDataPresent(CISA, 'the CISA ICS advisories')) {
    it('flattens all 2,035 CISA ICS advisories and resolves every status to a leaf', () => {
      const root = path.join(SHARED_DATA, CISA)
      let files = 0
      let leaves = 0
      let vulnerabilityCount = 0
      let knownAffected = 0
      let problems = 0
      const remediationIds = new Map<string, number>()
      for (const year of fs.readdirSync(root).filter((d) => /^\d{4}$/.test(d))) {
        for (const file of fs
          .readdirSync(path.join(root, year))
          .filter((f) => f.endsWith('.json'))) {
          const doc = readJson<unknown>(path.join(root, year, file))
          const tree = flattenProductTree(doc)
          const resolved = resolveVulnerabilities(doc, tree)
          files++
          leaves += tree.leaves.length
          problems += tree.problems.length + resolved.problems.length
          for (const v of resolved.vulnerabilities) {
            vulnerabilityCount++
            knownAffected += v.statuses.known_affected?.length ?? 0
            for (const r of v.remediations) {
              remediationIds.set(
                r.category,
                (remediationIds.get(r.category) ?? 0) + r.productIds.length,
              )
            }
          }
        }
      }
      console.log(
        `CISA CSAF: ${files} files, ${leaves} leaves, ${vulnerabilityCount} vulnerabilities, ` +
          `${knownAffected} known_affected refs, ${problems} problems; remediation refs`,
        Object.fromEntries(remediationIds),
      )
      expect(files).toBe(2035)
      expect(leaves).toBe(13541)
      expect(knownAffected).toBe(34656)
    })
  }
})
