import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { OrgParamsSchema } from '../../../common/api/shared.ts'
import {
  CreateWebhookBodySchema,
  UpdateWebhookBodySchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
  WebhookEndpointWithSecretSchema,
  WebhookParamsSchema,
} from '../../../common/api/webhooks.ts'
import { access } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  createWebhook,
  deleteWebhook,
  listWebhookDeliveries,
  listWebhooks,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhook,
} from './webhooks.service.ts'

/** Webhooks are an organisation's integration settings: its admins manage them. */
export const webhooksRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['webhooks']
  const who = (request: FastifyRequest) => ({ actor: request.actor, meta: request.meta })
  const read = access.org('admin', 'organisation:read')
  const write = access.org('admin', 'organisation:write')
  const base = '/organisations/:orgId/webhooks'
  const one = `${base}/:webhookId`

  app.get(
    base,
    {
      config: { access: read },
      schema: {
        tags,
        summary: "The organisation's webhooks, each with its last delivery",
        params: OrgParamsSchema,
        response: { 200: Type.Array(WebhookEndpointSchema) },
      },
    },
    async (request) => listWebhooks(ctx, request.params.orgId),
  )

  app.post(
    base,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Register a webhook (its signing secret is shown once)',
        params: OrgParamsSchema,
        body: CreateWebhookBodySchema,
        response: { 201: WebhookEndpointWithSecretSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createWebhook(ctx, who(request), request.params.orgId, request.body)),
  )

  app.patch(
    one,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Change, enable or disable a webhook',
        params: WebhookParamsSchema,
        body: UpdateWebhookBodySchema,
        response: { 200: WebhookEndpointSchema },
      },
    },
    async (request) =>
      updateWebhook(
        ctx,
        who(request),
        request.params.orgId,
        request.params.webhookId,
        request.body,
      ),
  )

  app.delete(
    one,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Delete a webhook and its delivery history',
        params: WebhookParamsSchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteWebhook(ctx, who(request), request.params.orgId, request.params.webhookId)
      return reply.status(204).send(null)
    },
  )

  app.post(
    `${one}/rotate-secret`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Replace the signing secret (the new one is shown once)',
        params: WebhookParamsSchema,
        response: { 200: WebhookEndpointWithSecretSchema },
      },
    },
    async (request) =>
      rotateWebhookSecret(ctx, who(request), request.params.orgId, request.params.webhookId),
  )

  app.post(
    `${one}/test`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Queue a webhook.test delivery to this webhook',
        params: WebhookParamsSchema,
        response: { 202: Type.Object({ deliveryId: Type.String() }) },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          await sendTestEvent(ctx, who(request), request.params.orgId, request.params.webhookId),
        ),
  )

  app.get(
    `${one}/deliveries`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'The last 100 deliveries to this webhook, newest first',
        params: WebhookParamsSchema,
        response: { 200: Type.Array(WebhookDeliverySchema) },
      },
    },
    async (request) => listWebhookDeliveries(ctx, request.params.orgId, request.params.webhookId),
  )
}
