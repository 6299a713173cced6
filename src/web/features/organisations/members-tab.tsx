import { Badge, NativeSelect, Stack, Table, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import type { Member, Organisation } from '../../../common/api/organisations.ts'
import { ORGANISATION_ROLES, type OrganisationRole } from '../../../common/organisations.ts'
import { ConfirmAction } from '../../components/confirm-button.tsx'
import { QueryTable } from '../../components/data-table.tsx'
import { Empty } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from '../../lib/labels.ts'
import { SESSION_KEY } from '../../lib/session.ts'
import { useOrganisationAccess, type OrganisationAccess } from './access.ts'

/** The roles this user may hand out: only owners make owners. */
export function assignableRoles(access: OrganisationAccess): OrganisationRole[] {
  return ORGANISATION_ROLES.filter((role) => role !== 'owner' || access.canManageOwners)
}

const membersKey = (organisationId: string) => ['organisations', organisationId, 'members']

function RoleSelect({ organisation, member }: { organisation: Organisation; member: Member }) {
  const access = useOrganisationAccess(organisation.id)
  const change = useNotifyingMutation({
    mutationFn: (role: OrganisationRole) =>
      api.patch<Member>(`/organisations/${organisation.id}/members/${member.userId}`, {
        data: { role },
      }),
    invalidates: [membersKey(organisation.id)],
    success: (_updated, role) => `${member.displayName} is now ${ROLE_LABELS[role].toLowerCase()}`,
    failure: 'Role not changed',
  })
  return (
    <NativeSelect
      aria-label={`Role of ${member.displayName}`}
      value={member.role}
      disabled={change.isPending}
      onChange={(e) => change.mutate(e.currentTarget.value as OrganisationRole)}
      data={assignableRoles(access).map((role) => ({ value: role, label: ROLE_LABELS[role] }))}
      size="sm"
      w={170}
    />
  )
}

function RemoveMemberButton({
  organisation,
  member,
}: {
  organisation: Organisation
  member: Member
}) {
  return (
    <ConfirmAction
      label="Remove"
      ariaLabel={`Remove ${member.displayName}`}
      title={`Remove ${member.displayName}?`}
      size="xs"
      mutationFn={() => api.delete(`/organisations/${organisation.id}/members/${member.userId}`)}
      invalidates={[membersKey(organisation.id), SESSION_KEY]}
      success={`${member.displayName} removed`}
    >
      {member.displayName} ({member.email}) loses access to {organisation.name} at once. API tokens
      they created for it stop working. They can be invited again later.
    </ConfirmAction>
  )
}

export function MembersTab({ organisation }: { organisation: Organisation }) {
  const access = useOrganisationAccess(organisation.id)
  const members = useQuery({
    queryKey: membersKey(organisation.id),
    queryFn: () => api.get<Member[]>(`/organisations/${organisation.id}/members`),
  })

  // Own row is read-only: changing one's own role or removing oneself could lock everyone out.
  const editable = (member: Member) =>
    access.canManage &&
    member.userId !== access.userId &&
    (member.role !== 'owner' || access.canManageOwners)

  return (
    <Stack>
      {access.canManage && (
        <Text size="sm" c="dimmed">
          {ORGANISATION_ROLES.map(
            (role) => `${ROLE_LABELS[role]}: ${ROLE_DESCRIPTIONS[role]}`,
          ).join('. ')}
          .
        </Text>
      )}
      <QueryTable
        query={members}
        loadingLabel="Loading members…"
        empty={<Empty title="No members">Invite people from the Invitations tab.</Empty>}
        minWidth={680}
        verticalSpacing="sm"
        striped
        columns={['Name', 'Role', 'Two-factor', 'Joined', access.canManage ? null : false]}
        rowKey={(member) => member.userId}
      >
        {(member) => (
          <>
            <Table.Td>
              <Text size="sm" fw={500}>
                {member.displayName}
                {member.userId === access.userId && (
                  <Text span c="dimmed" size="sm">
                    {' '}
                    (you)
                  </Text>
                )}
              </Text>
              <Text size="xs" c="dimmed">
                {member.email}
              </Text>
            </Table.Td>
            <Table.Td>
              {editable(member) ? (
                <RoleSelect organisation={organisation} member={member} />
              ) : (
                <Badge variant="light">{ROLE_LABELS[member.role]}</Badge>
              )}
            </Table.Td>
            <Table.Td>
              <Badge variant="light" color={member.twoFactorEnabled ? 'teal' : 'gray'}>
                {member.twoFactorEnabled ? 'On' : 'Off'}
              </Badge>
            </Table.Td>
            <Table.Td>{formatDate(member.joinedAt)}</Table.Td>
            {access.canManage && (
              <Table.Td>
                {editable(member) && (
                  <RemoveMemberButton organisation={organisation} member={member} />
                )}
              </Table.Td>
            )}
          </>
        )}
      </QueryTable>
    </Stack>
  )
}
