import type { Db } from '../../db/database.ts'
import { insertRows } from '../../db/dialect.ts'
import type { NotificationRow } from './notifications.table.ts'

export type NotificationListRow = NotificationRow & { organisation_name: string }

export async function insertNotifications(db: Db, rows: NotificationRow[]): Promise<void> {
  await insertRows(db, 'notifications', rows)
}

/** Notifications of the organisations the user belongs to, newest first. */
export async function listNotificationRows(
  db: Db,
  userId: string,
  options: { unread?: boolean; limit: number },
): Promise<NotificationListRow[]> {
  let query = db
    .selectFrom('notifications')
    .innerJoin('memberships', 'memberships.organisation_id', 'notifications.organisation_id')
    .innerJoin('organisations', 'organisations.id', 'notifications.organisation_id')
    .selectAll('notifications')
    .select('organisations.name as organisation_name')
    .where('memberships.user_id', '=', userId)
  if (options.unread) query = query.where('notifications.read_at', 'is', null)
  return query
    .orderBy('notifications.created_at', 'desc')
    .orderBy('notifications.id', 'desc')
    .limit(options.limit)
    .execute()
}

export async function countUnread(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .innerJoin('memberships', 'memberships.organisation_id', 'notifications.organisation_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('memberships.user_id', '=', userId)
    .where('notifications.read_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Marks read the given (or all) unread notifications of the user's organisations; returns how many. */
export async function markRead(
  db: Db,
  userId: string,
  readAt: string,
  notificationId?: string,
): Promise<number> {
  let query = db
    .updateTable('notifications')
    .set({ read_at: readAt })
    .where('read_at', 'is', null)
    .where('organisation_id', 'in', (eb) =>
      eb.selectFrom('memberships').select('organisation_id').where('user_id', '=', userId),
    )
  if (notificationId) query = query.where('id', '=', notificationId)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export async function findNotificationForUser(
  db: Db,
  userId: string,
  notificationId: string,
): Promise<NotificationListRow | undefined> {
  return db
    .selectFrom('notifications')
    .innerJoin('memberships', 'memberships.organisation_id', 'notifications.organisation_id')
    .innerJoin('organisations', 'organisations.id', 'notifications.organisation_id')
    .selectAll('notifications')
    .select('organisations.name as organisation_name')
    .where('memberships.user_id', '=', userId)
    .where('notifications.id', '=', notificationId)
    .executeTakeFirst()
}
