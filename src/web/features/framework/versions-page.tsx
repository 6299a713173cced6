import {
  Anchor,
  Badge,
  Code,
  Group,
  List,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { Link, useSearchParams } from 'react-router'
import type {
  ChangeLogSchema,
  FrameworkDiff,
  FrameworkVersion,
} from '../../../common/api/framework.ts'
import type { Static } from 'typebox'
import { DataTable } from '../../components/data-table.tsx'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDate, formatDateTime } from '../../lib/format.ts'
import {
  catalogueShortName,
  FRAMEWORK_KEY,
  FRAMEWORK_STALE_TIME,
  itemPath,
  parseVersion,
  requirementPath,
} from './framework-api.ts'
import { FrameworkNav, tierLabel } from './framework-ui.tsx'

type ChangeLog = Static<typeof ChangeLogSchema>
type ChangeEntry = ChangeLog[number]['changes'][number]
type DiffLink = FrameworkDiff['mappings']['added'][number]

function StatusBadge({ status }: { status: string }) {
  return (
    <Badge variant="light" color={status === 'published' ? 'teal' : 'orange'}>
      {status === 'published' ? 'Published' : 'Draft'}
    </Badge>
  )
}

function RequirementLink({ id, version }: { id: string; version: string }) {
  return (
    <Anchor component={Link} to={requirementPath(id, version)} ff="monospace" size="sm">
      {id}
    </Anchor>
  )
}

function Versions({ versions }: { versions: FrameworkVersion[] }) {
  return (
    <DataTable
      rows={versions}
      rowKey={(v) => v.version}
      minWidth={720}
      verticalSpacing="sm"
      columns={['Version', 'Title', 'Status', 'Released', 'Loaded', 'Content hash']}
    >
      {(v) => (
        <>
          <Table.Td>
            <Group gap={6} wrap="nowrap">
              <Text fw={600} size="sm">
                {v.version}
              </Text>
              {v.current && (
                <Badge size="sm" variant="filled">
                  In service
                </Badge>
              )}
            </Group>
          </Table.Td>
          <Table.Td>{v.title}</Table.Td>
          <Table.Td>
            <StatusBadge status={v.status} />
          </Table.Td>
          <Table.Td>{v.released ? formatDate(v.released) : 'Not yet'}</Table.Td>
          <Table.Td>{formatDateTime(v.loadedAt)}</Table.Td>
          <Table.Td>
            <Code title={v.contentHash}>{v.contentHash.slice(0, 12)}…</Code>
          </Table.Td>
        </>
      )}
    </DataTable>
  )
}

const CHANGE_LABELS: Record<string, string> = {
  'requirement-added': 'Added',
  'requirement-removed': 'Removed',
  'requirement-replaced': 'Replaced',
  'requirement-reworded': 'Reworded',
  'requirement-retiered': 'Re-tiered',
  'requirement-changed': 'Changed',
  'mapping-added': 'Mapping added',
  'mapping-removed': 'Mapping removed',
  'mapping-changed': 'Mapping changed',
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function describeChange(entry: ChangeEntry, version: string): ReactNode {
  const extra = entry as Record<string, unknown>
  const fields = Array.isArray(extra.fields) ? extra.fields.map(String) : []
  const by = Array.isArray(extra.by) ? extra.by.map(String) : []
  const target = text(extra.target)
  return (
    <>
      <RequirementLink id={entry.requirement} version={version} />
      {fields.length > 0 && ` (${fields.join(', ')})`}
      {typeof extra.from === 'number' &&
        typeof extra.to === 'number' &&
        `: ${tierLabel(extra.from)} → ${tierLabel(extra.to)}`}
      {by.length > 0 && (
        <>
          {' by '}
          {by.map((id, index) => (
            <span key={id}>
              {index > 0 && ', '}
              <RequirementLink id={id} version={version} />
            </span>
          ))}
        </>
      )}
      {target && ` → ${target}`}
      {text(extra.relation) && ` (${text(extra.relation)}, ${text(extra.strength) ?? ''})`}
    </>
  )
}

function ChangeLogView({ log }: { log: ChangeLog }) {
  return (
    <Stack gap="md">
      {log.map((release) => (
        <Paper key={release.version} withBorder p="md" radius="md">
          <Stack gap="xs">
            <Group gap="xs">
              <Title order={3} size="h5">
                Version {release.version}
              </Title>
              <StatusBadge status={release.status} />
              <Text size="sm" c="dimmed">
                {release.released ? `released ${formatDate(release.released)}` : 'not released'}
                {release.previous ? ` · since ${release.previous}` : ' · first version'}
              </Text>
            </Group>
            {release.changes.length === 0 ? (
              <Text size="sm" c="dimmed">
                {release.previous
                  ? 'No changes to requirements or mappings.'
                  : 'The first version: every requirement is new.'}
              </Text>
            ) : (
              <List size="sm" spacing={4}>
                {release.changes.map((entry, index) => (
                  <List.Item key={index}>
                    <Badge size="sm" variant="light" color="gray" mr={6}>
                      {CHANGE_LABELS[entry.type] ?? entry.type}
                    </Badge>
                    {describeChange(entry, release.version)}
                  </List.Item>
                ))}
              </List>
            )}
          </Stack>
        </Paper>
      ))}
    </Stack>
  )
}

function IdList({ ids, version }: { ids: string[]; version: string }) {
  if (ids.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        None
      </Text>
    )
  }
  return (
    <Group gap={8} wrap="wrap">
      {ids.map((id) => (
        <RequirementLink key={id} id={id} version={version} />
      ))}
    </Group>
  )
}

