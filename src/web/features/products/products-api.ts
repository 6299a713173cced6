import type { SessionInfo } from '../../../common/api/accounts.ts'
import { AppError } from '../../../common/errors.ts'
import { hasRoleAtLeast, type OrganisationRole } from '../../../common/organisations.ts'

/** Query keys: everything about one organisation's products sits under the first. */
export const productsKey = (orgId: string) => ['products', orgId] as const
export const productKey = (orgId: string, productId: string) =>
  ['products', orgId, 'product', productId] as const
export const versionsKey = (orgId: string, productId: string) =>
  ['products', orgId, 'product', productId, 'versions'] as const

export const productsPath = (orgId: string) => `/organisations/${orgId}/products`
export const productPath = (orgId: string, productId: string) =>
  `${productsPath(orgId)}/${productId}`

/** The manufacturer organisations the person belongs to: the ones that have products. */
export function manufacturerMemberships(session: SessionInfo) {
  return session.memberships.filter((m) => m.organisationType === 'manufacturer')
}

export function productAccess(session: SessionInfo, orgId: string) {
  const role: OrganisationRole | undefined = session.memberships.find(
    (m) => m.organisationId === orgId,
  )?.role
  return {
    role,
    canWrite: role !== undefined && hasRoleAtLeast(role, 'member'),
    canManage: role !== undefined && hasRoleAtLeast(role, 'admin'),
  }
}

/** Lines of a text area as a list: trimmed, blank lines and repeats dropped. */
export function linesToList(text: string): string[] {
  return [...new Set(text.split('\n').map((line) => line.trim()))].filter(Boolean)
}

const URL_FIELDS = new Set([
  'securityContactUrl',
  'vulnerabilityDisclosureUrl',
  'sbomUrl',
  'secureSetupUrl',
])

/** The validator's wording ("must match pattern …") in words a person can act on. */
function friendlyMessage(field: string | undefined, message: string): string {
  if (message.startsWith('must match pattern') || message.startsWith('must match format "uri"')) {
    if (field && URL_FIELDS.has(field)) return 'must be an https:// link'
    if (message.includes('\\S')) return 'must not be blank or start or end with a space'
  }
  if (message === 'must match format "date"') return 'must be a date (YYYY-MM-DD)'
  if (message === 'must match format "email"') return 'must be an email address'
  return message
}

/**
 * The error with the validator's messages reworded for people; other errors as they are. The
 * form shows it at the top and next to each field.
 */
export function friendlyError(error: unknown): unknown {
  if (!(error instanceof AppError) || !Array.isArray(error.details)) return error
  const details = (error.details as { pointer?: unknown; message?: unknown }[]).map((issue) => {
    if (typeof issue.pointer !== 'string' || typeof issue.message !== 'string') return issue
    const parts = issue.pointer.split('/').filter(Boolean)
    const field = parts[0] === 'data' ? parts[1] : parts[0]
    return { ...issue, message: friendlyMessage(field, issue.message) }
  })
  const message =
    error.code === 'validation_failed' && details.length > 0
      ? 'Some fields need another look.'
      : error.message
  return new AppError(error.code, message, { details })
}

/**
 * The server's message for one field, when its validation details point into it (`/sbomUrl`,
 * `/data/sbomUrl`, `/sensors/3`). Bare field names are not unique enough for the generic helper.
 */
export function productFieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof AppError) || !Array.isArray(error.details)) return undefined
  for (const issue of error.details as { pointer?: unknown; message?: unknown }[]) {
    if (typeof issue.pointer !== 'string') continue
    const parts = issue.pointer.split('/').filter(Boolean)
    if (parts[0] === 'data') parts.shift()
    if (parts[0] === field) {
      const message = typeof issue.message === 'string' ? issue.message : 'is not valid'
      return parts.length > 1 ? `Line ${Number(parts[1]) + 1} ${message}` : message
    }
  }
  return undefined
}
