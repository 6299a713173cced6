import { AppError } from '../../common/errors.ts'
import type { Db } from '../db/database.ts'
import { iso, type Clock } from '../kernel/clock.ts'
import { hasActiveJobWithKey, insertJob, insertJobs, lockJobUniqueKey } from './jobs.repository.ts'

export interface EnqueueOptions {
  /** When the job becomes due; now when omitted. */
  runAt?: Date
  /** How many times the job may run before it is marked failed (default 5). */
  maxAttempts?: number
  /** At most one queued or running job per key; a second enqueue with the key does nothing. */
  uniqueKey?: string
}

export const DEFAULT_MAX_ATTEMPTS = 5

/**
 * Adds a job to the durable queue and returns its id, or undefined when `uniqueKey` is given and
 * a queued or running job with that key already exists.
 *
 * Pass the transaction that makes the change the job follows from: the job then commits (or
 * rolls back) with that change, so no change is left without its follow-up work and no job runs
 * for a change that never happened. The payload is stored as JSON.
 */
export async function enqueueJob(
  db: Db,
  clock: Clock,
  task: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<number | undefined> {
  const row = jobRow(clock.now(), task, payload, options)
  const uniqueKey = options.uniqueKey
  if (uniqueKey === undefined) return insertJob(db, row)

  const insertUnlessActive = async (trx: Db): Promise<number | undefined> => {
    await lockJobUniqueKey(trx, uniqueKey)
    if (await hasActiveJobWithKey(trx, uniqueKey)) return undefined
    return insertJob(trx, row)
  }
  return db.isTransaction ? insertUnlessActive(db) : db.transaction().execute(insertUnlessActive)
}

/**
 * Adds one job of `task` per payload, due now, in as few statements as the database allows: the
 * same rows `enqueueJob` writes one by one (no unique key). Same transaction rule as `enqueueJob`.
 */
export async function enqueueJobs(
  db: Db,
  clock: Clock,
  task: string,
  payloads: readonly unknown[],
  options: Pick<EnqueueOptions, 'maxAttempts'> = {},
): Promise<void> {
  const now = clock.now()
  await insertJobs(
    db,
    payloads.map((payload) => jobRow(now, task, payload, options)),
  )
}

/** The row of a new job, checked (a programming error is refused, not queued). */
function jobRow(now: Date, task: string, payload: unknown, options: EnqueueOptions) {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  if (task.trim() === '') throw new AppError('internal_error', 'A job needs a task name.')
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new AppError(
      'internal_error',
      `maxAttempts must be a positive integer, not ${maxAttempts}.`,
    )
  }
  if (options.runAt && Number.isNaN(options.runAt.getTime())) {
    throw new AppError('internal_error', `The job ${task} was given an invalid runAt date.`)
  }
  return {
    task,
    payload: JSON.stringify(payload ?? null),
    status: 'queued' as const,
    run_at: iso(options.runAt ?? now),
    attempts: 0,
    max_attempts: maxAttempts,
    unique_key: options.uniqueKey ?? null,
    created_at: iso(now),
  }
}
