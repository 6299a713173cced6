import { CompactSign } from 'jose'
import { Value } from 'typebox/value'
import {
  LABEL_FORMAT,
  LABEL_JWS_TYPE,
  LabelRecordSchema,
  STATUS_PURPOSES,
  type Label,
  type LabelProduct,
  type LabelRecord,
  type LabelStatus,
  type PublicLabelStatus,
  type VerificationResult,
} from '../../../common/api/labels.ts'
import { LABEL_VALIDITY_MONTHS } from '../../../common/api/admin.ts'
import { AppError, isAppError } from '../../../common/errors.ts'
import type { DeviceClass, Tier, VerificationStrength } from '../../../common/framework.ts'
import { verifyLabel } from '../../../common/labels/verify.ts'
import type { Db } from '../../db/database.ts'
import { lockKeyForTransaction } from '../../db/dialect.ts'
import { systemActor, type Actor, type RequestMeta } from '../../kernel/actor.ts'
import { DAY, type Clock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import { TtlCache } from '../../kernel/ttl-cache.ts'
import { recordAudit, recordAuditEntries } from '../audit/audit.service.ts'
import { emitWebhookEvents } from '../webhooks/webhooks.service.ts'
import { notify } from '../notifications/notifications.service.ts'
import { getOrganisation } from '../organisations/organisations.service.ts'
import { getNetworkSettings } from '../settings/settings.service.ts'
import { activeSigner, inTransaction, publishedKeys } from './keys.service.ts'
import {
  findLabel,
  findLabelStatus,
  listLabelsToExpire,
  insertLabel,
  insertStatusChange,
  insertStatusChanges,
  listLabelsForStatusChange,
  type LabelForStatusChange,
  listLabels,
  listStatusChanges,
  searchLabels,
  coverageKey,
  type IssuedProfile,
  type LabelSearch,
  nextStatusIndex,
  updateLabelStatus,
  updateLabelStatuses,
} from './labels.repository.ts'
import type { LabelRow } from './labels.table.ts'
import { statusListUrl } from './status-lists.ts'

export type { IssuedProfile }

type Who = { actor: Actor; meta?: RequestMeta }
type IssueCtx = Pick<Ctx, 'db' | 'clock' | 'box' | 'config'>

/**
 * `date` plus whole calendar months in UTC, on the same day of the month or the month's last day
 * when it has fewer (31 January + 1 month = 28 or 29 February).
 */
export function addMonths(date: Date, months: number): Date {
  const day = date.getUTCDate()
  const shifted = new Date(date.getTime())
  shifted.setUTCDate(1)
  shifted.setUTCMonth(shifted.getUTCMonth() + months)
  const lastDay = new Date(
    Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, 0),
  ).getUTCDate()
  shifted.setUTCDate(Math.min(day, lastDay))
  return shifted
}

/** The instant a support period given as a date (YYYY-MM-DD) ends: the end of that day, UTC. */
export function supportEndsAt(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) + DAY
}

/** What the approval of an assessment knows when it issues a label. */
export interface IssueLabelInput {
  product: LabelProduct
  tier: Tier
  frameworkVersion: string
  profile: DeviceClass
  verificationStrength: VerificationStrength
  assessor: { id?: string; name: string }
  assessmentId?: string
  /** An earlier end than the default (the network's validity setting or the support period end). */
  validUntil?: string
}

/** The reason recorded when a label's validity runs out. */
const VALIDITY_ENDED = 'Validity ended'

/**
 * The status a reader sees: an active or suspended label past its expiry reads as expired, as
 * it does to an offline verifier (the signed `exp`), before the expiry job records it.
 */
export function effectiveStatus(
  row: Pick<LabelRow, 'status' | 'expires_at'>,
  now: Date,
): LabelStatus {
  return (row.status === 'active' || row.status === 'suspended') &&
    row.expires_at <= now.toISOString()
    ? 'expired'
    : row.status
}

