import { Type, type Static } from 'typebox'
import {
  DEVICE_CLASSES,
  LINK_STRENGTHS,
  RELATIONS,
  REQUIREMENT_KINDS,
  VERIFICATION_STRENGTHS,
} from '../framework.ts'
import { StrictObject } from './shared.ts'

/** The public, read-only framework API: /api/v1/framework/... (no sign-in needed). */

const SemverSchema = Type.String({
  pattern: '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$',
  description: 'Framework version (semver)',
})
const TierSchema = Type.Integer({ minimum: 1, maximum: 4, description: 'Tier 1–4' })
export const DeviceClassSchema = Type.Enum([...DEVICE_CLASSES])
const StrengthSchema = Type.Enum([...VERIFICATION_STRENGTHS])
const CatalogueIdSchema = Type.String({ pattern: '^[a-z0-9-]{1,60}$', description: 'Catalogue id' })
/** Search text: any characters and any length (the search reads the first SEARCH_TEXT_LIMIT). */
const SearchTextSchema = Type.String()

export const VersionQuerySchema = StrictObject({ version: Type.Optional(SemverSchema) })

export const FrameworkVersionSchema = Type.Object({
  version: Type.String(),
  title: Type.String(),
  status: Type.Enum(['published', 'draft']),
  released: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
  loadedAt: Type.String(),
  contentHash: Type.String(),
})
export type FrameworkVersion = Static<typeof FrameworkVersionSchema>

export const RequirementSummarySchema = Type.Object({
  id: Type.String(),
  category: Type.String(),
  title: Type.String(),
  statement: Type.String(),
  kind: Type.Enum([...REQUIREMENT_KINDS]),
  tier: TierSchema,
  deviceClasses: Type.Array(DeviceClassSchema),
  /** Catalogues this requirement maps to, with the number of links to each. */
  standards: Type.Record(Type.String(), Type.Integer()),
})
export type RequirementSummary = Static<typeof RequirementSummarySchema>

export const LinkSchema = Type.Object({
  requirement: Type.String(),
  requirementTitle: Type.String(),
  tier: TierSchema,
  catalogue: Type.String(),
  item: Type.String(),
  itemTitle: Type.String(),
  relation: Type.Enum([...RELATIONS]),
  strength: Type.Enum([...LINK_STRENGTHS]),
  rationale: Type.String(),
  provenance: Type.String(),
  provenanceTitle: Type.String(),
  /** True when this link alone covers the external item (relation equal or superset). */
  covering: Type.Boolean(),
})
export type Link = Static<typeof LinkSchema>

export const RequirementSchema = Type.Object({
  id: Type.String(),
  version: Type.String(),
  category: Type.String(),
  categoryTitle: Type.String(),
  title: Type.String(),
  statement: Type.String(),
  rationale: Type.String(),
  kind: Type.Enum([...REQUIREMENT_KINDS]),
  tier: TierSchema,
  deviceClasses: Type.Array(DeviceClassSchema),
  verification: Type.Record(Type.String(), StrengthSchema),
  evidence: Type.Array(Type.String()),
  assessorGuidance: Type.String(),
  replaces: Type.Array(Type.String()),
  links: Type.Array(LinkSchema),
})
export type Requirement = Static<typeof RequirementSchema>

export const RequirementListQuerySchema = StrictObject({
  version: Type.Optional(SemverSchema),
  q: Type.Optional(SearchTextSchema),
  tier: Type.Optional(TierSchema),
  deviceClass: Type.Optional(DeviceClassSchema),
  category: Type.Optional(Type.String({ maxLength: 10 })),
  kind: Type.Optional(Type.Enum([...REQUIREMENT_KINDS])),
  standard: Type.Optional(CatalogueIdSchema),
})
export type RequirementListQuery = Static<typeof RequirementListQuerySchema>

export const RequirementListSchema = Type.Object({
  version: Type.String(),
  total: Type.Integer(),
  requirements: Type.Array(RequirementSummarySchema),
})

export const RequirementParamsSchema = StrictObject({
  id: Type.String({ maxLength: 40 }),
})

