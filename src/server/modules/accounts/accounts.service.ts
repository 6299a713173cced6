import type { SetupLink, User } from '../../../common/api/accounts.ts'
import { AppError } from '../../../common/errors.ts'
import type { Db } from '../../db/database.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import { HOUR, MINUTE } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { hashToken, newId, randomToken } from '../../kernel/crypto.ts'
import { TtlCache } from '../../kernel/ttl-cache.ts'
import { recordAudit } from '../audit/audit.service.ts'
import {
  countNetworkAdmins,
  deleteExpiredLoginChallenges,
  deleteExpiredOneTimeLinks,
  deleteExpiredSessions,
  deleteLoginAttempt,
  deleteLoginChallenge,
  deleteSession,
  deleteSessionsByUser,
  deleteStaleLoginAttempts,
  expireUnusedLinks,
  findLoginAttempt,
  findLoginChallenge,
  findOneTimeLink,
  findSessionWithUser,
  findUserByEmail,
  findUserById,
  findUsers,
  insertLoginChallenge,
  insertOneTimeLink,
  insertSession,
  insertUser,
  listSessionsByUser,
  markOneTimeLinkUsed,
  touchSession,
  updateLoginChallengeAttempts,
  updateUser,
  upsertLoginAttempt,
} from './accounts.repository.ts'
import type { UserRow } from './accounts.table.ts'
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts'
import { describeTotp, matchTotpStep, newTotpSecret } from './totp.ts'

type AccountsCtx = Pick<Ctx, 'db' | 'clock' | 'config'>
type Who = { actor: Actor; meta?: RequestMeta }

export const SETUP_LINK_TTL = HOUR
const CHALLENGE_TTL = 5 * MINUTE
const CHALLENGE_MAX_ATTEMPTS = 5
/** A session's last-seen time is written at most this often, to keep reads read-only. */
const TOUCH_INTERVAL = MINUTE

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase()
}

export function toUser(
  row: Pick<
    UserRow,
    'id' | 'email' | 'display_name' | 'is_network_admin' | 'totp_enabled_at' | 'created_at'
  >,
): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    isNetworkAdmin: row.is_network_admin === 1,
    twoFactorEnabled: row.totp_enabled_at !== null,
    createdAt: row.created_at,
  }
}

const userActor = (user: {
  id: string
  email: string
  is_network_admin?: number
  isNetworkAdmin?: boolean
}): Extract<Actor, { type: 'user' }> => ({
  type: 'user',
  userId: user.id,
  email: user.email,
  isNetworkAdmin: user.isNetworkAdmin ?? user.is_network_admin === 1,
})

/** @throws not_found */
export async function getUser(ctx: Pick<Ctx, 'db'>, userId: string): Promise<User> {
  const row = await findUserById(ctx.db, userId)
  if (!row) throw new AppError('not_found', 'No such user')
  return toUser(row)
}

export async function findUserIdByEmail(
  ctx: Pick<Ctx, 'db'>,
  email: string,
): Promise<string | undefined> {
  return (await findUserByEmail(ctx.db, normaliseEmail(email)))?.id
}

// ---- first run and one-time administrator links

/** True until the platform has its first (enabled) network administrator. */
export async function needsFirstRunSetup(ctx: Pick<Ctx, 'db'>): Promise<boolean> {
  return (await countNetworkAdmins(ctx.db)) === 0
}

/**
 * On an empty platform, creates the one-time link (valid one hour) for the first network
 * administrator; earlier unused first-run links stop working. Returns undefined once set up.
 */
export async function createFirstRunLink(
  ctx: AccountsCtx,
): Promise<{ url: string; expiresAt: string } | undefined> {
  return ctx.db.transaction().execute(async (trx) => {
    if ((await countNetworkAdmins(trx)) > 0) return undefined
    const now = ctx.clock.now().toISOString()
    await expireUnusedLinks(trx, 'first_admin', now)
    return issueAdminLink({ ...ctx, db: trx }, 'first_admin', null, {
      actor: { type: 'system', name: 'first-run' },
    })
  })
}

/**
 * A one-time link that creates a network administrator with the given email (`isn admin create`).
 * @throws conflict when an account with that email exists
 */
