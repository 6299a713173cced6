import { Container, Group, Stack, Text, Title } from '@mantine/core'
import { useEffect, type ReactNode } from 'react'

/** Sets the browser tab's title for the page being shown. */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · IIoT Safety Network` : 'IIoT Safety Network'
  }, [title])
}

interface PageProps {
  title: string
  /** The browser tab's title, when it is not the heading's. */
  documentTitle?: string
  description?: ReactNode
  actions?: ReactNode
  size?: 'sm' | 'md' | 'lg' | 'xl'
  /** A page of one task (sign-in, set-up, an invitation): a column this many pixels wide. */
  width?: number
  children: ReactNode
}

/** A page's frame: one h1, an optional lead paragraph and actions, then the content. */
export function Page({
  title,
  documentTitle = title,
  description,
  actions,
  size = 'lg',
  width,
  children,
}: PageProps) {
  useDocumentTitle(documentTitle)
  return (
    <Container
      size={width ?? size}
      px={0}
      py={width === undefined ? undefined : { base: 'md', sm: 'xl' }}
    >
      <Stack gap="lg">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={4} style={{ flex: '1 1 16rem' }}>
            <Title order={1} size="h2">
              {title}
            </Title>
            {description && (
              <Text c="dimmed" component="div">
                {description}
              </Text>
            )}
          </Stack>
          {actions}
        </Group>
        {children}
      </Stack>
    </Container>
  )
}
