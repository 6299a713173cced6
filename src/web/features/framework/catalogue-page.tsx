import {
  Anchor,
  Badge,
  Breadcrumbs,
  Group,
  List,
  Paper,
  Select,
  Stack,
  Table,
  Text,
} from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Fragment } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import type { CatalogueCoverage, ItemCoverage } from '../../../common/api/framework.ts'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import {
  catalogueShortName,
  FRAMEWORK_KEY,
  FRAMEWORK_STALE_TIME,
  itemPath,
  requirementPath,
} from './framework-api.ts'
import { CoverageCounts, Goal } from './coverage-page.tsx'
import {
  COVERAGE_LABELS,
  COVERAGE_LEVELS,
  CoverageBadge,
  FrameworkNav,
  FrameworkQuery,
  type CoverageLevel,
} from './framework-ui.tsx'

/** What an item's catalogue says about its weight: status, security level, levels, type. */
export function itemFacts(item: ItemCoverage['item']): string[] {
  const facts: string[] = []
  if (item.status) facts.push(item.status === 'mandatory' ? 'Mandatory' : 'Recommended')
  if (item.condition) facts.push(`Condition: ${item.condition}`)
  if (item.securityLevel !== undefined) facts.push(`SL ${item.securityLevel}`)
  if (item.componentType) facts.push(item.componentType)
  if (item.levels?.length) facts.push(`Levels ${item.levels.join(', ')}`)
  if (item.enhances) facts.push(`Enhances ${item.enhances}`)
  if (item.section) facts.push(`Section ${item.section}`)
  if (item.reference) facts.push(item.reference)
  return facts
}

/** The requirements linked to an item, as links; those that cover it alone first. */
export function CoveringRequirements({ coverage }: { coverage: ItemCoverage }) {
  if (coverage.links.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        None
      </Text>
    )
  }
  const links = [...coverage.links].sort((a, b) => Number(b.covering) - Number(a.covering))
  return (
    <Group gap={6} wrap="wrap">
      {links.map((link) => (
        <Anchor
          key={link.requirement}
          component={Link}
          to={requirementPath(link.requirement)}
          size="sm"
          title={`${link.requirementTitle}${link.covering ? ' (covers the item)' : ' (covers part)'}`}
          fw={link.covering ? 600 : 400}
          style={{ whiteSpace: 'nowrap' }}
        >
          {link.requirement}
        </Anchor>
      ))}
    </Group>
  )
}

function GoalMark({ coverage }: { coverage: ItemCoverage }) {
  if (coverage.goalMet === null) return null
  return coverage.goalMet ? (
    <Text size="xs" c="teal.9">
      Goal met
    </Text>
  ) : (
    <Text size="xs" c="red.9" fw={600}>
      Goal not met
    </Text>
  )
}

/** Items not covered: declared gaps with their reasons, then items nothing covers. */
function Gaps({ coverage }: { coverage: CatalogueCoverage }) {
  const open = coverage.items.filter((i) => i.level === 'gap' || i.level === 'uncovered')
  const partial = coverage.counts.partial
  return (
    <Panel title="Gaps" gap="sm">
      {open.length === 0 ? (
        <Text size="sm">
          No gaps: every item is covered
          {partial > 0 ? ` or partly covered (${partial} partly)` : ''}.
        </Text>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
          {open.map((entry) => (
            <li key={entry.item.id}>
              <Group gap="xs" wrap="wrap" align="baseline">
                <Anchor
                  component={Link}
                  to={itemPath(coverage.catalogue, entry.item.id)}
                  fw={600}
                  size="sm"
                >
                  {entry.item.id}
                </Anchor>
                <Text size="sm">{entry.item.title}</Text>
                <CoverageBadge level={entry.level} size="sm" />
              </Group>
              <Text size="sm" c="dimmed">
                {entry.gapReason ??
                  (entry.level === 'uncovered'
                    ? 'No requirement is linked to this item, and no gap is declared.'
                    : '')}
              </Text>
            </li>
          ))}
        </Stack>
      )}
    </Panel>
  )
}

