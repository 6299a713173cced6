import { Alert, List } from '@mantine/core'
import { IconAlertCircle } from '@tabler/icons-react'
import { AppError } from '../../common/errors.ts'
import { formatDuration } from '../lib/format.ts'

interface Described {
  message: string
  items: string[]
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** A field name from a validation issue: pointer `/data/name` → `name`. */
function issueField(issue: Record<string, unknown>): string | undefined {
  const path = issue.field ?? issue.pointer ?? issue.path ?? issue.instancePath ?? issue.property
  if (typeof path === 'string' && path !== '') return path.split(/[/.]/).filter(Boolean).pop()
  if (Array.isArray(path)) return path.filter((p) => typeof p === 'string').pop()
  return undefined
}

function issuesOf(details: unknown): Record<string, unknown>[] {
  const record = asRecord(details)
  const list = Array.isArray(details) ? details : (record?.issues ?? record?.errors)
  return Array.isArray(list)
    ? list.map(asRecord).filter((x): x is Record<string, unknown> => !!x)
    : []
}

/** The server's message plus whatever its `details` add (password reasons, fields, retry time). */
export function describeError(error: unknown): Described {
  if (!(error instanceof AppError)) {
    return { message: error instanceof Error ? error.message : 'Something went wrong', items: [] }
  }
  const details = asRecord(error.details)
  const items: string[] = []
  const reasons = details?.reasons
  // Reasons the message already spells out (as weak_password's does) are not repeated.
  if (Array.isArray(reasons)) {
    items.push(
      ...reasons.filter((r): r is string => typeof r === 'string' && !error.message.includes(r)),
    )
  }
  for (const issue of issuesOf(error.details)) {
    const field = issueField(issue)
    const message = typeof issue.message === 'string' ? issue.message : 'is not valid'
    items.push(field ? `${field}: ${message}` : message)
  }
  if (typeof details?.field === 'string' && items.length === 0) {
    items.push(`Field: ${details.field}`)
  }
  let message = error.message
  if (error.code === 'account_locked' && typeof details?.retryAfterSeconds === 'number') {
    message = `${message} Try again in ${formatDuration(details.retryAfterSeconds)}.`
  }
  return { message, items }
}

/**
 * The message for one input, when the error names that field (`details.field`, a validation
 * issue's path, or a weak password for the new-password field).
 */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof AppError)) return undefined
  const details = asRecord(error.details)
  if (error.code === 'weak_password' && (field === 'password' || field === 'newPassword')) {
    return error.message
  }
  if (details?.field === field) return error.message
  const issue = issuesOf(error.details).find((i) => issueField(i) === field)
  return issue && typeof issue.message === 'string' ? issue.message : undefined
}

/** The error of a form, next to it: the server's message and, when given, what to fix. */
export function FormError({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null
  const { message, items } = describeError(error)
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertCircle aria-hidden />}
      title={title}
      role="alert"
    >
      {message}
      {items.length > 0 && (
        <List size="sm" mt="xs">
          {items.map((item) => (
            <List.Item key={item}>{item}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  )
}
