import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core'
import { useInfiniteQuery, useMutation } from '@tanstack/react-query'
import {
  IconChevronDown,
  IconChevronRight,
  IconShieldCheck,
  IconShieldX,
} from '@tabler/icons-react'
import { Fragment, useState, type ChangeEvent, type FormEvent } from 'react'
import type { Static } from 'typebox'
import type {
  AuditEntry,
  AuditPage,
  AuditQuery,
  AuditVerificationSchema,
} from '../../common/api/admin.ts'
import { api } from '../lib/api.ts'
import { formatDateTime } from '../lib/format.ts'
import { LoadError, Loading, Empty } from './query-state.tsx'

type AuditVerification = Static<typeof AuditVerificationSchema>

interface Filters {
  action: string
  actorId: string
  organisationId: string
  targetId: string
  from: string
  to: string
}

const NO_FILTERS: Filters = {
  action: '',
  actorId: '',
  organisationId: '',
  targetId: '',
  from: '',
  to: '',
}

const PAGE_SIZE = 50

/** Form values → API query: dates are whole local days, blank fields are left out. */
function toQuery(filters: Filters): Omit<AuditQuery, 'before' | 'limit'> {
  const day = (value: string, time: string) =>
    value ? new Date(`${value}T${time}`).toISOString() : undefined
  return {
    action: filters.action.trim() || undefined,
    actorId: filters.actorId.trim() || undefined,
    organisationId: filters.organisationId.trim() || undefined,
    targetId: filters.targetId.trim() || undefined,
    from: day(filters.from, '00:00:00'),
    to: day(filters.to, '23:59:59.999'),
  }
}

function Actor({ entry }: { entry: AuditEntry }) {
  const label = entry.actorLabel ?? entry.actorId
  return (
    <Stack gap={2}>
      <Group gap={6} wrap="nowrap">
        <Text size="sm">{label ?? '—'}</Text>
        {entry.actorType !== 'user' && (
          <Badge size="xs" variant="light" color="gray">
            {entry.actorType.replace('_', ' ')}
          </Badge>
        )}
      </Group>
      {entry.actorId && entry.actorLabel && (
        <Text size="xs" c="dimmed" ff="monospace">
          {entry.actorId}
        </Text>
      )}
    </Stack>
  )
}

function EntryDetails({ entry }: { entry: AuditEntry }) {
  const facts: [string, string | null][] = [
    ['Sequence', String(entry.seq)],
    ['Time (UTC)', entry.at],
    ['Actor id', entry.actorId],
    ['Organisation id', entry.organisationId],
    ['Client address', entry.ip],
    ['Request id', entry.requestId],
    ['Hash', entry.hash],
    ['Previous hash', entry.prevHash],
  ]
  return (
    <Stack gap="sm" py="xs">
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs" verticalSpacing={4}>
        {facts.map(([label, value]) => (
          <Group key={label} gap={6} wrap="nowrap" align="flex-start">
            <Text size="xs" fw={600} miw={110}>
              {label}
            </Text>
            <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              {value ?? '—'}
            </Text>
          </Group>
        ))}
      </SimpleGrid>
      <Code block>{JSON.stringify(entry.details, null, 2)}</Code>
    </Stack>
  )
}

function VerifyChain() {
  const verify = useMutation({
    mutationFn: () => api.get<AuditVerification>('/admin/audit/verify'),
  })
  const result = verify.data
  return (
    <Stack gap="xs">
      <Group>
        <Button
          variant="light"
          leftSection={<IconShieldCheck size={18} aria-hidden />}
          loading={verify.isPending}
          onClick={() => verify.mutate()}
        >
          Verify chain
        </Button>
        <Text size="sm" c="dimmed">
          Recomputes every entry’s hash and checks that each links to the one before.
        </Text>
      </Group>
      {verify.isError && <LoadError error={verify.error} />}
      {result && (
        <Alert
          role="status"
          color={result.ok ? 'teal' : 'red'}
          icon={result.ok ? <IconShieldCheck aria-hidden /> : <IconShieldX aria-hidden />}
          title={result.ok ? 'The audit chain is intact' : 'The audit chain is broken'}
        >
          {result.ok
            ? `Checked ${result.checked} entries, up to entry #${result.headSeq}.`
            : `Checked ${result.checked} entries; entry #${result.broken?.seq ?? '?'} does not match: ${
                result.broken?.reason ?? 'no reason given'
              }. Investigate before trusting later entries.`}
        </Alert>
      )}
    </Stack>
  )
}

