import type { Db } from '../../db/database.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Clock } from '../../kernel/clock.ts'

/**
 * The matcher's background jobs, enqueued by other modules (SBOM upload and delete, advisory
 * imports) in their own transactions. Kept apart from findings.service.ts so that those modules
 * depend only on the queue, not on the matcher.
 */

export const EVALUATE_VERSION_TASK = 'findings.evaluate-version'
export const ADVISORY_CHANGES_TASK = 'findings.advisory-changes'

export interface EvaluateVersionPayload {
  productVersionId: string
  trigger: string
}

/**
 * Queues a full evaluation of a product version (its current SBOM changed). Pass the transaction
 * that changed it, so the job exists exactly when the change does. No unique key: an evaluation
 * already running may have read the previous SBOM, so a second one must still run.
 */
export async function enqueueVersionEvaluation(
  db: Db,
  clock: Clock,
  productVersionId: string,
  trigger: string,
): Promise<void> {
  const payload: EvaluateVersionPayload = { productVersionId, trigger }
  await enqueueJob(db, clock, EVALUATE_VERSION_TASK, payload)
}

/**
 * Queues the re-evaluation of what the advisory change set holds after the stored cursor (call it
 * after an import). At most one is queued at a time; the scheduled run catches anything a running
 * one missed.
 */
export async function enqueueAdvisoryReevaluation(db: Db, clock: Clock): Promise<void> {
  await enqueueJob(db, clock, ADVISORY_CHANGES_TASK, null, { uniqueKey: ADVISORY_CHANGES_TASK })
}
