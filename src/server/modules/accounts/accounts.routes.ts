import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import {
  AccountSessionSchema,
  ChangePasswordBodySchema,
  CompleteSetupBodySchema,
  ConfirmTwoFactorBodySchema,
  DisableTwoFactorBodySchema,
  SessionInfoSchema,
  SessionParamsSchema,
  SetupLinkSchema,
  SetupStatusSchema,
  SignInBodySchema,
  SignInResultSchema,
  TokenParamsSchema,
  TwoFactorSetupSchema,
  TwoFactorSignInBodySchema,
  UpdateAccountBodySchema,
  UserSchema,
  type SessionInfo,
} from '../../../common/api/accounts.ts'
import { AppError } from '../../../common/errors.ts'
import { access, CLEARED_SESSION_COOKIE, sessionCookie } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import { listMembershipsOfUser } from '../organisations/organisations.service.ts'
import { getNetworkSettings, isTwoFactorRequired } from '../settings/settings.service.ts'
import {
  changePassword,
  completeAdminSetup,
  completeTwoFactorSignIn,
  confirmTwoFactor,
  disableTwoFactor,
  inspectSetupLink,
  listAccountSessions,
  needsFirstRunSetup,
  revokeSession,
  signIn,
  signOut,
  signOutEverywhere,
  startTwoFactorSetup,
  updateProfile,
  type SessionAuth,
  type SignInOutcome,
} from './accounts.service.ts'

function sessionOf(request: FastifyRequest): SessionAuth {
  if (!request.auth) throw new AppError('unauthorized', 'Sign in to continue.')
  return request.auth
}

