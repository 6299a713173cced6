import {
  Anchor,
  Button,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { IconSearch, IconX } from '@tabler/icons-react'
import { useEffect, useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'react-router'
import type { LabelStatus } from '../../../common/api/labels.ts'
import {
  REGISTRY_MAX_OFFSET,
  type RegistryEntry,
  type RegistryQuery,
} from '../../../common/api/registry.ts'
import {
  DEVICE_CLASSES,
  DEVICE_CLASS_LABELS,
  VERIFICATION_STRENGTH_LABELS,
} from '../../../common/framework.ts'
import { Page } from '../../components/page.tsx'
import { Pager } from '../../components/pager.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { formatDate } from '../../lib/format.ts'
import { parseDeviceClass, parseTier, useFrameworkOverview } from '../framework/framework-api.ts'
import { TierBadge, tierLabel } from '../framework/framework-ui.tsx'
import { STATUS_LABELS, useRegistrySearch } from './registry-api.ts'
import { StandardBadges, StatusBadge } from './registry-ui.tsx'

const PAGE_SIZE = 20
const FILTER_KEYS = ['q', 'manufacturer', 'deviceClass', 'tier', 'status', 'standard'] as const
const STATUSES = Object.keys(STATUS_LABELS) as LabelStatus[]
const STANDARD = /^[a-z0-9][a-z0-9-]{0,60}(:[A-Za-z0-9][A-Za-z0-9._-]{0,40})?$/

/** The registry query the address bar describes; anything unexpected is left out. */
function useRegistryQuery(): RegistryQuery {
  const [params] = useSearchParams()
  const status = params.get('status') as LabelStatus | null
  const standard = params.get('standard')
  const offset = Number(params.get('offset') ?? 0)
  const text = (key: string) => params.get(key)?.trim().slice(0, 200) || undefined
  const query: RegistryQuery = { limit: PAGE_SIZE }
  const q = text('q')
  const manufacturer = text('manufacturer')
  const deviceClass = parseDeviceClass(params.get('deviceClass'))
  const tier = parseTier(params.get('tier'))
  if (q) query.q = q
  if (manufacturer) query.manufacturer = manufacturer
  if (deviceClass) query.deviceClass = deviceClass
  if (tier) query.tier = tier
  if (status && STATUSES.includes(status)) query.status = status
  if (standard && STANDARD.test(standard)) query.standard = standard
  if (Number.isInteger(offset) && offset > 0 && offset <= 10_000) query.offset = offset
  return query
}

function SearchForm() {
  const [params, setParams] = useSearchParams()
  const [q, setQ] = useState(params.get('q') ?? '')
  const [manufacturer, setManufacturer] = useState(params.get('manufacturer') ?? '')
  const overview = useFrameworkOverview()

  // Links and the back button change the address: show what it says.
  useEffect(() => {
    setQ(params.get('q') ?? '')
    setManufacturer(params.get('manufacturer') ?? '')
  }, [params])

  const update = (changes: Record<string, string | null>) =>
    setParams((current) => {
      const next = new URLSearchParams(current)
      for (const [key, value] of Object.entries(changes)) {
        if (value) next.set(key, value)
        else next.delete(key)
      }
      next.delete('offset')
      return next
    })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    update({ q: q.trim(), manufacturer: manufacturer.trim() })
  }
  const active = FILTER_KEYS.some((key) => params.get(key))
  const standards = (overview.data?.schemes ?? []).flatMap((scheme) => [
    { value: scheme.scheme, label: `${scheme.title} (any level)` },
    ...scheme.levels.map((level) => ({
      value: `${scheme.scheme}:${level.id}`,
      label: `${scheme.title}: ${level.title}`,
    })),
  ])

  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={submit} role="search" aria-label="Search the registry">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Product, model or version"
              placeholder="e.g. FieldSense or FS-200"
              type="search"
              maxLength={200}
              value={q}
              onChange={(e) => setQ(e.currentTarget.value)}
            />
            <TextInput
              label="Manufacturer"
              placeholder="Part of the name"
              type="search"
              maxLength={200}
              value={manufacturer}
              onChange={(e) => setManufacturer(e.currentTarget.value)}
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
            <NativeSelect
              label="Device class"
              value={params.get('deviceClass') ?? ''}
              onChange={(e) => update({ deviceClass: e.currentTarget.value })}
              data={[
                { value: '', label: 'Any device class' },
                ...DEVICE_CLASSES.map((c) => ({ value: c, label: DEVICE_CLASS_LABELS[c] })),
              ]}
            />
            <NativeSelect
              label="Tier"
              value={params.get('tier') ?? ''}
              onChange={(e) => update({ tier: e.currentTarget.value })}
              data={[
                { value: '', label: 'Any tier' },
                ...[1, 2, 3, 4].map((t) => ({ value: String(t), label: tierLabel(t) })),
              ]}
            />
            <NativeSelect
              label="Status"
              value={params.get('status') ?? ''}
              onChange={(e) => update({ status: e.currentTarget.value })}
              data={[
                { value: '', label: 'Any status' },
                ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
              ]}
            />
            <NativeSelect
              label="Standard reached"
              value={params.get('standard') ?? ''}
              onChange={(e) => update({ standard: e.currentTarget.value })}
              data={[{ value: '', label: 'Any standard' }, ...standards]}
            />
          </SimpleGrid>
          <Group gap="sm">
            <Button type="submit" leftSection={<IconSearch size={16} aria-hidden />}>
              Search
            </Button>
            {active && (
              <Button
                variant="subtle"
                leftSection={<IconX size={16} aria-hidden />}
                onClick={() => setParams(new URLSearchParams())}
              >
                Clear search and filters
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Paper>
  )
}

function ResultCard({ entry }: { entry: RegistryEntry }) {
  return (
    <Paper withBorder p="md" radius="md" component="li" style={{ listStyle: 'none' }}>
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" gap="xs">
          <Stack gap={0}>
            <Title order={2} size="h4">
              <Anchor component={Link} to={`/registry/${entry.labelId}`}>
                {entry.productName} {entry.version}
              </Anchor>
            </Title>
            <Text size="sm" c="dimmed">
              {entry.manufacturer}
              {entry.modelNumbers.length > 0 && ` · ${entry.modelNumbers.join(', ')}`}
            </Text>
          </Stack>
          <Group gap={6}>
            <TierBadge tier={entry.tier} />
            <StatusBadge status={entry.status} />
          </Group>
        </Group>
        {entry.status !== 'active' && entry.statusReason && (
          <Text size="sm">
            <Text span fw={600}>
              Reason:
            </Text>{' '}
            {entry.statusReason}
          </Text>
        )}
        <Text size="sm">
          {DEVICE_CLASS_LABELS[entry.deviceClass]} ·{' '}
          {VERIFICATION_STRENGTH_LABELS[entry.verificationStrength]} by {entry.assessor} · support
          until {formatDate(entry.supportPeriodEnd)}
        </Text>
        <StandardBadges standards={entry.standards} />
      </Stack>
    </Paper>
  )
}

function Results() {
  const query = useRegistryQuery()
  const [params, setParams] = useSearchParams()
  const search = useRegistrySearch(query)
  const filtered = FILTER_KEYS.some((key) => params.get(key))
  if (search.isPending) return <Loading label="Searching the registry…" />
  if (search.isError) {
    return <LoadError error={search.error} onRetry={() => void search.refetch()} />
  }
  const { items, total, totalExact, offset } = search.data
  const totalText = totalExact ? String(total) : `more than ${total.toLocaleString()}`
  if (total === 0) {
    return filtered ? (
      <Empty title="No labels match">Try fewer words or clear a filter.</Empty>
    ) : (
      <Empty title="No labels have been issued yet">
        Labels appear here as soon as an assessor approves a product’s assessment.
      </Empty>
    )
  }
  const goTo = (next: number) =>
    setParams((current) => {
      const copy = new URLSearchParams(current)
      if (next > 0) copy.set('offset', String(next))
      else copy.delete('offset')
      return copy
    })
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed" role="status" aria-live="polite">
        {items.length === 0
          ? `No labels on this page (${totalText} in all).`
          : `Showing ${offset + 1}–${offset + items.length} of ${totalText} label${total === 1 ? '' : 's'}`}
      </Text>
      <Stack gap="sm" component="ul" p={0} m={0} aria-label="Labels">
        {items.map((entry) => (
          <ResultCard key={entry.labelId} entry={entry} />
        ))}
      </Stack>
      <Pager
        offset={offset}
        pageSize={PAGE_SIZE}
        total={total}
        onChange={goTo}
        // Past a capped count ("more than …") a next page exists while this one is full.
        hasNext={
          totalExact
            ? offset + PAGE_SIZE < total
            : items.length === PAGE_SIZE && offset + PAGE_SIZE <= REGISTRY_MAX_OFFSET
        }
      />
    </Stack>
  )
}

/** /registry: the public registry of labels, searchable by anyone without an account. */
export function RegistryPage() {
  return (
    <Page
      title="Registry"
      description={
        <>
          Every label the network has issued, with its status today. Open a product to see why a
          label is suspended or revoked, how long the product gets security updates, and who to tell
          about a vulnerability — or{' '}
          <Anchor component={Link} to="/verify" underline="always">
            verify a label
          </Anchor>{' '}
          you have been given.
        </>
      }
    >
      <SearchForm />
      <Results />
    </Page>
  )
}
