import { Alert, Anchor, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { Link } from 'react-router'
import type { VerificationResult } from '../../../common/api/labels.ts'
import { formatDate } from '../../lib/format.ts'
import { useLabelExposure } from './label-policy-api.ts'

/**
 * Alert titles in the text colour: Mantine's light orange and red titles are below WCAG AA contrast
 * on their own light background.
 */
export const TITLE_IN_TEXT_COLOUR = { title: { color: 'var(--mantine-color-text)' } }

/**
 * The label policy's security warning carried by a verification answer: shown beside the
 * status, which it does not change (docs/labels.md, "Label policy").
 */
export function PolicyWarningAlert({
  warning,
}: {
  warning: NonNullable<VerificationResult['warning']>
}) {
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconAlertTriangle aria-hidden />}
      styles={TITLE_IN_TEXT_COLOUR}
      title="Security warning from the label policy"
    >
      <Text size="sm">
        {warning.message} Shown since {formatDate(warning.since)}.
      </Text>
      <Text size="sm" mt={4}>
        The label’s status is not changed by a warning.{' '}
        <Anchor component={Link} to="/label-policy" underline="always" size="sm">
          How the label policy works
        </Anchor>
      </Text>
    </Alert>
  )
}

/**
 * One line on the label's open known-exploited vulnerabilities and, if nothing changes, when the
 * label policy suspends it. Nothing while loading or when the label has none.
 */
export function KnownExploitedLine({ labelId }: { labelId: string }) {
  const query = useLabelExposure(labelId)
  if (!query.data) return null
  const { open, cves, nextSuspensionAt } = query.data.knownExploited
  if (open === 0) return null
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />}>
      <Text size="sm">
        <strong>
          {open} open known-exploited {open === 1 ? 'vulnerability' : 'vulnerabilities'}
        </strong>{' '}
        (CISA KEV) in this product version: {cves.join(', ')}.
        {nextSuspensionAt &&
          ` Unless remediated, the label policy suspends this label on ${formatDate(nextSuspensionAt)} (after ${query.data.policy.kevSuspendAfterDays} days).`}
      </Text>
    </Alert>
  )
}
