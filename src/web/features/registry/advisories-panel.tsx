import { Anchor, Badge, Table, Text, VisuallyHidden } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import type { PublicAdvisory } from '../../../common/api/vex.ts'
import { DataTable } from '../../components/data-table.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, QueryState } from '../../components/query-state.tsx'
import { api, apiUrl } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { isLabelId as isUuid, REGISTRY_KEY } from './registry-api.ts'

const KIND_WORDS: Record<PublicAdvisory['kind'], string> = {
  csaf: 'CSAF advisory',
  cyclonedx: 'CycloneDX VEX',
}

const fileUrl = (productId: string, advisory: PublicAdvisory) =>
  apiUrl(
    `/registry/products/${encodeURIComponent(productId)}/advisories/${encodeURIComponent(advisory.id)}/file`,
  )

/**
 * The manufacturer's published security advisories of the product (CSAF 2.0 and CycloneDX VEX),
 * every version and revision, newest first, each downloadable as issued. Public.
 */
export function AdvisoriesPanel({ productId, version }: { productId: string; version: string }) {
  // A label may name a product registered elsewhere (any text): only the network's own products
  // (UUIDs) can have advisories published here.
  const ours = isUuid(productId)
  const query = useQuery({
    queryKey: [...REGISTRY_KEY, 'advisories', productId],
    queryFn: () =>
      api.get<PublicAdvisory[]>(`/registry/products/${encodeURIComponent(productId)}/advisories`),
    enabled: ours,
    staleTime: 0,
    refetchInterval: 60_000,
  })
  const none = (
    <Empty title="No advisories published">
      The manufacturer has not published a CSAF advisory or a VEX document for this product through
      the network. That alone does not mean it has no vulnerabilities: see Known vulnerabilities
      above.
    </Empty>
  )
  return (
    <Panel title="Manufacturer’s security advisories">
      {!ours ? (
        none
      ) : (
        <QueryState query={query} loadingLabel="Loading the advisories…" empty={none}>
          {(advisories) => (
            <>
              <Text size="sm">
                What the manufacturer states about vulnerabilities in its product: which versions
                are affected, fixed or not affected, and why. Machine-readable, as published.
              </Text>
              <DataTable
                rows={advisories}
                rowKey={(a) => a.id}
                minWidth={640}
                columns={['Document', 'Product version', 'Revision', 'Published', 'Download']}
              >
                {(a) => (
                  <>
                    <Table.Th scope="row">
                      <Text size="sm" fw={600}>
                        {a.trackingId}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {KIND_WORDS[a.kind]}
                      </Text>
                    </Table.Th>
                    <Table.Td>
                      {a.productVersion}{' '}
                      {a.productVersion === version && (
                        <Badge variant="light" size="sm">
                          this label
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{a.version}</Table.Td>
                    <Table.Td>{formatDate(a.publishedAt)}</Table.Td>
                    <Table.Td>
                      <Anchor href={fileUrl(productId, a)} download>
                        <IconDownload
                          size={16}
                          aria-hidden
                          style={{ verticalAlign: 'text-bottom', marginRight: 4 }}
                        />
                        Download
                        <VisuallyHidden>
                          {' '}
                          {KIND_WORDS[a.kind]} {a.trackingId} revision {a.version} (JSON)
                        </VisuallyHidden>
                      </Anchor>
                    </Table.Td>
                  </>
                )}
              </DataTable>
            </>
          )}
        </QueryState>
      )}
    </Panel>
  )
}
