import {
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  Stack,
  Text,
  Title,
  type BadgeProps,
} from '@mantine/core'
import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { Link, useLocation } from 'react-router'
import type {
  ItemCoverage,
  Link as CrosswalkLink,
  RequirementSummary,
} from '../../../common/api/framework.ts'
import { isAppError } from '../../../common/errors.ts'
import {
  DEVICE_CLASSES,
  DEVICE_CLASS_LABELS,
  TIER_LABELS,
  VERIFICATION_STRENGTH_LABELS,
  type DeviceClass,
  type Relation,
  type Tier,
  type VerificationStrength,
} from '../../../common/framework.ts'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { catalogueShortName, requirementPath } from './framework-api.ts'

export const DEVICE_CLASS_SHORT: Record<DeviceClass, string> = {
  'field-device': 'Field device',
  controller: 'Controller',
  gateway: 'Gateway',
  application: 'Application',
  'cloud-service': 'Cloud service',
}

const TIER_COLORS: Record<Tier, string> = { 1: 'teal', 2: 'blue', 3: 'grape', 4: 'red' }

export function tierLabel(tier: number): string {
  return `Tier ${tier} · ${TIER_LABELS[tier as Tier] ?? ''}`
}

export function TierBadge({ tier, ...props }: { tier: number } & BadgeProps) {
  return (
    <Badge variant="light" color={TIER_COLORS[tier as Tier] ?? 'gray'} {...props}>
      {tierLabel(tier)}
    </Badge>
  )
}

export function KindBadge({ kind }: { kind: string }) {
  return (
    <Badge variant="outline" color="gray">
      {kind === 'process' ? 'Process' : 'Technical'}
    </Badge>
  )
}

const STRENGTH_COLORS: Record<VerificationStrength, string> = {
  'self-declared': 'gray',
  'document-reviewed': 'blue',
  'lab-tested': 'violet',
}

export function VerificationBadge({ strength }: { strength: string }) {
  const known = strength as VerificationStrength
  return (
    <Badge variant="light" color={STRENGTH_COLORS[known] ?? 'gray'}>
      {VERIFICATION_STRENGTH_LABELS[known] ?? strength}
    </Badge>
  )
}

/** "All device classes", or the short names of the ones listed. */
export function DeviceClassList({ classes }: { classes: readonly string[] }) {
  if (DEVICE_CLASSES.every((c) => classes.includes(c))) {
    return (
      <Text size="sm" c="dimmed" component="span">
        All device classes
      </Text>
    )
  }
  return (
    <Text size="sm" c="dimmed" component="span">
      {classes.map((c) => DEVICE_CLASS_SHORT[c as DeviceClass] ?? c).join(', ')}
    </Text>
  )
}

export function deviceClassLabel(deviceClass: string): string {
  return DEVICE_CLASS_LABELS[deviceClass as DeviceClass] ?? deviceClass
}

export const COVERAGE_LEVELS = ['covered', 'partial', 'gap', 'uncovered'] as const
export type CoverageLevel = (typeof COVERAGE_LEVELS)[number]

export const COVERAGE_LABELS: Record<CoverageLevel, string> = {
  covered: 'Covered',
  partial: 'Partly covered',
  gap: 'Declared gap',
  uncovered: 'Not covered',
}

export const COVERAGE_COLORS: Record<CoverageLevel, string> = {
  covered: 'teal',
  partial: 'yellow',
  gap: 'orange',
  uncovered: 'red',
}

export function CoverageBadge({ level, ...props }: { level: ItemCoverage['level'] } & BadgeProps) {
  return (
    <Badge variant="light" color={COVERAGE_COLORS[level]} style={{ flexShrink: 0 }} {...props}>
      {COVERAGE_LABELS[level]}
    </Badge>
  )
}

/** Read "our requirement is <relation> the external item" (NIST IR 8278 OLIR). */
export const RELATION_LABELS: Record<Relation, string> = {
  equal: 'Equal',
  superset: 'Covers more',
  subset: 'Covers part',
  intersect: 'Overlaps',
}

export const RELATION_DESCRIPTIONS: Record<Relation, string> = {
  equal: 'The requirement and the item ask for the same thing.',
  superset: 'The requirement covers all of the item, and more.',
  subset: 'The requirement covers part of the item.',
  intersect: 'The requirement and the item overlap.',
}

export function RelationBadge({ relation }: { relation: string }) {
  const known = relation as Relation
  const covering = known === 'equal' || known === 'superset'
  return (
    <Badge
      variant="light"
      color={covering ? 'teal' : 'gray'}
      title={RELATION_DESCRIPTIONS[known]}
      style={{ flexShrink: 0 }}
    >
      {RELATION_LABELS[known] ?? relation}
    </Badge>
  )
}

/**
 * One crosswalk link as a card, the same from both directions: `heading` names the other end
 * (the external item on a requirement page, the requirement on an item page).
 */
