import os from 'node:os'
import { AppError } from '../../common/errors.ts'
import type { Db } from '../db/database.ts'
import { HOUR, iso, isoAfter, MINUTE, type Clock } from '../kernel/clock.ts'
import { randomToken } from '../kernel/crypto.ts'
import {
  advanceJobSchedule,
  claimDueJobs,
  completeJob,
  extendJobLease,
  failJob,
  findDueJobSchedules,
  retryJob,
  upsertJobSchedule,
  type JobLease,
} from './jobs.repository.ts'
import type { JobRow } from './jobs.table.ts'
import { enqueueJob } from './queue.ts'

export interface TaskContext {
  jobId: number
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number
  /** Aborted when the worker shuts down past its grace period or loses the job's lease. */
  signal: AbortSignal
}

/** Does the work of one task. Throwing (or rejecting) fails the attempt; it is retried later. */
export type TaskHandler = (payload: unknown, context: TaskContext) => Promise<void>

/** A task enqueued every `intervalSeconds`, by whichever process notices first. */
export interface Schedule {
  name: string
  task: string
  intervalSeconds: number
}

/** The part of a pino logger the runner uses. */
export interface JobLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface JobRunnerOptions {
  db: Db
  clock: Clock
  logger: JobLogger
  tasks: Record<string, TaskHandler>
  schedules?: Schedule[]
  /** Names this worker in `jobs.locked_by`; host, pid and a random suffix by default. */
  workerId?: string
  /** Jobs run at the same time (default 2). */
  concurrency?: number
  /** How often `start()` looks for due jobs and schedules (default 1 s). */
  pollIntervalMs?: number
  /** How long a claimed job stays leased before another worker may take it over (default 5 min). */
  leaseMs?: number
  /** How long `stop()` lets running jobs finish before aborting their signals (default 10 s). */
  stopGraceMs?: number
}

/** Longest `last_error` kept. */
export const MAX_ERROR_LENGTH = 2000

/**
 * The wait before retry number `attempt` (1 after the first failure): 2^attempt × 10 s, at most
 * an hour, ±20 % jitter so jobs that failed together do not retry together.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(2 ** attempt * 10_000, HOUR)
  return Math.round(base * (0.8 + 0.4 * random()))
}

/** An error as text for `last_error`: its message (not its stack), at most 2000 characters. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error)
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text
}

interface Execution {
  controller: AbortController
  done: Promise<void>
}

/**
 * Runs jobs from the durable queue. Any number of runners, in any number of processes, may share
 * one database: each job is leased to one worker at a time (`FOR UPDATE SKIP LOCKED` on
 * PostgreSQL, serialised transactions on SQLite), and a job whose worker dies is taken over when
 * its lease expires. Delivery is therefore at least once: handlers should be idempotent.
 */
export class JobRunner {
  readonly workerId: string
  readonly #db: Db
  readonly #clock: Clock
  readonly #logger: JobLogger
  readonly #tasks: Record<string, TaskHandler>
  readonly #schedules: readonly Schedule[]
  readonly #concurrency: number
  readonly #pollIntervalMs: number
  readonly #leaseMs: number
  readonly #stopGraceMs: number

  readonly #executions = new Set<Execution>()
  readonly #claims = new Set<Promise<unknown>>()
  #stopping = false
  #aborting = false
  #loop: Promise<void> | undefined
  #wake: (() => void) | undefined
  #wakePending = false
  #schedulesSynced: Promise<void> | undefined
  #lastScheduleCheck: number | undefined

