import { Anchor, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { useQueryClient } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import type { Organisation, UpdateOrganisationBody } from '../../../common/api/organisations.ts'
import { ORGANISATION_TYPE_LABELS } from '../../../common/organisations.ts'
import { OrganisationForm, type OrganisationDetails } from '../../components/organisation-form.tsx'
import { api } from '../../lib/api.ts'
import { formatDate, formatDateTime } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { SESSION_KEY } from '../../lib/session.ts'
import { useOrganisationAccess } from './access.ts'

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  )
}

/** Only what changed is sent; a cleared optional field becomes null. */
function changesOf(
  organisation: Organisation,
  { name, website, country }: OrganisationDetails,
): UpdateOrganisationBody['data'] {
  const changes: UpdateOrganisationBody['data'] = {}
  if (name.trim() !== organisation.name) changes.name = name.trim()
  if ((website.trim() || null) !== organisation.website) changes.website = website.trim() || null
  if ((country.trim() || null) !== organisation.country) changes.country = country.trim() || null
  return changes
}

function EditOrganisation({ organisation }: { organisation: Organisation }) {
  const queryClient = useQueryClient()
  const save = useNotifyingMutation({
    mutationFn: (changes: UpdateOrganisationBody['data']) =>
      api.patch<Organisation>(`/organisations/${organisation.id}`, { data: changes }),
    onSuccess: (updated) => queryClient.setQueryData(['organisations', organisation.id], updated),
    invalidates: [{ queryKey: ['organisations'], exact: true }, SESSION_KEY],
    success: 'Organisation saved',
  })

  return (
    <Paper withBorder p="lg" radius="md">
      <OrganisationForm
        mode="edit"
        heading={
          <Title order={2} size="h4">
            Edit details
          </Title>
        }
        initial={{
          name: organisation.name,
          type: organisation.type,
          website: organisation.website ?? '',
          country: organisation.country ?? '',
        }}
        submitLabel="Save changes"
        cannotSubmit={(details) => Object.keys(changesOf(organisation, details)).length === 0}
        onSubmit={(details) => save.mutate(changesOf(organisation, details))}
        pending={save.isPending}
        error={save.error}
      />
    </Paper>
  )
}

export function OverviewTab({ organisation }: { organisation: Organisation }) {
  const access = useOrganisationAccess(organisation.id)
  return (
    <Stack gap="lg" maw={840}>
      <Paper withBorder p="lg" radius="md">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="lg">
          <Fact label="Type">{ORGANISATION_TYPE_LABELS[organisation.type]}</Fact>
          <Fact label="Country">{organisation.country ?? '—'}</Fact>
          <Fact label="Website">
            {organisation.website ? (
              <Anchor href={organisation.website} target="_blank" rel="noopener noreferrer">
                {organisation.website}
              </Anchor>
            ) : (
              '—'
            )}
          </Fact>
          <Fact label="Short name">{organisation.slug}</Fact>
          <Fact label="Joined the network">{formatDate(organisation.createdAt)}</Fact>
          {organisation.type === 'assessor' && (
            <Fact label="Accreditation">
              {organisation.accreditedAt
                ? `Accredited on ${formatDateTime(organisation.accreditedAt)}`
                : 'Not accredited: this organisation cannot grant tiers yet.'}
              {organisation.accreditationNote && (
                <Text size="sm" c="dimmed" mt={4}>
                  {organisation.accreditationNote}
                </Text>
              )}
            </Fact>
          )}
        </SimpleGrid>
      </Paper>
      {access.canManage && <EditOrganisation organisation={organisation} />}
    </Stack>
  )
}
