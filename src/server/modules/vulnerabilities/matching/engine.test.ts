import { describe, expect, it } from 'vitest'
import type { CsafLeaf } from './csaf/product-tree.ts'
import {
  candidateKeys,
  matchComponents,
  PRODUCT_KEY,
  purlKeysOfOsvPackage,
  type CsafCandidate,
  type MatchCandidates,
  type OsvCandidate,
} from './engine.ts'

const leaf = (over: Partial<CsafLeaf>): CsafLeaf => ({
  productId: 'P1',
  name: '',
  vendor: '',
  productFamily: '',
  product: '',
  attributes: {},
  modelNumbers: [],
  skus: [],
  serialNumbers: [],
  path: [],
  source: 'branch',
  pointer: '',
  ...over,
})

const goRecord: OsvCandidate = {
  source: 'osv',
  advisoryId: 'GO-2022-0969',
  aliases: ['CVE-2022-27664', 'GHSA-69cg-p879-7622'],
  affected: [
    {
      package: { ecosystem: 'Go', name: 'golang.org/x/net' },
      ranges: [
        {
          type: 'SEMVER',
          events: [{ introduced: '0' }, { fixed: '0.0.0-20220906165146-f3363e06e74c' }],
        },
      ],
    },
  ],
}

const debianRecord: OsvCandidate = {
  source: 'osv',
  advisoryId: 'DSA-5343-1',
  aliases: ['CVE-2023-0286'],
  severity: 'high',
  cvssScore: 7.4,
  affected: [
    {
      package: { ecosystem: 'Debian:11', name: 'openssl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1n-0+deb11u4' }] }],
    },
  ],
}

const csafCpe: CsafCandidate = {
  source: 'csaf',
  advisoryId: 'EXAMPLE-CPE-1',
  aliases: ['CVE-2024-0001'],
  leaves: [
    leaf({
      productId: 'CPE-1',
      vendor: 'Example',
      product: 'Router OS',
      range: 'vers:generic/<2.4.1',
      cpe: 'cpe:2.3:o:example:router_os:*:*:*:*:*:*:*:*',
    }),
  ],
  vulnerabilities: [
    {
      index: 0,
      cve: 'CVE-2024-0001',
      ids: [],
      statuses: { known_affected: ['CPE-1'] },
      remediations: [],
      flags: [],
    },
  ],
}

const csafSiemens: CsafCandidate = {
  source: 'csaf',
  advisoryId: 'ICSA-00-000-00',
  aliases: ['CVE-2024-0002'],
  leaves: [
    leaf({
      productId: 'S-1',
      vendor: 'Siemens',
      product: 'SIMATIC S7-1500 CPU family',
      range: 'vers:all/<V3.0.1',
    }),
  ],
  vulnerabilities: [
    {
      index: 0,
      cve: 'CVE-2024-0002',
      ids: [],
      statuses: { known_affected: ['S-1'] },
      remediations: [],
      flags: [],
    },
  ],
}

const candidates: MatchCandidates = {
  osv: [goRecord, debianRecord],
  csaf: [csafCpe, csafSiemens],
  kev: new Map([
    ['CVE-2023-0286', { cve: 'CVE-2023-0286', dateAdded: '2024-01-01', dueDate: '2024-01-22' }],
  ]),
}

