import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSbomWarning } from '../../../common/api/sboms.ts'
import { generateComponents, toCycloneDx } from '../../../../bench/lib/scale-sbom.ts'
import { PROJECT_ROOT } from '../../kernel/paths.ts'
import { isSbomError, SbomError } from './sbom-error.ts'
import { parseSbom } from './sbom-parser.ts'
import {
  cycloneDxSchema,
  LINEAR_UNIQUE_ITEMS,
  publishedCycloneDxValidator,
  schemaValidator,
  withLinearUniqueItems,
} from './sbom-schemas.ts'
import type { ParsedSbom, SbomComponent, SbomNote } from './sbom.types.ts'

const DATA = path.join(PROJECT_ROOT, '..', 'shared', 'data')
const hasData = fs.existsSync(DATA)

function parse(value: unknown, fileName = 'test.json', limits = {}): ParsedSbom {
  return parseSbom(Buffer.from(JSON.stringify(value)), fileName, { limits })
}

function refused(run: () => unknown): SbomError {
  try {
    run()
  } catch (error) {
    if (isSbomError(error)) return error
    throw error
  }
  throw new Error('expected an SbomError')
}

function warnings(sbom: ParsedSbom): SbomNote[] {
  return sbom.notes.filter(isSbomWarning)
}

function byName(sbom: ParsedSbom, name: string): SbomComponent[] {
  return sbom.components.filter((c) => c.name === name)
}

function cdx(specVersion: string, extra: Record<string, unknown> = {}) {
  return { bomFormat: 'CycloneDX', specVersion, version: 1, ...extra }
}

function spdx(packages: unknown[], extra: Record<string, unknown> = {}) {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'fixture',
    documentNamespace: 'https://example.com/spdx/fixture-1',
    creationInfo: {
      created: '2024-05-01T10:00:00Z',
      creators: ['Tool: syft-0.64.0', 'Organization: Acme'],
    },
    packages,
    ...extra,
  }
}

function pkg(id: string, name: string, extra: Record<string, unknown> = {}) {
  return { SPDXID: id, name, downloadLocation: 'NOASSERTION', ...extra }
}

describe('format detection', () => {
  it.each([
    ['<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>', 'CycloneDX XML'],
    ['<rdf:RDF xmlns:spdx="http://spdx.org/rdf/terms#"/>', 'SPDX RDF/XML'],
    ['SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n', 'SPDX tag-value'],
    [JSON.stringify(cdx('1.2')), 'CycloneDX 1.2 JSON'],
    [JSON.stringify(cdx('1.7')), 'CycloneDX 1.7 JSON'],
    [JSON.stringify({ spdxVersion: 'SPDX-2.1' }), 'SPDX SPDX-2.1 JSON'],
    [
      JSON.stringify({ '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld' }),
      'SPDX 3 JSON-LD',
    ],
    ['[1,2]', 'a JSON array'],
    ['{"hello":"world"}', 'JSON that is neither CycloneDX nor SPDX (top-level keys: hello)'],
  ])('refuses %s as %s', (text, found) => {
    const error = refused(() => parseSbom(Buffer.from(text), 'upload.bin'))
    expect(error.reason).toBe('unsupported_format')
    expect(error.code).toBe('validation_failed')
    expect(error.details.found).toBe(found)
    expect(error.details.supported).toContain('CycloneDX 1.6 JSON')
    expect(error.message).toContain(`upload.bin is ${found}, which is not supported`)
  })

  it('refuses bytes that are not text, and text that is not JSON', () => {
    expect(refused(() => parseSbom(Buffer.from([0xc3, 0x28, 0x00, 0xff]))).reason).toBe('not_json')
    const error = refused(() => parseSbom(Buffer.from('{"bomFormat": "CycloneDX",'), 'cut.json'))
    expect(error.reason).toBe('not_json')
    expect(error.message).toMatch(/^cut\.json is not JSON \(/u)
  })

  it('reads UTF-8 with a byte order mark and UTF-16', () => {
    const text = JSON.stringify(cdx('1.5', { components: [{ type: 'library', name: 'ä' }] }))
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])
    expect(parseSbom(bom).components[0]?.name).toBe('ä')
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    expect(parseSbom(utf16).specVersion).toBe('1.5')
  })
})