export async function createAdminLink(
  ctx: AccountsCtx,
  email: string,
  who: Who,
): Promise<{ url: string; expiresAt: string }> {
  const normalised = normaliseEmail(email)
  return ctx.db.transaction().execute(async (trx) => {
    if (await findUserByEmail(trx, normalised)) {
      throw new AppError('conflict', `An account with the email ${normalised} already exists`)
    }
    return issueAdminLink({ ...ctx, db: trx }, 'admin_create', normalised, who)
  })
}

async function issueAdminLink(
  ctx: AccountsCtx,
  purpose: 'first_admin' | 'admin_create',
  email: string | null,
  who: Who,
): Promise<{ url: string; expiresAt: string }> {
  const token = randomToken()
  const now = ctx.clock.now()
  const expiresAt = new Date(now.getTime() + SETUP_LINK_TTL).toISOString()
  const id = newId()
  await insertOneTimeLink(ctx.db, {
    id,
    purpose,
    email,
    token_hash: hashToken(token),
    created_by: who.actor.type === 'user' ? who.actor.userId : null,
    created_at: now.toISOString(),
    expires_at: expiresAt,
    used_at: null,
  })
  await recordAudit(ctx.db, ctx.clock, who, {
    action: 'setup_link.created',
    targetType: 'one_time_link',
    targetId: id,
    details: { purpose, email, expiresAt },
  })
  return { url: `${ctx.config.publicUrl}/setup?token=${token}`, expiresAt }
}

async function findUsableLink(db: Db, token: string, now: string) {
  const link = await findOneTimeLink(db, hashToken(token))
  if (!link || link.used_at !== null || link.expires_at <= now) {
    throw new AppError(
      'invalid_or_expired_link',
      'This set-up link is unknown, already used or expired. Ask for a new one.',
    )
  }
  return link
}

/** @throws invalid_or_expired_link */
export async function inspectSetupLink(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  token: string,
): Promise<SetupLink> {
  const link = await findUsableLink(ctx.db, token, ctx.clock.now().toISOString())
  return { purpose: link.purpose, email: link.email, expiresAt: link.expires_at }
}

/**
 * Uses a one-time link to create a network administrator with a password.
 * @throws invalid_or_expired_link, setup_already_done, weak_password, conflict
 */
export async function completeAdminSetup(
  ctx: AccountsCtx,
  input: { token: string; email: string; displayName: string; password: string },
  meta: RequestMeta,
): Promise<User> {
  const email = normaliseEmail(input.email)
  await assertPasswordPolicy(input.password, email)
  const passwordHash = await hashPassword(input.password)
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now().toISOString()
    const link = await findUsableLink(trx, input.token, now)
    if (link.purpose === 'first_admin' && (await countNetworkAdmins(trx)) > 0) {
      throw new AppError('setup_already_done', 'The platform already has a network administrator.')
    }
    if (link.email !== null && link.email !== email) {
      throw new AppError('validation_failed', `This link is for ${link.email}.`, {
        details: [{ pointer: '/email', message: `must be ${link.email}` }],
      })
    }
    if (await findUserByEmail(trx, email)) {
      throw new AppError('conflict', `An account with the email ${email} already exists`)
    }
    if (!(await markOneTimeLinkUsed(trx, link.id, now))) {
      throw new AppError('invalid_or_expired_link', 'This set-up link was just used.')
    }
    const row = await insertNewUser(trx, {
      email,
      displayName: input.displayName,
      passwordHash,
      isNetworkAdmin: true,
      now,
    })
    await recordAudit(
      trx,
      ctx.clock,
      { actor: userActor(row), meta },
      {
        action: 'network_admin.created',
        targetType: 'user',
        targetId: row.id,
        details: { email, via: link.purpose },
      },
    )
    return toUser(row)
  })
}

async function insertNewUser(
  db: Db,
  input: {
    email: string
    displayName: string
    passwordHash: string
    isNetworkAdmin: boolean
    now: string
  },
): Promise<UserRow> {
  const row: UserRow = {
    id: newId(),
    email: input.email,
    display_name: input.displayName.trim(),
    password_hash: input.passwordHash,
    is_network_admin: input.isNetworkAdmin ? 1 : 0,
    totp_secret: null,
    totp_enabled_at: null,
    totp_last_step: null,
    disabled_at: null,
    created_at: input.now,
    updated_at: input.now,
  }
  await insertUser(db, row)
  return row
}

