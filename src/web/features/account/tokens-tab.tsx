import { Alert, Stack, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import type { ApiToken } from '../../../common/api/organisations.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { Empty } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { CreateTokenForm, TokenTable } from '../organisations/api-tokens.tsx'

export function AccountTokensTab() {
  const session = useCurrentSession()
  const tokens = useQuery({
    queryKey: ['account', 'tokens'],
    queryFn: () => api.get<ApiToken[]>('/account/tokens'),
  })
  return (
    <Stack gap="lg">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Tokens you created
        </Title>
        <TokenTable
          query={tokens}
          empty={
            <Empty title="No API tokens">
              Tokens you create for your organisations appear here.
            </Empty>
          }
          showOrganisation
          canRevoke={() => true}
        />
      </Stack>
      {session.memberships.length > 0 ? (
        <CreateTokenForm organisations={session.memberships} />
      ) : (
        <Alert color="gray">
          An API token acts for one organisation. Once you belong to an organisation, you can create
          tokens for it here.
        </Alert>
      )}
    </Stack>
  )
}
