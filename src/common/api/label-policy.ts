import { Type, type Static, type TSchema } from 'typebox'
import { IdSchema, pageQuery, PageSchema, StrictObject, TimestampSchema } from './shared.ts'

/*
 * The network's label policy (docs/labels.md, "Label policy"): what the platform does by itself to
 * a label when its product version's findings show a known-exploited or critical vulnerability
 * left unremediated. Published at GET /api/v1/label-policy and on the product pages.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const POLICY_CONFIDENCES = ['high', 'medium', 'low'] as const
export const POLICY_DAYS = { min: 0, max: 365 }

const days = (description: string) =>
  Type.Integer({ minimum: POLICY_DAYS.min, maximum: POLICY_DAYS.max, description })

export const LabelPolicySchema = Type.Object({
  /** Off: the policy neither suspends nor warns (its own suspensions are lifted on the next pass). */
  enabled: Type.Boolean({ description: 'Whether the policy acts at all' }),
  kevSuspendAfterDays: days(
    'Days a known-exploited (CISA KEV) finding may stay unremediated before the label is suspended, counted from when the version was known to be exposed (the later of the finding’s first sighting and the KEV entry’s date)',
  ),
  criticalWarningAfterDays: days(
    'Days a critical finding may stay without a fix or a VEX statement before the product page shows a security warning',
  ),
  minConfidence: Type.Enum(POLICY_CONFIDENCES, {
    description: 'Findings matched with less confidence are left to human review',
  }),
})
export type LabelPolicy = Static<typeof LabelPolicySchema>

export const DEFAULT_LABEL_POLICY: LabelPolicy = {
  enabled: true,
  kevSuspendAfterDays: 14,
  criticalWarningAfterDays: 30,
  minConfidence: 'medium',
}

/** The policy as published: the settings and the rules in words. */
export const PublishedLabelPolicySchema = Type.Object({
  policy: LabelPolicySchema,
  actor: Type.String({
    description: 'The name the policy acts under in histories and the audit log',
  }),
  rules: Type.Array(Type.String(), { description: 'The rules in plain words' }),
})
export type PublishedLabelPolicy = Static<typeof PublishedLabelPolicySchema>

export const LabelExposureParamsSchema = StrictObject({ labelId: IdSchema })

export const PolicyWarningSchema = Type.Object({
  since: TimestampSchema,
  message: Type.String(),
  cves: Type.Array(Type.String()),
  advisories: Type.Array(Type.String()),
})
export type PolicyWarning = Static<typeof PolicyWarningSchema>

export const PolicySuspensionSchema = Type.Object({
  since: TimestampSchema,
  cve: Type.String(),
  advisory: Type.String(),
  reason: Type.String(),
})
export type PolicySuspension = Static<typeof PolicySuspensionSchema>

/** What the public product page adds to a label: the version's exposure as the policy sees it. */
export const LabelExposureSchema = Type.Object({
  labelId: IdSchema,
  knownExploited: Type.Object({
    open: Type.Integer({
      description: 'Open known-exploited (KEV) vulnerabilities of this version not remediated',
    }),
    cves: Type.Array(Type.String(), { description: 'Their CVE ids (at most 20)' }),
    nextSuspensionAt: Nullable(
      Type.String({ description: 'When the policy suspends the label if nothing changes' }),
    ),
  }),
  warning: Nullable(PolicyWarningSchema),
  policySuspension: Nullable(PolicySuspensionSchema),
  policy: LabelPolicySchema,
})
export type LabelExposure = Static<typeof LabelExposureSchema>

/** PUT /admin/label-policy: the whole policy. */
export const UpdateLabelPolicyBodySchema = StrictObject({
  data: StrictObject({
    enabled: Type.Boolean(),
    kevSuspendAfterDays: LabelPolicySchema.properties.kevSuspendAfterDays,
    criticalWarningAfterDays: LabelPolicySchema.properties.criticalWarningAfterDays,
    minConfidence: Type.Enum(POLICY_CONFIDENCES),
  }),
})
export type UpdateLabelPolicyBody = Static<typeof UpdateLabelPolicyBodySchema>

export const EXPOSED_LABELS_PAGE_MAX = 200

/** GET /admin/kev-exposure/labels */
export const ExposedLabelQuerySchema = StrictObject(pageQuery(EXPOSED_LABELS_PAGE_MAX))
export type ExposedLabelQuery = Static<typeof ExposedLabelQuerySchema>

/**
 * A labelled product version with open known-exploited vulnerabilities, as the policy counts
 * them: what its public product page already shows, gathered for network administrators.
 */
export const ExposedLabelSchema = Type.Object({
  labelId: IdSchema,
  productName: Type.String(),
  version: Type.String(),
  manufacturer: Type.Object({ id: Nullable(IdSchema), name: Type.String() }),
  deviceClass: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  knownExploited: LabelExposureSchema.properties.knownExploited,
  exposedSince: Type.String({
    description: 'When the version was first known to be exposed to one of them (ISO 8601)',
  }),
  kevDueDate: Nullable(
    Type.String({ description: 'The earliest due date CISA’s catalogue sets for one of them' }),
  ),
  policySuspension: Nullable(PolicySuspensionSchema),
})
export type ExposedLabel = Static<typeof ExposedLabelSchema>

export const ExposedLabelPageSchema = PageSchema(ExposedLabelSchema)
export type ExposedLabelPage = Static<typeof ExposedLabelPageSchema>
