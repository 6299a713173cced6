import { osvPypiRecord } from '../advisories/testing.ts'

/**
 * Fixtures for the findings tests: small SBOMs and advisories built from real facts (package
 * names, versions and ranges as published), nothing copied from upstream data files.
 */

export interface FixtureComponent {
  name: string
  version: string
  purl?: string
  cpe?: string
  supplier?: string
  ref: string
}

/** A CycloneDX 1.5 SBOM with these components (`n` varies its bytes). */
export function cycloneDx(components: FixtureComponent[], n = 1): Buffer {
  return Buffer.from(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: n,
      metadata: {
        timestamp: '2026-05-01T10:00:00Z',
        component: { type: 'firmware', name: 'gateway-fw', version: `1.0.${n}`, 'bom-ref': 'fw' },
      },
      components: components.map((c) => ({
        type: 'library',
        name: c.name,
        version: c.version,
        'bom-ref': c.ref,
        ...(c.purl ? { purl: c.purl } : {}),
        ...(c.cpe ? { cpe: c.cpe } : {}),
        ...(c.supplier ? { supplier: { name: c.supplier } } : {}),
      })),
    }),
  )
}

export const DJANGO_3_2_0: FixtureComponent = {
  name: 'Django',
  version: '3.2.0',
  purl: 'pkg:pypi/django@3.2.0',
  ref: 'django',
}
export const XNET_OLD: FixtureComponent = {
  name: 'golang.org/x/net',
  version: 'v0.0.0-20220722155237-a158d28d115b',
  purl: 'pkg:golang/golang.org/x/net@v0.0.0-20220722155237-a158d28d115b',
  ref: 'xnet',
}
export const XNET_FIXED: FixtureComponent = {
  ...XNET_OLD,
  version: 'v0.1.0',
  purl: 'pkg:golang/golang.org/x/net@v0.1.0',
}
export const LODASH: FixtureComponent = {
  name: 'lodash',
  version: '4.17.21',
  purl: 'pkg:npm/lodash@4.17.21',
  ref: 'lodash',
}

/**
 * PYSEC-2021-98 (CVE-2021-31542) with the 3.2 branch of the real record: introduced 3.2, fixed
 * 3.2.1 — so Django 3.2.0 is affected.
 */
export function djangoRecord(overrides: Record<string, unknown> = {}) {
  return osvPypiRecord({
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
              { introduced: '3.2' },
              { fixed: '3.2.1' },
            ],
          },
        ],
        versions: ['2.2', '2.2.1', '3.1', '3.1.8', '3.2'],
      },
    ],
    ...overrides,
  })
}
