import { Anchor, Button, Group, List, Stack, Text } from '@mantine/core'
import {
  IconAlertTriangle,
  IconBug,
  IconBuildingFactory2,
  IconLogin2,
  IconScale,
} from '@tabler/icons-react'
import { Link, useLocation } from 'react-router'
import type { SessionInfo } from '../../../common/api/accounts.ts'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { LoadError, Loading } from '../../components/query-state.tsx'
import { RouteTabs, type RouteTab } from '../../components/route-tabs.tsx'
import { useSession } from '../../lib/session.ts'
import { AdvisoriesTab } from '../advisories/advisories-tab.tsx'
import { KevExposureTab } from '../findings/kev-exposure-tab.tsx'
import { ProductsOverview } from './products-overview.tsx'

/** The views of the area this person may see, as tabs (`/vulnerabilities/<tab>`). */
export function vulnerabilityTabs(session: SessionInfo | null): RouteTab[] {
  const manufacturers = (session?.memberships ?? []).filter(
    (m) => m.organisationType === 'manufacturer',
  )
  const tabs: RouteTab[] = []
  if (manufacturers.length > 0) {
    tabs.push({
      value: 'products',
      label: 'Your products',
      icon: <IconBuildingFactory2 size={16} aria-hidden />,
      render: () => <ProductsOverview memberships={manufacturers} />,
    })
  }
  if (session?.user.isNetworkAdmin) {
    tabs.push(
      {
        value: 'kev-exposure',
        label: 'KEV exposure',
        icon: <IconAlertTriangle size={16} aria-hidden />,
        render: () => <KevExposureTab />,
      },
      {
        value: 'advisories',
        label: 'Advisory imports',
        icon: <IconBug size={16} aria-hidden />,
        render: () => <AdvisoriesTab />,
      },
    )
  }
  return tabs
}

/** What the area is, for those without a view of their own here (and the policy for everyone). */
function About({ signedIn }: { signedIn: boolean }) {
  const { pathname } = useLocation()
  return (
    <Panel title="What happens here">
      <List spacing="xs">
        <List.Item>
          Manufacturers upload an SBOM (CycloneDX or SPDX) for each firmware version; the network
          matches its components against OSV, CSAF 2.0 (including CISA ICS advisories) and the CISA
          Known Exploited Vulnerabilities catalogue, again whenever advisories change.
        </List.Item>
        <List.Item>
          Each finding says why it matched. Manufacturers triage it (affected, fixed in a version,
          or not affected with a justification) and publish CSAF advisories and VEX documents.
        </List.Item>
        <List.Item>
          The public product page of a labelled version shows its open known-exploited
          vulnerabilities and the manufacturer’s published advisories; the label policy suspends a
          label whose known-exploited vulnerability stays unremediated.
        </List.Item>
      </List>
      {signedIn ? (
        <Text size="sm">
          Members of a manufacturer see their product versions’ findings here; network
          administrators see the network’s exposure and the advisory imports.
        </Text>
      ) : (
        <Group>
          <Button
            component={Link}
            to={`/sign-in?next=${encodeURIComponent(pathname)}`}
            leftSection={<IconLogin2 size={18} aria-hidden />}
          >
            Sign in to see your products
          </Button>
          <Anchor component={Link} to="/registry">
            Look up a product in the registry
          </Anchor>
        </Group>
      )}
    </Panel>
  )
}

/**
 * /vulnerabilities: the vulnerability watch area. A manufacturer's members see their product
 * versions with open findings; network administrators the KEV exposure dashboard and the
 * advisory imports; everyone the link to the label policy.
 */
export function VulnerabilitiesPage() {
  const session = useSession()
  if (session.isPending) return <Loading />
  if (session.isError) {
    return <LoadError error={session.error} onRetry={() => void session.refetch()} />
  }
  const tabs = vulnerabilityTabs(session.data ?? null)
  return (
    <Page
      title="Vulnerabilities"
      description="Product SBOMs matched continuously against public advisories and CISA’s catalogue of known-exploited vulnerabilities."
      size="xl"
    >
      <Stack gap="lg">
        {tabs.length > 0 ? (
          <RouteTabs base="/vulnerabilities" tabs={tabs} />
        ) : (
          <About signedIn={!!session.data} />
        )}
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <IconScale size={18} aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
          <Text size="sm">
            What the network does by itself when a labelled product stays exposed:{' '}
            <Anchor component={Link} to="/label-policy" underline="always">
              the label policy
            </Anchor>
            .
          </Text>
        </Group>
      </Stack>
    </Page>
  )
}
