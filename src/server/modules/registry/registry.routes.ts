import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  Cta2120RecordSchema,
  RegistryPageSchema,
  RegistryParamsSchema,
  RegistryQuerySchema,
  RegistryRecordSchema,
} from '../../../common/api/registry.ts'
import { access } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import { getCta2120Record, getRegistryRecord, searchRegistry } from './registry.service.ts'

/** The public registry under `/api/v1/registry`: no account needed. */
export const registryRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['registry']

  app.get(
    '/registry/labels',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary:
          'Search the registry of labels (whole-word matches first, then newest first), with filters and paging',
        querystring: RegistryQuerySchema,
        response: { 200: RegistryPageSchema },
      },
    },
    async (request) => searchRegistry(ctx, request.query),
  )

  app.get(
    '/registry/labels/:labelId',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'A label’s product record: live status, support countdown, contact, history',
        params: RegistryParamsSchema,
        response: { 200: RegistryRecordSchema },
      },
    },
    async (request) => getRegistryRecord(ctx, request.params.labelId),
  )

  app.get(
    '/registry/labels/:labelId/cta-2120',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'A label as a CTA-2120-style label data record',
        params: RegistryParamsSchema,
        response: { 200: Cta2120RecordSchema },
      },
    },
    async (request, reply) =>
      reply
        .header('access-control-allow-origin', '*')
        .send(await getCta2120Record(ctx, request.params.labelId)),
  )
}
