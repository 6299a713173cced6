import {
  COVERING_RELATIONS,
  DEVICE_CLASS_COMPONENT_TYPES,
  SEARCH_TEXT_LIMIT,
  type DeviceClass,
  type Tier,
  type VerificationStrength,
} from '../../../common/framework.ts'
import type { Catalogue, CatalogueItemBase } from './catalogues.ts'
import {
  itemKey,
  type FrameworkDocument,
  type Link,
  type Requirement,
  type Scheme,
  type SchemeLevel,
} from './model.ts'

/**
 * Questions answered from one framework version, without the database: coverage of each external
 * catalogue, the requirement set of a device profile, what a scheme or target level needs, search,
 * and the difference between two versions. Built once per version (versions never change).
 */

/** An external item with the attributes the catalogues carry. */
export type CatalogueItem = CatalogueItemBase & {
  status?: 'mandatory' | 'recommended'
  condition?: string
  securityLevel?: number
  componentType?: string
  enhances?: string
  levels?: string[]
  section?: string
  reference?: string
  foundationalRequirement?: number
}

export type CoverageLevel = 'covered' | 'partial' | 'gap' | 'uncovered'
export type GoalKind = 'covered' | 'covered-or-gap'

/** What the framework promises for a catalogue: which items must be covered (issue 3, §4). */
interface CoverageGoal {
  description: string
  goal(item: CatalogueItem): GoalKind | undefined
}

export const COVERAGE_GOALS: Record<string, CoverageGoal> = {
  'etsi-en-303-645': {
    description: 'Every mandatory provision is covered.',
    goal: (item) => (item.status === 'mandatory' ? 'covered' : undefined),
  },
  'eu-cra-annex-i': {
    description: 'Every essential requirement of Annex I parts I and II is covered.',
    goal: () => 'covered',
  },
  'nistir-8259a': { description: 'Every capability is covered.', goal: () => 'covered' },
  'nistir-8259b': { description: 'Every capability is covered.', goal: () => 'covered' },
  'nist-ir-8425': { description: 'Every criterion is covered.', goal: () => 'covered' },
  'uk-psti': { description: 'Every requirement is covered.', goal: () => 'covered' },
  'iec-62443-4-2': {
    description:
      'Every requirement and enhancement at SL1–SL2 is covered; SL3–SL4 ones are covered or declared gaps with a reason.',
    goal: (item) => ((item.securityLevel ?? 1) <= 2 ? 'covered' : 'covered-or-gap'),
  },
}

export interface LinkView extends Link {
  requirementTitle: string
  tier: Tier
  covering: boolean
}

export interface ItemCoverage {
  catalogue: string
  item: CatalogueItem
  level: CoverageLevel
  links: LinkView[]
  gapReason?: string
  goal?: GoalKind
  goalMet?: boolean
}

export interface CatalogueCoverage {
  catalogue: string
  title: string
  version: string
  counts: Record<CoverageLevel, number> & { items: number }
  goal?: { description: string; items: number; met: number; missing: string[] }
  items: ItemCoverage[]
}

export interface ProfileRequirement {
  requirement: Requirement
  verification: VerificationStrength
}

export interface SchemeItemView {
  coverage: ItemCoverage
}

export interface SchemeView {
  scheme: Scheme
  level: SchemeLevel
  deviceClass?: DeviceClass
  items: ItemCoverage[]
  requirements: Requirement[]
  /** Selected items no link covers fully. */
  openItems: ItemCoverage[]
  highestTier: Tier | null
}

export interface SearchHit {
  requirement: Requirement
  score: number
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .split(/[^\p{L}\p{N}.()-]+/u)
    .map((t) => t.replace(/^[.()-]+|[.-]+$/g, ''))
    .filter((t) => t.length > 0)
}

export class FrameworkIndex {
  readonly requirementsById: Map<string, Requirement>
  readonly catalogues: Map<string, Catalogue>
  private readonly items = new Map<string, CatalogueItem>()
  private readonly linksByItem = new Map<string, Link[]>()
  private readonly linksByRequirement = new Map<string, Link[]>()
  private readonly gaps = new Map<string, string>()
  private readonly searchText = new Map<string, { id: string; title: string; body: string }>()
  private readonly coverageCache = new Map<string, CatalogueCoverage>()

