import { Type, type Static, type TSchema } from 'typebox'
import { ANSWER_STATUSES, ASSESSMENT_LIMITS, CARRIED_OVER } from '../assessments.ts'
import { REVIEW_STATUSES } from '../reviews.ts'
import { DeviceClassSchema } from './framework.ts'
import { DateSchema, HttpsUrlSchema } from './products.ts'
import { IdSchema, StrictObject, TimestampSchema } from './shared.ts'

/*
 * Manufacturers' self-assessments of product versions (docs/assessments.md): answers per
 * requirement with evidence, progress, the gap report and the "comply many" view.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Text = (maxLength: number = ASSESSMENT_LIMITS.text) =>
  Type.String({ maxLength, pattern: '\\S', description: 'Not blank' })

export const AnswerStatusSchema = Type.Enum(ANSWER_STATUSES)
export const CarriedOverSchema = Type.Enum(CARRIED_OVER)
export const TierSchema = Type.Integer({ minimum: 1, maximum: 4, description: 'Tier 1–4' })
const VersionTextSchema = Type.String({
  pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
  description: 'A framework version, e.g. 1.0.0',
})

export const AssessmentParamsSchema = StrictObject({ orgId: IdSchema, assessmentId: IdSchema })
export const AnswerParamsSchema = StrictObject({
  orgId: IdSchema,
  assessmentId: IdSchema,
  requirementId: Type.String({
    pattern: '^[A-Za-z0-9-]{1,40}$',
    description: 'A requirement id of the framework, e.g. ISN-AUTH-01',
  }),
})
export const FileParamsSchema = StrictObject({
  orgId: IdSchema,
  assessmentId: IdSchema,
  fileId: IdSchema,
})
export const AssessmentListQuerySchema = StrictObject({
  productVersionId: Type.Optional(IdSchema),
})

export const EvidenceLinkSchema = StrictObject({
  url: HttpsUrlSchema,
  title: Type.String({ minLength: 1, maxLength: ASSESSMENT_LIMITS.title, pattern: '\\S' }),
  date: DateSchema,
  expires: Type.Optional(DateSchema),
})
export type EvidenceLink = Static<typeof EvidenceLinkSchema>

export const CreateAssessmentBodySchema = StrictObject({
  productId: IdSchema,
  productVersionId: IdSchema,
  targetTier: TierSchema,
  frameworkVersion: Type.Optional(VersionTextSchema),
  reuseFrom: Type.Optional(IdSchema),
})
export type CreateAssessmentBody = Static<typeof CreateAssessmentBodySchema>

export const AnswerChangesSchema = StrictObject({
  status: Type.Optional(Nullable(AnswerStatusSchema)),
  explanation: Type.Optional(Nullable(Text())),
  justification: Type.Optional(Nullable(Text())),
  compensatingMeasures: Type.Optional(Nullable(Text())),
  links: Type.Optional(Type.Array(EvidenceLinkSchema, { maxItems: ASSESSMENT_LIMITS.links })),
})
export type AnswerChanges = Static<typeof AnswerChangesSchema>

export const SaveAnswerBodySchema = StrictObject({
  data: AnswerChangesSchema,
  revision: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'The revision the change is based on; a newer one on the server is a conflict',
    }),
  ),
})
export type SaveAnswerBody = Static<typeof SaveAnswerBodySchema>

export const MigrateAssessmentBodySchema = StrictObject({ frameworkVersion: VersionTextSchema })

export const EvidenceFileSchema = Type.Object({
  id: IdSchema,
  requirementId: Type.String(),
  fileName: Type.String(),
  mediaType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  date: DateSchema,
  expires: Nullable(DateSchema),
  expired: Type.Boolean(),
  createdAt: TimestampSchema,
})
export type EvidenceFile = Static<typeof EvidenceFileSchema>

export const AnswerSchema = Type.Object({
  requirementId: Type.String(),
  status: Nullable(AnswerStatusSchema),
  explanation: Nullable(Type.String()),
  justification: Nullable(Type.String()),
  compensatingMeasures: Nullable(Type.String()),
  links: Type.Array(Type.Object({ ...EvidenceLinkSchema.properties, expired: Type.Boolean() })),
  files: Type.Array(EvidenceFileSchema),
  carriedOver: Nullable(CarriedOverSchema),
  carriedFrom: Nullable(Type.String()),
  revision: Type.Integer(),
  updatedAt: Nullable(TimestampSchema),
})
export type Answer = Static<typeof AnswerSchema>

export const ProgressSchema = Type.Object({
  total: Type.Integer(),
  answered: Type.Integer(),
  toConfirm: Type.Integer(),
  byCategory: Type.Array(
    Type.Object({
      category: Type.String(),
      title: Type.String(),
      total: Type.Integer(),
      answered: Type.Integer(),
    }),
  ),
})
export type Progress = Static<typeof ProgressSchema>

export const AssessmentMigrationSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  at: TimestampSchema,
  kept: Type.Array(Type.String()),
  replaced: Type.Array(Type.Object({ from: Type.String(), to: Type.Array(Type.String()) })),
  dropped: Type.Array(
    Type.Object({ requirementId: Type.String(), status: Nullable(Type.String()) }),
  ),
})
export type AssessmentMigration = Static<typeof AssessmentMigrationSchema>

export const AssessmentSummarySchema = Type.Object({
  id: IdSchema,
  organisationId: IdSchema,
  productId: IdSchema,
  productName: Type.String(),
  productVersionId: IdSchema,
  productVersion: Type.String(),
  frameworkVersion: Type.String(),
  deviceClass: DeviceClassSchema,
  targetTier: TierSchema,
  reusedFrom: Nullable(IdSchema),
  migration: Nullable(AssessmentMigrationSchema),
  progress: ProgressSchema,
  reviewStatus: Nullable(
    Type.Enum(REVIEW_STATUSES, {
      description:
        'Its latest review (null: never submitted); submitted or approved freezes the answers',
    }),
  ),
  labelId: Nullable(IdSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type AssessmentSummary = Static<typeof AssessmentSummarySchema>

export const AssessmentRequirementSchema = Type.Object({
  id: Type.String(),
  category: Type.String(),
  title: Type.String(),
  statement: Type.String(),
  tier: TierSchema,
  kind: Type.String(),
  verification: Type.String(),
  evidence: Type.Array(Type.String()),
  assessorGuidance: Type.String(),
  answer: AnswerSchema,
})
export type AssessmentRequirement = Static<typeof AssessmentRequirementSchema>

export const AssessmentSchema = Type.Interface([AssessmentSummarySchema], {
  categories: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })),
  requirements: Type.Array(AssessmentRequirementSchema),
})
export type Assessment = Static<typeof AssessmentSchema>

const BlockerSchema = Type.Object({
  requirementId: Type.String(),
  title: Type.String(),
  tier: TierSchema,
  reason: Type.Enum(['not-met', 'partially-met', 'unanswered', 'unconfirmed', 'beyond-target']),
})

export const GapReportSchema = Type.Object({
  assessmentId: IdSchema,
  frameworkVersion: Type.String(),
  deviceClass: DeviceClassSchema,
  targetTier: TierSchema,
  tierReached: Type.Integer({ minimum: 0, maximum: 4, description: '0: not even tier 1' }),
  nextTier: Nullable(TierSchema),
  blocking: Type.Array(BlockerSchema),
  tiers: Type.Array(Type.Object({ tier: TierSchema, blocking: Type.Array(BlockerSchema) }), {
    description:
      'Each tier above the tier reached, up to the target (or the next tier when that is higher): the requirements of that tier not there yet; a tier also needs those of the tiers below it',
  }),
  expiredEvidence: Type.Array(
    Type.Object({
      requirementId: Type.String(),
      kind: Type.Enum(['file', 'link']),
      title: Type.String(),
      expires: DateSchema,
    }),
  ),
  progress: ProgressSchema,
})
export type GapReport = Static<typeof GapReportSchema>

const ItemRequirementSchema = Type.Object({
  requirementId: Type.String(),
  relation: Type.String(),
  covering: Type.Boolean(),
  status: Type.Enum([...ANSWER_STATUSES, 'unanswered', 'not-in-profile']),
})

export const ComplyItemSchema = Type.Object({
  catalogue: Type.String(),
  itemId: Type.String(),
  title: Type.String(),
  satisfied: Type.Boolean(),
  reason: Type.String({ description: 'Why the item is or is not satisfied, in words' }),
  requirements: Type.Array(ItemRequirementSchema),
})
export type ComplyItem = Static<typeof ComplyItemSchema>

export const ComplyManySchema = Type.Object({
  assessmentId: IdSchema,
  frameworkVersion: Type.String(),
  catalogues: Type.Array(
    Type.Object({
      catalogue: Type.String(),
      title: Type.String(),
      version: Type.String(),
      items: Type.Integer(),
      satisfied: Type.Integer(),
      entries: Type.Array(ComplyItemSchema),
    }),
  ),
  schemes: Type.Array(
    Type.Object({
      scheme: Type.String(),
      title: Type.String(),
      levels: Type.Array(
        Type.Object({
          level: Type.String(),
          title: Type.String(),
          reached: Type.Boolean(),
          items: Type.Integer(),
          satisfied: Type.Integer(),
          open: Type.Array(Type.String({ description: '<catalogue>:<item id>' })),
        }),
      ),
    }),
  ),
})
export type ComplyMany = Static<typeof ComplyManySchema>
