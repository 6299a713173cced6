import crypto from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import type {
  CreateWebhookBody,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from '../../../common/api/webhooks.ts'
import { AppError } from '../../../common/errors.ts'
import type { Db } from '../../db/database.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import type { Clock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { postSignedJson, type DeliveryOutcome } from './delivery.ts'
import { checkWebhookUrl } from './url-policy.ts'
import {
  deleteEndpoint,
  findDeliveryWithEndpoint,
  findEndpoint,
  insertDeliveries,
  insertEndpoint,
  listDeliveries,
  listEnabledEndpoints,
  listEndpoints,
  updateDelivery,
  updateEndpoint,
  type EndpointListRow,
} from './webhooks.repository.ts'
import type { WebhookDeliveryRow, WebhookEndpointRow } from './webhooks.table.ts'
import { enqueueJobs } from '../../jobs/queue.ts'

type Who = { actor: Actor; meta?: RequestMeta }

/** The job that sends one delivery; retried with the queue's exponential backoff. */
export const DELIVER_TASK = 'webhooks.deliver'
/** About a day of retries with the queue's backoff (10 s doubling, capped at an hour). */
export const WEBHOOK_MAX_ATTEMPTS = 12
/** An organisation can have this many endpoints: enough for every integration, not for abuse. */
const MAX_ENDPOINTS = 20

function eventTypes(row: WebhookEndpointRow): WebhookEventType[] {
  return JSON.parse(row.event_types) as WebhookEventType[]
}

function toEndpoint(row: WebhookEndpointRow | EndpointListRow): WebhookEndpoint {
  const last = 'last_status' in row && row.last_status && row.last_at ? row : undefined
  return {
    id: row.id,
    organisationId: row.organisation_id,
    url: row.url,
    description: row.description,
    eventTypes: eventTypes(row),
    enabled: row.disabled_at === null,
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastDelivery: last
      ? { status: last.last_status!, at: last.last_at!, statusCode: last.last_code }
      : null,
  }
}

function toDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    eventType: row.event_type as WebhookEventType,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    lastAttemptAt: row.last_attempt_at,
    deliveredAt: row.delivered_at,
    payload: JSON.parse(row.payload) as unknown,
  }
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
function newSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString('base64')}`
}

async function requireEndpoint(db: Db, organisationId: string, id: string) {
  const row = await findEndpoint(db, organisationId, id)
  if (!row) throw new AppError('not_found', 'No such webhook')
  return row
}

export async function listWebhooks(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
): Promise<WebhookEndpoint[]> {
  return (await listEndpoints(ctx.db, organisationId)).map(toEndpoint)
}

/**
 * Registers an endpoint and returns its signing secret, once.
 * @throws validation_failed (a URL the platform will not call), conflict (too many endpoints)
 */
export async function createWebhook(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box' | 'config'>,
  who: Who,
  organisationId: string,
  body: CreateWebhookBody,
): Promise<WebhookEndpointWithSecret> {
  checkWebhookUrl(body.url, ctx.config.webhooksAllowPrivateNetworks)
  const secret = newSecret()
  const now = ctx.clock.now().toISOString()
  const row: WebhookEndpointRow = {
    id: newId(),
    organisation_id: organisationId,
    url: body.url,
    description: body.description?.trim() ?? '',
    event_types: JSON.stringify(body.eventTypes),
    secret_sealed: ctx.box.seal(secret),
    created_by: who.actor.type === 'user' ? who.actor.userId : null,
    created_at: now,
    updated_at: now,
    disabled_at: null,
  }
  await ctx.db.transaction().execute(async (trx) => {
    if ((await listEndpoints(trx, organisationId)).length >= MAX_ENDPOINTS) {
      throw new AppError('conflict', `An organisation can have at most ${MAX_ENDPOINTS} webhooks.`)
    }
    await insertEndpoint(trx, row)
    await recordAudit(trx, ctx.clock, who, {
      action: 'webhook.created',
      organisationId,
      targetType: 'webhook',
      targetId: row.id,
      details: { url: row.url, eventTypes: body.eventTypes },
    })
  })
  return { ...toEndpoint(row), secret }
}

/** @throws not_found, validation_failed */
export async function updateWebhook(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config'>,
  who: Who,
  organisationId: string,
  id: string,
  { data: body }: UpdateWebhookBody,
): Promise<WebhookEndpoint> {
  if (body.url !== undefined) checkWebhookUrl(body.url, ctx.config.webhooksAllowPrivateNetworks)
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireEndpoint(trx, organisationId, id)
    const now = ctx.clock.now().toISOString()
    const changes = {
      updated_at: now,
      ...(body.url !== undefined && { url: body.url }),
      ...(body.description !== undefined && { description: body.description.trim() }),
      ...(body.eventTypes !== undefined && { event_types: JSON.stringify(body.eventTypes) }),
      ...(body.enabled !== undefined && {
        disabled_at: body.enabled ? null : (before.disabled_at ?? now),
      }),
    }
    await updateEndpoint(trx, id, changes)
    await recordAudit(trx, ctx.clock, who, {
      action: 'webhook.updated',
      organisationId,
      targetType: 'webhook',
      targetId: id,
      details: { changes: body },
    })
    return toEndpoint({ ...before, ...changes })
  })
}

/** Replaces the signing secret; deliveries still queued are signed with the new one. */
export async function rotateWebhookSecret(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box'>,
  who: Who,
  organisationId: string,
  id: string,
): Promise<WebhookEndpointWithSecret> {
  const secret = newSecret()
  return ctx.db.transaction().execute(async (trx) => {
    const row = await requireEndpoint(trx, organisationId, id)
    const now = ctx.clock.now().toISOString()
    await updateEndpoint(trx, id, { secret_sealed: ctx.box.seal(secret), updated_at: now })
    await recordAudit(trx, ctx.clock, who, {
      action: 'webhook.secret_rotated',
      organisationId,
      targetType: 'webhook',
      targetId: id,
    })
    return { ...toEndpoint({ ...row, updated_at: now }), secret }
  })
}

export async function deleteWebhook(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  id: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await requireEndpoint(trx, organisationId, id)
    await deleteEndpoint(trx, id)
    await recordAudit(trx, ctx.clock, who, {
      action: 'webhook.deleted',
      organisationId,
      targetType: 'webhook',
      targetId: id,
      details: { url: row.url },
    })
  })
}

export async function listWebhookDeliveries(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  id: string,
): Promise<WebhookDelivery[]> {
  await requireEndpoint(ctx.db, organisationId, id)
  return (await listDeliveries(ctx.db, id, 100)).map(toDelivery)
}

export interface WebhookEvent {
  /** Every organisation the event concerns; each one's subscribed endpoints get a delivery. */
  organisationIds: string[]
  type: WebhookEventType
  data: Record<string, unknown>
}

/**
 * Queues a delivery of the event to every enabled endpoint subscribed to its type. Call it with
 * the transaction of the change it announces: the deliveries and their jobs commit with it.
 * Returns the delivery ids.
 */
export async function emitWebhookEvent(
  db: Db,
  clock: Clock,
  event: WebhookEvent,
  onlyEndpointId?: string,
): Promise<string[]> {
  const [ids] = await emitWebhookEvents(db, clock, [event], onlyEndpointId)
  return ids ?? []
}

/**
 * {@link emitWebhookEvent} for many events at once (a batch of label changes): the endpoints of
 * all their organisations are read in one statement and the deliveries inserted together, in the
 * order of the events. Returns each event's delivery ids.
 */
export async function emitWebhookEvents(
  db: Db,
  clock: Clock,
  events: readonly WebhookEvent[],
  onlyEndpointId?: string,
): Promise<string[][]> {
  if (events.length === 0) return []
  const enabled = await listEnabledEndpoints(db, [
    ...new Set(events.flatMap((e) => e.organisationIds)),
  ])
  const types = new Map(enabled.map((e) => [e.id, eventTypes(e)] as const))
  const now = clock.now().toISOString()
  const rows: WebhookDeliveryRow[] = []
  const out = events.map((event) => {
    const organisations = new Set(event.organisationIds)
    const endpoints = enabled.filter(
      (e) =>
        organisations.has(e.organisation_id) &&
        (onlyEndpointId === undefined
          ? types.get(e.id)!.includes(event.type)
          : e.id === onlyEndpointId),
    )
    if (endpoints.length === 0) return []
    const body = JSON.stringify({ type: event.type, timestamp: now, data: event.data })
    return endpoints.map((endpoint) => {
      const row: WebhookDeliveryRow = {
        id: `msg_${newId().replaceAll('-', '')}`,
        endpoint_id: endpoint.id,
        event_type: event.type,
        payload: body,
        status: 'pending',
        attempts: 0,
        last_status_code: null,
        last_error: null,
        created_at: now,
        last_attempt_at: null,
        delivered_at: null,
      }
      rows.push(row)
      return row.id
    })
  })
  await insertDeliveries(db, rows)
  await enqueueJobs(
    db,
    clock,
    DELIVER_TASK,
    rows.map((r) => ({ deliveryId: r.id })),
    { maxAttempts: WEBHOOK_MAX_ATTEMPTS },
  )
  return out
}

/** Sends a `webhook.test` event to one endpoint, enabled or not being irrelevant to a test. */
export async function sendTestEvent(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  id: string,
): Promise<{ deliveryId: string }> {
  return ctx.db.transaction().execute(async (trx) => {
    const endpoint = await requireEndpoint(trx, organisationId, id)
    if (endpoint.disabled_at) {
      throw new AppError('conflict', 'This webhook is disabled; enable it to send a test event.')
    }
    const [deliveryId] = await emitWebhookEvent(
      trx,
      ctx.clock,
      {
        organisationIds: [organisationId],
        type: 'webhook.test',
        data: { message: 'A test event from the IIoT Safety Network.', webhookId: id },
      },
      id,
    )
    await recordAudit(trx, ctx.clock, who, {
      action: 'webhook.test_sent',
      organisationId,
      targetType: 'webhook',
      targetId: id,
    })
    return { deliveryId: deliveryId! }
  })
}

/**
 * Sends one delivery (the `webhooks.deliver` task). A 2xx answer delivers it; anything else is
 * recorded and thrown so the queue retries it, until the last attempt marks it failed. The
 * signature is computed at each attempt, so the timestamp is fresh and a rotated secret applies.
 */
export async function deliverWebhook(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box' | 'config'>,
  deliveryId: string,
  attempt: number,
  signal?: AbortSignal,
): Promise<void> {
  const found = await findDeliveryWithEndpoint(ctx.db, deliveryId)
  if (!found || found.delivery.status !== 'pending') return
  const { delivery, endpoint } = found
  const now = ctx.clock.now()
  if (endpoint.disabled_at) {
    await updateDelivery(ctx.db, deliveryId, {
      status: 'failed',
      last_error: 'The webhook was disabled before this delivery was sent.',
      last_attempt_at: now.toISOString(),
    })
    return
  }
  const secret = ctx.box.open(endpoint.secret_sealed)
  const signature = new Webhook(secret).sign(delivery.id, now, delivery.payload)
  const outcome: DeliveryOutcome = await postSignedJson(
    endpoint.url,
    delivery.payload,
    {
      'webhook-id': delivery.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    { allowPrivateNetworks: ctx.config.webhooksAllowPrivateNetworks, signal },
  )
  const attemptedAt = ctx.clock.now().toISOString()
  if (outcome.ok) {
    await updateDelivery(ctx.db, deliveryId, {
      status: 'delivered',
      attempts: delivery.attempts + 1,
      last_status_code: outcome.statusCode,
      last_error: null,
      last_attempt_at: attemptedAt,
      delivered_at: attemptedAt,
    })
    return
  }
  const last = attempt >= WEBHOOK_MAX_ATTEMPTS
  await updateDelivery(ctx.db, deliveryId, {
    status: last ? 'failed' : 'pending',
    attempts: delivery.attempts + 1,
    last_status_code: outcome.statusCode,
    last_error: outcome.error,
    last_attempt_at: attemptedAt,
  })
  if (!last) throw new Error(`webhook delivery ${deliveryId} failed: ${outcome.error}`)
}
