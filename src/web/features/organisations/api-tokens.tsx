import {
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core'
import { useMutation, useQueryClient, type UseQueryResult } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import type { MembershipSummary } from '../../../common/api/accounts.ts'
import type { ApiToken, CreatedToken } from '../../../common/api/organisations.ts'
import {
  scopeFitsOrganisation,
  TOKEN_SCOPES,
  type OrganisationType,
  type TokenScope,
} from '../../../common/organisations.ts'
import { ConfirmAction } from '../../components/confirm-button.tsx'
import { QueryTable } from '../../components/data-table.tsx'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { Panel } from '../../components/panel.tsx'
import { SecretReveal } from '../../components/secret-reveal.tsx'
import { api } from '../../lib/api.ts'
import { formatDate, formatDateTime } from '../../lib/format.ts'
import { SCOPE_LABELS } from '../../lib/labels.ts'

/** Every cached token list: the account's and each organisation's. */
function invalidateTokens(queryClient: ReturnType<typeof useQueryClient>, organisationId: string) {
  void queryClient.invalidateQueries({ queryKey: ['account', 'tokens'] })
  void queryClient.invalidateQueries({ queryKey: ['organisations', organisationId, 'tokens'] })
}

function tokenStatus(token: ApiToken): { label: string; color: string } {
  if (token.revokedAt) return { label: 'Revoked', color: 'gray' }
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= Date.now()) {
    return { label: 'Expired', color: 'orange' }
  }
  return { label: 'Active', color: 'teal' }
}

function RevokeTokenButton({ token }: { token: ApiToken }) {
  const queryClient = useQueryClient()
  return (
    <ConfirmAction
      label="Revoke"
      ariaLabel={`Revoke token ${token.name}`}
      title="Revoke this API token?"
      size="xs"
      mutationFn={() => api.delete(`/organisations/${token.organisationId}/tokens/${token.id}`)}
      onSuccess={() => invalidateTokens(queryClient, token.organisationId)}
      success={`Token “${token.name}” revoked`}
    >
      Programs using <strong>{token.name}</strong> ({token.prefix}…) stop working at once. This
      cannot be undone.
    </ConfirmAction>
  )
}

/** A token list (the account's or an organisation's), with its loading and empty states. */
export function TokenTable({
  query,
  empty,
  showOrganisation = false,
  canRevoke,
}: {
  query: UseQueryResult<ApiToken[]>
  empty: ReactNode
  showOrganisation?: boolean
  canRevoke: (token: ApiToken) => boolean
}) {
  return (
    <QueryTable
      query={query}
      loadingLabel="Loading tokens…"
      empty={empty}
      minWidth={760}
      verticalSpacing="sm"
      striped
      highlightOnHover
      columns={[
        'Name',
        showOrganisation && 'Organisation',
        'Scopes',
        'Created',
        'Expires',
        'Last used',
        'Status',
        <VisuallyHidden>Actions</VisuallyHidden>,
      ]}
      rowKey={(token) => token.id}
    >
      {(token) => {
        const status = tokenStatus(token)
        return (
          <>
            <Table.Td>
              <Text fw={500}>{token.name}</Text>
              <Code>{token.prefix}…</Code>
            </Table.Td>
            {showOrganisation && <Table.Td>{token.organisationName}</Table.Td>}
            <Table.Td>
              <Stack gap={2}>
                {token.scopes.map((scope) => (
                  <Code key={scope} title={SCOPE_LABELS[scope]} w="fit-content">
                    {scope}
                  </Code>
                ))}
              </Stack>
            </Table.Td>
            <Table.Td>{formatDate(token.createdAt)}</Table.Td>
            <Table.Td>{token.expiresAt ? formatDate(token.expiresAt) : 'Never'}</Table.Td>
            <Table.Td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : 'Never'}</Table.Td>
            <Table.Td>
              <Badge color={status.color} variant="light">
                {status.label}
              </Badge>
            </Table.Td>
            <Table.Td>
              {status.label === 'Active' && canRevoke(token) && <RevokeTokenButton token={token} />}
            </Table.Td>
          </>
        )
      }}
    </QueryTable>
  )
}