/** The status now with its reason and time, an expiry not yet recorded included. */
function statusNow(
  row: Pick<LabelRow, 'status' | 'status_reason' | 'status_changed_at' | 'expires_at'>,
  now: Date,
) {
  const status = effectiveStatus(row, now)
  return status === 'expired' && row.status !== 'expired'
    ? { status, reason: VALIDITY_ENDED, changedAt: row.expires_at, pendingFrom: row.status }
    : { status, reason: row.status_reason, changedAt: row.status_changed_at, pendingFrom: null }
}

function toLabel(
  row: Omit<LabelForStatusChange, 'support_period_end' | 'version'> & Pick<LabelRow, 'jws'>,
  now: Date,
): Label {
  const current = statusNow(row, now)
  return {
    id: row.id,
    status: current.status,
    statusReason: current.reason,
    statusChangedAt: current.changedAt,
    keyId: row.kid,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    statusListIndex: Number(row.status_index),
    record: JSON.parse(row.record) as LabelRecord,
    jws: row.jws,
  }
}

function actorColumns(actor: Actor) {
  switch (actor.type) {
    case 'user':
      return { actor_type: 'user', actor_id: actor.userId, actor_label: actor.email }
    case 'api_token':
      return { actor_type: 'api_token', actor_id: actor.tokenId, actor_label: actor.name }
    case 'system':
      return { actor_type: 'system', actor_id: null, actor_label: actor.name }
    case 'anonymous':
      return { actor_type: 'anonymous', actor_id: null, actor_label: null }
  }
}

/** The record fields the registry searches by, as columns. */
function registryColumns(record: LabelRecord) {
  const { product } = record
  return {
    tier: record.tier,
    framework_version: record.frameworkVersion,
    profile: record.profile,
    verification_strength: record.verificationStrength,
    device_class: product.deviceClass,
    manufacturer_name: product.manufacturer.name,
    product_name: product.name,
    coverage_key: coverageKey({
      frameworkVersion: record.frameworkVersion,
      tier: record.tier,
      profile: record.profile,
      verificationStrength: record.verificationStrength,
    }),
    search_text: [product.name, product.manufacturer.name, ...product.modelNumbers, product.version]
      .join(' ')
      .toLowerCase(),
  }
}

const seconds = (ms: number) => Math.floor(ms / 1000)

/**
 * Issues a label: builds the record, signs it (compact JWS, EdDSA, with the active key), stores
 * it with the next status-list index and audits it. It expires at the earliest of the network's
 * label validity after issue (`labelValidityMonths`, at most 36), the end of the support period
 * and `validUntil`. Joins the caller's transaction when there is one, so an approval and its
 * label commit together.
 * @throws validation_failed when the record would not be a valid label (e.g. support has ended)
 */
