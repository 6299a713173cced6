// `npx tsx bench/label-freshness.ts [--versions 10000] [--runs 5]` with TEST_DIALECT=sqlite (a
// database file in a temporary folder) or TEST_DIALECT=postgres (a fresh schema of the test
// database). `npm run bench -- --only label-freshness` runs it on both, one process each.
//
// Issue 5's live-label target: "one new advisory updates every affected label status in ≤ 1 s
// with 10,000 stored SBOMs". Seeds 10,000 product versions, each with a current SBOM of 50–500
// npm components (seeded PRNG, Zipf-like popularity over a pool of 50,000 package names) and an
// active label, and a label policy that suspends at once for a known-exploited vulnerability
// (kevSuspendAfterDays 0). Then, per hit size — a rare package (a few versions), one in ~1 % of
// the versions, one in ~10 % — it times, from the start of the import to the commit of the last
// label's new status:
//   importAdvisories(OSV record) + importAdvisories(KEV catalogue with its CVE)
//   → the advisory-changes job → findings → VEX → labels.policy jobs → every label suspended,
// with the worker's own JobRunner over the platform's tasks draining the queue in process (the
// webhook deliveries go to a local HTTP server and are timed apart). Each run is checked: every
// version of the package must have its label suspended, and no other label. Between runs (not
// timed) the findings and suspensions are undone, so every run does the same work.
// Baselines in the same run: the same import and jobs for a package no SBOM holds (the fixed
// cost), and reading the affected versions' components once (currentComponentsOfVersions).
// `--seed-cache FILE` keeps the seeded database (SQLite: FILE; PostgreSQL: the template database
// isn_bench_seed_<versions> of the test cluster) and its ids in FILE.json; later runs copy it.
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import pino from 'pino'
import { loadConfig } from '../src/server/config.ts'
import { createDb, type Db } from '../src/server/db/database.ts'
import { migrateToLatest } from '../src/server/db/migrate.ts'
import { JobRunner, type TaskHandler } from '../src/server/jobs/runner.ts'
import { platformTasks } from '../src/server/jobs/tasks.ts'
import { systemActor } from '../src/server/kernel/actor.ts'
import { systemClock } from '../src/server/kernel/clock.ts'
import type { Ctx } from '../src/server/kernel/context.ts'
import { SecretBox } from '../src/server/kernel/crypto.ts'
import { importAdvisories } from '../src/server/modules/advisories/advisories.service.ts'
import { kevCatalogue } from '../src/server/modules/advisories/testing.ts'
import { enqueueAdvisoryReevaluation } from '../src/server/modules/findings/findings.jobs.ts'
import { reevaluateForAdvisoryChanges } from '../src/server/modules/findings/findings.service.ts'
import { LABEL_POLICY_TASK } from '../src/server/modules/label-policy/label-policy.jobs.ts'
import { issueLabel } from '../src/server/modules/labels/labels.service.ts'
import { sampleLabelInput } from '../src/server/modules/labels/testing.ts'
import { createOrganisation } from '../src/server/modules/organisations/organisations.service.ts'
import { currentComponentsOfVersions } from '../src/server/modules/sboms/sboms.matching.ts'
import { updateLabelPolicy } from '../src/server/modules/settings/label-policy.service.ts'
import { createWebhook } from '../src/server/modules/webhooks/webhooks.service.ts'
import { createAdmin } from '../src/server/testing/test-app.ts'
import {
  createTestDb,
  onTestCluster,
  TEST_DIALECT,
  TEST_POSTGRES_URL,
} from '../src/server/testing/test-db.ts'
import { packageName, packageNear, planSboms, seedVersions } from './lib/freshness-seed.ts'

/** The issue's target: every affected label's status updated within a second. */
export const TARGET_MS = 1000
const POOL = 50_000
const SEED = 20261127

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits
const log = (message: string) => process.stderr.write(`[label-freshness] ${message}\n`)

/** A PostgreSQL database of the test cluster: its URL, and a client for creating and dropping it. */
const postgresUrl = (database: string) => {
  const url = new URL(TEST_POSTGRES_URL)
  url.pathname = `/${database}`
  return url.toString()
}

/**
 * The run's database: SQLite in `dir`; on PostgreSQL a fresh schema of the test database, or with
 * a seed cache a database of its own, copied from the seeded template when there is one.
 */
