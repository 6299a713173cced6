import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEVICE_CLASS_COMPONENT_TYPES, DEVICE_CLASSES, TIERS } from '../../../common/framework.ts'
import { changeEntries, diffDocuments, FrameworkIndex, idMapping } from './analysis.ts'
import { loadFramework } from './framework-files.ts'
import type { FrameworkDocument } from './model.ts'

const document = loadFramework()
const index = new FrameworkIndex(document)

describe('profiles', () => {
  it('grow with the tier and ask at least as strong a verification', () => {
    for (const deviceClass of DEVICE_CLASSES) {
      let previous = new Map<string, string>()
      for (const tier of TIERS) {
        const profile = index.profile(tier, deviceClass)
        const ids = new Map(profile.map((p) => [p.requirement.id, p.verification]))
        for (const id of previous.keys()) expect(ids.has(id), `${deviceClass} ${id}`).toBe(true)
        for (const p of profile) {
          expect(p.requirement.tier).toBeLessThanOrEqual(tier)
          expect(p.requirement.deviceClasses).toContain(deviceClass)
        }
        previous = ids
      }
    }
  })

  it('differ between device classes (no physical tamper requirement for a cloud service)', () => {
    const cloud = new Set(index.profile(4, 'cloud-service').map((p) => p.requirement.id))
    const field = new Set(index.profile(4, 'field-device').map((p) => p.requirement.id))
    expect([...field].some((id) => !cloud.has(id))).toBe(true)
    const tamper = index.search('tamper').map((h) => h.requirement)
    expect(tamper.some((r) => !r.deviceClasses.includes('cloud-service'))).toBe(true)
  })
})

describe('scheme views, computed from the crosswalk', () => {
  it('ships the schemes the issue names, each with every level resolvable', () => {
    expect(document.schemes.map((s) => s.scheme).sort()).toEqual([
      'eu-cra',
      'fi-cybersecurity-label',
      'iec-62443-4-2-sl',
      'sg-cls',
      'uk-psti',
    ])
    for (const scheme of document.schemes) {
      for (const level of scheme.levels) {
        const view = index.schemeView(scheme.scheme, level.id)!
        expect(view.items.length, `${scheme.scheme} ${level.id}`).toBeGreaterThan(0)
        expect(view.requirements.length).toBeGreaterThan(0)
      }
    }
  })

  it('UK PSTI needs exactly the requirements that cover its three items', () => {
    const view = index.schemeView('uk-psti', 'statement-of-compliance')!
    expect(view.items.map((e) => e.item.id)).toEqual(['1', '2', '3'])
    expect(view.openItems).toEqual([])
    const expected = new Set(
      view.items.flatMap((e) => {
        const covering = e.links.filter((l) => l.covering)
        const lowest = Math.min(...covering.map((l) => l.tier))
        return covering.filter((l) => l.tier === lowest).map((l) => l.requirement)
      }),
    )
    expect(new Set(view.requirements.map((r) => r.id))).toEqual(expected)
    expect(view.highestTier).toBe(1)
  })

  it('builds IEC 62443-4-2 levels on each other and filters by component type', () => {
    const ids = (level: string, deviceClass?: (typeof DEVICE_CLASSES)[number]) =>
      new Set(index.schemeView('iec-62443-4-2-sl', level, deviceClass)!.items.map((e) => e.item.id))
    const [sl1, sl2, sl3, sl4] = ['sl-1', 'sl-2', 'sl-3', 'sl-4'].map((l) => ids(l))
    for (const [lower, higher] of [
      [sl1, sl2],
      [sl2, sl3],
      [sl3, sl4],
    ] as const) {
      for (const id of lower!) expect(higher!.has(id)).toBe(true)
    }
    expect(sl4!.size).toBe(122)
    const cloud = index.schemeView('iec-62443-4-2-sl', 'sl-2', 'cloud-service')!
    for (const entry of cloud.items) {
      const type = entry.item.componentType
      if (type) expect(DEVICE_CLASS_COMPONENT_TYPES['cloud-service']).toContain(type)
    }
    for (const r of cloud.requirements) expect(r.deviceClasses).toContain('cloud-service')
  })

  it('Singapore CLS level 2 includes level 1 and every mandatory EN 303 645 provision', () => {
    const level1 = index.schemeView('sg-cls', '1')!
    const level2 = index.schemeView('sg-cls', '2')!
    for (const entry of level1.items) {
      expect(level2.items.map((e) => e.item.id)).toContain(entry.item.id)
    }
    const mandatory = index
      .coverage('etsi-en-303-645')!
      .items.filter((e) => e.item.status === 'mandatory')
      .map((e) => e.item.id)
    for (const id of mandatory) expect(level2.items.map((e) => e.item.id)).toContain(id)
    expect(index.schemeView('sg-cls', '4')!.level.verification).toBe('lab-tested')
  })

  it('answers unknown schemes and levels with nothing', () => {
    expect(index.schemeView('nope', '1')).toBeUndefined()
    expect(index.schemeView('sg-cls', '9')).toBeUndefined()
  })
})

