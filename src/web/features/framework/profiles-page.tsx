import { Button, Group, Paper, Select, SimpleGrid, Stack, Text } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useSearchParams } from 'react-router'
import type { Profile } from '../../../common/api/framework.ts'
import {
  DEVICE_CLASSES,
  TIER_DESCRIPTIONS,
  TIERS,
  VERIFICATION_STRENGTHS,
  VERIFICATION_STRENGTH_LABELS,
  type Tier,
} from '../../../common/framework.ts'
import { Page } from '../../components/page.tsx'
import { Empty, QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import {
  exportUrl,
  FRAMEWORK_KEY,
  FRAMEWORK_STALE_TIME,
  parseDeviceClass,
  parseTier,
} from './framework-api.ts'
import {
  deviceClassLabel,
  FrameworkNav,
  RequirementCards,
  tierLabel,
  VerificationBadge,
} from './framework-ui.tsx'

function ProfileView({ profile }: { profile: Profile }) {
  const byStrength = VERIFICATION_STRENGTHS.map((strength) => ({
    strength,
    count: profile.requirements.filter((r) => r.verification === strength).length,
  })).filter((s) => s.count > 0)
  if (profile.requirements.length === 0) {
    return <Empty title="No requirements apply to this device class at this tier" />
  }
  return (
    <Stack gap="md">
      <Text role="status" aria-live="polite">
        <strong>{profile.requirements.length} requirements</strong> apply to{' '}
        {profile.deviceClass ? deviceClassLabel(profile.deviceClass) : 'any device class'} at{' '}
        {tierLabel(profile.tier)}
        {byStrength.length > 0 &&
          `: ${byStrength
            .map((s) => `${s.count} ${VERIFICATION_STRENGTH_LABELS[s.strength].toLowerCase()}`)
            .join(', ')}`}
        .
      </Text>
      <RequirementCards
        requirements={profile.requirements}
        extra={(r) => {
          const asked = profile.requirements.find((p) => p.id === r.id)?.verification
          return asked ? <VerificationBadge strength={asked} /> : null
        }}
      />
    </Stack>
  )
}

/** /framework/profiles — the requirement set of a device class at a tier. */
export function ProfilesPage() {
  const [params, setParams] = useSearchParams()
  const tier: Tier = parseTier(params.get('tier')) ?? 1
  const deviceClass = parseDeviceClass(params.get('deviceClass'))
  const set = (key: string, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current)
        if (value) next.set(key, value)
        else next.delete(key)
        return next
      },
      { replace: true },
    )
  const profile = useQuery({
    queryKey: [...FRAMEWORK_KEY, 'profile', tier, deviceClass ?? null],
    queryFn: () => api.get<Profile>('/framework/profiles', { tier, deviceClass }),
    placeholderData: keepPreviousData,
    staleTime: FRAMEWORK_STALE_TIME,
  })
  return (
    <Page
      title="Profiles"
      documentTitle="Framework profiles"
      size="xl"
      description="Choose a device class and a tier to see every requirement that applies, with the verification an assessor asks for at that tier. A requirement applies from its tier upwards."
    >
      <FrameworkNav />
      <Paper withBorder p="md" radius="md">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <Select
              label="Device class"
              placeholder="Any device class"
              clearable
              value={deviceClass ?? null}
              onChange={(value) => set('deviceClass', value)}
              data={DEVICE_CLASSES.map((c) => ({ value: c, label: deviceClassLabel(c) }))}
            />
            <Select
              label="Tier"
              allowDeselect={false}
              value={String(tier)}
              onChange={(value) => set('tier', value)}
              data={TIERS.map((t) => ({ value: String(t), label: tierLabel(t) }))}
            />
          </SimpleGrid>
          <Text size="sm" c="dimmed">
            {tierLabel(tier)}: {TIER_DESCRIPTIONS[tier]}
          </Text>
          <Group gap="sm">
            <Button
              component="a"
              href={exportUrl('oscal-profile', { tier, deviceClass })}
              download
              leftSection={<IconDownload size={16} aria-hidden />}
            >
              Download as OSCAL profile
            </Button>
          </Group>
        </Stack>
      </Paper>
      <QueryState query={profile} loadingLabel="Loading the profile…">
        {(data) => <ProfileView profile={data} />}
      </QueryState>
    </Page>
  )
}
