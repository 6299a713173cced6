import fs from 'node:fs'
import path from 'node:path'
import { Ajv, type ValidateFunction } from 'ajv'
import formats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { DEVICE_CLASSES, TIERS } from '../../../common/framework.ts'
import { FrameworkIndex } from './analysis.ts'
import { renderExport } from './export.ts'
import { loadFramework } from './framework-files.ts'
import { controlId, uuidV5 } from './oscal.ts'

/** The NIST OSCAL 1.1 JSON schemas, vendored in testdata/oscal (see its README). */
function validator(file: string): ValidateFunction {
  const schema = JSON.parse(
    fs.readFileSync(path.join(import.meta.dirname, 'testdata/oscal', file), 'utf8'),
  ) as object
  // The schemas use \p{L} in patterns (unicodeRegExp, on by default) and draft-07 keywords that
  // strict mode does not know (contentEncoding).
  const ajv = new Ajv({ allErrors: true, strict: false })
  formats.default(ajv)
  return ajv.compile(schema)
}

const validateCatalog = validator('oscal_catalog_schema.json')
const validateProfile = validator('oscal_profile_schema.json')
const index = new FrameworkIndex(loadFramework())

interface Control {
  id: string
  props: { name: string; value: string; class?: string }[]
  links?: { href: string }[]
  parts: { name: string }[]
}
interface Catalog {
  catalog: {
    uuid: string
    groups: { id: string; controls?: Control[] }[]
    'back-matter'?: { resources: { uuid: string }[] }
  }
}
interface Profile {
  profile: {
    imports: { href: string; 'include-controls': { 'with-ids': string[] }[] }[]
    'back-matter': { resources: { uuid: string }[] }
  }
}

function catalog(): Catalog {
  return JSON.parse(renderExport(index, { format: 'oscal-catalog' }).body) as Catalog
}

function errors(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors?.slice(0, 5), null, 2)
}

describe('OSCAL export', () => {
  it('makes RFC 4122 version 5 UUIDs', () => {
    // The RFC's own example: "www.example.com" in the DNS namespace.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    )
  })

  it('exports a catalog that the OSCAL 1.1 catalog schema accepts', () => {
    const document = catalog()
    expect(validateCatalog(document), errors(validateCatalog)).toBe(true)
    // The schema does reject: a control id that is not a token, a prop with trailing space.
    const broken = structuredClone(document)
    broken.catalog.groups[0]!.controls![0]!.id = 'not a token'
    expect(validateCatalog(broken)).toBe(false)
    const spaced = structuredClone(document)
    spaced.catalog.groups[0]!.controls![0]!.props[0]!.value = 'ISN-GOV-01 '
    expect(validateCatalog(spaced)).toBe(false)
  })

  it('holds every requirement exactly once, with its parts, properties and crosswalk', () => {
    const document = catalog()
    const controls = document.catalog.groups.flatMap((g) => g.controls ?? [])
    const ids = controls.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.sort()).toEqual(index.document.requirements.map((r) => controlId(r.id)).sort())
    expect(document.catalog.groups.map((g) => g.id)).toEqual(
      index.document.categories.map((c) => c.id.toLowerCase()),
    )

    const resources = new Set(document.catalog['back-matter']?.resources.map((r) => r.uuid))
    for (const control of controls) {
      const requirement = index.requirementsById.get(control.id.toUpperCase())!
      expect(control.props).toContainEqual({ name: 'label', value: requirement.id })
      expect(control.parts.map((p) => p.name)).toEqual([
        'statement',
        'guidance',
        'assessment-objective',
        'assessment-method',
      ])
      const crosswalk = control.props.filter((p) => p.name === 'crosswalk')
      expect(crosswalk).toHaveLength(index.linksOf(requirement.id).length)
      for (const link of control.links ?? []) expect(resources.has(link.href.slice(1))).toBe(true)
    }
    const linkedItems = new Set(index.document.links.map((l) => `${l.catalogue}:${l.item}`))
    expect(resources.size).toBe(linkedItems.size)
  })

  it('renders the same bytes every time', () => {
    const first = renderExport(index, { format: 'oscal-catalog' })
    const again = renderExport(new FrameworkIndex(loadFramework()), { format: 'oscal-catalog' })
    expect(again.body).toBe(first.body)
    const profile = { format: 'oscal-profile', tier: 2, deviceClass: 'gateway' } as const
    expect(renderExport(index, profile).body).toBe(renderExport(index, profile).body)
  })

  it('exports profiles that the OSCAL 1.1 profile schema accepts and that import only catalog controls', () => {
    const controls = new Set(
      catalog().catalog.groups.flatMap((g) => (g.controls ?? []).map((c) => c.id)),
    )
    const defaults = renderExport(index, { format: 'oscal-profile' })
    expect(defaults.filename).toContain('tier-1-oscal-profile')
    for (const tier of TIERS) {
      for (const deviceClass of [undefined, ...DEVICE_CLASSES]) {
        const expected = index.profile(tier, deviceClass)
        if (expected.length === 0) continue
        const file = renderExport(index, {
          format: 'oscal-profile',
          tier,
          ...(deviceClass ? { deviceClass } : {}),
        })
        const document = JSON.parse(file.body) as Profile
        expect(validateProfile(document), errors(validateProfile)).toBe(true)
        const ids = document.profile.imports[0]!['include-controls'][0]!['with-ids']
        expect(ids).toEqual(expected.map((p) => controlId(p.requirement.id)))
        for (const id of ids) expect(controls.has(id), id).toBe(true)
        const href = document.profile.imports[0]!.href
        expect(document.profile['back-matter'].resources.map((r) => `#${r.uuid}`)).toContain(href)
      }
    }
  })
})
