import { Type, type Static } from 'typebox'
import { StrictObject } from './shared.ts'

/**
 * Vulnerability advisories (OSV, CSAF, CISA KEV) as imported, and the import history
 * (docs/vulnerabilities.md#advisories). Advisories are public data: looking them up needs no
 * account; the history and starting imports are for network administrators.
 */

export const ADVISORY_SOURCES = ['osv', 'csaf', 'kev'] as const
export type AdvisorySourceKind = (typeof ADVISORY_SOURCES)[number]

export const AdvisoryStateSchema = Type.Enum(['active', 'withdrawn', 'removed'], {
  description:
    '`withdrawn`: the source withdrew it (OSV `withdrawn`, CSAF withdrawn/superseded); `removed`: it left a newer full KEV catalogue',
})

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

export const AdvisorySummarySchema = Type.Object({
  source: Type.Enum(ADVISORY_SOURCES),
  id: Type.String(),
  state: AdvisoryStateSchema,
  aliases: Type.Array(Type.String()),
  published: Nullable(Type.String()),
  modified: Nullable(Type.String()),
  withdrawnAt: Nullable(Type.String()),
  title: Nullable(Type.String()),
  severity: Nullable(Type.String({ description: 'critical, high, medium, low or none' })),
  cvssScore: Nullable(Type.Number()),
  category: Nullable(Type.String({ description: 'CSAF document category; OSV ecosystems; `kev`' })),
})
export type AdvisorySummary = Static<typeof AdvisorySummarySchema>

export const AdvisorySearchQuerySchema = StrictObject({
  id: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'An advisory id or an alias (CVE, GHSA, GO, PYSEC, ICSA, …)',
  }),
})

export const AdvisoryParamsSchema = StrictObject({
  source: Type.Enum(ADVISORY_SOURCES),
  advisoryId: Type.String({ minLength: 1, maxLength: 200 }),
})

const Json = Type.Unknown()

export const AdvisoryQuerySchema = StrictObject({
  raw: Type.Optional(Type.Boolean({ description: 'Also return the record as it was imported' })),
})

/** One advisory with its normalised parts; the part that applies to its source is present. */
export const AdvisorySchema = Type.Object({
  source: Type.Enum(ADVISORY_SOURCES),
  id: Type.String(),
  state: AdvisoryStateSchema,
  aliases: Type.Array(Type.String()),
  published: Nullable(Type.String()),
  modified: Nullable(Type.String()),
  withdrawnAt: Nullable(Type.String()),
  title: Nullable(Type.String()),
  summary: Nullable(Type.String()),
  severity: Nullable(Type.String()),
  cvssScore: Nullable(Type.Number()),
  cvss: Type.Array(Json),
  references: Type.Array(Json),
  category: Nullable(Type.String()),
  trackingStatus: Nullable(Type.String()),
  trackingVersion: Nullable(Type.String()),
  publisher: Nullable(Type.String()),
  contentHash: Type.String(),
  updatedAt: Type.String(),
  affected: Type.Optional(
    Type.Array(
      Type.Object({
        ecosystem: Type.String(),
        name: Type.String(),
        purl: Nullable(Type.String()),
        ranges: Type.Array(Json),
        versions: Type.Array(Type.String()),
        severity: Nullable(Type.Array(Json)),
        databaseSpecific: Json,
      }),
    ),
  ),
  products: Type.Optional(
    Type.Array(
      Type.Object({
        productId: Type.String(),
        name: Type.String(),
        vendor: Nullable(Type.String()),
        product: Nullable(Type.String()),
        version: Nullable(Type.String()),
        versionRange: Nullable(Type.String()),
        modelNumbers: Type.Array(Type.String()),
        purl: Nullable(Type.String()),
        cpe: Nullable(Type.String()),
      }),
    ),
  ),
  vulnerabilities: Type.Optional(
    Type.Array(
      Type.Object({
        cve: Nullable(Type.String()),
        title: Nullable(Type.String()),
        cwe: Nullable(Type.String()),
        statuses: Type.Array(Type.Object({ productId: Type.String(), status: Type.String() })),
        remediations: Type.Array(
          Type.Object({
            category: Type.String(),
            details: Type.String(),
            url: Nullable(Type.String()),
            productIds: Type.Array(Type.String()),
          }),
        ),
      }),
    ),
  ),
  raw: Type.Optional(Json),
  knownExploited: Type.Array(
    Type.Object({
      cve: Type.String(),
      dateAdded: Type.String(),
      dueDate: Type.String(),
      knownRansomwareCampaignUse: Nullable(Type.String()),
    }),
    {
      description:
        "The advisory's CVEs that are in CISA's KEV catalogue now (empty for a KEV entry itself)",
    },
  ),
  related: Type.Array(AdvisorySummarySchema, {
    description:
      'The other records of the same vulnerabilities: those whose id or aliases share its id, an alias or a CVE (at most 100)',
  }),
  kev: Type.Optional(
    Nullable(
      Type.Object({
        cve: Type.String(),
        vendorProject: Type.String(),
        product: Type.String(),
        vulnerabilityName: Type.String(),
        dateAdded: Type.String(),
        dueDate: Type.String(),
        knownRansomwareCampaignUse: Nullable(Type.String()),
        requiredAction: Type.String(),
        catalogVersion: Type.String(),
      }),
    ),
  ),
})
export type Advisory = Static<typeof AdvisorySchema>

