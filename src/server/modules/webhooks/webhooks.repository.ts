import type { Db } from '../../db/database.ts'
import { insertRows } from '../../db/dialect.ts'
import type {
  WebhookDeliveryRow,
  WebhookDeliveryTable,
  WebhookEndpointRow,
} from './webhooks.table.ts'

export type EndpointListRow = WebhookEndpointRow & {
  last_status: WebhookDeliveryRow['status'] | null
  last_at: string | null
  last_code: number | null
}

export async function insertEndpoint(db: Db, row: WebhookEndpointRow): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute()
}

export async function findEndpoint(
  db: Db,
  organisationId: string,
  id: string,
): Promise<WebhookEndpointRow | undefined> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst()
}

/** The organisation's endpoints, each with its newest delivery's outcome. */
export async function listEndpoints(db: Db, organisationId: string): Promise<EndpointListRow[]> {
  return db
    .selectFrom('webhook_endpoints as e')
    .selectAll('e')
    .select((eb) => [
      eb
        .selectFrom('webhook_deliveries as d')
        .select('d.status')
        .whereRef('d.endpoint_id', '=', 'e.id')
        .orderBy('d.created_at', 'desc')
        .limit(1)
        .as('last_status'),
      eb
        .selectFrom('webhook_deliveries as d')
        .select((inner) => inner.fn.coalesce('d.last_attempt_at', 'd.created_at').as('at'))
        .whereRef('d.endpoint_id', '=', 'e.id')
        .orderBy('d.created_at', 'desc')
        .limit(1)
        .as('last_at'),
      eb
        .selectFrom('webhook_deliveries as d')
        .select('d.last_status_code')
        .whereRef('d.endpoint_id', '=', 'e.id')
        .orderBy('d.created_at', 'desc')
        .limit(1)
        .as('last_code'),
    ])
    .where('e.organisation_id', '=', organisationId)
    .orderBy('e.created_at')
    .orderBy('e.id')
    .execute()
}

/** Enabled endpoints of these organisations; the caller filters by event type. */
export async function listEnabledEndpoints(
  db: Db,
  organisationIds: string[],
): Promise<WebhookEndpointRow[]> {
  if (organisationIds.length === 0) return []
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('organisation_id', 'in', organisationIds)
    .where('disabled_at', 'is', null)
    .execute()
}

export async function updateEndpoint(
  db: Db,
  id: string,
  changes: Partial<
    Pick<
      WebhookEndpointRow,
      'url' | 'description' | 'event_types' | 'secret_sealed' | 'disabled_at'
    >
  > & { updated_at: string },
): Promise<void> {
  await db.updateTable('webhook_endpoints').set(changes).where('id', '=', id).execute()
}

export async function deleteEndpoint(db: Db, id: string): Promise<void> {
  await db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute()
  await db.deleteFrom('webhook_endpoints').where('id', '=', id).execute()
}

export async function insertDeliveries(db: Db, rows: readonly WebhookDeliveryRow[]): Promise<void> {
  await insertRows(db, 'webhook_deliveries', rows)
}

export async function findDeliveryWithEndpoint(
  db: Db,
  deliveryId: string,
): Promise<{ delivery: WebhookDeliveryRow; endpoint: WebhookEndpointRow } | undefined> {
  const delivery = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .executeTakeFirst()
  if (!delivery) return undefined
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', delivery.endpoint_id)
    .executeTakeFirst()
  return endpoint ? { delivery, endpoint } : undefined
}

export async function updateDelivery(
  db: Db,
  id: string,
  changes: Partial<
    Pick<
      WebhookDeliveryTable,
      'status' | 'attempts' | 'last_status_code' | 'last_error' | 'last_attempt_at' | 'delivered_at'
    >
  >,
): Promise<void> {
  await db.updateTable('webhook_deliveries').set(changes).where('id', '=', id).execute()
}

export async function listDeliveries(
  db: Db,
  endpointId: string,
  limit: number,
): Promise<WebhookDeliveryRow[]> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}
