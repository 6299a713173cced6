import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { Organisation } from '../../../common/api/organisations.ts'
import {
  WEBHOOK_EVENT_TYPES,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  type WebhookEventType,
} from '../../../common/api/webhooks.ts'
import { ConfirmAction } from '../../components/confirm-button.tsx'
import { QueryTable } from '../../components/data-table.tsx'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty } from '../../components/query-state.tsx'
import { SecretReveal } from '../../components/secret-reveal.tsx'
import { api } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'

const EVENT_LABELS: Record<WebhookEventType, string> = {
  'label.issued': 'a label of ours is issued',
  'label.status_changed': 'a label of ours is suspended, reinstated, revoked or expires',
  'findings.changed': 'vulnerability findings of our products change',
  'webhook.test': 'test events sent from this page',
}

const DELIVERY_COLORS = { pending: 'yellow', delivered: 'teal', failed: 'red' } as const

/** Webhooks of an organisation: Standard Webhooks deliveries to its own systems (docs/webhooks.md). */
export function WebhooksTab({ organisation }: { organisation: Organisation }) {
  const base = `/organisations/${organisation.id}/webhooks`
  const queryKey = ['organisations', organisation.id, 'webhooks']
  const webhooks = useQuery({ queryKey, queryFn: () => api.get<WebhookEndpoint[]>(base) })
  const [secret, setSecret] = useState<WebhookEndpointWithSecret | undefined>()
  const [showing, setShowing] = useState<string | undefined>()

  return (
    <Stack gap="lg">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Webhooks of {organisation.name}
        </Title>
        <Text size="sm" c="dimmed">
          The platform POSTs a signed JSON event to each address when something it subscribes to
          happens. Deliveries follow the Standard Webhooks specification: check the{' '}
          <Code>webhook-signature</Code> header with the secret before trusting a delivery.
        </Text>
        {secret && (
          <SecretReveal label="Signing secret" value={secret.secret} warning>
            Copy the signing secret of <strong>{secret.url}</strong> now. It is shown only once;
            rotate it to get a new one.
          </SecretReveal>
        )}
        <QueryTable
          query={webhooks}
          loadingLabel="Loading webhooks…"
          empty={
            <Empty title="No webhooks">
              Add one below to have your systems told when a label or a finding changes.
            </Empty>
          }
          minWidth={820}
          verticalSpacing="sm"
          striped
          columns={[
            'Address',
            'Events',
            'Status',
            'Last delivery',
            <VisuallyHidden>Actions</VisuallyHidden>,
          ]}
          rowKey={(w) => w.id}
        >
          {(webhook) => (
            <WebhookRow
              webhook={webhook}
              base={base}
              queryKey={queryKey}
              onSecret={setSecret}
              onShowDeliveries={() => setShowing(showing === webhook.id ? undefined : webhook.id)}
            />
          )}
        </QueryTable>
      </Stack>
      {showing && <Deliveries path={`${base}/${showing}/deliveries`} />}
      <CreateWebhookForm base={base} queryKey={queryKey} onCreated={setSecret} />
    </Stack>
  )
}