const EXPIRY_OPTIONS = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: '730', label: '2 years' },
  { value: 'never', label: 'Never' },
]

/**
 * Creates a token for one organisation: the given one, or one chosen from `organisations`.
 * Only the scopes that organisation's type can use are offered. The secret is shown once, with
 * a copy button; the server keeps only its hash.
 */
export function CreateTokenForm({
  organisationId,
  organisationType,
  organisations,
}: {
  organisationId?: string
  organisationType?: OrganisationType
  organisations?: MembershipSummary[]
}) {
  const queryClient = useQueryClient()
  const [chosenOrg, setChosenOrg] = useState(
    organisationId ?? organisations?.[0]?.organisationId ?? '',
  )
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<TokenScope[]>(['organisation:read'])
  const [expiry, setExpiry] = useState('90')
  const [created, setCreated] = useState<CreatedToken | undefined>()
  const type =
    organisationType ?? organisations?.find((m) => m.organisationId === chosenOrg)?.organisationType
  const offered = TOKEN_SCOPES.filter((scope) => !type || scopeFitsOrganisation(scope, type))
  // Ticked scopes of another organisation's type are dropped when the organisation changes.
  const chosenScopes = scopes.filter((scope) => offered.includes(scope))

  const create = useMutation({
    mutationFn: () =>
      api.post<CreatedToken>(`/organisations/${chosenOrg}/tokens`, {
        name: name.trim(),
        scopes: chosenScopes,
        ...(expiry === 'never' ? {} : { expiresInDays: Number(expiry) }),
      }),
    onSuccess: (result) => {
      setCreated(result)
      setName('')
      invalidateTokens(queryClient, result.token.organisationId)
    },
  })

  function submit() {
    setCreated(undefined)
    create.mutate()
  }

  return (
    <Panel title="Create an API token">
      <Text size="sm" c="dimmed">
        Programs use a token as <Code>Authorization: Bearer &lt;secret&gt;</Code>. Give each program
        its own token with only the scopes it needs.
      </Text>
      {created && (
        <SecretReveal label="Token secret" value={created.secret} warning>
          Copy the secret of <strong>{created.token.name}</strong> now and store it safely. It is
          shown only once; if it is lost, revoke the token and create a new one.
        </SecretReveal>
      )}
      <Form onSubmit={submit}>
        <FormError error={create.error} />
        {organisations && (
          <NativeSelect
            label="Organisation"
            value={chosenOrg}
            onChange={(e) => setChosenOrg(e.currentTarget.value)}
            data={organisations.map((m) => ({
              value: m.organisationId,
              label: m.organisationName,
            }))}
          />
        )}
        <TextInput
          label="Token name"
          description="Says what uses it, e.g. “CI pipeline” or “ERP export”"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError(create.error, 'name')}
        />
        <Checkbox.Group
          label="Scopes"
          value={chosenScopes}
          onChange={(value) => setScopes(value as TokenScope[])}
          error={fieldError(create.error, 'scopes')}
        >
          <Stack gap="xs" mt="xs">
            {offered.map((scope) => (
              <Checkbox
                key={scope}
                value={scope}
                label={
                  <>
                    <Code>{scope}</Code> — {SCOPE_LABELS[scope]}
                  </>
                }
              />
            ))}
          </Stack>
        </Checkbox.Group>
        <NativeSelect
          label="Expires after"
          value={expiry}
          onChange={(e) => setExpiry(e.currentTarget.value)}
          data={EXPIRY_OPTIONS}
        />
        <Group>
          <Button
            type="submit"
            loading={create.isPending}
            disabled={name.trim() === '' || chosenScopes.length === 0 || chosenOrg === ''}
          >
            Create token
          </Button>
        </Group>
      </Form>
    </Panel>
  )
}
