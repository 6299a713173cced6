import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { newId } from '../server/kernel/crypto.ts'
import { PROJECT_ROOT } from '../server/kernel/paths.ts'
import { TEST_DIALECT, TEST_POSTGRES_URL } from '../server/testing/test-db.ts'

/** What CLI tests share: running `isn` in its own process, and a data directory and database. */

export const BIN = path.join(PROJECT_ROOT, 'bin/isn.js')

export interface IsnResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `isn` as a user would, in its own process, optionally with `stdin`; resolves with the exit
 * code instead of throwing, and kills the command after 60 s so a test never hangs on it.
 */
export function isn(args: string[], env: Record<string, string>, stdin?: string) {
  return new Promise<IsnResult>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(stdin)
  })
}

/**
 * A temporary data directory and a database of the dialect under test (a SQLite file in the
 * directory, or a new PostgreSQL database), with the environment `isn` needs to use them.
 * Call `create()` before the tests and `destroy()` after them.
 */
export function cliWorkspace(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `isn-${prefix}-`))
  const database = `isn_${prefix.replaceAll('-', '_')}_${newId().replaceAll('-', '').slice(0, 12)}`
  const env: Record<string, string> = {
    DATA_DIR: path.join(dir, 'data'),
    PUBLIC_URL: 'https://isn.example',
    DATABASE_URL:
      TEST_DIALECT === 'postgres'
        ? TEST_POSTGRES_URL.replace(/\/test$/, `/${database}`)
        : `sqlite:${path.join(dir, 'data/isn.db')}`,
  }
  const onAdminConnection = async (sql: string) => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  return {
    dir,
    env,
    create: async () => {
      if (TEST_DIALECT === 'postgres') await onAdminConnection(`create database ${database}`)
    },
    destroy: async () => {
      fs.rmSync(dir, { recursive: true, force: true })
      if (TEST_DIALECT === 'postgres') {
        await onAdminConnection(`drop database if exists ${database} with (force)`)
      }
    },
  }
}
