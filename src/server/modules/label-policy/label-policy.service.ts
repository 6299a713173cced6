import type {
  ExposedLabel,
  ExposedLabelPage,
  ExposedLabelQuery,
  LabelExposure,
  LabelPolicy,
  PolicySuspension,
  PolicyWarning,
  PublishedLabelPolicy,
} from '../../../common/api/label-policy.ts'
import type { VerificationResult } from '../../../common/api/labels.ts'
import { AppError, isAppError } from '../../../common/errors.ts'
import type { NotificationKind } from '../../../common/reviews.ts'
import { systemActor } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { TtlCache } from '../../kernel/ttl-cache.ts'
import { recordAuditEntries, type AuditEvent } from '../audit/audit.service.ts'
import {
  openPolicyFindings,
  versionIdsWithPolicyFindings,
  type PolicyFinding,
} from '../findings/findings.policy.ts'
import {
  findVersionLabel,
  listLabelRegistryNames,
  listLiveLabelsOfVersions,
  readLabelsForChange,
  type VersionLabel,
} from '../labels/labels.by-version.ts'
import { changeLabelStatuses, type LabelStatusChangeRequest } from '../labels/labels.service.ts'
import { notify } from '../notifications/notifications.service.ts'
import { getOrganisation } from '../organisations/organisations.service.ts'
import { getLabelPolicy } from '../settings/label-policy.service.ts'
import {
  findPolicyState,
  listPolicyStatesOfLabels,
  listVersionIdsWithPolicyEffects,
  upsertPolicyStates,
} from './label-policy.repository.ts'
import type { LabelPolicyStateRow } from './label-policy.table.ts'
import { judge, suspensionReason, type PolicyVerdict } from './rules.ts'
import { chunksOf } from '../../db/chunks.ts'
import { lockKeysForTransaction } from '../../db/dialect.ts'

type Db = Ctx['db']
type PolicyCtx = Pick<Ctx, 'db' | 'clock'>

/** The name the policy acts under: in label histories, the audit log and notifications. */
export const POLICY_ACTOR_NAME = 'label-policy'
const WHO = { actor: systemActor(POLICY_ACTOR_NAME) }

type StoredSuspension = PolicySuspension & { findingId: string }

export interface PolicyRunSummary {
  versions: number
  labels: number
  suspended: number
  reinstated: number
  warningsRaised: number
  warningsCleared: number
}

