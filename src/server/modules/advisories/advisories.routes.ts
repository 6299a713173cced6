import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  AdvisoryImportDetailSchema,
  AdvisoryImportListQuerySchema,
  AdvisoryImportOverviewSchema,
  AdvisoryImportParamsSchema,
  AdvisoryParamsSchema,
  AdvisoryQuerySchema,
  AdvisorySchema,
  AdvisorySearchQuerySchema,
  AdvisorySummarySchema,
  RunImportResultSchema,
} from '../../../common/api/advisories.ts'
import { access, userWho } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  configuredAdvisorySources,
  countStoredAdvisories,
  findAdvisories,
  getAdvisory,
  getAdvisoryImport,
  listAdvisoryImports,
  requestAdvisoryImport,
} from './advisories.service.ts'

/** Advisory lookup (public: advisories are public data) and the import history (administrators). */
export const advisoriesRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['advisories']
  const admin = { access: access.networkAdmin }

  app.get(
    '/advisories',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'Advisories known by an id or alias (a CVE finds its OSV, CSAF and KEV records)',
        querystring: AdvisorySearchQuerySchema,
        response: { 200: Type.Array(AdvisorySummarySchema) },
      },
    },
    async (request) => findAdvisories(ctx, request.query.id),
  )

  app.get(
    '/advisories/:source/:advisoryId',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'One advisory with its affected packages, products, statuses or KEV entry',
        params: AdvisoryParamsSchema,
        querystring: AdvisoryQuerySchema,
        response: { 200: AdvisorySchema },
      },
    },
    async (request) =>
      getAdvisory(ctx, request.params.source, request.params.advisoryId, {
        raw: request.query.raw === true,
      }),
  )

  app.get(
    '/admin/advisory-imports',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The configured sources, what is stored, and the latest imports',
        querystring: AdvisoryImportListQuerySchema,
        response: { 200: AdvisoryImportOverviewSchema },
      },
    },
    async (request) => ({
      sources: configuredAdvisorySources(ctx),
      stored: await countStoredAdvisories(ctx),
      imports: await listAdvisoryImports(ctx, request.query),
    }),
  )

  app.get(
    '/admin/advisory-imports/:importId',
    {
      config: admin,
      schema: {
        tags,
        summary: 'One import with its counts and the problems met (file, JSON pointer, message)',
        params: AdvisoryImportParamsSchema,
        response: { 200: AdvisoryImportDetailSchema },
      },
    },
    async (request) => getAdvisoryImport(ctx, request.params.importId),
  )

  app.post(
    '/admin/advisory-imports',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Import the configured sources now (queued as a job; one at a time)',
        response: { 202: RunImportResultSchema },
      },
    },
    async (request, reply) => {
      const { actor } = userWho(request)
      return reply.status(202).send(await requestAdvisoryImport(ctx, `user:${actor.userId}`))
    },
  )
}
