import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import {
  COMPONENT_TYPES,
  DEVICE_CLASSES,
  LINK_STRENGTHS,
  RELATIONS,
  REQUIREMENT_ID_PATTERN,
  REQUIREMENT_KINDS,
  TIERS,
  VERIFICATION_STRENGTHS,
} from '../../../common/framework.ts'
import { COVERAGE_GOALS, FrameworkIndex } from './analysis.ts'
import { loadFramework, readFramework } from './framework-files.ts'
import { FRAMEWORK_DIR, SCHEMA_DIR } from './source-files.ts'

const document = loadFramework()
const index = new FrameworkIndex(document)

describe('the shipped framework', () => {
  it('validates, with every category file present and in manifest order', () => {
    expect(document.requirements.length).toBeGreaterThanOrEqual(100)
    expect(document.categories.map((c) => c.id)).toEqual([
      'GOV',
      'VUL',
      'SBOM',
      'UPD',
      'AUTH',
      'ACC',
      'CRY',
      'COM',
      'SURF',
      'INT',
      'LOG',
      'RES',
      'DATA',
      'DOC',
    ])
  })

  it('has unique requirement ids of the form ISN-<category>-NN, numbered in order', () => {
    const ids = document.requirements.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const category of document.categories) {
      const own = document.requirements.filter((r) => r.category === category.id)
      expect(own.length, category.id).toBeGreaterThan(0)
      own.forEach((r, i) => {
        expect(r.id).toMatch(new RegExp(REQUIREMENT_ID_PATTERN))
        expect(r.id).toBe(`ISN-${category.id}-${String(i + 1).padStart(2, '0')}`)
      })
    }
  })

  it('states both product-technical and process requirements, at every tier', () => {
    for (const kind of REQUIREMENT_KINDS) {
      expect(
        document.requirements.some((r) => r.kind === kind),
        kind,
      ).toBe(true)
    }
    for (const tier of TIERS) {
      expect(
        document.requirements.some((r) => r.tier === tier),
        `tier ${tier}`,
      ).toBe(true)
    }
    for (const deviceClass of DEVICE_CLASSES) {
      expect(index.profile(1, deviceClass).length, deviceClass).toBeGreaterThan(10)
    }
  })

  it('mentions only requirement ids that exist', () => {
    const texts = [
      ...document.requirements.flatMap((r) => [
        r.statement,
        r.rationale,
        r.assessorGuidance,
        ...r.evidence,
      ]),
      ...document.links.map((l) => l.rationale),
      ...document.gaps.map((g) => g.reason),
    ]
    for (const text of texts) {
      for (const id of text.match(/ISN-[A-Z]+-\d{2}/g) ?? []) {
        expect(index.requirementsById.has(id), `${id} in "${text}"`).toBe(true)
      }
    }
  })

  it('links only to items that exist in their external catalogue', () => {
    for (const link of document.links) {
      expect(
        index.item(link.catalogue, link.item),
        `${link.requirement} → ${link.item}`,
      ).toBeDefined()
    }
  })

  it('covers the components a component-specific IEC 62443-4-2 item is about', () => {
    // A covering link to e.g. EDR 3.14 must come from a requirement for an embedded device class.
    const classesOf = {
      EDR: ['field-device', 'controller', 'gateway'],
      NDR: ['gateway'],
      HDR: ['application'],
      SAR: ['application', 'cloud-service'],
    }
    for (const link of document.links.filter((l) => l.catalogue === 'iec-62443-4-2')) {
      const type = index.item(link.catalogue, link.item)?.componentType as
        (typeof COMPONENT_TYPES)[number] | undefined
      if (!type || !['equal', 'superset'].includes(link.relation)) continue
      const requirement = index.requirementsById.get(link.requirement)!
      expect(
        requirement.deviceClasses.some((c) => classesOf[type].includes(c)),
        `${link.requirement} covers ${link.item}`,
      ).toBe(true)
    }
  })

  it('gives every link a relation, a strength, a rationale and a known provenance', () => {
    const sources = new Set(['network', ...document.sources.map((s) => s.id)])
    for (const link of document.links) {
      expect(RELATIONS).toContain(link.relation)
      expect(LINK_STRENGTHS).toContain(link.strength)
      expect(link.rationale.trim().length).toBeGreaterThan(10)
      expect(sources.has(link.provenance)).toBe(true)
    }
  })

  it('keeps the JSON Schemas in step with the vocabulary in src/common/framework.ts', () => {
    const schema = JSON.parse(
      fs.readFileSync(path.join(SCHEMA_DIR, 'requirements.schema.json'), 'utf8'),
    ) as { $defs: Record<string, { properties: Record<string, unknown> }> }
    const properties = schema.$defs.requirement!.properties as Record<
      string,
      { enum?: string[]; items?: { enum: string[] }; minimum?: number; maximum?: number }
    >
    expect(properties.kind?.enum).toEqual([...REQUIREMENT_KINDS])
    expect(properties.deviceClasses?.items?.enum).toEqual([...DEVICE_CLASSES])
    expect([properties.tier?.minimum, properties.tier?.maximum]).toEqual([1, 4])
    expect((schema.$defs.strength as unknown as { enum: string[] }).enum).toEqual([
      ...VERIFICATION_STRENGTHS,
    ])
    const crosswalk = JSON.parse(
      fs.readFileSync(path.join(SCHEMA_DIR, 'crosswalk.schema.json'), 'utf8'),
    ) as { $defs: { link: { properties: Record<string, { enum?: string[] }> } } }
    expect(crosswalk.$defs.link.properties.relation?.enum).toEqual([...RELATIONS])
    expect(crosswalk.$defs.link.properties.strength?.enum).toEqual([...LINK_STRENGTHS])
  })
})