export function CrosswalkLinkCard({
  link,
  heading,
  showTier = false,
}: {
  link: CrosswalkLink
  heading: ReactNode
  showTier?: boolean
}) {
  return (
    <Paper component="li" withBorder p="sm" radius="md">
      <Stack gap={6}>
        <Group gap="xs" wrap="wrap" align="baseline">
          {heading}
        </Group>
        <Group gap="xs" wrap="wrap">
          {showTier && <TierBadge tier={link.tier} />}
          <RelationBadge relation={link.relation} />
          <LinkStrengthBadge strength={link.strength} />
          {link.covering && (
            <Badge variant="filled" color="teal.9">
              Covers the item
            </Badge>
          )}
        </Group>
        <Text size="sm">{link.rationale}</Text>
        <Text size="xs" c="dimmed">
          Source: {link.provenanceTitle}
        </Text>
      </Stack>
    </Paper>
  )
}

export function LinkStrengthBadge({ strength }: { strength: string }) {
  return (
    <Badge variant="outline" color="gray" style={{ flexShrink: 0 }}>
      {strength.charAt(0).toUpperCase() + strength.slice(1)} link
    </Badge>
  )
}

const SECTIONS = [
  { to: '/framework', label: 'Requirements', exact: true },
  { to: '/framework/coverage', label: 'Coverage' },
  { to: '/framework/profiles', label: 'Profiles' },
  { to: '/framework/schemes', label: 'Schemes' },
  { to: '/framework/versions', label: 'Versions' },
]

/** The framework's own navigation, on every framework page. */
export function FrameworkNav() {
  const { pathname } = useLocation()
  const current = (to: string, exact?: boolean) =>
    exact
      ? pathname === to || pathname.startsWith('/framework/requirements')
      : pathname === to || pathname.startsWith(`${to}/`)
  return (
    <Group component="nav" aria-label="Framework" gap="xs">
      {SECTIONS.map((section) => {
        const active = current(section.to, section.exact)
        return (
          <Button
            key={section.to}
            component={Link}
            to={section.to}
            size="compact-md"
            variant={active ? 'light' : 'subtle'}
            color={active ? undefined : 'gray'}
            c={active ? undefined : 'var(--mantine-color-text)'}
            aria-current={active ? 'page' : undefined}
          >
            {section.label}
          </Button>
        )
      })}
    </Group>
  )
}

/** The framework's loading and error states: a missing thing is a note with a way back. */
export function FrameworkQuery<T>({
  query,
  loadingLabel,
  notFound,
  children,
}: {
  query: UseQueryResult<T>
  loadingLabel: string
  notFound: { title: string; back: { to: string; label: string } }
  children: (data: T) => ReactNode
}) {
  if (query.isPending) return <Loading label={loadingLabel} />
  if (query.isError) {
    if (isAppError(query.error, 'not_found') || isAppError(query.error, 'validation_failed')) {
      return (
        <Empty title={notFound.title}>
          <Stack gap="xs" align="center">
            <span>{query.error.message}</span>
            <Anchor component={Link} to={notFound.back.to}>
              {notFound.back.label}
            </Anchor>
          </Stack>
        </Empty>
      )
    }
    return <LoadError error={query.error} onRetry={() => void query.refetch()} />
  }
  return children(query.data)
}

/** A requirement as one entry of a list: id, title, tier, device classes, standards. */
export function RequirementCard({
  requirement,
  version,
  extra,
}: {
  requirement: RequirementSummary
  version?: string
  extra?: ReactNode
}) {
  const standards = Object.keys(requirement.standards)
  return (
    <Paper withBorder p="md" radius="md" component="li">
      <Stack gap={6}>
        <Group gap="xs" wrap="wrap" align="baseline">
          <Code fw={600}>{requirement.id}</Code>
          <Anchor component={Link} to={requirementPath(requirement.id, version)} fw={600}>
            {requirement.title}
          </Anchor>
        </Group>
        <Text size="sm" c="dimmed" lineClamp={2}>
          {requirement.statement}
        </Text>
        <Group gap="xs" wrap="wrap">
          <TierBadge tier={requirement.tier} />
          {extra}
          <DeviceClassList classes={requirement.deviceClasses} />
        </Group>
        {standards.length > 0 && (
          <Group gap={4} wrap="wrap">
            <Text size="xs" c="dimmed" component="span">
              Maps to:
            </Text>
            {standards.map((catalogue) => (
              <Badge key={catalogue} size="sm" variant="default" tt="none" fw={500}>
                {catalogueShortName(catalogue)}
              </Badge>
            ))}
          </Group>
        )}
      </Stack>
    </Paper>
  )
}

export function RequirementCards({
  requirements,
  version,
  extra,
}: {
  requirements: RequirementSummary[]
  version?: string
  extra?: (requirement: RequirementSummary) => ReactNode
}) {
  return (
    <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
      {requirements.map((requirement) => (
        <RequirementCard
          key={requirement.id}
          requirement={requirement}
          version={version}
          extra={extra?.(requirement)}
        />
      ))}
    </Stack>
  )
}

/** A labelled value in a row of facts. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" fw={700} tt="uppercase" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  )
}

export function SectionTitle({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <Title order={2} size="h4" id={id}>
      {children}
    </Title>
  )
}
