import { Alert, Badge, Button, Group, Image, List, PasswordInput, Stack, Text } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { IconShieldCheck, IconShieldLock } from '@tabler/icons-react'
import { useState } from 'react'
import { Link } from 'react-router'
import type { TwoFactorSetup } from '../../../common/api/accounts.ts'
import { isAppError } from '../../../common/errors.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { CodeInput } from '../../components/code-input.tsx'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { Panel } from '../../components/panel.tsx'
import { SecretReveal } from '../../components/secret-reveal.tsx'
import { api } from '../../lib/api.ts'
import { SESSION_KEY } from '../../lib/session.ts'

const CODE_WIDTH = { base: '100%', xs: 240 }

function codeError(error: unknown): string | undefined {
  return isAppError(error, 'invalid_two_factor_code') ? error.message : fieldError(error, 'code')
}

/** A QR code from the server, drawn as an image: its SVG never becomes live markup. */
function QrCode({ svg }: { svg: string }) {
  return (
    <Image
      className="qr-code"
      src={`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`}
      alt="QR code to scan with your authenticator app"
      fit="contain"
    />
  )
}

function Enrol() {
  const queryClient = useQueryClient()
  const [setup, setSetup] = useState<TwoFactorSetup | undefined>()
  const [code, setCode] = useState('')

  const start = useMutation({
    mutationFn: () => api.post<TwoFactorSetup>('/account/two-factor/setup'),
    onSuccess: (result) => {
      setSetup(result)
      setCode('')
      confirm.reset()
    },
  })
  const confirm = useMutation({
    mutationFn: () => api.post('/account/two-factor/confirm', { code }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: SESSION_KEY })
      notifications.show({
        color: 'teal',
        title: 'Two-factor sign-in is on',
        message: 'From now on, signing in asks for a code from your authenticator app.',
      })
    },
  })

  if (!setup) {
    return (
      <Panel title="Turn on two-factor sign-in" align="flex-start">
        <Text size="sm">
          After your password, signing in will also ask for a six-digit code from an authenticator
          app on your phone or computer (any app that supports TOTP codes). Someone who learns your
          password still cannot sign in as you.
        </Text>
        <FormError error={start.error} />
        <Button loading={start.isPending} onClick={() => start.mutate()}>
          Set up two-factor
        </Button>
      </Panel>
    )
  }

  const confirmError = codeError(confirm.error) ? undefined : confirm.error
  return (
    <Panel title="Set up your authenticator">
      <List type="ordered" spacing="xs" size="sm">
        <List.Item>Open your authenticator app and add an account.</List.Item>
        <List.Item>Scan the QR code, or type the secret below into the app.</List.Item>
        <List.Item>Enter the six-digit code the app shows, to prove it works.</List.Item>
      </List>
      <Group align="flex-start" gap="lg">
        <QrCode svg={setup.qrSvg} />
        <Stack style={{ flex: '1 1 16rem' }} gap="xs">
          <SecretReveal label="Secret for manual entry" value={setup.secret}>
            Can’t scan? Type this into your app as a time-based key.
          </SecretReveal>
        </Stack>
      </Group>
      <Form onSubmit={() => confirm.mutate()}>
        <FormError error={confirmError} />
        <CodeInput
          value={code}
          onChange={setCode}
          error={codeError(confirm.error)}
          w={CODE_WIDTH}
        />
        <Group>
          <Button type="submit" loading={confirm.isPending} disabled={code.length !== 6}>
            Turn on two-factor
          </Button>
          <Button variant="default" onClick={() => setSetup(undefined)}>
            Cancel
          </Button>
        </Group>
      </Form>
    </Panel>
  )
}

function Disable() {
  const queryClient = useQueryClient()
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const disable = useMutation({
    mutationFn: () => api.post('/account/two-factor/disable', { password, code }),
    onSuccess: async () => {
      setPassword('')
      setCode('')
      await queryClient.invalidateQueries({ queryKey: SESSION_KEY })
      notifications.show({ color: 'orange', message: 'Two-factor sign-in is off' })
    },
  })

  const wrongPassword = isAppError(disable.error, 'invalid_credentials')
  const generalError = wrongPassword || codeError(disable.error) ? undefined : disable.error
  return (
    <Panel title="Turn off two-factor sign-in" onSubmit={() => disable.mutate()}>
      <Text size="sm" c="dimmed">
        Your account will be protected by your password alone. If the network requires two-factor
        sign-in for your role, it cannot be turned off.
      </Text>
      <FormError error={generalError} />
      <PasswordInput
        label="Password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        error={wrongPassword ? disable.error?.message : fieldError(disable.error, 'password')}
        maw={400}
      />
      <CodeInput value={code} onChange={setCode} error={codeError(disable.error)} w={CODE_WIDTH} />
      <Group>
        <Button
          type="submit"
          color="red"
          loading={disable.isPending}
          disabled={password === '' || code.length !== 6}
        >
          Turn off two-factor
        </Button>
      </Group>
    </Panel>
  )
}

export function TwoFactorTab() {
  const { user, twoFactorSetupRequired } = useCurrentSession()
  // Sent here by the requirement: once it is met, offer the way back to the rest of the app.
  const [wasRequired] = useState(twoFactorSetupRequired)
  return (
    <Stack maw={720}>
      {twoFactorSetupRequired && (
        <Alert
          color="orange"
          icon={<IconShieldLock aria-hidden />}
          title="Your network requires two-factor sign-in"
          role="alert"
        >
          The network’s administrators require two-factor sign-in for people with your role. Until
          you set it up, the rest of the platform is closed to your account; your account settings
          stay available.
        </Alert>
      )}
      {user.twoFactorEnabled ? (
        <>
          <Alert
            color="teal"
            icon={<IconShieldCheck aria-hidden />}
            title="Two-factor sign-in is on"
          >
            <Group gap="sm">
              <Text size="sm">Signing in asks for a code from your authenticator app.</Text>
              <Badge color="teal">On</Badge>
            </Group>
          </Alert>
          <Disable />
        </>
      ) : (
        <Enrol />
      )}
      {wasRequired && user.twoFactorEnabled && !twoFactorSetupRequired && (
        <Button component={Link} to="/organisations" w="fit-content">
          Continue to your organisations
        </Button>
      )}
    </Stack>
  )
}
