import { Anchor, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import type { MembershipSummary } from '../../../common/api/accounts.ts'
import type { FindingOverview, FindingOverviewVersion } from '../../../common/api/findings.ts'
import { DEVICE_CLASS_LABELS, type DeviceClass } from '../../../common/framework.ts'
import { DataTable } from '../../components/data-table.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { Figure } from '../findings/kev-exposure-tab.tsx'

export const overviewKey = (orgId: string) => ['findings', orgId, 'overview'] as const

const findingsPath = (orgId: string, v: FindingOverviewVersion) =>
  `/products/${orgId}/${v.productId}/versions/${v.productVersionId}/findings`

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** A count that is zero reads as a dash, so the columns that matter stand out. */
const count = (n: number) => (n === 0 ? <Text c="dimmed">0</Text> : n)

function NoOpenFindings({ overview }: { overview: FindingOverview }) {
  if (overview.evaluatedVersions === 0) {
    return (
      <Empty title="No product version has been checked yet">
        Versions are matched against the network’s advisories once they have an SBOM: upload a
        CycloneDX or SPDX file on a version’s page under{' '}
        <Anchor component={Link} to="/products" underline="always">
          Products
        </Anchor>
        .
      </Empty>
    )
  }
  return (
    <Empty title="No open findings">
      {plural(overview.evaluatedVersions, 'product version')} checked against the network’s
      advisories, none with an open finding; last checked {formatDateTime(overview.lastEvaluatedAt)}
      .
    </Empty>
  )
}

/**
 * One manufacturer's product versions with open findings: counts by severity, known-exploited,
 * awaiting review and the last evaluation, each linking to the version's findings page.
 */
function OrganisationOverview({
  membership,
  titled,
}: {
  membership: MembershipSummary
  titled: boolean
}) {
  const orgId = membership.organisationId
  const query = useQuery({
    queryKey: overviewKey(orgId),
    queryFn: () => api.get<FindingOverview>(`/organisations/${orgId}/findings/overview`),
    staleTime: 0,
    refetchInterval: 60_000,
  })
  return (
    <Panel title={titled ? membership.organisationName : 'Product versions with open findings'}>
      <QueryState query={query} loadingLabel="Loading the findings overview…">
        {(overview) => (
          <Stack gap="md">
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Figure label="Open findings" value={overview.totals.open} />
              <Figure label="Known exploited (CISA KEV)" value={overview.totals.knownExploited} />
              <Figure label="Matches awaiting review" value={overview.totals.needsReview} />
              <Figure label="Versions checked" value={overview.evaluatedVersions} />
            </SimpleGrid>
            {overview.versions.length === 0 ? (
              <NoOpenFindings overview={overview} />
            ) : (
              <DataTable
                rows={overview.versions}
                rowKey={(v) => v.productVersionId}
                minWidth={980}
                striped
                columns={[
                  'Product version',
                  'Open',
                  'Critical',
                  'High',
                  'Medium',
                  'Low',
                  'Other',
                  'Known exploited',
                  'Awaiting review',
                  'Not affected',
                  'Last checked',
                ]}
              >
                {(v) => (
                  <>
                    <Table.Th scope="row" miw={200}>
                      <Anchor component={Link} to={findingsPath(orgId, v)} fw={600}>
                        {v.productName} {v.version}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {DEVICE_CLASS_LABELS[v.deviceClass as DeviceClass] ?? v.deviceClass}
                      </Text>
                    </Table.Th>
                    <Table.Td fw={600}>{v.open}</Table.Td>
                    <Table.Td>{count(v.bySeverity.critical)}</Table.Td>
                    <Table.Td>{count(v.bySeverity.high)}</Table.Td>
                    <Table.Td>{count(v.bySeverity.medium)}</Table.Td>
                    <Table.Td>{count(v.bySeverity.low)}</Table.Td>
                    <Table.Td>{count(v.bySeverity.none + v.bySeverity.unknown)}</Table.Td>
                    <Table.Td>
                      {v.knownExploited > 0 ? (
                        <Text fw={700} c="red.9">
                          {v.knownExploited}
                        </Text>
                      ) : (
                        count(0)
                      )}
                    </Table.Td>
                    <Table.Td>{count(v.needsReview)}</Table.Td>
                    <Table.Td>{count(v.suppressed)}</Table.Td>
                    <Table.Td>{formatDateTime(v.lastEvaluatedAt)}</Table.Td>
                  </>
                )}
              </DataTable>
            )}
            <Group gap="xs">
              <Text size="sm" c="dimmed">
                Open: not resolved and not triaged as not affected. “Other” counts findings whose
                advisory gives no severity. Awaiting review: matches the engine could not decide,
                kept for a person to look at.
              </Text>
            </Group>
          </Stack>
        )}
      </QueryState>
    </Panel>
  )
}

/** The overview of each manufacturer the signed-in person belongs to. */
export function ProductsOverview({ memberships }: { memberships: MembershipSummary[] }) {
  return (
    <Stack gap="lg">
      {memberships.map((m) => (
        <OrganisationOverview
          key={m.organisationId}
          membership={m}
          titled={memberships.length > 1}
        />
      ))}
    </Stack>
  )
}
