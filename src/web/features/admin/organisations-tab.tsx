import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  NativeSelect,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import type { AdminOrganisation } from '../../../common/api/admin.ts'
import type { Organisation } from '../../../common/api/organisations.ts'
import {
  ORGANISATION_TYPE_LABELS,
  ORGANISATION_TYPES,
  type OrganisationType,
} from '../../../common/organisations.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { ConfirmAction } from '../../components/confirm-button.tsx'
import { QueryTable } from '../../components/data-table.tsx'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { Empty } from '../../components/query-state.tsx'
import { SearchInput, useSearch } from '../../components/search-input.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'

const KEY = ['admin', 'organisations'] as const

function useAccreditationChanged() {
  const queryClient = useQueryClient()
  return (organisation: Organisation) => {
    void queryClient.invalidateQueries({ queryKey: KEY })
    queryClient.setQueryData(['organisations', organisation.id], organisation)
  }
}

function AccreditButton({ organisation }: { organisation: AdminOrganisation }) {
  const [opened, { open, close }] = useDisclosure(false)
  const [note, setNote] = useState('')
  const changed = useAccreditationChanged()
  const accredit = useNotifyingMutation({
    mutationFn: () =>
      api.post<Organisation>(`/admin/organisations/${organisation.id}/accreditation`, {
        note: note.trim(),
      }),
    onSuccess: (updated) => {
      changed(updated)
      close()
      setNote('')
    },
    success: `${organisation.name} is accredited`,
  })

  return (
    <>
      <Button
        size="xs"
        variant="light"
        aria-label={`Accredit ${organisation.name}`}
        onClick={() => {
          accredit.reset()
          open()
        }}
      >
        Accredit
      </Button>
      <Modal opened={opened} onClose={close} title={`Accredit ${organisation.name}`} centered>
        <Form onSubmit={() => accredit.mutate()}>
          <Text size="sm">
            An accredited assessor may review assessments and grant tiers. Record on what basis the
            network accredits it; the note is kept in the audit log.
          </Text>
          <FormError error={accredit.error} />
          <Textarea
            label="Accreditation note"
            description="e.g. scope of the accreditation, the accrediting body and its reference"
            required
            autosize
            minRows={3}
            maxLength={1000}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            error={fieldError(accredit.error, 'note')}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={accredit.isPending} disabled={note.trim() === ''}>
              Accredit
            </Button>
          </Group>
        </Form>
      </Modal>
    </>
  )
}

function WithdrawButton({ organisation }: { organisation: AdminOrganisation }) {
  const changed = useAccreditationChanged()
  return (
    <ConfirmAction
      label="Withdraw accreditation"
      ariaLabel={`Withdraw accreditation of ${organisation.name}`}
      title={`Withdraw the accreditation of ${organisation.name}?`}
      size="xs"
      mutationFn={() =>
        api.delete<Organisation>(`/admin/organisations/${organisation.id}/accreditation`)
      }
      onSuccess={changed}
      success={`Accreditation of ${organisation.name} withdrawn`}
    >
      {organisation.name} will no longer be able to review assessments or grant tiers. Labels it has
      already granted are not changed by this.
    </ConfirmAction>
  )
}

function Accreditation({ organisation }: { organisation: AdminOrganisation }) {
  if (organisation.type !== 'assessor') return <Text c="dimmed">—</Text>
  return (
    <Stack gap={6} align="flex-start">
      {organisation.accreditedAt ? (
        <>
          <Badge color="teal" variant="light">
            Accredited {formatDate(organisation.accreditedAt)}
          </Badge>
          {organisation.accreditationNote && (
            <Text size="xs" c="dimmed" maw={280}>
              {organisation.accreditationNote}
            </Text>
          )}
          <WithdrawButton organisation={organisation} />
        </>
      ) : (
        <>
          <Badge color="gray" variant="light">
            Not accredited
          </Badge>
          <AccreditButton organisation={organisation} />
        </>
      )}
    </Stack>
  )
}

export function AdminOrganisationsTab() {
  // Organisation pages are for members; others see the name without a link.
  const session = useCurrentSession()
  const memberOf = new Set(session.memberships.map((m) => m.organisationId))
  const search = useSearch()
  const [type, setType] = useState<OrganisationType | ''>('')
  const organisations = useQuery({
    queryKey: [...KEY, search.query, type],
    queryFn: () =>
      api.get<AdminOrganisation[]>('/admin/organisations', { query: search.query, type }),
    placeholderData: (previous) => previous,
  })
  return (
    <Stack>
      <Group align="flex-end" gap="md">
        <SearchInput
          label="Search organisations"
          placeholder="Name"
          search={search}
          style={{ flex: '1 1 16rem' }}
        />
        <NativeSelect
          label="Organisation type"
          value={type}
          onChange={(e) => setType(e.currentTarget.value as OrganisationType | '')}
          data={[
            { value: '', label: 'All types' },
            ...ORGANISATION_TYPES.map((t) => ({ value: t, label: ORGANISATION_TYPE_LABELS[t] })),
          ]}
          style={{ flex: '1 1 14rem' }}
        />
      </Group>
      <Text size="sm" c="dimmed">
        To admit a new member organisation, use the form under Organisations in the navigation.
        Organisation pages open for their members only.
      </Text>
      <QueryTable
        query={organisations}
        loadingLabel="Loading organisations…"
        empty={
          <Empty title="No organisations found">
            {search.query || type ? 'Nothing matches this search.' : 'No organisation exists yet.'}
          </Empty>
        }
        minWidth={760}
        verticalSpacing="sm"
        striped
        columns={['Name', 'Type', 'Members', 'Joined', 'Accreditation']}
        rowKey={(organisation) => organisation.id}
      >
        {(organisation) => (
          <>
            <Table.Td>
              {memberOf.has(organisation.id) ? (
                <Anchor component={Link} to={`/organisations/${organisation.id}`} fw={500}>
                  {organisation.name}
                </Anchor>
              ) : (
                <Text size="sm" fw={500}>
                  {organisation.name}
                </Text>
              )}
              {organisation.country && (
                <Text size="xs" c="dimmed">
                  {organisation.country}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{ORGANISATION_TYPE_LABELS[organisation.type]}</Table.Td>
            <Table.Td>{organisation.memberCount}</Table.Td>
            <Table.Td>{formatDate(organisation.createdAt)}</Table.Td>
            <Table.Td>
              <Accreditation organisation={organisation} />
            </Table.Td>
          </>
        )}
      </QueryTable>
    </Stack>
  )
}
