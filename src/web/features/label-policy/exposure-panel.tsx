import { Alert, Anchor, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconShieldCheck, IconShieldX } from '@tabler/icons-react'
import { Link } from 'react-router'
import { Panel } from '../../components/panel.tsx'
import { LoadError, Loading } from '../../components/query-state.tsx'
import { formatDate, formatDateTime } from '../../lib/format.ts'
import { useLabelExposure } from './label-policy-api.ts'
import { TITLE_IN_TEXT_COLOUR } from './policy-notices.tsx'

/**
 * The product page's "Known vulnerabilities" panel: open known-exploited vulnerabilities of the
 * version, the label policy's security warning and the suspension it holds (docs/registry.md).
 */
export function ExposurePanel({ labelId }: { labelId: string }) {
  const query = useLabelExposure(labelId)
  return (
    <Panel title="Known vulnerabilities">
      {query.isPending ? (
        <Loading label="Loading known vulnerabilities…" />
      ) : query.isError ? (
        <LoadError error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <Stack gap="sm">
          {query.data.policySuspension && (
            <Alert
              color="red"
              variant="light"
              icon={<IconShieldX aria-hidden />}
              styles={TITLE_IN_TEXT_COLOUR}
              title="Suspended by the label policy"
            >
              <Text size="sm">
                Since {formatDateTime(query.data.policySuspension.since)}:{' '}
                {query.data.policySuspension.reason} The label returns to active by itself once this
                is remediated.
              </Text>
            </Alert>
          )}
          {query.data.warning && (
            <Alert
              color="orange"
              variant="light"
              icon={<IconAlertTriangle aria-hidden />}
              styles={TITLE_IN_TEXT_COLOUR}
              title="Security warning"
            >
              <Text size="sm">
                {query.data.warning.message} Shown since {formatDate(query.data.warning.since)}. The
                label’s status is not changed by a warning.
              </Text>
            </Alert>
          )}
          {query.data.knownExploited.open === 0 ? (
            <Text size="sm">
              <IconShieldCheck size={16} aria-hidden style={{ verticalAlign: 'text-bottom' }} /> No
              open known-exploited vulnerabilities (CISA KEV) are known in this version.
            </Text>
          ) : (
            <Text size="sm">
              <strong>
                {query.data.knownExploited.open} open known-exploited{' '}
                {query.data.knownExploited.open === 1 ? 'vulnerability' : 'vulnerabilities'}
              </strong>{' '}
              (CISA KEV): {query.data.knownExploited.cves.join(', ')}.
              {query.data.knownExploited.nextSuspensionAt &&
                ` Unless remediated, the label policy suspends this label on ${formatDate(query.data.knownExploited.nextSuspensionAt)}.`}
            </Text>
          )}
          <Text size="sm" c="dimmed">
            <Anchor component={Link} to="/label-policy">
              How the network’s label policy works
            </Anchor>
          </Text>
        </Stack>
      )}
    </Panel>
  )
}
