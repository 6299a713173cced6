import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  ApiTokenSchema,
  CreatedTokenSchema,
  CreateTokenBodySchema,
  TokenIdParamsSchema,
} from '../../../common/api/organisations.ts'
import { OrgParamsSchema } from '../../../common/api/shared.ts'
import { access, userWho } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  createApiToken,
  listMyApiTokens,
  listOrganisationApiTokens,
  revokeApiToken,
} from './tokens.service.ts'

export const tokensRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['tokens']

  app.get(
    '/account/tokens',
    {
      config: { access: access.user },
      schema: {
        tags,
        summary: 'API tokens I created',
        response: { 200: Type.Array(ApiTokenSchema) },
      },
    },
    async (request) => listMyApiTokens(ctx, userWho(request).actor.userId),
  )

  app.get(
    '/organisations/:orgId/tokens',
    {
      config: { access: access.org('admin') },
      schema: {
        tags,
        summary: 'Every API token of the organisation',
        params: OrgParamsSchema,
        response: { 200: Type.Array(ApiTokenSchema) },
      },
    },
    async (request) => listOrganisationApiTokens(ctx, request.params.orgId),
  )

  app.post(
    '/organisations/:orgId/tokens',
    {
      config: { access: access.org('viewer') },
      schema: {
        tags,
        summary: 'Create an API token for the organisation (the secret is shown once)',
        params: OrgParamsSchema,
        body: CreateTokenBodySchema,
        response: { 201: CreatedTokenSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createApiToken(ctx, userWho(request), request.params.orgId, request.body)),
  )

  app.delete(
    '/organisations/:orgId/tokens/:tokenId',
    {
      config: { access: access.org('viewer') },
      schema: {
        tags,
        summary: 'Revoke an API token',
        params: TokenIdParamsSchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await revokeApiToken(ctx, userWho(request), request.params.orgId, request.params.tokenId)
      return reply.status(204).send(null)
    },
  )
}
