import { Alert, Anchor, Button, Code, Paper, Stack, Text, TextInput } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useMutation, useQuery } from '@tanstack/react-query'
import { IconInfoCircle } from '@tabler/icons-react'
import { useState } from 'react'
import type { Static } from 'typebox'
import { Link, useNavigate, useSearchParams } from 'react-router'
import type { SetupLink, SetupStatusSchema, User } from '../../../common/api/accounts.ts'
import { isAppError } from '../../../common/errors.ts'
import { DisplayNameInput } from '../../components/display-name-input.tsx'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { NewPasswordInput, useNewPassword } from '../../components/new-password-input.tsx'
import { Page } from '../../components/page.tsx'
import { LoadError, Loading } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'

type SetupStatus = Static<typeof SetupStatusSchema>

function NoLink() {
  const status = useQuery({
    queryKey: ['setup'],
    queryFn: () => api.get<SetupStatus>('/setup'),
    retry: false,
  })
  if (status.data && !status.data.needsSetup) {
    return (
      <Alert color="teal" title="This network is already set up">
        Sign in with your account. To add another administrator, an existing one can run{' '}
        <Code>isn admin create</Code>, or promote a member under Administration.
        <Button component={Link} to="/sign-in" mt="md" display="block" w="fit-content">
          Go to sign-in
        </Button>
      </Alert>
    )
  }
  return (
    <Alert color="blue" icon={<IconInfoCircle aria-hidden />} title="A set-up link is needed">
      <Stack gap="xs">
        <Text size="sm">
          The first network administrator is created through a one-time link. The server prints it
          in its log when it starts for the first time, as <Code>…/setup?token=…</Code>.
        </Text>
        <Text size="sm">
          Lost it? From a shell on the server, <Code>isn admin create</Code> prints a new one.
        </Text>
      </Stack>
    </Alert>
  )
}

function SetupForm({ token, link }: { token: string; link: SetupLink }) {
  const navigate = useNavigate()
  const [email, setEmail] = useState(link.email ?? '')
  const [displayName, setDisplayName] = useState('')
  const password = useNewPassword()

  const create = useMutation({
    mutationFn: () =>
      api.post<User>('/setup/admin', {
        token,
        email: email.trim(),
        displayName: displayName.trim(),
        password: password.value,
      }),
    onSuccess: (user) => {
      notifications.show({
        color: 'teal',
        title: 'Administrator created',
        message: `Sign in as ${user.email} to continue.`,
      })
      void navigate(`/sign-in?email=${encodeURIComponent(user.email)}&next=%2Fadmin`)
    },
  })

  function submit() {
    if (password.check()) create.mutate()
  }

  const error = create.error
  return (
    <Form onSubmit={submit}>
      <FormError error={error} />
      <TextInput
        label="Email"
        type="email"
        autoComplete="username"
        required
        readOnly={link.email !== null}
        description={link.email !== null ? 'Fixed by the set-up link' : undefined}
        value={email}
        onChange={(e) => setEmail(e.currentTarget.value)}
        error={fieldError(error, 'email')}
      />
      <DisplayNameInput
        autoComplete="name"
        value={displayName}
        onChange={setDisplayName}
        formError={error}
      />
      <NewPasswordInput
        label="Password"
        {...password.input}
        error={fieldError(error, 'password')}
      />
      <Button
        type="submit"
        loading={create.isPending}
        disabled={email.trim() === '' || displayName.trim() === '' || password.value === ''}
      >
        Create administrator
      </Button>
    </Form>
  )
}

/** First run: the one-time link printed by the server creates the first network administrator. */
export function SetupPage() {
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const link = useQuery({
    queryKey: ['setup', 'link', token],
    queryFn: () => api.get<SetupLink>(`/setup/links/${encodeURIComponent(token)}`),
    enabled: token !== '',
    retry: false,
  })

  let body
  if (token === '') body = <NoLink />
  else if (link.isPending) body = <Loading label="Checking the set-up link…" />
  else if (link.isError) {
    body = isAppError(link.error, 'invalid_or_expired_link') ? (
      <Alert color="red" title="This set-up link cannot be used">
        It is unknown, already used or expired. Run <Code>isn admin create</Code> on the server for
        a new one, or{' '}
        <Anchor component={Link} to="/sign-in">
          sign in
        </Anchor>{' '}
        if the network is already set up.
      </Alert>
    ) : (
      <LoadError error={link.error} onRetry={() => void link.refetch()} />
    )
  } else {
    body = (
      <Paper withBorder radius="md" p="lg">
        <Stack>
          <Text size="sm" c="dimmed">
            This link is valid until {formatDateTime(link.data.expiresAt)} and works once.
          </Text>
          <SetupForm token={token} link={link.data} />
        </Stack>
      </Paper>
    )
  }

  const firstAdmin = !link.data || link.data.purpose === 'first_admin'
  return (
    <Page
      title={firstAdmin ? 'Set up the network' : 'Create an administrator'}
      documentTitle="Set up the network"
      width={520}
      description={
        firstAdmin
          ? 'Create the first network administrator. This account admits organisations, accredits assessors and sets the network’s security rules.'
          : 'Create an account for a new network administrator.'
      }
    >
      {body}
    </Page>
  )
}
