import type { Notification, NotificationList } from '../../../common/api/reviews.ts'
import { AppError } from '../../../common/errors.ts'
import type { NotificationKind } from '../../../common/reviews.ts'
import type { Db } from '../../db/database.ts'
import type { Clock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import {
  countUnread,
  findNotificationForUser,
  insertNotifications,
  listNotificationRows,
  markRead,
  type NotificationListRow,
} from './notifications.repository.ts'

export interface NotificationInput {
  organisationId: string
  kind: NotificationKind
  text: string
  /** A path in the web app. */
  link?: string
}

function toNotification(row: NotificationListRow): Notification {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    kind: row.kind,
    text: row.text,
    link: row.link,
    createdAt: row.created_at,
    readAt: row.read_at,
  }
}

/**
 * Notifies organisations in the app. Call it inside the transaction of the change it announces,
 * so that a notification exists exactly when its change does.
 */
export async function notify(db: Db, clock: Clock, inputs: NotificationInput[]): Promise<void> {
  const now = clock.now().toISOString()
  await insertNotifications(
    db,
    inputs.map((input) => ({
      id: newId(),
      organisation_id: input.organisationId,
      kind: input.kind,
      text: input.text,
      link: input.link ?? null,
      created_at: now,
      read_at: null,
    })),
  )
}

/** The notifications of every organisation the user belongs to, newest first, with the unread count. */
export async function listNotifications(
  ctx: Pick<Ctx, 'db'>,
  userId: string,
  options: { unread?: boolean; limit?: number } = {},
): Promise<NotificationList> {
  const [rows, unread] = await Promise.all([
    listNotificationRows(ctx.db, userId, {
      ...(options.unread === undefined ? {} : { unread: options.unread }),
      limit: options.limit ?? 50,
    }),
    countUnread(ctx.db, userId),
  ])
  return { unread, items: rows.map(toNotification) }
}

/** Marks one notification of the user's organisations read. @throws not_found */
export async function markNotificationRead(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  userId: string,
  notificationId: string,
): Promise<Notification> {
  const found = await findNotificationForUser(ctx.db, userId, notificationId)
  if (!found) throw new AppError('not_found', 'No such notification')
  const now = ctx.clock.now().toISOString()
  await markRead(ctx.db, userId, now, notificationId)
  return toNotification({ ...found, read_at: found.read_at ?? now })
}

/** Marks every notification of the user's organisations read; returns how many were unread. */
export async function markAllNotificationsRead(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  userId: string,
): Promise<number> {
  return markRead(ctx.db, userId, ctx.clock.now().toISOString())
}