describe('CycloneDX', () => {
  const nested = cdx('1.6', {
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    metadata: {
      timestamp: '2024-03-01T12:00:00+01:00',
      tools: { components: [{ type: 'application', name: 'cdxgen', version: '10.2.0' }] },
      component: {
        type: 'firmware',
        'bom-ref': 'fw',
        name: 'PLC firmware',
        version: 'V3.0 SP1',
        cpe: 'cpe:2.3:o:acme:plc_firmware:3.0:sp1:*:*:*:*:*:*',
        supplier: { name: 'Acme Automation' },
      },
    },
    components: [
      {
        type: 'library',
        'bom-ref': 'openssl',
        name: 'openssl',
        version: '1.1.1k',
        purl: 'pkg:generic/openssl@1.1.1k',
        cpe: 'cpe:/a:openssl:openssl:1.1.1k',
        hashes: [{ alg: 'SHA-256', content: 'AB'.repeat(32) }],
        licenses: [{ license: { id: 'OpenSSL' } }, { license: { name: 'Acme patch licence' } }],
        pedigree: {
          ancestors: [
            {
              type: 'library',
              name: 'openssl',
              version: '1.1.1j',
              purl: 'pkg:generic/openssl@1.1.1j',
            },
          ],
          patches: [
            {
              type: 'backport',
              diff: { url: 'https://example.com/fix.diff' },
              resolves: [{ type: 'security', id: 'CVE-2021-3450' }],
            },
          ],
        },
        components: [
          {
            type: 'library',
            'bom-ref': 'libcrypto',
            name: 'libcrypto',
            components: [{ type: 'file', name: 'libcrypto.so.1.1' }],
          },
        ],
      },
    ],
    dependencies: [
      { ref: 'fw', dependsOn: ['openssl', 'ghost'] },
      { ref: 'openssl', dependsOn: ['libcrypto'] },
    ],
  })

  it('flattens nested components after their parent and keeps the root, CPEs, hashes, licences and pedigree', () => {
    const sbom = parse(nested)
    expect(sbom.format).toBe('cyclonedx')
    expect(sbom.specVersion).toBe('1.6')
    expect(sbom.components.map((c) => [c.key, c.parentKey, c.pointer])).toEqual([
      ['fw', undefined, '/metadata/component'],
      ['openssl', undefined, '/components/0'],
      ['libcrypto', 'openssl', '/components/0/components/0'],
      [
        '/components/0/components/0/components/0',
        'libcrypto',
        '/components/0/components/0/components/0',
      ],
    ])
    const [root, openssl] = sbom.components
    expect(root).toMatchObject({ isRoot: true, type: 'firmware', supplier: 'Acme Automation' })
    expect(root?.cpes).toEqual(['cpe:2.3:o:acme:plc_firmware:3.0:sp1:*:*:*:*:*:*'])
    expect(openssl).toMatchObject({
      purl: 'pkg:generic/openssl@1.1.1k',
      purlValid: true,
      purlParts: { type: 'generic', name: 'openssl', version: '1.1.1k' },
      cpes: ['cpe:/a:openssl:openssl:1.1.1k'],
      hashes: [{ algorithm: 'SHA-256', value: 'ab'.repeat(32) }],
      licenses: ['OpenSSL', 'Acme patch licence'],
      pedigree: {
        ancestors: [{ name: 'openssl', version: '1.1.1j', purl: 'pkg:generic/openssl@1.1.1j' }],
        patches: [
          {
            type: 'backport',
            diffUrl: 'https://example.com/fix.diff',
            resolves: ['CVE-2021-3450'],
          },
        ],
      },
    })
    expect(sbom.dependencies).toEqual([
      { from: 'fw', to: 'openssl', kind: 'depends_on' },
      { from: 'openssl', to: 'libcrypto', kind: 'depends_on' },
    ])
    expect(sbom.document).toEqual({
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      bomVersion: 1,
      createdAt: '2024-03-01T11:00:00.000Z',
      tools: [{ name: 'cdxgen', version: '10.2.0' }],
      authors: [],
      rootKey: 'fw',
    })
    expect(sbom.notes.map((n) => n.code)).toEqual(['dangling_reference'])
  })

  it('reads CycloneDX 1.4 tools and keeps an invalid purl as flagged text', () => {
    const sbom = parse(
      cdx('1.4', {
        metadata: { tools: [{ vendor: 'CycloneDX', name: 'cyclonedx-npm', version: '1.9.2' }] },
        components: [
          { type: 'library', name: 'left-pad', version: '1.3.0', purl: 'left-pad@1.3.0' },
        ],
      }),
    )
    expect(sbom.document.tools).toEqual([
      { name: 'cyclonedx-npm', version: '1.9.2', vendor: 'CycloneDX' },
    ])
    expect(sbom.components[0]).toMatchObject({
      purl: 'left-pad@1.3.0',
      purlValid: false,
      purlError: expect.stringContaining('pkg') as unknown,
    })
    expect(sbom.notes[0]).toMatchObject({ code: 'invalid_purl', pointer: '/components/0' })
  })

  it('canonicalises purls and merges duplicates (same purl and version) with a note', () => {
    const sbom = parse(
      cdx('1.5', {
        components: [
          {
            type: 'library',
            'bom-ref': 'a',
            name: 'Django',
            version: '4.2',
            purl: 'pkg:PyPI/Django@4.2',
          },
          {
            type: 'library',
            'bom-ref': 'b',
            name: 'django',
            version: '4.2',
            purl: 'pkg:pypi/django@4.2',
            cpe: 'cpe:2.3:a:djangoproject:django:4.2:*:*:*:*:*:*:*',
          },
          { type: 'library', 'bom-ref': 'c', name: 'app', version: '1' },
        ],
        dependencies: [{ ref: 'c', dependsOn: ['a', 'b'] }],
      }),
    )
    expect(sbom.components.map((c) => c.key)).toEqual(['a', 'c'])
    expect(sbom.components[0]).toMatchObject({
      purl: 'pkg:pypi/django@4.2',
      mergedKeys: ['b'],
      cpes: ['cpe:2.3:a:djangoproject:django:4.2:*:*:*:*:*:*:*'],
    })
    expect(sbom.dependencies).toEqual([{ from: 'c', to: 'a', kind: 'depends_on' }])
    expect(sbom.notes).toEqual([
      {
        code: 'duplicate_merged',
        message: 'b repeats pkg:pypi/django@4.2 and was merged into a',
        pointer: '/components/1',
      },
    ])
  })

  it('reports every schema problem with its JSON pointer', () => {
    const error = refused(() =>
      parse(
        cdx('1.5', {
          components: [
            { type: 'gadget', name: 'x' },
            { type: 'library' },
            { type: 'library', name: 'y', colour: 1 },
          ],
        }),
        'bad.cdx.json',
      ),
    )
    expect(error.reason).toBe('schema_invalid')
    expect(error.details.problems).toEqual([
      {
        pointer: '/components/0/type',
        message: expect.stringMatching(/^must be one of "application", /u) as unknown,
      },
      { pointer: '/components/1', message: 'missing required property "name"' },
      { pointer: '/components/2/colour', message: 'property not allowed here' },
    ])
    expect(error.message).toMatch(
      /^bad\.cdx\.json is not valid CycloneDX 1\.5 JSON: 3 problems\n {2}\/components\/0\/type: must be one of/u,
    )
  })

  it('caps the problems listed but counts them all', () => {
    const components = Array.from({ length: 50 }, (_, i) => ({
      type: 'library',
      version: String(i),
    }))
    const error = refused(() => parse(cdx('1.6', { components }), 'x', { maxProblems: 10 }))
    expect(error.details.problemCount).toBe(50)
    expect(error.details.problems).toHaveLength(10)
    expect(error.message).toContain('… and 40 more')
  })
})

