import type { Command } from 'commander'
import { loadConfig } from '../../server/config.ts'
import { createDb } from '../../server/db/database.ts'
import { migrateToLatest } from '../../server/db/migrate.ts'
import { createOutput } from '../output.ts'

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (also done by `isn serve` at start)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const config = loadConfig()
      const db = await createDb(config.databaseUrl)
      try {
        const results = await migrateToLatest(db)
        out.result(
          {
            database: config.dialect,
            applied: results.map((r) => ({ migration: r.migrationName, status: r.status })),
          },
          results.length === 0
            ? 'The schema is up to date.'
            : results.map(
                (r) => `${r.status === 'Success' ? 'applied' : r.status}  ${r.migrationName}`,
              ),
        )
      } finally {
        await db.destroy()
      }
    })
}
