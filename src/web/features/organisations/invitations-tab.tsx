import {
  Badge,
  Button,
  Group,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { Invitation, InviteResult, Organisation } from '../../../common/api/organisations.ts'
import type { OrganisationRole } from '../../../common/organisations.ts'
import { ConfirmAction } from '../../components/confirm-button.tsx'
import { QueryTable } from '../../components/data-table.tsx'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty } from '../../components/query-state.tsx'
import { SecretReveal } from '../../components/secret-reveal.tsx'
import { api } from '../../lib/api.ts'
import { formatDate, formatDateTime } from '../../lib/format.ts'
import { INVITATION_STATUS_COLORS, ROLE_LABELS } from '../../lib/labels.ts'
import { useOrganisationAccess } from './access.ts'
import { assignableRoles } from './members-tab.tsx'

const invitationsKey = (organisationId: string) => ['organisations', organisationId, 'invitations']

function InviteForm({ organisation }: { organisation: Organisation }) {
  const queryClient = useQueryClient()
  const access = useOrganisationAccess(organisation.id)
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<OrganisationRole>('member')
  const [result, setResult] = useState<InviteResult | undefined>()

  const invite = useMutation({
    mutationFn: () =>
      api.post<InviteResult>(`/organisations/${organisation.id}/invitations`, {
        email: email.trim(),
        role,
      }),
    onSuccess: (created) => {
      setResult(created)
      setEmail('')
      void queryClient.invalidateQueries({ queryKey: invitationsKey(organisation.id) })
    },
  })

  function submit() {
    setResult(undefined)
    invite.mutate()
  }

  return (
    <Panel title="Invite someone">
      {result && (
        <SecretReveal label="Invitation link" value={result.link}>
          {result.emailed
            ? `We emailed this link to ${result.invitation.email}. You can also send it yourself. `
            : `This server does not send email, so nobody has been told yet: send this link to ${result.invitation.email} yourself. `}
          It works once and expires on {formatDateTime(result.invitation.expiresAt)}. It is shown
          only now.
        </SecretReveal>
      )}
      <Form onSubmit={submit}>
        <FormError error={invite.error} />
        <Group align="flex-start" gap="md" grow preventGrowOverflow={false}>
          <TextInput
            label="Email"
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fieldError(invite.error, 'email')}
            miw={220}
          />
          <NativeSelect
            label="Role"
            value={role}
            onChange={(e) => setRole(e.currentTarget.value as OrganisationRole)}
            data={assignableRoles(access).map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
            error={fieldError(invite.error, 'role')}
            miw={160}
          />
        </Group>
        <Group>
          <Button type="submit" loading={invite.isPending} disabled={email.trim() === ''}>
            Send invitation
          </Button>
        </Group>
      </Form>
    </Panel>
  )
}

function RevokeInvitationButton({
  organisation,
  invitation,
}: {
  organisation: Organisation
  invitation: Invitation
}) {
  return (
    <ConfirmAction
      label="Revoke"
      ariaLabel={`Revoke invitation for ${invitation.email}`}
      title="Revoke this invitation?"
      size="xs"
      mutationFn={() =>
        api.delete(`/organisations/${organisation.id}/invitations/${invitation.id}`)
      }
      invalidates={[invitationsKey(organisation.id)]}
      success={`Invitation for ${invitation.email} revoked`}
    >
      The link sent to {invitation.email} stops working. You can invite them again later.
    </ConfirmAction>
  )
}

export function InvitationsTab({ organisation }: { organisation: Organisation }) {
  const invitations = useQuery({
    queryKey: invitationsKey(organisation.id),
    queryFn: () => api.get<Invitation[]>(`/organisations/${organisation.id}/invitations`),
  })
  return (
    <Stack gap="lg">
      <InviteForm organisation={organisation} />
      <Stack gap="sm">
        <Title order={2} size="h4">
          Invitations
        </Title>
        <QueryTable
          query={invitations}
          loadingLabel="Loading invitations…"
          empty={<Empty title="No invitations yet">Invitations you send appear here.</Empty>}
          minWidth={680}
          verticalSpacing="sm"
          striped
          columns={['Email', 'Role', 'Status', 'Sent', 'Expires', null]}
          rowKey={(invitation) => invitation.id}
        >
          {(invitation) => (
            <>
              <Table.Td>{invitation.email}</Table.Td>
              <Table.Td>{ROLE_LABELS[invitation.role]}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={INVITATION_STATUS_COLORS[invitation.status]}>
                  {invitation.status}
                </Badge>
              </Table.Td>
              <Table.Td>{formatDate(invitation.createdAt)}</Table.Td>
              <Table.Td>{formatDateTime(invitation.expiresAt)}</Table.Td>
              <Table.Td>
                {invitation.status === 'pending' && (
                  <RevokeInvitationButton organisation={organisation} invitation={invitation} />
                )}
              </Table.Td>
            </>
          )}
        </QueryTable>
      </Stack>
      <Text size="xs" c="dimmed">
        An invitation link works once. People without an account choose their name and password when
        they accept; people with an account accept while signed in.
      </Text>
    </Stack>
  )
}
