/**
 * Small synthetic advisories for tests, built from real facts (ids, packages, versions and
 * products as published), so no upstream data file is copied into the project.
 */

/** GO-2022-0969 (CVE-2022-27664): HTTP/2 server DoS in golang.org/x/net and the standard library. */
export function osvGoRecord(overrides: Record<string, unknown> = {}) {
  return {
    schema_version: '1.3.1',
    id: 'GO-2022-0969',
    modified: '2024-05-20T16:03:47Z',
    published: '2022-09-12T20:23:06Z',
    aliases: ['CVE-2022-27664', 'GHSA-69cg-p879-7622'],
    summary: 'Denial of service in net/http and golang.org/x/net/http2',
    details: 'HTTP/2 server connections can hang forever waiting for a clean shutdown.',
    affected: [
      {
        package: { name: 'stdlib', ecosystem: 'Go' },
        ranges: [
          {
            type: 'SEMVER',
            events: [
              { introduced: '0' },
              { fixed: '1.18.6' },
              { introduced: '1.19.0' },
              { fixed: '1.19.1' },
            ],
          },
        ],
      },
      {
        package: { name: 'golang.org/x/net', ecosystem: 'Go' },
        ranges: [
          {
            type: 'SEMVER',
            events: [{ introduced: '0' }, { fixed: '0.0.0-20220906165146-f3363e06e74c' }],
          },
        ],
      },
    ],
    references: [{ type: 'WEB', url: 'https://groups.google.com/g/golang-announce/c/x49AQzIVX-s' }],
    ...overrides,
  }
}

/** PYSEC-2021-98-like record for Django (CVE-2021-31542, path traversal in MultiPartParser). */
export function osvPypiRecord(overrides: Record<string, unknown> = {}) {
  return {
    id: 'PYSEC-2021-98',
    modified: '2021-06-10T06:51:00Z',
    published: '2021-05-05T00:00:00Z',
    aliases: ['CVE-2021-31542', 'GHSA-rxjp-mfm9-w4wr'],
    details: 'MultiPartParser, UploadedFile and FieldFile allowed directory traversal.',
    affected: [
      {
        package: { name: 'Django', ecosystem: 'PyPI', purl: 'pkg:pypi/django' },
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [
              { introduced: '2.2' },
              { fixed: '2.2.21' },
              { introduced: '3.1' },
              { fixed: '3.1.9' },
            ],
          },
        ],
        versions: ['2.2', '2.2.1', '3.1', '3.1.8'],
      },
    ],
    ...overrides,
  }
}

/** A CISA-style ICS advisory: vendor → product_name → product_version_range, no purl or CPE. */
export function csafIcsDocument(
  overrides: { status?: string; version?: string; category?: string } = {},
) {
  const date = '2023-07-21T06:00:00.000Z'
  return {
    document: {
      category: overrides.category ?? 'csaf_security_advisory',
      csaf_version: '2.0',
      title: 'Walchem Intuition 9',
      distribution: { tlp: { label: 'WHITE' } },
      publisher: {
        category: 'coordinator',
        name: 'CISA',
        namespace: 'https://www.cisa.gov/',
      },
      notes: [
        {
          category: 'summary',
          text: 'Successful exploitation could allow an attacker to read credentials.',
        },
      ],
      references: [
        {
          category: 'self',
          summary: 'ICS Advisory ICSA-23-229-04',
          url: 'https://www.cisa.gov/news-events/ics-advisories/icsa-23-229-04',
        },
      ],
      tracking: {
        id: 'ICSA-23-229-04',
        current_release_date: date,
        initial_release_date: date,
        revision_history: [
          { date, number: overrides.version ?? '1', summary: 'Initial Publication' },
        ],
        status: overrides.status ?? 'final',
        version: overrides.version ?? '1',
      },
    },
    product_tree: {
      branches: [
        {
          category: 'vendor',
          name: 'Walchem',
          branches: [
            {
              category: 'product_name',
              name: 'Intuition 9',
              branches: [
                {
                  category: 'product_version_range',
                  name: '< 4.21',
                  product: {
                    name: 'Intuition 9: < 4.21',
                    product_id: 'CSAFPID-0001',
                    product_identification_helper: { model_numbers: ['W900'] },
                  },
                },
                {
                  category: 'product_version',
                  name: '4.21',
                  product: { name: 'Intuition 9 4.21', product_id: 'CSAFPID-0002' },
                },
              ],
            },
          ],
        },
      ],
      product_groups: [{ group_id: 'CSAFGID-0001', product_ids: ['CSAFPID-0001', 'CSAFPID-0002'] }],
    },
    vulnerabilities: [
      {
        cve: 'CVE-2023-38422',
        cwe: { id: 'CWE-319', name: 'Cleartext Transmission of Sensitive Information' },
        product_status: { known_affected: ['CSAFPID-0001'], fixed: ['CSAFPID-0002'] },
        remediations: [
          {
            category: 'vendor_fix',
            details: 'Walchem recommends upgrading Intuition 9 firmware to v4.21 or later.',
            group_ids: ['CSAFGID-0001'],
            url: 'https://www.walchem.com/',
          },
        ],
        scores: [
          {
            cvss_v3: {
              baseScore: 7.5,
              baseSeverity: 'HIGH',
              vectorString: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
              version: '3.0',
            },
            products: ['CSAFPID-0001'],
          },
        ],
      },
    ],
  }
}

interface KevEntryInput {
  cveID: string
  vendorProject: string
  product: string
}

/** A KEV catalogue with real entries (trimmed to the required fields). */
export function kevCatalogue(
  catalogVersion: string,
  dateReleased: string,
  entries: KevEntryInput[] = KEV_ENTRIES,
) {
  return {
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion,
    dateReleased,
    count: entries.length,
    vulnerabilities: entries.map((e) => ({
      ...e,
      vulnerabilityName: `${e.vendorProject} ${e.product} vulnerability`,
      dateAdded: '2021-11-03',
      shortDescription: 'Exploited in the wild.',
      requiredAction: 'Apply updates per vendor instructions.',
      dueDate: '2021-11-17',
      knownRansomwareCampaignUse: 'Unknown',
      notes: 'https://nvd.nist.gov/vuln/detail/' + e.cveID,
    })),
  }
}

export const KEV_ENTRIES: KevEntryInput[] = [
  { cveID: 'CVE-2021-44228', vendorProject: 'Apache', product: 'Log4j2' },
  { cveID: 'CVE-2014-0160', vendorProject: 'OpenSSL', product: 'OpenSSL' },
  { cveID: 'CVE-2017-0144', vendorProject: 'Microsoft', product: 'SMBv1' },
]

export const bytesOf = (value: unknown) => Buffer.from(JSON.stringify(value, null, 2))