export const accountsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const secureCookie = ctx.config.publicUrl.startsWith('https://')
  // Sign-in and set-up are the endpoints worth guessing at; they get a tighter per-address limit.
  const STRICT_RATE_LIMIT = { max: ctx.config.authRateLimitPerMinute, timeWindow: '1 minute' }

  async function describeSession(
    auth: Pick<SessionAuth, 'user' | 'csrfToken'>,
  ): Promise<SessionInfo> {
    const memberships = await listMembershipsOfUser(ctx, auth.user.id)
    const required =
      !auth.user.twoFactorEnabled &&
      isTwoFactorRequired(await getNetworkSettings(ctx), auth.user, memberships)
    return {
      user: auth.user,
      memberships,
      csrfToken: auth.csrfToken,
      twoFactorSetupRequired: required,
    }
  }

  async function answerSignIn(outcome: SignInOutcome, reply: FastifyReply) {
    if (outcome.status === 'two_factor_required') return outcome
    const { session } = outcome
    void reply.header(
      'set-cookie',
      sessionCookie(session.token, { secure: secureCookie, expires: new Date(session.expiresAt) }),
    )
    return { status: 'signed_in' as const, session: await describeSession(session) }
  }

  // ---- first run

  app.get(
    '/setup',
    {
      config: { access: access.public },
      schema: {
        tags: ['setup'],
        summary: 'Whether the platform still needs its first administrator',
        response: { 200: SetupStatusSchema },
      },
    },
    async () => ({ needsSetup: await needsFirstRunSetup(ctx) }),
  )

  app.get(
    '/setup/links/:token',
    {
      config: { access: access.public, rateLimit: STRICT_RATE_LIMIT },
      schema: {
        tags: ['setup'],
        summary: 'What a one-time set-up link is for',
        params: TokenParamsSchema,
        response: { 200: SetupLinkSchema },
      },
    },
    async (request) => inspectSetupLink(ctx, request.params.token),
  )

  app.post(
    '/setup/admin',
    {
      config: { access: access.public, rateLimit: STRICT_RATE_LIMIT },
      schema: {
        tags: ['setup'],
        summary: 'Create a network administrator with a one-time link',
        body: CompleteSetupBodySchema,
        response: { 201: UserSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await completeAdminSetup(ctx, request.body, request.meta)),
  )

  // ---- sign-in

  app.post(
    '/auth/sign-in',
    {
      config: { access: access.public, rateLimit: STRICT_RATE_LIMIT },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        body: SignInBodySchema,
        response: { 200: SignInResultSchema },
      },
    },
    async (request, reply) => answerSignIn(await signIn(ctx, request.body, request.meta), reply),
  )

  app.post(
    '/auth/sign-in/two-factor',
    {
      config: { access: access.public, rateLimit: STRICT_RATE_LIMIT },
      schema: {
        tags: ['auth'],
        summary: 'Finish sign-in with an authenticator code',
        body: TwoFactorSignInBodySchema,
        response: { 200: SignInResultSchema },
      },
    },
    async (request, reply) =>
      answerSignIn(await completeTwoFactorSignIn(ctx, request.body, request.meta), reply),
  )

  app.post(
    '/auth/sign-out',
    {
      config: { access: access.account },
      schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await signOut(ctx, sessionOf(request), request.meta)
      return reply.header('set-cookie', CLEARED_SESSION_COOKIE).status(204).send(null)
    },
  )

  app.get(
    '/auth/session',
    {
      config: { access: access.account },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, memberships and CSRF token',
        response: { 200: SessionInfoSchema },
      },
    },
    async (request) => describeSession(sessionOf(request)),
  )

  // ---- account

  app.patch(
    '/account',
    {
      config: { access: access.account },
      schema: {
        tags: ['account'],
        summary: 'Update my profile',
        body: UpdateAccountBodySchema,
        response: { 200: UserSchema },
      },
    },
    async (request) =>
      updateProfile(ctx, sessionOf(request), request.body.data.displayName, request.meta),
  )

  app.post(
    '/account/password',
    {
      config: { access: access.account, rateLimit: STRICT_RATE_LIMIT },
      schema: {
        tags: ['account'],
        summary: 'Change my password (ends my other sessions)',
        body: ChangePasswordBodySchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await changePassword(ctx, sessionOf(request), request.body, request.meta)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/account/sessions',
    {
      config: { access: access.account },
      schema: {
        tags: ['account'],
        summary: 'My active sessions',
        response: { 200: Type.Array(AccountSessionSchema) },
      },
    },
    async (request) => listAccountSessions(ctx, sessionOf(request)),
  )

  app.delete(
    '/account/sessions/:sessionId',
    {
      config: { access: access.account },
      schema: {
        tags: ['account'],
        summary: 'End one of my sessions',
        params: SessionParamsSchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await revokeSession(ctx, sessionOf(request), request.params.sessionId, request.meta)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/account/sessions/sign-out-everywhere',
    {
      config: { access: access.account },
      schema: {
        tags: ['account'],
        summary: 'End all my sessions, this one included',
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await signOutEverywhere(ctx, sessionOf(request), request.meta)
      return reply.header('set-cookie', CLEARED_SESSION_COOKIE).status(204).send(null)
    },
  )

  app.post(
    '/account/two-factor/setup',
    {
      config: { access: access.account },
      schema: {
        tags: ['account'],
        summary: 'Start setting up an authenticator app',
        response: { 200: TwoFactorSetupSchema },
      },
    },
    async (request) => startTwoFactorSetup(ctx, sessionOf(request)),
  )

  app.post(
    '/account/two-factor/confirm',
    {
      config: { access: access.account, rateLimit: STRICT_RATE_LIMIT },
      schema: {
        tags: ['account'],
        summary: 'Turn two-factor sign-in on with a first code',
        body: ConfirmTwoFactorBodySchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await confirmTwoFactor(ctx, sessionOf(request), request.body.code, request.meta)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/account/two-factor/disable',
    {
      config: { access: access.account, rateLimit: STRICT_RATE_LIMIT },
      schema: {
        tags: ['account'],
        summary: 'Turn two-factor sign-in off',
        body: DisableTwoFactorBodySchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await disableTwoFactor(ctx, sessionOf(request), request.body, request.meta)
      return reply.status(204).send(null)
    },
  )
}
