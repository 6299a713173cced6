import { Alert, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { IconMailOpened } from '@tabler/icons-react'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import type { Static } from 'typebox'
import type {
  AcceptInvitationResultSchema,
  InvitationPreview,
} from '../../../common/api/organisations.ts'
import { isAppError } from '../../../common/errors.ts'
import { ORGANISATION_TYPE_LABELS } from '../../../common/organisations.ts'
import { DisplayNameInput } from '../../components/display-name-input.tsx'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { NewPasswordInput, useNewPassword } from '../../components/new-password-input.tsx'
import { Page } from '../../components/page.tsx'
import { LoadError, Loading } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { ROLE_LABELS } from '../../lib/labels.ts'
import { SESSION_KEY, useSession } from '../../lib/session.ts'
import { useSignOut } from '../auth/use-sign-out.ts'

type AcceptResult = Static<typeof AcceptInvitationResultSchema>

function NewAccountForm({ token, preview }: { token: string; preview: InvitationPreview }) {
  const navigate = useNavigate()
  const [displayName, setDisplayName] = useState('')
  const password = useNewPassword()

  const accept = useMutation({
    mutationFn: () =>
      api.post<AcceptResult>(`/invitations/${encodeURIComponent(token)}/accept`, {
        displayName: displayName.trim(),
        password: password.value,
      }),
    onSuccess: (result) => {
      notifications.show({
        color: 'teal',
        title: 'Welcome to the network',
        message: 'Your account is ready. Sign in with your new password.',
      })
      const next = encodeURIComponent(`/organisations/${result.organisationId}`)
      void navigate(`/sign-in?email=${encodeURIComponent(preview.email)}&next=${next}`)
    },
  })

  function submit() {
    if (password.check()) accept.mutate()
  }

  return (
    <Form onSubmit={submit}>
      <Text size="sm">Create your account to join. You will sign in with {preview.email}.</Text>
      <FormError error={accept.error} />
      <TextInput label="Email" value={preview.email} readOnly />
      <DisplayNameInput
        description="How other members see you"
        autoComplete="name"
        value={displayName}
        onChange={setDisplayName}
        formError={accept.error}
      />
      <NewPasswordInput
        label="Password"
        {...password.input}
        error={fieldError(accept.error, 'password')}
      />
      <Button
        type="submit"
        loading={accept.isPending}
        disabled={displayName.trim() === '' || password.value === ''}
      >
        Accept invitation
      </Button>
    </Form>
  )
}

function ExistingAccount({ token, preview }: { token: string; preview: InvitationPreview }) {
  const session = useSession()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const here = `/invitations/${encodeURIComponent(token)}`
  const signOut = useSignOut(
    `/sign-in?email=${encodeURIComponent(preview.email)}&next=${encodeURIComponent(here)}`,
  )

  const accept = useMutation({
    mutationFn: () =>
      api.post<AcceptResult>(`/invitations/${encodeURIComponent(token)}/accept`, {}),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: SESSION_KEY })
      await queryClient.invalidateQueries({ queryKey: ['organisations'] })
      notifications.show({
        color: 'teal',
        message: `You are now a member of ${preview.organisationName}`,
      })
      void navigate(`/organisations/${result.organisationId}`)
    },
  })

  if (session.isPending) return <Loading />
  const user = session.data?.user
  if (!user) {
    return (
      <Stack align="flex-start">
        <Text size="sm">
          This invitation is for an existing account. Sign in as <strong>{preview.email}</strong> to
          accept it.
        </Text>
        <Button
          component={Link}
          to={`/sign-in?email=${encodeURIComponent(preview.email)}&next=${encodeURIComponent(here)}`}
        >
          Sign in to accept
        </Button>
      </Stack>
    )
  }
  if (user.email.toLowerCase() !== preview.email.toLowerCase()) {
    return (
      <Stack align="flex-start">
        <Alert color="orange" title="Signed in as someone else">
          You are signed in as {user.email}, but this invitation is for {preview.email}. Switch
          account: you will be signed out, then asked to sign in as {preview.email}.
        </Alert>
        <Button variant="default" loading={signOut.isPending} onClick={() => signOut.mutate()}>
          Switch account
        </Button>
      </Stack>
    )
  }
  return (
    <Stack align="flex-start">
      <Text size="sm">You are signed in as {user.email}.</Text>
      <FormError error={accept.error} />
      <Button loading={accept.isPending} onClick={() => accept.mutate()}>
        Accept invitation
      </Button>
    </Stack>
  )
}

/** The page a one-time invitation link opens. */
export function InvitationPage() {
  const { token = '' } = useParams()
  const preview = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.get<InvitationPreview>(`/invitations/${encodeURIComponent(token)}`),
    retry: false,
    staleTime: Infinity,
  })

  let body
  if (preview.isPending) body = <Loading label="Opening your invitation…" />
  else if (preview.isError) {
    body =
      isAppError(preview.error, 'invalid_or_expired_link') ||
      isAppError(preview.error, 'not_found') ? (
        <Alert color="red" title="This invitation cannot be used">
          The link is unknown, already used, revoked or expired. Ask the person who invited you for
          a new one.
        </Alert>
      ) : (
        <LoadError error={preview.error} onRetry={() => void preview.refetch()} />
      )
  } else {
    const p = preview.data
    body = (
      <Paper withBorder radius="md" p="lg">
        <Stack>
          <Group gap="sm" wrap="nowrap" align="flex-start">
            <IconMailOpened size={28} aria-hidden />
            <Stack gap={2}>
              <Text fw={600}>
                Join {p.organisationName} as {ROLE_LABELS[p.role].toLowerCase()}
              </Text>
              <Text size="sm" c="dimmed">
                {ORGANISATION_TYPE_LABELS[p.organisationType]} · invitation for {p.email} · valid
                until {formatDateTime(p.expiresAt)}
              </Text>
            </Stack>
          </Group>
          {p.accountExists ? (
            <ExistingAccount token={token} preview={p} />
          ) : (
            <NewAccountForm token={token} preview={p} />
          )}
        </Stack>
      </Paper>
    )
  }

  return (
    <Page
      title="You are invited"
      documentTitle="Invitation"
      width={520}
      description="Member organisations of the IIoT Safety Network work together on the security of industrial IoT products."
    >
      {body}
    </Page>
  )
}
