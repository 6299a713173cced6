import { List, Table, Text } from '@mantine/core'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { LoadError, Loading } from '../../components/query-state.tsx'
import { usePublishedPolicy } from './label-policy-api.ts'

const CONFIDENCE_WORDS = {
  high: 'high confidence only',
  medium: 'medium or high confidence',
  low: 'any confidence',
} as const

/** The public page of the network's label policy: the settings and the rules in words. */
export function LabelPolicyPage() {
  const query = usePublishedPolicy()
  return (
    <Page
      title="Label policy"
      description="What the network does by itself to a label when its product version has a known-exploited or critical vulnerability left unremediated."
    >
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <LoadError error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <Panel title="Settings">
            <Table>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th scope="row">Policy</Table.Th>
                  <Table.Td>{query.data.policy.enabled ? 'On' : 'Off'}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">
                    Suspension for a known-exploited vulnerability after
                  </Table.Th>
                  <Table.Td>{query.data.policy.kevSuspendAfterDays} days</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">Warning for a critical vulnerability after</Table.Th>
                  <Table.Td>{query.data.policy.criticalWarningAfterDays} days</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">Findings counted</Table.Th>
                  <Table.Td>{CONFIDENCE_WORDS[query.data.policy.minConfidence]}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </Panel>
          <Panel title="Rules">
            <List spacing="xs">
              {query.data.rules.map((rule) => (
                <List.Item key={rule}>{rule}</List.Item>
              ))}
            </List>
            <Text size="sm" c="dimmed">
              The policy acts as “{query.data.actor}” in each label’s history and in the audit log.
            </Text>
          </Panel>
        </>
      )}
    </Page>
  )
}
