import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { IconInfoCircle, IconPlayerPlay, IconSearch } from '@tabler/icons-react'
import { useState } from 'react'
import type {
  AdvisoryImport,
  AdvisoryImportDetail,
  AdvisoryImportOverview,
  AdvisorySummary,
  RunImportResult,
} from '../../../common/api/advisories.ts'
import { DataTable } from '../../components/data-table.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { AdvisoryList } from './advisory-list.tsx'

const OVERVIEW_KEY = ['admin', 'advisory-imports'] as const

const STATUS_COLOURS: Record<AdvisoryImport['status'], string> = {
  running: 'blue',
  succeeded: 'teal',
  partial: 'orange',
  failed: 'red',
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—')

/** Who started an import, in words: the schedule, an administrator's "Import now", the CLI. */
function startedBy(triggeredBy: string): string {
  if (triggeredBy === 'job:schedule') return 'Schedule'
  if (triggeredBy.startsWith('job:user:')) return 'Import now'
  return triggeredBy.replace(/^job:/, '')
}

function ImportProblems({ importId, onClose }: { importId: number; onClose: () => void }) {
  const query = useQuery({
    queryKey: [...OVERVIEW_KEY, importId],
    queryFn: () => api.get<AdvisoryImportDetail>(`/admin/advisory-imports/${importId}`),
  })
  return (
    <Modal opened onClose={onClose} title={`Import #${importId}`} size="xl">
      <QueryState query={query}>
        {(detail) => (
          <Stack gap="sm">
            <Text size="sm">
              <Code>{detail.location}</Code> ({detail.sourceKind ?? 'unknown'}), started by{' '}
              {detail.triggeredBy}
            </Text>
            {detail.error && (
              <Alert color="red" variant="light">
                {detail.error}
              </Alert>
            )}
            <DataTable
              rows={detail.problems}
              rowKey={(p) => `${p.path}${p.pointer}${p.message}`}
              columns={['File', 'Where', 'Problem']}
              minWidth={640}
              empty={<Empty title="No problems" />}
              striped
            >
              {(p) => (
                <>
                  <Table.Td>
                    <Code>{p.path}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Code>{p.pointer || '/'}</Code>
                  </Table.Td>
                  <Table.Td>
                    {p.level === 'warning' && (
                      <Badge color="yellow" variant="light" mr="xs">
                        warning
                      </Badge>
                    )}
                    {p.message}
                  </Table.Td>
                </>
              )}
            </DataTable>
            {detail.counts.failed + detail.counts.warnings > detail.problems.length && (
              <Text size="sm" c="dimmed">
                The history keeps the first {detail.problems.length} problems; the counts are
                complete.
              </Text>
            )}
          </Stack>
        )}
      </QueryState>
    </Modal>
  )
}

function ImportHistory({
  overview,
  onQueued,
}: {
  overview: AdvisoryImportOverview
  /** The import was queued: follow the history until it shows. */
  onQueued: () => void
}) {
  const [open, setOpen] = useState<number | undefined>()
  const run = useNotifyingMutation<RunImportResult>({
    mutationFn: () => api.post<RunImportResult>('/admin/advisory-imports'),
    invalidates: [OVERVIEW_KEY],
    onSuccess: onQueued,
    success: (result) =>
      result.queued
        ? `Import of ${result.sources} sources queued`
        : 'An import is already queued or running',
    failure: 'Could not start the import',
  })
  return (
    <Panel title="Advisory imports">
      <Text size="sm" c="dimmed">
        OSV, CSAF and CISA KEV advisories are imported every 6 hours from the sources the operator
        configures (<Code>ADVISORY_SOURCES</Code>), and by <Code>isn advisories import</Code>.
      </Text>
      {overview.sources.length === 0 ? (
        <Alert color="blue" variant="light" icon={<IconInfoCircle aria-hidden />}>
          No sources are configured. The operator lists them in <Code>ADVISORY_SOURCES</Code> (paths
          or http(s) addresses, separated by <Code>;</Code>).
        </Alert>
      ) : (
        <Stack gap={4}>
          {overview.sources.map((s) => (
            <Text size="sm" key={s.location}>
              <Badge variant="outline" mr="xs">
                {s.format}
              </Badge>
              <Code>{s.location}</Code>
            </Text>
          ))}
        </Stack>
      )}
      <Group>
        <Button
          leftSection={<IconPlayerPlay size={16} aria-hidden />}
          onClick={() => run.mutate()}
          loading={run.isPending}
          disabled={overview.sources.length === 0}
        >
          Import now
        </Button>
        <Text size="sm" c="dimmed">
          Stored:{' '}
          {overview.stored.length === 0
            ? 'nothing yet'
            : overview.stored.map((s) => `${s.count} ${s.source} ${s.state}`).join(', ')}
        </Text>
      </Group>
      <DataTable
        rows={overview.imports}
        rowKey={(i) => String(i.id)}
        columns={[
          '#',
          'Started',
          'Source',
          'By',
          'Status',
          'New',
          'Changed',
          'Unchanged',
          'Withdrawn',
          'Failed',
          null,
        ]}
        minWidth={940}
        empty={<Empty title="No imports yet" />}
        striped
      >
        {(i) => (
          <>
            <Table.Td>{i.id}</Table.Td>
            <Table.Td>{when(i.startedAt)}</Table.Td>
            <Table.Td>
              <Text size="sm" lineClamp={1} title={i.location}>
                {i.location}
              </Text>
            </Table.Td>
            <Table.Td title={i.triggeredBy}>{startedBy(i.triggeredBy)}</Table.Td>
            <Table.Td miw={130}>
              <Badge color={STATUS_COLOURS[i.status]} variant="light">
                {i.status}
              </Badge>
            </Table.Td>
            <Table.Td>{i.counts.new}</Table.Td>
            <Table.Td>{i.counts.changed}</Table.Td>
            <Table.Td>{i.counts.unchanged}</Table.Td>
            <Table.Td>{i.counts.withdrawn + i.counts.removed}</Table.Td>
            <Table.Td>{i.counts.failed}</Table.Td>
            <Table.Td>
              <Anchor component="button" size="sm" onClick={() => setOpen(i.id)}>
                Details
              </Anchor>
            </Table.Td>
          </>
        )}
      </DataTable>
      {open !== undefined && <ImportProblems importId={open} onClose={() => setOpen(undefined)} />}
    </Panel>
  )
}

function AdvisoryLookup() {
  const [text, setText] = useState('')
  const [id, setId] = useState('')
  const query = useQuery({
    queryKey: ['advisories', id],
    queryFn: () => api.get<AdvisorySummary[]>('/advisories', { id }),
    enabled: id !== '',
  })
  return (
    <Panel title="Look up an advisory" onSubmit={() => setId(text.trim())}>
      <Group align="flex-end">
        <TextInput
          label="Advisory id or CVE"
          placeholder="CVE-2021-44228, GHSA-…, GO-2022-0969, ICSA-23-229-04"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          w={360}
        />
        <Button type="submit" leftSection={<IconSearch size={16} aria-hidden />}>
          Look up
        </Button>
      </Group>
      {id !== '' && (
        <QueryState query={query} empty={<Empty title={`Nothing is known as ${id}`} />}>
          {(found) => <AdvisoryList advisories={found} />}
        </QueryState>
      )}
    </Panel>
  )
}

/** The administration tab for advisories: import history, the import button and a lookup. */
export function AdvisoriesTab() {
  // After "Import now" the job waits in the queue for a moment: follow the history for a while.
  const [followUntil, setFollowUntil] = useState(0)
  const query = useQuery({
    queryKey: OVERVIEW_KEY,
    queryFn: () => api.get<AdvisoryImportOverview>('/admin/advisory-imports'),
    // An import runs in the background: follow it while one is running.
    refetchInterval: (q) =>
      q.state.data?.imports.some((i) => i.status === 'running') || Date.now() < followUntil
        ? 3000
        : false,
  })
  return (
    <Stack gap="lg">
      <QueryState query={query}>
        {(overview) => (
          <ImportHistory overview={overview} onQueued={() => setFollowUntil(Date.now() + 60_000)} />
        )}
      </QueryState>
      <AdvisoryLookup />
    </Stack>
  )
}
