import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Card,
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
import { IconExternalLink } from '@tabler/icons-react'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { Link, useParams, useSearchParams } from 'react-router'
import type { SchemeSummary, SchemeView } from '../../../common/api/framework.ts'
import { DEVICE_CLASSES } from '../../../common/framework.ts'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { CoveringRequirements, itemFacts } from './catalogue-page.tsx'
import {
  catalogueShortName,
  FRAMEWORK_KEY,
  FRAMEWORK_STALE_TIME,
  itemPath,
  parseDeviceClass,
  schemePath,
} from './framework-api.ts'
import {
  CoverageBadge,
  deviceClassLabel,
  Fact,
  FrameworkNav,
  FrameworkQuery,
  RequirementCards,
  tierLabel,
  VerificationBadge,
} from './framework-ui.tsx'

function useSchemes() {
  return useQuery({
    queryKey: [...FRAMEWORK_KEY, 'schemes'],
    queryFn: () => api.get<SchemeSummary[]>('/framework/schemes'),
    staleTime: FRAMEWORK_STALE_TIME,
  })
}

/** /framework/schemes — the label schemes, regulations and target levels the framework answers. */
export function SchemesPage() {
  const schemes = useSchemes()
  return (
    <Page
      title="Schemes and regulations"
      documentTitle="Framework schemes"
      size="xl"
      description="Label schemes, regulations and target security levels, each expressed as a selection of items of the external catalogues. What a product needs for one is computed from the crosswalk."
    >
      <FrameworkNav />
      <QueryState
        query={schemes}
        loadingLabel="Loading schemes…"
        empty={
          <Empty title="No schemes are defined in this framework version">
            The requirements and their coverage of each standard are available under Coverage.
          </Empty>
        }
      >
        {(list) => (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            {list.map((scheme) => (
              <Card key={scheme.scheme} withBorder radius="md" p="lg">
                <Stack gap="sm">
                  <Title order={2} size="h4">
                    {scheme.title}
                  </Title>
                  <Text size="sm">{scheme.summary}</Text>
                  {scheme.url && (
                    <Anchor href={scheme.url} target="_blank" rel="noopener noreferrer" size="sm">
                      <Group gap={4} component="span" wrap="nowrap">
                        Official text <IconExternalLink size={14} aria-hidden />
                      </Group>
                    </Anchor>
                  )}
                  <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
                    {scheme.levels.map((level) => (
                      <Paper key={level.id} component="li" withBorder p="sm" radius="md">
                        <Group justify="space-between" gap="xs" wrap="wrap">
                          <Stack gap={2} style={{ flex: '1 1 12rem' }}>
                            <Anchor
                              component={Link}
                              to={schemePath(scheme.scheme, level.id)}
                              fw={600}
                            >
                              {level.title}
                            </Anchor>
                            {level.summary && (
                              <Text size="xs" c="dimmed">
                                {level.summary}
                              </Text>
                            )}
                          </Stack>
                          {level.verification && (
                            <VerificationBadge strength={level.verification} />
                          )}
                        </Group>
                      </Paper>
                    ))}
                  </Stack>
                  {scheme.notes.length > 0 && (
                    <List size="xs" c="dimmed" spacing={2}>
                      {scheme.notes.map((note) => (
                        <List.Item key={note}>{note}</List.Item>
                      ))}
                    </List>
                  )}
                </Stack>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </QueryState>
    </Page>
  )
}

function SelectedItems({ view }: { view: SchemeView }) {
  if (view.items.length === 0) return <Empty title="This level selects no items" />
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="sm" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Item</Table.Th>
            <Table.Th>Status / level</Table.Th>
            <Table.Th>Coverage</Table.Th>
            <Table.Th>Covered by</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {view.items.map((entry) => (
            <Table.Tr key={`${entry.catalogue}:${entry.item.id}`}>
              <Table.Td maw={380}>
                <Anchor
                  component={Link}
                  to={itemPath(entry.catalogue, entry.item.id)}
                  fw={600}
                  size="sm"
                >
                  {catalogueShortName(entry.catalogue)} {entry.item.id}
                </Anchor>
                <Text size="sm">{entry.item.title}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{itemFacts(entry.item).join(' · ') || '—'}</Text>
              </Table.Td>
              <Table.Td>
                <CoverageBadge level={entry.level} />
              </Table.Td>
              <Table.Td maw={280}>
                <CoveringRequirements coverage={entry} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

/** "uk-psti:1" → link to the item page. */
function OpenItem({ entry }: { entry: string }) {
  const split = entry.indexOf(':')
  if (split < 0) return <>{entry}</>
  const catalogue = entry.slice(0, split)
  const item = entry.slice(split + 1)
  return (
    <Anchor component={Link} to={itemPath(catalogue, item)}>
      {catalogueShortName(catalogue)} {item}
    </Anchor>
  )
}

function SchemeLevelView({ view }: { view: SchemeView }) {
  return (
    <Stack gap="lg">
      <Paper withBorder p="lg" radius="md">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
          <Fact label="Requirements needed">{view.requirements.length}</Fact>
          <Fact label="Highest tier among them">
            {view.highestTier ? tierLabel(view.highestTier) : '—'}
          </Fact>
          <Fact label="Verification expected">
            {view.level.verification ? (
              <VerificationBadge strength={view.level.verification} />
            ) : (
              'Not stated'
            )}
          </Fact>
          <Fact label="Open items">
            <Badge variant="light" color={view.openItems.length === 0 ? 'teal' : 'orange'}>
              {view.openItems.length === 0 ? 'None' : view.openItems.length}
            </Badge>
          </Fact>
        </SimpleGrid>
      </Paper>
      <Panel title="Open items" gap="xs">
        {view.openItems.length === 0 ? (
          <Text size="sm">
            None: the framework covers every item this level selects, so a product meeting the
            requirements below answers it.
          </Text>
        ) : (
          <>
            <Text size="sm">
              Items this level selects that the framework’s requirements do not fully cover; a
              product needs further evidence for these.
            </Text>
            <List size="sm">
              {view.openItems.map((entry) => (
                <List.Item key={entry}>
                  <OpenItem entry={entry} />
                </List.Item>
              ))}
            </List>
          </>
        )}
      </Panel>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Requirements needed ({view.requirements.length})
        </Title>
        {view.requirements.length === 0 ? (
          <Empty title="No requirements are linked to the selected items" />
        ) : (
          <RequirementCards requirements={view.requirements} />
        )}
      </Stack>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Selected items and their coverage ({view.items.length})
        </Title>
        <SelectedItems view={view} />
      </Stack>
    </Stack>
  )
}

/** /framework/schemes/:scheme/:level — what a product needs for one scheme level. */
export function SchemePage() {
  const params = useParams()
  const scheme = params.scheme ?? ''
  const level = params.level ?? ''
  const [search, setSearch] = useSearchParams()
  const deviceClass = parseDeviceClass(search.get('deviceClass'))
  const schemes = useSchemes()
  const summary = schemes.data?.find((s) => s.scheme === scheme)
  const view = useQuery({
    queryKey: [...FRAMEWORK_KEY, 'scheme', scheme, level, deviceClass ?? null],
    queryFn: () =>
      api.get<SchemeView>(
        `/framework/schemes/${encodeURIComponent(scheme)}/${encodeURIComponent(level)}`,
        { deviceClass },
      ),
    placeholderData: keepPreviousData,
    staleTime: FRAMEWORK_STALE_TIME,
    retry: false,
  })
  const data = view.data
  const title = data ? `${data.scheme.title}: ${data.level.title}` : 'Scheme'
  return (
    <Page
      title={title}
      size="xl"
      description={
        <Stack gap={4}>
          {data?.level.summary && <Text c="dimmed">{data.level.summary}</Text>}
          <Breadcrumbs separator="›">
            <Anchor component={Link} to="/framework/schemes" size="sm">
              Schemes
            </Anchor>
            <Text size="sm">{data?.scheme.title ?? scheme}</Text>
          </Breadcrumbs>
        </Stack>
      }
    >
      <FrameworkNav />
      <Paper withBorder p="md" radius="md">
        <Group gap="md" align="flex-end" wrap="wrap">
          <Select
            label="Device class"
            placeholder="Any device class"
            clearable
            w={{ base: '100%', xs: 320 }}
            value={deviceClass ?? null}
            onChange={(value) =>
              setSearch(
                (current) => {
                  const next = new URLSearchParams(current)
                  if (value) next.set('deviceClass', value)
                  else next.delete('deviceClass')
                  return next
                },
                { replace: true },
              )
            }
            data={DEVICE_CLASSES.map((c) => ({ value: c, label: deviceClassLabel(c) }))}
          />
          {summary && summary.levels.length > 1 && (
            <Group gap="xs" component="nav" aria-label="Levels of this scheme">
              {summary.levels.map((l) => (
                <Button
                  key={l.id}
                  component={Link}
                  to={`${schemePath(scheme, l.id)}${search.toString() ? `?${search.toString()}` : ''}`}
                  size="compact-md"
                  variant={l.id === level ? 'light' : 'default'}
                  aria-current={l.id === level ? 'page' : undefined}
                >
                  {l.title}
                </Button>
              ))}
            </Group>
          )}
        </Group>
      </Paper>
      <FrameworkQuery
        query={view}
        loadingLabel="Working out what this level needs…"
        notFound={{
          title: 'No such scheme level',
          back: { to: '/framework/schemes', label: 'See every scheme' },
        }}
      >
        {(data) => <SchemeLevelView view={data} />}
      </FrameworkQuery>
    </Page>
  )
}