describe('CycloneDX uniqueItems, checked in linear time', () => {
  const lib = (name: string, extra: Record<string, unknown> = {}) => ({
    type: 'library',
    name,
    ...extra,
  })

  it('refuses two identical components with the pointer of the second', () => {
    const error = refused(() =>
      parse(cdx('1.6', { components: [lib('a'), lib('b'), lib('a')] }), 'dup.cdx.json'),
    )
    expect(error.reason).toBe('schema_invalid')
    expect(error.details.fileName).toBe('dup.cdx.json')
    expect(error.details.problems).toEqual([
      {
        pointer: '/components/2',
        message: 'repeats /components/0; the items of this array must be unique',
      },
    ])
    expect(error.message).toBe(
      'dup.cdx.json is not valid CycloneDX 1.6 JSON: 1 problem\n' +
        '  /components/2: repeats /components/0; the items of this array must be unique',
    )
  })

  it('compares items as JSON values (member order does not matter) at every depth and in every marked array', () => {
    const error = refused(() =>
      parse(
        cdx('1.5', {
          components: [
            lib('p', {
              components: [
                { name: 'x', type: 'file', version: '1' },
                { version: '1', type: 'file', name: 'x' },
                { type: 'file', name: 'x', version: '2' },
              ],
            }),
          ],
          dependencies: [{ ref: 'p', dependsOn: ['q', 'r', 'q', 'q'] }],
        }),
      ),
    )
    expect(error.details.problems?.map((p) => `${p.pointer} ${p.message.split(';')[0]}`)).toEqual([
      '/components/0/components/1 repeats /components/0/components/0',
      '/dependencies/0/dependsOn/2 repeats /dependencies/0/dependsOn/0',
      '/dependencies/0/dependsOn/3 repeats /dependencies/0/dependsOn/0',
    ])
    // Items that differ only in one nested value are distinct.
    expect(
      parse(cdx('1.6', { components: [lib('a', { version: '1' }), lib('a', { version: '1.0' })] }))
        .components,
    ).toHaveLength(2)
  })

  it('replaces every uniqueItems: true of the published schemas, and only those', () => {
    for (const version of ['1.4', '1.5', '1.6'] as const) {
      const published = cycloneDxSchema(version)
      const text = JSON.stringify(published)
      const { schema, locations } = withLinearUniqueItems(published)
      const rewritten = JSON.stringify(schema)
      expect(locations.length).toBeGreaterThan(0)
      expect(locations).toHaveLength(text.split('"uniqueItems":true').length - 1)
      expect(rewritten).not.toContain('"uniqueItems"')
      expect(rewritten.split(`"${LINEAR_UNIQUE_ITEMS}":true`)).toHaveLength(locations.length + 1)
      expect(locations).toContain('/properties/components')
      expect(locations).toContain('/definitions/component/properties/components')
    }
  })

  it('agrees with the published schema compiled with uniqueItems on small generated documents', () => {
    const names = fc.constantFrom('a', 'b')
    const component: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
      component: fc.record(
        {
          type: fc.constantFrom('library', 'file'),
          name: names,
          version: fc.constantFrom('1', '2'),
          hashes: fc.array(
            fc.record({
              alg: fc.constantFrom('MD5', 'SHA-1'),
              content: fc.constantFrom('ab'.repeat(16), 'cd'.repeat(20)),
            }),
            { maxLength: 2 },
          ),
          components: fc.array(tie('component'), { maxLength: 3 }),
        },
        { requiredKeys: ['type', 'name'] },
      ),
    })).component as fc.Arbitrary<Record<string, unknown>>
    const reorder = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reorder)
      if (typeof value !== 'object' || value === null) return value
      return Object.fromEntries(
        Object.entries(value)
          .reverse()
          .map(([k, v]) => [k, reorder(v)]),
      )
    }
    const documents = fc
      .record({
        // A few distinct components, each listed any number of times, members in either order.
        pool: fc.array(component, { minLength: 1, maxLength: 3 }),
        picks: fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 5 }),
        dependencies: fc.array(
          fc.record({ ref: names, dependsOn: fc.array(names, { maxLength: 3 }) }),
          { maxLength: 3 },
        ),
      })
      // Through JSON, as the parser sees it (fast-check also makes objects without a prototype).
      .map(
        ({ pool, picks, dependencies }) =>
          JSON.parse(
            JSON.stringify(
              cdx('1.6', {
                components: picks.map(([i, reversed]) => {
                  const c = pool[i % pool.length]
                  return reversed ? reorder(c) : c
                }),
                dependencies,
              }),
            ),
          ) as unknown,
      )
    const published = publishedCycloneDxValidator('1.6')
    const linear = schemaValidator('cyclonedx', '1.6')
    let duplicates = 0
    fc.assert(
      fc.property(documents, (doc) => {
        const verdict = published(doc)
        const expected = (published.errors ?? [])
          .filter((e) => e.keyword === 'uniqueItems')
          .map((e) => e.instancePath)
        expect(linear(doc)).toBe(verdict)
        const found = (linear.errors ?? [])
          .filter((e) => e.keyword === 'uniqueItems')
          .map((e) => e.instancePath.slice(0, e.instancePath.lastIndexOf('/')))
        expect([...new Set(found)].sort()).toEqual([...expected].sort())
        if (expected.length > 0) duplicates++
      }),
      { numRuns: 300 },
    )
    // The generator must produce duplicates often enough for the comparison to mean something.
    expect(duplicates).toBeGreaterThan(30)
  })

  it('parses a 10,000-component CycloneDX 1.6 document', () => {
    const doc = toCycloneDx(
      generateComponents({ seed: 7, size: 10_000, hitRate: 0, hits: [], ics: [] }),
      7,
    )
    const bytes = Buffer.from(JSON.stringify(doc))
    const started = performance.now()
    const sbom = parseSbom(bytes, 'large.cdx.json')
    const ms = performance.now() - started
    // Timing targets belong in the benchmarks (bench/matching-scale.ts); this only reports.
    console.log(
      `10,000-component CycloneDX 1.6: ${ms.toFixed(0)} ms (validation ${sbom.timings.validateMs.toFixed(0)} ms)`,
    )
    expect(sbom.components).toHaveLength(10_001)
  })
})