describe('what covers an external item', () => {
  it('finds everything that covers CRA I.2(d) and EN 303 645 5.1-1', () => {
    const cra = index.linksTo('eu-cra-annex-i', 'I.2(d)')
    expect(cra.some((l) => l.covering)).toBe(true)
    const en = index.linksTo('etsi-en-303-645', '5.1-1')
    expect(en.map((l) => l.requirement)).toContain('ISN-AUTH-01')
    // Covering links first.
    const firstPartial = en.findIndex((l) => !l.covering)
    if (firstPartial >= 0) expect(en.slice(firstPartial).every((l) => !l.covering)).toBe(true)
  })
})

describe('search', () => {
  it('ranks a requirement id and title words first', () => {
    expect(index.search('ISN-UPD-02')[0]?.requirement.id).toBe('ISN-UPD-02')
    expect(index.search('default password')[0]?.requirement.id).toBe('ISN-AUTH-01')
    expect(index.search('5.1-1').map((h) => h.requirement.id)).toContain('ISN-AUTH-01')
  })

  it('accepts any input and answers a list, possibly empty', () => {
    expect(index.search('')).toEqual([])
    expect(index.search('%_\\\'";--<>')).toEqual([])
    fc.assert(
      fc.property(fc.string({ maxLength: 3000, unit: 'binary' }), (text) => {
        expect(Array.isArray(index.search(text))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})

describe('version differences', () => {
  function nextVersion(change: (doc: FrameworkDocument) => void): FrameworkDocument {
    const copy = structuredClone(document)
    copy.version = '1.1.0'
    change(copy)
    return copy
  }

  it('finds nothing between a version and itself', () => {
    const diff = diffDocuments(document, document)
    expect(changeEntries(diff)).toEqual([])
    for (const r of document.requirements) expect(diff.idMapping[r.id]).toEqual([r.id])
  })

  it('reports added, removed, reworded, re-tiered and changed requirements and mappings', () => {
    const next = nextVersion((doc) => {
      const [first, second, third] = doc.requirements
      first!.statement = `${first!.statement} Reworded.`
      second!.tier = second!.tier === 4 ? 3 : ((second!.tier + 1) as 2)
      third!.deviceClasses = ['cloud-service']
      doc.requirements = doc.requirements.filter((r) => r.id !== 'ISN-DOC-10')
      doc.requirements.push({ ...first!, id: 'ISN-GOV-99', replaces: [] })
      doc.links = doc.links.filter((l) => l.requirement !== 'ISN-DOC-10')
      doc.links[0] = { ...doc.links[0]!, strength: 'weak' }
      doc.links.push({ ...doc.links[1]!, requirement: 'ISN-GOV-99' })
    })
    const diff = diffDocuments(document, next)
    const [first, second, third] = document.requirements
    expect(diff.requirements.added).toEqual(['ISN-GOV-99'])
    expect(diff.requirements.removed).toEqual(['ISN-DOC-10'])
    expect(diff.requirements.reworded).toEqual([{ id: first!.id, fields: ['statement'] }])
    expect(diff.requirements.retiered).toEqual([
      { id: second!.id, from: second!.tier, to: expect.any(Number) },
    ])
    expect(diff.requirements.changed).toContainEqual({ id: third!.id, fields: ['deviceClasses'] })
    expect(diff.mappings.added.map((l) => l.requirement)).toEqual(['ISN-GOV-99'])
    expect(diff.mappings.removed.every((l) => l.requirement === 'ISN-DOC-10')).toBe(true)
    expect(diff.mappings.changed).toHaveLength(1)
    expect(diff.idMapping['ISN-DOC-10']).toEqual([])
    const types = new Set(changeEntries(diff).map((e) => e.type))
    for (const type of [
      'requirement-added',
      'requirement-removed',
      'requirement-reworded',
      'requirement-retiered',
      'requirement-changed',
      'mapping-added',
      'mapping-removed',
      'mapping-changed',
    ]) {
      expect(types.has(type as never), type).toBe(true)
    }
  })

  it('maps renamed, merged and split requirements to their successors', () => {
    const next = nextVersion((doc) => {
      const old = doc.requirements.find((r) => r.id === 'ISN-UPD-10')!
      doc.requirements = doc.requirements.filter((r) => r.id !== 'ISN-UPD-10')
      // Split: two successors replace one requirement.
      doc.requirements.push({ ...old, id: 'ISN-UPD-11', replaces: ['ISN-UPD-10'] })
      doc.requirements.push({ ...old, id: 'ISN-UPD-12', replaces: ['ISN-UPD-10', 'ISN-UPD-09'] })
    })
    const mapping = idMapping(document, next)
    expect(mapping['ISN-UPD-10']).toEqual(['ISN-UPD-11', 'ISN-UPD-12'])
    // Kept and also absorbed into a new one.
    expect(mapping['ISN-UPD-09']).toEqual(['ISN-UPD-09', 'ISN-UPD-12'])
    expect(mapping['ISN-AUTH-01']).toEqual(['ISN-AUTH-01'])
    const entries = changeEntries(diffDocuments(document, next))
    expect(entries).toContainEqual({
      type: 'requirement-replaced',
      requirement: 'ISN-UPD-10',
      by: ['ISN-UPD-11', 'ISN-UPD-12'],
    })
  })
})