const CoverageCountsSchema = Type.Object({
  items: Type.Integer(),
  covered: Type.Integer(),
  partial: Type.Integer(),
  gap: Type.Integer(),
  uncovered: Type.Integer(),
})

const GoalSchema = Type.Object({
  description: Type.String(),
  items: Type.Integer(),
  met: Type.Integer(),
  missing: Type.Array(Type.String()),
})

export const CatalogueSummarySchema = Type.Object({
  catalogue: Type.String(),
  title: Type.String(),
  version: Type.String(),
  publisher: Type.String(),
  url: Type.String(),
  licence: Type.String(),
  notes: Type.Array(Type.String()),
  counts: CoverageCountsSchema,
  goal: Type.Union([GoalSchema, Type.Null()]),
})
export type CatalogueSummary = Static<typeof CatalogueSummarySchema>

export const CatalogueItemSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  summary: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  groupTitle: Type.Optional(Type.String()),
  caveat: Type.Optional(Type.String()),
  status: Type.Optional(Type.Enum(['mandatory', 'recommended'])),
  condition: Type.Optional(Type.String()),
  securityLevel: Type.Optional(Type.Integer()),
  componentType: Type.Optional(Type.String()),
  enhances: Type.Optional(Type.String()),
  levels: Type.Optional(Type.Array(Type.String())),
  section: Type.Optional(Type.String()),
  reference: Type.Optional(Type.String()),
})

export const ItemCoverageSchema = Type.Object({
  catalogue: Type.String(),
  item: CatalogueItemSchema,
  level: Type.Enum(['covered', 'partial', 'gap', 'uncovered']),
  links: Type.Array(LinkSchema),
  gapReason: Type.Union([Type.String(), Type.Null()]),
  goal: Type.Union([Type.Enum(['covered', 'covered-or-gap']), Type.Null()]),
  goalMet: Type.Union([Type.Boolean(), Type.Null()]),
})
export type ItemCoverage = Static<typeof ItemCoverageSchema>

export const CatalogueCoverageSchema = Type.Interface([CatalogueSummarySchema], {
  items: Type.Array(ItemCoverageSchema),
})
export type CatalogueCoverage = Static<typeof CatalogueCoverageSchema>

export const CatalogueParamsSchema = StrictObject({ catalogue: CatalogueIdSchema })
export const CatalogueItemParamsSchema = StrictObject({
  catalogue: CatalogueIdSchema,
  item: Type.String({ maxLength: 60 }),
})

export const MappingSetSummarySchema = Type.Object({
  id: Type.String({ description: 'isn-<framework version>--<catalogue>' }),
  source: Type.String(),
  target: Type.String(),
  targetTitle: Type.String(),
  version: Type.String({ description: 'The framework version the set belongs to' }),
  links: Type.Integer(),
  relations: Type.Record(Type.String(), Type.Integer()),
  provenance: Type.Record(Type.String(), Type.Integer()),
})
export type MappingSetSummary = Static<typeof MappingSetSummarySchema>

export const MappingSetSchema = Type.Interface([MappingSetSummarySchema], {
  mappings: Type.Array(LinkSchema),
  gaps: Type.Array(Type.Object({ item: Type.String(), reason: Type.String() })),
})
export type MappingSet = Static<typeof MappingSetSchema>

export const CategorySchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  requirements: Type.Integer(),
})

export const SchemeLevelSummarySchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  summary: Type.Union([Type.String(), Type.Null()]),
  verification: Type.Union([StrengthSchema, Type.Null()]),
})
export const SchemeSummarySchema = Type.Object({
  scheme: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  notes: Type.Array(Type.String()),
  levels: Type.Array(SchemeLevelSummarySchema),
})
export type SchemeSummary = Static<typeof SchemeSummarySchema>

export const FrameworkOverviewSchema = Type.Object({
  version: Type.String(),
  title: Type.String(),
  status: Type.Enum(['published', 'draft']),
  released: Type.Union([Type.String(), Type.Null()]),
  summary: Type.String(),
  requirements: Type.Integer(),
  links: Type.Integer(),
  categories: Type.Array(CategorySchema),
  catalogues: Type.Array(CatalogueSummarySchema),
  schemes: Type.Array(SchemeSummarySchema),
  mappingSets: Type.Array(MappingSetSummarySchema),
  sources: Type.Array(
    Type.Object({ id: Type.String(), title: Type.String(), url: Type.Optional(Type.String()) }),
  ),
})
export type FrameworkOverview = Static<typeof FrameworkOverviewSchema>