/**
 * Creates an ordinary account (invitation acceptance). Runs in the caller's transaction.
 * @throws weak_password, conflict
 */
export async function createUserAccount(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  input: { email: string; displayName: string; password: string },
): Promise<User> {
  const email = normaliseEmail(input.email)
  await assertPasswordPolicy(input.password, email)
  if (await findUserByEmail(ctx.db, email)) {
    throw new AppError('conflict', `An account with the email ${email} already exists`)
  }
  const row = await insertNewUser(ctx.db, {
    email,
    displayName: input.displayName,
    passwordHash: await hashPassword(input.password),
    isNetworkAdmin: false,
    now: ctx.clock.now().toISOString(),
  })
  return toUser(row)
}

// ---- sign-in

export interface NewSession {
  /** The cookie value; returned once, stored only as a hash. */
  token: string
  id: string
  csrfToken: string
  expiresAt: string
  user: User
}

export type SignInOutcome =
  | { status: 'signed_in'; session: NewSession }
  | { status: 'two_factor_required'; challenge: string }

/**
 * Password sign-in with per-email throttling. Unknown emails, wrong passwords and disabled
 * accounts get the same answer in the same time. With TOTP on, returns a challenge instead.
 * @throws invalid_credentials, account_locked
 */
export async function signIn(
  ctx: AccountsCtx,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const email = normaliseEmail(input.email)
  await assertNotLocked(ctx, email)
  const user = await findUserByEmail(ctx.db, email)
  const passwordOk = await verifyPassword(user?.password_hash, input.password)
  if (!user || !passwordOk || user.disabled_at !== null) {
    await registerFailure(ctx, email, user?.id ?? null, 'password', meta)
    throw new AppError('invalid_credentials', 'The email or password is wrong.')
  }
  if (user.totp_enabled_at !== null) {
    const challenge = randomToken()
    const now = ctx.clock.now()
    await insertLoginChallenge(ctx.db, {
      id: newId(),
      user_id: user.id,
      token_hash: hashToken(challenge),
      attempts: 0,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + CHALLENGE_TTL).toISOString(),
    })
    return { status: 'two_factor_required', challenge }
  }
  return { status: 'signed_in', session: await startSession(ctx, user, 'password', meta) }
}

/**
 * Second step of sign-in for users with TOTP on.
 * @throws unauthorized (challenge unknown or expired), invalid_two_factor_code, account_locked
 */
export async function completeTwoFactorSignIn(
  ctx: AccountsCtx & Pick<Ctx, 'box'>,
  input: { challenge: string; code: string },
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const now = ctx.clock.now()
  const challenge = await findLoginChallenge(ctx.db, hashToken(input.challenge))
  if (
    !challenge ||
    challenge.expires_at <= now.toISOString() ||
    challenge.attempts >= CHALLENGE_MAX_ATTEMPTS
  ) {
    throw new AppError('unauthorized', 'This sign-in has expired. Start again with your password.')
  }
  const user = await findUserById(ctx.db, challenge.user_id)
  if (!user || user.disabled_at !== null || !user.totp_secret) {
    throw new AppError('unauthorized', 'This sign-in has expired. Start again with your password.')
  }
  await assertNotLocked(ctx, user.email)
  const step = matchTotpStep(ctx.box.open(user.totp_secret), user.email, input.code, now)
  if (step === undefined || (user.totp_last_step !== null && step <= user.totp_last_step)) {
    await updateLoginChallengeAttempts(ctx.db, challenge.id, challenge.attempts + 1)
    await registerFailure(ctx, user.email, user.id, 'two_factor', meta)
    throw new AppError(
      'invalid_two_factor_code',
      'The authentication code is wrong or was already used.',
    )
  }
  await deleteLoginChallenge(ctx.db, challenge.id)
  await updateUser(ctx.db, user.id, { totp_last_step: step })
  return { status: 'signed_in', session: await startSession(ctx, user, 'password+totp', meta) }
}

