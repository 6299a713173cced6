import { Stack, type StackProps } from '@mantine/core'
import type { FormEvent, ReactNode } from 'react'

interface FormProps extends Omit<StackProps, 'onSubmit'> {
  /** Called on submit (a submit button or Enter) instead of the browser loading a page. */
  onSubmit: () => void
  children: ReactNode
}

/**
 * A form of the app: its fields stacked, checked by the app and the server rather than by the
 * browser (whose messages cannot be styled or placed next to the server's).
 */
export function Form({ onSubmit, children, ...stackProps }: FormProps) {
  function submit(event: FormEvent) {
    event.preventDefault()
    onSubmit()
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack {...stackProps}>{children}</Stack>
    </form>
  )
}
