import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  NotificationListQuerySchema,
  NotificationListSchema,
  NotificationParamsSchema,
  NotificationSchema,
} from '../../../common/api/reviews.ts'
import { access, userWho } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from './notifications.service.ts'

/** In-app notifications to the organisations a person belongs to (docs/assessments.md, Review). */
export const notificationsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (
  app,
  { ctx },
) => {
  const tags = ['notifications']

  app.get(
    '/notifications',
    {
      config: { access: access.user },
      schema: {
        tags,
        summary: 'Notifications of all my organisations, newest first, with the unread count',
        querystring: NotificationListQuerySchema,
        response: { 200: NotificationListSchema },
      },
    },
    async (request) =>
      listNotifications(ctx, userWho(request).actor.userId, {
        ...(request.query.limit ? { limit: request.query.limit } : {}),
      }),
  )

  app.post(
    '/notifications/:notificationId/read',
    {
      config: { access: access.user },
      schema: {
        tags,
        summary: 'Mark a notification read (for everyone in its organisation)',
        params: NotificationParamsSchema,
        response: { 200: NotificationSchema },
      },
    },
    async (request) =>
      markNotificationRead(ctx, userWho(request).actor.userId, request.params.notificationId),
  )

  app.post(
    '/notifications/read-all',
    {
      config: { access: access.user },
      schema: {
        tags,
        summary: 'Mark every notification of my organisations read',
        response: { 200: Type.Object({ marked: Type.Integer() }) },
      },
    },
    async (request) => ({
      marked: await markAllNotificationsRead(ctx, userWho(request).actor.userId),
    }),
  )
}
