import { Anchor, Badge, Breadcrumbs, Code, Paper, SimpleGrid, Stack, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Link, useParams } from 'react-router'
import type { ItemCoverage } from '../../../common/api/framework.ts'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { api } from '../../lib/api.ts'
import {
  cataloguePath,
  catalogueShortName,
  FRAMEWORK_KEY,
  FRAMEWORK_STALE_TIME,
  requirementPath,
  useFrameworkOverview,
  useVersionParam,
} from './framework-api.ts'
import { itemFacts } from './catalogue-page.tsx'
import {
  CoverageBadge,
  CrosswalkLinkCard,
  Fact,
  FrameworkNav,
  FrameworkQuery,
} from './framework-ui.tsx'

const GOAL_LABELS = {
  covered: 'Must be covered',
  'covered-or-gap': 'Must be covered or a declared gap',
} as const

function ItemView({ coverage, version }: { coverage: ItemCoverage; version?: string }) {
  const { item } = coverage
  const facts = itemFacts(item)
  const links = [...coverage.links].sort((a, b) => Number(b.covering) - Number(a.covering))
  return (
    <Stack gap="lg">
      <Paper withBorder p="lg" radius="md">
        <Stack gap="md">
          {item.summary && <Text style={{ maxWidth: '75ch' }}>{item.summary}</Text>}
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
            <Fact label="Coverage">
              <CoverageBadge level={coverage.level} />
            </Fact>
            <Fact label="Goal">
              {coverage.goal ? (
                <>
                  {GOAL_LABELS[coverage.goal]}
                  {coverage.goalMet !== null && (
                    <Badge
                      ml={6}
                      variant="light"
                      color={coverage.goalMet ? 'teal' : 'orange'}
                      size="sm"
                    >
                      {coverage.goalMet ? 'Met' : 'Not met'}
                    </Badge>
                  )}
                </>
              ) : (
                'None set'
              )}
            </Fact>
            {item.group && (
              <Fact label="Group">
                {item.group}
                {item.groupTitle ? ` · ${item.groupTitle}` : ''}
              </Fact>
            )}
            {facts.length > 0 && <Fact label="Status / level">{facts.join(' · ')}</Fact>}
          </SimpleGrid>
          {item.caveat && (
            <Text size="sm" c="dimmed">
              Note: {item.caveat}
            </Text>
          )}
          {coverage.gapReason && (
            <Fact label="Declared gap">
              <Text size="sm">{coverage.gapReason}</Text>
            </Fact>
          )}
        </Stack>
      </Paper>
      <Panel title={`Requirements linked to ${item.id} (${links.length})`} gap="sm">
        {links.length === 0 ? (
          <Text size="sm">
            {coverage.level === 'gap'
              ? 'No requirement covers this item: the framework declares it a gap (see the reason above).'
              : 'No requirement of the framework is linked to this item.'}
          </Text>
        ) : (
          <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
            {links.map((link) => (
              <CrosswalkLinkCard
                key={link.requirement}
                link={link}
                showTier
                heading={
                  <>
                    <Code fw={600}>{link.requirement}</Code>
                    <Anchor
                      component={Link}
                      to={requirementPath(link.requirement, version)}
                      fw={600}
                    >
                      {link.requirementTitle}
                    </Anchor>
                  </>
                }
              />
            ))}
          </Stack>
        )}
      </Panel>
    </Stack>
  )
}

/** /framework/coverage/:catalogue/:item — everything that covers one external item. */
export function CatalogueItemPage() {
  const params = useParams()
  const catalogue = params.catalogue ?? ''
  const item = params.item ?? ''
  const version = useVersionParam()
  const overview = useFrameworkOverview(version)
  const name = catalogueShortName(catalogue, overview.data?.catalogues)
  const coverage = useQuery({
    queryKey: [...FRAMEWORK_KEY, 'item', catalogue, item, version ?? null],
    queryFn: () =>
      api.get<ItemCoverage>(
        `/framework/catalogues/${encodeURIComponent(catalogue)}/items/${encodeURIComponent(item)}`,
        { version },
      ),
    staleTime: FRAMEWORK_STALE_TIME,
    retry: false,
  })
  const title = coverage.data ? `${name} ${item}: ${coverage.data.item.title}` : `${name} ${item}`
  return (
    <Page
      title={`Everything that covers ${name} ${item}`}
      documentTitle={title}
      size="xl"
      description={
        <Stack gap={4}>
          {coverage.data && (
            <Text fw={600} c="var(--mantine-color-text)">
              {coverage.data.item.title}
            </Text>
          )}
          <Breadcrumbs separator="›">
            <Anchor component={Link} to="/framework/coverage" size="sm">
              Coverage
            </Anchor>
            <Anchor component={Link} to={cataloguePath(catalogue)} size="sm">
              {name}
            </Anchor>
            <Text size="sm">{item}</Text>
          </Breadcrumbs>
        </Stack>
      }
    >
      <FrameworkNav />
      <FrameworkQuery
        query={coverage}
        loadingLabel="Loading the item…"
        notFound={{
          title: 'No such item',
          back: { to: cataloguePath(catalogue), label: `See every item of ${name}` },
        }}
      >
        {(data) => <ItemView coverage={data} version={version} />}
      </FrameworkQuery>
    </Page>
  )
}
