import { ActionIcon, Indicator, Menu, Text, Tooltip } from '@mantine/core'
import { IconBell } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useNavigate } from 'react-router'
import type { Notification, NotificationList } from '../../../common/api/reviews.ts'
import { api } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { useSession } from '../../lib/session.ts'
import { notificationsKey } from '../reviews/reviews-api.ts'

/** The header's bell: unread notifications of my organisations; opening one marks it read. */
export function NotificationBell() {
  const session = useSession().data
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const query = useQuery({
    queryKey: notificationsKey,
    queryFn: () => api.get<NotificationList>('/notifications', { limit: 20 }),
    enabled: !!session && !session.twoFactorSetupRequired,
    refetchInterval: 60_000,
  })
  if (!session || session.twoFactorSetupRequired) return null
  const unread = query.data?.unread ?? 0
  const label = unread === 0 ? 'Notifications' : `Notifications: ${unread} unread`
  const refresh = () => void queryClient.invalidateQueries({ queryKey: notificationsKey })
  const open = async (notification: Notification) => {
    if (!notification.readAt) {
      await api.post(`/notifications/${notification.id}/read`).catch(() => undefined)
      refresh()
    }
    if (notification.link) void navigate(notification.link)
  }
  const items = query.data?.items ?? []
  return (
    <Menu position="bottom-end" width={360} shadow="md">
      <Menu.Target>
        <Tooltip label={label}>
          <Indicator
            label={unread > 99 ? '99+' : unread}
            size={16}
            disabled={unread === 0}
            color="red"
          >
            <ActionIcon variant="default" size="lg" aria-label={label}>
              <IconBell size={18} />
            </ActionIcon>
          </Indicator>
        </Tooltip>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Notifications</Menu.Label>
        {items.length === 0 && (
          <Text size="sm" c="dimmed" px="sm" py="xs">
            Nothing yet.
          </Text>
        )}
        {items.map((n) => (
          <Menu.Item key={n.id} onClick={() => void open(n)}>
            <Text size="sm" fw={n.readAt ? 400 : 700}>
              {n.text}
            </Text>
            <Text size="xs" c="dimmed">
              {n.organisationName} · {formatDateTime(n.createdAt)}
            </Text>
          </Menu.Item>
        ))}
        {unread > 0 && (
          <>
            <Menu.Divider />
            <Menu.Item
              onClick={() => {
                void api
                  .post('/notifications/read-all')
                  .catch(() => undefined)
                  .then(refresh)
              }}
            >
              Mark all read
            </Menu.Item>
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  )
}
