import type { Command } from 'commander'
import { loadConfig } from '../../server/config.ts'
import { closeOnSignals, createRunner, openContext, startPlatform } from '../../server/main.ts'

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'run the platform: web app, API and (unless JOBS_IN_PROCESS=false) background jobs',
    )
    .option('-p, --port <port>', 'HTTP port (overrides PORT)')
    .option('--host <host>', 'interface to listen on (overrides HOST)')
    .action(async (options: { port?: string; host?: string }) => {
      const config = loadConfig({
        ...process.env,
        ...(options.port ? { PORT: options.port } : {}),
        ...(options.host ? { HOST: options.host } : {}),
      })
      const platform = await startPlatform(config)
      closeOnSignals(platform.close, platform.ctx.logger)
      await new Promise(() => {}) // runs until a signal
    })

  program
    .command('worker')
    .description('run background jobs without HTTP (several workers may share one PostgreSQL)')
    .option('-c, --concurrency <n>', 'jobs run at the same time', '2')
    .action(async (options: { concurrency: string }) => {
      const config = loadConfig()
      const ctx = await openContext(config)
      const runner = createRunner(ctx, {
        concurrency: Math.max(1, Number(options.concurrency) || 2),
      })
      runner.start()
      ctx.logger.info({ workerId: runner.workerId, database: config.dialect }, 'worker started')
      closeOnSignals(async () => {
        await runner.stop()
        await ctx.db.destroy()
      }, ctx.logger)
      await new Promise(() => {})
    })
}
