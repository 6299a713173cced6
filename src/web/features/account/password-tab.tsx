import { Button, Group, PasswordInput } from '@mantine/core'
import { useState } from 'react'
import { isAppError } from '../../../common/errors.ts'
import { fieldError, FormError } from '../../components/form-error.tsx'
import { NewPasswordInput, useNewPassword } from '../../components/new-password-input.tsx'
import { Panel } from '../../components/panel.tsx'
import { api } from '../../lib/api.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'

export function PasswordTab() {
  const [currentPassword, setCurrentPassword] = useState('')
  const newPassword = useNewPassword()

  const change = useNotifyingMutation({
    mutationFn: () =>
      api.post('/account/password', { currentPassword, newPassword: newPassword.value }),
    onSuccess: () => {
      setCurrentPassword('')
      newPassword.clear()
    },
    success: 'Password changed',
  })

  const error = change.error
  // The server reports a wrong current password as invalid_credentials.
  const currentError = isAppError(error, 'invalid_credentials') ? error.message : undefined
  return (
    <Panel
      title="Change password"
      maw={560}
      onSubmit={() => {
        if (newPassword.check()) change.mutate()
      }}
    >
      <FormError error={currentError ? undefined : error} />
      <PasswordInput
        label="Current password"
        autoComplete="current-password"
        required
        value={currentPassword}
        onChange={(e) => setCurrentPassword(e.currentTarget.value)}
        error={currentError ?? fieldError(error, 'currentPassword')}
      />
      <NewPasswordInput
        label="New password"
        {...newPassword.input}
        error={fieldError(error, 'newPassword')}
      />
      <Group>
        <Button
          type="submit"
          loading={change.isPending}
          disabled={currentPassword === '' || newPassword.value === ''}
        >
          Change password
        </Button>
      </Group>
    </Panel>
  )
}
