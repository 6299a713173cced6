import { Paper, Stack, Title, type PaperProps, type StackProps } from '@mantine/core'
import type { FormEvent, ReactNode } from 'react'

interface PanelProps extends PaperProps {
  /** The panel's heading, an h2. */
  title: ReactNode
  /**
   * Makes the whole panel a form (validated by the app, not the browser): submitting it calls
   * this instead of reloading the page.
   */
  onSubmit?: () => void
  gap?: StackProps['gap']
  align?: StackProps['align']
  children: ReactNode
}

/** A bordered card with a heading: one task or topic on a page, often a form. */
export function Panel({ title, onSubmit, gap, align, children, ...paperProps }: PanelProps) {
  const content = (
    <Stack gap={gap} align={align}>
      <Title order={2} size="h4">
        {title}
      </Title>
      {children}
    </Stack>
  )
  function submit(event: FormEvent) {
    event.preventDefault()
    onSubmit?.()
  }
  return (
    <Paper withBorder p="lg" radius="md" {...paperProps}>
      {onSubmit ? (
        <form onSubmit={submit} noValidate>
          {content}
        </form>
      ) : (
        content
      )}
    </Paper>
  )
}