async function assertNotLocked(ctx: AccountsCtx, email: string): Promise<void> {
  const attempt = await findLoginAttempt(ctx.db, email)
  const now = ctx.clock.now()
  if (attempt?.locked_until && attempt.locked_until > now.toISOString()) {
    const retryAfterSeconds = Math.ceil(
      (new Date(attempt.locked_until).getTime() - now.getTime()) / 1000,
    )
    throw new AppError('account_locked', 'Too many failed sign-ins. Try again later.', {
      details: { retryAfterSeconds },
    })
  }
}

async function registerFailure(
  ctx: AccountsCtx,
  email: string,
  userId: string | null,
  step: 'password' | 'two_factor',
  meta: RequestMeta,
): Promise<void> {
  const now = ctx.clock.now()
  const windowMs = ctx.config.loginLockoutMinutes * MINUTE
  await ctx.db.transaction().execute(async (trx) => {
    const previous = await findLoginAttempt(trx, email)
    // Failures older than one lockout window are forgotten.
    const recent =
      previous && new Date(previous.last_failure_at).getTime() > now.getTime() - windowMs
    const failures = (recent ? previous.failures : 0) + 1
    const locked = failures >= ctx.config.loginMaxFailures
    await upsertLoginAttempt(trx, {
      email,
      failures: locked ? 0 : failures,
      last_failure_at: now.toISOString(),
      locked_until: locked ? new Date(now.getTime() + windowMs).toISOString() : null,
    })
    await recordAudit(
      trx,
      ctx.clock,
      { actor: { type: 'anonymous' }, meta },
      {
        action: locked ? 'sign_in.locked' : 'sign_in.failed',
        targetType: userId ? 'user' : 'email',
        targetId: userId ?? email,
        details: { email, step, failures },
      },
    )
  })
}

async function startSession(
  ctx: AccountsCtx,
  user: UserRow,
  method: string,
  meta: RequestMeta,
): Promise<NewSession> {
  const token = randomToken()
  const now = ctx.clock.now()
  const session = {
    id: newId(),
    user_id: user.id,
    token_hash: hashToken(token),
    csrf_token: randomToken(24),
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    idle_expires_at: new Date(now.getTime() + ctx.config.sessionIdleMinutes * MINUTE).toISOString(),
    expires_at: new Date(now.getTime() + ctx.config.sessionMaxHours * HOUR).toISOString(),
    ip: meta.ip ?? null,
    user_agent: meta.userAgent?.slice(0, 300) ?? null,
  }
  await ctx.db.transaction().execute(async (trx) => {
    await insertSession(trx, session)
    await deleteLoginAttempt(trx, user.email)
    await recordAudit(
      trx,
      ctx.clock,
      { actor: userActor(user), meta },
      {
        action: 'session.created',
        targetType: 'session',
        targetId: session.id,
        details: { method },
      },
    )
  })
  return {
    token,
    id: session.id,
    csrfToken: session.csrf_token,
    expiresAt: session.expires_at,
    user: toUser(user),
  }
}

// ---- sessions

export interface SessionAuth {
  sessionId: string
  csrfToken: string
  user: User
}

/**
 * Sessions in use, by cookie token, kept per process for SESSION_CACHE_MS so that a request needs
 * no query and no hash (docs/performance.md). The key is the token itself, as in any in-memory
 * session store: the process holds it while reading the request anyway, and only its SHA-256 is
 * ever written to the database. Every change made through this process (sign-out, revocation,
 * sign-out everywhere, password and two-factor changes, profile, account administration) drops
 * the entries at once; another process sees such a change within SESSION_CACHE_MS
 * (docs/security.md). Expiry is checked against the clock on every request, cached or not.
 */
export const SESSION_CACHE_MS = 5_000
interface CachedSession {
  auth: SessionAuth
  /** The earlier of the idle and absolute expiry, in ms. */
  validUntil: number
  lastSeenAt: number
}
const sessionCache = new TtlCache<CachedSession>(SESSION_CACHE_MS, 20_000)

/**
 * The session for a cookie from this process's cache, when it is there, still valid and does not
 * need its last-seen time written; otherwise undefined (then call `authenticateSession`).
 */
export function cachedSession(ctx: Pick<Ctx, 'clock'>, token: string): SessionAuth | undefined {
  const cached = sessionCache.get(token, performance.now())
  if (!cached) return undefined
  const now = ctx.clock.now().getTime()
  if (now >= cached.validUntil || now - cached.lastSeenAt >= TOUCH_INTERVAL) return undefined
  return cached.auth
}

