import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import type { Command } from 'commander'
import { sql } from 'kysely'
import { AppError } from '../../common/errors.ts'
import { loadConfig, sqliteFilename } from '../../server/config.ts'
import { createDb } from '../../server/db/database.ts'
import { migrations } from '../../server/db/migrations/index.ts'
import { createOutput, type Output } from '../output.ts'

/** Runs a PostgreSQL client tool, or says the command to run when the tool is not installed. */
function runPgTool(
  out: Output,
  tool: 'pg_dump' | 'pg_restore',
  args: string[],
  what: string,
): void {
  const printable = `${tool} ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`
  const result = spawnSync(tool, args, { stdio: ['ignore', 'inherit', 'inherit'] })
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    out.result({ ran: false, command: printable }, [
      `${tool} is not installed here. Run this where it is:`,
      '',
      `  ${printable}`,
    ])
    throw new AppError('service_unavailable', `${tool} not found`, { details: { quiet: true } })
  }
  if (result.status !== 0) {
    throw new AppError('internal_error', `${tool} failed with exit code ${result.status}`)
  }
  out.result({ ran: true, command: printable }, what)
}

/** Checks that a file is an intact SQLite database written by this platform. */
function assertPlatformSqliteFile(file: string): void {
  let db: SQLite.Database | undefined
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true })
    const integrity = db.pragma('integrity_check', { simple: true })
    if (integrity !== 'ok') throw new Error(`integrity check says: ${String(integrity)}`)
    const rows = db.prepare('select name from kysely_migration').all() as { name: string }[]
    const unknown = rows.map((r) => r.name).filter((name) => !(name in migrations))
    if (unknown.length > 0) {
      throw new Error(`it was written by a newer version (migrations ${unknown.join(', ')})`)
    }
  } catch (error) {
    throw new AppError(
      'conflict',
      `${file} is not a usable backup: ${error instanceof Error ? error.message : String(error)}`,
    )
  } finally {
    db?.close()
  }
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      'write a consistent copy of the database while the platform runs (SQLite: VACUUM INTO; PostgreSQL: pg_dump)',
    )
    .argument('<file>', 'where to write the backup; must not exist')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const config = loadConfig()
      const target = path.resolve(file)
      if (fs.existsSync(target)) {
        throw new AppError('conflict', `${target} exists; choose a new file name`)
      }
      if (config.dialect === 'postgres') {
        runPgTool(
          out,
          'pg_dump',
          ['--format=custom', `--file=${target}`, `--dbname=${config.databaseUrl}`],
          `PostgreSQL backup written to ${target}`,
        )
        return
      }
      const db = await createDb(config.databaseUrl)
      try {
        // VACUUM INTO reads one consistent snapshot, so writers may carry on meanwhile.
        await sql`vacuum into ${target}`.execute(db)
      } finally {
        await db.destroy()
      }
      const bytes = fs.statSync(target).size
      out.result(
        { file: target, bytes, database: 'sqlite' },
        `SQLite backup written to ${target} (${bytes} bytes). Back up ${config.dataDir}/secret.key too.`,
      )
    })

  program
    .command('restore')
    .description(
      'replace the database with a backup; stop the platform first (the old SQLite file is kept aside)',
    )
    .argument('<file>', 'a file written by `isn backup`')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const config = loadConfig()
      const source = path.resolve(file)
      if (!fs.existsSync(source)) throw new AppError('not_found', `${source} does not exist`)
      if (config.dialect === 'postgres') {
        runPgTool(
          out,
          'pg_restore',
          ['--clean', '--if-exists', '--no-owner', `--dbname=${config.databaseUrl}`, source],
          `Restored ${source} into PostgreSQL`,
        )
        return
      }
      assertPlatformSqliteFile(source)
      const target = sqliteFilename(config.databaseUrl)
      fs.mkdirSync(path.dirname(target), { recursive: true })
      let keptAside: string | undefined
      if (fs.existsSync(target)) {
        keptAside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
        fs.renameSync(target, keptAside)
      }
      for (const suffix of ['-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true })
      fs.copyFileSync(source, target)
      out.result({ restored: target, from: source, previous: keptAside ?? null }, [
        `Restored ${source} to ${target}.`,
        ...(keptAside ? [`The previous database is kept at ${keptAside}.`] : []),
      ])
    })
}
