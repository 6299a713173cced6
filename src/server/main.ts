import type { Logger } from 'pino'
import { buildApp, type App } from './app.ts'
import type { Config } from './config.ts'
import { createDb, type Db } from './db/database.ts'
import { migrateToLatest } from './db/migrate.ts'
import { JobRunner } from './jobs/runner.ts'
import { PLATFORM_SCHEDULES, platformTasks } from './jobs/tasks.ts'
import { systemActor } from './kernel/actor.ts'
import { systemClock } from './kernel/clock.ts'
import type { Ctx } from './kernel/context.ts'
import { SecretBox } from './kernel/crypto.ts'
import { createLogger } from './kernel/logger.ts'
import { createMailer } from './kernel/mailer.ts'
import { resolveSecret } from './kernel/secret.ts'
import { recordAudit } from './modules/audit/audit.service.ts'
import { createFirstRunLink } from './modules/accounts/accounts.service.ts'
import { loadFrameworkFromFiles } from './modules/framework/framework.service.ts'
import { ensureSigningKey } from './modules/labels/keys.service.ts'

/**
 * Opens everything a process of the platform needs: the secret (generated on first start),
 * the database (migrated unless told not to), mail and the logger.
 */
export async function openContext(
  config: Readonly<Config>,
  logger: Logger = createLogger(config),
): Promise<Ctx> {
  const { secret, generated } = resolveSecret(config.secret, config.dataDir)
  const db = await createDb(config.databaseUrl)
  if (!config.skipMigrations) {
    const results = await migrateToLatest(db)
    for (const r of results) {
      logger.info({ migration: r.migrationName, status: r.status }, 'migration')
    }
  }
  const ctx: Ctx = {
    config,
    db,
    clock: systemClock,
    box: new SecretBox(secret),
    mailer: createMailer(config.smtpUrl, config.mailFrom),
    logger,
  }
  if (generated) {
    logger.warn(
      { file: `${config.dataDir}/secret.key` },
      'generated the instance secret; back this file up',
    )
    await recordAudit(
      db,
      ctx.clock,
      { actor: systemActor('startup') },
      { action: 'instance.secret_generated', targetType: 'instance' },
    )
  }
  return ctx
}

export function createRunner(ctx: Ctx, options: { concurrency?: number } = {}): JobRunner {
  return new JobRunner({
    db: ctx.db,
    clock: ctx.clock,
    logger: ctx.logger,
    tasks: platformTasks(ctx),
    schedules: PLATFORM_SCHEDULES,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  })
}

/** Prints the first-run link when the platform has no administrator yet. */
export async function announceFirstRun(ctx: Ctx, print: (line: string) => void): Promise<void> {
  const link = await createFirstRunLink(ctx)
  if (!link) return
  print('')
  print('  No network administrator exists yet. Create the first one with this one-time link')
  print(`  (valid until ${link.expiresAt}; restart the platform for a new one):`)
  print('')
  print(`    ${link.url}`)
  print('')
}

export interface RunningPlatform {
  app: App
  ctx: Ctx
  runner: JobRunner | undefined
  url: string
  close(): Promise<void>
}

/** `isn serve`: the HTTP platform (and, unless JOBS_IN_PROCESS=false, the background jobs). */
export async function startPlatform(
  config: Readonly<Config>,
  print: (line: string) => void = console.log,
): Promise<RunningPlatform> {
  const ctx = await openContext(config)
  // A framework with problems is logged and refused; the version already stored stays in service.
  await loadFrameworkFromFiles(ctx)
  // The first start generates the label signing key; later starts find it.
  await ensureSigningKey(ctx)
  const app = await buildApp({ ctx })
  const runner = config.jobsInProcess ? createRunner(ctx) : undefined
  const address = await app.listen({ port: config.port, host: config.host })
  runner?.start()
  ctx.logger.info(
    { address, publicUrl: config.publicUrl, database: config.dialect, jobs: Boolean(runner) },
    'IIoT Safety Network is up',
  )
  await announceFirstRun(ctx, print)
  let closing: Promise<void> | undefined
  return {
    app,
    ctx,
    runner,
    url: address,
    close: () =>
      (closing ??= (async () => {
        await app.close()
        await runner?.stop()
        await ctx.db.destroy()
      })()),
  }
}

/** Closes gracefully on SIGINT/SIGTERM: stop accepting, finish requests and jobs, close the database. */
export function closeOnSignals(close: () => Promise<void>, logger: Logger): void {
  const onSignal = (signal: string) => {
    logger.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting')
      process.exit(1)
    }, 20_000)
    timer.unref()
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
}

export type { Db }
