import { Badge, Stack, Text } from '@mantine/core'
import type { Triage } from '../../../common/api/vex.ts'

/** A VEX / triage term in words: `not_affected` → "not affected". */
export const vexWords = (value: string) => value.replace(/_/g, ' ')

/**
 * A finding's triage in a table cell: its state (a not-affected finding with a justification is
 * suppressed: kept visible, not counted as open), the reason, the fix and who set it.
 */
export function TriageSummary({ triage }: { triage: Triage | null }) {
  if (!triage) return <Text size="sm">Not triaged</Text>
  const suppressed = triage.state === 'not_affected' && triage.justification !== null
  return (
    <Stack gap={2}>
      <Badge
        color={suppressed ? 'gray' : triage.state === 'fixed' ? 'green' : 'orange'}
        variant="light"
      >
        {vexWords(triage.state)}
        {suppressed ? ' (suppressed)' : ''}
      </Badge>
      <Text size="xs" c="dimmed">
        {[
          (triage.justification ?? triage.response) &&
            vexWords(triage.justification ?? triage.response ?? ''),
          triage.fixedVersion && `fixed in ${triage.fixedVersion}`,
          triage.source === 'vex' ? 'from VEX' : triage.by,
        ]
          .filter(Boolean)
          .join(' · ')}
      </Text>
    </Stack>
  )
}
