import type { Selectable } from 'kysely'
import type { NotificationKind } from '../../../common/reviews.ts'

/** An in-app notification to every member of one organisation. */
export interface NotificationTable {
  id: string
  organisation_id: string
  kind: NotificationKind
  text: string
  /** A path in the web app, e.g. /reviews/<id>. */
  link: string | null
  created_at: string
  read_at: string | null
}
export type NotificationRow = Selectable<NotificationTable>