  constructor(readonly document: FrameworkDocument) {
    this.requirementsById = new Map(document.requirements.map((r) => [r.id, r]))
    this.catalogues = new Map(document.catalogues.map((c) => [c.catalogue, c]))
    for (const catalogue of document.catalogues) {
      for (const item of catalogue.items) {
        this.items.set(itemKey(catalogue.catalogue, item.id), item as CatalogueItem)
      }
    }
    for (const link of document.links) {
      push(this.linksByItem, itemKey(link.catalogue, link.item), link)
      push(this.linksByRequirement, link.requirement, link)
    }
    for (const gap of document.gaps) this.gaps.set(itemKey(gap.catalogue, gap.item), gap.reason)
    const categoryTitles = new Map(document.categories.map((c) => [c.id, c.title]))
    for (const r of document.requirements) {
      const mapped = (this.linksByRequirement.get(r.id) ?? [])
        .map((l) => `${l.item} ${this.items.get(itemKey(l.catalogue, l.item))?.title ?? ''}`)
        .join(' ')
      this.searchText.set(r.id, {
        id: r.id.toLowerCase(),
        title: tokens(r.title).join(' '),
        body: tokens(
          [
            r.statement,
            r.rationale,
            r.evidence.join(' '),
            r.assessorGuidance,
            categoryTitles.get(r.category) ?? '',
            mapped,
          ].join(' '),
        ).join(' '),
      })
    }
  }

  item(catalogue: string, id: string): CatalogueItem | undefined {
    return this.items.get(itemKey(catalogue, id))
  }

  linksOf(requirementId: string): Link[] {
    return this.linksByRequirement.get(requirementId) ?? []
  }

  /** The links of one requirement, as views. */
  linksFrom(requirementId: string): LinkView[] {
    return this.linksOf(requirementId).map((link) => this.view(link))
  }

  /** Requirements whose links reach the item, strongest relation first. */
  linksTo(catalogue: string, id: string): LinkView[] {
    return (this.linksByItem.get(itemKey(catalogue, id)) ?? [])
      .map((link) => this.view(link))
      .sort((a, b) => Number(b.covering) - Number(a.covering) || a.tier - b.tier)
  }

  private view(link: Link): LinkView {
    const requirement = this.requirementsById.get(link.requirement)
    return {
      ...link,
      requirementTitle: requirement?.title ?? link.requirement,
      tier: requirement?.tier ?? 1,
      covering: COVERING_RELATIONS.includes(link.relation),
    }
  }

  itemCoverage(catalogue: string, item: CatalogueItem): ItemCoverage {
    const links = this.linksTo(catalogue, item.id)
    const gapReason = this.gaps.get(itemKey(catalogue, item.id))
    const level: CoverageLevel = links.some((l) => l.covering)
      ? 'covered'
      : gapReason !== undefined
        ? 'gap'
        : links.length > 0
          ? 'partial'
          : 'uncovered'
    const goal = COVERAGE_GOALS[catalogue]?.goal(item)
    return {
      catalogue,
      item,
      level,
      links,
      ...(gapReason === undefined ? {} : { gapReason }),
      ...(goal
        ? {
            goal,
            goalMet: level === 'covered' || (goal === 'covered-or-gap' && level === 'gap'),
          }
        : {}),
    }
  }

  coverage(catalogueId: string): CatalogueCoverage | undefined {
    const cached = this.coverageCache.get(catalogueId)
    if (cached) return cached
    const catalogue = this.catalogues.get(catalogueId)
    if (!catalogue) return undefined
    const items = catalogue.items.map((item) =>
      this.itemCoverage(catalogueId, item as CatalogueItem),
    )
    const counts = { items: items.length, covered: 0, partial: 0, gap: 0, uncovered: 0 }
    for (const entry of items) counts[entry.level]++
    const goalDefinition = COVERAGE_GOALS[catalogueId]
    const withGoal = items.filter((entry) => entry.goal !== undefined)
    const result: CatalogueCoverage = {
      catalogue: catalogueId,
      title: catalogue.title,
      version: catalogue.version,
      counts,
      ...(goalDefinition
        ? {
            goal: {
              description: goalDefinition.description,
              items: withGoal.length,
              met: withGoal.filter((entry) => entry.goalMet).length,
              missing: withGoal.filter((entry) => !entry.goalMet).map((entry) => entry.item.id),
            },
          }
        : {}),
      items,
    }
    this.coverageCache.set(catalogueId, result)
    return result
  }

  /** The requirements a product of a device class must meet at a tier, with the verification asked. */
  profile(tier: Tier, deviceClass?: DeviceClass): ProfileRequirement[] {
    return this.document.requirements
      .filter((r) => r.tier <= tier && (!deviceClass || r.deviceClasses.includes(deviceClass)))
      .map((requirement) => ({
        requirement,
        verification: requirement.verification[String(tier) as '1'] ?? 'self-declared',
      }))
  }

  private appliesTo(requirementId: string, deviceClass: DeviceClass): boolean {
    return this.requirementsById.get(requirementId)?.deviceClasses.includes(deviceClass) ?? false
  }

  scheme(id: string): Scheme | undefined {
    return this.document.schemes.find((s) => s.scheme === id)
  }