describe('the matching engine', () => {
  it('matches purls by ecosystem with the OSV rules, and joins KEV by CVE', () => {
    const found = matchComponents(
      [
        {
          key: 'a',
          name: 'openssl',
          version: '1.1.1n-0+deb11u3',
          purl: 'pkg:deb/debian/openssl@1.1.1n-0+deb11u3?distro=debian-11',
        },
        // Another Debian release: the Debian:11 entry does not apply.
        {
          key: 'b',
          name: 'openssl',
          version: '1.1.1n-0+deb10u3',
          purl: 'pkg:deb/debian/openssl@1.1.1n-0+deb10u3?distro=debian-10',
        },
        // Fixed version: no finding.
        {
          key: 'c',
          name: 'openssl',
          version: '1.1.1n-0+deb11u4',
          purl: 'pkg:deb/debian/openssl@1.1.1n-0+deb11u4?distro=debian-11',
        },
      ],
      candidates,
    )
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      componentKey: 'a',
      advisoryId: 'DSA-5343-1',
      status: 'affected',
      confidence: 'high',
      fixedVersion: '1.1.1n-0+deb11u4',
      severity: 'high',
      cvssScore: 7.4,
      kev: { cve: 'CVE-2023-0286' },
      reason: {
        matchedBy: 'purl',
        key: 'pkg:deb/debian/openssl',
        rule: 'OSV ECOSYSTEM introduced 0 fixed 1.1.1n-0+deb11u4',
      },
    })
  })

  it('answers unknown (for review) when the version cannot be ordered or is missing', () => {
    const found = matchComponents(
      [
        {
          key: 'x',
          name: 'golang.org/x/net',
          version: 'not-a-version',
          purl: 'pkg:golang/golang.org/x/net@not-a-version',
        },
        { key: 'y', name: 'golang.org/x/net', purl: 'pkg:golang/golang.org/x/net' },
      ],
      candidates,
    )
    expect(found.map((f) => [f.componentKey, f.status, f.confidence])).toEqual([
      ['x', 'unknown', 'high'],
      ['y', 'unknown', 'high'],
    ])
    expect(found[0]!.reason.details[0]).toContain('not a valid golang version')
  })

  it('matches CPEs to CSAF leaves with a CPE, at medium confidence', () => {
    const found = matchComponents(
      [
        {
          key: 'r',
          name: 'router',
          version: '2.3.0',
          cpes: ['cpe:2.3:o:example:router_os:2.3.0:*:*:*:*:*:*:*'],
        },
        {
          key: 's',
          name: 'router',
          version: '2.5.0',
          cpes: ['cpe:2.3:o:example:router_os:2.5.0:*:*:*:*:*:*:*'],
        },
      ],
      candidates,
    )
    expect(
      found.map((f) => [f.componentKey, f.advisoryId, f.status, f.confidence, f.reason.key]),
    ).toEqual([['r', 'EXAMPLE-CPE-1', 'affected', 'medium', 'cpe example:router_os']])
  })

  it('matches the registered product by vendor and product family, and skips nameless suppliers', () => {
    const found = matchComponents(
      [
        {
          key: PRODUCT_KEY,
          name: 'SIMATIC S7-1500 CPU 1518-4 PN/DP',
          version: 'V2.9.4',
          supplier: 'Siemens AG',
        },
        // Same name, no supplier and no purl: not matched by name alone unless asked.
        { key: 'n', name: 'SIMATIC S7-1500 CPU family', version: 'V2.0' },
      ],
      candidates,
    )
    expect(found.map((f) => [f.componentKey, f.status, f.confidence, f.reason.rule])).toEqual([
      [PRODUCT_KEY, 'affected', 'low', 'CSAF product_version_range vers:all/<V3.0.1'],
    ])
    const nameOnly = matchComponents(
      [{ key: 'n', name: 'SIMATIC S7-1500 CPU family', version: 'V2.0' }],
      candidates,
      { csafNameOnly: true },
    )
    expect(nameOnly.map((f) => [f.componentKey, f.confidence])).toEqual([['n', 'low']])
  })

  it('derives the lookup keys both ways', () => {
    expect(
      candidateKeys([
        { key: 'a', name: 'x', purl: 'pkg:pypi/Zope.Interface@5.0', supplier: 'Siemens AG' },
        {
          key: 'b',
          name: 'n',
          purl: 'pkg:npm/%40babel/core@7.0.0',
          cpes: ['cpe:/a:acme:thing:1.0'],
        },
      ]),
    ).toEqual({
      packages: [
        { ecosystem: 'PyPI', name: 'zope-interface' },
        { ecosystem: 'npm', name: '@babel/core' },
      ],
      purls: [
        { type: 'pypi', namespace: null, name: 'zope.interface' },
        { type: 'npm', namespace: '@babel', name: 'core' },
      ],
      cpes: [{ vendor: 'acme', product: 'thing' }],
      vendors: ['siemens'],
    })
    expect(purlKeysOfOsvPackage('Go', 'golang.org/x/net')).toEqual([
      { type: 'golang', namespace: 'golang.org/x', name: 'net' },
    ])
    expect(purlKeysOfOsvPackage('Maven', 'org.apache.logging.log4j:log4j-core')).toEqual([
      { type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-core' },
    ])
    expect(purlKeysOfOsvPackage('Debian:11', 'openssl')).toEqual([
      { type: 'deb', namespace: 'debian', name: 'openssl' },
    ])
  })

  it('never throws on odd input', () => {
    expect(
      matchComponents(
        [
          { key: 'a', name: '', purl: 'pkg:%%%', cpes: ['cpe:nonsense'], supplier: '' },
          { key: 'b', name: 'x'.repeat(10_000), version: '<'.repeat(5000), supplier: 'Siemens' },
        ],
        candidates,
      ),
    ).toEqual([])
  })
})