export async function issueLabel(ctx: IssueCtx, who: Who, input: IssueLabelInput): Promise<Label> {
  return inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock.now()
    const iat = seconds(now.getTime())
    const { labelValidityMonths } = await getNetworkSettings({ db: trx })
    // Clamped again in case a stored setting was edited by hand.
    const months = Math.min(
      Math.max(Math.trunc(labelValidityMonths), LABEL_VALIDITY_MONTHS.min),
      LABEL_VALIDITY_MONTHS.max,
    )
    const supportEnds = supportEndsAt(input.product.supportPeriodEnd)
    const ends = Math.min(
      Number.isNaN(supportEnds) ? Infinity : supportEnds,
      addMonths(now, Number.isNaN(months) ? LABEL_VALIDITY_MONTHS.default : months).getTime(),
      input.validUntil ? Date.parse(input.validUntil) : Infinity,
    )
    const exp = seconds(ends)
    if (!(exp > iat)) {
      throw new AppError(
        'validation_failed',
        'The label would already be expired: the support period or the validity has ended.',
      )
    }
    const signer = await activeSigner(ctx, trx)
    // One index per label; the lock makes "max + 1" safe on PostgreSQL.
    await lockKeyForTransaction(trx, 'labels.status_index')
    const index = await nextStatusIndex(trx)
    const id = newId()
    const base = ctx.config.publicUrl
    const record: LabelRecord = {
      format: LABEL_FORMAT,
      iss: base,
      jti: id,
      iat,
      nbf: iat,
      exp,
      labelId: id,
      keyId: signer.kid,
      issuedAt: new Date(iat * 1000).toISOString(),
      expiresAt: new Date(exp * 1000).toISOString(),
      tier: input.tier,
      frameworkVersion: input.frameworkVersion,
      profile: input.profile,
      verificationStrength: input.verificationStrength,
      assessor: input.assessor,
      product: input.product,
      statusUrl: `${base}/api/v1/labels/${id}/status`,
      statusListIndex: index,
      credentialStatus: STATUS_PURPOSES.map((purpose) => ({
        type: 'BitstringStatusListEntry' as const,
        statusPurpose: purpose,
        statusListIndex: String(index),
        statusListCredential: statusListUrl(base, purpose),
      })),
    }
    if (!Value.Check(LabelRecordSchema, record)) {
      const issues = Value.Errors(LabelRecordSchema, record).map((e) => ({
        pointer: e.instancePath,
        message: e.message,
      }))
      throw new AppError(
        'validation_failed',
        `The label record is invalid: ${issues[0]?.pointer ?? ''} ${issues[0]?.message ?? ''}`.trim(),
        { details: issues },
      )
    }
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(record)))
      .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: LABEL_JWS_TYPE })
      .sign(signer.key)
    const row: LabelRow = {
      id,
      status_index: index,
      kid: signer.kid,
      product_id: input.product.productId,
      product_version_id: input.product.productVersionId ?? null,
      manufacturer_id: input.product.manufacturer.id ?? null,
      assessor_id: input.assessor.id ?? null,
      assessment_id: input.assessmentId ?? null,
      record: JSON.stringify(record),
      jws,
      status: 'active',
      status_reason: null,
      status_changed_at: now.toISOString(),
      issued_at: record.issuedAt,
      expires_at: record.expiresAt,
      ...registryColumns(record),
    }
    await insertLabel(trx, row)
    forgetLabelStatus(id)
    await insertStatusChange(trx, {
      label_id: id,
      at: now.toISOString(),
      from_status: null,
      to_status: 'active',
      reason: 'Issued',
      ...actorColumns(who.actor),
    })
    await recordAudit(trx, ctx.clock, who, {
      action: 'label.issued',
      organisationId: input.product.manufacturer.id ?? null,
      targetType: 'label',
      targetId: id,
      details: {
        productId: row.product_id,
        productVersionId: row.product_version_id,
        tier: input.tier,
        kid: signer.kid,
        statusListIndex: index,
        expiresAt: record.expiresAt,
      },
    })
    await announceLabel(trx, ctx.clock, row, 'label.issued', {
      status: 'active',
      previousStatus: null,
      reason: 'Issued',
      at: now.toISOString(),
    })
    return toLabel(row, now)
  })
}

/** @throws not_found */
export async function getLabel(ctx: Pick<Ctx, 'db' | 'clock'>, id: string): Promise<Label> {
  const row = await findLabel(ctx.db, id)
  if (!row) throw new AppError('not_found', 'No such label.')
  return toLabel(row, ctx.clock.now())
}

/** Labels for network administrators, newest first. */
export async function listAllLabels(ctx: Pick<Ctx, 'db' | 'clock'>, limit = 100): Promise<Label[]> {
  const now = ctx.clock.now()
  return (await listLabels(ctx.db, limit)).map((row) => toLabel(row, now))
}

/**
 * What a label's status URL answers: its status now, the reason and the history of changes.
 * @throws not_found
 */
export async function getPublicLabelStatus(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  id: string,
): Promise<PublicLabelStatus> {
  const row = await findLabel(ctx.db, id)
  if (!row) throw new AppError('not_found', 'No such label.')
  const current = statusNow(row, ctx.clock.now())
  const history = (await listStatusChanges(ctx.db, id)).map((c) => ({
    at: c.at,
    fromStatus: c.from_status,
    toStatus: c.to_status,
    reason: c.reason,
    actor: c.actor_label,
  }))
  // The expiry job records it within its interval; until then the history shows it all the same.
  if (current.pendingFrom) {
    history.push({
      at: current.changedAt,
      fromStatus: current.pendingFrom,
      toStatus: 'expired',
      reason: current.reason,
      actor: null,
    })
  }
  return {
    labelId: row.id,
    status: current.status,
    reason: current.reason,
    changedAt: current.changedAt,
    expiresAt: row.expires_at,
    history,
  }
}

