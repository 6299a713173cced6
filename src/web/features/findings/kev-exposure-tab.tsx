import { Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import type { KevExposure } from '../../../common/api/findings.ts'
import { DEVICE_CLASS_LABELS, type DeviceClass } from '../../../common/framework.ts'
import { DataTable } from '../../components/data-table.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'

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

/**
 * The network dashboard for network administrators: products exposed to known-exploited
 * vulnerabilities (CISA KEV), in all, by manufacturer and by device class (counts only).
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
    </Stack>
  )
}
