import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AssessmentParamsSchema } from '../../../common/api/assessments.ts'
import {
  ApproveReviewBodySchema,
  AssessmentReviewParamsSchema,
  AssessorSchema,
  RecordVerdictBodySchema,
  RequestChangesBodySchema,
  ResubmitReviewBodySchema,
  ReviewDetailSchema,
  ReviewFileParamsSchema,
  ReviewListQuerySchema,
  ReviewParamsSchema,
  ReviewSchema,
  ReviewSummarySchema,
  ReviewVerdictParamsSchema,
  ReviewVerdictSchema,
  SubmitReviewBodySchema,
} from '../../../common/api/reviews.ts'
import { LabelSchema, LabelStatusChangeBodySchema } from '../../../common/api/labels.ts'
import { IdSchema, OrgParamsSchema, StrictObject } from '../../../common/api/shared.ts'
import { access } from '../../http/access.ts'
import { sendDownload } from '../../http/downloads.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  approveReview,
  changeLabelAsAssessor,
  getReviewEvidenceFile,
  getReviewForAssessor,
  listAccreditedAssessors,
  listAssessmentReviews,
  listReviewsForAssessor,
  recordVerdict,
  requestChanges,
  resubmitForReview,
  submitForReview,
  withdrawReview,
} from './reviews.service.ts'

