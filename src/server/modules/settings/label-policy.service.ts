import {
  DEFAULT_LABEL_POLICY,
  POLICY_CONFIDENCES,
  POLICY_DAYS,
  type LabelPolicy,
} from '../../../common/api/label-policy.ts'
import { AppError } from '../../../common/errors.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { findSetting, upsertSetting } from './settings.repository.ts'

/** The label policy is a network setting of its own (docs/labels.md, "Label policy"). */
const KEY = 'label_policy'

/** The network's label policy: the stored one, else the defaults. */
export async function getLabelPolicy(ctx: Pick<Ctx, 'db'>): Promise<LabelPolicy> {
  const row = await findSetting(ctx.db, KEY)
  if (!row) return DEFAULT_LABEL_POLICY
  return { ...DEFAULT_LABEL_POLICY, ...(JSON.parse(row.value) as Partial<LabelPolicy>) }
}

function assertValid(policy: LabelPolicy): void {
  const problems: { in: 'body'; pointer: string; message: string }[] = []
  for (const field of ['kevSuspendAfterDays', 'criticalWarningAfterDays'] as const) {
    const value = policy[field]
    if (!(Number.isInteger(value) && value >= POLICY_DAYS.min && value <= POLICY_DAYS.max)) {
      problems.push({
        in: 'body',
        pointer: `/data/${field}`,
        message: `must be a whole number of days from ${POLICY_DAYS.min} to ${POLICY_DAYS.max}`,
      })
    }
  }
  if (!(POLICY_CONFIDENCES as readonly string[]).includes(policy.minConfidence)) {
    problems.push({
      in: 'body',
      pointer: '/data/minConfidence',
      message: 'must be high, medium or low',
    })
  }
  if (typeof policy.enabled !== 'boolean') {
    problems.push({ in: 'body', pointer: '/data/enabled', message: 'must be true or false' })
  }
  if (problems.length > 0) {
    throw new AppError('validation_failed', `The label policy ${problems[0]!.message}.`, {
      details: problems,
    })
  }
}

/**
 * Replaces the label policy and audits the change (`settings.label_policy_updated`, before and
 * after). It applies from the next pass of the policy.
 * @throws validation_failed
 */
export async function updateLabelPolicy(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: { actor: Actor; meta?: RequestMeta },
  policy: LabelPolicy,
): Promise<LabelPolicy> {
  const next: LabelPolicy = {
    enabled: policy.enabled,
    kevSuspendAfterDays: policy.kevSuspendAfterDays,
    criticalWarningAfterDays: policy.criticalWarningAfterDays,
    minConfidence: policy.minConfidence,
  }
  assertValid(next)
  return ctx.db.transaction().execute(async (trx) => {
    const before = await getLabelPolicy({ db: trx })
    await upsertSetting(
      trx,
      KEY,
      JSON.stringify(next),
      ctx.clock.now().toISOString(),
      who.actor.type === 'user' ? who.actor.userId : null,
    )
    await recordAudit(trx, ctx.clock, who, {
      action: 'settings.label_policy_updated',
      targetType: 'settings',
      targetId: KEY,
      details: { before, after: next },
    })
    return next
  })
}
