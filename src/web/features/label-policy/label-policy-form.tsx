import { Anchor, Button, Group, NumberInput, Select, Switch, Text } from '@mantine/core'
import { useState } from 'react'
import { Link } from 'react-router'
import {
  POLICY_DAYS,
  type LabelPolicy,
  type PublishedLabelPolicy,
} from '../../../common/api/label-policy.ts'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Panel } from '../../components/panel.tsx'
import { QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { LABEL_POLICY_KEY, usePublishedPolicy } from './label-policy-api.ts'

const validDays = (v: number | string): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= POLICY_DAYS.min && v <= POLICY_DAYS.max

function Form({ policy }: { policy: LabelPolicy }) {
  const [enabled, setEnabled] = useState(policy.enabled)
  const [kevDays, setKevDays] = useState<number | string>(policy.kevSuspendAfterDays)
  const [warnDays, setWarnDays] = useState<number | string>(policy.criticalWarningAfterDays)
  const [confidence, setConfidence] = useState<LabelPolicy['minConfidence']>(policy.minConfidence)
  const save = useNotifyingMutation({
    mutationFn: (data: LabelPolicy) => api.put<LabelPolicy>('/admin/label-policy', { data }),
    success: 'Label policy saved',
    invalidates: [LABEL_POLICY_KEY],
  })
  const valid = validDays(kevDays) && validDays(warnDays)
  const daysInput = (
    label: string,
    description: string,
    value: number | string,
    set: (v: number | string) => void,
    field: string,
  ) => (
    <NumberInput
      label={label}
      description={description}
      min={POLICY_DAYS.min}
      max={POLICY_DAYS.max}
      step={1}
      allowDecimal={false}
      allowNegative={false}
      clampBehavior="none"
      required
      w={{ base: '100%', sm: 360 }}
      value={value}
      onChange={set}
      error={
        fieldError(save.error, field) ??
        (validDays(value)
          ? undefined
          : `Enter a whole number of days from ${POLICY_DAYS.min} to ${POLICY_DAYS.max}.`)
      }
    />
  )
  return (
    <Panel
      title="Label policy"
      maw={720}
      onSubmit={() => {
        if (validDays(kevDays) && validDays(warnDays)) {
          save.mutate({
            enabled,
            kevSuspendAfterDays: kevDays,
            criticalWarningAfterDays: warnDays,
            minConfidence: confidence,
          })
        }
      }}
    >
      <Text size="sm">
        Labels react by themselves to their product version’s findings: suspended when a
        known-exploited vulnerability stays unremediated, a security warning on the product page for
        a critical one without fix or VEX statement, active again when fixed. The policy is public:{' '}
        <Anchor component={Link} to="/label-policy">
          see the published policy
        </Anchor>
        . Changes apply from the next pass (within the hour) and are audited.
      </Text>
      <FormError error={save.error} />
      <Switch
        label="The policy acts (off: it suspends nothing and lifts its own suspensions)"
        checked={enabled}
        onChange={(e) => setEnabled(e.currentTarget.checked)}
      />
      {daysInput(
        'Suspend after (days) a known-exploited vulnerability stays unremediated',
        'Default 14, counted from the later of its first sighting and its KEV date.',
        kevDays,
        setKevDays,
        'kevSuspendAfterDays',
      )}
      {daysInput(
        'Warn after (days) a critical vulnerability has neither fix nor VEX',
        'Default 30, counted from its first sighting.',
        warnDays,
        setWarnDays,
        'criticalWarningAfterDays',
      )}
      <Select
        label="Findings counted"
        w={{ base: '100%', sm: 360 }}
        data={[
          { value: 'high', label: 'High confidence only' },
          { value: 'medium', label: 'Medium or high confidence (default)' },
          { value: 'low', label: 'Any confidence' },
        ]}
        value={confidence}
        onChange={(v) => setConfidence((v ?? 'medium') as LabelPolicy['minConfidence'])}
        allowDeselect={false}
      />
      <Group>
        <Button type="submit" loading={save.isPending} disabled={!valid}>
          Save policy
        </Button>
      </Group>
    </Panel>
  )
}

/** The label policy setting for network administrators (Administration → Settings). */
export function LabelPolicyForm() {
  const query = usePublishedPolicy()
  return (
    <QueryState query={query} loadingLabel="Loading the label policy…">
      {(data: PublishedLabelPolicy) => <Form policy={data.policy} />}
    </QueryState>
  )
}
