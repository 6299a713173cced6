import { Stack, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import type { ApiToken, Organisation } from '../../../common/api/organisations.ts'
import { Empty } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { CreateTokenForm, TokenTable } from './api-tokens.tsx'

export function OrganisationTokensTab({ organisation }: { organisation: Organisation }) {
  const tokens = useQuery({
    queryKey: ['organisations', organisation.id, 'tokens'],
    queryFn: () => api.get<ApiToken[]>(`/organisations/${organisation.id}/tokens`),
  })
  return (
    <Stack gap="lg">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Tokens of {organisation.name}
        </Title>
        <TokenTable
          query={tokens}
          empty={
            <Empty title="No API tokens">
              Create one below to let a program act for this organisation.
            </Empty>
          }
          canRevoke={() => true}
        />
      </Stack>
      <CreateTokenForm organisationId={organisation.id} organisationType={organisation.type} />
    </Stack>
  )
}