const TRANSITIONS = {
  suspend: { from: ['active'], to: 'suspended', action: 'label.suspended' },
  reinstate: { from: ['suspended'], to: 'active', action: 'label.reinstated' },
  revoke: { from: ['active', 'suspended', 'expired'], to: 'revoked', action: 'label.revoked' },
} as const satisfies Record<
  string,
  { from: readonly LabelStatus[]; to: LabelStatus; action: string }
>
export type LabelStatusAction = keyof typeof TRANSITIONS

/**
 * Suspends (reversibly), reinstates or revokes (for good) a label, with a reason. The change is
 * audited, kept in the label's history and shows in the next status list.
 * @throws not_found, conflict (a revoked label never changes; only a suspended one is reinstated)
 */
export async function changeLabelStatus(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  id: string,
  action: LabelStatusAction,
  reason: string,
): Promise<Label> {
  return inTransaction(ctx.db, async (trx: Db) => {
    const [change] = await applyStatusChanges(trx, ctx.clock, who, [{ id, action, reason }])
    // Read back whole: the change read the label without its signed form.
    return toLabel((await findLabel(trx, id))!, new Date(change!.at))
  })
}

/** One label's change in {@link changeLabelStatuses}. */
export interface LabelStatusChangeRequest {
  id: string
  action: LabelStatusAction
  reason: string
}

/** A change {@link changeLabelStatuses} made. */
export interface LabelStatusChanged {
  id: string
  previousStatus: LabelStatus
  status: LabelStatus
  reason: string
  changedAt: string
}

/**
 * {@link changeLabelStatus} for many labels at once, all or nothing, in one transaction (the
 * caller's when there is one): the labels are read in one statement, the labels taking the same
 * change are updated by one, and their history rows, audit entries (chained in the order given)
 * and webhook deliveries are inserted together. Each label's status cache entry is dropped. An
 * expiry not recorded yet is recorded first, label by label, as for a single change. Returns the
 * changes made, in the order given. `read`: the labels as the caller read them in its transaction
 * (readLabelsForChange), so they are not read twice.
 * @throws not_found, conflict (as changeLabelStatus, for the first label in error)
 */
export async function changeLabelStatuses(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  requests: readonly LabelStatusChangeRequest[],
  read?: readonly LabelForStatusChange[],
): Promise<LabelStatusChanged[]> {
  if (requests.length === 0) return []
  return inTransaction(ctx.db, async (trx: Db) =>
    (await applyStatusChanges(trx, ctx.clock, who, requests, read)).map((c) => ({
      id: c.row.id,
      previousStatus: c.current,
      status: c.to,
      reason: c.why,
      changedAt: c.at,
    })),
  )
}

