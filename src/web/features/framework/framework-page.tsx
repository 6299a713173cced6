import {
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconDownload, IconSearch, IconX } from '@tabler/icons-react'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import type { FrameworkOverview, RequirementListSchema } from '../../../common/api/framework.ts'
import type { Static } from 'typebox'
import { DEVICE_CLASSES, SEARCH_TEXT_LIMIT, TIERS } from '../../../common/framework.ts'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import {
  catalogueShortName,
  exportUrl,
  FRAMEWORK_KEY,
  FRAMEWORK_STALE_TIME,
  parseDeviceClass,
  parseKind,
  parseTier,
  useFrameworkOverview,
  useVersionParam,
} from './framework-api.ts'
import {
  deviceClassLabel,
  Fact,
  FrameworkNav,
  RequirementCards,
  tierLabel,
} from './framework-ui.tsx'

type RequirementList = Static<typeof RequirementListSchema>

/** How many results are shown before "Show more". */
const PAGE_SIZE = 30

const FILTER_KEYS = ['tier', 'deviceClass', 'category', 'kind', 'standard'] as const

/** The filters of the address bar that the framework knows; anything else is left out. */
function useFilters(overview: FrameworkOverview | undefined) {
  const [params] = useSearchParams()
  const category = params.get('category') ?? undefined
  const standard = params.get('standard') ?? undefined
  return {
    q: params.get('q') ?? '',
    tier: parseTier(params.get('tier')),
    deviceClass: parseDeviceClass(params.get('deviceClass')),
    kind: parseKind(params.get('kind')),
    category: overview?.categories.some((c) => c.id === category) ? category : undefined,
    standard: overview?.catalogues.some((c) => c.catalogue === standard) ? standard : undefined,
  }
}

/** The search box: types freely, and writes the text to the address bar once typing pauses. */
function SearchBox() {
  const [params, setParams] = useSearchParams()
  const fromUrl = params.get('q') ?? ''
  const [text, setText] = useState(fromUrl)
  const [debounced] = useDebouncedValue(text, 300)
  const written = useRef(fromUrl)

  // Back and forward buttons, and links, change the address: show what it says.
  useEffect(() => {
    if (fromUrl !== written.current) setText(fromUrl)
    written.current = fromUrl
  }, [fromUrl])

  useEffect(() => {
    if (debounced.trim() === fromUrl.trim()) return
    written.current = debounced.trim() === '' ? '' : debounced
    setParams(
      (current) => {
        const next = new URLSearchParams(current)
        if (debounced.trim() === '') next.delete('q')
        else next.set('q', debounced)
        return next
      },
      { replace: true },
    )
    // Only a change of the typed text writes the address.
  }, [debounced])

  return (
    <TextInput
      label="Search requirements"
      description="Words from an id, title, statement, rationale or a mapped item such as “5.1-1”"
      placeholder="e.g. default password"
      leftSection={<IconSearch size={16} aria-hidden />}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      type="search"
      rightSection={
        text ? (
          <UnstyledButton
            aria-label="Clear the search"
            onClick={() => setText('')}
            style={{ display: 'flex' }}
          >
            <IconX size={16} aria-hidden />
          </UnstyledButton>
        ) : undefined
      }
    />
  )
}

