import { Type, type Static, type TProperties, type TSchema } from 'typebox'
import { ERROR_CODES } from '../errors.ts'

/** Request bodies refuse unknown fields: a typo is an error, not a silently ignored field. */
export const StrictObject = <T extends TProperties>(
  properties: T,
  options: { description?: string } = {},
) => Type.Object(properties, { additionalProperties: false, ...options })

export const IdSchema = Type.String({ format: 'uuid', description: 'Identifier (UUID)' })
export const TimestampSchema = Type.String({
  format: 'date-time',
  description: 'ISO-8601 UTC time',
})
export const EmailSchema = Type.String({ format: 'email', minLength: 3, maxLength: 254 })
/** Passwords are checked by policy (length, common passwords) in the service; this only bounds size. */
export const PasswordSchema = Type.String({ minLength: 1, maxLength: 256 })
export const DisplayNameSchema = Type.String({
  minLength: 1,
  maxLength: 120,
  pattern: '\\S',
  description: 'Not blank',
})
export const TotpCodeSchema = Type.String({
  pattern: '^[0-9]{6}$',
  description: 'Six-digit code from the authenticator app',
})

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Enum(ERROR_CODES),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  {
    $id: 'Error',
    description: 'Every error: a stable code, a user-safe message and optional details',
  },
)
export type ErrorResponse = Static<typeof ErrorSchema>

export const OrgParamsSchema = StrictObject({ orgId: IdSchema })

/** A paged list's `limit` (1 to `max`, 50 by default) and `offset` query parameters. */
export const pageQuery = (max: number) => ({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: max, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
})

/** One page of a list: its items, how many there are in all, and the page's limit and offset. */
export const PageSchema = <T extends TSchema>(item: T, total = Type.Integer()) =>
  Type.Object({ items: Type.Array(item), total, limit: Type.Integer(), offset: Type.Integer() })
