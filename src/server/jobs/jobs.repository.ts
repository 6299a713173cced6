import type { Insertable } from 'kysely'
import type { Db } from '../db/database.ts'
import { forUpdateSkipLocked, insertRows, lockKeyForTransaction } from '../db/dialect.ts'
import type { JobRow, JobScheduleTable, JobTable } from './jobs.table.ts'

/** Jobs that have not finished yet: only these count for `unique_key`. */
const ACTIVE_STATUSES = ['queued', 'running'] as const

/** The worker and attempt that hold a job; every write after the claim is conditional on it. */
export interface JobLease {
  id: number
  workerId: string
  attempt: number
}

export async function insertJob(db: Db, job: Insertable<JobTable>): Promise<number> {
  const row = await db.insertInto('jobs').values(job).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function insertJobs(db: Db, jobs: readonly Insertable<JobTable>[]): Promise<void> {
  await insertRows(db, 'jobs', jobs)
}

/**
 * Serialises enqueues that share a unique key until the transaction ends, so the check in
 * `hasActiveJobWithKey` and the insert after it cannot interleave with another enqueue.
 */
export async function lockJobUniqueKey(db: Db, uniqueKey: string): Promise<void> {
  await lockKeyForTransaction(db, `jobs.unique_key:${uniqueKey}`)
}

export async function hasActiveJobWithKey(db: Db, uniqueKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where('unique_key', '=', uniqueKey)
    .where('status', 'in', ACTIVE_STATUSES)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

export async function findJob(db: Db, id: number): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function countJobsByStatus(db: Db): Promise<Record<JobRow['status'], number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy('status')
    .execute()
  const counts = { queued: 0, running: 0, done: 0, failed: 0 }
  for (const row of rows) counts[row.status] = Number(row.count)
  return counts
}

export interface ClaimResult {
  /** Jobs now leased to the worker, with `attempts` already counting this attempt. */
  claimed: JobRow[]
  /** Jobs whose lease expired on their last allowed attempt; they are now `failed`. */
  expired: JobRow[]
}

/**
 * Leases up to `limit` due jobs to one worker: queued jobs whose `run_at` has come, and running
 * jobs whose lease has expired (their worker died). On PostgreSQL the rows are locked with
 * `FOR UPDATE SKIP LOCKED`, so concurrent workers each take different jobs without waiting; on
 * SQLite the transaction itself (BEGIN IMMEDIATE) serialises the claim.
 */
export async function claimDueJobs(
  db: Db,
  claim: { workerId: string; now: string; lockedUntil: string; limit: number },
): Promise<ClaimResult> {
  const run = async (trx: Db): Promise<ClaimResult> => {
    const due = await forUpdateSkipLocked(
      trx,
      trx
        .selectFrom('jobs')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', claim.now)]),
            eb.and([eb('status', '=', 'running'), eb('locked_until', '<=', claim.now)]),
          ]),
        )
        .orderBy('run_at')
        .orderBy('id')
        .limit(claim.limit),
    ).execute()
    if (due.length === 0) return { claimed: [], expired: [] }

    // A job whose worker died on its last allowed attempt is not started again: it may be the
    // job that kills workers.
    const expired = due.filter((j) => j.status === 'running' && j.attempts >= j.max_attempts)
    const runnable = due.filter((j) => !expired.includes(j))
    if (expired.length > 0) {
      await trx
        .updateTable('jobs')
        .set({
          status: 'failed',
          locked_until: null,
          finished_at: claim.now,
          last_error: 'The worker running the last allowed attempt stopped before it finished.',
        })
        .where(
          'id',
          'in',
          expired.map((j) => j.id),
        )
        .execute()
    }
    if (runnable.length > 0) {
      await trx
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          locked_by: claim.workerId,
          locked_until: claim.lockedUntil,
          attempts: eb('attempts', '+', 1),
        }))
        .where(
          'id',
          'in',
          runnable.map((j) => j.id),
        )
        .execute()
    }
    return {
      claimed: runnable.map((j) => ({
        ...j,
        status: 'running',
        locked_by: claim.workerId,
        locked_until: claim.lockedUntil,
        attempts: j.attempts + 1,
      })),
      expired,
    }
  }
  return db.isTransaction ? run(db) : db.transaction().execute(run)
}