export const ImportCountsSchema = Type.Object({
  filesRead: Type.Integer(),
  new: Type.Integer(),
  changed: Type.Integer(),
  unchanged: Type.Integer(),
  withdrawn: Type.Integer(),
  removed: Type.Integer({ description: 'KEV entries missing from a newer full catalogue' }),
  stale: Type.Integer({ description: 'Records older than the stored version, left alone' }),
  failed: Type.Integer({ description: 'Files or records refused' }),
  warnings: Type.Integer(),
})

export const AdvisoryImportStatusSchema = Type.Enum(['running', 'succeeded', 'partial', 'failed'])

export const AdvisoryImportSchema = Type.Object({
  id: Type.Integer(),
  format: Type.String(),
  sourceKind: Nullable(Type.String({ description: 'file, directory, zip, rolie, url:…' })),
  location: Type.String(),
  triggeredBy: Type.String(),
  status: AdvisoryImportStatusSchema,
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  counts: ImportCountsSchema,
  error: Nullable(Type.String()),
})
export type AdvisoryImport = Static<typeof AdvisoryImportSchema>

export const AdvisoryProblemSchema = Type.Object({
  path: Type.String(),
  pointer: Type.String(),
  message: Type.String(),
  level: Type.Optional(Type.Literal('warning')),
})
export type AdvisoryProblem = Static<typeof AdvisoryProblemSchema>

export const AdvisoryImportDetailSchema = Type.Intersect([
  AdvisoryImportSchema,
  Type.Object({ problems: Type.Array(AdvisoryProblemSchema) }),
])
export type AdvisoryImportDetail = Static<typeof AdvisoryImportDetailSchema>

export const AdvisoryImportListQuerySchema = StrictObject({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Default 50' })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'Imports older than this id' })),
})

export const AdvisoryImportParamsSchema = StrictObject({
  importId: Type.Integer({ minimum: 1 }),
})

export const AdvisoryImportOverviewSchema = Type.Object({
  sources: Type.Array(Type.Object({ format: Type.String(), location: Type.String() }), {
    description: 'What ADVISORY_SOURCES configures (set by the operator)',
  }),
  stored: Type.Array(
    Type.Object({ source: Type.String(), state: Type.String(), count: Type.Integer() }),
  ),
  imports: Type.Array(AdvisoryImportSchema),
})
export type AdvisoryImportOverview = Static<typeof AdvisoryImportOverviewSchema>

export const RunImportResultSchema = Type.Object({
  queued: Type.Boolean({ description: 'false when an import is already queued or running' }),
  jobId: Nullable(Type.Integer()),
  sources: Type.Integer(),
})
export type RunImportResult = Static<typeof RunImportResultSchema>
