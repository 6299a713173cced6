import { Type, type Static } from 'typebox'
import { IdSchema, StrictObject, TimestampSchema } from './shared.ts'

/**
 * What an organisation can subscribe to. Deliveries follow the Standard Webhooks specification:
 * a JSON body `{ type, timestamp, data }` signed in the `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` headers (docs/webhooks.md).
 */
export const WEBHOOK_EVENT_TYPES = [
  'label.issued',
  'label.status_changed',
  'findings.changed',
  'webhook.test',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number]

const EventTypeSchema = Type.Enum([...WEBHOOK_EVENT_TYPES])

export const WebhookUrlSchema = Type.String({
  minLength: 8,
  maxLength: 2000,
  pattern: '^https?://[^\\s/?#]+([/?#]\\S*)?$',
  description: 'Where deliveries are POSTed: an https:// URL',
})

export const WebhookEndpointSchema = Type.Object({
  id: IdSchema,
  organisationId: IdSchema,
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(EventTypeSchema),
  enabled: Type.Boolean(),
  createdAt: TimestampSchema,
  createdBy: Type.Union([Type.String(), Type.Null()]),
  lastDelivery: Type.Union([
    Type.Object({
      status: Type.Enum([...WEBHOOK_DELIVERY_STATUSES]),
      at: TimestampSchema,
      statusCode: Type.Union([Type.Integer(), Type.Null()]),
    }),
    Type.Null(),
  ]),
})
export type WebhookEndpoint = Static<typeof WebhookEndpointSchema>

/** The endpoint and its signing secret, shown once (at creation and after a rotation). */
export const WebhookEndpointWithSecretSchema = Type.Interface([WebhookEndpointSchema], {
  secret: Type.String({ description: 'whsec_… signing secret; shown once' }),
})
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecretSchema>

export const CreateWebhookBodySchema = StrictObject({
  url: WebhookUrlSchema,
  description: Type.Optional(Type.String({ maxLength: 200 })),
  eventTypes: Type.Array(EventTypeSchema, { minItems: 1, uniqueItems: true }),
})
export type CreateWebhookBody = Static<typeof CreateWebhookBodySchema>

/** The fields to change, under `data` as in the other PATCH routes. */
export const UpdateWebhookBodySchema = StrictObject({
  data: StrictObject({
    url: Type.Optional(WebhookUrlSchema),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    eventTypes: Type.Optional(Type.Array(EventTypeSchema, { minItems: 1, uniqueItems: true })),
    enabled: Type.Optional(Type.Boolean()),
  }),
})
export type UpdateWebhookBody = Static<typeof UpdateWebhookBodySchema>

export const WebhookParamsSchema = StrictObject({ orgId: IdSchema, webhookId: IdSchema })

export const WebhookDeliverySchema = Type.Object({
  id: Type.String({ description: 'The webhook-id header of the delivery' }),
  eventType: EventTypeSchema,
  status: Type.Enum([...WEBHOOK_DELIVERY_STATUSES]),
  attempts: Type.Integer(),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: TimestampSchema,
  lastAttemptAt: Type.Union([TimestampSchema, Type.Null()]),
  deliveredAt: Type.Union([TimestampSchema, Type.Null()]),
  payload: Type.Unknown({ description: 'The body as sent' }),
})
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>
