import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import {
  AnswerParamsSchema,
  AnswerSchema,
  AssessmentListQuerySchema,
  AssessmentParamsSchema,
  AssessmentSchema,
  AssessmentSummarySchema,
  ComplyManySchema,
  CreateAssessmentBodySchema,
  EvidenceFileSchema,
  FileParamsSchema,
  GapReportSchema,
  MigrateAssessmentBodySchema,
  SaveAnswerBodySchema,
} from '../../../common/api/assessments.ts'
import { DateSchema } from '../../../common/api/products.ts'
import { OrgParamsSchema, StrictObject } from '../../../common/api/shared.ts'
import { EVIDENCE_MEDIA_TYPES, FILE_NAME_HEADER } from '../../../common/assessments.ts'
import { AppError } from '../../../common/errors.ts'
import { fileNameFromHeader } from '../../http/file-uploads.ts'
import { access } from '../../http/access.ts'
import { sendDownload } from '../../http/downloads.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  addEvidenceFile,
  createAssessment,
  getAssessment,
  getComplyMany,
  getEvidenceFile,
  getGapReport,
  listAssessments,
  migrateAssessment,
  removeEvidenceFile,
  saveAnswer,
} from './assessments.service.ts'
import { reportRoutes } from './reports.routes.ts'

/** The raw types an evidence upload may be sent as; the content decides what it is. */
const UPLOAD_CONTENT_TYPES = [
  'application/octet-stream',
  ...EVIDENCE_MEDIA_TYPES.filter((t) => t !== 'text/plain' && t !== 'application/json'),
]

/** Manufacturers' self-assessments of their product versions (docs/assessments.md). */
export const assessmentsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['assessments']
  const who = (request: FastifyRequest) => ({ actor: request.actor, meta: request.meta })
  const read = access.org('viewer', 'products:read')
  const write = access.org('member', 'products:write')
  const base = '/organisations/:orgId/assessments'
  const one = `${base}/:assessmentId`

  app.get(
    base,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'The organisation’s assessments, newest first (of one product version if given)',
        params: OrgParamsSchema,
        querystring: AssessmentListQuerySchema,
        response: { 200: Type.Array(AssessmentSummarySchema) },
      },
    },
    async (request) => listAssessments(ctx, request.params.orgId, request.query.productVersionId),
  )

  app.post(
    base,
    {
      config: { access: write },
      schema: {
        tags,
        summary:
          'Start an assessment of a product version (optionally pre-filled from another assessment)',
        params: OrgParamsSchema,
        body: CreateAssessmentBodySchema,
        response: { 201: AssessmentSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createAssessment(ctx, who(request), request.params.orgId, request.body)),
  )

  app.get(
    one,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'An assessment: its requirements from the framework, answers and progress',
        params: AssessmentParamsSchema,
        response: { 200: AssessmentSchema },
      },
    },
    async (request) => getAssessment(ctx, request.params.orgId, request.params.assessmentId),
  )

  app.patch(
    `${one}/answers/:requirementId`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Save the answer to one requirement (only the fields given change)',
        params: AnswerParamsSchema,
        body: SaveAnswerBodySchema,
        response: { 200: AnswerSchema },
      },
    },
    async (request) =>
      saveAnswer(
        ctx,
        who(request),
        request.params.orgId,
        request.params.assessmentId,
        request.params.requirementId,
        request.body.data,
        request.body.revision,
      ),
  )

  // Uploads take the file itself as the body, with their own size limit; only this route
  // reads raw bytes, so the parser lives in its own scope.
  const uploadRoutes: FastifyPluginAsyncTypebox = async (upload) => {
    upload.addContentTypeParser(
      UPLOAD_CONTENT_TYPES,
      { parseAs: 'buffer', bodyLimit: ctx.config.evidenceMaxBytes },
      (_request, body, done) => done(null, body),
    )
    upload.post(
      `${one}/answers/:requirementId/files`,
      {
        config: { access: write },
        schema: {
          tags,
          summary:
            'Attach an evidence file: the bytes as the body (application/octet-stream), the name in x-file-name',
          params: AnswerParamsSchema,
          headers: Type.Object({
            [FILE_NAME_HEADER]: Type.Optional(
              Type.String({
                maxLength: 1000,
                description: 'The file’s name, percent-encoded UTF-8 (required)',
              }),
            ),
          }),
          querystring: StrictObject({
            date: Type.Optional(DateSchema),
            expires: Type.Optional(DateSchema),
          }),
          response: { 201: EvidenceFileSchema },
        },
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body)) {
          throw new AppError(
            'malformed_request',
            'Send the file itself as the body, as application/octet-stream.',
          )
        }
        // A missing or undecodable name is answered as a missing name by the service.
        const fileName = fileNameFromHeader(request) ?? ''
        const file = await addEvidenceFile(
          ctx,
          who(request),
          request.params.orgId,
          request.params.assessmentId,
          request.params.requirementId,
          {
            bytes: request.body,
            fileName,
            ...(request.query.date ? { date: request.query.date } : {}),
            ...(request.query.expires ? { expires: request.query.expires } : {}),
          },
        )
        return reply.status(201).send(file)
      },
    )
  }
  await app.register(uploadRoutes)

  app.get(
    `${one}/files/:fileId`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'Download an evidence file',
        params: FileParamsSchema,
        response: { 200: Type.Unknown({ description: 'The file, as uploaded' }) },
      },
    },
    async (request, reply) => {
      const { file, bytes } = await getEvidenceFile(
        ctx,
        request.params.orgId,
        request.params.assessmentId,
        request.params.fileId,
      )
      return sendDownload(reply, file, bytes)
    },
  )

  app.delete(
    `${one}/files/:fileId`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Detach an evidence file from its requirement',
        params: FileParamsSchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await removeEvidenceFile(
        ctx,
        who(request),
        request.params.orgId,
        request.params.assessmentId,
        request.params.fileId,
      )
      return reply.status(204).send(null)
    },
  )

  app.get(
    `${one}/gap-report`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'Tier reached, what blocks the next tier, and expired evidence',
        params: AssessmentParamsSchema,
        response: { 200: GapReportSchema },
      },
    },
    async (request) => getGapReport(ctx, request.params.orgId, request.params.assessmentId),
  )

  app.get(
    `${one}/comply-many`,
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          'External catalogue items and scheme levels the answers satisfy, through the crosswalk',
        params: AssessmentParamsSchema,
        response: { 200: ComplyManySchema },
      },
    },
    async (request) => getComplyMany(ctx, request.params.orgId, request.params.assessmentId),
  )

  app.post(
    `${one}/migrate`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Move the assessment to a newer framework version through the id mapping',
        params: AssessmentParamsSchema,
        body: MigrateAssessmentBodySchema,
        response: { 200: AssessmentSchema },
      },
    },
    async (request) =>
      migrateAssessment(
        ctx,
        who(request),
        request.params.orgId,
        request.params.assessmentId,
        request.body.frameworkVersion,
      ),
  )

  // The assessment report, gap report (PDF) and answers (CSV), for both sides of a review.
  await app.register(reportRoutes, { ctx })
}
