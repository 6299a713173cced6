import type { LightMyRequestResponse } from 'fastify'
import type { Organisation } from '../../common/api/organisations.ts'
import type { OrganisationRole, OrganisationType } from '../../common/organisations.ts'
import pino from 'pino'
import { buildApp, type App } from '../app.ts'
import { loadConfig, type Config } from '../config.ts'
import { systemActor } from '../kernel/actor.ts'
import { ManualClock } from '../kernel/clock.ts'
import type { Ctx } from '../kernel/context.ts'
import { SecretBox } from '../kernel/crypto.ts'
import type { MailMessage, Mailer } from '../kernel/mailer.ts'
import { createAdminLink, createFirstRunLink } from '../modules/accounts/accounts.service.ts'
import { completeAdminSetup } from '../modules/accounts/accounts.service.ts'
import { createTestDb, type TestDb } from './test-db.ts'

export const TEST_PASSWORD = 'correct horse battery staple 42'

export interface TestContext {
  app: App
  ctx: Ctx
  clock: ManualClock
  testDb: TestDb
  mail: MailMessage[]
  close(): Promise<void>
}

/** A context for service tests: a fresh database, a manual clock and a mail catcher. */
export async function createTestContext(
  overrides: Partial<Config> = {},
  options: { mailer?: Mailer | 'capture' } = {},
) {
  const testDb = await createTestDb()
  const clock = new ManualClock('2026-06-01T08:00:00.000Z')
  const mail: MailMessage[] = []
  const capture: Mailer = { send: async (message) => void mail.push(message) }
  const config = Object.freeze({
    ...loadConfig({ PUBLIC_URL: 'http://isn.test', LOG_LEVEL: 'silent' }),
    ...overrides,
  })
  const ctx: Ctx = {
    config,
    db: testDb.db,
    clock,
    box: new SecretBox('test-secret-that-is-at-least-32-characters'),
    mailer: options.mailer === 'capture' ? capture : options.mailer,
    logger: pino({ level: 'silent' }),
  }
  return { ctx, clock, testDb, mail }
}

/** The HTTP app on a fresh database, for `app.inject()` tests. */
export async function createTestApp(
  overrides: Partial<Config> = {},
  options: { mailer?: Mailer | 'capture' } = {},
): Promise<TestContext> {
  const base = await createTestContext(
    { rateLimitPerMinute: 100_000, authRateLimitPerMinute: 100_000, ...overrides },
    options,
  )
  const app = await buildApp({ ctx: base.ctx, webRoot: '/nonexistent' })
  return {
    ...base,
    app,
    close: async () => {
      await app.close()
      await base.testDb.destroy()
    },
  }
}

/** Creates a network administrator through the first-run link (or an admin link when one exists). */
export async function createAdmin(
  ctx: Ctx,
  email = 'admin@network.test',
  password = TEST_PASSWORD,
) {
  const link =
    (await createFirstRunLink(ctx)) ??
    (await createAdminLink(ctx, email, { actor: systemActor('test') }))
  const token = new URL(link.url).searchParams.get('token')!
  return completeAdminSetup(ctx, { token, email, displayName: 'Admin', password }, {})
}

export interface Session {
  cookie: string
  csrf: string
  userId: string
}

/** Signs in over HTTP and returns what later requests need. */
export async function signInOverHttp(
  app: App,
  email: string,
  password = TEST_PASSWORD,
): Promise<Session> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email, password },
  })
  if (response.statusCode !== 200) {
    throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`)
  }
  const body = response.json<{ session: { csrfToken: string; user: { id: string } } }>()
  const cookie = response.cookies.find((c) => c.name === 'isn_session')
  if (!cookie) throw new Error('no session cookie')
  return {
    cookie: `isn_session=${cookie.value}`,
    csrf: body.session.csrfToken,
    userId: body.session.user.id,
  }
}

/** An inject() call as a signed-in user: cookie plus CSRF header. */
export function asUser(app: App, session: Session) {
  return (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
}

/** Creates an organisation as a network administrator over HTTP. */
export async function createOrganisationOverHttp(
  asAdmin: ReturnType<typeof asUser>,
  name: string,
  type: OrganisationType = 'manufacturer',
): Promise<Organisation> {
  const response = await asAdmin('POST', '/api/v1/organisations', { name, type })
  if (response.statusCode !== 201) {
    throw new Error(`create organisation failed: ${response.statusCode} ${response.body}`)
  }
  return response.json<Organisation>()
}

/** Invites a newcomer into an organisation with a role, accepts as them and signs them in. */
export async function joinOverHttp(
  app: App,
  inviter: Session,
  organisationId: string,
  email: string,
  role: OrganisationRole,
): Promise<Session> {
  const invited = await asUser(app, inviter)(
    'POST',
    `/api/v1/organisations/${organisationId}/invitations`,
    { email, role },
  )
  if (invited.statusCode !== 201) {
    throw new Error(`invitation failed: ${invited.statusCode} ${invited.body}`)
  }
  const token = new URL(invited.json<{ link: string }>().link).pathname.split('/').at(-1)!
  const accepted = await app.inject({
    method: 'POST',
    url: `/api/v1/invitations/${token}/accept`,
    payload: { displayName: email.split('@')[0], password: TEST_PASSWORD },
  })
  if (accepted.statusCode !== 200) {
    throw new Error(`accepting failed: ${accepted.statusCode} ${accepted.body}`)
  }
  return signInOverHttp(app, email)
}
