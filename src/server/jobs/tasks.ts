import { DAY } from '../kernel/clock.ts'
import type { Ctx } from '../kernel/context.ts'
import type { MailMessage } from '../kernel/mailer.ts'
import { purgeExpiredAuthState } from '../modules/accounts/accounts.service.ts'
import {
  IMPORT_TASK as ADVISORY_IMPORT_TASK,
  importConfiguredSources,
} from '../modules/advisories/advisories.service.ts'
import {
  ADVISORY_CHANGES_TASK,
  enqueueAdvisoryReevaluation,
  EVALUATE_VERSION_TASK,
  type EvaluateVersionPayload,
} from '../modules/findings/findings.jobs.ts'
import {
  evaluateProductVersion,
  reevaluateForAdvisoryChanges,
} from '../modules/findings/findings.service.ts'
import { expireLabels } from '../modules/labels/labels.service.ts'
import {
  enqueueLabelPolicy,
  LABEL_POLICY_TASK,
  type LabelPolicyPayload,
} from '../modules/label-policy/label-policy.jobs.ts'
import {
  evaluateLabelPolicy,
  runLabelPolicyPass,
} from '../modules/label-policy/label-policy.service.ts'
import { expireInvitations } from '../modules/organisations/organisations.service.ts'
import { DELIVER_TASK, deliverWebhook } from '../modules/webhooks/webhooks.service.ts'
import { deleteFinishedJobs } from './jobs.repository.ts'
import type { Schedule, TaskHandler } from './runner.ts'
import {
  applyVexToNewFindings,
  applyVexToNewFindingsOfVersions,
} from '../modules/vex/vex.service.ts'

/** Finished jobs are kept this long for inspection, then deleted. */
const FINISHED_JOB_RETENTION = 7 * DAY

/** Every background task the platform runs, by name. */
export function platformTasks(ctx: Ctx): Record<string, TaskHandler> {
  return {
    'mail.send': async (payload) => {
      // Without SMTP nothing is mailed; the link was shown to the person who asked for it.
      if (!ctx.mailer) return ctx.logger.warn('mail.send job without SMTP_URL configured; dropped')
      await ctx.mailer.send(payload as MailMessage)
    },
    'sessions.expire': async () => {
      const purged = await purgeExpiredAuthState(ctx)
      ctx.logger.info({ purged }, 'expired sessions, challenges and links purged')
    },
    'invitations.expire': async () => {
      const expired = await expireInvitations(ctx)
      if (expired > 0) ctx.logger.info({ expired }, 'invitations expired')
    },
    'labels.expire': async () => {
      const expired = await expireLabels(ctx)
      if (expired > 0) ctx.logger.info({ expired }, 'labels expired')
    },
    [DELIVER_TASK]: async (payload, { attempt, signal }) => {
      const { deliveryId } = payload as { deliveryId: string }
      await deliverWebhook(ctx, deliveryId, attempt, signal)
    },
    [ADVISORY_IMPORT_TASK]: async (payload) => {
      const { triggeredBy } = (payload ?? {}) as { triggeredBy?: string }
      await importConfiguredSources(ctx, `job:${triggeredBy ?? 'schedule'}`)
      await enqueueAdvisoryReevaluation(ctx.db, ctx.clock)
    },
    [EVALUATE_VERSION_TASK]: async (payload) => {
      const { productVersionId, trigger } = payload as EvaluateVersionPayload
      try {
        const summary = await evaluateProductVersion(ctx, productVersionId, { trigger })
        ctx.logger.info({ ...summary, trigger }, 'product version evaluated')
        // Stored VEX statements reach the new findings (docs/vulnerabilities.md, "VEX").
        if (summary.created > 0) await applyVexToNewFindings(ctx, productVersionId)
        // The label policy follows the findings (docs/labels.md, "Label policy").
        await enqueueLabelPolicy(ctx.db, ctx.clock, [productVersionId])
      } catch (error) {
        // The version was deleted after the job was queued: nothing left to evaluate.
        if ((error as { code?: string }).code === 'not_found') return
        throw error
      }
    },
    [ADVISORY_CHANGES_TASK]: async () => {
      const summary = await reevaluateForAdvisoryChanges(ctx)
      // Stored VEX statements reach the new findings: one lookup for all the versions.
      await applyVexToNewFindingsOfVersions(
        ctx,
        summary.versions.filter((v) => v.created > 0).map((v) => v.productVersionId),
      )
      await enqueueLabelPolicy(
        ctx.db,
        ctx.clock,
        summary.versions
          .filter((v) => v.created + v.changed + v.resolved > 0)
          .map((v) => v.productVersionId),
      )
      if (summary.changes > 0) {
        ctx.logger.info(
          {
            fromSeq: summary.fromSeq,
            toSeq: summary.toSeq,
            advisories: summary.advisories,
            kevCves: summary.kevCves,
            versions: summary.versions.length,
          },
          'advisory changes re-evaluated',
        )
      }
    },
    [LABEL_POLICY_TASK]: async (payload) => {
      const ids = (payload as LabelPolicyPayload | null)?.productVersionIds
      const summary = ids ? await evaluateLabelPolicy(ctx, ids) : await runLabelPolicyPass(ctx)
      if (
        summary.suspended +
        summary.reinstated +
        summary.warningsRaised +
        summary.warningsCleared
      ) {
        ctx.logger.info(summary, 'label policy applied')
      }
    },
    'jobs.purge': async () => {
      await deleteFinishedJobs(ctx.db, new Date(ctx.clock.now().getTime() - FINISHED_JOB_RETENTION))
    },
  }
}

export const PLATFORM_SCHEDULES: Schedule[] = [
  { name: 'sessions.expire', task: 'sessions.expire', intervalSeconds: 300 },
  { name: 'invitations.expire', task: 'invitations.expire', intervalSeconds: 300 },
  { name: 'jobs.purge', task: 'jobs.purge', intervalSeconds: 24 * 60 * 60 },
  // Imports ADVISORY_SOURCES (nothing to do when none are configured).
  { name: 'advisories.import', task: ADVISORY_IMPORT_TASK, intervalSeconds: 6 * 60 * 60 },
  // Validity shows as expired on read at once; the job records it, and support periods that
  // ended (day by day), within the hour.
  { name: 'labels.expire', task: 'labels.expire', intervalSeconds: 60 * 60 },
  // Imports enqueue it themselves; the schedule catches imports made by other processes.
  { name: ADVISORY_CHANGES_TASK, task: ADVISORY_CHANGES_TASK, intervalSeconds: 60 },
  // The label policy's day thresholds pass without any finding changing (at least daily; hourly
  // keeps a deadline within the hour).
  { name: LABEL_POLICY_TASK, task: LABEL_POLICY_TASK, intervalSeconds: 60 * 60 },
]