  constructor(options: JobRunnerOptions) {
    this.#db = options.db
    this.#clock = options.clock
    this.#logger = options.logger
    this.#tasks = options.tasks
    this.#schedules = options.schedules ?? []
    this.workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomToken(6)}`
    this.#concurrency = positiveInteger('concurrency', options.concurrency ?? 2)
    this.#pollIntervalMs = positiveInteger('pollIntervalMs', options.pollIntervalMs ?? 1000)
    this.#leaseMs = positiveInteger('leaseMs', options.leaseMs ?? 5 * MINUTE)
    this.#stopGraceMs = Math.max(0, options.stopGraceMs ?? 10_000)
    const names = new Set<string>()
    for (const schedule of this.#schedules) {
      if (names.has(schedule.name)) {
        throw new AppError('invalid_config', `Two job schedules are named ${schedule.name}.`)
      }
      names.add(schedule.name)
      positiveInteger(`The interval of schedule ${schedule.name}`, schedule.intervalSeconds)
      if (!this.#handlerFor(schedule.task)) {
        throw new AppError(
          'invalid_config',
          `Schedule ${schedule.name} names task ${schedule.task}, which has no handler.`,
        )
      }
    }
  }

  /** Starts polling for due schedules and jobs until `stop()`. */
  start(): void {
    if (this.#loop) throw new AppError('internal_error', 'The job runner is already running.')
    this.#stopping = false
    this.#aborting = false
    this.#loop = this.#pollLoop()
  }

  /**
   * Stops claiming jobs and waits for the running ones. After the grace period their signals are
   * aborted (and a job that then fails is re-queued to run again at once); the promise resolves
   * when every handler has returned.
   */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#wakeUp()
    await this.#loop
    this.#loop = undefined
    const deadline = setTimeout(() => {
      if (this.#executions.size > 0) {
        this.#logger.warn(
          { workerId: this.workerId, running: this.#executions.size },
          'Job runner grace period over; aborting running jobs',
        )
      }
      this.#aborting = true
      for (const execution of this.#executions) execution.controller.abort(shutdownReason())
    }, this.#stopGraceMs)
    try {
      while (this.#executions.size > 0 || this.#claims.size > 0) {
        await Promise.allSettled([
          ...this.#claims,
          ...[...this.#executions].map((execution) => execution.done),
        ])
      }
    } finally {
      clearTimeout(deadline)
    }
  }

  /**
   * Claims and runs every job that is due now, `concurrency` at a time, and returns how many ran.
   * Jobs that fail are re-queued for later and not run again here. For tests and one-shot CLI
   * runs; `start()` does the same continuously.
   */
  async runDue(): Promise<number> {
    let ran = 0
    const lane = async (): Promise<void> => {
      while (!this.#stopping) {
        const [job] = await this.#claim(1)
        if (!job) return
        await this.#launch(job)
        ran += 1
      }
    }
    await Promise.all(Array.from({ length: this.#concurrency }, lane))
    return ran
  }

  /**
   * Enqueues the task of every configured schedule that is due, and moves the schedule on. Each
   * schedule advances with a conditional update, so when several processes look at once exactly
   * one enqueues; the job's unique key `schedule:<name>` skips a run while the last one is still
   * queued or running. Returns how many jobs were enqueued.
   */
  async enqueueDueSchedules(): Promise<number> {
    if (this.#schedules.length === 0) return 0
    await this.syncSchedules()
    const now = this.#clock.now()
    const due = await findDueJobSchedules(
      this.#db,
      this.#schedules.map((s) => s.name),
      iso(now),
    )
    let enqueued = 0
    for (const schedule of due) {
      const from = schedule.next_run_at
      const interval = schedule.interval_seconds * 1000
      let next = new Date(from).getTime() + interval
      // After downtime, run once and resume the rhythm from now rather than catching up.
      if (!(next > now.getTime())) next = now.getTime() + interval
      const jobId = await this.#db.transaction().execute(async (trx) => {
        const won = await advanceJobSchedule(trx, {
          name: schedule.name,
          from,
          to: iso(new Date(next)),
          now: iso(now),
        })
        if (!won) return undefined
        return enqueueJob(
          trx,
          this.#clock,
          schedule.task,
          { schedule: schedule.name, dueAt: from },
          { uniqueKey: `schedule:${schedule.name}` },
        )
      })
      if (jobId !== undefined) {
        enqueued += 1
        this.#logger.info(
          { schedule: schedule.name, task: schedule.task, jobId },
          'Scheduled job enqueued',
        )
      }
    }
    return enqueued
  }

  /**
   * Writes the configured schedules to `job_schedules`: new ones are due at once, existing ones
   * keep their next run and take the configured task and interval. Runs once per runner (again
   * after a failure); `start()` and `enqueueDueSchedules()` call it.
   */
  async syncSchedules(): Promise<void> {
    this.#schedulesSynced ??= (async () => {
      const now = iso(this.#clock.now())
      for (const schedule of this.#schedules) {
        await upsertJobSchedule(this.#db, { ...schedule, firstRunAt: now })
      }
    })().catch((error: unknown) => {
      this.#schedulesSynced = undefined
      throw error
    })
    await this.#schedulesSynced
  }

  async #pollLoop(): Promise<void> {
    while (!this.#stopping) {
      try {
        const now = this.#clock.now().getTime()
        if (
          this.#lastScheduleCheck === undefined ||
          now - this.#lastScheduleCheck >= this.#pollIntervalMs
        ) {
          await this.enqueueDueSchedules()
          this.#lastScheduleCheck = now
        }
        await this.#fill()
      } catch (error) {
        this.#logger.error({ err: error, workerId: this.workerId }, 'Job runner poll failed')
      }
      if (this.#stopping) break
      await this.#sleep(this.#pollIntervalMs)
    }
  }

  /** Claims jobs until every slot is busy or nothing is due. */
  async #fill(): Promise<void> {
    while (!this.#stopping) {
      const free = this.#concurrency - this.#executions.size
      if (free <= 0) return
      const jobs = await this.#claim(free)
      for (const job of jobs) void this.#launch(job)
      if (jobs.length < free) return
    }
  }

  async #claim(limit: number): Promise<JobRow[]> {
    const claim = claimDueJobs(this.#db, {
      workerId: this.workerId,
      now: iso(this.#clock.now()),
      lockedUntil: isoAfter(this.#clock, this.#leaseMs),
      limit,
    })
    this.#claims.add(claim)
    try {
      const { claimed, expired } = await claim
      for (const job of expired) {
        this.#logger.error(
          { jobId: job.id, task: job.task, attempts: job.attempts, lockedBy: job.locked_by },
          'Job failed: its worker stopped during the last allowed attempt',
        )
      }
      return claimed
    } finally {
      this.#claims.delete(claim)
    }
  }

  /** Runs a claimed job, tracked so that `stop()` can wait for it. Never rejects. */
  #launch(job: JobRow): Promise<void> {
    const controller = new AbortController()
    if (this.#aborting) controller.abort(shutdownReason())
    const execution: Execution = { controller, done: Promise.resolve() }
    execution.done = this.#execute(job, controller)
      .catch((error: unknown) => {
        // Only the database can fail here; the lease will expire and another attempt follow.
        this.#logger.error(
          { err: error, jobId: job.id, task: job.task },
          'Could not record the outcome of a job',
        )
      })
      .finally(() => {
        this.#executions.delete(execution)
        this.#wakeUp()
      })
    this.#executions.add(execution)
    return execution.done
  }

  async #execute(job: JobRow, controller: AbortController): Promise<void> {
    const lease: JobLease = { id: job.id, workerId: this.workerId, attempt: job.attempts }
    const log = { jobId: job.id, task: job.task, attempt: job.attempts, workerId: this.workerId }
    const handler = this.#handlerFor(job.task)
    if (!handler) {
      const error = `Unknown task "${job.task.slice(0, 200)}": no handler is registered for it.`
      await failJob(this.#db, lease, { now: iso(this.#clock.now()), error })
      this.#logger.error(log, 'Job failed: unknown task')
      return
    }
    let payload: unknown
    try {
      payload = JSON.parse(job.payload)
    } catch {
      const error = 'The payload is not valid JSON.'
      await failJob(this.#db, lease, { now: iso(this.#clock.now()), error })
      this.#logger.error(log, 'Job failed: unreadable payload')
      return
    }

    const started = this.#clock.now().getTime()
    const heartbeat = setInterval(() => void this.#renewLease(lease, controller), this.#leaseMs / 3)
    heartbeat.unref()
    let failure: { error: unknown } | undefined
    try {
      await handler(payload, { jobId: job.id, attempt: job.attempts, signal: controller.signal })
    } catch (error) {
      failure = { error }
    } finally {
      clearInterval(heartbeat)
    }
    const now = this.#clock.now()
    const ms = now.getTime() - started

    if (!failure) {
      if (await completeJob(this.#db, lease, iso(now))) {
        this.#logger.info({ ...log, ms }, 'Job done')
      } else {
        this.#logger.warn(log, 'Job finished after its lease was lost; another worker has it')
      }
      return
    }

    const error = describeError(failure.error)
    if (job.attempts < job.max_attempts) {
      // A job interrupted by shutdown did nothing wrong: it runs again as soon as a worker can.
      const interrupted = controller.signal.aborted && this.#aborting
      const delay = interrupted ? 0 : retryDelayMs(job.attempts)
      const runAt = iso(new Date(now.getTime() + delay))
      if (await retryJob(this.#db, lease, { runAt, error })) {
        this.#logger.warn({ ...log, ms, err: failure.error, runAt }, 'Job failed; will retry')
      } else {
        this.#logger.warn(log, 'Job failed after its lease was lost; another worker has it')
      }
    } else if (await failJob(this.#db, lease, { now: iso(now), error })) {
      this.#logger.error({ ...log, ms, err: failure.error }, 'Job failed on its last attempt')
    } else {
      this.#logger.warn(log, 'Job failed after its lease was lost; another worker has it')
    }
  }

  /** Extends the lease of a running job; aborts the job when another worker has taken it. */
  async #renewLease(lease: JobLease, controller: AbortController): Promise<void> {
    try {
      const held = await extendJobLease(this.#db, lease, isoAfter(this.#clock, this.#leaseMs))
      if (!held) {
        this.#logger.warn({ jobId: lease.id, workerId: this.workerId }, 'Job lease lost')
        controller.abort(new Error('The job lease was lost to another worker.'))
      }
    } catch (error) {
      this.#logger.warn({ err: error, jobId: lease.id }, 'Could not extend a job lease')
    }
  }

  #handlerFor(task: string): TaskHandler | undefined {
    return Object.hasOwn(this.#tasks, task) ? this.#tasks[task] : undefined
  }

  #sleep(ms: number): Promise<void> {
    if (this.#wakePending) {
      this.#wakePending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined
        resolve()
      }, ms)
      this.#wake = () => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
    })
  }

  #wakeUp(): void {
    if (this.#wake) this.#wake()
    else this.#wakePending = true
  }
}

function shutdownReason(): Error {
  return new Error('The worker is shutting down.')
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new AppError('invalid_config', `${name} must be a positive integer, not ${value}.`)
  }
  return value
}
