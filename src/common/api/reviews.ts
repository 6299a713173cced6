import { Type, type Static, type TSchema } from 'typebox'
import { VERIFICATION_STRENGTHS } from '../framework.ts'
import { NOTIFICATION_KINDS, REVIEW_LIMITS, REVIEW_STATUSES, VERDICTS } from '../reviews.ts'
import { AnswerParamsSchema, AssessmentSchema, GapReportSchema, TierSchema } from './assessments.ts'
import { DeviceClassSchema } from './framework.ts'
import { IdSchema, StrictObject, TimestampSchema } from './shared.ts'

/*
 * Reviews of assessments by accredited assessor organisations (docs/assessments.md, Review) and
 * the in-app notifications their transitions send.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Text = (maxLength: number) =>
  Type.String({ minLength: 1, maxLength, pattern: '\\S', description: 'Not blank' })

export const ReviewStatusSchema = Type.Enum(REVIEW_STATUSES)
export const VerdictSchema = Type.Enum(VERDICTS)
export const VerificationStrengthSchema = Type.Enum(VERIFICATION_STRENGTHS)

export const ReviewParamsSchema = StrictObject({ orgId: IdSchema, reviewId: IdSchema })
export const ReviewVerdictParamsSchema = StrictObject({
  orgId: IdSchema,
  reviewId: IdSchema,
  requirementId: AnswerParamsSchema.properties.requirementId,
})
export const ReviewFileParamsSchema = StrictObject({
  orgId: IdSchema,
  reviewId: IdSchema,
  fileId: IdSchema,
})
export const AssessmentReviewParamsSchema = StrictObject({
  orgId: IdSchema,
  assessmentId: IdSchema,
  reviewId: IdSchema,
})
export const ReviewListQuerySchema = StrictObject({
  status: Type.Optional(ReviewStatusSchema),
})

export const SubmitReviewBodySchema = StrictObject({
  assessorOrganisationId: IdSchema,
  message: Type.Optional(Text(REVIEW_LIMITS.message)),
})
export type SubmitReviewBody = Static<typeof SubmitReviewBodySchema>

export const ResubmitReviewBodySchema = StrictObject({
  message: Type.Optional(Text(REVIEW_LIMITS.message)),
})

export const RecordVerdictBodySchema = StrictObject({
  verdict: VerdictSchema,
  finding: Type.Optional(Nullable(Text(REVIEW_LIMITS.finding))),
})
export type RecordVerdictBody = Static<typeof RecordVerdictBodySchema>

export const RequestChangesBodySchema = StrictObject({
  message: Text(REVIEW_LIMITS.message),
})

export const ApproveReviewBodySchema = StrictObject({
  tierGranted: TierSchema,
  verificationStrength: VerificationStrengthSchema,
  message: Type.Optional(Text(REVIEW_LIMITS.message)),
})
export type ApproveReviewBody = Static<typeof ApproveReviewBodySchema>

export const ReviewVerdictSchema = Type.Object({
  requirementId: Type.String(),
  verdict: VerdictSchema,
  finding: Nullable(Type.String()),
  round: Type.Integer(),
  updatedAt: TimestampSchema,
})
export type ReviewVerdict = Static<typeof ReviewVerdictSchema>

export const ReviewSummarySchema = Type.Object({
  id: IdSchema,
  assessmentId: IdSchema,
  organisationId: IdSchema,
  organisationName: Type.String({ description: 'The manufacturer' }),
  assessorOrganisationId: IdSchema,
  assessorName: Type.String(),
  productName: Type.String(),
  productVersion: Type.String(),
  frameworkVersion: Type.String(),
  deviceClass: DeviceClassSchema,
  targetTier: TierSchema,
  status: ReviewStatusSchema,
  round: Type.Integer({ description: '1 on submission, one more on each resubmission' }),
  message: Nullable(Type.String()),
  tierGranted: Nullable(TierSchema),
  verificationStrength: Nullable(VerificationStrengthSchema),
  labelId: Nullable(IdSchema),
  submittedAt: TimestampSchema,
  decidedAt: Nullable(TimestampSchema),
  updatedAt: TimestampSchema,
})
export type ReviewSummary = Static<typeof ReviewSummarySchema>

export const ReviewSchema = Type.Interface([ReviewSummarySchema], {
  verdicts: Type.Array(ReviewVerdictSchema),
})
export type Review = Static<typeof ReviewSchema>

/** What the assessor works from: the review, the manufacturer's answers and the gap report. */
export const ReviewDetailSchema = Type.Interface([ReviewSchema], {
  assessment: AssessmentSchema,
  gapReport: GapReportSchema,
})
export type ReviewDetail = Static<typeof ReviewDetailSchema>

export const AssessorSchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  country: Nullable(Type.String()),
  website: Nullable(Type.String()),
  accreditedAt: TimestampSchema,
  accreditationNote: Nullable(Type.String()),
})
export type Assessor = Static<typeof AssessorSchema>

export const NotificationKindSchema = Type.Enum(NOTIFICATION_KINDS)
export const NotificationSchema = Type.Object({
  id: IdSchema,
  organisationId: IdSchema,
  organisationName: Type.String(),
  kind: NotificationKindSchema,
  text: Type.String(),
  link: Nullable(Type.String()),
  createdAt: TimestampSchema,
  readAt: Nullable(TimestampSchema),
})
export type Notification = Static<typeof NotificationSchema>

export const NotificationListSchema = Type.Object({
  unread: Type.Integer({ description: 'Unread notifications of all my organisations' }),
  items: Type.Array(NotificationSchema),
})
export type NotificationList = Static<typeof NotificationListSchema>

export const NotificationListQuerySchema = StrictObject({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
})
export const NotificationParamsSchema = StrictObject({ notificationId: IdSchema })
