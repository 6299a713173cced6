import { Anchor, Badge, Card, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useNavigate } from 'react-router'
import type { Organisation } from '../../../common/api/organisations.ts'
import { ORGANISATION_TYPE_LABELS } from '../../../common/organisations.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { OrganisationForm, type OrganisationDetails } from '../../components/organisation-form.tsx'
import { Page } from '../../components/page.tsx'
import { Empty, QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { ROLE_LABELS } from '../../lib/labels.ts'
import { roleIn, SESSION_KEY } from '../../lib/session.ts'

export const ORGANISATIONS_KEY = ['organisations'] as const

export function AccreditationBadge({ organisation }: { organisation: Organisation }) {
  if (organisation.type !== 'assessor') return null
  return organisation.accreditedAt ? (
    <Badge color="teal" variant="light" title={organisation.accreditationNote ?? undefined}>
      Accredited
    </Badge>
  ) : (
    <Badge color="gray" variant="light">
      Not accredited
    </Badge>
  )
}

/** The organisation form's optional fields: blank means "not given". */
export function optional(value: string): string | undefined {
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

function NewOrganisationForm() {
  const queryClient = useQueryClient()
  const navigate = useNavigate()

  const create = useMutation({
    mutationFn: ({ name, type, website, country }: OrganisationDetails) =>
      api.post<Organisation>('/organisations', {
        name: name.trim(),
        type,
        website: optional(website),
        country: optional(country)?.toUpperCase(),
      }),
    onSuccess: async (organisation) => {
      // The creator becomes its owner: the session's memberships change too.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ORGANISATIONS_KEY }),
        queryClient.invalidateQueries({ queryKey: SESSION_KEY }),
      ])
      notifications.show({ color: 'teal', message: `${organisation.name} created` })
      void navigate(`/organisations/${organisation.id}`)
    },
  })

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="new-organisation">
      <OrganisationForm
        mode="create"
        heading={
          <Stack gap={2}>
            <Title order={2} size="h4" id="new-organisation">
              New organisation
            </Title>
            <Text size="sm" c="dimmed">
              Admit a member organisation. You become its owner and can then invite its people.
            </Text>
          </Stack>
        }
        initial={{ name: '', type: 'manufacturer', website: '', country: '' }}
        submitLabel="Create organisation"
        onSubmit={(details) => create.mutate(details)}
        pending={create.isPending}
        error={create.error}
      />
    </Paper>
  )
}

export function OrganisationsPage() {
  const session = useCurrentSession()
  const organisations = useQuery({
    queryKey: ORGANISATIONS_KEY,
    queryFn: () => api.get<Organisation[]>('/organisations'),
  })
  return (
    <Page
      title="Organisations"
      description="The member organisations you belong to. Open one to see its members, invitations, API tokens and audit log."
    >
      <QueryState
        query={organisations}
        loadingLabel="Loading your organisations…"
        empty={
          <Empty title="You are not a member of any organisation yet">
            {session.user.isNetworkAdmin
              ? 'Create the first one below, or ask an organisation’s administrator to invite you.'
              : 'Ask an administrator of your organisation to invite you, using the email address you sign in with.'}
          </Empty>
        }
      >
        {(list) => (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {list.map((organisation) => {
              const role = roleIn(session, organisation.id)
              return (
                <Card key={organisation.id} withBorder radius="md" p="lg">
                  <Stack gap="xs">
                    <Anchor
                      component={Link}
                      to={`/organisations/${organisation.id}`}
                      fw={700}
                      size="lg"
                    >
                      {organisation.name}
                    </Anchor>
                    <Text size="sm" c="dimmed">
                      {ORGANISATION_TYPE_LABELS[organisation.type]}
                      {organisation.country ? ` · ${organisation.country}` : ''}
                    </Text>
                    <Group gap="xs">
                      {role && <Badge variant="light">{ROLE_LABELS[role]}</Badge>}
                      <AccreditationBadge organisation={organisation} />
                    </Group>
                    <Text size="xs" c="dimmed">
                      Member of the network since {formatDate(organisation.createdAt)}
                    </Text>
                  </Stack>
                </Card>
              )
            })}
          </SimpleGrid>
        )}
      </QueryState>
      {session.user.isNetworkAdmin && <NewOrganisationForm />}
    </Page>
  )
}