describe('coverage goals (issue 3, §4)', () => {
  it.each(Object.keys(COVERAGE_GOALS))('%s meets its goal', (catalogue) => {
    const coverage = index.coverage(catalogue)!
    expect(coverage.goal?.missing, coverage.goal?.description).toEqual([])
    expect(coverage.goal?.met).toBe(coverage.goal?.items)
  })

  it('covers every mandatory EN 303 645 provision, CRA item, NIST capability and PSTI requirement', () => {
    const mustCover = [
      ...index.coverage('etsi-en-303-645')!.items.filter((e) => e.item.status === 'mandatory'),
      ...['eu-cra-annex-i', 'nistir-8259a', 'nistir-8259b', 'nist-ir-8425', 'uk-psti'].flatMap(
        (c) => index.coverage(c)!.items,
      ),
    ]
    expect(mustCover.length).toBe(32 + 22 + 6 + 4 + 10 + 3)
    expect(mustCover.filter((e) => e.level !== 'covered').map((e) => e.item.id)).toEqual([])
  })

  it('covers IEC 62443-4-2 at SL1–SL2 and covers or explains SL3–SL4', () => {
    const items = index.coverage('iec-62443-4-2')!.items
    const low = items.filter((e) => (e.item.securityLevel ?? 0) <= 2)
    const high = items.filter((e) => (e.item.securityLevel ?? 0) >= 3)
    expect(low.length + high.length).toBe(122)
    expect(low.filter((e) => e.level !== 'covered').map((e) => e.item.id)).toEqual([])
    for (const entry of high) {
      expect(['covered', 'gap'], entry.item.id).toContain(entry.level)
      if (entry.level === 'gap') expect(entry.gapReason?.length).toBeGreaterThan(20)
    }
  })

  it('meets every baseline goal already at tier 1', () => {
    for (const catalogue of [
      'etsi-en-303-645',
      'eu-cra-annex-i',
      'uk-psti',
      'nistir-8259a',
      'nistir-8259b',
      'nist-ir-8425',
    ]) {
      for (const entry of index.coverage(catalogue)!.items.filter((e) => e.goal)) {
        expect(
          entry.links.some((l) => l.covering && l.tier === 1),
          `${catalogue} ${entry.item.id}`,
        ).toBe(true)
      }
    }
  })
})

