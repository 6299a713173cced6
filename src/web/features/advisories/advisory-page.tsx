import { Alert, Anchor, Badge, Group, List, Stack, Table, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import {
  ADVISORY_SOURCES,
  type Advisory,
  type AdvisorySourceKind,
} from '../../../common/api/advisories.ts'
import { isAppError } from '../../../common/errors.ts'
import { NotFoundPage } from '../../app/error-pages.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { AdvisoryList } from './advisory-list.tsx'
import { advisoryPath, kevDates, rangeText, webUrl, words } from './advisory-text.ts'

const SOURCE_NAMES: Record<AdvisorySourceKind, string> = {
  osv: 'OSV',
  csaf: 'CSAF',
  kev: 'CISA KEV',
}

/**
 * The public page of one advisory as the network imported it: what it says, the packages or
 * products it names, and for CSAF the vendor's remediations per vulnerability.
 */
export function AdvisoryPage() {
  const { source = '', advisoryId = '' } = useParams()
  const known = (ADVISORY_SOURCES as readonly string[]).includes(source)
  const query = useQuery({
    queryKey: ['advisory', source, advisoryId],
    // The page's own path is the API's, under its prefix.
    queryFn: () => api.get<Advisory>(advisoryPath(source as AdvisorySourceKind, advisoryId)),
    enabled: known,
  })
  if (!known || (query.isError && isAppError(query.error, 'not_found'))) return <NotFoundPage />
  return (
    <Page
      title={advisoryId}
      description={query.data?.title ?? query.data?.summary ?? undefined}
      size="xl"
    >
      <QueryState query={query} loadingLabel="Loading the advisory…">
        {(advisory) => (
          <>
            <KnownExploited entries={advisory.knownExploited} />
            <Facts advisory={advisory} />
            {advisory.kev && <KevPanel kev={advisory.kev} />}
            {advisory.affected && <AffectedPackages affected={advisory.affected} />}
            {advisory.vulnerabilities && <CsafVulnerabilities advisory={advisory} />}
            {advisory.related.length > 0 && (
              <Panel title="Other records of the same vulnerability">
                <AdvisoryList advisories={advisory.related} />
              </Panel>
            )}
            <References references={advisory.references} />
          </>
        )}
      </QueryState>
    </Page>
  )
}

function Facts({ advisory }: { advisory: Advisory }) {
  const rows: [string, ReactNode][] = [
    ['Source', SOURCE_NAMES[advisory.source]],
    [
      'State',
      <Group gap="xs" key="state">
        <Badge color={advisory.state === 'active' ? 'teal' : 'gray'} variant="light">
          {advisory.state}
        </Badge>
        {advisory.withdrawnAt && <Text size="sm">since {formatDate(advisory.withdrawnAt)}</Text>}
      </Group>,
    ],
    [
      'Severity',
      `${advisory.severity ?? 'unrated'}${advisory.cvssScore === null ? '' : ` (CVSS ${advisory.cvssScore})`}`,
    ],
    ['Also known as', advisory.aliases.length > 0 ? advisory.aliases.join(', ') : '—'],
    ['Published', formatDate(advisory.published)],
    ['Modified', formatDate(advisory.modified)],
  ]
  if (advisory.publisher) rows.push(['Publisher', advisory.publisher])
  if (advisory.category) rows.push(['Category', advisory.category])
  return (
    <Panel title="Advisory">
      <Table>
        <Table.Tbody>
          {rows.map(([name, value]) => (
            <Table.Tr key={name}>
              <Table.Th scope="row" w={180}>
                {name}
              </Table.Th>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {advisory.summary && advisory.summary !== advisory.title && (
        <Text size="sm" style={{ whiteSpace: 'pre-line' }}>
          {advisory.summary}
        </Text>
      )}
    </Panel>
  )
}

/** The advisory's CVEs in CISA's KEV catalogue now: said first, as the reason to act. */
function KnownExploited({ entries }: { entries: Advisory['knownExploited'] }) {
  if (entries.length === 0) return null
  return (
    <Alert color="red" title="Known exploited" role="status">
      <Stack gap={4}>
        {entries.map((k) => (
          <Text size="sm" key={k.cve}>
            <Anchor component={Link} to={advisoryPath('kev', k.cve)} size="sm">
              {k.cve}
            </Anchor>{' '}
            is in CISA's catalogue of known exploited vulnerabilities: {kevDates(k)}.
          </Text>
        ))}
      </Stack>
    </Alert>
  )
}

function KevPanel({ kev }: { kev: NonNullable<Advisory['kev']> }) {
  return (
    <Panel title="Known exploited (CISA KEV)">
      <Text size="sm">
        <strong>{kev.vulnerabilityName}</strong> — {kev.vendorProject} {kev.product};{' '}
        {kevDates(kev)}.
      </Text>
      <Text size="sm">Required action: {kev.requiredAction}</Text>
    </Panel>
  )
}

function AffectedPackages({ affected }: { affected: NonNullable<Advisory['affected']> }) {
  return (
    <Panel title="Affected packages">
      <DataTable
        rows={affected}
        rowKey={(a) => `${a.ecosystem}/${a.name}/${a.purl ?? ''}`}
        columns={['Package', 'Affected ranges', 'Listed versions']}
        minWidth={640}
      >
        {(a) => (
          <>
            <Table.Td>
              <Text size="sm" fw={600}>
                {a.name}
              </Text>
              <Text size="xs" c="dimmed">
                {a.ecosystem}
                {a.purl ? ` · ${a.purl}` : ''}
              </Text>
            </Table.Td>
            <Table.Td>
              {a.ranges.length === 0 ? (
                '—'
              ) : (
                <Stack gap={2}>
                  {a.ranges.map((r, i) => (
                    <Text size="sm" key={i}>
                      {rangeText(r)}
                    </Text>
                  ))}
                </Stack>
              )}
            </Table.Td>
            <Table.Td>
              {a.versions.length === 0
                ? '—'
                : `${a.versions.length}: ${a.versions.slice(0, 8).join(', ')}${a.versions.length > 8 ? ', …' : ''}`}
            </Table.Td>
          </>
        )}
      </DataTable>
    </Panel>
  )
}

/** A CSAF document's vulnerabilities: their product statuses counted, and the remediations. */
function CsafVulnerabilities({ advisory }: { advisory: Advisory }) {
  const names = new Map((advisory.products ?? []).map((p) => [p.productId, p.name]))
  const productList = (ids: readonly string[]) => {
    const shown = ids.slice(0, 5).map((id) => names.get(id) ?? id)
    return `${shown.join('; ')}${ids.length > 5 ? `; and ${ids.length - 5} more` : ''}`
  }
  return (
    <>
      {(advisory.vulnerabilities ?? []).map((v, index) => {
        const counts = new Map<string, number>()
        for (const s of v.statuses) counts.set(s.status, (counts.get(s.status) ?? 0) + 1)
        return (
          <Panel key={`${v.cve ?? ''}-${index}`} title={v.cve ?? `Vulnerability ${index + 1}`}>
            {(v.title || v.cwe) && (
              <Text size="sm">
                {v.title}
                {v.cwe && <Text span c="dimmed">{` (${v.cwe})`}</Text>}
              </Text>
            )}
            <Text size="sm">
              Products:{' '}
              {counts.size === 0
                ? 'none listed'
                : [...counts].map(([status, n]) => `${n} ${words(status)}`).join(', ')}
            </Text>
            {v.remediations.length > 0 && (
              <List
                spacing="xs"
                size="sm"
                aria-label={`Remediations for ${v.cve ?? 'this vulnerability'}`}
              >
                {v.remediations.map((r, i) => {
                  const url = webUrl(r.url)
                  return (
                    <List.Item key={i}>
                      <Text size="sm" span fw={600}>
                        {words(r.category)}:
                      </Text>{' '}
                      <Text size="sm" span style={{ whiteSpace: 'pre-line' }}>
                        {r.details}
                      </Text>
                      {url && (
                        <>
                          {' '}
                          <Anchor href={url} target="_blank" rel="noopener noreferrer" size="sm">
                            {url}
                          </Anchor>
                        </>
                      )}
                      {r.productIds.length > 0 && (
                        <Text size="xs" c="dimmed">
                          For {productList(r.productIds)}
                        </Text>
                      )}
                    </List.Item>
                  )
                })}
              </List>
            )}
          </Panel>
        )
      })}
    </>
  )
}

function References({ references }: { references: unknown[] }) {
  const links = references.flatMap((ref) => {
    const r = (ref ?? {}) as { url?: unknown; type?: unknown; summary?: unknown }
    const url = webUrl(r.url)
    if (!url) return []
    const label =
      typeof r.summary === 'string' ? r.summary : typeof r.type === 'string' ? r.type : ''
    return [{ url, label }]
  })
  if (links.length === 0) return null
  return (
    <Panel title="References">
      <List spacing={4} size="sm">
        {links.map((l, i) => (
          <List.Item key={i}>
            {l.label && <Text span size="sm" c="dimmed">{`${l.label}: `}</Text>}
            <Anchor href={l.url} target="_blank" rel="noopener noreferrer" size="sm">
              {l.url}
            </Anchor>
          </List.Item>
        ))}
      </List>
    </Panel>
  )
}