function MappingList({ links, version }: { links: DiffLink[]; version: string }) {
  if (links.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        None
      </Text>
    )
  }
  return (
    <List size="sm" spacing={2}>
      {links.map((l) => (
        <List.Item key={`${l.requirement}:${l.catalogue}:${l.item}`}>
          <RequirementLink id={l.requirement} version={version} /> →{' '}
          <Anchor component={Link} to={itemPath(l.catalogue, l.item, version)} size="sm">
            {catalogueShortName(l.catalogue)} {l.item}
          </Anchor>{' '}
          ({l.relation}, {l.strength})
        </List.Item>
      ))}
    </List>
  )
}

function DiffSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap={4}>
      <Title order={3} size="h6">
        {title}
      </Title>
      {children}
    </Stack>
  )
}

function DiffView({ diff }: { diff: FrameworkDiff }) {
  const { requirements, mappings } = diff
  const renamed = Object.entries(diff.idMapping).filter(
    ([from, to]) => !(to.length === 1 && to[0] === from),
  )
  const nothing =
    diff.changes.length === 0 && renamed.length === 0 && requirements.changed.length === 0
  if (nothing) {
    return (
      <Empty title={`No differences between ${diff.from} and ${diff.to}`}>
        {diff.from === diff.to ? 'Choose two different versions to compare.' : undefined}
      </Empty>
    )
  }
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
      <Stack gap="md">
        <DiffSection title={`Requirements added (${requirements.added.length})`}>
          <IdList ids={requirements.added} version={diff.to} />
        </DiffSection>
        <DiffSection title={`Requirements removed (${requirements.removed.length})`}>
          <IdList ids={requirements.removed} version={diff.from} />
        </DiffSection>
        <DiffSection title={`Reworded (${requirements.reworded.length})`}>
          {requirements.reworded.length === 0 ? (
            <Text size="sm" c="dimmed">
              None
            </Text>
          ) : (
            <List size="sm" spacing={2}>
              {requirements.reworded.map((r) => (
                <List.Item key={r.id}>
                  <RequirementLink id={r.id} version={diff.to} /> ({r.fields.join(', ')})
                </List.Item>
              ))}
            </List>
          )}
        </DiffSection>
        <DiffSection title={`Re-tiered (${requirements.retiered.length})`}>
          {requirements.retiered.length === 0 ? (
            <Text size="sm" c="dimmed">
              None
            </Text>
          ) : (
            <List size="sm" spacing={2}>
              {requirements.retiered.map((r) => (
                <List.Item key={r.id}>
                  <RequirementLink id={r.id} version={diff.to} />: {tierLabel(r.from)} →{' '}
                  {tierLabel(r.to)}
                </List.Item>
              ))}
            </List>
          )}
        </DiffSection>
        <DiffSection title={`Other changes (${requirements.changed.length})`}>
          {requirements.changed.length === 0 ? (
            <Text size="sm" c="dimmed">
              None
            </Text>
          ) : (
            <List size="sm" spacing={2}>
              {requirements.changed.map((r) => (
                <List.Item key={r.id}>
                  <RequirementLink id={r.id} version={diff.to} /> ({r.fields.join(', ')})
                </List.Item>
              ))}
            </List>
          )}
        </DiffSection>
      </Stack>
      <Stack gap="md">
        <DiffSection title={`Mappings added (${mappings.added.length})`}>
          <MappingList links={mappings.added} version={diff.to} />
        </DiffSection>
        <DiffSection title={`Mappings removed (${mappings.removed.length})`}>
          <MappingList links={mappings.removed} version={diff.from} />
        </DiffSection>
        <DiffSection title={`Mappings changed (${mappings.changed.length})`}>
          <MappingList links={mappings.changed.map((c) => c.to)} version={diff.to} />
        </DiffSection>
        <DiffSection title={`Old → new ids (${renamed.length})`}>
          {renamed.length === 0 ? (
            <Text size="sm" c="dimmed">
              Every requirement of {diff.from} keeps its id in {diff.to}.
            </Text>
          ) : (
            <List size="sm" spacing={2}>
              {renamed.map(([from, to]) => (
                <List.Item key={from}>
                  <Code>{from}</Code> →{' '}
                  {to.length === 0 ? 'withdrawn' : <IdList ids={to} version={diff.to} />}
                </List.Item>
              ))}
            </List>
          )}
        </DiffSection>
      </Stack>
    </SimpleGrid>
  )
}

