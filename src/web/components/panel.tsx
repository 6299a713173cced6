import { Paper, Stack, Title, type PaperProps, type StackProps } from '@mantine/core'
import type { ReactNode } from 'react'
import { Form } from './form.tsx'

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
  const heading = (
    <Title order={2} size="h4">
      {title}
    </Title>
  )
  return (
    <Paper withBorder p="lg" radius="md" {...paperProps}>
      {onSubmit ? (
        <Form onSubmit={onSubmit} gap={gap} align={align}>
          {heading}
          {children}
        </Form>
      ) : (
        <Stack gap={gap} align={align}>
          {heading}
          {children}
        </Stack>
      )}
    </Paper>
  )
}
