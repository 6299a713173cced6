import { TextInput, type TextInputProps } from '@mantine/core'
import { fieldError } from './form-error.tsx'

/** The server's limit (`DisplayNameSchema` in common/api/shared.ts). */
const MAX_DISPLAY_NAME_LENGTH = 120

interface DisplayNameInputProps extends Omit<
  TextInputProps,
  'label' | 'required' | 'maxLength' | 'onChange' | 'error'
> {
  value: string
  onChange: (value: string) => void
  /** The form's error: shown on the field when it is about the display name. */
  formError: unknown
}

/** The name other members see, in the forms that set it (set-up, invitation, profile). */
export function DisplayNameInput({ onChange, formError, ...props }: DisplayNameInputProps) {
  return (
    <TextInput
      label="Display name"
      required
      maxLength={MAX_DISPLAY_NAME_LENGTH}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={fieldError(formError, 'displayName')}
      {...props}
    />
  )
}