function Compare({ versions }: { versions: FrameworkVersion[] }) {
  const [params, setParams] = useSearchParams()
  const known = (v: string | undefined) =>
    v !== undefined && versions.some((x) => x.version === v) ? v : undefined
  // Newest first: by default compare the newest version with the one before it.
  const from =
    known(parseVersion(params.get('from'))) ?? versions[1]?.version ?? versions[0]?.version
  const to = known(parseVersion(params.get('to'))) ?? versions[0]?.version
  const diff = useQuery({
    queryKey: [...FRAMEWORK_KEY, 'diff', from, to],
    queryFn: () => api.get<FrameworkDiff>('/framework/diff', { from, to }),
    staleTime: FRAMEWORK_STALE_TIME,
    enabled: from !== undefined && to !== undefined,
  })
  const set = (key: 'from' | 'to', value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current)
        if (value) next.set(key, value)
        return next
      },
      { replace: true },
    )
  const options = versions.map((v) => ({ value: v.version, label: `${v.version} (${v.status})` }))
  return (
    <Panel title="Compare two versions" gap="md">
      {versions.length < 2 && (
        <Text size="sm" c="dimmed">
          Only one version is loaded so far, so there is nothing to compare yet.
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" maw={520}>
        <Select
          label="From version"
          allowDeselect={false}
          value={from ?? null}
          onChange={(value) => set('from', value)}
          data={options}
        />
        <Select
          label="To version"
          allowDeselect={false}
          value={to ?? null}
          onChange={(value) => set('to', value)}
          data={options}
        />
      </SimpleGrid>
      {from && to && (
        <QueryState query={diff} loadingLabel="Comparing…">
          {(data) => <DiffView diff={data} />}
        </QueryState>
      )}
    </Panel>
  )
}

/** /framework/versions — versions, change log and a diff between two of them. */
export function VersionsPage() {
  const versions = useQuery({
    queryKey: [...FRAMEWORK_KEY, 'versions'],
    queryFn: () => api.get<FrameworkVersion[]>('/framework/versions'),
    staleTime: FRAMEWORK_STALE_TIME,
  })
  const changelog = useQuery({
    queryKey: [...FRAMEWORK_KEY, 'changelog'],
    queryFn: () => api.get<ChangeLog>('/framework/changelog'),
    staleTime: FRAMEWORK_STALE_TIME,
  })
  return (
    <Page
      title="Versions and changes"
      documentTitle="Framework versions"
      size="xl"
      description="Every version of the framework loaded on this platform, what changed in each, and the differences between any two — including which old requirement ids became which new ones."
    >
      <FrameworkNav />
      <QueryState
        query={versions}
        loadingLabel="Loading versions…"
        empty={<Empty title="No framework version is loaded yet" />}
      >
        {(list) => (
          <Stack gap="lg">
            <Panel title="Versions" gap="sm">
              <Versions versions={list} />
            </Panel>
            <Compare versions={list} />
          </Stack>
        )}
      </QueryState>
      <Panel title="Change log" gap="sm">
        <QueryState
          query={changelog}
          loadingLabel="Loading the change log…"
          empty={<Text size="sm">No changes are recorded.</Text>}
        >
          {(log) => <ChangeLogView log={log} />}
        </QueryState>
      </Panel>
    </Page>
  )
}
