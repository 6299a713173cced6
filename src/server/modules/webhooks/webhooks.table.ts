import type { Selectable } from 'kysely'
import type { WebhookDeliveryStatus } from '../../../common/api/webhooks.ts'

export interface WebhookEndpointTable {
  id: string
  organisation_id: string
  url: string
  description: string
  /** JSON array of event types. */
  event_types: string
  /** The whsec_ signing secret, sealed with the instance secret (SecretBox). */
  secret_sealed: string
  created_by: string | null
  created_at: string
  updated_at: string
  disabled_at: string | null
}
export type WebhookEndpointRow = Selectable<WebhookEndpointTable>

export interface WebhookDeliveryTable {
  /** msg_… : the `webhook-id` header, the same on every retry so receivers can de-duplicate. */
  id: string
  endpoint_id: string
  event_type: string
  /** The JSON body exactly as signed and sent. */
  payload: string
  status: WebhookDeliveryStatus
  attempts: number
  last_status_code: number | null
  last_error: string | null
  created_at: string
  last_attempt_at: string | null
  delivered_at: string | null
}
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>
