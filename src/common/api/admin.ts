import { Type, type Static } from 'typebox'
import { OrganisationTypeSchema, UserSchema } from './accounts.ts'
import { OrganisationSchema } from './organisations.ts'
import { IdSchema, StrictObject, TimestampSchema } from './shared.ts'

export const AdminOrganisationSchema = Type.Interface([OrganisationSchema], {
  memberCount: Type.Integer(),
})
export type AdminOrganisation = Static<typeof AdminOrganisationSchema>
export const AdminOrganisationQuerySchema = StrictObject({
  query: Type.Optional(Type.String({ maxLength: 200 })),
  type: Type.Optional(OrganisationTypeSchema),
})
export const AccreditBodySchema = StrictObject({
  note: Type.String({ minLength: 1, maxLength: 1000 }),
})

export const AdminUserSchema = Type.Interface([UserSchema], {
  disabled: Type.Boolean(),
  organisationCount: Type.Integer(),
})
export type AdminUser = Static<typeof AdminUserSchema>
export const AdminUserQuerySchema = StrictObject({
  query: Type.Optional(Type.String({ maxLength: 200 })),
})
export const UserParamsSchema = StrictObject({ userId: IdSchema })
export const UpdateUserBodySchema = StrictObject({
  data: StrictObject({
    isNetworkAdmin: Type.Optional(Type.Boolean()),
    disabled: Type.Optional(Type.Boolean()),
  }),
})

export const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: TimestampSchema,
  actorType: Type.Union([
    Type.Literal('user'),
    Type.Literal('api_token'),
    Type.Literal('system'),
    Type.Literal('anonymous'),
  ]),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorLabel: Type.Union([Type.String(), Type.Null()]),
  organisationId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
})
export type AuditEntry = Static<typeof AuditEntrySchema>
export const AuditQuerySchema = StrictObject({
  action: Type.Optional(
    Type.String({
      maxLength: 100,
      description: 'Exact action, or a family ending in "." (e.g. "session.")',
    }),
  ),
  actorId: Type.Optional(Type.String({ maxLength: 100 })),
  organisationId: Type.Optional(Type.String({ maxLength: 100 })),
  targetId: Type.Optional(Type.String({ maxLength: 200 })),
  from: Type.Optional(TimestampSchema),
  to: Type.Optional(TimestampSchema),
  before: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Cursor: entries with a smaller seq' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
})
export type AuditQuery = Static<typeof AuditQuerySchema>
export const AuditPageSchema = Type.Object({
  entries: Type.Array(AuditEntrySchema),
  nextBefore: Type.Union([Type.Integer(), Type.Null()]),
})
export type AuditPage = Static<typeof AuditPageSchema>
export const AuditVerificationSchema = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  headSeq: Type.Integer(),
  broken: Type.Optional(Type.Object({ seq: Type.Integer(), reason: Type.String() })),
})

export const TWO_FACTOR_GROUPS = [
  'network_admin',
  'assessor',
  'org_owner',
  'org_admin',
  'everyone',
] as const
export type TwoFactorGroup = (typeof TWO_FACTOR_GROUPS)[number]

/** How long a label issued on approval is valid, in calendar months (the "at most 3 years"). */
export const LABEL_VALIDITY_MONTHS = { default: 24, min: 1, max: 36 } as const
export const LabelValidityMonthsSchema = Type.Integer({
  minimum: LABEL_VALIDITY_MONTHS.min,
  maximum: LABEL_VALIDITY_MONTHS.max,
  description: `Months a new label is valid, ${LABEL_VALIDITY_MONTHS.min}–${LABEL_VALIDITY_MONTHS.max} (default ${LABEL_VALIDITY_MONTHS.default}); the support period end shortens it`,
})

export const NetworkSettingsSchema = Type.Object({
  /** Who must use two-factor sign-in. Recommended: network administrators and assessors. */
  twoFactorRequiredFor: Type.Array(Type.Enum(TWO_FACTOR_GROUPS)),
  labelValidityMonths: LabelValidityMonthsSchema,
})
export type NetworkSettings = Static<typeof NetworkSettingsSchema>
/** Only the fields given change. */
export const UpdateSettingsBodySchema = StrictObject({
  data: StrictObject({
    twoFactorRequiredFor: Type.Optional(
      Type.Array(Type.Enum(TWO_FACTOR_GROUPS), { uniqueItems: true }),
    ),
    labelValidityMonths: Type.Optional(LabelValidityMonthsSchema),
  }),
})
export type UpdateSettingsBody = Static<typeof UpdateSettingsBodySchema>