/** Resolves a session cookie; undefined when unknown, expired (idle or absolute) or the user is disabled. */
export async function authenticateSession(
  ctx: AccountsCtx,
  token: string,
): Promise<SessionAuth | undefined> {
  const tokenHash = hashToken(token)
  const epoch = sessionCache.epoch()
  const row = await findSessionWithUser(ctx.db, tokenHash)
  const now = ctx.clock.now()
  const nowIso = now.toISOString()
  if (
    !row ||
    row.expires_at <= nowIso ||
    row.idle_expires_at <= nowIso ||
    row.disabled_at !== null
  ) {
    return undefined
  }
  let lastSeenAt = row.last_seen_at
  let idleExpiresAt = row.idle_expires_at
  if (now.getTime() - new Date(row.last_seen_at).getTime() >= TOUCH_INTERVAL) {
    const idle = new Date(now.getTime() + ctx.config.sessionIdleMinutes * MINUTE).toISOString()
    lastSeenAt = nowIso
    idleExpiresAt = idle < row.expires_at ? idle : row.expires_at
    await touchSession(ctx.db, row.session_id, lastSeenAt, idleExpiresAt)
  }
  const auth: SessionAuth = {
    sessionId: row.session_id,
    csrfToken: row.csrf_token,
    user: toUser({ ...row, id: row.user_id }),
  }
  sessionCache.set(
    token,
    {
      auth,
      validUntil: Math.min(Date.parse(idleExpiresAt), Date.parse(row.expires_at)),
      lastSeenAt: Date.parse(lastSeenAt),
    },
    performance.now(),
    epoch,
  )
  return auth
}

/** Drops one session from this process's cache (after it was ended). */
export function forgetSession(sessionId: string): void {
  sessionCache.deleteWhere((cached) => cached.auth.sessionId === sessionId)
}

/** Drops every cached session of a user (after a change to the user or to their sessions). */
export function forgetSessionsOfUser(userId: string): void {
  sessionCache.deleteWhere((cached) => cached.auth.user.id === userId)
}

export async function signOut(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  auth: SessionAuth,
  meta: RequestMeta,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await deleteSession(trx, auth.sessionId)
    await recordAudit(
      trx,
      ctx.clock,
      { actor: userActor(auth.user), meta },
      {
        action: 'session.ended',
        targetType: 'session',
        targetId: auth.sessionId,
      },
    )
  })
  forgetSession(auth.sessionId)
}

export async function listAccountSessions(ctx: Pick<Ctx, 'db' | 'clock'>, auth: SessionAuth) {
  const rows = await listSessionsByUser(ctx.db, auth.user.id, ctx.clock.now().toISOString())
  return rows.map((s) => ({
    id: s.id,
    createdAt: s.created_at,
    lastSeenAt: s.last_seen_at,
    expiresAt: s.expires_at,
    ip: s.ip,
    userAgent: s.user_agent,
    current: s.id === auth.sessionId,
  }))
}

/** @throws not_found when the session is not the user's own */
export async function revokeSession(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  auth: SessionAuth,
  sessionId: string,
  meta: RequestMeta,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    if ((await deleteSession(trx, sessionId, auth.user.id)) === 0) {
      throw new AppError('not_found', 'No such session')
    }
    await recordAudit(
      trx,
      ctx.clock,
      { actor: userActor(auth.user), meta },
      {
        action: 'session.revoked',
        targetType: 'session',
        targetId: sessionId,
      },
    )
  })
  forgetSession(sessionId)
}

/** Ends every session of the user, this one included. */
export async function signOutEverywhere(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  auth: SessionAuth,
  meta: RequestMeta,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const count = await deleteSessionsByUser(trx, auth.user.id)
    await recordAudit(
      trx,
      ctx.clock,
      { actor: userActor(auth.user), meta },
      {
        action: 'session.all_revoked',
        targetType: 'user',
        targetId: auth.user.id,
        details: { sessions: count },
      },
    )
  })
  forgetSessionsOfUser(auth.user.id)
}

// ---- profile, password, two-factor