export const ProfileQuerySchema = StrictObject({
  version: Type.Optional(SemverSchema),
  tier: TierSchema,
  deviceClass: Type.Optional(DeviceClassSchema),
})

export const ProfileSchema = Type.Object({
  version: Type.String(),
  tier: TierSchema,
  deviceClass: Type.Union([DeviceClassSchema, Type.Null()]),
  requirements: Type.Array(
    Type.Interface([RequirementSummarySchema], { verification: StrengthSchema }),
  ),
})
export type Profile = Static<typeof ProfileSchema>

export const SchemeParamsSchema = StrictObject({
  scheme: Type.String({ pattern: '^[a-z0-9-]{1,60}$' }),
  level: Type.String({ pattern: '^[a-z0-9-]{1,60}$' }),
})
export const SchemeQuerySchema = StrictObject({
  version: Type.Optional(SemverSchema),
  deviceClass: Type.Optional(DeviceClassSchema),
})

export const SchemeViewSchema = Type.Object({
  version: Type.String(),
  scheme: SchemeSummarySchema,
  level: SchemeLevelSummarySchema,
  deviceClass: Type.Union([DeviceClassSchema, Type.Null()]),
  highestTier: Type.Union([TierSchema, Type.Null()]),
  requirements: Type.Array(RequirementSummarySchema),
  items: Type.Array(ItemCoverageSchema),
  openItems: Type.Array(Type.String()),
})
export type SchemeView = Static<typeof SchemeViewSchema>

export const DiffQuerySchema = StrictObject({ from: SemverSchema, to: SemverSchema })

const DiffLinkSchema = Type.Object({
  requirement: Type.String(),
  catalogue: Type.String(),
  item: Type.String(),
  relation: Type.String(),
  strength: Type.String(),
  rationale: Type.String(),
  provenance: Type.String(),
})
export const ChangeEntrySchema = Type.Object(
  {
    type: Type.String(),
    requirement: Type.String(),
  },
  { additionalProperties: true },
)
export const FrameworkDiffSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  requirements: Type.Object({
    added: Type.Array(Type.String()),
    removed: Type.Array(Type.String()),
    reworded: Type.Array(Type.Object({ id: Type.String(), fields: Type.Array(Type.String()) })),
    retiered: Type.Array(Type.Object({ id: Type.String(), from: TierSchema, to: TierSchema })),
    changed: Type.Array(Type.Object({ id: Type.String(), fields: Type.Array(Type.String()) })),
  }),
  mappings: Type.Object({
    added: Type.Array(DiffLinkSchema),
    removed: Type.Array(DiffLinkSchema),
    changed: Type.Array(Type.Object({ from: DiffLinkSchema, to: DiffLinkSchema })),
  }),
  idMapping: Type.Record(Type.String(), Type.Array(Type.String())),
  changes: Type.Array(ChangeEntrySchema),
})
export type FrameworkDiff = Static<typeof FrameworkDiffSchema>

export const ChangeLogSchema = Type.Array(
  Type.Object({
    version: Type.String(),
    status: Type.Enum(['published', 'draft']),
    released: Type.Union([Type.String(), Type.Null()]),
    previous: Type.Union([Type.String(), Type.Null()]),
    changes: Type.Array(ChangeEntrySchema),
    idMapping: Type.Record(Type.String(), Type.Array(Type.String())),
  }),
)

/** `oscal` is short for `oscal-catalog`. */
export const EXPORT_FORMATS = ['json', 'csv', 'oscal', 'oscal-catalog', 'oscal-profile'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export const ExportQuerySchema = StrictObject({
  format: Type.Enum([...EXPORT_FORMATS]),
  version: Type.Optional(SemverSchema),
  tier: Type.Optional(TierSchema),
  deviceClass: Type.Optional(DeviceClassSchema),
})
export type ExportQuery = Static<typeof ExportQuerySchema>