async function openDb(
  dir: string,
  postgres?: { runDatabase: string; template?: string },
): Promise<{ db: Db; destroy: () => Promise<void> }> {
  if (TEST_DIALECT === 'postgres') {
    if (!postgres) {
      const testDb = await createTestDb()
      return { db: testDb.db, destroy: () => testDb.destroy() }
    }
    const { runDatabase, template } = postgres
    await onTestCluster(async (admin) => {
      await admin.query(`drop database if exists ${runDatabase}`)
      await admin.query(`create database ${runDatabase}${template ? ` template ${template}` : ''}`)
    })
    const db = await createDb(postgresUrl(runDatabase), { poolSize: 4 })
    // A template seeded by an older checkout gets the migrations added since.
    await migrateToLatest(db)
    return {
      db,
      destroy: async () => {
        await db.destroy()
        await onTestCluster((admin) => admin.query(`drop database if exists ${runDatabase}`))
      },
    }
  }
  const db = await createDb(`sqlite:${path.join(dir, 'bench.db')}`)
  await migrateToLatest(db)
  return { db, destroy: () => db.destroy() }
}

/** GHSA-style ids use this alphabet (OSV's id pattern). */
const GHSA = '23456789cfghjmpqrvwx'
function ghsaId(n: number): string {
  const part = (k: number) =>
    Array.from({ length: 4 }, (_, i) => GHSA[Math.floor(k / GHSA.length ** i) % GHSA.length]).join(
      '',
    )
  return `GHSA-${part(n)}-${part(n * 7 + 3)}-${part(n * 13 + 5)}`
}

function osvRecord(n: number, pkg: string) {
  return {
    schema_version: '1.6.0',
    id: ghsaId(n),
    modified: new Date(Date.UTC(2030, 0, 1) + n * 60_000).toISOString().replace('.000', ''),
    published: '2030-01-01T00:00:00Z',
    aliases: [`CVE-2099-${String(10000 + n)}`],
    summary: `Remote code execution in ${pkg}`,
    affected: [
      {
        package: { ecosystem: 'npm', name: pkg },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '99.0.0' }] }],
      },
    ],
    database_specific: { severity: 'CRITICAL' },
  }
}

/** What a seed cache keeps next to the database file (`--seed-cache`). */
interface SeedCacheMeta {
  versions: number
  versionIds: string[]
  labelIds: string[]
  webhookId: string
  seedSeconds: number
}

