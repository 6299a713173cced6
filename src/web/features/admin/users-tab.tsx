import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import type { AdminUser, UpdateUserBodySchema } from '../../../common/api/admin.ts'
import type { Static } from 'typebox'
import { useCurrentSession } from '../../app/guards.tsx'
import { ConfirmButton, confirming } from '../../components/confirm-button.tsx'
import { QueryTable } from '../../components/data-table.tsx'
import { Empty } from '../../components/query-state.tsx'
import { SearchInput, useSearch } from '../../components/search-input.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'

type UserChanges = Static<typeof UpdateUserBodySchema>['data']

const KEY = ['admin', 'users'] as const

function useUpdateUser(user: AdminUser) {
  return useNotifyingMutation({
    mutationFn: (data: UserChanges) => api.patch<AdminUser>(`/admin/users/${user.id}`, { data }),
    invalidates: [KEY],
    success: (updated, data) =>
      data.isNetworkAdmin !== undefined
        ? updated.isNetworkAdmin
          ? `${updated.displayName} is now a network administrator`
          : `${updated.displayName} is no longer a network administrator`
        : updated.disabled
          ? `${updated.displayName} is disabled and signed out`
          : `${updated.displayName} is enabled`,
  })
}

function UserActions({ user }: { user: AdminUser }) {
  const update = useUpdateUser(user)
  const name = user.displayName
  return (
    <Group gap="xs" wrap="nowrap">
      {user.isNetworkAdmin ? (
        <ConfirmButton
          label="Remove admin"
          ariaLabel={`Remove network administrator rights of ${name}`}
          title={`Remove ${name} as network administrator?`}
          size="xs"
          color="orange"
          {...confirming(update, { isNetworkAdmin: false })}
        >
          {name} will no longer be able to administer the network.
        </ConfirmButton>
      ) : (
        <ConfirmButton
          label="Make admin"
          ariaLabel={`Make ${name} a network administrator`}
          title={`Make ${name} a network administrator?`}
          size="xs"
          color="indigo"
          {...confirming(update, { isNetworkAdmin: true })}
        >
          Network administrators admit organisations, accredit assessors, manage every account, read
          the whole audit log and change security settings.
        </ConfirmButton>
      )}
      {user.disabled ? (
        <Button
          size="xs"
          variant="light"
          aria-label={`Enable ${name}`}
          loading={update.isPending}
          onClick={() => update.mutate({ disabled: false })}
        >
          Enable
        </Button>
      ) : (
        <ConfirmButton
          label="Disable"
          ariaLabel={`Disable ${name}`}
          title={`Disable ${name}?`}
          size="xs"
          {...confirming(update, { disabled: true })}
        >
          {name} ({user.email}) can no longer sign in, and their sessions end. Their memberships and
          history are kept; you can enable the account again.
        </ConfirmButton>
      )}
    </Group>
  )
}

export function AdminUsersTab() {
  const session = useCurrentSession()
  const search = useSearch()
  const users = useQuery({
    queryKey: [...KEY, search.query],
    queryFn: () => api.get<AdminUser[]>('/admin/users', { query: search.query }),
    placeholderData: (previous) => previous,
  })
  return (
    <Stack>
      <SearchInput label="Search users" placeholder="Name or email" search={search} maw={480} />
      <QueryTable
        query={users}
        loadingLabel="Loading users…"
        empty={
          <Empty title="No users found">
            {search.query ? 'Nothing matches this search.' : undefined}
          </Empty>
        }
        minWidth={860}
        verticalSpacing="sm"
        striped
        columns={['Name', 'Organisations', 'Two-factor', 'Status', 'Since', 'Actions']}
        rowKey={(user) => user.id}
      >
        {(user) => (
          <>
            <Table.Td>
              <Text size="sm" fw={500}>
                {user.displayName}
              </Text>
              <Text size="xs" c="dimmed">
                {user.email}
              </Text>
            </Table.Td>
            <Table.Td>{user.organisationCount}</Table.Td>
            <Table.Td>
              <Badge variant="light" color={user.twoFactorEnabled ? 'teal' : 'gray'}>
                {user.twoFactorEnabled ? 'On' : 'Off'}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                {user.isNetworkAdmin && <Badge color="indigo">Network admin</Badge>}
                {user.disabled ? (
                  <Badge color="red" variant="light">
                    Disabled
                  </Badge>
                ) : (
                  <Badge color="teal" variant="light">
                    Active
                  </Badge>
                )}
              </Group>
            </Table.Td>
            <Table.Td>{formatDate(user.createdAt)}</Table.Td>
            <Table.Td>
              {user.id === session.user.id ? (
                <Text size="sm" c="dimmed">
                  You
                </Text>
              ) : (
                <UserActions user={user} />
              )}
            </Table.Td>
          </>
        )}
      </QueryTable>
    </Stack>
  )
}
