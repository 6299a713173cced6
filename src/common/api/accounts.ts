import { Type, type Static } from 'typebox'
import { ORGANISATION_ROLES, ORGANISATION_TYPES } from '../organisations.ts'
import {
  DisplayNameSchema,
  EmailSchema,
  IdSchema,
  PasswordSchema,
  StrictObject,
  TimestampSchema,
  TotpCodeSchema,
} from './shared.ts'

export const OrganisationTypeSchema = Type.Enum(ORGANISATION_TYPES)
export const OrganisationRoleSchema = Type.Enum(ORGANISATION_ROLES)

export const UserSchema = Type.Object({
  id: IdSchema,
  email: Type.String(),
  displayName: Type.String(),
  isNetworkAdmin: Type.Boolean(),
  twoFactorEnabled: Type.Boolean(),
  createdAt: TimestampSchema,
})
export type User = Static<typeof UserSchema>

export const MembershipSummarySchema = Type.Object({
  organisationId: IdSchema,
  organisationName: Type.String(),
  organisationType: OrganisationTypeSchema,
  role: OrganisationRoleSchema,
})
export type MembershipSummary = Static<typeof MembershipSummarySchema>

export const SessionInfoSchema = Type.Object({
  user: UserSchema,
  memberships: Type.Array(MembershipSummarySchema),
  /** Send back in `x-csrf-token` on every write made with the session cookie. */
  csrfToken: Type.String(),
  /** The network requires two-factor sign-in for this user; only account routes work until it is on. */
  twoFactorSetupRequired: Type.Boolean(),
})
export type SessionInfo = Static<typeof SessionInfoSchema>

export const SetupStatusSchema = Type.Object({ needsSetup: Type.Boolean() })
export const SetupLinkSchema = Type.Object({
  purpose: Type.Union([Type.Literal('first_admin'), Type.Literal('admin_create')]),
  email: Type.Union([Type.String(), Type.Null()]),
  expiresAt: TimestampSchema,
})
export type SetupLink = Static<typeof SetupLinkSchema>
export const TokenParamsSchema = StrictObject({
  token: Type.String({ minLength: 10, maxLength: 200 }),
})

export const CompleteSetupBodySchema = StrictObject({
  token: Type.String({ minLength: 10, maxLength: 200 }),
  email: EmailSchema,
  displayName: DisplayNameSchema,
  password: PasswordSchema,
})
export type CompleteSetupBody = Static<typeof CompleteSetupBodySchema>

export const SignInBodySchema = StrictObject({ email: EmailSchema, password: PasswordSchema })
export type SignInBody = Static<typeof SignInBodySchema>
export const TwoFactorSignInBodySchema = StrictObject({
  challenge: Type.String({ minLength: 10, maxLength: 200 }),
  code: TotpCodeSchema,
})
export const SignInResultSchema = Type.Union([
  Type.Object({ status: Type.Literal('signed_in'), session: SessionInfoSchema }),
  Type.Object({ status: Type.Literal('two_factor_required'), challenge: Type.String() }),
])
export type SignInResult = Static<typeof SignInResultSchema>

export const AccountSessionSchema = Type.Object({
  id: IdSchema,
  createdAt: TimestampSchema,
  lastSeenAt: TimestampSchema,
  expiresAt: TimestampSchema,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
})
export type AccountSession = Static<typeof AccountSessionSchema>
export const SessionParamsSchema = StrictObject({ sessionId: IdSchema })

export const UpdateAccountBodySchema = StrictObject({
  data: StrictObject({ displayName: DisplayNameSchema }),
})
export const ChangePasswordBodySchema = StrictObject({
  currentPassword: PasswordSchema,
  newPassword: PasswordSchema,
})

export const TwoFactorSetupSchema = Type.Object({
  secret: Type.String({ description: 'Base32 secret, for typing into an authenticator by hand' }),
  otpauthUrl: Type.String(),
  qrSvg: Type.String({ description: 'The otpauth URL as an SVG QR code' }),
})
export type TwoFactorSetup = Static<typeof TwoFactorSetupSchema>
export const ConfirmTwoFactorBodySchema = StrictObject({ code: TotpCodeSchema })
export const DisableTwoFactorBodySchema = StrictObject({
  password: PasswordSchema,
  code: TotpCodeSchema,
})
