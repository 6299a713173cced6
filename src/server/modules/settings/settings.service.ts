import {
  LABEL_VALIDITY_MONTHS,
  type NetworkSettings,
  type TwoFactorGroup,
} from '../../../common/api/admin.ts'
import type { MembershipSummary } from '../../../common/api/accounts.ts'
import { AppError } from '../../../common/errors.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { findSetting, upsertSetting } from './settings.repository.ts'

const KEY = 'network'

/**
 * What a fresh network starts with: nobody is forced to use two-factor sign-in (the admin page
 * recommends it), and labels are valid for two years.
 */
export const DEFAULT_SETTINGS: NetworkSettings = {
  twoFactorRequiredFor: [],
  labelValidityMonths: LABEL_VALIDITY_MONTHS.default,
}

/**
 * The settings are read on every signed-in request, so each process keeps them for a few seconds.
 * A change made here is seen at once; other instances see it within CACHE_MS.
 */
const CACHE_MS = 5_000
const cache = new WeakMap<Ctx['db'], { settings: NetworkSettings; readAt: number }>()

/** The settings from this process's cache when fresh, else undefined (then call getNetworkSettings). */
export function cachedNetworkSettings(ctx: Pick<Ctx, 'db'>): NetworkSettings | undefined {
  const cached = cache.get(ctx.db)
  return cached && performance.now() - cached.readAt < CACHE_MS ? cached.settings : undefined
}

export async function getNetworkSettings(ctx: Pick<Ctx, 'db'>): Promise<NetworkSettings> {
  const cached = cache.get(ctx.db)
  if (cached && performance.now() - cached.readAt < CACHE_MS) return cached.settings
  const row = await findSetting(ctx.db, KEY)
  const settings = row
    ? { ...DEFAULT_SETTINGS, ...(JSON.parse(row.value) as Partial<NetworkSettings>) }
    : DEFAULT_SETTINGS
  if (!ctx.db.isTransaction) cache.set(ctx.db, { settings, readAt: performance.now() })
  return settings
}

/** The schema checks this over HTTP; the service checks again for callers without one. */
function assertValidChanges(changes: Partial<NetworkSettings>): void {
  const months = changes.labelValidityMonths
  if (
    months !== undefined &&
    !(
      Number.isInteger(months) &&
      months >= LABEL_VALIDITY_MONTHS.min &&
      months <= LABEL_VALIDITY_MONTHS.max
    )
  ) {
    const message = `must be a whole number of months from ${LABEL_VALIDITY_MONTHS.min} to ${LABEL_VALIDITY_MONTHS.max}`
    throw new AppError('validation_failed', `The label validity ${message}.`, {
      details: [{ in: 'body', pointer: '/data/labelValidityMonths', message }],
    })
  }
}

/**
 * Changes the fields given (the others stay) and audits the change with the settings before and
 * after.
 * @throws validation_failed (a label validity outside 1–36 months)
 */
export async function updateNetworkSettings(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: { actor: Extract<Actor, { type: 'user' }>; meta?: RequestMeta },
  changes: Partial<NetworkSettings>,
): Promise<NetworkSettings> {
  assertValidChanges(changes)
  const given = Object.fromEntries(
    Object.entries(changes).filter(([, value]) => value !== undefined),
  ) as Partial<NetworkSettings>
  cache.delete(ctx.db)
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const before = await getNetworkSettings({ db: trx })
    const after = { ...before, ...given }
    await upsertSetting(
      trx,
      KEY,
      JSON.stringify(after),
      ctx.clock.now().toISOString(),
      who.actor.userId,
    )
    await recordAudit(trx, ctx.clock, who, {
      action: 'settings.updated',
      targetType: 'settings',
      targetId: KEY,
      details: { before, after },
    })
    return after
  })
  // Dropped again after the commit, in case a request re-read the old value meanwhile.
  cache.delete(ctx.db)
  return updated
}

/** True when the network requires two-factor sign-in of someone with these roles. */
export function isTwoFactorRequired(
  settings: NetworkSettings,
  user: { isNetworkAdmin: boolean },
  memberships: readonly Pick<MembershipSummary, 'organisationType' | 'role'>[],
): boolean {
  const groups = new Set<TwoFactorGroup>(settings.twoFactorRequiredFor)
  return (
    groups.has('everyone') ||
    (groups.has('network_admin') && user.isNetworkAdmin) ||
    (groups.has('assessor') && memberships.some((m) => m.organisationType === 'assessor')) ||
    (groups.has('org_owner') && memberships.some((m) => m.role === 'owner')) ||
    (groups.has('org_admin') && memberships.some((m) => m.role === 'admin' || m.role === 'owner'))
  )
}
