import { sql } from 'kysely'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../db/database.ts'
import { ManualClock, MINUTE } from '../kernel/clock.ts'
import { createTestDb, type TestDb } from '../testing/test-db.ts'
import {
  claimDueJobs,
  completeJob,
  countJobsByStatus,
  deleteFinishedJobs,
  findJob,
  findJobSchedule,
} from './jobs.repository.ts'
import { enqueueJob } from './queue.ts'
import {
  describeError,
  JobRunner,
  retryDelayMs,
  type JobRunnerOptions,
  type TaskHandler,
} from './runner.ts'

const silent = pino({ level: 'silent' })

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {}
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('waitFor timed out')
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('job queue', () => {
  let t: TestDb
  /** A second connection pool on the same database (PostgreSQL); the same Db on SQLite. */
  let other: Db
  let clock: ManualClock
  const runners: JobRunner[] = []

  function runner(options: Partial<JobRunnerOptions> & { tasks: Record<string, TaskHandler> }) {
    const r = new JobRunner({ db: t.db, clock, logger: silent, ...options })
    runners.push(r)
    return r
  }

  beforeAll(async () => {
    t = await createTestDb()
    if (t.dialect === 'postgres') {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
        t.db,
      )
      other = await createDb(t.url, { poolSize: 4, searchPath: rows[0]!.schema })
    } else {
      // A second better-sqlite3 connection in the same process would block the event loop while
      // it waits for the first one's write lock, so both runners share the one connection here.
      other = t.db
    }
  })
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()))
    await sql`delete from jobs`.execute(t.db)
    await sql`delete from job_schedules`.execute(t.db)
    clock = new ManualClock('2026-03-01T12:00:00.000Z')
  })
  afterAll(async () => {
    if (other !== t.db) await other.destroy()
    await t.destroy()
  })
  clock = new ManualClock('2026-03-01T12:00:00.000Z')

  it('enqueues a job and runs it once with its payload', async () => {
    const seen: unknown[] = []
    const r = runner({
      tasks: {
        greet: async (payload, context) => {
          seen.push({ payload, attempt: context.attempt, aborted: context.signal.aborted })
        },
      },
    })
    const id = await enqueueJob(t.db, clock, 'greet', { name: 'Ada', n: [1, 2] })
    expect(id).toBeTypeOf('number')
    expect(await findJob(t.db, id!)).toMatchObject({
      status: 'queued',
      attempts: 0,
      max_attempts: 5,
      run_at: '2026-03-01T12:00:00.000Z',
    })

    expect(await r.runDue()).toBe(1)
    expect(seen).toEqual([{ payload: { name: 'Ada', n: [1, 2] }, attempt: 1, aborted: false }])
    expect(await findJob(t.db, id!)).toMatchObject({
      status: 'done',
      attempts: 1,
      locked_by: r.workerId,
      locked_until: null,
      finished_at: '2026-03-01T12:00:00.000Z',
    })
    expect(await r.runDue()).toBe(0)
  })

  it('waits for runAt', async () => {
    const r = runner({ tasks: { later: async () => {} } })
    const id = await enqueueJob(t.db, clock, 'later', null, {
      runAt: new Date('2026-03-01T13:00:00.000Z'),
    })
    expect(await r.runDue()).toBe(0)
    clock.advance(60 * MINUTE)
    expect(await r.runDue()).toBe(1)
    expect((await findJob(t.db, id!))?.status).toBe('done')
  })

  it('creates the job atomically with the caller’s transaction', async () => {
    const r = runner({ tasks: { follow: async () => {} } })
    await expect(
      t.db.transaction().execute(async (trx) => {
        await enqueueJob(trx, clock, 'follow', { x: 1 })
        await enqueueJob(trx, clock, 'follow', { x: 2 }, { uniqueKey: 'k' })
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')
    expect(await countJobsByStatus(t.db)).toMatchObject({ queued: 0 })
    await t.db.transaction().execute(async (trx) => {
      await enqueueJob(trx, clock, 'follow', { x: 3 }, { uniqueKey: 'k' })
    })
    expect(await r.runDue()).toBe(1)
  })

  it('retries with exponential backoff, then succeeds', async () => {
    const attempts: number[] = []
    const r = runner({
      tasks: {
        flaky: async (_payload, { attempt }) => {
          attempts.push(attempt)
          if (attempt < 3) throw new Error(`boom ${attempt}`)
        },
      },
    })
    const id = (await enqueueJob(t.db, clock, 'flaky', {}))!
    const start = clock.now().getTime()

    expect(await r.runDue()).toBe(1)
    let job = (await findJob(t.db, id))!
    expect(job).toMatchObject({ status: 'queued', attempts: 1, last_error: 'boom 1' })
    expect(job.locked_by).toBeNull()
    let delay = new Date(job.run_at).getTime() - start
    expect(delay).toBeGreaterThanOrEqual(16_000) // 2^1 × 10 s − 20 %
    expect(delay).toBeLessThanOrEqual(24_000)

    expect(await r.runDue()).toBe(0) // not due yet
    clock.set(job.run_at)
    expect(await r.runDue()).toBe(1)
    job = (await findJob(t.db, id))!
    expect(job).toMatchObject({ status: 'queued', attempts: 2, last_error: 'boom 2' })
    delay = new Date(job.run_at).getTime() - clock.now().getTime()
    expect(delay).toBeGreaterThanOrEqual(32_000) // 2^2 × 10 s − 20 %
    expect(delay).toBeLessThanOrEqual(48_000)

    clock.set(job.run_at)
    expect(await r.runDue()).toBe(1)
    expect(await findJob(t.db, id)).toMatchObject({ status: 'done', attempts: 3 })
    expect(attempts).toEqual([1, 2, 3])
  })

  it('computes capped, jittered backoff and truncates errors', () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(20_000)
    expect(retryDelayMs(3, () => 0)).toBe(64_000)
    expect(retryDelayMs(3, () => 1)).toBe(96_000)
    expect(retryDelayMs(20, () => 0.5)).toBe(60 * MINUTE)
    expect(describeError(new Error('x'.repeat(5000)))).toHaveLength(2000)
    expect(describeError('plain')).toBe('plain')
  })

  it('fails a job for good after maxAttempts', async () => {
    let runs = 0
    const r = runner({
      tasks: {
        broken: async () => {
          runs += 1
          throw new Error('x'.repeat(3000))
        },
      },
    })
    const id = (await enqueueJob(t.db, clock, 'broken', null, { maxAttempts: 3 }))!
    for (let i = 0; i < 3; i++) {
      expect(await r.runDue()).toBe(1)
      clock.advance(2 * 60 * MINUTE)
    }
    expect(await r.runDue()).toBe(0)
    const job = (await findJob(t.db, id))!
    expect(job).toMatchObject({ status: 'failed', attempts: 3 })
    expect(job.finished_at).not.toBeNull()
    expect(job.last_error).toHaveLength(2000)
    expect(runs).toBe(3)
  })

  it('fails a job with an unknown task at once', async () => {
    const r = runner({ tasks: {} })
    const id = (await enqueueJob(t.db, clock, 'nobody-handles-this', null))!
    const proto = (await enqueueJob(t.db, clock, 'toString', null))!
    expect(await r.runDue()).toBe(2)
    expect(await findJob(t.db, id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'Unknown task "nobody-handles-this": no handler is registered for it.',
    })
    expect((await findJob(t.db, proto))?.status).toBe('failed')
  })

  it('keeps at most one queued or running job per uniqueKey', async () => {
    const r = runner({ tasks: { sync: async () => {} } })
    const first = await enqueueJob(t.db, clock, 'sync', { n: 1 }, { uniqueKey: 'org:1' })
    expect(first).toBeTypeOf('number')
    expect(await enqueueJob(t.db, clock, 'sync', { n: 2 }, { uniqueKey: 'org:1' })).toBeUndefined()
    expect(await enqueueJob(t.db, clock, 'sync', { n: 3 }, { uniqueKey: 'org:2' })).toBeTypeOf(
      'number',
    )
    expect(await r.runDue()).toBe(2)
    // Once the job is done, the key is free again.
    expect(await enqueueJob(t.db, clock, 'sync', { n: 4 }, { uniqueKey: 'org:1' })).toBeTypeOf(
      'number',
    )

    // Concurrent enqueues from two connection pools: exactly one wins.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        enqueueJob(i % 2 ? other : t.db, clock, 'sync', { i }, { uniqueKey: 'race' }),
      ),
    )
    expect(results.filter((id) => id !== undefined)).toHaveLength(1)
  })

  it('re-claims a job whose worker died once its lease expires', async () => {
    const ran: number[] = []
    const r = runner({
      leaseMs: 5 * MINUTE,
      tasks: { work: async (_payload, { attempt }) => void ran.push(attempt) },
    })
    const id = (await enqueueJob(t.db, clock, 'work', null))!
    const { claimed } = await claimDueJobs(t.db, {
      workerId: 'dead-worker',
      now: clock.now().toISOString(),
      lockedUntil: new Date(clock.now().getTime() + 5 * MINUTE).toISOString(),
      limit: 10,
    })
    expect(claimed.map((j) => j.id)).toEqual([id])

    expect(await r.runDue()).toBe(0) // the lease still holds
    clock.advance(5 * MINUTE)
    expect(await r.runDue()).toBe(1)
    expect(ran).toEqual([2])
    expect(await findJob(t.db, id)).toMatchObject({
      status: 'done',
      attempts: 2,
      locked_by: r.workerId,
    })
    // The dead worker coming back cannot overwrite the outcome.
    expect(
      await completeJob(
        t.db,
        { id, workerId: 'dead-worker', attempt: 1 },
        clock.now().toISOString(),
      ),
    ).toBe(false)
  })

  it('fails a job whose worker died on its last attempt instead of running it again', async () => {
    let runs = 0
    const r = runner({ tasks: { crashy: async () => void (runs += 1) } })
    const id = (await enqueueJob(t.db, clock, 'crashy', null, { maxAttempts: 1 }))!
    await claimDueJobs(t.db, {
      workerId: 'dead-worker',
      now: clock.now().toISOString(),
      lockedUntil: new Date(clock.now().getTime() + MINUTE).toISOString(),
      limit: 1,
    })
    clock.advance(MINUTE)
    expect(await r.runDue()).toBe(0)
    expect(runs).toBe(0)
    expect((await findJob(t.db, id))?.status).toBe('failed')
  })

  it('enqueues a due schedule exactly once, even with two runners', async () => {
    const ticks: unknown[] = []
    const schedules = [{ name: 'tick', task: 'tick', intervalSeconds: 60 }]
    const tasks = { tick: async (payload: unknown) => void ticks.push(payload) }
    const a = runner({ schedules, tasks })
    const b = runner({ db: other, schedules, tasks })

    const counts = await Promise.all([a.enqueueDueSchedules(), b.enqueueDueSchedules()])
    expect(counts[0]! + counts[1]!).toBe(1)
    expect(await countJobsByStatus(t.db)).toMatchObject({ queued: 1 })
    expect(await findJobSchedule(t.db, 'tick')).toMatchObject({
      next_run_at: '2026-03-01T12:01:00.000Z',
      last_run_at: '2026-03-01T12:00:00.000Z',
    })
    expect(await a.enqueueDueSchedules()).toBe(0) // not due again yet

    expect((await a.runDue()) + (await b.runDue())).toBe(1)
    expect(ticks).toEqual([{ schedule: 'tick', dueAt: '2026-03-01T12:00:00.000Z' }])

    for (let round = 0; round < 5; round++) {
      clock.advance(60_000)
      const results = await Promise.all([a.enqueueDueSchedules(), b.enqueueDueSchedules()])
      expect(results[0]! + results[1]!).toBe(1)
      await Promise.all([a.runDue(), b.runDue()])
    }
    expect(ticks).toHaveLength(6)

    // While the last run is still queued, the next one is skipped (but the schedule moves on).
    clock.advance(60_000)
    expect(await a.enqueueDueSchedules()).toBe(1)
    clock.advance(60_000)
    expect(await a.enqueueDueSchedules()).toBe(0)
    expect(await countJobsByStatus(t.db)).toMatchObject({ queued: 1, done: 6 })
  })

  it('keeps next_run_at of an existing schedule and updates its interval and task', async () => {
    const tasks = { one: async () => {}, two: async () => {} }
    const a = runner({ schedules: [{ name: 'report', task: 'one', intervalSeconds: 3600 }], tasks })
    expect(await a.enqueueDueSchedules()).toBe(1)
    const before = (await findJobSchedule(t.db, 'report'))!
    expect(before.next_run_at).toBe('2026-03-01T13:00:00.000Z')

    clock.advance(10 * MINUTE)
    const b = runner({ schedules: [{ name: 'report', task: 'two', intervalSeconds: 60 }], tasks })
    await b.syncSchedules()
    expect(await findJobSchedule(t.db, 'report')).toMatchObject({
      task: 'two',
      interval_seconds: 60,
      next_run_at: '2026-03-01T13:00:00.000Z',
    })

    // After downtime the schedule runs once and resumes from now, without catching up.
    clock.set('2026-03-01T18:00:30.000Z')
    await b.runDue()
    expect(await b.enqueueDueSchedules()).toBe(1)
    expect((await findJobSchedule(t.db, 'report'))?.next_run_at).toBe('2026-03-01T18:01:30.000Z')
  })

  it('rejects schedules for tasks it cannot run', () => {
    expect(
      () =>
        new JobRunner({
          db: t.db,
          clock,
          logger: silent,
          tasks: {},
          schedules: [{ name: 's', task: 'missing', intervalSeconds: 60 }],
        }),
    ).toThrow('has no handler')
  })

  it('runs each of 200 jobs exactly once with two polling runners on separate pools', async () => {
    const executions = new Map<number, number>()
    const byWorker = new Map<string, number>()
    const task =
      (worker: string): TaskHandler =>
      async (payload) => {
        const { n } = payload as { n: number }
        executions.set(n, (executions.get(n) ?? 0) + 1)
        byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1)
        await new Promise((r) => setTimeout(r, Math.random() * 3))
      }
    const ids = new Set<number>()
    for (let n = 0; n < 200; n++) {
      ids.add((await enqueueJob(n % 2 ? other : t.db, clock, 'count', { n }))!)
    }
    expect(ids.size).toBe(200)

    const a = runner({
      workerId: 'a',
      concurrency: 4,
      pollIntervalMs: 10,
      tasks: { count: task('a') },
    })
    const b = runner({
      db: other,
      workerId: 'b',
      concurrency: 4,
      pollIntervalMs: 10,
      tasks: { count: task('b') },
    })
    a.start()
    b.start()
    await waitFor(async () => (await countJobsByStatus(t.db)).done === 200)
    await Promise.all([a.stop(), b.stop()])

    expect(executions.size).toBe(200)
    expect([...executions.values()].every((count) => count === 1)).toBe(true)
    expect((byWorker.get('a') ?? 0) + (byWorker.get('b') ?? 0)).toBe(200)
    expect(byWorker.get('a')).toBeGreaterThan(0)
    expect(byWorker.get('b')).toBeGreaterThan(0)
    expect(await countJobsByStatus(t.db)).toEqual({ queued: 0, running: 0, done: 200, failed: 0 })
  })

  it('runs each job exactly once when two runners call runDue at the same time', async () => {
    const executions = new Map<number, number>()
    const count: TaskHandler = async (_payload, { jobId }) => {
      executions.set(jobId, (executions.get(jobId) ?? 0) + 1)
      await new Promise((r) => setTimeout(r, 1))
    }
    for (let n = 0; n < 60; n++) await enqueueJob(t.db, clock, 'count', { n })
    const a = runner({ concurrency: 3, tasks: { count } })
    const b = runner({ db: other, concurrency: 3, tasks: { count } })
    const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()])
    expect(ranA + ranB).toBe(60)
    expect(executions.size).toBe(60)
    expect([...executions.values()].every((c) => c === 1)).toBe(true)
  })

  it('stop() waits for a running job to finish', async () => {
    const started = deferred()
    const release = deferred()
    let finished = false
    const r = runner({
      pollIntervalMs: 10,
      tasks: {
        slow: async () => {
          started.resolve()
          await release.promise
          finished = true
        },
      },
    })
    const id = (await enqueueJob(t.db, clock, 'slow', null))!
    r.start()
    await started.promise

    let stopped = false
    const stopping = r.stop().then(() => (stopped = true))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(stopped).toBe(false)
    // Jobs enqueued now are not claimed any more.
    const later = (await enqueueJob(t.db, clock, 'slow', null))!

    release.resolve()
    await stopping
    expect(finished).toBe(true)
    expect((await findJob(t.db, id))?.status).toBe('done')
    expect((await findJob(t.db, later))?.status).toBe('queued')
  })

  it('stop() aborts the signal after the grace period and re-queues the job', async () => {
    const started = deferred()
    const r = runner({
      pollIntervalMs: 10,
      stopGraceMs: 20,
      tasks: {
        stubborn: async (_payload, { signal }) => {
          started.resolve()
          await new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason as Error)),
          )
        },
      },
    })
    const id = (await enqueueJob(t.db, clock, 'stubborn', null))!
    r.start()
    await started.promise
    await r.stop()
    expect(await findJob(t.db, id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      run_at: clock.now().toISOString(),
      last_error: 'The worker is shutting down.',
    })
  })

  it('renews the lease of a long job and aborts it when another worker takes it over', async () => {
    const started = deferred()
    let aborted = false
    const r = runner({
      pollIntervalMs: 10,
      leaseMs: 30, // renewed every 10 ms of real time, to 30 ms after the clock's now
      tasks: {
        long: async (_payload, { signal }) => {
          started.resolve()
          await new Promise((resolve) =>
            signal.addEventListener('abort', () => {
              aborted = true
              resolve(undefined)
            }),
          )
        },
      },
    })
    const id = (await enqueueJob(t.db, clock, 'long', null))!
    r.start()
    await started.promise
    clock.advance(10 * MINUTE)
    const renewedPast = new Date(clock.now().getTime() + 1).toISOString()
    await waitFor(async () => ((await findJob(t.db, id))?.locked_until ?? '') >= renewedPast)

    // A worker that finds the lease expired (renewal stopped, say) takes the job over.
    await waitFor(async () => {
      clock.advance(MINUTE)
      const { claimed } = await claimDueJobs(t.db, {
        workerId: 'thief',
        now: clock.now().toISOString(),
        lockedUntil: new Date(clock.now().getTime() + 60 * MINUTE).toISOString(),
        limit: 1,
      })
      return claimed.length === 1
    })
    await waitFor(() => aborted)
    await r.stop()
    expect(await findJob(t.db, id)).toMatchObject({
      status: 'running',
      locked_by: 'thief',
      attempts: 2,
    })
  })

  it('deletes finished jobs older than a cut-off', async () => {
    const r = runner({
      tasks: { ok: async () => {}, bad: async () => Promise.reject(new Error('no')) },
    })
    await enqueueJob(t.db, clock, 'ok', null)
    await enqueueJob(t.db, clock, 'bad', null, { maxAttempts: 1 })
    await r.runDue()
    clock.advance(MINUTE)
    const keep = (await enqueueJob(t.db, clock, 'ok', null))!
    await r.runDue()
    const queued = (await enqueueJob(t.db, clock, 'ok', null, { runAt: new Date(0) }))!

    expect(await deleteFinishedJobs(t.db, clock.now())).toBe(2)
    expect((await findJob(t.db, keep))?.status).toBe('done')
    expect((await findJob(t.db, queued))?.status).toBe('queued')
  })
})
