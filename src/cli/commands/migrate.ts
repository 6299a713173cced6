import type { Command } from 'commander'
import { loadConfig } from '../../server/config.ts'
import { createDb } from '../../server/db/database.ts'
import { migrateToLatest } from '../../server/db/migrate.ts'
import { openContext } from '../../server/main.ts'
import { loadFrameworkFromFiles } from '../../server/modules/framework/framework.service.ts'
import { FRAMEWORK_DIR } from '../../server/modules/framework/source-files.ts'
import { createOutput } from '../output.ts'
import { silentLogger } from '../silent-logger.ts'
import { loadOutcomeLines, problemLine } from './framework.ts'

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'bring the database schema up to date and load the framework files (also done by `isn serve` at start)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const config = loadConfig()
      const db = await createDb(config.databaseUrl)
      let results
      try {
        results = await migrateToLatest(db)
      } finally {
        await db.destroy()
      }
      // The framework is loaded on start and on upgrade: a rejected one is reported, and the
      // version already in service stays in service (`isn framework load` exits non-zero then).
      const ctx = await openContext({ ...config, skipMigrations: true }, silentLogger())
      let framework
      try {
        framework = await loadFrameworkFromFiles(ctx)
      } finally {
        await ctx.db.destroy()
      }
      out.result(
        {
          database: config.dialect,
          applied: results.map((r) => ({ migration: r.migrationName, status: r.status })),
          framework:
            framework.status === 'rejected'
              ? {
                  ...framework,
                  problems: framework.problems.map((p) => ({
                    ...p,
                    text: problemLine(FRAMEWORK_DIR, p),
                  })),
                }
              : framework,
        },
        [
          ...(results.length === 0
            ? ['The schema is up to date.']
            : results.map(
                (r) => `${r.status === 'Success' ? 'applied' : r.status}  ${r.migrationName}`,
              )),
          ...loadOutcomeLines(FRAMEWORK_DIR, framework),
        ],
      )
    })
}