export async function updateProfile(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  auth: SessionAuth,
  displayName: string,
  meta: RequestMeta,
): Promise<User> {
  const updated = await ctx.db.transaction().execute(async (trx) => {
    await updateUser(trx, auth.user.id, {
      display_name: displayName.trim(),
      updated_at: ctx.clock.now().toISOString(),
    })
    await recordAudit(
      trx,
      ctx.clock,
      { actor: userActor(auth.user), meta },
      {
        action: 'user.profile_updated',
        targetType: 'user',
        targetId: auth.user.id,
      },
    )
    return getUser({ db: trx }, auth.user.id)
  })
  forgetSessionsOfUser(auth.user.id)
  return updated
}

/**
 * Changes the password after checking the current one; every other session is ended.
 * @throws invalid_credentials, weak_password
 */
export async function changePassword(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  auth: SessionAuth,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const user = await findUserById(ctx.db, auth.user.id)
  if (!user || !(await verifyPassword(user.password_hash, input.currentPassword))) {
    throw new AppError('invalid_credentials', 'The current password is wrong.')
  }
  await assertPasswordPolicy(input.newPassword, user.email)
  const passwordHash = await hashPassword(input.newPassword)
  await ctx.db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, {
      password_hash: passwordHash,
      updated_at: ctx.clock.now().toISOString(),
    })
    const ended = await deleteSessionsByUser(trx, user.id, auth.sessionId)
    await recordAudit(
      trx,
      ctx.clock,
      { actor: userActor(user), meta },
      {
        action: 'user.password_changed',
        targetType: 'user',
        targetId: user.id,
        details: { otherSessionsEnded: ended },
      },
    )
  })
  forgetSessionsOfUser(user.id)
}

/**
 * Starts TOTP enrolment: stores a new sealed secret (not yet required at sign-in) and returns
 * it with its QR code. Calling it again replaces an unconfirmed secret.
 * @throws conflict when two-factor sign-in is already on
 */
export async function startTwoFactorSetup(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box'>,
  auth: SessionAuth,
) {
  const user = await findUserById(ctx.db, auth.user.id)
  if (!user) throw new AppError('not_found', 'No such user')
  if (user.totp_enabled_at) {
    throw new AppError(
      'conflict',
      'Two-factor sign-in is already on. Turn it off first to replace it.',
    )
  }
  const secret = newTotpSecret()
  await updateUser(ctx.db, user.id, {
    totp_secret: ctx.box.seal(secret),
    updated_at: ctx.clock.now().toISOString(),
  })
  return { secret, ...(await describeTotp(secret, user.email)) }
}

/** @throws conflict (no enrolment started), invalid_two_factor_code */
export async function confirmTwoFactor(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box'>,
  auth: SessionAuth,
  code: string,
  meta: RequestMeta,
): Promise<void> {
  const user = await findUserById(ctx.db, auth.user.id)
  if (!user?.totp_secret || user.totp_enabled_at) {
    throw new AppError('conflict', 'Start two-factor set-up first.')
  }
  const now = ctx.clock.now()
  const step = matchTotpStep(ctx.box.open(user.totp_secret), user.email, code, now)
  if (step === undefined) {
    throw new AppError(
      'invalid_two_factor_code',
      'The authentication code is wrong. Check the time on your device.',
    )
  }
  await ctx.db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, {
      totp_enabled_at: now.toISOString(),
      totp_last_step: step,
      updated_at: now.toISOString(),
    })
    await recordAudit(
      trx,
      ctx.clock,
      { actor: userActor(user), meta },
      {
        action: 'user.two_factor_enabled',
        targetType: 'user',
        targetId: user.id,
      },
    )
  })
  forgetSessionsOfUser(user.id)
}

