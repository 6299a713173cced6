import { Anchor, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import type { KevExposure } from '../../../common/api/findings.ts'
import type { ExposedLabel, ExposedLabelPage } from '../../../common/api/label-policy.ts'
import { DEVICE_CLASS_LABELS, type DeviceClass } from '../../../common/framework.ts'
import { DataTable } from '../../components/data-table.tsx'
import { Pager } from '../../components/pager.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { StatusBadge } from '../registry/registry-ui.tsx'

export function Figure({ label, value }: { label: string; value: number }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Text size="xl" fw={700}>
        {value.toLocaleString('en-GB')}
      </Text>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
    </Paper>
  )
}

const classLabel = (c: string) => DEVICE_CLASS_LABELS[c as DeviceClass] ?? c

const PAGE = 25

/** What the label policy has done or will do about one exposed label. */
function PolicyNote({ label }: { label: ExposedLabel }) {
  if (label.policySuspension) {
    return (
      <Text size="sm">Suspended by the policy on {formatDate(label.policySuspension.since)}</Text>
    )
  }
  if (label.knownExploited.nextSuspensionAt) {
    return <Text size="sm">Suspends on {formatDate(label.knownExploited.nextSuspensionAt)}</Text>
  }
  return (
    <Text size="sm" c="dimmed">
      {label.status === 'suspended' ? 'Suspended by a person' : 'No suspension scheduled'}
    </Text>
  )
}

/**
 * The labelled product versions behind the figures, the longest exposed first: their exposure is
 * public on each product page already, so they are named here; unlabelled ones stay counts.
 */
function ExposedLabels() {
  const [offset, setOffset] = useState(0)
  const today = new Date().toISOString().slice(0, 10)
  const query = useQuery({
    queryKey: ['admin', 'kev-exposure', 'labels', offset],
    queryFn: () =>
      api.get<ExposedLabelPage>(`/admin/kev-exposure/labels?limit=${PAGE}&offset=${offset}`),
    placeholderData: keepPreviousData,
    staleTime: 0,
    refetchInterval: 60_000,
  })
  return (
    <Panel title="Labelled product versions exposed">
      {query.isPending ? (
        <Loading label="Loading the exposed labels…" />
      ) : query.isError ? (
        <LoadError error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {query.data.total === 0
              ? 'No labelled product version has an open known-exploited vulnerability the label policy counts.'
              : `${query.data.total} labelled version${query.data.total === 1 ? '' : 's'}, the longest exposed first; showing ${offset + 1}–${offset + query.data.items.length}.`}
          </Text>
          <DataTable
            rows={query.data.items}
            rowKey={(r) => r.labelId}
            minWidth={900}
            columns={[
              'Product',
              'Manufacturer',
              'Label',
              'Known exploited',
              'Exposed since',
              'CISA due',
              'Label policy',
            ]}
          >
            {(r) => (
              <>
                <Table.Th scope="row">
                  <Anchor component={Link} to={`/registry/${r.labelId}`}>
                    {r.productName} {r.version}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {classLabel(r.deviceClass)}
                  </Text>
                </Table.Th>
                <Table.Td>{r.manufacturer.name}</Table.Td>
                <Table.Td miw={130}>
                  <StatusBadge status={r.status} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={700} c="red.9">
                    {r.knownExploited.cves.slice(0, 3).join(', ')}
                    {r.knownExploited.open > 3 && ` and ${r.knownExploited.open - 3} more`}
                  </Text>
                </Table.Td>
                <Table.Td>{formatDate(r.exposedSince)}</Table.Td>
                <Table.Td>
                  {r.kevDueDate ? (
                    <Text size="sm" c={r.kevDueDate < today ? 'red.9' : undefined}>
                      {r.kevDueDate}
                      {r.kevDueDate < today && ' (past)'}
                    </Text>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  <PolicyNote label={r} />
                </Table.Td>
              </>
            )}
          </DataTable>
          <Pager offset={offset} pageSize={PAGE} total={query.data.total} onChange={setOffset} />
        </Stack>
      )}
    </Panel>
  )
}

/**
 * The network dashboard for network administrators: products exposed to known-exploited
 * vulnerabilities (CISA KEV), in all, by manufacturer and by device class, and the labelled
 * versions among them by name.
 */
export function KevExposureTab() {
  const query = useQuery({
    queryKey: ['admin', 'kev-exposure'],
    queryFn: () => api.get<KevExposure>('/admin/kev-exposure'),
    staleTime: 0,
    refetchInterval: 60_000,
  })
  if (query.isPending) return <Loading label="Loading the exposure…" />
  if (query.isError) return <LoadError error={query.error} onRetry={() => void query.refetch()} />
  const e = query.data
  const counts = (row: { products: number; versions: number; cves: number }) => (
    <>
      <Table.Td>{row.products}</Table.Td>
      <Table.Td>{row.versions}</Table.Td>
      <Table.Td>{row.cves}</Table.Td>
    </>
  )
  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Figure label="Products exposed" value={e.totals.products} />
        <Figure label="Versions exposed" value={e.totals.versions} />
        <Figure label="Known-exploited CVEs" value={e.totals.cves} />
        <Figure label="Findings past KEV’s due date" value={e.overdue} />
      </SimpleGrid>
      {e.totals.products === 0 ? (
        <Empty title="No product is exposed">
          No open finding of any product version is in CISA’s Known Exploited Vulnerabilities
          catalogue.
        </Empty>
      ) : (
        <Group align="flex-start" grow wrap="wrap">
          <Panel title="By manufacturer" miw={280}>
            <DataTable
              rows={e.byManufacturer}
              rowKey={(r) => r.organisationId}
              minWidth={360}
              columns={['Manufacturer', 'Products', 'Versions', 'CVEs']}
            >
              {(r) => (
                <>
                  <Table.Th scope="row">{r.name}</Table.Th>
                  {counts(r)}
                </>
              )}
            </DataTable>
          </Panel>
          <Panel title="By device class" miw={280}>
            <DataTable
              rows={e.byDeviceClass}
              rowKey={(r) => r.deviceClass}
              minWidth={360}
              columns={['Device class', 'Products', 'Versions', 'CVEs']}
            >
              {(r) => (
                <>
                  <Table.Th scope="row">{classLabel(r.deviceClass)}</Table.Th>
                  {counts(r)}
                </>
              )}
            </DataTable>
          </Panel>
        </Group>
      )}
      {e.totals.products > 0 && <ExposedLabels />}
    </Stack>
  )
}
