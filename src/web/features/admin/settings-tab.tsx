import { Alert, Button, Checkbox, Group, Stack, Text } from '@mantine/core'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { IconInfoCircle } from '@tabler/icons-react'
import { useState } from 'react'
import type { NetworkSettings, TwoFactorGroup } from '../../../common/api/admin.ts'
import { FormError } from '../../components/form-error.tsx'
import { Panel } from '../../components/panel.tsx'
import { QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { keysOf, TWO_FACTOR_GROUP_LABELS } from '../../lib/labels.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { SESSION_KEY } from '../../lib/session.ts'

const SETTINGS_KEY = ['admin', 'settings'] as const
const RECOMMENDED: TwoFactorGroup[] = ['network_admin', 'assessor']

function SettingsForm({ settings }: { settings: NetworkSettings }) {
  const queryClient = useQueryClient()
  const [groups, setGroups] = useState<TwoFactorGroup[]>(settings.twoFactorRequiredFor)

  const save = useNotifyingMutation({
    mutationFn: () =>
      api.patch<NetworkSettings>('/admin/settings', { data: { twoFactorRequiredFor: groups } }),
    onSuccess: (saved) => queryClient.setQueryData(SETTINGS_KEY, saved),
    // The requirement may now apply to the administrator making the change.
    invalidates: [SESSION_KEY],
    success: 'Settings saved',
  })

  const missing = RECOMMENDED.filter((g) => !groups.includes(g) && !groups.includes('everyone'))
  const unchanged =
    groups.length === settings.twoFactorRequiredFor.length &&
    groups.every((g) => settings.twoFactorRequiredFor.includes(g))
  return (
    <Panel title="Two-factor sign-in" maw={720} onSubmit={() => save.mutate()}>
      <Alert color="blue" variant="light" icon={<IconInfoCircle aria-hidden />}>
        We recommend requiring two-factor sign-in at least for network administrators and for
        members of assessor organisations: their accounts admit members, accredit assessors and
        decide labels.
      </Alert>
      <FormError error={save.error} />
      <Checkbox.Group
        label="Require two-factor sign-in for"
        description="People in a chosen group who have not set it up can use only their account settings until they do."
        value={groups}
        onChange={(value) => setGroups(value as TwoFactorGroup[])}
      >
        <Stack gap="xs" mt="sm">
          {keysOf(TWO_FACTOR_GROUP_LABELS).map((group) => (
            <Checkbox
              key={group}
              value={group}
              label={
                RECOMMENDED.includes(group)
                  ? `${TWO_FACTOR_GROUP_LABELS[group]} (recommended)`
                  : TWO_FACTOR_GROUP_LABELS[group]
              }
            />
          ))}
        </Stack>
      </Checkbox.Group>
      {missing.length > 0 && (
        <Text size="sm" c="orange.9">
          Not following the recommendation:{' '}
          {missing.map((g) => TWO_FACTOR_GROUP_LABELS[g].toLowerCase()).join(' and ')} can sign in
          with a password alone.
        </Text>
      )}
      <Group>
        <Button type="submit" loading={save.isPending} disabled={unchanged}>
          Save settings
        </Button>
      </Group>
    </Panel>
  )
}

export function SettingsTab() {
  const settings = useQuery({
    queryKey: SETTINGS_KEY,
    queryFn: () => api.get<NetworkSettings>('/admin/settings'),
  })
  return (
    <QueryState query={settings} loadingLabel="Loading settings…">
      {(data) => <SettingsForm settings={data} />}
    </QueryState>
  )
}
