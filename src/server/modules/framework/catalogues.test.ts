import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError, isAppError } from '../../../common/errors.ts'
import { PROJECT_ROOT } from '../../kernel/paths.ts'
import {
  type CatalogueFor,
  type CatalogueId,
  loadCatalogues,
  parseCatalogue,
} from './catalogues.ts'
import type { SourceProblem } from './source-files.ts'

const ISVS_DATA = path.join(
  PROJECT_ROOT,
  '..',
  'shared',
  'data',
  'OWASP-ISVS',
  'isvs-requirements.json',
)

/**
 * How many items each catalogue must hold, and where the number comes from. OWASP ISVS is
 * counted from the shared data file instead (see below).
 */
const EXPECTED_COUNTS: Partial<Record<CatalogueId, number>> = {
  // 5.1-1 … 6-5: 13 categories + clause 6 (standards.md §2.1; ouspg/tcsfw etsi_en_303_645.py).
  'etsi-en-303-645': 67,
  // standards.md §2.3 table: 43 CRs + 30 component-specific ones (2.4 and 3.2 for SAR/EDR/HDR/NDR;
  // 2.13 and 3.10–3.14 for EDR/HDR/NDR; NDR 1.6, 1.13, 5.2, 5.3) = 73 base requirements, plus 49
  // requirement enhancements (each component-type variant of an enhancement counted once).
  'iec-62443-4-2': 122,
  // standards.md §2.4: "8 practices, 47 requirements" (SM 13, SR 5, SD 4, SI 2, SVV 5, DM 6, SUM 5, SG 7).
  'iec-62443-4-1': 47,
  // NISTIR 8259A: six device cybersecurity capabilities (standards.md §2.2).
  'nistir-8259a': 6,
  // NISTIR 8259B: four non-technical supporting capabilities (standards.md §2.2).
  'nistir-8259b': 4,
  // NIST IR 8425: six product criteria and four developer criteria (standards.md §2.2).
  'nist-ir-8425': 10,
  // CRA Annex I: Part I 1 and 2(a)–(m) = 14, Part II 1–8 = 8 (standards.md §2.5).
  'eu-cra-annex-i': 22,
  // PSTI Schedule 1: passwords, reporting security issues, update periods (standards.md §1).
  'uk-psti': 3,
  // OWASP IoT Top 10 2018: I1–I10 (standards.md §2.6).
  'owasp-iot-top-10': 10,
}

const catalogues = loadCatalogues()
const byId = new Map(catalogues.map((c) => [c.catalogue, c]))

function catalogue<Id extends CatalogueId>(id: Id): CatalogueFor<Id> {
  const found = byId.get(id)
  if (!found) throw new Error(`catalogue ${id} is not shipped`)
  return found as CatalogueFor<Id>
}

function countBy<T>(list: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const item of list) counts[key(item)] = (counts[key(item)] ?? 0) + 1
  return counts
}

