import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  readJson,
  SHARED_DATA,
  sharedDataPresent,
} from '../vulnerabilities/versions/shared-data.testing.ts'
import { checkCsaf, mandatoryTests } from './csaf-checker.ts'

/* eslint-disable @typescript-eslint/no-explicit-any -- broken variants are built by poking at plain JSON */

const EXAMPLES = 'oasis-csaf-examples/csaf_2.0/examples/csaf'

/** A small, valid CSAF VEX document (the OASIS "Use Case 1 – Not Affected" example, shortened). */
function base(): any {
  return {
    document: {
      category: 'csaf_vex',
      csaf_version: '2.0',
      lang: 'en',
      notes: [{ category: 'summary', text: 'Example VEX.', title: 'Author comment' }],
      publisher: {
        category: 'vendor',
        name: 'Example Company ProductCERT',
        namespace: 'https://psirt.example.com',
      },
      title: 'Example VEX',
      tracking: {
        current_release_date: '2022-03-03T11:00:00.000Z',
        id: 'EX-1',
        initial_release_date: '2022-03-03T11:00:00.000Z',
        revision_history: [
          { date: '2022-03-03T11:00:00.000Z', number: '1', summary: 'Initial version.' },
        ],
        status: 'final',
        version: '1',
      },
    },
    product_tree: {
      branches: [
        {
          category: 'vendor',
          name: 'Example Company',
          branches: [
            {
              category: 'product_name',
              name: 'ABC',
              branches: [
                {
                  category: 'product_version',
                  name: '4.2',
                  product: { name: 'Example Company ABC 4.2', product_id: 'CSAFPID-0001' },
                },
              ],
            },
          ],
        },
      ],
      full_product_names: [{ name: 'Example Company XYZ 1.0', product_id: 'CSAFPID-0002' }],
    },
    vulnerabilities: [
      {
        cve: 'CVE-2021-44228',
        notes: [{ category: 'description', text: 'Log4Shell.', title: 'CVE description' }],
        product_status: { known_not_affected: ['CSAFPID-0001'] },
        threats: [{ category: 'impact', details: 'Class removed.', product_ids: ['CSAFPID-0001'] }],
      },
    ],
  }
}

const vuln = (doc: any) => doc.vulnerabilities[0]
const tracking = (doc: any) => doc.document.tracking
const rev = (number: string, date: string) => ({ date, number, summary: `Version ${number}.` })
const D1 = '2022-03-01T11:00:00.000Z'
const D2 = '2022-03-02T11:00:00.000Z'
const CVSS = {
  version: '3.1',
  vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
  baseScore: 10,
  baseSeverity: 'CRITICAL',
}
const ADVISORY_NOTES = [{ category: 'summary', text: 'x', title: 't' }]