function Filters({ overview }: { overview: FrameworkOverview | undefined }) {
  const [, setParams] = useSearchParams()
  const filters = useFilters(overview)
  const set = (key: (typeof FILTER_KEYS)[number], value: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current)
      if (value) next.set(key, value)
      else next.delete(key)
      return next
    })
  const active = FILTER_KEYS.some((key) => filters[key] !== undefined)
  return (
    <Stack gap="xs">
      <SimpleGrid cols={{ base: 1, xs: 2, lg: 3 }} spacing="sm">
        <Select
          label="Tier"
          placeholder="Any tier"
          clearable
          value={filters.tier ? String(filters.tier) : null}
          onChange={(value) => set('tier', value)}
          data={TIERS.map((tier) => ({ value: String(tier), label: tierLabel(tier) }))}
        />
        <Select
          label="Device class"
          placeholder="Any device class"
          clearable
          value={filters.deviceClass ?? null}
          onChange={(value) => set('deviceClass', value)}
          data={DEVICE_CLASSES.map((c) => ({ value: c, label: deviceClassLabel(c) }))}
        />
        <Select
          label="Category"
          placeholder="Any category"
          clearable
          searchable
          value={filters.category ?? null}
          onChange={(value) => set('category', value)}
          data={(overview?.categories ?? []).map((c) => ({
            value: c.id,
            label: `${c.id} · ${c.title}`,
          }))}
        />
        <Select
          label="Kind"
          placeholder="Technical and process"
          clearable
          value={filters.kind ?? null}
          onChange={(value) => set('kind', value)}
          data={[
            { value: 'technical', label: 'Technical (the product)' },
            { value: 'process', label: 'Process (the manufacturer)' },
          ]}
        />
        <Select
          label="Standard"
          placeholder="Any standard"
          clearable
          searchable
          value={filters.standard ?? null}
          onChange={(value) => set('standard', value)}
          data={(overview?.catalogues ?? []).map((c) => ({
            value: c.catalogue,
            label: catalogueShortName(c.catalogue, overview?.catalogues),
          }))}
        />
      </SimpleGrid>
      {active && (
        <Group>
          <Button
            variant="subtle"
            size="compact-sm"
            leftSection={<IconX size={14} aria-hidden />}
            onClick={() =>
              setParams((current) => {
                const next = new URLSearchParams(current)
                for (const key of FILTER_KEYS) next.delete(key)
                return next
              })
            }
          >
            Clear filters
          </Button>
        </Group>
      )}
    </Stack>
  )
}

function Results({ overview }: { overview: FrameworkOverview | undefined }) {
  const version = useVersionParam()
  const filters = useFilters(overview)
  const [, setParams] = useSearchParams()
  const [shown, setShown] = useState(PAGE_SIZE)
  const text = filters.q.trim()
  // The search reads only the start of a long text; sending more would only lengthen the URL.
  const q = text.slice(0, SEARCH_TEXT_LIMIT)
  const query = { ...filters, q, version }
  const results = useQuery({
    queryKey: [...FRAMEWORK_KEY, 'requirements', query],
    queryFn: () => api.get<RequirementList>('/framework/requirements', query),
    placeholderData: keepPreviousData,
    staleTime: FRAMEWORK_STALE_TIME,
    // Filters wait for the overview, which says which categories and standards exist.
    enabled: overview !== undefined,
  })
  const key = JSON.stringify(query)
  useEffect(() => setShown(PAGE_SIZE), [key])

  if (results.isPending) return <Loading label="Loading requirements…" />
  if (results.isError) {
    return <LoadError error={results.error} onRetry={() => void results.refetch()} />
  }
  const { requirements } = results.data
  const all = overview?.requirements ?? results.data.total
  const filtered = q !== '' || FILTER_KEYS.some((k) => filters[k] !== undefined)
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed" role="status" aria-live="polite">
        {filtered
          ? `${requirements.length} of ${all} requirements match`
          : `All ${requirements.length} requirements`}
        {text.length > SEARCH_TEXT_LIMIT &&
          ` (only the first ${SEARCH_TEXT_LIMIT} characters of the search were used)`}
      </Text>
      {requirements.length === 0 ? (
        <Empty title="No requirements match">
          <Stack gap="xs" align="center">
            <span>Try fewer words, or clear the filters.</span>
            <Button variant="light" size="xs" onClick={() => setParams(new URLSearchParams())}>
              Show all requirements
            </Button>
          </Stack>
        </Empty>
      ) : (
        <>
          <RequirementCards requirements={requirements.slice(0, shown)} version={version} />
          {requirements.length > shown && (
            <Group justify="center">
              <Button variant="default" onClick={() => setShown((n) => n + PAGE_SIZE)}>
                Show {Math.min(PAGE_SIZE, requirements.length - shown)} more of{' '}
                {requirements.length - shown}
              </Button>
            </Group>
          )}
        </>
      )}
    </Stack>
  )
}

