import { Alert, Button, Checkbox, Group, NumberInput, Stack, Text } from '@mantine/core'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { IconInfoCircle } from '@tabler/icons-react'
import { useState } from 'react'
import {
  LABEL_VALIDITY_MONTHS,
  type NetworkSettings,
  type TwoFactorGroup,
  type UpdateSettingsBody,
} from '../../../common/api/admin.ts'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Panel } from '../../components/panel.tsx'
import { QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { keysOf, TWO_FACTOR_GROUP_LABELS } from '../../lib/labels.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { LabelPolicyForm } from '../label-policy/label-policy-form.tsx'
import { SESSION_KEY } from '../../lib/session.ts'

const SETTINGS_KEY = ['admin', 'settings'] as const
const RECOMMENDED: TwoFactorGroup[] = ['network_admin', 'assessor']

/** Saves some of the settings (the others stay as they are). */
function useSaveSettings(options: { success: string; invalidates?: (typeof SESSION_KEY)[] }) {
  const queryClient = useQueryClient()
  return useNotifyingMutation({
    mutationFn: (data: UpdateSettingsBody['data']) =>
      api.patch<NetworkSettings>('/admin/settings', { data }),
    onSuccess: (saved) => queryClient.setQueryData(SETTINGS_KEY, saved),
    ...options,
  })
}

function TwoFactorForm({ settings }: { settings: NetworkSettings }) {
  const [groups, setGroups] = useState<TwoFactorGroup[]>(settings.twoFactorRequiredFor)
  const save = useSaveSettings({
    success: 'Two-factor requirement saved',
    // The requirement may now apply to the administrator making the change.
    invalidates: [SESSION_KEY],
  })

  const missing = RECOMMENDED.filter((g) => !groups.includes(g) && !groups.includes('everyone'))
  const unchanged =
    groups.length === settings.twoFactorRequiredFor.length &&
    groups.every((g) => settings.twoFactorRequiredFor.includes(g))
  return (
    <Panel
      title="Two-factor sign-in"
      maw={720}
      onSubmit={() => save.mutate({ twoFactorRequiredFor: groups })}
    >
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

const { min, max } = LABEL_VALIDITY_MONTHS

function LabelValidityForm({ settings }: { settings: NetworkSettings }) {
  const [months, setMonths] = useState<number | string>(settings.labelValidityMonths)
  const save = useSaveSettings({ success: 'Label validity saved' })
  const valid =
    typeof months === 'number' && Number.isInteger(months) && months >= min && months <= max
  return (
    <Panel
      title="Label validity"
      maw={720}
      onSubmit={() => {
        if (typeof months === 'number') save.mutate({ labelValidityMonths: months })
      }}
    >
      <Text size="sm">
        A label issued when an assessor approves a review is valid for this many months, or until
        the product version’s support period ends if that is sooner. Labels already issued keep
        their expiry; an hourly job marks labels expired when either end is reached.
      </Text>
      <FormError error={save.error} />
      <NumberInput
        label="Validity of new labels (months)"
        description={`From ${min} to ${max} months (three years); the default is ${LABEL_VALIDITY_MONTHS.default}.`}
        min={min}
        max={max}
        step={1}
        allowDecimal={false}
        allowNegative={false}
        clampBehavior="none"
        required
        w={260}
        value={months}
        onChange={setMonths}
        error={
          fieldError(save.error, 'labelValidityMonths') ??
          (valid ? undefined : `Enter a whole number of months from ${min} to ${max}.`)
        }
      />
      <Group>
        <Button
          type="submit"
          loading={save.isPending}
          disabled={!valid || months === settings.labelValidityMonths}
        >
          Save validity
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
      {(data) => (
        <Stack gap="lg">
          <TwoFactorForm settings={data} />
          <LabelValidityForm settings={data} />
          <LabelPolicyForm />
        </Stack>
      )}
    </QueryState>
  )
}