/** The status changes of changeLabelStatus(es), in the caller's transaction. */
async function applyStatusChanges(
  trx: Db,
  clock: Clock,
  who: Who,
  requests: readonly LabelStatusChangeRequest[],
  read?: readonly LabelForStatusChange[],
) {
  if (new Set(requests.map((r) => r.id)).size !== requests.length) {
    throw new AppError('internal_error', 'A label can change only once per call.')
  }
  const found = new Map(
    (
      read ??
      (await listLabelsForStatusChange(
        trx,
        requests.map((r) => r.id),
      ))
    ).map((row) => [row.id, row] as const),
  )
  const now = clock.now()
  const at = now.toISOString()
  const planned = []
  for (const request of requests) {
    const transition = TRANSITIONS[request.action]
    const why = request.reason.trim()
    const stored = found.get(request.id)
    if (!stored) throw new AppError('not_found', 'No such label.')
    // An expiry the job has not recorded yet goes first, so the history stays in order.
    const expiry = await recordExpiry(trx, clock, stored, now)
    const row: LabelForStatusChange = expiry
      ? {
          ...stored,
          status: 'expired',
          status_reason: expiry.reason,
          status_changed_at: expiry.at,
        }
      : stored
    const current = effectiveStatus(row, now)
    if (!(transition.from as readonly LabelStatus[]).includes(current)) {
      throw new AppError(
        'conflict',
        current === 'revoked'
          ? 'This label is revoked; revocation is final.'
          : `A label that is ${current} cannot be ${request.action === 'reinstate' ? 'reinstated' : `${request.action}d`}.`,
        { details: { status: current } },
      )
    }
    planned.push({ row, current, transition, why })
  }
  // Labels taking the same change (same stored status, new status and reason): one update.
  const groups = new Map<
    string,
    { from: LabelStatus; to: LabelStatus; why: string; ids: string[] }
  >()
  for (const p of planned) {
    const key = JSON.stringify([p.row.status, p.transition.to, p.why])
    const group = groups.get(key) ?? {
      from: p.row.status,
      to: p.transition.to,
      why: p.why,
      ids: [],
    }
    group.ids.push(p.row.id)
    groups.set(key, group)
  }
  for (const group of groups.values()) {
    const change = { status: group.to, reason: group.why, at }
    if ((await updateLabelStatuses(trx, group.ids, group.from, change)) !== group.ids.length) {
      throw new AppError('conflict', 'The label changed meanwhile; try again.')
    }
  }
  for (const p of planned) forgetLabelStatus(p.row.id)
  await insertStatusChanges(
    trx,
    planned.map((p) => ({
      label_id: p.row.id,
      at,
      from_status: p.current,
      to_status: p.transition.to,
      reason: p.why,
      ...actorColumns(who.actor),
    })),
  )
  await recordAuditEntries(
    trx,
    clock,
    who,
    planned.map((p) => ({
      action: p.transition.action,
      organisationId: p.row.manufacturer_id,
      targetType: 'label',
      targetId: p.row.id,
      details: { from: p.current, to: p.transition.to, reason: p.why },
    })),
  )
  await announceLabels(
    trx,
    clock,
    planned.map((p) => ({
      row: p.row,
      type: 'label.status_changed' as const,
      change: { status: p.transition.to, previousStatus: p.current, reason: p.why, at },
    })),
  )
  return planned.map((p) => ({
    row: p.row,
    current: p.current,
    to: p.transition.to,
    why: p.why,
    at,
  }))
}

/**
 * Every verification reads the label's live status, so it is kept per process for
 * LABEL_STATUS_CACHE_MS (docs/performance.md, "Label verification"). A status change made through
 * this process (issue, suspend, reinstate, revoke, expiry) drops the entry when it is written and
 * keeps the label out of the cache for as long again, so the change shows as soon as its
 * transaction commits, even when that is the caller's (an assessor's change commits after
 * `changeLabelStatus` returns). Other processes see it within LABEL_STATUS_CACHE_MS; the status
 * lists, cached by verifiers for a minute, are staler than that anyway.
 */
export const LABEL_STATUS_CACHE_MS = 5_000
type LiveStatus = Awaited<ReturnType<typeof findLabelStatus>>
const liveStatusCache = new TtlCache<{ live: LiveStatus }>(LABEL_STATUS_CACHE_MS, 100_000)
const changingLabels = new TtlCache<true>(LABEL_STATUS_CACHE_MS, 10_000)

/** Drops a label's cached status; call it wherever the `labels.status` of a label is written. */
export function forgetLabelStatus(id: string): void {
  liveStatusCache.delete(id)
  changingLabels.set(id, true, performance.now(), changingLabels.epoch())
}

/** The label's stored status (undefined: the network has no such label), cached as above. */
async function findLiveStatus(ctx: Pick<Ctx, 'db'>, id: string): Promise<LiveStatus> {
  const cached = liveStatusCache.get(id, performance.now())
  if (cached) return cached.live
  const epoch = liveStatusCache.epoch()
  const live = await findLabelStatus(ctx.db, id)
  if (!ctx.db.isTransaction && !changingLabels.get(id, performance.now())) {
    liveStatusCache.set(id, { live }, performance.now(), epoch)
  }
  return live
}

/**
 * Verifies a label against the network's published keys and its live status (the database, not
 * a cached status list). Never throws for bad input.
 */
