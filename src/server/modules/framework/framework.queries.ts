import type {
  CatalogueCoverage,
  CatalogueSummary,
  FrameworkOverview,
  ItemCoverage,
  Link as LinkView,
  MappingSet,
  MappingSetSummary,
  Profile,
  Requirement as RequirementView,
  RequirementListQuery,
  RequirementSummary,
  SchemeSummary,
  SchemeView,
} from '../../../common/api/framework.ts'
import { AppError } from '../../../common/errors.ts'
import type { DeviceClass, Tier } from '../../../common/framework.ts'
import type { Ctx } from '../../kernel/context.ts'
import type {
  CatalogueCoverage as Coverage,
  FrameworkIndex,
  ItemCoverage as ItemCoverageModel,
  LinkView as LinkModel,
} from './analysis.ts'
import { getFramework } from './framework.service.ts'
import type { Requirement, Scheme, SchemeLevel } from './model.ts'

/** The read side of the framework API: the index's answers in the shapes of common/api/framework.ts. */

function summary(index: FrameworkIndex, r: Requirement): RequirementSummary {
  const standards: Record<string, number> = {}
  for (const link of index.linksOf(r.id)) {
    standards[link.catalogue] = (standards[link.catalogue] ?? 0) + 1
  }
  return {
    id: r.id,
    category: r.category,
    title: r.title,
    statement: r.statement,
    kind: r.kind,
    tier: r.tier,
    deviceClasses: r.deviceClasses,
    standards,
  }
}

function linkView(index: FrameworkIndex, link: LinkModel): LinkView {
  const source = index.document.sources.find((s) => s.id === link.provenance)
  return {
    requirement: link.requirement,
    requirementTitle: link.requirementTitle,
    tier: link.tier,
    catalogue: link.catalogue,
    item: link.item,
    itemTitle: index.item(link.catalogue, link.item)?.title ?? link.item,
    relation: link.relation,
    strength: link.strength,
    rationale: link.rationale,
    provenance: link.provenance,
    provenanceTitle: source?.title ?? 'Proposed by the network',
    covering: link.covering,
  }
}

function itemCoverageView(index: FrameworkIndex, entry: ItemCoverageModel): ItemCoverage {
  const catalogue = index.catalogues.get(entry.catalogue)
  const groupTitle = catalogue?.groups?.find((g) => g.id === entry.item.group)?.title
  return {
    catalogue: entry.catalogue,
    item: { ...entry.item, ...(groupTitle ? { groupTitle } : {}) },
    level: entry.level,
    links: entry.links.map((l) => linkView(index, l)),
    gapReason: entry.gapReason ?? null,
    goal: entry.goal ?? null,
    goalMet: entry.goalMet ?? null,
  }
}

function catalogueSummary(index: FrameworkIndex, coverage: Coverage): CatalogueSummary {
  const catalogue = index.catalogues.get(coverage.catalogue)!
  return {
    catalogue: coverage.catalogue,
    title: catalogue.title,
    version: catalogue.version,
    publisher: catalogue.publisher,
    url: catalogue.url,
    licence: catalogue.licence,
    notes: catalogue.notes ?? [],
    counts: coverage.counts,
    goal: coverage.goal ?? null,
  }
}

function schemeSummary(scheme: Scheme): SchemeSummary {
  return {
    scheme: scheme.scheme,
    title: scheme.title,
    summary: scheme.summary,
    url: scheme.url ?? null,
    notes: scheme.notes ?? [],
    levels: scheme.levels.map(levelSummary),
  }
}

function levelSummary(level: SchemeLevel) {
  return {
    id: level.id,
    title: level.title,
    summary: level.summary ?? null,
    verification: level.verification ?? null,
  }
}

function count(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1
  return counts
}

/**
 * The crosswalk as mapping sets: one per external catalogue, versioned with the framework (a
 * published version's sets never change), each link with its relation, strength and provenance.
 */
function mappingSetSummary(index: FrameworkIndex, target: string): MappingSetSummary {
  const links = index.document.links.filter((l) => l.catalogue === target)
  return {
    id: `isn-${index.document.version}--${target}`,
    source: 'isn',
    target,
    targetTitle: index.catalogues.get(target)?.title ?? target,
    version: index.document.version,
    links: links.length,
    relations: count(links.map((l) => l.relation)),
    provenance: count(links.map((l) => l.provenance)),
  }
}

export async function mappingSet(ctx: Ctx, target: string, version?: string): Promise<MappingSet> {
  const index = await getFramework(ctx, version)
  coverageOf(index, target)
  return {
    ...mappingSetSummary(index, target),
    mappings: index.document.requirements.flatMap((r) =>
      index
        .linksFrom(r.id)
        .filter((l) => l.catalogue === target)
        .map((l) => linkView(index, l)),
    ),
    gaps: index.document.gaps
      .filter((g) => g.catalogue === target)
      .map((g) => ({ item: g.item, reason: g.reason })),
  }
}

function coverageOf(index: FrameworkIndex, catalogue: string): Coverage {
  const coverage = index.coverage(catalogue)
  if (!coverage) throw new AppError('not_found', `There is no catalogue "${catalogue}".`)
  return coverage
}