function ItemsTable({ coverage, items }: { coverage: CatalogueCoverage; items: ItemCoverage[] }) {
  if (items.length === 0) return <Empty title="No items at this coverage level" />
  let lastGroup: string | undefined
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table verticalSpacing="sm" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Item</Table.Th>
            <Table.Th>Status / level</Table.Th>
            <Table.Th>Coverage</Table.Th>
            <Table.Th>Covered by</Table.Th>
            <Table.Th>Gap reason</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((entry) => {
            const group = entry.item.groupTitle ?? entry.item.group
            const heading = group !== undefined && group !== lastGroup
            lastGroup = group
            return (
              <Fragment key={entry.item.id}>
                {heading && (
                  <Table.Tr>
                    <Table.Th colSpan={5} scope="colgroup" bg="var(--mantine-color-default-hover)">
                      {entry.item.group && entry.item.groupTitle
                        ? `${entry.item.group} · ${entry.item.groupTitle}`
                        : group}
                    </Table.Th>
                  </Table.Tr>
                )}
                <Table.Tr>
                  <Table.Td maw={360}>
                    <Anchor
                      component={Link}
                      to={itemPath(coverage.catalogue, entry.item.id)}
                      fw={600}
                      size="sm"
                      style={{ whiteSpace: 'nowrap' }}
                    >
                      {entry.item.id}
                    </Anchor>
                    <Text size="sm">{entry.item.title}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{itemFacts(entry.item).join(' · ') || '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <CoverageBadge level={entry.level} />
                    <GoalMark coverage={entry} />
                  </Table.Td>
                  <Table.Td maw={260}>
                    <CoveringRequirements coverage={entry} />
                  </Table.Td>
                  <Table.Td maw={280}>
                    <Text size="sm" c={entry.gapReason ? undefined : 'dimmed'}>
                      {entry.gapReason ?? '—'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              </Fragment>
            )
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

function parseLevel(value: string | null): CoverageLevel | undefined {
  return (COVERAGE_LEVELS as readonly string[]).includes(value ?? '')
    ? (value as CoverageLevel)
    : undefined
}

function CatalogueView({ coverage }: { coverage: CatalogueCoverage }) {
  const [params, setParams] = useSearchParams()
  const level = parseLevel(params.get('level'))
  const items = level ? coverage.items.filter((i) => i.level === level) : coverage.items
  return (
    <Stack gap="lg">
      <Paper withBorder p="lg" radius="md">
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            {coverage.publisher} · {coverage.version}
            {coverage.url && (
              <>
                {' · '}
                <Anchor
                  href={coverage.url}
                  target="_blank"
                  rel="noopener noreferrer"
                  underline="always"
                >
                  Publisher’s page
                </Anchor>
              </>
            )}
          </Text>
          <CoverageCounts counts={coverage.counts} />
          <Goal summary={coverage} />
        </Stack>
      </Paper>
      <Gaps coverage={coverage} />
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end">
          <Text fw={700} size="lg" component="h2" m={0}>
            Every item ({items.length}
            {level ? ` of ${coverage.items.length}` : ''})
          </Text>
          <Select
            label="Coverage level"
            placeholder="All levels"
            clearable
            w={220}
            value={level ?? null}
            onChange={(value) =>
              setParams(
                (current) => {
                  const next = new URLSearchParams(current)
                  if (value) next.set('level', value)
                  else next.delete('level')
                  return next
                },
                { replace: true },
              )
            }
            data={COVERAGE_LEVELS.map((l) => ({
              value: l,
              label: `${COVERAGE_LABELS[l]} (${coverage.counts[l]})`,
            }))}
          />
        </Group>
        <Text size="sm" c="dimmed">
          Requirement ids in bold cover the item on their own; the others cover part of it.
        </Text>
        <ItemsTable coverage={coverage} items={items} />
      </Stack>
      {(coverage.licence || coverage.notes.length > 0) && (
        <Panel title="About this catalogue" gap="xs">
          {coverage.licence && <Text size="sm">{coverage.licence}</Text>}
          {coverage.notes.length > 0 && (
            <List size="sm" spacing={4}>
              {coverage.notes.map((note) => (
                <List.Item key={note}>{note}</List.Item>
              ))}
            </List>
          )}
        </Panel>
      )}
    </Stack>
  )
}

export function useCatalogueCoverage(catalogue: string) {
  return useQuery({
    queryKey: [...FRAMEWORK_KEY, 'catalogue', catalogue],
    queryFn: () =>
      api.get<CatalogueCoverage>(`/framework/catalogues/${encodeURIComponent(catalogue)}`),
    staleTime: FRAMEWORK_STALE_TIME,
    retry: false,
  })
}

/** /framework/coverage/:catalogue — every item of one catalogue and what covers it. */
export function CataloguePage() {
  const catalogue = useParams().catalogue ?? ''
  const coverage = useCatalogueCoverage(catalogue)
  const name = catalogueShortName(catalogue, coverage.data ? [coverage.data] : undefined)
  return (
    <Page
      title={coverage.data?.title ?? name}
      documentTitle={`Coverage of ${name}`}
      size="xl"
      description={
        <Breadcrumbs separator="›" mt={4}>
          <Anchor component={Link} to="/framework/coverage" size="sm">
            Coverage
          </Anchor>
          <Text size="sm">{name}</Text>
        </Breadcrumbs>
      }
      actions={
        coverage.data?.goal ? (
          <Badge
            size="lg"
            variant="light"
            color={coverage.data.goal.met === coverage.data.goal.items ? 'teal' : 'orange'}
          >
            Goal met {coverage.data.goal.met} of {coverage.data.goal.items}
          </Badge>
        ) : undefined
      }
    >
      <FrameworkNav />
      <FrameworkQuery
        query={coverage}
        loadingLabel="Loading coverage…"
        notFound={{
          title: 'No such catalogue',
          back: { to: '/framework/coverage', label: 'See every catalogue' },
        }}
      >
        {(data) => <CatalogueView coverage={data} />}
      </FrameworkQuery>
    </Page>
  )
}
