import {
  Anchor,
  Badge,
  Card,
  Group,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import type { CatalogueSummary } from '../../../common/api/framework.ts'
import { Page } from '../../components/page.tsx'
import { Empty, QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import {
  cataloguePath,
  catalogueShortName,
  FRAMEWORK_KEY,
  FRAMEWORK_STALE_TIME,
  itemPath,
} from './framework-api.ts'
import { COVERAGE_COLORS, COVERAGE_LABELS, COVERAGE_LEVELS, FrameworkNav } from './framework-ui.tsx'

export function useCatalogues() {
  return useQuery({
    queryKey: [...FRAMEWORK_KEY, 'catalogues'],
    queryFn: () => api.get<CatalogueSummary[]>('/framework/catalogues'),
    staleTime: FRAMEWORK_STALE_TIME,
  })
}

/** Covered / partial / gap / uncovered as a bar and as numbers. */
export function CoverageCounts({ counts }: { counts: CatalogueSummary['counts'] }) {
  const total = counts.items || 1
  return (
    <Stack gap={6}>
      <Progress.Root size="lg" aria-hidden>
        {COVERAGE_LEVELS.map((level) =>
          counts[level] > 0 ? (
            <Tooltip key={level} label={`${COVERAGE_LABELS[level]}: ${counts[level]}`}>
              <Progress.Section
                value={(counts[level] / total) * 100}
                color={COVERAGE_COLORS[level]}
              />
            </Tooltip>
          ) : null,
        )}
      </Progress.Root>
      <Group gap="md" wrap="wrap">
        {COVERAGE_LEVELS.map((level) => (
          <Group key={level} gap={6} wrap="nowrap">
            <span
              aria-hidden
              style={{
                width: 10,
                height: 10,
                borderRadius: 2,
                background: `var(--mantine-color-${COVERAGE_COLORS[level]}-filled)`,
              }}
            />
            <Text size="sm">
              {COVERAGE_LABELS[level]}: <strong>{counts[level]}</strong>
            </Text>
          </Group>
        ))}
      </Group>
    </Stack>
  )
}

/** The catalogue's coverage goal: met X of Y, and the items still missing. */
export function Goal({ summary }: { summary: CatalogueSummary }) {
  const { goal } = summary
  if (!goal) {
    return (
      <Text size="sm" c="dimmed">
        No coverage goal is set for this catalogue: it is mapped for information.
      </Text>
    )
  }
  const met = goal.met === goal.items
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Badge color={met ? 'teal' : 'orange'} variant="light" style={{ flexShrink: 0 }}>
          {met ? 'Goal met' : 'Goal not met'}
        </Badge>
        <Text size="sm">
          Met {goal.met} of {goal.items}
        </Text>
      </Group>
      <Text size="sm" c="dimmed">
        Goal: {goal.description}
      </Text>
      {goal.missing.length > 0 && (
        <Text size="sm" component="div">
          Missing:{' '}
          {goal.missing.map((item, index) => (
            <span key={item}>
              {index > 0 && ', '}
              <Anchor component={Link} to={itemPath(summary.catalogue, item)} underline="always">
                {item}
              </Anchor>
            </span>
          ))}
        </Text>
      )}
    </Stack>
  )
}

/** /framework/coverage — one card per external catalogue. */
export function CoveragePage() {
  const catalogues = useCatalogues()
  return (
    <Page
      title="Coverage of standards and regulations"
      documentTitle="Framework coverage"
      size="xl"
      description="How far the framework’s requirements cover each external catalogue. An item is covered when a requirement asks for all of it, partly covered when requirements ask for some of it, and a declared gap when the framework deliberately leaves it out, with the reason."
    >
      <FrameworkNav />
      <QueryState
        query={catalogues}
        loadingLabel="Loading coverage…"
        empty={<Empty title="No external catalogues are loaded in this version" />}
      >
        {(list) => (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            {list.map((summary) => (
              <Card key={summary.catalogue} withBorder radius="md" p="lg">
                <Stack gap="sm">
                  <Stack gap={2}>
                    <Title order={2} size="h4">
                      <Anchor component={Link} to={cataloguePath(summary.catalogue)} inherit>
                        {catalogueShortName(summary.catalogue, list)}
                      </Anchor>
                    </Title>
                    <Text size="sm">{summary.title}</Text>
                    <Text size="xs" c="dimmed">
                      {summary.publisher} · {summary.version} · {summary.counts.items} items
                    </Text>
                  </Stack>
                  <CoverageCounts counts={summary.counts} />
                  <Goal summary={summary} />
                </Stack>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </QueryState>
    </Page>
  )
}