const parse = <T>(text: string | null | undefined, fallback: T): T => {
  if (!text) return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

const lockKey = (labelId: string) => `label-policy:${labelId}`

/** The policy in words, as published (GET /api/v1/label-policy and docs/labels.md). */
export function policyRules(policy: LabelPolicy): string[] {
  if (!policy.enabled) {
    return ['The label policy is switched off: labels change only by people and by expiry.']
  }
  const confidence =
    policy.minConfidence === 'low' ? 'any confidence' : `${policy.minConfidence} confidence or more`
  return [
    `Only open findings of status affected, matched with ${confidence}, count.`,
    `A label is suspended when a known-exploited vulnerability (CISA KEV) of its product version stays unremediated for more than ${policy.kevSuspendAfterDays} days, counted from the later of the day the network first found it in the version and the day CISA added it to KEV.`,
    'Remediated means: the finding is resolved (a new SBOM without the vulnerable component, the advisory withdrawn or corrected), triaged not affected (a VEX statement with a justification), or fixed in this very version.',
    'The policy reinstates a label it suspended itself as soon as no such vulnerability is left. It never lifts a suspension made by a person and never touches a revoked or expired label; when a person reinstates a label the policy suspended, the policy does not suspend it again for the same finding.',
    `A security warning is shown, without changing the label’s signed status, when a critical vulnerability (severity critical, or CVSS 9.0 or more) has had neither a fix nor a VEX statement for more than ${policy.criticalWarningAfterDays} days since it was first found. It disappears when the finding is resolved or the manufacturer states a fix or a remediation.`,
  ]
}

/** The network's label policy and its rules in words. Public. */
export async function getPublishedPolicy(ctx: Pick<Ctx, 'db'>): Promise<PublishedLabelPolicy> {
  const policy = await getLabelPolicy(ctx)
  return { policy, actor: POLICY_ACTOR_NAME, rules: policyRules(policy) }
}

/** Organisations known to exist, per batch (labels keep organisation ids as plain references). */
type OrgCache = Map<string, boolean>

async function existingOrganisations(db: Db, ids: string[], cache: OrgCache): Promise<string[]> {
  const out: string[] = []
  for (const id of ids) {
    let exists = cache.get(id)
    if (exists === undefined) {
      try {
        await getOrganisation({ db }, id)
        exists = true
      } catch (error) {
        if (!isAppError(error, 'not_found')) throw error
        exists = false
      }
      cache.set(id, exists)
    }
    if (exists) out.push(id)
  }
  return out
}

/** Notifications of a batch, inserted together before it commits. */
type PendingNotes = Parameters<typeof notify>[2]

async function notifyBoth(
  db: Db,
  label: VersionLabel,
  kind: NotificationKind,
  text: string,
  batch: Pick<BatchWork, 'orgs' | 'notes'>,
): Promise<void> {
  const orgs = [label.manufacturerId, label.assessorId].filter((id): id is string => !!id)
  if (orgs.length === 0) return
  for (const organisationId of await existingOrganisations(db, orgs, batch.orgs)) {
    batch.notes.push({ organisationId, kind, text, link: `/registry/${label.id}` })
  }
}

/** What a batch does, gathered label by label and written together. */
interface BatchWork {
  orgs: OrgCache
  notes: PendingNotes
  changes: LabelStatusChangeRequest[]
  warningAudits: AuditEvent[]
  /** Policy states to write; a suspension's time is filled in once the change is made. */
  states: { row: LabelPolicyStateRow; suspensionOf?: StoredSuspension }[]
}

/**
 * Works out what the policy does to one label, inside the batch's transaction and under the
 * label's lock: suspends it for a known-exploited vulnerability past its deadline, reinstates it
 * when the policy's own cause is gone, raises or clears its warning. Nothing is written here:
 * the status changes (history, audit, status lists, webhooks, through changeLabelStatuses), the
 * warnings' audit entries, the notifications of both organisations and the policy states are
 * added to the batch's work.
 */
async function planForLabel(
  trx: Db,
  ctx: PolicyCtx,
  policy: LabelPolicy,
  label: VersionLabel,
  state: LabelPolicyStateRow | undefined,
  findings: readonly PolicyFinding[],
  summary: PolicyRunSummary,
  batch: BatchWork,
): Promise<void> {
  const labelId = label.id
  const now = ctx.clock.now()
  const at = now.toISOString()
  let suspendedAt = state?.suspended_at ?? null
  let suspension = parse<StoredSuspension | null>(state?.suspension, null)
  let suspends = false
  const open = new Set(findings.map((f) => f.id))
  const overridden = new Set(
    parse<string[]>(state?.overridden_findings, []).filter((id) => open.has(id)),
  )
  // A person changed the label after the policy suspended it: that suspension is no longer
  // the policy's. A person who reinstated it overrode the policy for that finding.
  if (
    suspendedAt !== null &&
    !(label.status === 'suspended' && label.statusChangedAt === suspendedAt)
  ) {
    if (label.status === 'active' && suspension) overridden.add(suspension.findingId)
    suspendedAt = null
    suspension = null
  }
  const verdict = judge(policy, findings, label.version, now, overridden)

  if (verdict.suspendFor && label.status === 'active') {
    const cause = verdict.suspendFor
    const reason = suspensionReason(policy, cause)
    batch.changes.push({ id: labelId, action: 'suspend', reason })
    suspends = true
    suspension = {
      findingId: cause.finding.id,
      cve: cause.cve,
      advisory: cause.finding.advisoryId,
      since: '', // the change's time, filled in when it is made
      reason,
    }
    summary.suspended += 1
    await notifyBoth(
      trx,
      label,
      'label.suspended',
      `The label policy suspended the label of ${label.productName} ${label.version}: ${cause.cve} (${cause.finding.advisoryId}) is known to be exploited and has been unremediated for more than ${policy.kevSuspendAfterDays} days.`,
      batch,
    )
  } else if (suspendedAt !== null && suspension && !verdict.suspendFor) {
    const reason = `Label policy: no unremediated known-exploited vulnerability is left past its deadline (${suspension.cve}, advisory ${suspension.advisory}, ${policy.enabled ? 'remediated or resolved' : 'the policy was switched off'}).`
    batch.changes.push({ id: labelId, action: 'reinstate', reason })
    summary.reinstated += 1
    await notifyBoth(
      trx,
      label,
      'label.reinstated',
      `The label policy reinstated the label of ${label.productName} ${label.version}: ${suspension.cve} is no longer an unremediated known-exploited vulnerability of this version.`,
      batch,
    )
    suspendedAt = null
    suspension = null
  }

  const before = parse<PolicyWarning | null>(state?.warning, null)
  forgetPolicyWarning(labelId)
  let warning: PolicyWarning | null = null
  if (verdict.warning) {
    const { findingIds: _ids, ...shown } = verdict.warning
    warning = shown
  }
  if (!before && warning) {
    summary.warningsRaised += 1
    batch.warningAudits.push({
      action: 'label.policy_warning_raised',
      organisationId: label.manufacturerId,
      targetType: 'label',
      targetId: labelId,
      details: { message: warning.message, cves: warning.cves, advisories: warning.advisories },
    })
    await notifyBoth(
      trx,
      label,
      'label.warning',
      `${label.productName} ${label.version}: ${warning.message}`,
      batch,
    )
  } else if (before && !warning) {
    summary.warningsCleared += 1
    batch.warningAudits.push({
      action: 'label.policy_warning_cleared',
      organisationId: label.manufacturerId,
      targetType: 'label',
      targetId: labelId,
      details: { cves: before.cves, advisories: before.advisories },
    })
  }
  if (state || suspends || suspendedAt !== null || warning || overridden.size > 0) {
    batch.states.push({
      row: {
        label_id: labelId,
        product_version_id: label.productVersionId,
        suspended_at: suspendedAt,
        suspension: suspension ? JSON.stringify(suspension) : null,
        overridden_findings: JSON.stringify([...overridden]),
        warning: warning ? JSON.stringify(warning) : null,
        warning_since: warning ? (before ? (state?.warning_since ?? at) : at) : null,
        evaluated_at: at,
      },
      ...(suspends && suspension ? { suspensionOf: suspension } : {}),
    })
  }
}

/** Labels the policy applies to in one transaction. */
const LABELS_PER_TRANSACTION = 1000

/**
 * Applies the policy to a batch of labels in one transaction: the labels' locks are taken in one
 * statement (in id order, so two workers never wait on each other in a cycle), the labels (once:
 * the status change is handed the same rows) and the policy's states are read again under the
 * locks, and what the batch does is
 * written together: the status changes (changeLabelStatuses), the warnings' audit entries, the
 * notifications and the policy states. A label that stopped being live meanwhile is left alone.
 */
async function applyToLabels(
  ctx: PolicyCtx,
  policy: LabelPolicy,
  batch: readonly VersionLabel[],
  findings: ReadonlyMap<string, PolicyFinding[]>,
  summary: PolicyRunSummary,
): Promise<void> {
  const ids = batch.map((l) => l.id).sort()
  await ctx.db.transaction().execute(async (trx) => {
    await lockKeysForTransaction(trx, ids.map(lockKey))
    const tctx = { db: trx, clock: ctx.clock }
    // Read again under the locks: a label that stopped being live meanwhile is left alone.
    const { read, live: labels } = await readLabelsForChange(tctx, ids)
    const states = new Map(
      (await listPolicyStatesOfLabels(trx, ids)).map((s) => [s.label_id, s] as const),
    )
    const work: BatchWork = {
      orgs: new Map<string, boolean>(),
      notes: [],
      changes: [],
      warningAudits: [],
      states: [],
    }
    for (const label of labels) {
      await planForLabel(
        trx,
        ctx,
        policy,
        label,
        states.get(label.id),
        findings.get(label.productVersionId) ?? [],
        summary,
        work,
      )
    }
    const changed = new Map(
      (await changeLabelStatuses(tctx, WHO, work.changes, read)).map((l) => [l.id, l] as const),
    )
    await recordAuditEntries(trx, ctx.clock, WHO, work.warningAudits)
    await upsertPolicyStates(
      trx,
      work.states.map(({ row, suspensionOf }) => {
        if (!suspensionOf) return row
        const since = changed.get(row.label_id)!.changedAt
        return {
          ...row,
          suspended_at: since,
          suspension: JSON.stringify({ ...suspensionOf, since }),
        }
      }),
    )
    await notify(trx, ctx.clock, work.notes)
  })
}

/**
 * Applies the label policy to the active and suspended labels of these product versions (those
 * whose findings changed). The labels that need a look are applied to in batches of
 * LABELS_PER_TRANSACTION, one transaction each; a batch that fails is rolled back whole and
 * retried with the caller's job.
 */
export async function evaluateLabelPolicy(
  ctx: PolicyCtx,
  productVersionIds: readonly string[],
): Promise<PolicyRunSummary> {
  const summary: PolicyRunSummary = {
    versions: 0,
    labels: 0,
    suspended: 0,
    reinstated: 0,
    warningsRaised: 0,
    warningsCleared: 0,
  }
  const ids = [...new Set(productVersionIds)]
  if (ids.length === 0) return summary
  const policy = await getLabelPolicy(ctx)
  const labels = await listLiveLabelsOfVersions(ctx, ids)
  if (labels.length === 0) return summary
  const findings = await openPolicyFindings(ctx, [
    ...new Set(labels.map((l) => l.productVersionId)),
  ])
  summary.versions = new Set(labels.map((l) => l.productVersionId)).size
  const withState = new Set(
    (
      await listPolicyStatesOfLabels(
        ctx.db,
        labels.map((l) => l.id),
      )
    ).map((s) => s.label_id),
  )
  const now = ctx.clock.now()
  const due: VersionLabel[] = []
  for (const label of labels) {
    summary.labels += 1
    const own = findings.get(label.productVersionId) ?? []
    // Nothing held and nothing wanted: no transaction (most labels, most of the time).
    if (!withState.has(label.id)) {
      const verdict = judge(policy, own, label.version, now)
      if (!verdict.warning && !(verdict.suspendFor && label.status === 'active')) continue
    }
    due.push(label)
  }
  for (const chunk of chunksOf(due, LABELS_PER_TRANSACTION)) {
    await applyToLabels(ctx, policy, chunk, findings, summary)
  }
  return summary
}

/**
 * The scheduled pass: every product version with an open KEV or critical finding, or where the
 * policy holds a suspension or shows a warning — for the day thresholds that pass without any
 * finding changing, and for triage changes made since.
 */
export async function runLabelPolicyPass(ctx: PolicyCtx): Promise<PolicyRunSummary> {
  const ids = new Set([
    ...(await versionIdsWithPolicyFindings(ctx)),
    ...(await listVersionIdsWithPolicyEffects(ctx.db)),
  ])
  return evaluateLabelPolicy(ctx, [...ids])
}

/**
 * What the public product page shows next to a label: the open known-exploited vulnerabilities
 * of its version (count and CVE ids, already public in CISA's catalogue), the policy's warning
 * and the suspension the policy holds, if any.
 * @throws not_found
 */
export async function getLabelExposure(ctx: PolicyCtx, labelId: string): Promise<LabelExposure> {
  const label = await findVersionLabel(ctx, labelId)
  if (!label) throw new AppError('not_found', 'No such label.')
  const policy = await getLabelPolicy(ctx)
  const [judged] = await judgeExposures(ctx, [label], policy)
  return judged!.exposure
}

/**
 * Each label's exposure as its public product page shows it ({@link getLabelExposure}), with
 * the policy's verdict behind it: findings and policy states read in batches.
 */
async function judgeExposures(
  ctx: PolicyCtx,
  labels: readonly VersionLabel[],
  policy: LabelPolicy,
): Promise<{ label: VersionLabel; verdict: PolicyVerdict; exposure: LabelExposure }[]> {
  const findings = await openPolicyFindings(
    ctx,
    labels.map((l) => l.productVersionId).filter((id) => id !== ''),
  )
  const states = new Map(
    (
      await listPolicyStatesOfLabels(
        ctx.db,
        labels.map((l) => l.id),
      )
    ).map((s) => [s.label_id, s]),
  )
  const now = ctx.clock.now()
  return labels.map((label) => {
    const state = states.get(label.id)
    const overridden = new Set(parse<string[]>(state?.overridden_findings, []))
    const verdict = judge(
      policy,
      findings.get(label.productVersionId) ?? [],
      label.version,
      now,
      overridden,
    )
    const policyHolds =
      !!state?.suspended_at &&
      label.status === 'suspended' &&
      label.statusChangedAt === state.suspended_at
    const suspension = policyHolds ? parse<StoredSuspension | null>(state.suspension, null) : null
    const next = verdict.kev.find((e) => !overridden.has(e.finding.id))
    const exposure: LabelExposure = {
      labelId: label.id,
      knownExploited: {
        open: verdict.kev.length,
        cves: [...new Set(verdict.kev.map((e) => e.cve))].slice(0, 20),
        nextSuspensionAt:
          policy.enabled && label.status === 'active' && next ? next.deadline : null,
      },
      warning: parse<PolicyWarning | null>(state?.warning, null),
      policySuspension: suspension
        ? {
            since: suspension.since,
            cve: suspension.cve,
            advisory: suspension.advisory,
            reason: suspension.reason,
          }
        : null,
      policy,
    }
    return { label, verdict, exposure }
  })
}

/**
 * The network dashboard's list: labelled product versions (active or suspended labels) with open
 * known-exploited vulnerabilities as the policy counts them, the longest exposed first. Their
 * exposure is already public on each product page; unlabelled products stay counts only
 * (findings.service getKevExposure).
 */
export async function listExposedLabels(
  ctx: PolicyCtx,
  query: ExposedLabelQuery,
): Promise<ExposedLabelPage> {
  const limit = query.limit ?? 50
  const offset = query.offset ?? 0
  const policy = await getLabelPolicy(ctx)
  const labels = await listLiveLabelsOfVersions(ctx, await versionIdsWithPolicyFindings(ctx))
  // The policy's exposures come earliest deadline first, and a deadline is the exposure's start
  // plus the same number of days: the first one is the longest exposed.
  const exposed = (await judgeExposures(ctx, labels, policy))
    .filter((j) => j.verdict.kev.length > 0)
    .map((j) => ({ ...j, since: j.verdict.kev[0]!.since }))
    .sort(
      (a, b) =>
        a.since.localeCompare(b.since) ||
        a.label.productName.localeCompare(b.label.productName) ||
        a.label.id.localeCompare(b.label.id),
    )
  const page = exposed.slice(offset, offset + limit)
  const names = await listLabelRegistryNames(
    ctx,
    page.map((j) => j.label.id),
  )
  const items = page.map(({ label, verdict, exposure, since }): ExposedLabel => ({
    labelId: label.id,
    productName: label.productName,
    version: label.version,
    manufacturer: {
      id: label.manufacturerId,
      name: names.get(label.id)?.manufacturerName ?? '',
    },
    deviceClass: names.get(label.id)?.deviceClass ?? '',
    status: label.status === 'suspended' ? 'suspended' : 'active',
    knownExploited: exposure.knownExploited,
    exposedSince: since,
    kevDueDate:
      verdict.kev
        .map((e) => e.finding.kevDueDate)
        .filter((date): date is string => !!date)
        .sort()[0] ?? null,
    policySuspension: exposure.policySuspension,
  }))
  return { items, total: exposed.length, limit, offset }
}

/**
 * Verification reads the warning of every genuine label, so each process keeps it for
 * WARNING_CACHE_MS; a change made through this process shows at once, elsewhere within that time.
 */
const WARNING_CACHE_MS = 5_000
const warningCache = new TtlCache<{ warning: PolicyWarning | null }>(WARNING_CACHE_MS, 100_000)

function forgetPolicyWarning(labelId: string): void {
  warningCache.delete(labelId)
}

/**
 * Adds the policy's security warning to a verification answer of a genuine label (the status is
 * left as it is: a warning does not change the signed status).
 */
export async function withPolicyWarning(
  ctx: Pick<Ctx, 'db'>,
  result: VerificationResult,
): Promise<VerificationResult> {
  if (!result.genuine || !result.labelId) return result
  const id = result.labelId
  let cached = warningCache.get(id, performance.now())
  if (!cached) {
    const epoch = warningCache.epoch()
    const state = await findPolicyState(ctx.db, id)
    cached = { warning: parse<PolicyWarning | null>(state?.warning, null) }
    warningCache.set(id, cached, performance.now(), epoch)
  }
  const { warning } = cached
  return warning
    ? { ...result, warning: { message: warning.message, since: warning.since, cves: warning.cves } }
    : result
}
