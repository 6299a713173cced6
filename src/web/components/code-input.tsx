import { TextInput, type TextInputProps } from '@mantine/core'

interface CodeInputProps extends Omit<TextInputProps, 'value' | 'onChange'> {
  value: string
  onChange: (value: string) => void
}

/** The six-digit code of an authenticator app; anything but digits is dropped as it is typed. */
export function CodeInput({ value, onChange, ...props }: CodeInputProps) {
  return (
    <TextInput
      label="Authentication code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
      value={value}
      onChange={(e) => onChange(e.currentTarget.value.replace(/\D/g, ''))}
      {...props}
    />
  )
}
