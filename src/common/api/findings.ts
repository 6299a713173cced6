import { Type, type Static, type TSchema } from 'typebox'
import { IdSchema, pageQuery, PageSchema, StrictObject, TimestampSchema } from './shared.ts'
import { TriageSchema } from './vex.ts'

/*
 * Findings of the matching engine per product version (docs/vulnerabilities.md, "Findings"):
 * private to the manufacturer's organisation; network administrators see the KEV exposure
 * aggregate only.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const FINDING_STATUSES = ['affected', 'unknown'] as const
export const FINDING_CONFIDENCES = ['high', 'medium', 'low'] as const
export const FINDING_STATES = ['open', 'resolved', 'all'] as const
export const FINDING_MATCHED_BY = ['purl', 'cpe', 'vendor_product'] as const
export const FINDING_PAGE_MAX = 200

export const FindingVersionParamsSchema = StrictObject({ orgId: IdSchema, versionId: IdSchema })
export const FindingParamsSchema = StrictObject({
  orgId: IdSchema,
  versionId: IdSchema,
  findingId: IdSchema,
})

export const FindingQuerySchema = StrictObject({
  state: Type.Optional(
    Type.Enum(FINDING_STATES, { default: 'open', description: 'open (default), resolved or all' }),
  ),
  status: Type.Optional(Type.Enum(FINDING_STATUSES)),
  severity: Type.Optional(
    Type.String({ maxLength: 20, description: 'critical, high, medium, low or none' }),
  ),
  kev: Type.Optional(Type.Boolean({ description: 'Only findings whose CVE is in CISA KEV' })),
  confidence: Type.Optional(Type.Enum(FINDING_CONFIDENCES)),
  q: Type.Optional(
    Type.String({ maxLength: 200, description: 'Part of the component, advisory id, CVE or purl' }),
  ),
  ...pageQuery(FINDING_PAGE_MAX),
})
export type FindingQuery = Static<typeof FindingQuerySchema>

export const FindingReasonSchema = Type.Object({
  matchedBy: Type.Enum(FINDING_MATCHED_BY),
  key: Type.String({
    description: 'The key compared: a purl package, a CPE vendor:product, a vendor | product',
  }),
  rule: Type.String({
    description: 'The deciding rule, e.g. "OSV ECOSYSTEM introduced 3.1 fixed 3.1.9"',
  }),
  componentVersion: Nullable(Type.String()),
  details: Type.Array(Type.String(), {
    description: 'One sentence per entry, range or vulnerability',
  }),
})

export const FindingKevSchema = Type.Object({
  cve: Type.String(),
  dateAdded: Type.String(),
  dueDate: Type.String(),
  knownRansomwareCampaignUse: Nullable(Type.String()),
})

export const FindingSchema = Type.Object({
  id: IdSchema,
  productVersionId: IdSchema,
  component: Type.Object({
    key: Type.String({
      description: 'SBOM component key, or "@product" for the registered product',
    }),
    name: Type.String(),
    version: Nullable(Type.String()),
    purl: Nullable(Type.String()),
  }),
  advisory: Type.Object({
    source: Type.Enum(['osv', 'csaf']),
    id: Type.String(),
  }),
  cves: Type.Array(Type.String()),
  status: Type.Enum(FINDING_STATUSES, { description: 'affected, or unknown (needs review)' }),
  confidence: Type.Enum(FINDING_CONFIDENCES),
  reason: FindingReasonSchema,
  fixedVersion: Nullable(Type.String()),
  severity: Nullable(Type.String()),
  cvssScore: Nullable(Type.Number()),
  kev: Nullable(FindingKevSchema),
  firstSeenAt: TimestampSchema,
  changedAt: TimestampSchema,
  lastEvaluatedAt: TimestampSchema,
  resolvedAt: Nullable(TimestampSchema),
  triage: Type.Union([TriageSchema, Type.Null()], {
    description: 'The manufacturer’s triage (in the app or from a VEX document); null when none',
  }),
})
export type Finding = Static<typeof FindingSchema>

export const FindingPageSchema = PageSchema(FindingSchema)
export type FindingPage = Static<typeof FindingPageSchema>

const exposureCounts = {
  products: Type.Integer({ description: 'Products with an open, affected KEV finding' }),
  versions: Type.Integer(),
  cves: Type.Integer({ description: 'Distinct KEV CVEs among them' }),
}

/** The network's exposure to known-exploited vulnerabilities, for network administrators. */
export const KevExposureSchema = Type.Object({
  totals: Type.Object(exposureCounts),
  byManufacturer: Type.Array(
    Type.Object({ organisationId: IdSchema, name: Type.String(), ...exposureCounts }),
  ),
  byDeviceClass: Type.Array(Type.Object({ deviceClass: Type.String(), ...exposureCounts })),
  overdue: Type.Integer({ description: 'Open KEV findings past the catalogue’s due date' }),
})
export type KevExposure = Static<typeof KevExposureSchema>

export const FindingOverviewParamsSchema = StrictObject({ orgId: IdSchema })

/** Open findings by severity (`unknown`: the advisory gives none). */
export const OVERVIEW_SEVERITIES = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const

/**
 * One product version of the organisation with unresolved findings. Open = unresolved and not
 * suppressed (triaged not affected with a justification), the same count as the VEX panel's.
 */
export const FindingOverviewVersionSchema = Type.Object({
  productId: IdSchema,
  productName: Type.String(),
  deviceClass: Type.String(),
  productVersionId: IdSchema,
  version: Type.String(),
  open: Type.Integer({ description: 'Open findings (affected or awaiting review)' }),
  bySeverity: Type.Object(
    {
      critical: Type.Integer(),
      high: Type.Integer(),
      medium: Type.Integer(),
      low: Type.Integer(),
      none: Type.Integer(),
      unknown: Type.Integer(),
    },
    { description: 'Open findings by the advisory’s severity' },
  ),
  knownExploited: Type.Integer({ description: 'Open findings whose CVE is in CISA KEV' }),
  needsReview: Type.Integer({
    description: 'Open findings of status unknown: a match the engine could not decide',
  }),
  suppressed: Type.Integer({ description: 'Unresolved findings triaged not affected' }),
  lastEvaluatedAt: Nullable(TimestampSchema),
})
export type FindingOverviewVersion = Static<typeof FindingOverviewVersionSchema>

/** GET /organisations/{orgId}/findings/overview: the manufacturer's vulnerability overview. */
export const FindingOverviewSchema = Type.Object({
  versions: Type.Array(FindingOverviewVersionSchema, {
    description: 'Versions with unresolved findings: known-exploited first, then most open',
  }),
  totals: Type.Object({
    open: Type.Integer(),
    knownExploited: Type.Integer(),
    needsReview: Type.Integer(),
  }),
  evaluatedVersions: Type.Integer({
    description: 'Versions of the organisation evaluated at least once (with or without findings)',
  }),
  lastEvaluatedAt: Nullable(TimestampSchema),
})
export type FindingOverview = Static<typeof FindingOverviewSchema>
