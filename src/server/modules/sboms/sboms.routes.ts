import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import {
  SBOM_UPLOAD_CONTENT_TYPES,
  SbomComponentPageSchema,
  SbomComponentQuerySchema,
  SbomParamsSchema,
  SbomSchema,
  SbomUploadQuerySchema,
  SbomUploadResultSchema,
  SbomVersionParamsSchema,
} from '../../../common/api/sboms.ts'
import { FILE_NAME_HEADER } from '../../../common/assessments.ts'
import { AppError } from '../../../common/errors.ts'
import { access } from '../../http/access.ts'
import { acceptFileBody, fileNameFromHeader } from '../../http/file-uploads.ts'
import { sendDownload } from '../../http/downloads.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  deleteSbom,
  getSbom,
  getSbomFile,
  listSbomComponents,
  listSboms,
  uploadSbom,
} from './sboms.service.ts'

/** SBOMs of product versions (docs/vulnerabilities.md). */
export const sbomsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['sboms']
  const who = (request: FastifyRequest) => ({ actor: request.actor, meta: request.meta })
  const read = access.org('viewer', 'sboms:read', 'products:read')
  const write = access.org('member', 'sboms:write')
  const base = '/organisations/:orgId/product-versions/:versionId/sboms'
  const one = `${base}/:sbomId`

  // The upload takes the file itself as the body with its own size limit, so the raw parsers
  // (JSON included: the bytes are kept as sent) live in this scope only.
  const uploadRoutes: FastifyPluginAsyncTypebox = async (upload) => {
    acceptFileBody(upload, {
      contentTypes: SBOM_UPLOAD_CONTENT_TYPES,
      bodyLimit: ctx.config.sbomMaxBytes,
      what: 'SBOM file',
    })
    // A declared length over the limit is refused before the body is read, saying so plainly
    // (Fastify's own body limit still stops bodies without a length).
    upload.addHook('onRequest', async (request) => {
      const length = Number(request.headers['content-length'])
      if (Number.isFinite(length) && length > ctx.config.sbomMaxBytes) {
        throw new AppError(
          'payload_too_large',
          `The SBOM is ${length} bytes; the limit is ${ctx.config.sbomMaxBytes} bytes (SBOM_MAX_BYTES).`,
          { details: { reason: 'too_large', limit: ctx.config.sbomMaxBytes, actual: length } },
        )
      }
    })
    upload.post(
      base,
      {
        config: { access: write },
        schema: {
          tags,
          summary:
            'Upload an SBOM (CycloneDX 1.4–1.6 or SPDX 2.2/2.3 JSON) as the raw body; 201 when stored, 200 when the same file was already stored',
          params: SbomVersionParamsSchema,
          headers: Type.Object({
            [FILE_NAME_HEADER]: Type.Optional(
              Type.String({
                maxLength: 1000,
                description: 'The file’s name, percent-encoded UTF-8 (optional)',
              }),
            ),
          }),
          querystring: SbomUploadQuerySchema,
          consumes: [...SBOM_UPLOAD_CONTENT_TYPES],
          body: Type.Unknown({
            description: 'The SBOM file itself, byte for byte (CycloneDX or SPDX JSON)',
          }),
          response: { 200: SbomUploadResultSchema, 201: SbomUploadResultSchema },
        },
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body)) {
          throw new AppError(
            'malformed_request',
            'Send the SBOM file itself as the body (application/json).',
          )
        }
        const fileName = fileNameFromHeader(request) ?? request.query.fileName
        const result = await uploadSbom(
          ctx,
          who(request),
          request.params.orgId,
          request.params.versionId,
          { bytes: request.body, ...(fileName ? { fileName: fileName.slice(0, 200) } : {}) },
        )
        return reply.status(result.created ? 201 : 200).send(result)
      },
    )
  }
  await app.register(uploadRoutes)

  app.get(
    base,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'A product version’s SBOMs: the current one first, then earlier uploads',
        params: SbomVersionParamsSchema,
        response: { 200: Type.Array(SbomSchema) },
      },
    },
    async (request) => listSboms(ctx, request.params.orgId, request.params.versionId),
  )

  app.get(
    one,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'One SBOM’s document metadata',
        params: SbomParamsSchema,
        response: { 200: SbomSchema },
      },
    },
    async (request) =>
      getSbom(ctx, request.params.orgId, request.params.versionId, request.params.sbomId),
  )

  app.get(
    `${one}/components`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'An SBOM’s components in document order, a page at a time',
        params: SbomParamsSchema,
        querystring: SbomComponentQuerySchema,
        response: { 200: SbomComponentPageSchema },
      },
    },
    async (request) =>
      listSbomComponents(
        ctx,
        request.params.orgId,
        request.params.versionId,
        request.params.sbomId,
        request.query,
      ),
  )

  app.get(
    `${one}/file`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'Download the SBOM file exactly as uploaded',
        params: SbomParamsSchema,
        response: { 200: Type.Unknown({ description: 'The file, as uploaded' }) },
      },
    },
    async (request, reply) => {
      const { file, bytes } = await getSbomFile(
        ctx,
        request.params.orgId,
        request.params.versionId,
        request.params.sbomId,
      )
      return sendDownload(reply, file, bytes)
    },
  )

  app.delete(
    one,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Delete an SBOM; when it was the current one, the previous upload becomes current',
        params: SbomParamsSchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteSbom(
        ctx,
        who(request),
        request.params.orgId,
        request.params.versionId,
        request.params.sbomId,
      )
      return reply.status(204).send(null)
    },
  )
}
