import {
  Anchor,
  Breadcrumbs,
  Code,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Link, useParams } from 'react-router'
import type { Link as CrosswalkLink, Requirement } from '../../../common/api/framework.ts'
import { TIERS } from '../../../common/framework.ts'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { api } from '../../lib/api.ts'
import {
  catalogueShortName,
  FRAMEWORK_KEY,
  FRAMEWORK_STALE_TIME,
  itemPath,
  useFrameworkOverview,
  useVersionParam,
} from './framework-api.ts'
import {
  CrosswalkLinkCard,
  deviceClassLabel,
  Fact,
  FrameworkNav,
  FrameworkQuery,
  KindBadge,
  TierBadge,
  tierLabel,
  VerificationBadge,
} from './framework-ui.tsx'

function groupByCatalogue(links: CrosswalkLink[]): [string, CrosswalkLink[]][] {
  const groups = new Map<string, CrosswalkLink[]>()
  for (const link of links) {
    const list = groups.get(link.catalogue) ?? []
    list.push(link)
    groups.set(link.catalogue, list)
  }
  return [...groups]
}

function Crosswalk({ requirement, version }: { requirement: Requirement; version?: string }) {
  const overview = useFrameworkOverview(version)
  const catalogues = overview.data?.catalogues
  const groups = groupByCatalogue(requirement.links)
  return (
    <Panel title="Crosswalk" gap="md">
      <Text size="sm" c="dimmed">
        The external standards and regulations this requirement maps to. The relation reads “this
        requirement … the item”; a link that covers the whole item is marked “Covers the item”.
      </Text>
      {groups.length === 0 ? (
        <Text size="sm">This requirement is not mapped to any external catalogue.</Text>
      ) : (
        groups.map(([catalogue, links]) => (
          <Stack key={catalogue} gap="xs">
            <Title order={3} size="h5">
              {catalogues?.find((c) => c.catalogue === catalogue)?.title ??
                catalogueShortName(catalogue)}
            </Title>
            <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
              {links.map((link) => (
                <CrosswalkLinkCard
                  key={`${link.catalogue}:${link.item}`}
                  link={link}
                  heading={
                    <>
                      <Anchor
                        component={Link}
                        to={itemPath(link.catalogue, link.item, version)}
                        fw={600}
                        aria-label={`${catalogueShortName(link.catalogue, catalogues)} ${link.item}: ${link.itemTitle}`}
                      >
                        {catalogueShortName(link.catalogue, catalogues)} {link.item}
                      </Anchor>
                      <Text size="sm">{link.itemTitle}</Text>
                    </>
                  }
                />
              ))}
            </Stack>
          </Stack>
        ))
      )}
    </Panel>
  )
}

function Verification({ requirement }: { requirement: Requirement }) {
  return (
    <Panel title="Verification asked per tier" gap="sm">
      <Table.ScrollContainer minWidth={320}>
        <Table verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Tier</Table.Th>
              <Table.Th>Verification</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {TIERS.map((tier) => {
              const strength = requirement.verification[String(tier)]
              return (
                <Table.Tr key={tier}>
                  <Table.Td>{tierLabel(tier)}</Table.Td>
                  <Table.Td>
                    {strength ? (
                      <VerificationBadge strength={strength} />
                    ) : (
                      <Text size="sm" c="dimmed">
                        Does not apply
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              )
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Panel>
  )
}

function RequirementView({ requirement, version }: { requirement: Requirement; version?: string }) {
  return (
    <Stack gap="lg">
      <Paper withBorder p="lg" radius="md">
        <Stack gap="md">
          <Text size="lg" style={{ maxWidth: '75ch' }}>
            {requirement.statement}
          </Text>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
            <Fact label="Tier">
              <TierBadge tier={requirement.tier} />
            </Fact>
            <Fact label="Kind">
              <KindBadge kind={requirement.kind} />
            </Fact>
            <Fact label="Category">
              <Anchor
                component={Link}
                to={`/framework?category=${encodeURIComponent(requirement.category)}`}
              >
                {requirement.categoryTitle}
              </Anchor>
            </Fact>
            <Fact label="Framework version">{requirement.version}</Fact>
          </SimpleGrid>
          <Fact label="Device classes">
            <List size="sm" spacing={2}>
              {requirement.deviceClasses.map((c) => (
                <List.Item key={c}>{deviceClassLabel(c)}</List.Item>
              ))}
            </List>
          </Fact>
        </Stack>
      </Paper>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Panel title="Why it matters" gap="xs">
          <Text size="sm">{requirement.rationale}</Text>
        </Panel>
        <Verification requirement={requirement} />
        <Panel title="Typical evidence" gap="xs">
          {requirement.evidence.length === 0 ? (
            <Text size="sm" c="dimmed">
              No evidence is listed.
            </Text>
          ) : (
            <List size="sm" spacing={4}>
              {requirement.evidence.map((item) => (
                <List.Item key={item}>{item}</List.Item>
              ))}
            </List>
          )}
        </Panel>
        <Panel title="Assessor guidance" gap="xs">
          <Text size="sm">{requirement.assessorGuidance || '—'}</Text>
          <Fact label="Replaces">
            {requirement.replaces.length === 0 ? (
              <Text size="sm" c="dimmed">
                Nothing: no earlier requirement is replaced by this one.
              </Text>
            ) : (
              <Group gap="xs">
                {requirement.replaces.map((id) => (
                  <Code key={id}>{id}</Code>
                ))}
              </Group>
            )}
          </Fact>
        </Panel>
      </SimpleGrid>
      <Crosswalk requirement={requirement} version={version} />
    </Stack>
  )
}

/** /framework/requirements/:id — one requirement with its crosswalk. */
export function RequirementPage() {
  const id = useParams().id ?? ''
  const version = useVersionParam()
  const requirement = useQuery({
    queryKey: [...FRAMEWORK_KEY, 'requirement', id, version ?? null],
    queryFn: () =>
      api.get<Requirement>(`/framework/requirements/${encodeURIComponent(id)}`, { version }),
    staleTime: FRAMEWORK_STALE_TIME,
    retry: false,
  })
  const data = requirement.data
  return (
    <Page
      title={data ? data.title : id}
      documentTitle={data ? `${data.id} ${data.title}` : id}
      size="xl"
      description={
        <Breadcrumbs separator="›" mt={4}>
          <Anchor component={Link} to="/framework" size="sm">
            Framework
          </Anchor>
          {data && (
            <Anchor
              component={Link}
              to={`/framework?category=${encodeURIComponent(data.category)}`}
              size="sm"
            >
              {data.category}
            </Anchor>
          )}
          <Code>{id}</Code>
        </Breadcrumbs>
      }
    >
      <FrameworkNav />
      <FrameworkQuery
        query={requirement}
        loadingLabel="Loading the requirement…"
        notFound={{
          title: 'No such requirement',
          back: { to: '/framework', label: 'Search the framework' },
        }}
      >
        {(r) => <RequirementView requirement={r} version={version} />}
      </FrameworkQuery>
    </Page>
  )
}