export async function verifyLabelLive(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  jws: string,
): Promise<VerificationResult> {
  const now = ctx.clock.now()
  let { set } = await publishedKeys(ctx)
  let result = await verifyLabel(jws, { jwks: set, now, requireStatus: false })
  const kid = result.keyId
  if (result.reasons[0]?.code === 'unknown_key' && kid !== null && !set.has(kid)) {
    // Perhaps a key another process generated since this one read the key set: read it again.
    const reread = (await publishedKeys(ctx, kid)).set
    if (reread !== set) {
      set = reread
      result = await verifyLabel(jws, { jwks: set, now, requireStatus: false })
    }
  }
  if (!result.genuine || !result.labelId || result.status === 'expired' || result.reasons.length) {
    return result
  }
  const live = await findLiveStatus(ctx, result.labelId)
  if (!live) {
    return {
      ...result,
      valid: false,
      status: 'unknown',
      reasons: [{ code: 'status_unknown', message: 'The network has no record of this label.' }],
    }
  }
  const status = effectiveStatus(live, now)
  const reasons: VerificationResult['reasons'] = []
  if (status === 'revoked' || status === 'suspended') {
    reasons.push({
      code: status,
      message: `The network has ${status} this label${live.status_reason ? `: ${live.status_reason}` : '.'}`,
    })
  } else if (status === 'expired') {
    // Recorded by the network before the signed expiry (the support period ended earlier).
    const early = live.status === 'expired' && live.status_changed_at < live.expires_at
    reasons.push({
      code: 'expired',
      message: early
        ? `The label expired at ${live.status_changed_at}${live.status_reason ? `: ${live.status_reason}` : ''}.`
        : `The label expired at ${live.expires_at}.`,
    })
  }
  return { ...result, valid: reasons.length === 0, status, reasons }
}

/**
 * A registry search (see `LabelSearch`), answered with labels as readers see them now; `total`
 * stops at `countLimit + 1`.
 */
export async function searchPublicLabels(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  search: Omit<LabelSearch, 'now'> & { countLimit: number },
): Promise<{ labels: Label[]; total: number }> {
  const now = ctx.clock.now()
  const { rows, total } = await searchLabels(ctx.db, { ...search, now: now.toISOString() })
  return { labels: rows.map((row) => toLabel(row, now)), total }
}

// ---- automatic expiry

/** The system actor of the expiry job, in the audit log and the label's history. */
export const EXPIRY_ACTOR = systemActor('labels.expire')
const EXPIRY_BATCH = 100

/**
 * When and why the label expires: at the end of its validity (the signed `exp`), or earlier
 * when its product version's support period now ends earlier than it did at issue. A later
 * support end does not lengthen a signed label.
 */
function expiryOf(row: Omit<LabelForStatusChange, 'version'>): { at: number; reason: string } {
  const validityEnds = Date.parse(row.expires_at)
  const supportEnds = row.support_period_end ? supportEndsAt(row.support_period_end) : NaN
  return supportEnds <= validityEnds
    ? { at: supportEnds, reason: `Support period ended on ${row.support_period_end}` }
    : { at: validityEnds, reason: VALIDITY_ENDED }
}

/** Labels keep organisation ids as plain references: notify only one that exists. */
async function organisationExists(db: Db, id: string): Promise<boolean> {
  try {
    await getOrganisation({ db }, id)
    return true
  } catch (error) {
    if (isAppError(error, 'not_found')) return false
    throw error
  }
}

/** A label announced to the manufacturer's and the assessor's systems. */
interface LabelAnnouncement {
  row: Pick<LabelRow, 'id' | 'record' | 'manufacturer_id' | 'assessor_id'>
  type: 'label.issued' | 'label.status_changed'
  change: {
    status: LabelStatus
    previousStatus: LabelStatus | null
    reason: string | null
    at: string
  }
}

/**
 * Tells the manufacturer's and the assessor's systems about a label (webhooks, docs/webhooks.md),
 * in the transaction of the change.
 */
async function announceLabel(
  trx: Db,
  clock: Clock,
  row: LabelAnnouncement['row'],
  type: LabelAnnouncement['type'],
  change: LabelAnnouncement['change'],
): Promise<void> {
  await announceLabels(trx, clock, [{ row, type, change }])
}

