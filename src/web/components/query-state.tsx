import { Alert, Button, Center, Group, Loader, Paper, Stack, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { describeError } from './form-error.tsx'

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed">{label}</Text>
      </Group>
    </Center>
  )
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap={4} align="center" ta="center">
        <Text fw={600}>{title}</Text>
        {children && (
          <Text c="dimmed" size="sm" component="div">
            {children}
          </Text>
        )}
      </Stack>
    </Paper>
  )
}

export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { message, items } = describeError(error)
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">
          {message}
          {items.length > 0 && ` (${items.join('; ')})`}
        </Text>
        {onRetry && (
          <Button size="xs" variant="outline" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  )
}

interface QueryStateProps<T> {
  query: UseQueryResult<T>
  loadingLabel?: string
  /** Shown instead of `children` when the data is an empty list. */
  empty?: ReactNode
  children: (data: T) => ReactNode
}

/** Loading, error and empty states around one query, so each list does not repeat them. */
export function QueryState<T>({ query, loadingLabel, empty, children }: QueryStateProps<T>) {
  if (query.isPending) return <Loading label={loadingLabel} />
  if (query.isError) return <LoadError error={query.error} onRetry={() => void query.refetch()} />
  if (empty !== undefined && Array.isArray(query.data) && query.data.length === 0) return empty
  return children(query.data)
}