describe('shipped catalogues', () => {
  it('all validate and each sits in a file named after its id', () => {
    expect(catalogues.length).toBeGreaterThan(0)
    for (const c of catalogues) expect(c.file).toBe(`${c.catalogue}.yaml`)
  })

  it('have unique item ids within each catalogue', () => {
    for (const c of catalogues) {
      const ids = c.items.map((item) => item.id)
      expect(new Set(ids).size, c.catalogue).toBe(ids.length)
    }
  })

  it.each(Object.entries(EXPECTED_COUNTS))('%s has %i items', (id, count) => {
    expect(catalogue(id as CatalogueId).items).toHaveLength(count)
  })

  it('EN 303 645 has the 32 mandatory provisions of standards.md §2.1', () => {
    const mandatory = catalogue('etsi-en-303-645')
      .items.filter((item) => item.status === 'mandatory')
      .map((item) => item.id)
    expect(mandatory).toHaveLength(32)
    expect(mandatory).toEqual(expect.arrayContaining(['5.1-1', '5.2-1', '5.3-13', '5.13-1', '6-1']))
  })

  it('ships exactly the expected catalogues', () => {
    expect(catalogues.map((c) => c.catalogue)).toEqual(
      [...Object.keys(EXPECTED_COUNTS), 'owasp-isvs'].sort(),
    )
  })

  it('IEC 62443-4-2 names FR, SL and component type and links every enhancement', () => {
    const items = catalogue('iec-62443-4-2').items
    expect(countBy(items, (item) => item.id.split(' ')[0] ?? '')).toEqual({
      CR: 70,
      SAR: 3,
      EDR: 13,
      HDR: 14,
      NDR: 22,
    })
    expect(items.filter((item) => item.enhances === undefined)).toHaveLength(73)
    for (const item of items) {
      expect(item.componentType, item.id).toBe(
        item.id.startsWith('CR ') ? undefined : item.id.split(' ')[0],
      )
    }
    for (const item of items) {
      expect(item.foundationalRequirement).toBe(Number(item.id.split(' ')[1]?.split('.')[0]))
    }
    const atSl12 = items.filter((item) => item.securityLevel <= 2)
    expect(atSl12.map((item) => item.id)).toEqual(
      expect.arrayContaining(['CR 1.1', 'CR 1.1 RE 1', 'EDR 3.10 RE 1', 'NDR 5.2 RE 1']),
    )
    expect(items.find((item) => item.id === 'CR 1.1 RE 2')?.securityLevel).toBe(3)
  })

  it('IEC 62443-4-1 has the eight practices with their requirement counts', () => {
    const items = catalogue('iec-62443-4-1').items
    expect(countBy(items, (item) => item.group ?? '')).toEqual({
      SM: 13,
      SR: 5,
      SD: 4,
      SI: 2,
      SVV: 5,
      DM: 6,
      SUM: 5,
      SG: 7,
    })
    expect(items.map((item) => item.id)).toEqual(expect.arrayContaining(['SM-1', 'SUM-5', 'SG-7']))
  })

  it('CRA Annex I has I.1, I.2(a)–(m) and II.1–II.8', () => {
    const letters = 'abcdefghijklm'.split('').map((l) => `I.2(${l})`)
    const partII = Array.from({ length: 8 }, (_, i) => `II.${i + 1}`)
    expect(catalogue('eu-cra-annex-i').items.map((item) => item.id)).toEqual([
      'I.1',
      ...letters,
      ...partII,
    ])
  })

  it('OWASP IoT Top 10 is I1–I10', () => {
    expect(catalogue('owasp-iot-top-10').items.map((item) => item.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `I${i + 1}`),
    )
  })

  const isvsData = fs.existsSync(ISVS_DATA)
  if (!isvsData && process.env.CI === 'true') {
    it('finds the shared OWASP ISVS data', () => {
      throw new Error(`${ISVS_DATA} is missing; CI needs ../shared/data`)
    })
  } else if (!isvsData) {
    console.warn(`Skipping the ISVS completeness test: ${ISVS_DATA} is missing`)
  }
  it.skipIf(!isvsData)('OWASP ISVS holds every requirement of the shared data file', () => {
    const data = JSON.parse(fs.readFileSync(ISVS_DATA, 'utf8')) as {
      requirements: {
        id: string
        chapter: string
        section: string
        L1: boolean
        L2: boolean
        L3: boolean
      }[]
    }
    const isvs = catalogue('owasp-isvs')
    expect(isvs.items).toHaveLength(data.requirements.length)
    const items = new Map(isvs.items.map((item) => [item.id, item]))
    for (const r of data.requirements) {
      const item = items.get(r.id)
      expect(item, r.id).toBeDefined()
      expect(item?.group).toBe(r.chapter)
      expect(item?.section).toBe(r.section)
      const levels = (['L1', 'L2', 'L3'] as const).filter((level) => r[level])
      expect(item?.levels, r.id).toEqual(levels)
    }
  })
})

