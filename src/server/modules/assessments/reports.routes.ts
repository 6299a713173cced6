import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { AssessmentParamsSchema } from '../../../common/api/assessments.ts'
import { ReviewParamsSchema } from '../../../common/api/reviews.ts'
import { access } from '../../http/access.ts'
import { sendDownload } from '../../http/downloads.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  getAssessmentReport,
  getReviewReport,
  type ReportFile,
  type ReportKind,
} from './reports.service.ts'

const REPORTS: { kind: ReportKind; file: string; mediaType: string; summary: string }[] = [
  {
    kind: 'report',
    file: 'report.pdf',
    mediaType: 'application/pdf',
    summary:
      'Assessment report (PDF): cover, summary, and every requirement with its answer, evidence and verdict',
  },
  {
    kind: 'gap-report',
    file: 'gap-report.pdf',
    mediaType: 'application/pdf',
    summary: 'Gap report (PDF): tier reached and, per tier above it, what blocks it',
  },
  {
    kind: 'answers',
    file: 'answers.csv',
    mediaType: 'text/csv',
    summary: 'Answers (CSV, UTF-8 with BOM, RFC 4180): one row per requirement',
  },
]

/**
 * Reports take a second or so of CPU each (fonts, layout, compression) on the request's thread,
 * so each route has its own, tighter limit per client address: plenty for people, not a loop.
 */
const REPORT_RATE_LIMIT = { max: 30, timeWindow: '1 minute' }

/** Private data: never kept by shared caches or the browser's history of downloads. */
function sendReport(reply: FastifyReply, report: ReportFile): FastifyReply {
  reply.header('cache-control', 'private, no-store')
  return sendDownload(reply, report, report.bytes)
}

/**
 * `GET …/assessments/:assessmentId/{report.pdf,gap-report.pdf,answers.csv}` for the manufacturer
 * (as reading the assessment, API tokens with products:read included) and
 * `GET …/reviews/:reviewId/{…}` for the assessor organisation the review is addressed to (as
 * reading the review, API tokens with reviews:read included).
 */
export const reportRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const read = access.org('viewer', 'products:read')
  // As the review itself: members (and reviews:read tokens) of the assessor organisation it is
  // addressed to.
  const assessor = access.org('member', 'reviews:read')
  for (const { kind, file, mediaType, summary } of REPORTS) {
    app.get(
      `/organisations/:orgId/assessments/:assessmentId/${file}`,
      {
        config: { access: read, rateLimit: REPORT_RATE_LIMIT },
        schema: {
          tags: ['assessments'],
          summary,
          produces: [mediaType],
          params: AssessmentParamsSchema,
          response: { 200: Type.String({ description: `The report as ${mediaType}` }) },
        },
      },
      async (request, reply) =>
        sendReport(
          reply,
          await getAssessmentReport(ctx, request.params.orgId, request.params.assessmentId, kind),
        ),
    )
    app.get(
      `/organisations/:orgId/reviews/:reviewId/${file}`,
      {
        config: { access: assessor, rateLimit: REPORT_RATE_LIMIT },
        schema: {
          tags: ['reviews'],
          summary: `${summary}, of the assessment under review`,
          produces: [mediaType],
          params: ReviewParamsSchema,
          response: { 200: Type.String({ description: `The report as ${mediaType}` }) },
        },
      },
      async (request, reply) =>
        sendReport(
          reply,
          await getReviewReport(ctx, request.params.orgId, request.params.reviewId, kind),
        ),
    )
  }
}