function WebhookRow({
  webhook,
  base,
  queryKey,
  onSecret,
  onShowDeliveries,
}: {
  webhook: WebhookEndpoint
  base: string
  queryKey: string[]
  onSecret: (created: WebhookEndpointWithSecret) => void
  onShowDeliveries: () => void
}) {
  const queryClient = useQueryClient()
  const refresh = () => void queryClient.invalidateQueries({ queryKey })
  const path = `${base}/${webhook.id}`
  const toggle = useMutation({
    mutationFn: () => api.patch(path, { data: { enabled: !webhook.enabled } }),
    onSuccess: refresh,
  })
  const test = useMutation({ mutationFn: () => api.post(`${path}/test`), onSuccess: refresh })
  const last = webhook.lastDelivery
  return (
    <>
      <Table.Td>
        <Text fw={500} style={{ wordBreak: 'break-all' }}>
          {webhook.url}
        </Text>
        {webhook.description && (
          <Text size="sm" c="dimmed">
            {webhook.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          {webhook.eventTypes.map((type) => (
            <Code key={type} w="fit-content">
              {type}
            </Code>
          ))}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Badge color={webhook.enabled ? 'teal' : 'gray'} variant="light">
          {webhook.enabled ? 'Enabled' : 'Disabled'}
        </Badge>
      </Table.Td>
      <Table.Td>
        {last ? (
          <Stack gap={2}>
            <Badge color={DELIVERY_COLORS[last.status]} variant="light" w="fit-content">
              {last.status}
              {last.statusCode ? ` · ${last.statusCode}` : ''}
            </Badge>
            <Text size="xs">{formatDateTime(last.at)}</Text>
          </Stack>
        ) : (
          'None yet'
        )}
        <Anchor component="button" type="button" size="sm" onClick={onShowDeliveries}>
          Deliveries
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button
            size="xs"
            variant="light"
            loading={test.isPending}
            disabled={!webhook.enabled}
            onClick={() => test.mutate()}
            aria-label={`Send a test event to ${webhook.url}`}
          >
            Send test
          </Button>
          <Button
            size="xs"
            variant="default"
            loading={toggle.isPending}
            onClick={() => toggle.mutate()}
          >
            {webhook.enabled ? 'Disable' : 'Enable'}
          </Button>
          <ConfirmAction
            label="Rotate secret"
            ariaLabel={`Rotate the secret of ${webhook.url}`}
            title="Rotate the signing secret?"
            size="xs"
            color="orange"
            mutationFn={() => api.post<WebhookEndpointWithSecret>(`${path}/rotate-secret`)}
            onSuccess={(rotated) => {
              onSecret(rotated)
              refresh()
            }}
            success="Secret rotated"
          >
            Deliveries from now on are signed with a new secret; the receiver must be given it.
          </ConfirmAction>
          <ConfirmAction
            label="Delete"
            ariaLabel={`Delete the webhook ${webhook.url}`}
            title="Delete this webhook?"
            size="xs"
            mutationFn={() => api.delete(path)}
            onSuccess={refresh}
            success="Webhook deleted"
          >
            Nothing more is sent to <strong>{webhook.url}</strong>, and its delivery history is
            deleted.
          </ConfirmAction>
        </Group>
        <FormError error={test.error ?? toggle.error} />
      </Table.Td>
    </>
  )
}

function Deliveries({ path }: { path: string }) {
  const deliveries = useQuery({
    queryKey: [path],
    queryFn: () => api.get<WebhookDelivery[]>(path),
    refetchInterval: 5000,
  })
  return (
    <Panel title="Recent deliveries">
      <QueryTable
        query={deliveries}
        loadingLabel="Loading deliveries…"
        empty={<Empty title="No deliveries yet" />}
        minWidth={720}
        verticalSpacing="xs"
        columns={['Event', 'Created', 'Status', 'Attempts', 'Last answer']}
        rowKey={(d) => d.id}
      >
        {(delivery) => (
          <>
            <Table.Td>
              <Code>{delivery.eventType}</Code>
              <Text size="xs" c="dimmed">
                {delivery.id}
              </Text>
            </Table.Td>
            <Table.Td>{formatDateTime(delivery.createdAt)}</Table.Td>
            <Table.Td>
              <Badge color={DELIVERY_COLORS[delivery.status]} variant="light">
                {delivery.status}
              </Badge>
            </Table.Td>
            <Table.Td>{delivery.attempts}</Table.Td>
            <Table.Td>
              {delivery.lastStatusCode ?? ''} {delivery.lastError ?? ''}
            </Table.Td>
          </>
        )}
      </QueryTable>
    </Panel>
  )
}

function CreateWebhookForm({
  base,
  queryKey,
  onCreated,
}: {
  base: string
  queryKey: string[]
  onCreated: (created: WebhookEndpointWithSecret) => void
}) {
  const queryClient = useQueryClient()
  const [url, setUrl] = useState('')
  const [description, setDescription] = useState('')
  const [events, setEvents] = useState<WebhookEventType[]>(['label.status_changed'])
  const create = useMutation({
    mutationFn: () =>
      api.post<WebhookEndpointWithSecret>(base, {
        url: url.trim(),
        ...(description.trim() && { description: description.trim() }),
        eventTypes: events,
      }),
    onSuccess: (created) => {
      onCreated(created)
      setUrl('')
      setDescription('')
      void queryClient.invalidateQueries({ queryKey })
    },
  })
  return (
    <Panel title="Add a webhook">
      <Form onSubmit={() => create.mutate()}>
        <FormError error={create.error} />
        <TextInput
          label="Address"
          description="An https:// URL of your system that accepts POST requests"
          required
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          error={fieldError(create.error, 'url')}
        />
        <TextInput
          label="Description"
          maxLength={200}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
        <Checkbox.Group
          label="Events"
          value={events}
          onChange={(value) => setEvents(value as WebhookEventType[])}
          error={fieldError(create.error, 'eventTypes')}
        >
          <Stack gap="xs" mt="xs">
            {WEBHOOK_EVENT_TYPES.map((type) => (
              <Checkbox
                key={type}
                value={type}
                label={
                  <>
                    <Code>{type}</Code> — when {EVENT_LABELS[type]}
                  </>
                }
              />
            ))}
          </Stack>
        </Checkbox.Group>
        <Group>
          <Button
            type="submit"
            loading={create.isPending}
            disabled={url.trim() === '' || events.length === 0}
          >
            Add webhook
          </Button>
        </Group>
      </Form>
    </Panel>
  )
}