describe('malformed framework files', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })

  /** A copy of the shipped framework with one file changed. */
  function copyWith(file: string, change: (text: string) => string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-framework-'))
    dirs.push(dir)
    fs.cpSync(FRAMEWORK_DIR, dir, { recursive: true })
    const target = path.join(dir, file)
    fs.writeFileSync(target, change(fs.readFileSync(target, 'utf8')))
    return dir
  }

  function problems(dir: string) {
    const result = readFramework(dir)
    expect(result.document).toBeUndefined()
    expect(result.problems.length).toBeGreaterThan(0)
    return result.problems
  }

  it('refuses a duplicate requirement id, naming the file, line and pointer', () => {
    const dir = copyWith('requirements/upd.yaml', (text) =>
      text.replace('id: ISN-UPD-02', 'id: ISN-UPD-01'),
    )
    const [p] = problems(dir).filter((p) => p.message.startsWith('duplicate id'))
    expect(p).toMatchObject({ file: 'requirements/upd.yaml', pointer: '/requirements/1/id' })
    expect(p?.line).toBeGreaterThan(1)
    expect(p?.message).toContain('first at requirements/upd.yaml /requirements/0')
  })

  it('refuses a dangling mapping target', () => {
    const dir = copyWith('crosswalk/auth.yaml', (text) =>
      text.replace(/to: etsi-en-303-645:5\.1-1\b/, 'to: etsi-en-303-645:5.1-99'),
    )
    const found = problems(dir)
    expect(found).toContainEqual(
      expect.objectContaining({
        file: 'crosswalk/auth.yaml',
        message: '"5.1-99" is not an item of etsi-en-303-645',
        pointer: expect.stringMatching(/^\/mappings\/\d+\/links\/\d+\/to$/),
      }),
    )
  })

  it('refuses an unknown tier and a missing field', () => {
    const dir = copyWith('requirements/data.yaml', (text) =>
      text.replace(/tier: 1\n/, 'tier: 5\n').replace(/\n {4}rationale: .*\n/, '\n'),
    )
    const found = problems(dir)
    expect(found).toContainEqual(
      expect.objectContaining({
        file: 'requirements/data.yaml',
        pointer: expect.stringMatching(/\/tier$/),
      }),
    )
    expect(found).toContainEqual(
      expect.objectContaining({ message: 'missing required field "rationale"' }),
    )
  })

  it('refuses a verification strength that weakens at a higher tier', () => {
    const dir = copyWith('requirements/gov.yaml', (text) =>
      text.replace(/(["']?4["']?): (document-reviewed|lab-tested)/, '$1: self-declared'),
    )
    expect(problems(dir).map((p) => p.message)).toContainEqual(
      expect.stringMatching(/cannot be weaker at tier 4/),
    )
  })

  it('refuses a declared gap that a link covers', () => {
    const dir = copyWith('crosswalk/auth.yaml', (text) =>
      text.replace(
        /^mappings:/m,
        'gaps:\n  - item: uk-psti:1\n    reason: Not in scope here.\nmappings:',
      ),
    )
    expect(problems(dir).map((p) => p.text)).toContainEqual(
      expect.stringMatching(/^crosswalk\/auth\.yaml:\d+:\d+ \/gaps\/0\/item: uk-psti:1 is covered/),
    )
  })

  it('names the file and position of a YAML syntax error, and of a missing category file', () => {
    const broken = copyWith('requirements/res.yaml', (text) =>
      text.replace('requirements:', 'requirements: [unclosed'),
    )
    expect(problems(broken)[0]?.text).toMatch(/^requirements\/res\.yaml:\d+:\d+ /)
    const missing = copyWith('framework.yaml', (text) =>
      text.replace('DATA, DOC]', 'DATA, DOC, NEW]'),
    )
    expect(problems(missing).map((p) => p.text)).toContainEqual(
      expect.stringMatching(
        /^framework\.yaml:\d+:\d+ \/categories\/14: requirements\/new\.yaml is missing/,
      ),
    )
  })

  it('never throws on arbitrary text in a framework file', () => {
    const dir = copyWith('requirements/com.yaml', (text) => text)
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        fs.writeFileSync(path.join(dir, 'requirements/com.yaml'), text)
        const result = readFramework(dir)
        expect(result.document).toBeUndefined()
        for (const p of result.problems) expect(p.file.length).toBeGreaterThan(0)
      }),
      { numRuns: 25 },
    )
  })
})
