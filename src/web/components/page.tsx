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
  description?: ReactNode
  actions?: ReactNode
  size?: 'sm' | 'md' | 'lg' | 'xl'
  children: ReactNode
}

/** A page's frame: one h1, an optional lead paragraph and actions, then the content. */
export function Page({ title, description, actions, size = 'lg', children }: PageProps) {
  useDocumentTitle(title)
  return (
    <Container size={size} px={0}>
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
