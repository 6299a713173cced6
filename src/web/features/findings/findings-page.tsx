import { Anchor, Checkbox, Select, SimpleGrid, Stack, Table, Text } from '@mantine/core'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useParams } from 'react-router'
import {
  FINDING_CONFIDENCES,
  FINDING_STATES,
  FINDING_STATUSES,
  type Finding,
  type FindingPage,
  type FindingQuery,
} from '../../../common/api/findings.ts'
import { isAppError } from '../../../common/errors.ts'
import { NotFoundPage } from '../../app/error-pages.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { Page } from '../../components/page.tsx'
import { Pager } from '../../components/pager.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { SearchInput, useSearch } from '../../components/search-input.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { advisoryPath } from '../advisories/advisory-text.ts'
import { TriageSummary } from '../vex/triage-summary.tsx'
import { VexPanel } from '../vex/vex-panel.tsx'

const PAGE = 50
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const
const ANY = ''
/** How the finding was matched, as the start of its reason. */
const MATCHED_BY_WORDS: Record<Finding['reason']['matchedBy'], string> = {
  purl: 'Package',
  cpe: 'CPE',
  vendor_product: 'Vendor and product',
}

const options = (values: readonly string[], any: string) => [
  { value: ANY, label: any },
  ...values.map((v) => ({ value: v, label: v.replace('_', ' ') })),
]

/**
 * A manufacturer's findings of one product version, with filters (docs/vulnerabilities.md,
 * "Findings"): state, status, severity, known-exploited only, confidence and text.
 */
export function FindingsPage() {
  const { orgId = '', productId = '', versionId = '' } = useParams()
  const search = useSearch()
  const [state, setState] = useState<string>('open')
  const [status, setStatus] = useState<string>(ANY)
  const [severity, setSeverity] = useState<string>(ANY)
  const [confidence, setConfidence] = useState<string>(ANY)
  const [kev, setKev] = useState(false)
  const [offset, setOffset] = useState(0)
  const query: FindingQuery = {
    state: state as FindingQuery['state'],
    ...(status ? { status: status as FindingQuery['status'] } : {}),
    ...(severity ? { severity } : {}),
    ...(confidence ? { confidence: confidence as FindingQuery['confidence'] } : {}),
    ...(kev ? { kev: true } : {}),
    ...(search.query ? { q: search.query } : {}),
    limit: PAGE,
    offset,
  }
  const findings = useQuery({
    queryKey: ['findings', orgId, versionId, query],
    queryFn: () =>
      api.get<FindingPage>(`/organisations/${orgId}/product-versions/${versionId}/findings`, {
        ...query,
      }),
    placeholderData: keepPreviousData,
  })
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value)
      setOffset(0)
    }

  if (findings.isError && isAppError(findings.error, 'not_found')) return <NotFoundPage />
  return (
    <Page
      title="Findings"
      documentTitle="Findings of a product version"
      description="Vulnerabilities the network matched against this version’s SBOM and registration, known-exploited (CISA KEV) first."
    >
      <Anchor
        component={Link}
        to={`/products/${orgId}/${productId}/versions/${versionId}`}
        size="sm"
      >
        ← The product version
      </Anchor>
      <Panel title="Filters">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
          <SearchInput
            label="Component, advisory, CVE or purl"
            search={{
              ...search,
              setText: (text) => {
                search.setText(text)
                setOffset(0)
              },
            }}
          />
          <Select
            label="State"
            data={FINDING_STATES.map((v) => ({ value: v, label: v }))}
            value={state}
            onChange={(v) => filter(setState)(v ?? 'open')}
            allowDeselect={false}
          />
          <Select
            label="Status"
            data={options(FINDING_STATUSES, 'Any status')}
            value={status}
            onChange={(v) => filter(setStatus)(v ?? ANY)}
            allowDeselect={false}
          />
          <Select
            label="Severity"
            data={options(SEVERITIES, 'Any severity')}
            value={severity}
            onChange={(v) => filter(setSeverity)(v ?? ANY)}
            allowDeselect={false}
          />
          <Select
            label="Confidence"
            data={options(FINDING_CONFIDENCES, 'Any confidence')}
            value={confidence}
            onChange={(v) => filter(setConfidence)(v ?? ANY)}
            allowDeselect={false}
          />
          <Checkbox
            label="Known-exploited (CISA KEV) only"
            checked={kev}
            onChange={(e) => filter(setKev)(e.currentTarget.checked)}
            mt={{ base: 0, md: 'xl' }}
          />
        </SimpleGrid>
      </Panel>
      <Panel title="Results">
        {findings.isPending ? (
          <Loading label="Loading the findings…" />
        ) : findings.isError ? (
          <LoadError error={findings.error} onRetry={() => void findings.refetch()} />
        ) : (
          <Stack gap="sm">
            <Text size="sm" c="dimmed" role="status" aria-live="polite">
              {findings.data.total === 0
                ? 'No findings match.'
                : `${findings.data.total} finding${findings.data.total === 1 ? '' : 's'}; showing ${offset + 1}–${offset + findings.data.items.length}.`}
            </Text>
            <DataTable
              rows={findings.data.items}
              rowKey={(f) => f.id}
              minWidth={940}
              columns={[
                'Component',
                'Advisory',
                'Severity',
                'Known exploited',
                'Confidence',
                'Fixed in',
                'Triage',
                'Found',
              ]}
              empty={<Empty title="No findings">Nothing the filters select.</Empty>}
              striped
            >
              {(f) => (
                <>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {f.component.name} {f.component.version ?? ''}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {f.status === 'unknown' ? 'Needs review: ' : ''}
                      {MATCHED_BY_WORDS[f.reason.matchedBy]} {f.reason.key}: {f.reason.rule}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={advisoryPath(f.advisory.source, f.advisory.id)}
                      size="sm"
                    >
                      {f.advisory.id}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {f.cves.join(', ')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {f.severity ?? '—'}
                    {f.cvssScore !== null && ` (${f.cvssScore})`}
                  </Table.Td>
                  <Table.Td>
                    {f.kev ? (
                      <Stack gap={0}>
                        <Anchor
                          component={Link}
                          to={advisoryPath('kev', f.kev.cve)}
                          size="sm"
                          fw={700}
                          c="red.9"
                        >
                          {f.kev.cve}
                        </Anchor>
                        <Text size="xs" c="dimmed">
                          CISA KEV, due {f.kev.dueDate}
                          {f.kev.knownRansomwareCampaignUse === 'Known' && ', used in ransomware'}
                        </Text>
                      </Stack>
                    ) : (
                      'No'
                    )}
                  </Table.Td>
                  <Table.Td>{f.confidence}</Table.Td>
                  <Table.Td>{f.fixedVersion ?? '—'}</Table.Td>
                  <Table.Td>
                    <TriageSummary triage={f.triage} />
                  </Table.Td>
                  <Table.Td>
                    {formatDate(f.firstSeenAt)}
                    {f.resolvedAt && ` · resolved ${formatDate(f.resolvedAt)}`}
                  </Table.Td>
                </>
              )}
            </DataTable>
            <Pager
              offset={offset}
              pageSize={PAGE}
              total={findings.data.total}
              onChange={setOffset}
            />
          </Stack>
        )}
      </Panel>
      <VexPanel orgId={orgId} versionId={versionId} />
    </Page>
  )
}