/** @throws invalid_credentials, invalid_two_factor_code, conflict (not on) */
export async function disableTwoFactor(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box'>,
  auth: SessionAuth,
  input: { password: string; code: string },
  meta: RequestMeta,
): Promise<void> {
  const user = await findUserById(ctx.db, auth.user.id)
  if (!user?.totp_secret || !user.totp_enabled_at) {
    throw new AppError('conflict', 'Two-factor sign-in is not on.')
  }
  if (!(await verifyPassword(user.password_hash, input.password))) {
    throw new AppError('invalid_credentials', 'The password is wrong.')
  }
  const now = ctx.clock.now()
  if (matchTotpStep(ctx.box.open(user.totp_secret), user.email, input.code, now) === undefined) {
    throw new AppError('invalid_two_factor_code', 'The authentication code is wrong.')
  }
  await ctx.db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, {
      totp_secret: null,
      totp_enabled_at: null,
      totp_last_step: null,
      updated_at: now.toISOString(),
    })
    await recordAudit(
      trx,
      ctx.clock,
      { actor: userActor(user), meta },
      {
        action: 'user.two_factor_disabled',
        targetType: 'user',
        targetId: user.id,
      },
    )
  })
  forgetSessionsOfUser(user.id)
}

// ---- housekeeping (a scheduled job)

/** Deletes expired sessions, sign-in challenges, old throttling rows and dead one-time links. */
export async function purgeExpiredAuthState(ctx: Pick<Ctx, 'db' | 'clock'>) {
  const now = ctx.clock.now()
  const nowIso = now.toISOString()
  const dayAgo = new Date(now.getTime() - 24 * HOUR).toISOString()
  return {
    sessions: await deleteExpiredSessions(ctx.db, nowIso),
    challenges: await deleteExpiredLoginChallenges(ctx.db, nowIso),
    loginAttempts: await deleteStaleLoginAttempts(ctx.db, dayAgo),
    oneTimeLinks: await deleteExpiredOneTimeLinks(ctx.db, dayAgo),
  }
}

export { userActor }

// ---- network administration of accounts

export async function findUsersForAdmin(
  ctx: Pick<Ctx, 'db'>,
  filter: { query?: string; userId?: string },
) {
  const rows = await findUsers(ctx.db, { ...filter, query: filter.query?.trim() || undefined }, 200)
  return rows.map((row) => ({
    ...toUser(row),
    disabled: row.disabled_at !== null,
    organisationCount: Number(row.organisation_count),
  }))
}

/**
 * Grants or withdraws network administration and disables or re-enables an account. The last
 * enabled administrator cannot be removed, and nobody can disable themselves.
 * @throws not_found, conflict
 */
export async function updateUserByAdmin(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who & { actor: Extract<Actor, { type: 'user' }> },
  userId: string,
  changes: { isNetworkAdmin?: boolean; disabled?: boolean },
) {
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, userId)
    if (!user) throw new AppError('not_found', 'No such user')
    const now = ctx.clock.now().toISOString()
    const removesAdmin =
      user.is_network_admin === 1 &&
      user.disabled_at === null &&
      (changes.isNetworkAdmin === false || changes.disabled === true)
    if (removesAdmin && (await countNetworkAdmins(trx)) <= 1) {
      throw new AppError(
        'conflict',
        'This is the last network administrator; make someone else one first.',
      )
    }
    if (changes.disabled === true && userId === who.actor.userId) {
      throw new AppError('conflict', 'You cannot disable your own account.')
    }
    if (
      changes.isNetworkAdmin !== undefined &&
      changes.isNetworkAdmin !== (user.is_network_admin === 1)
    ) {
      await updateUser(trx, userId, {
        is_network_admin: changes.isNetworkAdmin ? 1 : 0,
        updated_at: now,
      })
      await recordAudit(trx, ctx.clock, who, {
        action: changes.isNetworkAdmin
          ? 'user.network_admin_granted'
          : 'user.network_admin_revoked',
        targetType: 'user',
        targetId: userId,
        details: { email: user.email },
      })
    }
    if (changes.disabled !== undefined && changes.disabled !== (user.disabled_at !== null)) {
      await updateUser(trx, userId, { disabled_at: changes.disabled ? now : null, updated_at: now })
      if (changes.disabled) await deleteSessionsByUser(trx, userId)
      await recordAudit(trx, ctx.clock, who, {
        action: changes.disabled ? 'user.disabled' : 'user.enabled',
        targetType: 'user',
        targetId: userId,
        details: { email: user.email },
      })
    }
    const [after] = await findUsersForAdmin({ db: trx }, { userId })
    if (!after) throw new AppError('not_found', 'No such user')
    return after
  })
  forgetSessionsOfUser(userId)
  return updated
}
