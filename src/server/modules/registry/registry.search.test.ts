import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { LabelRecord } from '../../../common/api/labels.ts'
import { REGISTRY_COUNT_LIMIT, type RegistryQuery } from '../../../common/api/registry.ts'
import type { DeviceClass, Tier } from '../../../common/framework.ts'
import { systemActor } from '../../kernel/actor.ts'
import { newId } from '../../kernel/crypto.ts'
import { createTestApp, type TestContext } from '../../testing/test-app.ts'
import { loadFrameworkFromFiles } from '../framework/framework.service.ts'
import { issueLabel } from '../labels/labels.service.ts'
import { sampleLabelInput } from '../labels/testing.ts'
import { searchRegistryLabels } from './registry.repository.ts'
import { searchRegistry } from './registry.service.ts'
import { searchWords, tokens } from './search-words.ts'

const system = { actor: systemActor('test') }

/** Labels issued oldest first: name, manufacturer, model numbers, and optionally class and tier. */
const PRODUCTS: [string, string, string[], DeviceClass?, Tier?][] = [
  ['Acme FieldSense 200', 'Acme Industrial', ['FS-200', 'FS-200X']],
  ['Acme FieldSense 2000', 'Acme Industrial', ['FS-2000']],
  ['Bolt EdgeGate', 'Bolt Automation', ['EG-7'], 'gateway', 3],
  ['Strömungssensor Pro', 'Müller & Söhne GmbH', ['MS-1']],
  ['Valve Controller', 'Straße Systems', ['VC-10'], 'controller'],
  ['Valves Monitor', 'Ærø Controls', ['VM-1'], 'controller', 1],
  ['Ｆｕｌｌ Width Meter', 'Café Électrique', ['CE/42']],
]

/**
 * Queries and the product names they find, in order: labels where every word is a whole word
 * first, then newest first. The same table runs on SQLite and PostgreSQL (this file runs under
 * both projects), so both dialects give exactly these answers.
 */
const CASES: [RegistryQuery, string[]][] = [
  [{ q: 'fieldsense' }, ['Acme FieldSense 2000', 'Acme FieldSense 200']],
  [{ q: 'FIELDSENSE' }, ['Acme FieldSense 2000', 'Acme FieldSense 200']],
  // A whole model number before one it only starts, although older.
  [{ q: 'FS-200' }, ['Acme FieldSense 200', 'Acme FieldSense 2000']],
  [{ q: 'fs-200x' }, ['Acme FieldSense 200']],
  [{ q: 'fs 200' }, ['Acme FieldSense 200', 'Acme FieldSense 2000']],
  [{ q: '200x fs' }, ['Acme FieldSense 200']],
  [{ q: 'FS2000' }, []],
  [{ q: 'valve' }, ['Valve Controller', 'Valves Monitor']],
  [{ q: 'valv' }, ['Valves Monitor', 'Valve Controller']],
  [{ q: 'acme 2000' }, ['Acme FieldSense 2000']],
  [{ q: 'acme bolt' }, []],
  [{ q: 'edge' }, ['Bolt EdgeGate']],
  [{ q: 'gate' }, []],
  [{ q: 'eg-7' }, ['Bolt EdgeGate']],
  [{ q: 'automation' }, ['Bolt EdgeGate']],
  [{ q: '2.4.1 bolt' }, ['Bolt EdgeGate']],
  [{ q: '2.4' }, PRODUCTS.map((p) => p[0]).reverse()],
  // Accents, compatibility forms and letters that do not decompose.
  [{ q: 'strömung' }, ['Strömungssensor Pro']],
  [{ q: 'STROMUNGSSENSOR' }, ['Strömungssensor Pro']],
  [{ q: 'MÜLLER söhne' }, ['Strömungssensor Pro']],
  [{ q: 'muller' }, ['Strömungssensor Pro']],
  [{ q: 'sensor' }, []],
  [{ q: 'strasse' }, ['Valve Controller']],
  [{ q: 'STRASSE' }, ['Valve Controller']],
  [{ q: 'straße' }, ['Valve Controller']],
  [{ q: 'aero' }, ['Valves Monitor']],
  [{ q: 'ærø' }, ['Valves Monitor']],
  [{ q: 'full width' }, ['Ｆｕｌｌ Width Meter']],
  [{ q: 'ｆｕｌｌ' }, ['Ｆｕｌｌ Width Meter']],
  [{ q: 'cafe' }, ['Ｆｕｌｌ Width Meter']],
  [{ q: 'Électrique' }, ['Ｆｕｌｌ Width Meter']],
  [{ q: 'ce/42' }, ['Ｆｕｌｌ Width Meter']],
  [{ q: '42' }, ['Ｆｕｌｌ Width Meter']],
  // Query syntax of either database is plain text here.
  [{ q: '"fieldsense"' }, ['Acme FieldSense 2000', 'Acme FieldSense 200']],
  [{ q: 'fieldsense*' }, ['Acme FieldSense 2000', 'Acme FieldSense 200']],
  [{ q: 'NEAR(acme bolt)' }, []],
  [{ q: 'acme OR bolt' }, []],
  [{ q: 'search_words:acme' }, []],
  [{ q: "acme & !bolt | 'x':*" }, []],
  [{ q: '%' }, []],
  [{ q: '*' }, []],
  // The manufacturer filter matches words of the manufacturer's name only.
  [{ manufacturer: 'acme' }, ['Acme FieldSense 2000', 'Acme FieldSense 200']],
  [{ manufacturer: 'industrial ac' }, ['Acme FieldSense 2000', 'Acme FieldSense 200']],
  [{ manufacturer: 'fieldsense' }, []],
  [{ manufacturer: 'müller' }, ['Strömungssensor Pro']],
  [{ manufacturer: '&' }, []],
  [{ q: 'fs-200', manufacturer: 'acme' }, ['Acme FieldSense 200', 'Acme FieldSense 2000']],
  [{ q: 'fs-200', manufacturer: 'bolt' }, []],
  // Words and filters together.
  [{ q: 'acme', deviceClass: 'gateway' }, []],
  [{ q: 'valv', tier: 1 }, ['Valves Monitor']],
  [
    { q: 'valv', deviceClass: 'controller', status: 'active' },
    ['Valves Monitor', 'Valve Controller'],
  ],
  [{ q: 'valve', status: 'suspended' }, []],
]

