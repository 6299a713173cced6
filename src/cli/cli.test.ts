import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../server/testing/free-port.ts'
import { TEST_DIALECT } from '../server/testing/test-db.ts'
import { BIN, cliWorkspace, isn } from './testing.ts'

/** Starts a long-running command, waits until `ready` says so, then stops it with SIGTERM. */
async function runUntilSignal(
  args: string[],
  env: Record<string, string>,
  ready: (output: string) => Promise<boolean>,
) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  // Inside the test's own 20 s timeout, so a command that never gets ready is still killed.
  const deadline = Date.now() + 15_000
  while (!(await ready(output).catch(() => false))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`not ready in time:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGTERM')
  return { code: await exited, output }
}

describe(`isn CLI on ${TEST_DIALECT}`, () => {
  const workspace = cliWorkspace('cli')
  const { dir, env } = workspace
  /** Runs SQL on the CLI's database behind its back (tampering, time travel). */
  async function execute(statement: string): Promise<void> {
    if (TEST_DIALECT === 'postgres') {
      const client = new pg.Client({ connectionString: env.DATABASE_URL })
      await client.connect()
      await client.query(statement)
      await client.end()
    } else {
      const { default: SQLite } = await import('better-sqlite3')
      const db = new SQLite(env.DATABASE_URL!.replace('sqlite:', ''))
      db.prepare(statement).run()
      db.close()
    }
  }

  beforeAll(() => workspace.create())
  afterAll(() => workspace.destroy())

  it('prints help for every command and exits 0', async () => {
    for (const command of [
      [],
      ['serve'],
      ['worker'],
      ['migrate'],
      ['admin', 'create'],
      ['audit', 'verify'],
      ['backup'],
      ['restore'],
    ]) {
      const result = await isn([...command, '--help'], env)
      expect(result.code, command.join(' ')).toBe(0)
      expect(result.stdout).toContain('Usage: isn')
    }
  })

  it('reports every invalid setting at once, with exit code 3', async () => {
    const result = await isn(['migrate'], {
      ...env,
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
    })
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('PORT: must be a whole number')
    expect(result.stderr).toContain('DATABASE_URL: must start with')
    expect(result.stderr).toContain('LOG_LEVEL: must be one of')
  })

  it('migrates, creates an admin link and verifies the audit log', async () => {
    const migrate = await isn(['migrate', '--json'], env)
    expect(migrate.code).toBe(0)
    const migrated = JSON.parse(migrate.stdout) as {
      database: string
      applied: { status: string }[]
      framework: { status: string }
    }
    expect(migrated.database).toBe(TEST_DIALECT)
    expect(migrated.applied.length).toBeGreaterThan(0)
    expect(migrated.applied.every((m) => m.status === 'Success')).toBe(true)
    expect(migrated.framework.status).toBe('loaded')
    expect(JSON.parse((await isn(['migrate', '--json'], env)).stdout).applied).toEqual([])

    const created = await isn(['admin', 'create', '--email', 'Ops@Example.org', '--json'], env)
    expect(created.code).toBe(0)
    const link = JSON.parse(created.stdout) as { email: string; url: string; expiresAt: string }
    expect(link.email).toBe('ops@example.org')
    expect(link.url).toMatch(/^https:\/\/isn\.example\/setup\?token=[\w-]{40,}$/)

    const bad = await isn(['admin', 'create', '--email', 'not-an-email'], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('is not an email address')

    const verified = await isn(['audit', 'verify', '--json'], env)
    expect(verified.code).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true })
  })

  it('names the first broken audit entry and exits 1', async () => {
    await isn(['admin', 'create', '--email', 'second@example.org'], env)
    await execute(`update audit_log set actor_label = 'mallory' where seq = 1`)
    const human = await isn(['audit', 'verify'], env)
    expect(human.code).toBe(1)
    expect(human.stdout).toContain('BROKEN at entry 1')
    const json = await isn(['audit', 'verify', '--json'], env)
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, broken: { seq: 1 } })
  })

  it('serves the platform, prints the first-run link and stops cleanly on SIGTERM', async () => {
    const port = await freePort()
    const serveEnv = { ...env, PUBLIC_URL: `http://localhost:${port}` }
    const { code, output } = await runUntilSignal(
      ['serve', '--port', String(port)],
      serveEnv,
      async (out) => {
        if (!out.includes('/setup?token=')) return false
        const response = await fetch(`http://127.0.0.1:${port}/readyz`)
        return response.ok
      },
    )
    expect(code).toBe(0)
    expect(output).toMatch(new RegExp(`http://localhost:${port}/setup\\?token=[\\w-]{40,}`))
    expect(output).toContain('shutting down')
  })

  it('runs background jobs in a worker and stops cleanly on SIGTERM', async () => {
    await execute(`update job_schedules set next_run_at = '2000-01-01T00:00:00.000Z'`)
    const { code, output } = await runUntilSignal(['worker'], env, async (out) =>
      out.includes('expired sessions, challenges and links purged'),
    )
    expect(code).toBe(0)
    expect(output).toContain('worker started')
  })

  it('backs up and restores the database', async () => {
    const backup = path.join(dir, 'backup.db')
    const made = await isn(['backup', backup, '--json'], env)
    expect(made.code).toBe(0)
    expect(fs.existsSync(backup)).toBe(true)
    expect((await isn(['backup', backup], env)).code).toBe(6) // refuses to overwrite

    const restored = await isn(['restore', backup, '--json'], env)
    expect(restored.code, restored.stderr).toBe(0)
    expect((await isn(['audit', 'verify', '--json'], env)).stdout).toContain('"checked"')

    const junk = path.join(dir, 'junk.db')
    fs.writeFileSync(junk, 'not a database')
    const refused = await isn(['restore', junk], env)
    expect(refused.code).not.toBe(0)
    expect((await isn(['restore', path.join(dir, 'missing.db')], env)).code).toBe(5)
  })
})