describe('SPDX', () => {
  it('reads purls under both category spellings, cpe22 and cpe23, checksums, supplier and relationships', () => {
    const sbom = parse(
      spdx(
        [
          pkg('SPDXRef-fw', 'gateway-firmware', {
            versionInfo: '2.1.0',
            primaryPackagePurpose: 'FIRMWARE',
            supplier: 'Organization: Acme Automation',
          }),
          pkg('SPDXRef-busybox', 'busybox', {
            versionInfo: '1.35.0-r17',
            licenseConcluded: 'GPL-2.0-only',
            licenseDeclared: 'NOASSERTION',
            checksums: [
              { algorithm: 'SHA1', checksumValue: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01' },
            ],
            externalRefs: [
              {
                referenceCategory: 'PACKAGE_MANAGER',
                referenceType: 'purl',
                referenceLocator: 'pkg:alpine/busybox@1.35.0-r17?distro=alpine-3.17&arch=armv7',
              },
              {
                referenceCategory: 'SECURITY',
                referenceType: 'cpe22Type',
                referenceLocator: 'cpe:/a:busybox:busybox:1.35.0',
              },
              {
                referenceCategory: 'SECURITY',
                referenceType: 'cpe23Type',
                referenceLocator: 'cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*',
              },
            ],
          }),
          pkg('SPDXRef-musl', 'musl', {
            versionInfo: '1.2.3-r4',
            externalRefs: [
              {
                referenceCategory: 'PACKAGE-MANAGER',
                referenceType: 'purl',
                referenceLocator: 'pkg:alpine/musl@1.2.3-r4',
              },
            ],
          }),
        ],
        {
          relationships: [
            {
              spdxElementId: 'SPDXRef-DOCUMENT',
              relationshipType: 'DESCRIBES',
              relatedSpdxElement: 'SPDXRef-fw',
            },
            {
              spdxElementId: 'SPDXRef-fw',
              relationshipType: 'CONTAINS',
              relatedSpdxElement: 'SPDXRef-busybox',
            },
            {
              spdxElementId: 'SPDXRef-musl',
              relationshipType: 'DEPENDENCY_OF',
              relatedSpdxElement: 'SPDXRef-busybox',
            },
            {
              spdxElementId: 'SPDXRef-fw',
              relationshipType: 'CONTAINS',
              relatedSpdxElement: 'SPDXRef-File-1',
            },
          ],
        },
      ),
    )
    expect(sbom.specVersion).toBe('2.3')
    const [fw, busybox, musl] = sbom.components
    expect(fw).toMatchObject({
      isRoot: true,
      type: 'firmware',
      supplier: 'Acme Automation',
      version: '2.1.0',
    })
    expect(busybox).toMatchObject({
      purl: 'pkg:alpine/busybox@1.35.0-r17?arch=armv7&distro=alpine-3.17',
      cpes: ['cpe:/a:busybox:busybox:1.35.0', 'cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*'],
      hashes: [{ algorithm: 'SHA-1', value: 'abcdef0123456789abcdef0123456789abcdef01' }],
      licenses: ['GPL-2.0-only'],
    })
    expect(musl?.purl).toBe('pkg:alpine/musl@1.2.3-r4')
    expect(sbom.dependencies).toEqual([
      { from: 'SPDXRef-fw', to: 'SPDXRef-busybox', kind: 'contains' },
      { from: 'SPDXRef-busybox', to: 'SPDXRef-musl', kind: 'depends_on' },
    ])
    expect(sbom.document).toMatchObject({
      namespace: 'https://example.com/spdx/fixture-1',
      createdAt: '2024-05-01T10:00:00.000Z',
      tools: [{ name: 'syft', version: '0.64.0' }],
      authors: ['Acme'],
      rootKey: 'SPDXRef-fw',
    })
    expect(sbom.notes.map((n) => n.code)).toEqual(['tolerated_category', 'dangling_reference'])
  })

  it('still refuses other invalid categories', () => {
    const error = refused(() =>
      parse(
        spdx([
          pkg('SPDXRef-a', 'a', {
            externalRefs: [
              {
                referenceCategory: 'PACKAGE MANAGER',
                referenceType: 'purl',
                referenceLocator: 'pkg:npm/a@1',
              },
            ],
          }),
        ]),
      ),
    )
    expect(error.details.problems?.[0]?.pointer).toBe(
      '/packages/0/externalRefs/0/referenceCategory',
    )
  })

  it('validates SPDX 2.2 against its own schema: its licence and copyright fields, when left out, are warnings', () => {
    const doc = { ...spdx([pkg('SPDXRef-a', 'a')]), spdxVersion: 'SPDX-2.2' }
    const sbom = parse(doc)
    expect(sbom.specVersion).toBe('2.2')
    expect(warnings(sbom)).toEqual([
      {
        code: 'tolerated_omission',
        message:
          '1 package leaves out copyrightText, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
        pointer: '/packages/0',
      },
      {
        code: 'tolerated_omission',
        message:
          '1 package leaves out licenseConcluded, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
        pointer: '/packages/0',
      },
      {
        code: 'tolerated_omission',
        message:
          '1 package leaves out licenseDeclared, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
        pointer: '/packages/0',
      },
    ])
    // The same package in SPDX 2.3, where those fields are optional: no warning.
    expect(warnings(parse(spdx([pkg('SPDXRef-a', 'a')])))).toEqual([])
  })

  it('accepts the listed omissions of trivy 0.x with one warning per kind, counted, and reads DESCRIBE as DESCRIBES', () => {
    const bare = (id: string, name: string, version: string) => ({
      SPDXID: id,
      name,
      versionInfo: version,
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:apk/alpine/${name}@${version}`,
        },
      ],
    })
    const doc = {
      ...spdx([
        { SPDXID: 'SPDXRef-image', name: 'gateway-image' },
        bare('SPDXRef-busybox', 'busybox', '1.35.0-r17'),
        bare('SPDXRef-musl', 'musl', '1.2.3-r4'),
      ]),
      spdxVersion: 'SPDX-2.2',
      files: [
        { SPDXID: 'SPDXRef-File-1', fileName: 'usr/lib/node_modules/a/package.json' },
        { SPDXID: 'SPDXRef-File-2', fileName: 'usr/lib/node_modules/b/package.json' },
      ],
      relationships: [
        {
          spdxElementId: 'SPDXRef-DOCUMENT',
          relationshipType: 'DESCRIBE',
          relatedSpdxElement: 'SPDXRef-image',
        },
        {
          spdxElementId: 'SPDXRef-image',
          relationshipType: 'CONTAINS',
          relatedSpdxElement: 'SPDXRef-busybox',
        },
        {
          spdxElementId: 'SPDXRef-image',
          relationshipType: 'CONTAINS',
          relatedSpdxElement: 'SPDXRef-musl',
        },
      ],
    }
    const sbom = parse(doc, 'trivy.spdx.json')
    expect(sbom.components.map((c) => [c.key, c.version, c.purl, c.isRoot])).toEqual([
      ['SPDXRef-image', undefined, undefined, true],
      ['SPDXRef-busybox', '1.35.0-r17', 'pkg:apk/alpine/busybox@1.35.0-r17', false],
      ['SPDXRef-musl', '1.2.3-r4', 'pkg:apk/alpine/musl@1.2.3-r4', false],
    ])
    expect(sbom.document.rootKey).toBe('SPDXRef-image')
    expect(sbom.dependencies).toHaveLength(2)
    expect(warnings(sbom).map((n) => `${n.pointer} ${n.message}`)).toEqual([
      '/packages/0 3 packages leave out downloadLocation, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
      '/packages/0 3 packages leave out copyrightText, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
      '/packages/0 3 packages leave out licenseConcluded, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
      '/packages/0 3 packages leave out licenseDeclared, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
      '/files/0 2 files leave out checksums, which SPDX 2.2 requires; files are not read, so nothing is checked against them (the first at /files/0)',
      '/files/0 2 files leave out copyrightText, which SPDX 2.2 requires; files are not read (the first at /files/0)',
      '/files/0 2 files leave out licenseConcluded, which SPDX 2.2 requires; files are not read (the first at /files/0)',
      '/files/0 2 files leave out licenseInfoInFiles, which SPDX 2.2 requires; files are not read (the first at /files/0)',
      '/relationships/0/relationshipType 1 relationship has the type DESCRIBE, which SPDX does not define; read as DESCRIBES (the first at /relationships/0/relationshipType)',
    ])
    expect(sbom.notes.every(isSbomWarning)).toBe(true)

    // SPDX 2.3 requires downloadLocation and file checksums only.
    const as23 = parse({ ...doc, spdxVersion: 'SPDX-2.3' })
    expect(warnings(as23).map((n) => n.message.split(',')[0])).toEqual([
      '3 packages leave out downloadLocation',
      '2 files leave out checksums',
      '1 relationship has the type DESCRIBE',
    ])
  })

  // Everything off the list is still refused, with the file and the JSON pointer named.
  it.each<[string, (doc: Record<string, unknown>) => void, string, string]>([
    [
      'a package without name',
      (d) => delete (d.packages as Record<string, unknown>[])[1]!.name,
      '/packages/1',
      'missing required property "name"',
    ],
    [
      'a package without SPDXID',
      (d) => delete (d.packages as Record<string, unknown>[])[0]!.SPDXID,
      '/packages/0',
      'missing required property "SPDXID"',
    ],
    [
      'a downloadLocation that is not text',
      (d) => ((d.packages as Record<string, unknown>[])[0]!.downloadLocation = 7),
      '/packages/0/downloadLocation',
      'must be of type string',
    ],
    [
      'a versionInfo that is not text',
      (d) => ((d.packages as Record<string, unknown>[])[1]!.versionInfo = ['1.0']),
      '/packages/1/versionInfo',
      'must be of type string',
    ],
    [
      'an external reference without its locator',
      (d) => {
        const ref = (d.packages as { externalRefs: Record<string, unknown>[] }[])[1]!
          .externalRefs[0]!
        delete ref.referenceLocator
      },
      '/packages/1/externalRefs/0',
      'missing required property "referenceLocator"',
    ],
    [
      'a file without fileName',
      (d) => delete (d.files as Record<string, unknown>[])[0]!.fileName,
      '/files/0',
      'missing required property "fileName"',
    ],
    [
      'file checksums that are there but empty',
      (d) => ((d.files as Record<string, unknown>[])[0]!.checksums = []),
      '/files/0/checksums',
      'must NOT have fewer than 1 items',
    ],
    [
      'a relationship without its target',
      (d) => delete (d.relationships as Record<string, unknown>[])[1]!.relatedSpdxElement,
      '/relationships/1',
      'missing required property "relatedSpdxElement"',
    ],
    [
      'another misspelt relationship type',
      (d) => ((d.relationships as Record<string, unknown>[])[1]!.relationshipType = 'CONTAIN'),
      '/relationships/1/relationshipType',
      'must be one of "VARIANT_OF", "COPY_OF"',
    ],
    [
      'a document without documentNamespace',
      (d) => delete d.documentNamespace,
      '',
      'missing required property "documentNamespace"',
    ],
    [
      'a creation without creators',
      (d) => delete (d.creationInfo as Record<string, unknown>).creators,
      '/creationInfo',
      'missing required property "creators"',
    ],
  ])('still refuses %s in a trivy-like SPDX 2.2 document', (_, spoil, pointer, message) => {
    const doc = trivyLike()
    spoil(doc)
    const error = refused(() => parse(doc, 'trivy.spdx.json'))
    expect(error.details).toMatchObject({ reason: 'schema_invalid', fileName: 'trivy.spdx.json' })
    // Only the problem is listed, not the tolerated omissions around it.
    expect(error.details.problems).toHaveLength(1)
    expect(error.details.problems?.[0]?.pointer).toBe(pointer)
    expect(error.details.problems?.[0]?.message).toContain(message)
    expect(error.message).toMatch(/^trivy\.spdx\.json is not valid SPDX 2\.2 JSON: 1 problem\n/)
    expect(error.message).toContain(`${pointer || '/'}: ${message}`)
  })
})

/** An SPDX 2.2 document with every omission and the misspelling trivy 0.x writes. */
function trivyLike(): Record<string, unknown> {
  return {
    ...spdx([
      { SPDXID: 'SPDXRef-image', name: 'gateway-image' },
      {
        SPDXID: 'SPDXRef-busybox',
        name: 'busybox',
        versionInfo: '1.35.0-r17',
        licenseConcluded: 'GPL-2.0-only',
        licenseDeclared: 'GPL-2.0-only',
        externalRefs: [
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator: 'pkg:apk/alpine/busybox@1.35.0-r17',
          },
        ],
      },
    ]),
    spdxVersion: 'SPDX-2.2',
    files: [{ SPDXID: 'SPDXRef-File-1', fileName: 'bin/busybox' }],
    relationships: [
      {
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'DESCRIBE',
        relatedSpdxElement: 'SPDXRef-image',
      },
      {
        spdxElementId: 'SPDXRef-image',
        relationshipType: 'CONTAINS',
        relatedSpdxElement: 'SPDXRef-busybox',
      },
    ],
  }
}

describe('limits', () => {
  it('refuses a file over the size limit before parsing it', () => {
    const error = refused(() =>
      parseSbom(Buffer.from('not even json'), 'big.json', { limits: { maxBytes: 5 } }),
    )
    expect(error).toMatchObject({ code: 'payload_too_large', reason: 'too_large' })
    expect(error.details).toMatchObject({ limit: 5, actual: 13 })
  })

  it('refuses too many components, counted at every depth', () => {
    const components = [
      { type: 'library', name: 'a', components: [{ type: 'library', name: 'b' }] },
    ]
    const error = refused(() => parse(cdx('1.6', { components }), 'x', { maxComponents: 1 }))
    expect(error).toMatchObject({ code: 'payload_too_large', reason: 'too_many_components' })
    expect(error.details.actual).toBe(2)
  })

  it('refuses very deep nesting without overflowing the stack', () => {
    // Built as text: JSON.stringify itself recurses.
    const levels = 20_000
    const text =
      '{"bomFormat":"CycloneDX","specVersion":"1.6","components":' +
      '[{"type":"library","name":"c","components":'.repeat(levels) +
      '[]' +
      '}]'.repeat(levels) +
      '}'
    const error = refused(() =>
      parseSbom(Buffer.from(text), 'deep.json', { limits: { maxComponents: 1e6 } }),
    )
    expect(error.reason).toBe('too_deep')
    const raw = '['.repeat(100_000) + ']'.repeat(100_000)
    expect(refused(() => parseSbom(Buffer.from(raw))).reason).toBe('too_deep')
  })

  it('handles nesting up to the depth limit', () => {
    let component: Record<string, unknown> = { type: 'library', name: 'leaf' }
    for (let i = 0; i < 60; i++) {
      component = { type: 'library', name: `c${i}`, components: [component] }
    }
    const sbom = parse(cdx('1.6', { components: [component] }))
    expect(sbom.components).toHaveLength(61)
    expect(sbom.components.at(-1)?.parentKey).toBe(sbom.components.at(-2)?.key)
  })
})

describe('property tests', () => {
  const onlyTypedErrors = (bytes: Buffer): void => {
    try {
      parseSbom(bytes)
    } catch (error) {
      if (!isSbomError(error)) throw error
    }
  }

  it('arbitrary bytes never throw anything but SbomError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) =>
        onlyTypedErrors(Buffer.from(bytes)),
      ),
      {
        numRuns: 300,
      },
    )
  })

  it('refuses a document whose members are named valueOf (which once made the validator throw; found by the fuzz test)', () => {
    const doc = cdx('1.5', {
      components: [
        { components: null, type: 0, name: [], 'bom-ref': {}, purl: {} },
        { name: [], purl: 0, components: {}, type: [], 'bom-ref': { valueOf: false } },
      ],
    })
    expect(() => parse(doc)).toThrow(SbomError)
  })

  it('arbitrary JSON, bare or dressed as CycloneDX or SPDX, never throws anything but SbomError', () => {
    const dressed = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.string(), fc.jsonValue()).map((extra) => ({ ...cdx('1.6'), ...extra })),
      fc
        .record({
          components: fc.array(
            fc.dictionary(
              fc.constantFrom('type', 'name', 'purl', 'bom-ref', 'components'),
              fc.jsonValue(),
            ),
          ),
        })
        .map((extra) => cdx('1.5', extra)),
      fc
        .array(
          fc.dictionary(
            fc.constantFrom('SPDXID', 'name', 'externalRefs', 'versionInfo'),
            fc.jsonValue(),
          ),
        )
        .map((packages) => spdx(packages)),
      // SPDX 2.2 with the members the tolerated omissions are about, holding any JSON.
      fc
        .record({
          packages: fc.array(
            fc.dictionary(
              fc.constantFrom(
                'SPDXID',
                'name',
                'downloadLocation',
                'licenseConcluded',
                'checksums',
              ),
              fc.jsonValue(),
            ),
          ),
          files: fc.array(
            fc.dictionary(
              fc.constantFrom('SPDXID', 'fileName', 'checksums', 'licenseInfoInFiles'),
              fc.jsonValue(),
            ),
          ),
          relationships: fc.array(
            fc.record({
              spdxElementId: fc.oneof(fc.constant('SPDXRef-DOCUMENT'), fc.jsonValue()),
              relationshipType: fc.oneof(fc.constantFrom('DESCRIBE', 'DESCRIBES'), fc.jsonValue()),
              relatedSpdxElement: fc.jsonValue(),
            }),
          ),
        })
        .map(({ packages, ...extra }) => ({ ...spdx(packages, extra), spdxVersion: 'SPDX-2.2' })),
    )
    fc.assert(
      fc.property(dressed, (value) => onlyTypedErrors(Buffer.from(JSON.stringify(value) ?? ''))),
      {
        numRuns: 300,
      },
    )
  })

  // A model of the tolerance list: SPDX 2.2 / 2.3 documents with members left out at random and
  // relationship types misspelt at random are read with exactly the warnings the model expects,
  // or refused with exactly the problems it expects.
  it('left-out members and misspelt relationship types: warnings for the list, refusal for the rest', () => {
    const REQUIRED = {
      '2.2': {
        packages: [
          'SPDXID',
          'name',
          'downloadLocation',
          'copyrightText',
          'licenseConcluded',
          'licenseDeclared',
        ],
        files: [
          'SPDXID',
          'fileName',
          'checksums',
          'copyrightText',
          'licenseConcluded',
          'licenseInfoInFiles',
        ],
      },
      '2.3': {
        packages: ['SPDXID', 'name', 'downloadLocation'],
        files: ['SPDXID', 'fileName', 'checksums'],
      },
    } as const
    const TOLERATED = new Set([
      'packages downloadLocation',
      'packages copyrightText',
      'packages licenseConcluded',
      'packages licenseDeclared',
      'files checksums',
      'files copyrightText',
      'files licenseConcluded',
      'files licenseInfoInFiles',
    ])
    const fullPackage = (i: number): Record<string, unknown> => ({
      SPDXID: `SPDXRef-p${i}`,
      name: `p${i}`,
      versionInfo: '1.0',
      downloadLocation: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      licenseConcluded: 'MIT',
      licenseDeclared: 'MIT',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:npm/p${i}@1.0`,
        },
      ],
    })
    const fullFile = (i: number): Record<string, unknown> => ({
      SPDXID: `SPDXRef-f${i}`,
      fileName: `f${i}`,
      checksums: [{ algorithm: 'SHA1', checksumValue: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' }],
      copyrightText: 'NOASSERTION',
      licenseConcluded: 'NOASSERTION',
      licenseInfoInFiles: ['NOASSERTION'],
    })
    const members = (where: 'packages' | 'files') =>
      fc.subarray([...REQUIRED['2.2'][where]] as string[])
    const arbitrary = fc.record({
      version: fc.constantFrom('2.2', '2.3') as fc.Arbitrary<'2.2' | '2.3'>,
      packages: fc.array(members('packages'), { minLength: 1, maxLength: 6 }),
      files: fc.array(members('files'), { maxLength: 4 }),
      types: fc.array(
        fc.constantFrom('CONTAINS', 'DESCRIBE', 'DESCRIBES', 'DESCRIBED', 'describes'),
        {
          maxLength: 4,
        },
      ),
    })
    fc.assert(
      fc.property(arbitrary, ({ version, packages, files, types }) => {
        const expectedProblems: string[] = []
        const omitted = new Map<string, number>()
        const leaveOut = (
          where: 'packages' | 'files',
          items: Record<string, unknown>[],
          gone: string[][],
        ) =>
          gone.forEach((names, i) => {
            for (const name of names) {
              delete items[i]![name]
              if (!(REQUIRED[version][where] as readonly string[]).includes(name)) continue
              const kind = `${where} ${name}`
              if (TOLERATED.has(kind)) omitted.set(kind, (omitted.get(kind) ?? 0) + 1)
              else expectedProblems.push(`/${where}/${i} missing required property "${name}"`)
            }
          })
        const docPackages = packages.map((_, i) => fullPackage(i))
        const docFiles = files.map((_, i) => fullFile(i))
        leaveOut('packages', docPackages, packages)
        leaveOut('files', docFiles, files)
        const relationships = types.map((type, i) => {
          if (type !== 'CONTAINS' && type !== 'DESCRIBES' && type !== 'DESCRIBE') {
            expectedProblems.push(`/relationships/${i}/relationshipType must be one of`)
          }
          return {
            spdxElementId: type === 'CONTAINS' ? 'SPDXRef-p0' : 'SPDXRef-DOCUMENT',
            relationshipType: type,
            relatedSpdxElement: `SPDXRef-p${i % packages.length}`,
          }
        })
        const doc = {
          ...spdx(docPackages, { files: docFiles, relationships }),
          spdxVersion: `SPDX-${version}`,
        }
        const bytes = Buffer.from(JSON.stringify(doc))
        if (expectedProblems.length > 0) {
          const error = refused(() => parseSbom(bytes, 'model.spdx.json'))
          expect(error.details.fileName).toBe('model.spdx.json')
          const problems = (error.details.problems ?? []).map((p) => `${p.pointer} ${p.message}`)
          expect(problems).toHaveLength(expectedProblems.length)
          for (const wanted of expectedProblems) {
            expect(problems.some((p) => p.startsWith(wanted))).toBe(true)
          }
          return
        }
        const sbom = parseSbom(bytes, 'model.spdx.json')
        expect(sbom.components).toHaveLength(packages.length)
        const found = new Map<string, number>()
        for (const note of warnings(sbom)) {
          if (note.code === 'tolerated_relationship') continue
          const match = /^(\d+) (package|file)s? leaves? out (\w+),/u.exec(note.message)
          expect(match, note.message).not.toBeNull()
          found.set(`${match![2]}s ${match![3]}`, Number(match![1]))
        }
        expect(found).toEqual(omitted)
        const describe = types.filter((t) => t === 'DESCRIBE').length
        expect(sbom.notes.filter((n) => n.code === 'tolerated_relationship')).toHaveLength(
          describe > 0 ? 1 : 0,
        )
        if (types.includes('DESCRIBE') || types.includes('DESCRIBES')) {
          expect(sbom.document.rootKey).toBeDefined()
        }
      }),
      { numRuns: 300 },
    )
  })

  it('a large document that leaves out every listed field is read in one pass with one warning per kind', () => {
    const n = 20_000
    const doc = {
      ...spdx(
        Array.from({ length: n }, (_, i) => ({ SPDXID: `SPDXRef-p${i}`, name: `p${i}` })),
        {
          files: Array.from({ length: n }, (_, i) => ({
            SPDXID: `SPDXRef-f${i}`,
            fileName: `f${i}`,
          })),
          relationships: Array.from({ length: n }, (_, i) => ({
            spdxElementId: 'SPDXRef-DOCUMENT',
            relationshipType: 'DESCRIBE',
            relatedSpdxElement: `SPDXRef-p${i}`,
          })),
        },
      ),
      spdxVersion: 'SPDX-2.2',
    }
    const started = performance.now()
    const sbom = parse(doc)
    const ms = performance.now() - started
    expect(sbom.components).toHaveLength(n)
    expect(warnings(sbom)).toHaveLength(9)
    expect(warnings(sbom).every((w) => w.message.startsWith(`${n} `))).toBe(true)
    // About a second on a loaded two-core machine; a quadratic step would take minutes.
    expect(ms).toBeLessThan(15_000)
  }, 30_000)

  it('any string as a purl is kept, canonical or flagged', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (purl) => {
        const sbom = parse(cdx('1.6', { components: [{ type: 'library', name: 'x', purl }] }))
        const component = sbom.components[0]
        if (purl.trim() !== '') {
          expect(component?.purlValid === true || component?.purl === purl).toBe(true)
        }
      }),
      { numRuns: 200 },
    )
  })
})