describe('malformed catalogues', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })

  function problemsFor(files: Record<string, string>): SourceProblem[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-catalogues-'))
    dirs.push(dir)
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text)
    try {
      loadCatalogues(dir)
    } catch (error) {
      expect(isAppError(error, 'validation_failed')).toBe(true)
      return ((error as AppError).details as { problems: SourceProblem[] }).problems
    }
    throw new Error('expected loadCatalogues to fail')
  }

  const header = [
    'catalogue: owasp-iot-top-10',
    'title: Test',
    'version: "2018"',
    'publisher: Test',
    'url: https://example.org/',
    'licence: Test',
    'items:',
  ]
  const good = [...header, '  - id: I1', '    title: One', '  - id: I2', '    title: Two'].join(
    '\n',
  )

  it('accepts a well-formed file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-catalogues-'))
    dirs.push(dir)
    fs.writeFileSync(path.join(dir, 'owasp-iot-top-10.yaml'), good)
    expect(loadCatalogues(dir).map((c) => c.items.length)).toEqual([2])
  })

  it('names the file, line and column of a YAML syntax error', () => {
    const [p] = problemsFor({
      'owasp-iot-top-10.yaml': [...header, '  - id: I1', '    title: [unclosed'].join('\n'),
    })
    expect(p).toMatchObject({ file: 'owasp-iot-top-10.yaml', line: expect.any(Number) })
    expect(p?.text).toMatch(/^owasp-iot-top-10\.yaml:\d+:\d+ /)
  })

  it('names the file, line and pointer of a duplicate id', () => {
    const problems = problemsFor({
      'owasp-iot-top-10.yaml': [
        ...header,
        '  - id: I1',
        '    title: A',
        '  - id: I1',
        '    title: B',
      ].join('\n'),
    })
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'owasp-iot-top-10.yaml',
        pointer: '/items/1/id',
        line: 10,
        text: expect.stringMatching(
          /^owasp-iot-top-10\.yaml:10:\d+ \/items\/1\/id: duplicate id "I1"/,
        ),
      }),
    ])
  })

  it('names the pointer of a missing field', () => {
    const problems = problemsFor({
      'owasp-iot-top-10.yaml': [...header, '  - id: I1'].join('\n'),
    })
    expect(problems).toEqual([
      expect.objectContaining({
        pointer: '/items/0',
        line: 8,
        message: 'missing required field "title"',
      }),
    ])
  })

  it('names the pointer of an unknown status and lists the allowed ones', () => {
    const problems = problemsFor({
      'etsi-en-303-645.yaml': [
        'catalogue: etsi-en-303-645',
        'title: T',
        'version: V',
        'publisher: P',
        'url: https://example.org/',
        'licence: L',
        'groups: [{ id: "5.1", title: Passwords }]',
        'items:',
        '  - id: 5.1-1',
        '    title: Unique passwords',
        '    group: "5.1"',
        '    status: optional',
      ].join('\n'),
    })
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'etsi-en-303-645.yaml',
        pointer: '/items/0/status',
        line: 12,
        message: 'must be one of: mandatory, recommended',
      }),
    ])
  })

  it('reports every problem in every file at once', () => {
    const problems = problemsFor({
      'a.yaml': 'catalogue: [',
      'owasp-iot-top-10.yaml': [...header, '  - id: I1', '    title: A', '    extra: 1'].join('\n'),
      'uk-psti.yaml': good.replace('owasp-iot-top-10', 'uk-psti'),
    })
    const files = new Set(problems.map((p) => p.file))
    expect(files).toEqual(new Set(['a.yaml', 'owasp-iot-top-10.yaml', 'uk-psti.yaml']))
    expect(problems).toContainEqual(
      expect.objectContaining({ pointer: '/items/0/extra', message: 'unknown field "extra"' }),
    )
    expect(problems).toContainEqual(
      expect.objectContaining({
        file: 'uk-psti.yaml',
        message: 'missing required field "reference"',
      }),
    )
  })

  it('checks IEC 62443-4-2 enhancements against their base requirement', () => {
    const problems = problemsFor({
      'iec-62443-4-2.yaml': [
        'catalogue: iec-62443-4-2',
        'title: T',
        'version: V',
        'publisher: P',
        'url: https://example.org/',
        'licence: L',
        'groups: [{ id: FR 1, title: IAC }]',
        'items:',
        '  - { id: CR 1.1, title: A, group: FR 1, foundationalRequirement: 1, securityLevel: 2 }',
        '  - { id: CR 1.1 RE 1, title: B, group: FR 1, foundationalRequirement: 1, securityLevel: 1, enhances: CR 1.1 }',
        '  - { id: CR 1.2 RE 1, title: C, group: FR 1, foundationalRequirement: 1, securityLevel: 3 }',
        '  - { id: EDR 2.4, title: D, group: FR 1, foundationalRequirement: 1, securityLevel: 1 }',
      ].join('\n'),
    })
    expect(problems.map((p) => `${p.pointer} ${p.message}`)).toEqual([
      "/items/1/securityLevel an enhancement cannot start below its base requirement's SL2",
      '/items/2 a requirement enhancement must name its base requirement: enhances: CR 1.2',
      '/items/3/componentType componentType must be EDR for EDR 2.4',
    ])
  })

  it('fails with the directory named when it does not exist', () => {
    expect(() => loadCatalogues(path.join(os.tmpdir(), 'isn-no-such-dir'))).toThrow(AppError)
  })

  it('never throws anything but AppError, whatever the file holds', () => {
    const yamlish = fc.oneof(
      fc.string(),
      fc
        .array(
          fc.oneof(
            fc.constantFrom(
              'catalogue: owasp-iot-top-10',
              'catalogue: iec-62443-4-2',
              'items:',
              '  - id: I1',
              '    title: x',
              '  - { id: CR 1.1 RE 1, securityLevel: 9 }',
              'groups: [{ id: a }]',
              '&a [*a]',
              '- *b',
              '!!binary AAAA',
              '? [a]',
              '---',
              '...',
              '%YAML 1.1',
              '"\\u0000"',
              '__proto__: { polluted: 1 }',
            ),
            fc.string(),
          ),
          { maxLength: 12 },
        )
        .map((lines) => lines.join('\n')),
    )
    fc.assert(
      fc.property(yamlish, (text) => {
        const result = parseCatalogue(text, 'x.yaml')
        expect(result.catalogue === undefined).toBe(result.problems.length > 0)
      }),
      { numRuns: 500 },
    )
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-catalogues-'))
    dirs.push(dir)
    fc.assert(
      fc.property(yamlish, (text) => {
        fs.writeFileSync(path.join(dir, 'owasp-iot-top-10.yaml'), text)
        try {
          loadCatalogues(dir)
        } catch (error) {
          expect(error).toBeInstanceOf(AppError)
        }
      }),
      { numRuns: 100 },
    )
  })
})