/** Review of assessments by accredited assessors (docs/assessments.md, section Review). */
export const reviewsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['reviews']
  const who = (request: FastifyRequest) => ({ actor: request.actor, meta: request.meta })
  // The manufacturer's side: the assessment's organisation.
  const read = access.org('viewer', 'products:read')
  const write = access.org('member', 'products:write')
  // The assessor's side: members of the assessor organisation the review is addressed to, or
  // its API tokens (the service answers 404 for reviews and labels not addressed to it).
  const assessorRead = access.org('member', 'reviews:read')
  const assessorWrite = access.org('member', 'reviews:write')
  const assessorOfRecord = access.org('member', 'labels:write')
  const ofAssessment = '/organisations/:orgId/assessments/:assessmentId/reviews'
  const reviews = '/organisations/:orgId/reviews'

  app.get(
    '/assessors',
    {
      config: { access: access.user },
      schema: {
        tags,
        summary: 'Assessor organisations accredited by the network (whom to submit to)',
        response: { 200: Type.Array(AssessorSchema) },
      },
    },
    async () => listAccreditedAssessors(ctx),
  )

  app.get(
    ofAssessment,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'The reviews of an assessment, newest first, with verdicts and findings',
        params: AssessmentParamsSchema,
        response: { 200: Type.Array(ReviewSchema) },
      },
    },
    async (request) =>
      listAssessmentReviews(ctx, request.params.orgId, request.params.assessmentId),
  )

  app.post(
    ofAssessment,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Submit a complete assessment to an accredited assessor (freezes its answers)',
        params: AssessmentParamsSchema,
        body: SubmitReviewBodySchema,
        response: { 201: ReviewSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await submitForReview(
            ctx,
            who(request),
            request.params.orgId,
            request.params.assessmentId,
            request.body,
          ),
        ),
  )

  app.post(
    `${ofAssessment}/:reviewId/resubmit`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Send the assessment back to its assessor after changes were requested',
        params: AssessmentReviewParamsSchema,
        body: ResubmitReviewBodySchema,
        response: { 200: ReviewSchema },
      },
    },
    async (request) =>
      resubmitForReview(
        ctx,
        who(request),
        request.params.orgId,
        request.params.assessmentId,
        request.params.reviewId,
        request.body,
      ),
  )

  app.post(
    `${ofAssessment}/:reviewId/withdraw`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Withdraw an open review (the answers can change again)',
        params: AssessmentReviewParamsSchema,
        response: { 200: ReviewSchema },
      },
    },
    async (request) =>
      withdrawReview(
        ctx,
        who(request),
        request.params.orgId,
        request.params.assessmentId,
        request.params.reviewId,
      ),
  )

  app.get(
    reviews,
    {
      config: { access: assessorRead },
      schema: {
        tags,
        summary: 'Reviews addressed to this assessor organisation, most recently changed first',
        params: OrgParamsSchema,
        querystring: ReviewListQuerySchema,
        response: { 200: Type.Array(ReviewSummarySchema) },
      },
    },
    async (request) => listReviewsForAssessor(ctx, request.params.orgId, request.query.status),
  )

  app.get(
    `${reviews}/:reviewId`,
    {
      config: { access: assessorRead },
      schema: {
        tags,
        summary: 'A review with the manufacturer’s answers, evidence and gap report',
        params: ReviewParamsSchema,
        response: { 200: ReviewDetailSchema },
      },
    },
    async (request) => getReviewForAssessor(ctx, request.params.orgId, request.params.reviewId),
  )

  app.get(
    `${reviews}/:reviewId/files/:fileId`,
    {
      config: { access: assessorRead },
      schema: {
        tags,
        summary: 'Download an evidence file of the assessment under review',
        params: ReviewFileParamsSchema,
        response: { 200: Type.Unknown({ description: 'The file, as uploaded' }) },
      },
    },
    async (request, reply) => {
      const { file, bytes } = await getReviewEvidenceFile(
        ctx,
        request.params.orgId,
        request.params.reviewId,
        request.params.fileId,
      )
      return sendDownload(reply, file, bytes)
    },
  )

  app.put(
    `${reviews}/:reviewId/verdicts/:requirementId`,
    {
      config: { access: assessorWrite },
      schema: {
        tags,
        summary: 'Record the verdict on one requirement, with the finding',
        params: ReviewVerdictParamsSchema,
        body: RecordVerdictBodySchema,
        response: { 200: ReviewVerdictSchema },
      },
    },
    async (request) =>
      recordVerdict(
        ctx,
        who(request),
        request.params.orgId,
        request.params.reviewId,
        request.params.requirementId,
        request.body,
      ),
  )

  app.post(
    `${reviews}/:reviewId/request-changes`,
    {
      config: { access: assessorWrite },
      schema: {
        tags,
        summary: 'Send the assessment back to the manufacturer with a message',
        params: ReviewParamsSchema,
        body: RequestChangesBodySchema,
        response: { 200: ReviewSchema },
      },
    },
    async (request) =>
      requestChanges(
        ctx,
        who(request),
        request.params.orgId,
        request.params.reviewId,
        request.body,
      ),
  )

  app.post(
    `${reviews}/:reviewId/approve`,
    {
      config: { access: assessorWrite },
      schema: {
        tags,
        summary:
          'Approve with the tier granted and the verification strength; issues the label in the same transaction',
        params: ReviewParamsSchema,
        body: ApproveReviewBodySchema,
        response: { 200: ReviewSchema },
      },
    },
    async (request) =>
      approveReview(ctx, who(request), request.params.orgId, request.params.reviewId, request.body),
  )

  // The assessor of record's hold on the labels its approvals issued (docs/labels.md).
  const labelRoute = (action: 'suspend' | 'reinstate' | 'revoke', summary: string) =>
    app.post(
      `/organisations/:orgId/labels/:labelId/${action}`,
      {
        config: { access: assessorOfRecord },
        schema: {
          tags,
          summary,
          params: StrictObject({ orgId: IdSchema, labelId: IdSchema }),
          body: LabelStatusChangeBodySchema,
          response: { 200: LabelSchema },
        },
      },
      async (request) =>
        changeLabelAsAssessor(
          ctx,
          who(request),
          request.params.orgId,
          request.params.labelId,
          action,
          request.body.reason,
        ),
    )
  labelRoute('suspend', 'Suspend a label this assessor issued (reversible), with a reason')
  labelRoute('reinstate', 'Reinstate a suspended label this assessor issued, with a reason')
  labelRoute('revoke', 'Revoke a label this assessor issued, for good, with a reason')
}