/** Real SBOMs from ../shared/data, read in place. */
describe('real SBOMs', () => {
  if (!hasData && process.env.CI === 'true') {
    it('finds the shared data', () => {
      throw new Error(`${DATA} is missing; CI needs ../shared/data`)
    })
  } else if (!hasData) {
    console.warn(`Skipping the real-SBOM tests: ${DATA} is missing`)
  }
  const read = (file: string): ParsedSbom => parseSbom(fs.readFileSync(path.join(DATA, file)), file)
  const component = (sbom: ParsedSbom, name: string, version?: string) =>
    byName(sbom, name).find((c) => version === undefined || c.version === version)

  // [file, spec version, components after merging, merged duplicates, dependency edges]
  const valid: [string, string, number, number, number][] = [
    ['CycloneDX-bom-examples/SBOM/juice-shop/via_npm/bare/bom.1.4.json', '1.4', 979, 137, 1660],
    ['CycloneDX-bom-examples/SBOM/juice-shop/via_npm/flat/bom.1.4.json', '1.4', 979, 137, 1660],
    ['CycloneDX-bom-examples/SBOM/laravel-7.12.0/bom.1.4.json', '1.4', 63, 0, 113],
    ['CycloneDX-bom-examples/HBOM/PCIe-SATA-adapter-board/bom.json', '1.4', 7, 0, 0],
    ['CycloneDX-bom-examples/CBOM/Example-With-Dependencies/bom.json', '1.6', 4, 0, 2],
    ['iot-image-sboms/spdx-bom-balenalib_am571x-evm-alpine-node.spdx.json', '2.3', 15, 0, 14],
    ['iot-image-sboms/spdx-bom-balenalib_apalis-imx6q-debian-node.spdx.json', '2.3', 171, 0, 170],
    [
      'iot-image-sboms/spdx-bom-balenalib_beaglebone-black-debian-node.spdx.json',
      '2.3',
      174,
      0,
      173,
    ],
    ['iot-image-sboms/spdx-syft-balenalib_am571x-evm-alpine-node.spdx.json', '2.3', 283, 3, 197],
    ['iot-image-sboms/spdx-syft-balenalib_apalis-imx6q-debian-node.spdx.json', '2.3', 409, 0, 0],
    [
      'iot-image-sboms/spdx-syft-balenalib_beaglebone-black-debian-node.spdx.json',
      '2.3',
      366,
      7,
      0,
    ],
    ['spdx-examples/presentations/OSS-NA-2023/SPDXVersion2.3/01-MinimalSBOM.json', '2.3', 1, 0, 0],
    ['spdx-examples/presentations/OSS-NA-2023/SPDXVersion2.3/02-SBOMwSource.json', '2.3', 1, 0, 0],
    [
      'spdx-examples/presentations/OSS-NA-2023/SPDXVersion2.3/03-SBOMwDependency.json',
      '2.3',
      2,
      0,
      0,
    ],
    [
      'spdx-examples/presentations/OSS-NA-2023/SPDXVersion2.3/04-SBOMwSecurity.json',
      '2.3',
      2,
      0,
      0,
    ],
    [
      'spdx-examples/presentations/OSS-NA-2023/SPDXVersion2.3/05-SBOMwSourceLicense.json',
      '2.3',
      1,
      0,
      0,
    ],
    ['spdx-examples/presentations/SBOMS-SPDX-Now-and-Future/ACME-v2.3.spdx.json', '2.3', 4, 0, 3],
    ['spdx-examples/software/example10/spdx2.3/hello-source.spdx.json', '2.3', 1, 0, 0],
    ['spdx-examples/software/example11/spdx2.3/sbom.spdx.json', '2.3', 4, 0, 3],
    ['spdx-examples/software/example12/spdx2.2/hello-dist.spdx.json', '2.2', 1, 0, 0],
    ['spdx-examples/software/example12/spdx2.2/hello-src.spdx.json', '2.2', 1, 0, 0],
    [
      'spdx-examples/software/example14/spdx2.3/examplemaven-0.0.1-enriched.spdx.json',
      '2.3',
      6,
      0,
      0,
    ],
    ['spdx-examples/software/example7/spdx2.2/example7-bin.spdx.json', '2.2', 1, 0, 0],
    ['spdx-examples/software/example7/spdx2.2/example7-go-module.spdx.json', '2.2', 1, 0, 0],
    ['spdx-examples/software/example7/spdx2.2/example7-golang.spdx.json', '2.2', 2, 0, 0],
    [
      'spdx-examples/software/example7/spdx2.2/example7-third-party-modules.spdx.json',
      '2.2',
      3,
      0,
      0,
    ],
    ['spdx-examples/software/example8/spdx2.3/examplemaven-0.0.1.spdx.json', '2.3', 6, 0, 0],
    ['spdx-examples/software/example9/spdx2.2/appbomination.spdx.json', '2.2', 7, 0, 3],
  ]

  it.skipIf(!hasData).each(valid)(
    '%s parses and validates (%s)',
    (file, version, count, merged, edges) => {
      const sbom = read(file)
      expect(sbom.specVersion).toBe(version)
      expect(sbom.components).toHaveLength(count)
      expect(sbom.components.reduce((n, c) => n + (c.mergedKeys?.length ?? 0), 0)).toBe(merged)
      expect(sbom.dependencies).toHaveLength(edges)
      expect(sbom.sha256).toMatch(/^[0-9a-f]{64}$/u)
      const keys = new Set(sbom.components.map((c) => c.key))
      expect(keys.size).toBe(sbom.components.length)
      for (const edge of sbom.dependencies) {
        expect(keys.has(edge.from) && keys.has(edge.to)).toBe(true)
      }
    },
  )

  it.skipIf(!hasData)(
    'every file of the shared SBOM folders is accounted for above or below',
    () => {
      const listed = new Set([
        ...valid.map(([file]) => file),
        ...unsupported.map(([file]) => file),
        ...trivy.map(([file]) => file),
      ])
      const found: string[] = []
      for (const dir of ['CycloneDX-bom-examples/SBOM', 'iot-image-sboms', 'spdx-examples']) {
        for (const entry of fs.readdirSync(path.join(DATA, dir), {
          recursive: true,
          encoding: 'utf8',
        })) {
          if (entry.endsWith('.json')) found.push(`${dir}/${entry}`)
        }
      }
      expect(found.filter((file) => !listed.has(file))).toEqual([])
    },
  )

  it.skipIf(!hasData)('finds known components with purl and CPE', () => {
    const beaglebone = read(
      'iot-image-sboms/spdx-syft-balenalib_beaglebone-black-debian-node.spdx.json',
    )
    expect(component(beaglebone, 'openssl')).toMatchObject({
      version: '1.1.1n-0+deb11u3',
      purl: 'pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?arch=armhf&distro=debian-11',
      cpes: ['cpe:2.3:a:openssl:openssl:1.1.1n-0\\+deb11u3:*:*:*:*:*:*:*'],
    })
    expect(component(beaglebone, 'libc6')?.purlParts).toEqual({
      type: 'deb',
      namespace: 'debian',
      name: 'libc6',
      version: '2.31-13+deb11u5',
      qualifiers: { arch: 'armhf', distro: 'debian-11', upstream: 'glibc' },
    })
    expect(beaglebone.document.tools).toEqual([{ name: 'syft', version: '0.64.0' }])

    const alpine = read('iot-image-sboms/spdx-syft-balenalib_am571x-evm-alpine-node.spdx.json')
    expect(component(alpine, 'busybox', '1.35.0-r13')).toMatchObject({
      purl: 'pkg:alpine/busybox@1.35.0-r13?arch=armv7&distro=alpine-3.16.0&upstream=busybox',
      cpes: ['cpe:2.3:a:busybox:busybox:1.35.0-r13:*:*:*:*:*:*:*'],
      licenses: ['GPL-2.0-only'],
    })
    // syft's binary classifier finds busybox without a purl, CPE only.
    expect(component(alpine, 'busybox', '1.35.0')?.purl).toBeUndefined()
    expect(component(alpine, 'busybox', '1.35.0')?.cpes).toEqual([
      'cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*',
    ])

    const apalis = read('iot-image-sboms/spdx-syft-balenalib_apalis-imx6q-debian-node.spdx.json')
    expect(component(apalis, 'libssl1.1')?.purl).toBe(
      'pkg:deb/debian/libssl1.1@1.1.1d-0%2Bdeb10u6?arch=armhf&distro=debian-10&upstream=openssl',
    )

    const k8sBom = read('iot-image-sboms/spdx-bom-balenalib_beaglebone-black-debian-node.spdx.json')
    expect(component(k8sBom, 'openssl')).toMatchObject({
      purl: 'pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?arch=armhf',
      cpes: [],
    })

    const juice = read('CycloneDX-bom-examples/SBOM/juice-shop/via_npm/bare/bom.1.4.json')
    expect(juice.components[0]).toMatchObject({
      isRoot: true,
      name: 'juice-shop',
      version: '14.1.1',
      key: 'juice-shop@14.1.1',
    })
    expect(component(juice, 'express')).toMatchObject({
      purl: 'pkg:npm/express@4.18.2',
      licenses: ['MIT'],
      type: 'library',
    })
    expect(component(juice, 'colors')).toMatchObject({
      group: '@colors',
      purl: 'pkg:npm/%40colors/colors@1.5.0',
    })

    const laravel = read('CycloneDX-bom-examples/SBOM/laravel-7.12.0/bom.1.4.json')
    expect(component(laravel, 'framework')).toMatchObject({
      version: 'v7.30.6',
      purl: 'pkg:composer/laravel/framework@v7.30.6',
    })

    const hbom = read('CycloneDX-bom-examples/HBOM/PCIe-SATA-adapter-board/bom.json')
    expect(hbom.components[0]).toMatchObject({
      isRoot: true,
      type: 'device',
      name: 'pcie-sata-adaptor-board',
    })

    const security = read(
      'spdx-examples/presentations/OSS-NA-2023/SPDXVersion2.3/04-SBOMwSecurity.json',
    )
    expect(component(security, 'xlsx')).toMatchObject({
      purl: 'pkg:maven/org.webjars.npm/xlsx@0.16.6',
      supplier: 'Webjar',
    })
  })

  // CycloneDX 1.2 and 1.3 are older than the versions we accept.
  const unsupported: [string, string][] = [
    ['CycloneDX-bom-examples/SBOM/cern-lhc-vdm-editor-e564943/bom.json', 'CycloneDX 1.2 JSON'],
    ['CycloneDX-bom-examples/SBOM/dropwizard-1.3.15/bom.json', 'CycloneDX 1.2 JSON'],
    ['CycloneDX-bom-examples/SBOM/juice-shop/v11.1.2/bom.json', 'CycloneDX 1.2 JSON'],
    ['CycloneDX-bom-examples/SBOM/juice-shop/via_npm/bare/bom.1.2.json', 'CycloneDX 1.2 JSON'],
    ['CycloneDX-bom-examples/SBOM/juice-shop/via_npm/bare/bom.1.3.json', 'CycloneDX 1.3 JSON'],
    ['CycloneDX-bom-examples/SBOM/juice-shop/via_npm/flat/bom.1.2.json', 'CycloneDX 1.2 JSON'],
    ['CycloneDX-bom-examples/SBOM/juice-shop/via_npm/flat/bom.1.3.json', 'CycloneDX 1.3 JSON'],
    ['CycloneDX-bom-examples/SBOM/keycloak-10.0.2/bom.json', 'CycloneDX 1.2 JSON'],
    ['CycloneDX-bom-examples/SBOM/laravel-7.12.0/bom.1.2.json', 'CycloneDX 1.2 JSON'],
    ['CycloneDX-bom-examples/SBOM/laravel-7.12.0/bom.1.3.json', 'CycloneDX 1.3 JSON'],
    [
      'CycloneDX-bom-examples/SBOM/proton-bridge/proton-bridge-v1.6.3.bom.json',
      'CycloneDX 1.2 JSON',
    ],
    [
      'CycloneDX-bom-examples/SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json',
      'CycloneDX 1.2 JSON',
    ],
    ['CycloneDX-bom-examples/SBOM/protonmail-webclient-v4-0912dff/bom.json', 'CycloneDX 1.2 JSON'],
  ]
  it.skipIf(!hasData).each(unsupported)('%s is refused as %s', (file, found) => {
    const error = refused(() => read(file))
    expect(error.details).toMatchObject({ reason: 'unsupported_format', found })
  })

  // trivy 0.x writes SPDX 2.2 documents that leave out fields the 2.2 schema requires and
  // misspell DESCRIBES: they are read, with these warnings (and nothing else is relaxed).
  const trivy: [string, number, number, number, string, number][] = [
    [
      'iot-image-sboms/spdx-trivy-balenalib_am571x-evm-alpine-node.spdx.json',
      287,
      204,
      284,
      'SPDXRef-ContainerImage-61405ad9c75b4978',
      3,
    ],
    [
      'iot-image-sboms/spdx-trivy-balenalib_apalis-imx6q-debian-node.spdx.json',
      411,
      257,
      411,
      'SPDXRef-ContainerImage-a23369c15311a3fe',
      0,
    ],
    [
      'iot-image-sboms/spdx-trivy-balenalib_beaglebone-black-debian-node.spdx.json',
      375,
      214,
      368,
      'SPDXRef-ContainerImage-9d474787fbc92824',
      7,
    ],
  ]
  it.skipIf(!hasData).each(trivy)(
    '%s (trivy 0.x, %i packages, %i files) is read with warnings',
    (file, packages, files, count, root, merged) => {
      const sbom = read(file)
      expect(sbom.specVersion).toBe('2.2')
      expect(sbom.components).toHaveLength(count)
      expect(sbom.components.reduce((n, c) => n + (c.mergedKeys?.length ?? 0), 0)).toBe(merged)
      expect(packages - merged).toBe(count)
      // Every CONTAINS relationship (one per package but the image) is an edge; merges fold some.
      expect(sbom.dependencies).toHaveLength(count - 1)
      expect(sbom.document).toMatchObject({ rootKey: root, tools: [{ name: 'trivy' }] })
      // All but the application and the operating-system entries carry a purl, all valid.
      expect(sbom.components.filter((c) => c.purlValid === true)).toHaveLength(count - 2)
      expect(
        sbom.components.filter((c) => c.purl === undefined).map((c) => c.key.split('-')[1]),
      ).toEqual(['Application', 'OperatingSystem'])
      expect(sbom.components.some((c) => c.purlValid === false)).toBe(false)
      expect(warnings(sbom).map((n) => `${n.pointer} ${n.message.split(',')[0]}`)).toEqual([
        `/packages/0 ${packages} packages leave out downloadLocation`,
        `/packages/0 ${packages} packages leave out copyrightText`,
        // The application, the image and the operating system entries (packages 0–2).
        '/packages/0 3 packages leave out licenseConcluded',
        '/packages/0 3 packages leave out licenseDeclared',
        `/files/0 ${files} files leave out checksums`,
        `/files/0 ${files} files leave out copyrightText`,
        `/files/0 ${files} files leave out licenseConcluded`,
        `/files/0 ${files} files leave out licenseInfoInFiles`,
        '/relationships/0/relationshipType 1 relationship has the type DESCRIBE',
      ])
      expect(sbom.notes.filter((n) => !isSbomWarning(n)).map((n) => n.code)).toEqual(
        Array<string>(merged).fill('duplicate_merged'),
      )
    },
  )

  it.skipIf(!hasData)('finds the same Debian packages in trivy’s SPDX as in syft’s', () => {
    const trivyBeaglebone = read(
      'iot-image-sboms/spdx-trivy-balenalib_beaglebone-black-debian-node.spdx.json',
    )
    expect(component(trivyBeaglebone, 'openssl')).toMatchObject({
      version: '1.1.1n-0+deb11u3',
      purlParts: { type: 'deb', namespace: 'debian', name: 'openssl' },
    })
    const trivyAlpine = read(
      'iot-image-sboms/spdx-trivy-balenalib_am571x-evm-alpine-node.spdx.json',
    )
    expect(component(trivyAlpine, 'gpgsm')).toMatchObject({
      version: '2.2.35-r4',
      purl: 'pkg:apk/alpine/gpgsm@2.2.35-r4?distro=3.16.0',
      licenses: ['GPL-3.0'],
    })
  })
})
