import { Type, type Static } from 'typebox'
import { TOKEN_SCOPES } from '../organisations.ts'
import { OrganisationRoleSchema, OrganisationTypeSchema } from './accounts.ts'
import {
  DisplayNameSchema,
  EmailSchema,
  IdSchema,
  PasswordSchema,
  StrictObject,
  TimestampSchema,
} from './shared.ts'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

export const OrganisationSchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  slug: Type.String(),
  type: OrganisationTypeSchema,
  website: Nullable(Type.String()),
  country: Nullable(Type.String()),
  accreditedAt: Nullable(TimestampSchema),
  accreditationNote: Nullable(Type.String()),
  createdAt: TimestampSchema,
})
export type Organisation = Static<typeof OrganisationSchema>

const OrganisationNameSchema = Type.String({
  minLength: 2,
  maxLength: 160,
  pattern: '\\S\\s*\\S',
  description: 'At least two visible characters',
})
const WebsiteSchema = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 500 })
const CountrySchema = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code' })

export const CreateOrganisationBodySchema = StrictObject({
  name: OrganisationNameSchema,
  type: OrganisationTypeSchema,
  website: Type.Optional(WebsiteSchema),
  country: Type.Optional(CountrySchema),
})
export type CreateOrganisationBody = Static<typeof CreateOrganisationBodySchema>

export const UpdateOrganisationBodySchema = StrictObject({
  data: StrictObject({
    name: Type.Optional(OrganisationNameSchema),
    website: Type.Optional(Nullable(WebsiteSchema)),
    country: Type.Optional(Nullable(CountrySchema)),
  }),
})
export type UpdateOrganisationBody = Static<typeof UpdateOrganisationBodySchema>

export const MemberSchema = Type.Object({
  userId: IdSchema,
  email: Type.String(),
  displayName: Type.String(),
  role: OrganisationRoleSchema,
  twoFactorEnabled: Type.Boolean(),
  joinedAt: TimestampSchema,
})
export type Member = Static<typeof MemberSchema>
export const MemberParamsSchema = StrictObject({ orgId: IdSchema, userId: IdSchema })
export const ChangeRoleBodySchema = StrictObject({
  data: StrictObject({ role: OrganisationRoleSchema }),
})

export const InvitationSchema = Type.Object({
  id: IdSchema,
  organisationId: IdSchema,
  email: Type.String(),
  role: OrganisationRoleSchema,
  invitedBy: IdSchema,
  createdAt: TimestampSchema,
  expiresAt: TimestampSchema,
  acceptedAt: Nullable(TimestampSchema),
  revokedAt: Nullable(TimestampSchema),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('accepted'),
    Type.Literal('revoked'),
    Type.Literal('expired'),
  ]),
})
export type Invitation = Static<typeof InvitationSchema>
export const InvitationParamsSchema = StrictObject({ orgId: IdSchema, invitationId: IdSchema })
export const InviteBodySchema = StrictObject({ email: EmailSchema, role: OrganisationRoleSchema })
export const InviteResultSchema = Type.Object({
  invitation: InvitationSchema,
  /** The one-time link; shown once to the inviter, also emailed when SMTP is configured. */
  link: Type.String(),
  emailed: Type.Boolean(),
})
export type InviteResult = Static<typeof InviteResultSchema>

export const InvitationPreviewSchema = Type.Object({
  organisationName: Type.String(),
  organisationType: OrganisationTypeSchema,
  email: Type.String(),
  role: OrganisationRoleSchema,
  expiresAt: TimestampSchema,
  /** True when an account with this email exists: accept while signed in as it. */
  accountExists: Type.Boolean(),
})
export type InvitationPreview = Static<typeof InvitationPreviewSchema>
export const AcceptInvitationBodySchema = StrictObject({
  displayName: Type.Optional(DisplayNameSchema),
  password: Type.Optional(PasswordSchema),
})
export const AcceptInvitationResultSchema = Type.Object({
  organisationId: IdSchema,
  userId: IdSchema,
})

export const TokenScopeSchema = Type.Enum(TOKEN_SCOPES)
export const ApiTokenSchema = Type.Object({
  id: IdSchema,
  organisationId: IdSchema,
  organisationName: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(TokenScopeSchema),
  createdBy: IdSchema,
  createdAt: TimestampSchema,
  expiresAt: Nullable(TimestampSchema),
  lastUsedAt: Nullable(TimestampSchema),
  revokedAt: Nullable(TimestampSchema),
})
export type ApiToken = Static<typeof ApiTokenSchema>
export const CreateTokenBodySchema = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scopes: Type.Array(TokenScopeSchema, { minItems: 1, uniqueItems: true }),
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 730 })),
})
export const CreatedTokenSchema = Type.Object({
  token: ApiTokenSchema,
  /** The secret, shown only in this response: `Authorization: Bearer <secret>`. */
  secret: Type.String(),
})
export type CreatedToken = Static<typeof CreatedTokenSchema>
export const TokenIdParamsSchema = StrictObject({ orgId: IdSchema, tokenId: IdSchema })

export { DisplayNameSchema, PasswordSchema }