/** {@link announceLabel} for many labels: their deliveries are queued together. */
async function announceLabels(
  trx: Db,
  clock: Clock,
  announcements: readonly LabelAnnouncement[],
): Promise<void> {
  await emitWebhookEvents(
    trx,
    clock,
    announcements.map(({ row, type, change }) => {
      const record = JSON.parse(row.record) as LabelRecord
      return {
        organisationIds: [row.manufacturer_id, row.assessor_id].filter((id): id is string => !!id),
        type,
        data: {
          labelId: row.id,
          ...change,
          product: {
            productId: record.product.productId,
            productVersionId: record.product.productVersionId ?? null,
            name: record.product.name,
            version: record.product.version,
          },
          tier: record.tier,
          expiresAt: record.expiresAt,
          url: `${record.iss}/registry/${row.id}`,
        },
      }
    }),
  )
}

/**
 * Records the expiry of an active or suspended label whose time has come: the conditional
 * update makes it happen once however many processes try; the change is kept in the history,
 * audited (`label.expired`, by the system) and notified to the manufacturer. Returns the
 * recorded change, or undefined when there was nothing to record.
 */
async function recordExpiry(
  trx: Db,
  clock: Clock,
  row: Omit<LabelForStatusChange, 'version'>,
  now: Date,
): Promise<{ at: string; reason: string } | undefined> {
  if (row.status !== 'active' && row.status !== 'suspended') return undefined
  const expiry = expiryOf(row)
  if (!(expiry.at <= now.getTime())) return undefined
  // The moment it expired, unless a later change was recorded meanwhile (history stays in order).
  const expiredAt = new Date(expiry.at).toISOString()
  const at = expiredAt < row.status_changed_at ? row.status_changed_at : expiredAt
  const change = { status: 'expired' as const, reason: expiry.reason, at }
  if (!(await updateLabelStatus(trx, row.id, row.status, change))) return undefined
  forgetLabelStatus(row.id)
  const who = { actor: EXPIRY_ACTOR }
  await insertStatusChange(trx, {
    label_id: row.id,
    at,
    from_status: row.status,
    to_status: 'expired',
    reason: expiry.reason,
    ...actorColumns(who.actor),
  })
  await recordAudit(trx, clock, who, {
    action: 'label.expired',
    organisationId: row.manufacturer_id,
    targetType: 'label',
    targetId: row.id,
    details: {
      from: row.status,
      reason: expiry.reason,
      expiredAt: at,
      expiresAt: row.expires_at,
      supportPeriodEnd: row.support_period_end,
    },
  })
  await announceLabel(trx, clock, row, 'label.status_changed', {
    status: 'expired',
    previousStatus: row.status,
    reason: expiry.reason,
    at,
  })
  if (row.manufacturer_id && (await organisationExists(trx, row.manufacturer_id))) {
    const { product } = JSON.parse(row.record) as LabelRecord
    await notify(trx, clock, [
      {
        organisationId: row.manufacturer_id,
        kind: 'label.expired',
        text: `The label of ${product.name} ${product.version} expired: ${expiry.reason}.`,
        link: `/registry/${row.id}`,
      },
    ])
  }
  return { at, reason: expiry.reason }
}

/**
 * The scheduled expiry: marks expired every active or suspended label whose validity ended or
 * whose product version's support period has ended (its end date as it is today), one label per
 * transaction. Safe to run in several processes at once; returns how many this run expired.
 */
export async function expireLabels(ctx: Pick<Ctx, 'db' | 'clock'>): Promise<number> {
  const now = ctx.clock.now()
  const bounds = { now: now.toISOString(), today: now.toISOString().slice(0, 10) }
  let after = ''
  let expired = 0
  for (;;) {
    const batch = await listLabelsToExpire(ctx.db, { ...bounds, after, limit: EXPIRY_BATCH })
    for (const row of batch) {
      after = row.id
      const recorded = await ctx.db
        .transaction()
        .execute((trx) => recordExpiry(trx, ctx.clock, row, now))
      if (recorded) expired += 1
    }
    if (batch.length < EXPIRY_BATCH) return expired
  }
}
