import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { FILE_NAME_HEADER } from '../../../common/assessments.ts'
import {
  PublicAdvisoryFileParamsSchema,
  PublicAdvisoryParamsSchema,
  PublicAdvisorySchema,
  TriageInputSchema,
  VEX_UPLOAD_CONTENT_TYPES,
  VexDocumentSchema,
  VexFindingListSchema,
  VexFindingParamsSchema,
  VexFindingSchema,
  VexPublicationParamsSchema,
  VexPublicationSchema,
  VexPublishInputSchema,
  VexUploadQuerySchema,
  VexUploadResultSchema,
  VexVersionParamsSchema,
} from '../../../common/api/vex.ts'
import { AppError } from '../../../common/errors.ts'
import { access } from '../../http/access.ts'
import { acceptFileBody, fileNameFromHeader } from '../../http/file-uploads.ts'
import { sendDownload } from '../../http/downloads.ts'
import type { Ctx } from '../../kernel/context.ts'
import { VEX_MAX_BYTES } from './vex-parser.ts'
import {
  getPublicAdvisoryFile,
  getVexPublicationFile,
  listPublicAdvisories,
  listTriagedFindings,
  listVexDocuments,
  listVexPublications,
  publishVex,
  setTriage,
  uploadVex,
} from './vex.service.ts'

/**
 * VEX (docs/vulnerabilities.md, "VEX"): uploads and triage by the manufacturer's members (or API
 * tokens with sboms:write), publication of VEX documents and CSAF advisories, and the public
 * download of what was published.
 */
export const vexRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['vex']
  const who = (request: FastifyRequest) => ({ actor: request.actor, meta: request.meta })
  const read = access.org('viewer', 'sboms:read', 'products:read')
  const write = access.org('member', 'sboms:write')
  const base = '/organisations/:orgId/product-versions/:versionId'

  // The upload's body is the file itself, kept byte for byte (hashed as sent).
  const uploadRoutes: FastifyPluginAsyncTypebox = async (upload) => {
    acceptFileBody(upload, {
      contentTypes: VEX_UPLOAD_CONTENT_TYPES,
      // VEX_MAX_BYTES, or SBOM_MAX_BYTES when that is smaller.
      bodyLimit: Math.min(VEX_MAX_BYTES, ctx.config.sbomMaxBytes),
      what: 'VEX file',
    })
    upload.post(
      `${base}/vex`,
      {
        config: { access: write },
        schema: {
          tags,
          summary:
            'Upload a VEX document (CycloneDX 1.4–1.6 JSON or CSAF 2.0 csaf_vex) as the raw body and apply its statements to the version’s findings; 201 stored, 200 already stored',
          params: VexVersionParamsSchema,
          headers: Type.Object({
            [FILE_NAME_HEADER]: Type.Optional(Type.String({ maxLength: 1000 })),
          }),
          querystring: VexUploadQuerySchema,
          consumes: [...VEX_UPLOAD_CONTENT_TYPES],
          body: Type.Unknown({ description: 'The VEX file itself, byte for byte' }),
          response: { 200: VexUploadResultSchema, 201: VexUploadResultSchema },
        },
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body)) {
          throw new AppError('malformed_request', 'Send the VEX file itself as the body.')
        }
        const fileName = fileNameFromHeader(request) ?? request.query.fileName
        const result = await uploadVex(
          ctx,
          who(request),
          request.params.orgId,
          request.params.versionId,
          { bytes: request.body, ...(fileName ? { fileName } : {}) },
        )
        return reply.status(result.created ? 201 : 200).send(result)
      },
    )
  }
  await app.register(uploadRoutes)

  app.get(
    `${base}/vex`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'The version’s uploaded VEX documents, newest first',
        params: VexVersionParamsSchema,
        response: { 200: Type.Array(VexDocumentSchema) },
      },
    },
    async (request) => listVexDocuments(ctx, request.params.orgId, request.params.versionId),
  )

  app.get(
    `${base}/vex/findings`,
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          'The version’s unresolved findings with their triage; suppressed (not affected) ones included and marked',
        params: VexVersionParamsSchema,
        response: { 200: VexFindingListSchema },
      },
    },
    async (request) => listTriagedFindings(ctx, request.params.orgId, request.params.versionId),
  )

  app.put(
    `${base}/findings/:findingId/triage`,
    {
      config: { access: write },
      schema: {
        tags,
        summary:
          'Triage a finding: not_affected with a justification, affected with a response and remediation, fixed in a version, or under investigation (audited)',
        params: VexFindingParamsSchema,
        body: TriageInputSchema,
        response: { 200: VexFindingSchema },
      },
    },
    async (request) =>
      setTriage(
        ctx,
        who(request),
        request.params.orgId,
        request.params.versionId,
        request.params.findingId,
        request.body,
      ),
  )

  app.post(
    `${base}/vex/publications`,
    {
      config: { access: write },
      schema: {
        tags,
        summary:
          'Publish the triaged findings as a CycloneDX 1.6 VEX or a CSAF 2.0 advisory (checked by its schema and the CSAF mandatory tests; refused with the test and pointer)',
        params: VexVersionParamsSchema,
        body: VexPublishInputSchema,
        response: { 201: VexPublicationSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await publishVex(
            ctx,
            who(request),
            request.params.orgId,
            request.params.versionId,
            request.body,
          ),
        ),
  )

  app.get(
    `${base}/vex/publications`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'The version’s published VEX documents and CSAF advisories',
        params: VexVersionParamsSchema,
        response: { 200: Type.Array(VexPublicationSchema) },
      },
    },
    async (request) => listVexPublications(ctx, request.params.orgId, request.params.versionId),
  )

  app.get(
    `${base}/vex/publications/:publicationId/file`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'One published document as issued',
        params: VexPublicationParamsSchema,
        produces: ['application/json', 'application/vnd.cyclonedx+json'],
      },
    },
    async (request, reply) => {
      const file = await getVexPublicationFile(
        ctx,
        request.params.orgId,
        request.params.versionId,
        request.params.publicationId,
      )
      return sendDownload(reply, file, file.content)
    },
  )

  app.get(
    '/registry/products/:productId/advisories',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'A product’s published CSAF advisories and VEX documents (public)',
        params: PublicAdvisoryParamsSchema,
        response: { 200: Type.Array(PublicAdvisorySchema) },
      },
    },
    async (request) => listPublicAdvisories(ctx, request.params.productId),
  )

  app.get(
    '/registry/products/:productId/advisories/:publicationId/file',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'One published advisory or VEX document of a product, as issued (public)',
        params: PublicAdvisoryFileParamsSchema,
        produces: ['application/json', 'application/vnd.cyclonedx+json'],
      },
    },
    async (request, reply) => {
      const file = await getPublicAdvisoryFile(
        ctx,
        request.params.productId,
        request.params.publicationId,
      )
      return sendDownload(reply, file, file.content)
    },
  )
}