/** One broken variant per mandatory test: the change that must make that test fail. */
const BROKEN: Record<string, (doc: any) => void> = {
  '6.1.1': (d) => (vuln(d).product_status.known_not_affected = ['CSAFPID-9999']),
  '6.1.2': (d) =>
    d.product_tree.full_product_names.push({ name: 'Again', product_id: 'CSAFPID-0001' }),
  '6.1.3': (d) =>
    (d.product_tree.relationships = [
      {
        category: 'installed_on',
        full_product_name: { name: 'Loop', product_id: 'CSAFPID-0003' },
        product_reference: 'CSAFPID-0003',
        relates_to_product_reference: 'CSAFPID-0001',
      },
    ]),
  '6.1.4': (d) => (vuln(d).threats[0].group_ids = ['CSAFGID-0001']),
  '6.1.5': (d) =>
    (d.product_tree.product_groups = [
      { group_id: 'CSAFGID-0001', product_ids: ['CSAFPID-0001', 'CSAFPID-0002'] },
      { group_id: 'CSAFGID-0001', product_ids: ['CSAFPID-0001', 'CSAFPID-0002'] },
    ]),
  '6.1.6': (d) => (vuln(d).product_status.known_affected = ['CSAFPID-0001']),
  '6.1.7': (d) =>
    (vuln(d).scores = [
      { products: ['CSAFPID-0001'], cvss_v3: CVSS },
      { products: ['CSAFPID-0001'], cvss_v3: { ...CVSS, baseScore: 10 } },
    ]),
  '6.1.8': (d) =>
    (vuln(d).scores = [{ products: ['CSAFPID-0001'], cvss_v3: { ...CVSS, baseSeverity: 'HUGE' } }]),
  '6.1.9': (d) =>
    (vuln(d).scores = [{ products: ['CSAFPID-0001'], cvss_v3: { ...CVSS, baseScore: 5 } }]),
  '6.1.10': (d) =>
    (vuln(d).scores = [
      { products: ['CSAFPID-0001'], cvss_v3: { ...CVSS, attackVector: 'LOCAL' } },
    ]),
  '6.1.11': (d) => (vuln(d).cwe = { id: 'CWE-79', name: 'Not the name of CWE-79' }),
  '6.1.12': (d) => (d.document.lang = 'EZ'),
  '6.1.13': (d) =>
    (d.product_tree.full_product_names[0].product_identification_helper = {
      purl: 'pkg:maven/@1.3.4',
    }),
  '6.1.14': (d) => {
    tracking(d).revision_history = [rev('2', D1), rev('1', D2)]
    tracking(d).version = '2'
  },
  '6.1.15': (d) => (d.document.publisher.category = 'translator'),
  '6.1.16': (d) => (tracking(d).version = '2'),
  '6.1.17': (d) => {
    tracking(d).version = '0'
    tracking(d).revision_history = [rev('0', D1)]
  },
  '6.1.18': (d) => (tracking(d).revision_history = [rev('0', D1), rev('1', D2)]),
  '6.1.19': (d) => {
    tracking(d).revision_history = [rev('1.0.0-rc', D1), rev('1.0.0', D2)]
    tracking(d).version = '1.0.0'
  },
  '6.1.20': (d) => {
    tracking(d).revision_history = [rev('1.0.0-alpha', D1)]
    tracking(d).version = '1.0.0-alpha'
  },
  '6.1.21': (d) => {
    tracking(d).revision_history = [rev('1', D1), rev('3', D2)]
    tracking(d).version = '3'
  },
  '6.1.22': (d) => (tracking(d).revision_history = [rev('1', D1), rev('1', D2)]),
  '6.1.23': (d) => d.vulnerabilities.push(structuredClone(vuln(d))),
  '6.1.24': (d) =>
    (vuln(d).involvements = [
      { party: 'vendor', status: 'completed', date: D1 },
      { party: 'vendor', status: 'in_progress', date: D1 },
    ]),
  '6.1.25': (d) =>
    (d.product_tree.full_product_names[0].product_identification_helper = {
      hashes: [
        {
          filename: 'a.bin',
          file_hashes: [
            { algorithm: 'sha256', value: '0'.repeat(64) },
            { algorithm: 'sha256', value: '1'.repeat(64) },
          ],
        },
      ],
    }),
  '6.1.26': (d) => (d.document.category = 'Csaf_a'),
  '6.1.27.1': (d) => {
    d.document.category = 'csaf_security_incident_response'
    d.document.notes = [{ category: 'other', text: 'x', title: 't' }]
  },
  '6.1.27.2': (d) => (d.document.category = 'csaf_security_incident_response'),
  '6.1.27.3': (d) => (d.document.category = 'csaf_informational_advisory'),
  '6.1.27.4': (d) => {
    d.document.category = 'csaf_security_advisory'
    delete d.product_tree
    delete vuln(d).product_status
    delete vuln(d).threats
  },
  '6.1.27.5': (d) => {
    d.document.category = 'csaf_security_advisory'
    delete vuln(d).notes
  },
  '6.1.27.6': (d) => {
    d.document.category = 'csaf_security_advisory'
    d.document.notes = ADVISORY_NOTES
    delete vuln(d).product_status
    delete vuln(d).threats
  },
  '6.1.27.7': (d) => {
    vuln(d).product_status = { recommended: ['CSAFPID-0001'] }
    delete vuln(d).threats
  },
  '6.1.27.8': (d) => delete vuln(d).cve,
  '6.1.27.9': (d) => delete vuln(d).threats,
  '6.1.27.10': (d) => (vuln(d).product_status.known_affected = ['CSAFPID-0002']),
  '6.1.27.11': (d) => delete d.vulnerabilities,
  '6.1.28': (d) => {
    d.document.lang = 'en'
    d.document.source_lang = 'en'
  },
  '6.1.29': (d) => (vuln(d).remediations = [{ category: 'mitigation', details: 'Turn it off.' }]),
  '6.1.30': (d) => {
    tracking(d).revision_history = [rev('1', D1), rev('2.0.0', D2)]
    tracking(d).version = '2.0.0'
  },
  '6.1.31': (d) => (d.product_tree.branches[0].branches[0].branches[0].name = '<4.2'),
  '6.1.32': (d) => (vuln(d).flags = [{ label: 'component_not_present' }]),
  '6.1.33': (d) =>
    (vuln(d).flags = [
      { label: 'component_not_present', product_ids: ['CSAFPID-0001'] },
      { label: 'vulnerable_code_not_present', product_ids: ['CSAFPID-0001'] },
    ]),
}

describe('checkCsaf', () => {
  it('knows every mandatory test of CSAF 2.0 section 6.1', async () => {
    expect((await mandatoryTests()).map((t) => t.id)).toEqual(Object.keys(BROKEN))
  })

  it('passes the valid base document', async () => {
    expect(await checkCsaf(base())).toEqual([])
  })

  for (const [id, breakIt] of Object.entries(BROKEN)) {
    it(`catches a document that fails ${id}`, async () => {
      const doc = base()
      breakIt(doc)
      const problems = await checkCsaf(doc)
      expect(problems.map((p) => p.test)).toContain(id)
      for (const p of problems) expect(typeof p.pointer).toBe('string')
    })
  }

  it('names the schema problem with a pointer', async () => {
    const doc = base()
    delete doc.document.title
    expect(await checkCsaf(doc)).toContainEqual({
      test: 'schema',
      pointer: '/document',
      message: 'missing required property "title"',
    })
  })

  it('does not throw on arbitrary JSON', async () => {
    for (const value of [null, 1, 'x', [], {}, { document: 1 }, { vulnerabilities: [null] }]) {
      expect((await checkCsaf(value)).length).toBeGreaterThan(0)
    }
  })

  if (sharedDataPresent(EXAMPLES, 'the OASIS CSAF 2.0 examples')) {
    const dir = path.join(SHARED_DATA, EXAMPLES)
    const files = [
      ...fs.readdirSync(dir).filter((f) => f.endsWith('.json')),
      ...fs.readdirSync(path.join(dir, 'csaf_vex')).map((f) => `csaf_vex/${f}`),
    ]
    it.each(files)('passes the official example %s', async (file) => {
      expect(await checkCsaf(readJson(path.join(dir, file)))).toEqual([])
    })
  }
})