interface AuditLogProps {
  /** API path of the log, e.g. `/admin/audit` or `/organisations/<id>/audit`. */
  path: string
  queryKey: readonly unknown[]
  withOrganisationFilter?: boolean
  withVerify?: boolean
}

/** The hash-chained audit log, newest first, with filters and "Load older". */
export function AuditLog({ path, queryKey, withOrganisationFilter, withVerify }: AuditLogProps) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS)
  const [applied, setApplied] = useState<Filters>(NO_FILTERS)
  const [expanded, setExpanded] = useState<Set<number>>(new Set())

  const log = useInfiniteQuery({
    queryKey: [...queryKey, applied],
    queryFn: ({ pageParam }) =>
      api.get<AuditPage>(path, { ...toQuery(applied), before: pageParam, limit: PAGE_SIZE }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  })

  function submit(event: FormEvent) {
    event.preventDefault()
    setApplied(draft)
  }

  function toggle(seq: number) {
    setExpanded((current) => {
      const next = new Set(current)
      if (next.has(seq)) next.delete(seq)
      else next.add(seq)
      return next
    })
  }

  const field = (name: keyof Filters) => ({
    value: draft[name],
    onChange: (event: ChangeEvent<HTMLInputElement>) => {
      const value = event.currentTarget.value
      setDraft((current) => ({ ...current, [name]: value }))
    },
  })

  const entries = log.data?.pages.flatMap((page) => page.entries) ?? []
  return (
    <Stack>
      {withVerify && <VerifyChain />}
      <Paper withBorder p="md" radius="md">
        <form onSubmit={submit} aria-label="Audit log filters">
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
              <TextInput
                label="Action"
                placeholder="e.g. session. or invitation.created"
                title="An exact action, or a family ending in a dot"
                {...field('action')}
              />
              <TextInput label="Actor id" {...field('actorId')} />
              {withOrganisationFilter && (
                <TextInput label="Organisation id" {...field('organisationId')} />
              )}
              <TextInput label="Target id" {...field('targetId')} />
              <TextInput label="From" type="date" {...field('from')} />
              <TextInput label="To" type="date" {...field('to')} />
            </SimpleGrid>
            <Group gap="sm">
              <Button type="submit">Apply filters</Button>
              <Button
                variant="default"
                onClick={() => {
                  setDraft(NO_FILTERS)
                  setApplied(NO_FILTERS)
                }}
              >
                Clear filters
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>

      {log.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : log.isError && entries.length === 0 ? (
        <LoadError error={log.error} onRetry={() => void log.refetch()} />
      ) : entries.length === 0 ? (
        <Empty title="No audit entries">Nothing matches these filters.</Empty>
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="xs" aria-label="Audit log entries">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>
                    <VisuallyHidden>Details</VisuallyHidden>
                  </Table.Th>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Actor</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Request id</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((entry) => {
                  const open = expanded.has(entry.seq)
                  return (
                    <Fragment key={entry.seq}>
                      <Table.Tr>
                        <Table.Td w={44}>
                          <Button
                            variant="subtle"
                            size="compact-sm"
                            px={4}
                            aria-expanded={open}
                            aria-label={`Details of entry ${entry.seq}`}
                            onClick={() => toggle(entry.seq)}
                          >
                            {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
                          </Button>
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <Text size="sm" title={entry.at}>
                            {formatDateTime(entry.at)}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Actor entry={entry} />
                        </Table.Td>
                        <Table.Td>
                          <Code>{entry.action}</Code>
                        </Table.Td>
                        <Table.Td>
                          {entry.targetType || entry.targetId ? (
                            <Stack gap={2}>
                              {entry.targetType && <Text size="sm">{entry.targetType}</Text>}
                              {entry.targetId && (
                                <Text size="xs" c="dimmed" ff="monospace">
                                  {entry.targetId}
                                </Text>
                              )}
                            </Stack>
                          ) : (
                            '—'
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Text size="xs" ff="monospace">
                            {entry.requestId ?? '—'}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                      {open && (
                        <Table.Tr>
                          <Table.Td colSpan={6} bg="var(--mantine-color-default-hover)">
                            <EntryDetails entry={entry} />
                          </Table.Td>
                        </Table.Tr>
                      )}
                    </Fragment>
                  )
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {log.isError && <LoadError error={log.error} />}
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {entries.length} {entries.length === 1 ? 'entry' : 'entries'} shown, newest first
            </Text>
            {log.hasNextPage && (
              <Button
                variant="default"
                loading={log.isFetchingNextPage}
                onClick={() => void log.fetchNextPage()}
              >
                Load older
              </Button>
            )}
          </Group>
        </Stack>
      )}
    </Stack>
  )
}