export async function frameworkOverview(ctx: Ctx, version?: string): Promise<FrameworkOverview> {
  const index = await getFramework(ctx, version)
  const { document } = index
  return {
    version: document.version,
    title: document.title,
    status: document.status,
    released: document.released ?? null,
    summary: document.summary,
    requirements: document.requirements.length,
    links: document.links.length,
    categories: document.categories.map((c) => ({
      ...c,
      requirements: document.requirements.filter((r) => r.category === c.id).length,
    })),
    catalogues: document.catalogues.map((c) =>
      catalogueSummary(index, coverageOf(index, c.catalogue)),
    ),
    schemes: document.schemes.map(schemeSummary),
    mappingSets: document.catalogues.map((c) => mappingSetSummary(index, c.catalogue)),
    sources: document.sources,
  }
}

/** Requirements matching the filters, ranked by relevance when there is search text. */
export async function listRequirements(ctx: Ctx, query: RequirementListQuery) {
  const index = await getFramework(ctx, query.version)
  const text = query.q?.trim() ?? ''
  let list =
    text.length > 0 ? index.search(text).map((hit) => hit.requirement) : index.document.requirements
  list = list.filter(
    (r) =>
      (query.tier === undefined || r.tier <= query.tier) &&
      (query.deviceClass === undefined || r.deviceClasses.includes(query.deviceClass)) &&
      (query.category === undefined || r.category === query.category.toUpperCase()) &&
      (query.kind === undefined || r.kind === query.kind) &&
      (query.standard === undefined ||
        index.linksOf(r.id).some((l) => l.catalogue === query.standard)),
  )
  return {
    version: index.document.version,
    total: list.length,
    requirements: list.map((r) => summary(index, r)),
  }
}

export async function requirementDetail(
  ctx: Ctx,
  id: string,
  version?: string,
): Promise<RequirementView> {
  const index = await getFramework(ctx, version)
  const r = index.requirementsById.get(id.toUpperCase())
  if (!r) {
    throw new AppError(
      'not_found',
      `There is no requirement ${id} in framework version ${index.document.version}.`,
    )
  }
  const category = index.document.categories.find((c) => c.id === r.category)
  const links = index.linksFrom(r.id).map((link) => linkView(index, link))
  return {
    id: r.id,
    version: index.document.version,
    category: r.category,
    categoryTitle: category?.title ?? r.category,
    title: r.title,
    statement: r.statement,
    rationale: r.rationale,
    kind: r.kind,
    tier: r.tier,
    deviceClasses: r.deviceClasses,
    verification: r.verification as Record<string, RequirementView['verification'][string]>,
    evidence: r.evidence,
    assessorGuidance: r.assessorGuidance,
    replaces: r.replaces ?? [],
    links,
  }
}

export async function listCatalogues(ctx: Ctx, version?: string): Promise<CatalogueSummary[]> {
  const index = await getFramework(ctx, version)
  return index.document.catalogues.map((c) =>
    catalogueSummary(index, coverageOf(index, c.catalogue)),
  )
}

export async function catalogueCoverage(
  ctx: Ctx,
  catalogue: string,
  version?: string,
): Promise<CatalogueCoverage> {
  const index = await getFramework(ctx, version)
  const coverage = coverageOf(index, catalogue)
  return {
    ...catalogueSummary(index, coverage),
    items: coverage.items.map((entry) => itemCoverageView(index, entry)),
  }
}

/** One external item and everything in the framework that covers it, e.g. CRA I.2(d). */
export async function catalogueItem(
  ctx: Ctx,
  catalogue: string,
  id: string,
  version?: string,
): Promise<ItemCoverage> {
  const index = await getFramework(ctx, version)
  coverageOf(index, catalogue)
  const item = index.item(catalogue, id)
  if (!item) throw new AppError('not_found', `There is no item "${id}" in ${catalogue}.`)
  return itemCoverageView(index, index.itemCoverage(catalogue, item))
}

export async function profile(
  ctx: Ctx,
  tier: Tier,
  deviceClass?: DeviceClass,
  version?: string,
): Promise<Profile> {
  const index = await getFramework(ctx, version)
  return {
    version: index.document.version,
    tier,
    deviceClass: deviceClass ?? null,
    requirements: index
      .profile(tier, deviceClass)
      .map(({ requirement, verification }) => ({ ...summary(index, requirement), verification })),
  }
}

export async function listSchemes(ctx: Ctx, version?: string): Promise<SchemeSummary[]> {
  const index = await getFramework(ctx, version)
  return index.document.schemes.map(schemeSummary)
}

export async function schemeView(
  ctx: Ctx,
  schemeId: string,
  levelId: string,
  deviceClass?: DeviceClass,
  version?: string,
): Promise<SchemeView> {
  const index = await getFramework(ctx, version)
  const view = index.schemeView(schemeId, levelId, deviceClass)
  if (!view) {
    throw new AppError('not_found', `There is no scheme "${schemeId}" with a level "${levelId}".`)
  }
  return {
    version: index.document.version,
    scheme: schemeSummary(view.scheme),
    level: levelSummary(view.level),
    deviceClass: view.deviceClass ?? null,
    highestTier: view.highestTier,
    requirements: view.requirements.map((r) => summary(index, r)),
    items: view.items.map((entry) => itemCoverageView(index, entry)),
    openItems: view.openItems.map((entry) => `${entry.catalogue}:${entry.item.id}`),
  }
}
