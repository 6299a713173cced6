import { Anchor, Button, Group, Paper, PasswordInput, Text, TextInput } from '@mantine/core'
import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router'
import type { SignInResult } from '../../../common/api/accounts.ts'
import { AppError, isAppError } from '../../../common/errors.ts'
import { TWO_FACTOR_PATH } from '../../app/guards.tsx'
import { CodeInput } from '../../components/code-input.tsx'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { Page, useDocumentTitle } from '../../components/page.tsx'
import { Loading } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { safeNextPath, useSession, useSetSession } from '../../lib/session.ts'

type Step = { kind: 'password' } | { kind: 'code'; challenge: string }

/** A sign-in error may carry the challenge too (`two_factor_required` with `details.challenge`). */
function challengeOf(error: unknown): string | undefined {
  if (!isAppError(error, 'two_factor_required')) return undefined
  const challenge = (error.details as { challenge?: unknown } | undefined)?.challenge
  return typeof challenge === 'string' ? challenge : undefined
}

export function SignInPage() {
  useDocumentTitle('Sign in')
  const [params] = useSearchParams()
  const next = safeNextPath(params.get('next'))
  const session = useSession()
  const setSession = useSetSession()
  const navigate = useNavigate()

  const [step, setStep] = useState<Step>({ kind: 'password' })
  const [email, setEmail] = useState(params.get('email') ?? '')
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  // Kept across steps: an expired challenge sends the user back with the reason shown.
  const [notice, setNotice] = useState<AppError | undefined>()

  function finish(result: SignInResult): void {
    if (result.status === 'two_factor_required') {
      setStep({ kind: 'code', challenge: result.challenge })
      setCode('')
      return
    }
    setSession(result.session)
    void navigate(result.session.twoFactorSetupRequired ? TWO_FACTOR_PATH : next, {
      replace: true,
    })
  }

  const signIn = useMutation({
    mutationFn: () => api.post<SignInResult>('/auth/sign-in', { email: email.trim(), password }),
    onMutate: () => setNotice(undefined),
    onSuccess: finish,
    onError: (error) => {
      const challenge = challengeOf(error)
      if (challenge) finish({ status: 'two_factor_required', challenge })
    },
  })

  const verify = useMutation({
    mutationFn: (challenge: string) =>
      api.post<SignInResult>('/auth/sign-in/two-factor', { challenge, code }),
    onSuccess: finish,
    onError: (error) => {
      // The challenge expired or was used up: start again from the password.
      if (isAppError(error, 'unauthorized') || isAppError(error, 'invalid_or_expired_link')) {
        setNotice(error)
        setStep({ kind: 'password' })
        setPassword('')
        verify.reset()
      }
    },
  })

  if (session.isPending) return <Loading />
  // Already signed in (e.g. the back button): go on instead of showing the form again.
  if (session.data && !signIn.isPending && !verify.isPending) {
    return <Navigate to={next} replace />
  }

  function submitCode() {
    if (step.kind === 'code') verify.mutate(step.challenge)
  }

  const signInError = signIn.isError && !challengeOf(signIn.error) ? signIn.error : notice

  return (
    <Page
      title="Sign in"
      width={440}
      description={
        step.kind === 'password'
          ? 'Members of the network sign in with the email address they were invited with.'
          : 'Enter the six-digit code from your authenticator app.'
      }
    >
      <Paper withBorder radius="md" p="lg">
        {step.kind === 'password' ? (
          <Form onSubmit={() => signIn.mutate()}>
            <FormError error={signInError} />
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fieldError(signInError, 'email')}
              autoFocus={email === ''}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fieldError(signInError, 'password')}
              autoFocus={email !== ''}
            />
            <Button
              type="submit"
              loading={signIn.isPending}
              disabled={email.trim() === '' || password === ''}
            >
              Sign in
            </Button>
          </Form>
        ) : (
          <Form onSubmit={submitCode}>
            <FormError
              error={isAppError(verify.error, 'invalid_two_factor_code') ? undefined : verify.error}
            />
            <CodeInput
              description={`Signing in as ${email}`}
              autoFocus
              value={code}
              onChange={setCode}
              error={
                isAppError(verify.error, 'invalid_two_factor_code')
                  ? verify.error.message
                  : undefined
              }
            />
            <Button type="submit" loading={verify.isPending} disabled={code.length !== 6}>
              Sign in
            </Button>
            <Group justify="center">
              <Anchor
                component="button"
                type="button"
                size="sm"
                onClick={() => {
                  setStep({ kind: 'password' })
                  setPassword('')
                  verify.reset()
                  signIn.reset()
                }}
              >
                Use a different account
              </Anchor>
            </Group>
          </Form>
        )}
      </Paper>
      <Text size="sm" c="dimmed" ta="center">
        New to the network? Organisations join by invitation — see{' '}
        <Anchor component={Link} to="/#audiences">
          who the network is for
        </Anchor>
        .
      </Text>
    </Page>
  )
}
