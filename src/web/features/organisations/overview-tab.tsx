import {
  Anchor,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent, type ReactNode } from 'react'
import type { Organisation, UpdateOrganisationBody } from '../../../common/api/organisations.ts'
import { ORGANISATION_TYPE_LABELS } from '../../../common/organisations.ts'
import { fieldError, FormError } from '../../components/form-error.tsx'
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

function EditOrganisation({ organisation }: { organisation: Organisation }) {
  const queryClient = useQueryClient()
  const [name, setName] = useState(organisation.name)
  const [website, setWebsite] = useState(organisation.website ?? '')
  const [country, setCountry] = useState(organisation.country ?? '')

  // Only what changed is sent; a cleared optional field becomes null.
  const changes: UpdateOrganisationBody['data'] = {}
  if (name.trim() !== organisation.name) changes.name = name.trim()
  if ((website.trim() || null) !== organisation.website) changes.website = website.trim() || null
  if ((country.trim() || null) !== organisation.country) changes.country = country.trim() || null
  const changed = Object.keys(changes).length > 0

  const save = useNotifyingMutation({
    mutationFn: () =>
      api.patch<Organisation>(`/organisations/${organisation.id}`, { data: changes }),
    onSuccess: (updated) => queryClient.setQueryData(['organisations', organisation.id], updated),
    invalidates: [{ queryKey: ['organisations'], exact: true }, SESSION_KEY],
    success: 'Organisation saved',
  })

  function submit(event: FormEvent) {
    event.preventDefault()
    save.mutate()
  }

  return (
    <Paper withBorder p="lg" radius="md">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h4">
            Edit details
          </Title>
          <FormError error={save.error} />
          <TextInput
            label="Organisation name"
            required
            minLength={2}
            maxLength={160}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(save.error, 'name')}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Website"
              description="Starting with https://; leave empty for none"
              type="url"
              maxLength={500}
              value={website}
              onChange={(e) => setWebsite(e.currentTarget.value)}
              error={fieldError(save.error, 'website')}
            />
            <TextInput
              label="Country"
              description="Two-letter ISO code; leave empty for none"
              maxLength={2}
              value={country}
              onChange={(e) => setCountry(e.currentTarget.value.toUpperCase())}
              error={fieldError(save.error, 'country')}
            />
          </SimpleGrid>
          <Group>
            <Button
              type="submit"
              loading={save.isPending}
              disabled={!changed || name.trim().length < 2}
            >
              Save changes
            </Button>
          </Group>
        </Stack>
      </form>
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