  /**
   * What a product needs for one level of a scheme, computed from the crosswalk: the selected
   * external items, the requirements linked to them (for the device class, if one is given) and
   * the items no requirement covers.
   */
  schemeView(schemeId: string, levelId: string, deviceClass?: DeviceClass): SchemeView | undefined {
    const scheme = this.scheme(schemeId)
    const level = scheme?.levels.find((l) => l.id === levelId)
    if (!scheme || !level) return undefined
    const componentTypes = deviceClass ? DEVICE_CLASS_COMPONENT_TYPES[deviceClass] : undefined
    const selected = new Map<string, ItemCoverage>()
    const collect = (current: SchemeLevel, depth: number) => {
      if (current.includes !== undefined && depth < scheme.levels.length) {
        const lower = scheme.levels.find((l) => l.id === current.includes)
        if (lower) collect(lower, depth + 1)
      }
      for (const selection of current.select) {
        const catalogue = this.catalogues.get(selection.catalogue)
        for (const raw of catalogue?.items ?? []) {
          const item = raw as CatalogueItem
          if (selection.items && !selection.items.includes(item.id)) continue
          if (selection.status && item.status !== selection.status) continue
          if (
            selection.maxSecurityLevel !== undefined &&
            (item.securityLevel ?? 1) > selection.maxSecurityLevel
          ) {
            continue
          }
          if (
            componentTypes &&
            item.componentType !== undefined &&
            !componentTypes.includes(item.componentType as never)
          ) {
            continue
          }
          selected.set(
            itemKey(selection.catalogue, item.id),
            this.itemCoverage(selection.catalogue, item),
          )
        }
      }
    }
    collect(level, 0)
    const items = [...selected.values()]
    // An item is met through the lowest-tier requirements that cover it alone (a stronger one
    // is not needed for it); where none covers it alone, through all that cover part of it.
    const requirementIds = new Set(
      items.flatMap((entry) => {
        const covering = entry.links.filter(
          (l) => l.covering && (!deviceClass || this.appliesTo(l.requirement, deviceClass)),
        )
        if (covering.length === 0) return entry.links.map((l) => l.requirement)
        const lowest = Math.min(...covering.map((l) => l.tier))
        return covering.filter((l) => l.tier === lowest).map((l) => l.requirement)
      }),
    )
    const requirements = this.document.requirements.filter(
      (r) => requirementIds.has(r.id) && (!deviceClass || r.deviceClasses.includes(deviceClass)),
    )
    return {
      scheme,
      level,
      ...(deviceClass ? { deviceClass } : {}),
      items,
      requirements,
      openItems: items.filter((entry) => entry.level !== 'covered'),
      highestTier: requirements.length
        ? (Math.max(...requirements.map((r) => r.tier)) as Tier)
        : null,
    }
  }

