import { Alert, Button, Container, Stack, Text, Title } from '@mantine/core'
import { IconLock } from '@tabler/icons-react'
import { Link, Navigate, Outlet, useLocation } from 'react-router'
import type { SessionInfo } from '../../common/api/accounts.ts'
import { LoadError, Loading } from '../components/query-state.tsx'
import { useDocumentTitle } from '../components/page.tsx'
import { useSession } from '../lib/session.ts'

export const TWO_FACTOR_PATH = '/account/two-factor'

/**
 * Pages below need a session. Signed-out visitors go to sign-in and come back afterwards; a user
 * whose network requires two-factor sign-in is held on the account pages until it is set up
 * (the server refuses everything else with `two_factor_setup_required`).
 */
export function RequireSession() {
  const session = useSession()
  const location = useLocation()
  if (session.isPending) return <Loading />
  if (session.isError) {
    return <LoadError error={session.error} onRetry={() => void session.refetch()} />
  }
  if (!session.data) {
    const next = encodeURIComponent(location.pathname + location.search)
    return <Navigate to={`/sign-in?next=${next}`} replace />
  }
  if (session.data.twoFactorSetupRequired && !location.pathname.startsWith('/account')) {
    return <Navigate to={TWO_FACTOR_PATH} replace />
  }
  return <Outlet />
}

/** The signed-in session, for components rendered below `RequireSession`. */
export function useCurrentSession(): SessionInfo {
  const { data } = useSession()
  if (!data) throw new Error('useCurrentSession() used outside RequireSession')
  return data
}

export function RequireNetworkAdmin() {
  const session = useCurrentSession()
  return session.user.isNetworkAdmin ? <Outlet /> : <NotNetworkAdmin />
}

function NotNetworkAdmin() {
  useDocumentTitle('Network administrators only')
  return (
    <Container size="sm" px={0}>
      <Stack>
        <Title order={1} size="h2">
          Network administrators only
        </Title>
        <Alert color="gray" icon={<IconLock aria-hidden />}>
          <Text size="sm">
            This area manages the whole network: members, accreditation of assessors, the audit log
            and security settings. Your account is not a network administrator.
          </Text>
        </Alert>
        <Button component={Link} to="/organisations" variant="default" w="fit-content">
          Go to your organisations
        </Button>
      </Stack>
    </Container>
  )
}
