import { Anchor, Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core'
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import type { User } from '../../../common/api/accounts.ts'
import { ORGANISATION_TYPE_LABELS } from '../../../common/organisations.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { DisplayNameInput } from '../../components/display-name-input.tsx'
import { FormError } from '../../components/form-error.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { ROLE_LABELS } from '../../lib/labels.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { SESSION_KEY } from '../../lib/session.ts'

export function ProfileTab() {
  const session = useCurrentSession()
  const queryClient = useQueryClient()
  const [displayName, setDisplayName] = useState(session.user.displayName)

  const save = useNotifyingMutation({
    mutationFn: () => api.patch<User>('/account', { data: { displayName: displayName.trim() } }),
    onSuccess: (user) => queryClient.setQueryData(SESSION_KEY, { ...session, user }),
    success: 'Profile saved',
  })

  const { user, memberships } = session
  return (
    <Stack gap="lg" maw={720}>
      <Panel title="Profile" onSubmit={() => save.mutate()}>
        <FormError error={save.error} />
        <TextInput
          label="Email"
          value={user.email}
          readOnly
          description="Your sign-in name; it cannot be changed here."
        />
        <DisplayNameInput
          description="Shown to the other members of your organisations and in the audit log."
          value={displayName}
          onChange={setDisplayName}
          formError={save.error}
        />
        <Group>
          <Button
            type="submit"
            loading={save.isPending}
            disabled={displayName.trim() === '' || displayName.trim() === user.displayName}
          >
            Save profile
          </Button>
        </Group>
      </Panel>

      <Panel title="Your memberships" gap="sm">
        <Group gap="xs">
          {user.isNetworkAdmin && <Badge color="indigo">Network administrator</Badge>}
          <Badge variant="light" color={user.twoFactorEnabled ? 'teal' : 'gray'}>
            Two-factor {user.twoFactorEnabled ? 'on' : 'off'}
          </Badge>
          <Text size="sm" c="dimmed">
            Member since {formatDate(user.createdAt)}
          </Text>
        </Group>
        <DataTable
          rows={memberships}
          empty={
            <Empty title="No organisations yet">
              An administrator of an organisation can invite you by email.
            </Empty>
          }
          minWidth={420}
          columns={['Organisation', 'Type', 'Your role']}
          rowKey={(m) => m.organisationId}
        >
          {(m) => (
            <>
              <Table.Td>
                <Anchor component={Link} to={`/organisations/${m.organisationId}`}>
                  {m.organisationName}
                </Anchor>
              </Table.Td>
              <Table.Td>{ORGANISATION_TYPE_LABELS[m.organisationType]}</Table.Td>
              <Table.Td>{ROLE_LABELS[m.role]}</Table.Td>
            </>
          )}
        </DataTable>
      </Panel>
    </Stack>
  )
}