/** Narrows an update to the lease's holder, so a worker that lost its lease changes nothing. */
function leased(db: Db, lease: JobLease) {
  return db
    .updateTable('jobs')
    .where('id', '=', lease.id)
    .where('status', '=', 'running')
    .where('locked_by', '=', lease.workerId)
    .where('attempts', '=', lease.attempt)
}

/** Pushes the lease of a running job forward; false when the worker no longer holds it. */
export async function extendJobLease(
  db: Db,
  lease: JobLease,
  lockedUntil: string,
): Promise<boolean> {
  const result = await leased(db, lease).set({ locked_until: lockedUntil }).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Marks a leased job done; false when the worker no longer held the lease. */
export async function completeJob(db: Db, lease: JobLease, now: string): Promise<boolean> {
  const result = await leased(db, lease)
    .set({ status: 'done', locked_until: null, finished_at: now })
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Puts a leased job back in the queue to try again at `runAt`; false when the lease was lost. */
export async function retryJob(
  db: Db,
  lease: JobLease,
  retry: { runAt: string; error: string },
): Promise<boolean> {
  const result = await leased(db, lease)
    .set({
      status: 'queued',
      run_at: retry.runAt,
      locked_by: null,
      locked_until: null,
      last_error: retry.error,
    })
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Marks a leased job failed for good; false when the lease was lost. */
export async function failJob(
  db: Db,
  lease: JobLease,
  failure: { now: string; error: string },
): Promise<boolean> {
  const result = await leased(db, lease)
    .set({
      status: 'failed',
      locked_until: null,
      finished_at: failure.now,
      last_error: failure.error,
    })
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Deletes done and failed jobs that finished before `olderThan`, so the table holds recent
 * history only. Returns how many rows went.
 */
export async function deleteFinishedJobs(db: Db, olderThan: Date): Promise<number> {
  const result = await db
    .deleteFrom('jobs')
    .where('status', 'in', ['done', 'failed'])
    .where('finished_at', '<', olderThan.toISOString())
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Creates a schedule row, or updates the task and interval of an existing one while keeping its
 * `next_run_at` (so restarts and deploys neither skip nor repeat a run).
 */
export async function upsertJobSchedule(
  db: Db,
  schedule: { name: string; task: string; intervalSeconds: number; firstRunAt: string },
): Promise<void> {
  await db
    .insertInto('job_schedules')
    .values({
      name: schedule.name,
      task: schedule.task,
      interval_seconds: schedule.intervalSeconds,
      next_run_at: schedule.firstRunAt,
      last_run_at: null,
    })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        task: schedule.task,
        interval_seconds: schedule.intervalSeconds,
      }),
    )
    .execute()
}

export async function findJobSchedule(db: Db, name: string): Promise<JobScheduleTable | undefined> {
  return db.selectFrom('job_schedules').selectAll().where('name', '=', name).executeTakeFirst()
}

/** The named schedules whose next run has come. */
export async function findDueJobSchedules(
  db: Db,
  names: readonly string[],
  now: string,
): Promise<JobScheduleTable[]> {
  if (names.length === 0) return []
  return db
    .selectFrom('job_schedules')
    .selectAll()
    .where('name', 'in', names)
    .where('next_run_at', '<=', now)
    .orderBy('name')
    .execute()
}

/**
 * Moves a schedule's next run from `from` to `to`, only if it still says `from`: of several
 * processes that saw the same due schedule, exactly one gets true.
 */
export async function advanceJobSchedule(
  db: Db,
  advance: { name: string; from: string; to: string; now: string },
): Promise<boolean> {
  const result = await db
    .updateTable('job_schedules')
    .set({ next_run_at: advance.to, last_run_at: advance.now })
    .where('name', '=', advance.name)
    .where('next_run_at', '=', advance.from)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