describe('registry search by words', () => {
  let t: TestContext

  beforeAll(async () => {
    t = await createTestApp()
    await loadFrameworkFromFiles(t.ctx)
    for (const [name, manufacturer, modelNumbers, deviceClass, tier] of PRODUCTS) {
      const base = sampleLabelInput()
      await issueLabel(t.ctx, system, {
        ...base,
        product: {
          ...base.product,
          productId: newId(),
          productVersionId: newId(),
          name,
          modelNumbers,
          manufacturer: { id: newId(), name: manufacturer },
          deviceClass: deviceClass ?? 'field-device',
        },
        profile: deviceClass ?? 'field-device',
        tier: tier ?? 2,
      })
      t.clock.advance(60_000)
    }
  })
  afterAll(async () => t.close())

  it.each(CASES)('%j finds %j', async (query, expected) => {
    const page = await searchRegistry(t.ctx, query)
    expect(page.items.map((i) => i.productName)).toEqual(expected)
    expect(page.total).toBe(expected.length)
  })

  it('pages across whole-word and starts-with matches without losing or repeating any', async () => {
    const all = (await searchRegistry(t.ctx, { q: 'fs-200' })).items.map((i) => i.labelId)
    const one = async (offset: number) =>
      (await searchRegistry(t.ctx, { q: 'fs-200', limit: 1, offset })).items.map((i) => i.labelId)
    expect([...(await one(0)), ...(await one(1)), ...(await one(2))]).toEqual(all)
    const everything = await searchRegistry(t.ctx, { q: '2', limit: 3, offset: 0 })
    const rest = await searchRegistry(t.ctx, { q: '2', limit: 100, offset: 3 })
    const ids = [...everything.items, ...rest.items].map((i) => i.labelId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toHaveLength(everything.total)
  })

  it('pages every case one label at a time, as first and as deep pages, with any count limit', async () => {
    const now = t.ctx.clock.now().toISOString()
    for (const [query, expected] of CASES) {
      const { q, manufacturer, deviceClass, tier, status } = query
      if (query.standard || (q && searchWords(q).length === 0)) continue
      if (manufacturer && searchWords(manufacturer).length === 0) continue
      for (const deepFrom of [0, 1000]) {
        for (const countLimit of [0, 2, 1000]) {
          const names: string[] = []
          for (let offset = 0; offset <= expected.length; offset++) {
            const { rows, total } = await searchRegistryLabels(t.ctx.db, {
              words: searchWords(q),
              manufacturer: searchWords(manufacturer),
              ...(deviceClass ? { deviceClass } : {}),
              ...(tier !== undefined ? { tier } : {}),
              ...(status ? { status } : {}),
              now,
              limit: 1,
              offset,
              countLimit,
              deepFrom,
            })
            expect(total, JSON.stringify({ query, countLimit })).toBe(
              Math.min(expected.length, countLimit + 1),
            )
            names.push(...rows.map((r) => (JSON.parse(r.record) as LabelRecord).product.name))
          }
          expect(names, JSON.stringify({ query, deepFrom, countLimit })).toEqual(expected)
        }
      }
    }
  })

  it('reads a page in a few statements, each framework version once (not once per entry)', async () => {
    await searchRegistry(t.ctx, { q: '2.4' })
    const executor = t.ctx.db.getExecutor()
    const execute = executor.executeQuery.bind(executor)
    let statements = 0
    const spy = vi.spyOn(executor, 'executeQuery').mockImplementation((query) => {
      statements++
      return execute(query)
    })
    try {
      const page = await searchRegistry(t.ctx, { q: '2.4' })
      expect(page.items).toHaveLength(PRODUCTS.length)
      expect(page.items.every((i) => i.standards.length > 0)).toBe(true)
    } finally {
      spy.mockRestore()
    }
    expect(statements).toBeLessThanOrEqual(2)
  })

  it('says "more than" past the count limit and still pages beyond it', async () => {
    const page = await searchRegistry(t.ctx, { q: '2.4', limit: 2 })
    expect(page).toMatchObject({ total: PRODUCTS.length, totalExact: true })
    expect(REGISTRY_COUNT_LIMIT).toBe(1000)
    const capped = await searchRegistryLabels(t.ctx.db, {
      words: searchWords('2.4'),
      manufacturer: [],
      now: t.ctx.clock.now().toISOString(),
      limit: 2,
      offset: 4,
      countLimit: 2,
    })
    expect(capped.total).toBe(3)
    expect(capped.rows.map((r) => (JSON.parse(r.record) as LabelRecord).product.name)).toEqual(
      PRODUCTS.map((p) => p[0])
        .reverse()
        .slice(4, 6),
    )
  })

  it('answers any text with a list, never an error (service and HTTP)', async () => {
    const pieces = [
      '"',
      '*',
      '(',
      ')',
      ':',
      '^',
      '-',
      '+',
      '{',
      '}',
      "'",
      '\\',
      '%',
      '_',
      '&',
      '|',
      '!',
      '<->',
      'NEAR',
      'AND',
      'OR',
      'NOT',
      'search_words',
      'labels_words',
      ' ',
      '  ',
      '\t',
      'acme',
      'fs',
      '200',
      'ß',
      'Æ',
      '\u0301',
      '𝔘',
      '⚙️',
      '中文',
      'ﬁ',
      '\u200b',
      '\uFFFD',
      'İ',
      ';--',
      '/*',
    ]
    const text = fc
      .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 12 })
      .map((parts) => parts.join('').slice(0, 200))
    await fc.assert(
      fc.asyncProperty(text, text, async (q, manufacturer) => {
        const page = await searchRegistry(t.ctx, { q, manufacturer })
        expect(Array.isArray(page.items)).toBe(true)
        const response = await t.app.inject({
          url: '/api/v1/registry/labels',
          query: { q, manufacturer },
        })
        expect(response.statusCode).toBeLessThan(500)
      }),
      { numRuns: 150, seed: 1730 },
    )
  })
})

describe('search words', () => {
  it('folds case, accents and compatibility forms and splits at anything else', () => {
    expect(tokens('Müller & Söhne GmbH')).toEqual(['muller', 'sohne', 'gmbh'])
    expect(tokens('FS-200X/2.4.1')).toEqual(['fs', '200x', '2', '4', '1'])
    expect(tokens('Straße Ærø İzmir ﬁt Ｆｕｌｌ')).toEqual([
      'strasse',
      'aero',
      'izmir',
      'fit',
      'full',
    ])
    expect(tokens('%_"*() ')).toEqual([])
  })

  it('keeps the first eight distinct words of a search', () => {
    expect(searchWords('FS-200 fs-200 a b c d e f g h i')).toEqual([
      ['fs', '200'],
      ['a'],
      ['b'],
      ['c'],
      ['d'],
      ['e'],
      ['f'],
      ['g'],
    ])
    expect(searchWords(' * ')).toEqual([])
  })
})
