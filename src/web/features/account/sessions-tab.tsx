import { Badge, Group, Paper, Stack, Table, Text, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useNavigate } from 'react-router'
import type { AccountSession } from '../../../common/api/accounts.ts'
import { ConfirmAction } from '../../components/confirm-button.tsx'
import { QueryTable } from '../../components/data-table.tsx'
import { api } from '../../lib/api.ts'
import { formatDateTime, formatRelative } from '../../lib/format.ts'
import { useSetSession } from '../../lib/session.ts'

const SESSIONS_KEY = ['account', 'sessions'] as const

/** "Firefox on Linux" from a user-agent string; the full string stays in the tooltip. */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  const browser =
    [
      ['Edg/', 'Edge'],
      ['OPR/', 'Opera'],
      ['Firefox/', 'Firefox'],
      ['Chrome/', 'Chrome'],
      ['Safari/', 'Safari'],
      ['curl/', 'curl'],
    ].find(([marker]) => marker && userAgent.includes(marker))?.[1] ?? 'Browser'
  const os = [
    ['Windows', 'Windows'],
    ['iPhone', 'iOS'],
    ['iPad', 'iPadOS'],
    ['Android', 'Android'],
    ['Mac OS X', 'macOS'],
    ['CrOS', 'ChromeOS'],
    ['Linux', 'Linux'],
  ].find(([marker]) => marker && userAgent.includes(marker))?.[1]
  return os ? `${browser} on ${os}` : browser
}

function RevokeSessionButton({ session }: { session: AccountSession }) {
  const device = describeUserAgent(session.userAgent)
  return (
    <ConfirmAction
      label="Revoke"
      ariaLabel={`Revoke session on ${device}, last seen ${formatDateTime(session.lastSeenAt)}`}
      title="Revoke this session?"
      size="xs"
      mutationFn={() => api.delete(`/account/sessions/${session.id}`)}
      invalidates={[SESSIONS_KEY]}
      success="Session revoked"
    >
      The session on {device} ({session.ip ?? 'unknown address'}) ends at once; whoever uses it will
      have to sign in again.
    </ConfirmAction>
  )
}

function SignOutEverywhere() {
  const setSession = useSetSession()
  const navigate = useNavigate()
  return (
    <ConfirmAction
      label="Sign out everywhere"
      title="Sign out on every device?"
      mutationFn={() => api.post('/account/sessions/sign-out-everywhere')}
      onSuccess={() => {
        setSession(null)
        void navigate('/sign-in')
      }}
      success="Signed out on every device"
    >
      Every session of your account ends, including this one. Do this if you think someone else has
      signed in as you — and change your password too.
    </ConfirmAction>
  )
}

export function SessionsTab() {
  const sessions = useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: () => api.get<AccountSession[]>('/account/sessions'),
  })
  return (
    <Stack>
      <Paper withBorder p="lg" radius="md">
        <Stack>
          <Group justify="space-between">
            <Stack gap={2}>
              <Title order={2} size="h4">
                Where you are signed in
              </Title>
              <Text size="sm" c="dimmed">
                Sessions end after a period without use and a few hours after sign-in.
              </Text>
            </Stack>
            <SignOutEverywhere />
          </Group>
          <QueryTable
            query={sessions}
            loadingLabel="Loading sessions…"
            minWidth={720}
            verticalSpacing="sm"
            columns={['Device', 'Address', 'Signed in', 'Last active', 'Ends', null]}
            rowKey={(session) => session.id}
          >
            {(session) => (
              <>
                <Table.Td>
                  <Stack gap={4} align="flex-start">
                    <Text size="sm" title={session.userAgent ?? undefined}>
                      {describeUserAgent(session.userAgent)}
                    </Text>
                    {session.current && (
                      <Badge color="teal" variant="light">
                        This device
                      </Badge>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {session.ip ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>{formatDateTime(session.createdAt)}</Table.Td>
                <Table.Td title={formatDateTime(session.lastSeenAt)}>
                  {formatRelative(session.lastSeenAt)}
                </Table.Td>
                <Table.Td>{formatDateTime(session.expiresAt)}</Table.Td>
                <Table.Td>{!session.current && <RevokeSessionButton session={session} />}</Table.Td>
              </>
            )}
          </QueryTable>
        </Stack>
      </Paper>
    </Stack>
  )
}
