import { PasswordInput } from '@mantine/core'
import { useState, type ChangeEvent } from 'react'
import { MIN_PASSWORD_LENGTH, PASSWORD_POLICY, passwordTooShort } from './password-policy.ts'

/**
 * A password being chosen. Its length is checked in the browser once the user leaves the field
 * or submits, not while they are still typing.
 */
export function useNewPassword() {
  const [value, setValue] = useState('')
  const [touched, setTouched] = useState(false)
  return {
    value,
    /** On submit: shows the length check; true when the password may be sent. */
    check: () => {
      setTouched(true)
      return value.length >= MIN_PASSWORD_LENGTH
    },
    clear: () => {
      setValue('')
      setTouched(false)
    },
    /** Spread into NewPasswordInput. */
    input: {
      value,
      onChange: (event: ChangeEvent<HTMLInputElement>) => setValue(event.currentTarget.value),
      onBlur: () => setTouched(value !== ''),
      tooShort: touched ? passwordTooShort(value) : undefined,
    },
  }
}

type NewPasswordInputProps = ReturnType<typeof useNewPassword>['input'] & {
  label: string
  /** The server's verdict on this field; the length check, when it fails, is shown instead. */
  error?: string
}

/** A field to choose a password, with the policy under it. */
export function NewPasswordInput({ label, tooShort, error, ...input }: NewPasswordInputProps) {
  return (
    <PasswordInput
      label={label}
      autoComplete="new-password"
      required
      description={PASSWORD_POLICY}
      {...input}
      error={tooShort ?? error}
    />
  )
}