  /**
   * Ranked full-text search over requirements (ids, titles, statements, guidance and the ids and
   * titles of the external items they map to). Any input is accepted; only letters and digits
   * count, and a query with none of them matches nothing.
   */
  search(query: string): SearchHit[] {
    const terms = [...new Set(tokens(query.slice(0, SEARCH_TEXT_LIMIT)))].slice(0, 20)
    if (terms.length === 0) return []
    const hits: SearchHit[] = []
    for (const requirement of this.document.requirements) {
      const text = this.searchText.get(requirement.id)
      if (!text) continue
      let score = 0
      for (const term of terms) {
        const inId = text.id === term || text.id.endsWith(`-${term}`)
        const inTitle = (' ' + text.title + ' ').includes(` ${term}`)
        const inBody = (' ' + text.body + ' ').includes(` ${term}`)
        if (!inId && !inTitle && !inBody) {
          score = 0
          break
        }
        score += inId ? 10 : inTitle ? 3 : 1
      }
      if (score > 0) hits.push({ requirement, score })
    }
    return hits.sort(
      (a, b) => b.score - a.score || a.requirement.id.localeCompare(b.requirement.id),
    )
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

// ---------------------------------------------------------------------------------------------
// Versions

const WORDING_FIELDS = ['title', 'statement', 'rationale'] as const
const OTHER_FIELDS = [
  'kind',
  'category',
  'deviceClasses',
  'verification',
  'evidence',
  'assessorGuidance',
] as const

export interface FrameworkDiff {
  from: string
  to: string
  requirements: {
    added: string[]
    removed: string[]
    reworded: { id: string; fields: string[] }[]
    retiered: { id: string; from: Tier; to: Tier }[]
    changed: { id: string; fields: string[] }[]
  }
  mappings: {
    added: Link[]
    removed: Link[]
    changed: { from: Link; to: Link }[]
  }
  /** For every requirement of `from`: the requirements of `to` that carry it forward (empty: dropped). */
  idMapping: Record<string, string[]>
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Old → new requirement ids: kept ids map to themselves, replaced ones to their successors. */
export function idMapping(
  from: FrameworkDocument,
  to: FrameworkDocument,
): Record<string, string[]> {
  const kept = new Set(to.requirements.map((r) => r.id))
  const successors = new Map<string, string[]>()
  for (const r of to.requirements) for (const old of r.replaces ?? []) push(successors, old, r.id)
  const mapping: Record<string, string[]> = {}
  for (const r of from.requirements) {
    const next = new Set([...(kept.has(r.id) ? [r.id] : []), ...(successors.get(r.id) ?? [])])
    mapping[r.id] = [...next].sort()
  }
  return mapping
}

export function diffDocuments(from: FrameworkDocument, to: FrameworkDocument): FrameworkDiff {
  const before = new Map(from.requirements.map((r) => [r.id, r]))
  const after = new Map(to.requirements.map((r) => [r.id, r]))
  const diff: FrameworkDiff = {
    from: from.version,
    to: to.version,
    requirements: { added: [], removed: [], reworded: [], retiered: [], changed: [] },
    mappings: { added: [], removed: [], changed: [] },
    idMapping: idMapping(from, to),
  }
  for (const [id, next] of after) {
    const previous = before.get(id)
    if (!previous) {
      diff.requirements.added.push(id)
      continue
    }
    const reworded = WORDING_FIELDS.filter((f) => previous[f] !== next[f])
    if (reworded.length) diff.requirements.reworded.push({ id, fields: [...reworded] })
    if (previous.tier !== next.tier) {
      diff.requirements.retiered.push({ id, from: previous.tier, to: next.tier })
    }
    const changed = OTHER_FIELDS.filter((f) => !same(previous[f], next[f]))
    if (changed.length) diff.requirements.changed.push({ id, fields: [...changed] })
  }
  for (const id of before.keys()) if (!after.has(id)) diff.requirements.removed.push(id)

  const linkKey = (l: Link) => `${l.requirement}→${itemKey(l.catalogue, l.item)}`
  const oldLinks = new Map(from.links.map((l) => [linkKey(l), l]))
  const newLinks = new Map(to.links.map((l) => [linkKey(l), l]))
  for (const [key, link] of newLinks) {
    const previous = oldLinks.get(key)
    if (!previous) diff.mappings.added.push(link)
    else if (!same(previous, link)) diff.mappings.changed.push({ from: previous, to: link })
  }
  for (const [key, link] of oldLinks) if (!newLinks.has(key)) diff.mappings.removed.push(link)
  return diff
}

export type ChangeEntry =
  | { type: 'requirement-added' | 'requirement-removed'; requirement: string }
  | { type: 'requirement-reworded' | 'requirement-changed'; requirement: string; fields: string[] }
  | { type: 'requirement-retiered'; requirement: string; from: Tier; to: Tier }
  | { type: 'requirement-replaced'; requirement: string; by: string[] }
  | {
      type: 'mapping-added' | 'mapping-removed' | 'mapping-changed'
      requirement: string
      target: string
      relation: string
      strength: string
    }

/** The diff as a flat list of change entries, the machine-readable change log of one release. */
export function changeEntries(diff: FrameworkDiff): ChangeEntry[] {
  const entries: ChangeEntry[] = []
  for (const id of diff.requirements.added) {
    entries.push({ type: 'requirement-added', requirement: id })
  }
  for (const id of diff.requirements.removed) {
    const by = diff.idMapping[id] ?? []
    entries.push(
      by.length
        ? { type: 'requirement-replaced', requirement: id, by }
        : { type: 'requirement-removed', requirement: id },
    )
  }
  for (const r of diff.requirements.reworded) {
    entries.push({ type: 'requirement-reworded', requirement: r.id, fields: r.fields })
  }
  for (const r of diff.requirements.retiered) {
    entries.push({ type: 'requirement-retiered', requirement: r.id, from: r.from, to: r.to })
  }
  for (const r of diff.requirements.changed) {
    entries.push({ type: 'requirement-changed', requirement: r.id, fields: r.fields })
  }
  const mapping = (type: 'mapping-added' | 'mapping-removed' | 'mapping-changed', l: Link) => ({
    type,
    requirement: l.requirement,
    target: itemKey(l.catalogue, l.item),
    relation: l.relation,
    strength: l.strength,
  })
  for (const l of diff.mappings.added) entries.push(mapping('mapping-added', l))
  for (const l of diff.mappings.removed) entries.push(mapping('mapping-removed', l))
  for (const c of diff.mappings.changed) entries.push(mapping('mapping-changed', c.to))
  return entries
}
