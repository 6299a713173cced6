import { Button, Container, Group, Stack, Text, Title } from '@mantine/core'
import type { ReactNode } from 'react'
import { isRouteErrorResponse, Link, useRouteError } from 'react-router'
import { useDocumentTitle } from '../components/page.tsx'

function Problem({ title, children }: { title: string; children: ReactNode }) {
  useDocumentTitle(title)
  return (
    <Container size="sm" py="xl">
      <Stack>
        <Title order={1} size="h2">
          {title}
        </Title>
        <Text component="div">{children}</Text>
        <Group>
          <Button component={Link} to="/">
            Go to the home page
          </Button>
        </Group>
      </Stack>
    </Container>
  )
}

export function NotFoundPage() {
  return (
    <Problem title="Page not found">
      There is no page at this address. It may have moved, or the link may be mistyped.
    </Problem>
  )
}

/** Shown when rendering a page throws: say so plainly instead of a blank screen. */
export function RouteErrorPage() {
  const error = useRouteError()
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />
  return (
    <Problem title="Something went wrong">
      This page could not be shown. Reload the page to try again; if it keeps happening, tell your
      network operator what you were doing.
    </Problem>
  )
}