export async function measure(options: { versions: number; runs: number; seedCache?: string }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-bench-freshness-'))
  // A database seeded earlier with the same --versions, copied in (not timed). SQLite: the file
  // itself; PostgreSQL: a template database of the test cluster, named after the file.
  const cache = options.seedCache
  const template = `isn_bench_seed_${options.versions}`
  const postgres =
    TEST_DIALECT === 'postgres' && cache
      ? {
          runDatabase: `isn_bench_freshness_${process.pid}`,
          template: undefined as string | undefined,
        }
      : undefined
  let cached: SeedCacheMeta | undefined
  if (cache && fs.existsSync(`${cache}.json`)) {
    cached = JSON.parse(fs.readFileSync(`${cache}.json`, 'utf8')) as SeedCacheMeta
    if (cached.versions !== options.versions) {
      throw new Error(`${cache} holds ${cached.versions} versions, not ${options.versions}`)
    }
    if (postgres) {
      const exists = await onTestCluster(
        async (admin) =>
          (await admin.query('select 1 from pg_database where datname = $1', [template])).rowCount,
      )
      if (exists) postgres.template = template
      else cached = undefined
    } else if (fs.existsSync(cache)) {
      fs.copyFileSync(cache, path.join(dir, 'bench.db'))
    } else {
      cached = undefined
    }
  }
  let { db, destroy } = await openDb(dir, postgres)
  let deliveries = 0
  const hooks = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      deliveries += 1
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve))
  const port = (hooks.address() as { port: number }).port
  try {
    const config = Object.freeze({
      ...loadConfig({ PUBLIC_URL: 'http://isn.bench', LOG_LEVEL: 'silent' }),
      dataDir: path.join(dir, 'data'),
      webhooksAllowPrivateNetworks: true,
    })
    let ctx: Ctx = {
      config,
      db,
      clock: systemClock,
      box: new SecretBox('bench-secret-that-is-at-least-32-characters'),
      mailer: undefined,
      logger: pino({ level: 'silent' }),
    }
    const who = { actor: systemActor('bench') }

    const startedAt = new Date().toISOString()
    const loadAverageAtStart = os.loadavg().map((v) => round(v, 2))
    // ---- seed (not timed against the target)
    const seedStart = performance.now()
    const plan = planSboms(options.versions, POOL, SEED)
    log(`planned ${options.versions} SBOMs, ${plan.components} components`)
    const seeded = cached ?? (await seed())
    if (cached) {
      await db
        .updateTable('webhook_endpoints')
        .set({ url: `http://127.0.0.1:${port}/hook` })
        .where('id', '=', cached.webhookId)
        .execute()
      log(`seed copied from ${cache}`)
    }
    const seedSeconds = cached?.seedSeconds ?? round((performance.now() - seedStart) / 1000)
    log(`seeded in ${seedSeconds} s`)
    if (cache && !cached) {
      if (postgres) {
        // The template may have no other session: close the run's pool, copy, and reopen.
        await db.destroy()
        await onTestCluster(async (admin) => {
          await admin.query(`drop database if exists ${template}`)
          await admin.query(`create database ${template} template ${postgres.runDatabase}`)
        })
        const reopened = await createDb(postgresUrl(postgres.runDatabase), { poolSize: 4 })
        const dropRun = destroy
        db = reopened
        ctx = { ...ctx, db }
        destroy = async () => {
          await reopened.destroy()
          await dropRun().catch(() => undefined)
        }
      } else {
        await sql`pragma wal_checkpoint(truncate)`.execute(db)
        fs.copyFileSync(path.join(dir, 'bench.db'), cache)
      }
      const meta: SeedCacheMeta = {
        versions: options.versions,
        versionIds: seeded.versionIds,
        labelIds: seeded.labelIds,
        webhookId: seeded.webhookId,
        seedSeconds,
      }
      fs.writeFileSync(`${cache}.json`, JSON.stringify(meta))
    }

    async function seed() {
      const user = await createAdmin(ctx)
      const admin = {
        actor: { type: 'user' as const, userId: user.id, email: user.email, isNetworkAdmin: true },
      }
      const manufacturer = await createOrganisation(ctx, admin, {
        name: 'Bench Devices',
        type: 'manufacturer',
      })
      const assessor = await createOrganisation(ctx, admin, {
        name: 'Bench Lab',
        type: 'assessor',
      })
      const webhook = await createWebhook(ctx, admin, manufacturer.id, {
        url: `http://127.0.0.1:${port}/hook`,
        eventTypes: ['label.status_changed'],
      })
      const sample = sampleLabelInput()
      const template = await issueLabel(ctx, who, {
        ...sample,
        product: {
          ...sample.product,
          productId: 'bench-template',
          productVersionId: 'bench-template-version',
          manufacturer: { id: manufacturer.id, name: manufacturer.name },
        },
        assessor: { id: assessor.id, name: assessor.name },
      })
      const versions = await seedVersions(
        db,
        plan,
        { organisationId: manufacturer.id, assessorId: assessor.id, templateLabelId: template.id },
        log,
      )
      await updateLabelPolicy(ctx, who, {
        enabled: true,
        kevSuspendAfterDays: 0,
        criticalWarningAfterDays: 30,
        minConfidence: 'medium',
      })
      if (TEST_DIALECT === 'postgres') {
        await sql`analyze`.execute(db)
      }
      return { versionIds: versions.versionIds, labelIds: versions.labelIds, webhookId: webhook.id }
    }

    // ---- the packages under test
    const used = new Set<number>()
    const pick = (target: number) => {
      const rank = packageNear(plan, target, used)
      used.add(rank)
      return rank
    }
    const hitSizes = [
      { name: 'rare', target: 3 },
      { name: '1%', target: Math.round(options.versions / 100) },
      { name: '10%', target: Math.round(options.versions / 10) },
    ].map((h) => {
      const rank = pick(h.target)
      const versionIds = plan.sboms.flatMap((ranks, v) =>
        ranks.includes(rank) ? [seeded.versionIds[v]!] : [],
      )
      return { ...h, rank, pkg: packageName(rank), versionIds }
    })

    // ---- the worker's runner, with the moment the last label-policy job committed noted
    const tasks = platformTasks(ctx)
    let lastPolicyDone = 0
    let policyJobs = 0
    // Where the time goes: each task's time, summed over its jobs.
    let taskMs: Record<string, number> = {}
    const timedTasks: Record<string, TaskHandler> = Object.fromEntries(
      Object.entries(tasks).map(([name, handler]) => [
        name,
        async (payload: unknown, context: Parameters<TaskHandler>[1]) => {
          const begun = performance.now()
          await handler(payload, context)
          taskMs[name] = (taskMs[name] ?? 0) + performance.now() - begun
          if (name === LABEL_POLICY_TASK) {
            lastPolicyDone = performance.now()
            policyJobs += 1
          }
        },
      ]),
    )
    const runner = new JobRunner({ db, clock: systemClock, logger: ctx.logger, tasks: timedTasks })
    const drain = async () => {
      let ran = 0
      for (;;) {
        const n = await runner.runDue()
        if (n === 0) return ran
        ran += n
      }
    }
    // The seed's own change set (none) and any queued work out of the way.
    await reevaluateForAdvisoryChanges(ctx)
    await drain()

    let advisoryCounter = 0
    const kevEntries: { cveID: string; vendorProject: string; product: string }[] = []
    const inputs = path.join(dir, 'inputs')
    fs.mkdirSync(inputs)

    /** One new advisory and its KEV entry, imported and followed through every job. */
    const oneAdvisory = async (pkg: string) => {
      const n = ++advisoryCounter
      const record = osvRecord(n, pkg)
      const cve = record.aliases[0]!
      kevEntries.push({ cveID: cve, vendorProject: 'Bench', product: pkg })
      const osvFile = path.join(inputs, `osv-${n}.json`)
      const kevFile = path.join(inputs, `kev-${n}.json`)
      fs.writeFileSync(osvFile, JSON.stringify(record))
      const released = new Date(Date.UTC(2030, 0, 1) + n * 60_000).toISOString()
      fs.writeFileSync(kevFile, JSON.stringify(kevCatalogue(`2030.${n}`, released, kevEntries)))
      policyJobs = 0
      deliveries = 0
      lastPolicyDone = 0
      taskMs = {}
      const start = performance.now()
      await importAdvisories(ctx, { location: osvFile, format: 'osv', triggeredBy: 'bench' })
      await importAdvisories(ctx, { location: kevFile, format: 'kev', triggeredBy: 'bench' })
      const importMs = performance.now() - start
      // What the advisories.import job does after an import.
      await enqueueAdvisoryReevaluation(db, systemClock)
      const jobs = await drain()
      const end = performance.now()
      return {
        advisoryId: record.id,
        statusMs: (lastPolicyDone || end) - start,
        drainMs: end - start,
        jobs,
        policyJobs,
        deliveries,
        importMs,
        taskMs: Object.fromEntries(Object.entries(taskMs).map(([k, v]) => [k, round(v)])),
      }
    }

    const suspendedOf = async (ids: readonly string[]) => {
      let n = 0
      for (let i = 0; i < ids.length; i += 500) {
        const row = await db
          .selectFrom('labels')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('product_version_id', 'in', ids.slice(i, i + 500))
          .where('status', '=', 'suspended')
          .executeTakeFirstOrThrow()
        n += Number(row.n)
      }
      return n
    }
    const suspendedTotal = async () =>
      Number(
        (
          await db
            .selectFrom('labels')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('status', '=', 'suspended')
            .executeTakeFirstOrThrow()
        ).n,
      )
    /** Undoes a run (not timed): its findings, suspensions and the policy's state. */
    const reset = async () => {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('finding_cves').execute()
        await trx.deleteFrom('findings').execute()
        await trx.deleteFrom('label_policy_states').execute()
        await trx
          .updateTable('labels')
          .set({ status: 'active', status_reason: null })
          .where('status', '=', 'suspended')
          .execute()
        await trx.deleteFrom('jobs').where('status', '=', 'done').execute()
      })
    }

    const problems: string[] = []
    // Warm-up: one change through every code path (not counted).
    await oneAdvisory(hitSizes[1]!.pkg)
    await reset()

    // Baseline 1: the same import and jobs for a package no SBOM holds.
    const missTimes: number[] = []
    for (let i = 0; i < options.runs; i++) {
      const r = await oneAdvisory(packageName(POOL + 1))
      missTimes.push(r.drainMs)
    }
    log(`baseline (package in no SBOM): ${round(median(missTimes))} ms`)

    const results = []
    for (const hit of hitSizes) {
      const status: number[] = []
      const drainTimes: number[] = []
      const readTimes: number[] = []
      let last: Awaited<ReturnType<typeof oneAdvisory>> | undefined
      for (let i = 0; i < options.runs; i++) {
        await reset()
        // Baseline 2: reading the affected versions' components once.
        const readStart = performance.now()
        await currentComponentsOfVersions(ctx, hit.versionIds)
        readTimes.push(performance.now() - readStart)
        last = await oneAdvisory(hit.pkg)
        status.push(last.statusMs)
        drainTimes.push(last.drainMs)
        const suspended = await suspendedOf(hit.versionIds)
        const total = await suspendedTotal()
        if (suspended !== hit.versionIds.length || total !== hit.versionIds.length) {
          problems.push(
            `${hit.name} run ${i + 1}: ${suspended} of ${hit.versionIds.length} affected labels suspended, ${total} in all`,
          )
        }
        log(
          `${hit.name} (${hit.versionIds.length} versions) run ${i + 1}: status ${round(last.statusMs)} ms, drain ${round(last.drainMs)} ms, import ${round(last.importMs)} ms, tasks ${JSON.stringify(last.taskMs)}, ${last.policyJobs} policy jobs, ${last.deliveries} webhooks`,
        )
      }
      const medianMs = median(status)
      results.push({
        hit: hit.name,
        package: hit.pkg,
        versions: hit.versionIds.length,
        medianStatusMs: round(medianMs),
        statusMs: status.map((t) => round(t)),
        medianDrainWithWebhooksMs: round(median(drainTimes)),
        medianReadComponentsMs: round(median(readTimes)),
        jobs: last?.jobs ?? 0,
        policyJobs: last?.policyJobs ?? 0,
        webhooksDelivered: last?.deliveries ?? 0,
        lastRun: last && { importMs: round(last.importMs), taskMs: last.taskMs },
        targetMs: TARGET_MS,
        met: medianMs <= TARGET_MS,
      })
    }
    return {
      dialect: TEST_DIALECT,
      runs: options.runs,
      seed: {
        versions: options.versions,
        components: plan.components,
        packagePool: POOL,
        labels: seeded.labelIds.length,
        seconds: seedSeconds,
      },
      policy: { kevSuspendAfterDays: 0 },
      baselineNoSbomMs: round(median(missTimes)),
      results,
      problems,
      valid: problems.length === 0,
      startedAt,
      finishedAt: new Date().toISOString(),
      loadAverageAtStart,
      loadAverage: os.loadavg().map((v) => round(v, 2)),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }
  } finally {
    hooks.close()
    await destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export type LabelFreshnessResult = Awaited<ReturnType<typeof measure>>

/** Runs the benchmark in its own process per dialect. */
export async function runLabelFreshness(
  root: string,
  options: { versions: number; runs: number; dialects?: ('sqlite' | 'postgres')[] },
): Promise<Record<string, LabelFreshnessResult>> {
  const script = path.join(root, 'bench', 'label-freshness.ts')
  const tsx = path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    'node_modules',
    '.bin',
    'tsx',
  )
  const out: Record<string, LabelFreshnessResult> = {}
  for (const dialect of options.dialects ?? (['sqlite', 'postgres'] as const)) {
    out[dialect] = await new Promise<LabelFreshnessResult>((resolve, reject) => {
      execFile(
        tsx,
        [script, '--versions', String(options.versions), '--runs', String(options.runs)],
        {
          cwd: root,
          env: { ...process.env, TEST_DIALECT: dialect },
          maxBuffer: 16 * 2 ** 20,
        },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`label-freshness (${dialect}): ${error.message}\n${stderr}`))
          else resolve(JSON.parse(stdout) as LabelFreshnessResult)
        },
      )
    })
  }
  return out
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      versions: { type: 'string', default: '10000' },
      // Keep the seeded database (SQLite: in this file; PostgreSQL: a template database) and its
      // ids in <file>.json, and reuse them.
      'seed-cache': { type: 'string' },
    },
  })
  const result = await measure({
    versions: Number(values.versions),
    runs: Number(values.runs),
    seedCache: values['seed-cache'],
  })
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
}