function Downloads({ version }: { version: string | undefined }) {
  const [params] = useSearchParams()
  const tier = parseTier(params.get('tier'))
  const deviceClass = parseDeviceClass(params.get('deviceClass'))
  const file = (label: string, href: string) => (
    <Button
      component="a"
      href={href}
      download
      variant="default"
      leftSection={<IconDownload size={16} aria-hidden />}
      justify="flex-start"
      fullWidth
    >
      {label}
    </Button>
  )
  return (
    <Panel title="Download" gap="xs">
      <Text size="sm" c="dimmed">
        The whole framework, requirements and crosswalk, for your own tools.
      </Text>
      {file('JSON', exportUrl('json', { version }))}
      {file('CSV (one row per requirement)', exportUrl('csv', { version }))}
      {file('OSCAL catalog', exportUrl('oscal-catalog', { version }))}
      {tier ? (
        file(
          `OSCAL profile: tier ${tier}${deviceClass ? `, ${deviceClassLabel(deviceClass)}` : ''}`,
          exportUrl('oscal-profile', { version, tier, deviceClass }),
        )
      ) : (
        <Text size="sm" c="dimmed">
          Choose a tier (and a device class) above to download its OSCAL profile, or open{' '}
          <Anchor component={Link} to="/framework/profiles" underline="always">
            Profiles
          </Anchor>
          .
        </Text>
      )}
    </Panel>
  )
}

function Categories({ overview }: { overview: FrameworkOverview }) {
  if (overview.categories.length === 0) {
    return <Empty title="This version has no categories" />
  }
  return (
    <Panel title="Categories" gap="sm">
      <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
        {overview.categories.map((category) => (
          <li key={category.id}>
            <Group gap="xs" wrap="nowrap" justify="space-between" align="flex-start">
              <Anchor
                component={Link}
                to={`/framework?category=${encodeURIComponent(category.id)}`}
                size="sm"
                fw={600}
              >
                {category.title}
              </Anchor>
              <Badge variant="light" color="gray" style={{ flexShrink: 0 }}>
                {category.requirements}
              </Badge>
            </Group>
            <Text size="xs" c="dimmed" lineClamp={3} title={category.description}>
              {category.description}
            </Text>
          </li>
        ))}
      </Stack>
    </Panel>
  )
}

function Summary({ overview }: { overview: FrameworkOverview }) {
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md">
        <Fact label="Version">{overview.version}</Fact>
        <Fact label="Status">
          <Badge variant="light" color={overview.status === 'published' ? 'teal' : 'orange'}>
            {overview.status === 'published' ? 'Published' : 'Draft'}
          </Badge>
        </Fact>
        <Fact label="Released">
          {overview.released ? formatDate(overview.released) : 'Not yet'}
        </Fact>
        <Fact label="Requirements">{overview.requirements}</Fact>
        <Fact label="Crosswalk links">{overview.links}</Fact>
        <Fact label="Standards mapped">
          <Anchor component={Link} to="/framework/coverage">
            {overview.catalogues.length}
          </Anchor>
        </Fact>
      </SimpleGrid>
    </Paper>
  )
}

/** /framework: what the framework is, search and filters, categories and downloads. */
export function FrameworkPage() {
  const version = useVersionParam()
  const overview = useFrameworkOverview(version)
  const data = overview.data
  return (
    <Page
      title={data?.title ?? 'Framework'}
      documentTitle="Framework"
      size="xl"
      description={
        data?.summary ??
        'The network’s security baseline for industrial IoT, readable by people and machines.'
      }
    >
      <FrameworkNav />
      {overview.isError && (
        <LoadError error={overview.error} onRetry={() => void overview.refetch()} />
      )}
      {data && <Summary overview={data} />}
      {data?.status === 'draft' && (
        <Text size="sm" c="dimmed">
          This version is a draft: requirements and mappings may still change before it is released.
          The{' '}
          <Anchor component={Link} to="/framework/versions" underline="always">
            versions page
          </Anchor>{' '}
          lists what changed.
        </Text>
      )}
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md" component="section" aria-label="Requirements">
            <Paper withBorder p="md" radius="md">
              <Stack gap="sm" role="search">
                <SearchBox />
                <Filters overview={data} />
              </Stack>
            </Paper>
            {overview.isError ? null : <Results overview={data} />}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <Downloads version={version} />
            {data && <Categories overview={data} />}
          </Stack>
        </Grid.Col>
      </Grid>
    </Page>
  )
}
