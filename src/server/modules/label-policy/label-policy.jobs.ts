import type { Db } from '../../db/database.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Clock } from '../../kernel/clock.ts'
import { chunksOf } from '../../db/chunks.ts'

/**
 * The label policy's job (docs/labels.md, "Label policy"). Queued after the findings jobs with
 * the product versions whose findings changed, and by anything that changes findings' triage
 * (VEX, the manufacturer's answers) — pass the transaction of that change. Without ids (the
 * schedule) it is the full pass.
 */
export const LABEL_POLICY_TASK = 'labels.policy'

export interface LabelPolicyPayload {
  productVersionIds?: string[]
}

/** Product versions per job, so that a large advisory change is spread over several jobs. */
const PER_JOB = 2000

/** Queues the policy for these product versions (nothing when there are none). */
export async function enqueueLabelPolicy(
  db: Db,
  clock: Clock,
  productVersionIds: readonly string[],
): Promise<void> {
  const ids = [...new Set(productVersionIds)]
  for (const chunk of chunksOf(ids, PER_JOB)) {
    const payload: LabelPolicyPayload = { productVersionIds: chunk }
    await enqueueJob(db, clock, LABEL_POLICY_TASK, payload)
  }
}
