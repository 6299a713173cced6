import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { chromium, type Browser, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { freePort } from '../src/server/testing/free-port.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
export const SCREENSHOTS = path.join(ROOT, 'e2e/screenshots')
const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: POSTGRES_ADMIN_URL,
    connectionTimeoutMillis: 2000,
  })
  try {
    await client.connect()
    await client.end()
    return true
  } catch {
    return false
  }
}

export interface Platform {
  url: string
  dialect: 'sqlite' | 'postgres'
  /** The first-run link the platform printed. */
  setupLink: string
  /** DATA_DIR, PUBLIC_URL and DATABASE_URL it runs with: a journey may open the same database. */
  env: { DATA_DIR: string; PUBLIC_URL: string; DATABASE_URL: string }
  output(): string
  stop(): Promise<void>
}

/**
 * Starts the platform as a user would (`isn serve`) on a fresh database: PostgreSQL, as in
 * production at scale, when it answers (always in CI); otherwise embedded SQLite. `extraEnv` adds
 * settings for one journey.
 */
export async function startPlatform(extraEnv: Record<string, string> = {}): Promise<Platform> {
  const port = await freePort()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-e2e-'))
  const usePostgres = process.env.CI === 'true' || (await postgresAnswers())
  const database = `isn_e2e_${process.pid}_${Date.now()}`
  const admin = () => new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  if (usePostgres) {
    const client = admin()
    await client.connect()
    await client.query(`create database ${database}`)
    await client.end()
  }
  const url = `http://127.0.0.1:${port}`
  const platformEnv = {
    DATA_DIR: dataDir,
    PUBLIC_URL: url,
    DATABASE_URL: usePostgres
      ? POSTGRES_ADMIN_URL.replace(/\/[^/]+$/, `/${database}`)
      : `sqlite:${dataDir}/isn.db`,
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/isn.js'), 'serve', '--port', String(port)],
    {
      env: {
        ...process.env,
        ...platformEnv,
        LOG_LEVEL: 'warn',
        ...extraEnv,
      },
    },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    fs.rmSync(dataDir, { recursive: true, force: true })
    if (usePostgres) {
      const client = admin()
      await client.connect()
      await client.query(`drop database if exists ${database} with (force)`)
      await client.end()
    }
  }
  const deadline = Date.now() + 60_000
  for (;;) {
    const link = output.match(/https?:\/\/\S+\/setup\?token=[\w-]+/)?.[0]
    if (link) {
      return {
        url,
        dialect: usePostgres ? 'postgres' : 'sqlite',
        setupLink: link,
        env: platformEnv,
        output: () => output,
        stop,
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`the platform did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Debian's Chromium, headless, never a downloaded browser. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    )
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/** Saves a full-page screenshot under e2e/screenshots/<journey>/<step>.png. */
export async function snap(page: Page, journey: string, step: string): Promise<void> {
  const dir = path.join(SCREENSHOTS, journey)
  fs.mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: path.join(dir, `${step}.png`), fullPage: true })
}

/** Collects console errors and failed requests, which a journey asserts are none. */
export function watchForErrors(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  return problems
}

const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8')

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string[]; html?: string; failureSummary?: string }[]
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules: labels, contrast, roles, keyboard names) on the page
 * and returns the serious and critical violations. Evaluated through the DevTools protocol, so
 * the platform's Content-Security-Policy stays as strict as it is.
 */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> }
      }
    ).axe
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })
    return result.violations
  })
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({
        target: n.target,
        html: n.html?.slice(0, 300),
        failureSummary: n.failureSummary,
      })),
    }))
}

/** Collects the serious accessibility violations of each page a journey visits, by name. */
export function accessibilityRecorder() {
  const found: Record<string, AxeViolation[]> = {}
  return {
    found,
    check: async (page: Page, name: string) => {
      const violations = await accessibilityViolations(page)
      if (violations.length > 0) found[name] = violations
    },
  }
}

/** Waits for a client-side navigation (pushState fires no load event for waitForURL to see). */
export async function waitForPath(page: Page, test: (path: string) => boolean): Promise<void> {
  await expect
    .poll(() => test(decodeURIComponent(new URL(page.url()).pathname)), { timeout: 15_000 })
    .toBe(true)
}

/** Closes the confirmations in the corner so that screenshots show the page under them. */
export async function closeNotifications(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const button of document.querySelectorAll<HTMLButtonElement>(
      '.mantine-Notification-closeButton',
    )) {
      button.click()
    }
  })
  await expect.poll(() => page.locator('.mantine-Notification-root').count()).toBe(0)
}

/** A screenshot of the page as a person first sees it: notifications closed, scrolled to the top. */
export async function snapTop(page: Page, journey: string, step: string): Promise<void> {
  await closeNotifications(page)
  await page.evaluate(() => window.scrollTo(0, 0))
  await snap(page, journey, step)
}

/** An API call from the signed-in page (session cookie and CSRF token, as the app sends them). */
export async function callApi<T>(
  page: Page,
  method: string,
  url: string,
  body?: unknown,
): Promise<T> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const session = (await (await fetch('/api/v1/auth/session')).json()) as { csrfToken: string }
      const response = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      if (!response.ok) throw new Error(`${method} ${url}: ${response.status}`)
      return (await response.json()) as T
    },
    { method, url, body },
  )
}

/** Many API calls from the signed-in page with one session look-up, to stay under the rate limit. */
export async function callEach(
  page: Page,
  method: string,
  calls: { url: string; body: unknown }[],
): Promise<void> {
  await page.evaluate(
    async ({ method, calls }) => {
      const session = (await (await fetch('/api/v1/auth/session')).json()) as { csrfToken: string }
      for (const { url, body } of calls) {
        const response = await fetch(url, {
          method,
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          body: JSON.stringify(body),
        })
        if (!response.ok) throw new Error(`${method} ${url}: ${response.status}`)
      }
    },
    { method, calls },
  )
}

export const FIRST_ADMIN = {
  email: 'admin@network.example',
  name: 'Ada Admin',
  password: 'violet harbour lantern 2026',
}

/** First run: creates the network administrator through the set-up link, then signs in. */
export async function createFirstAdminAndSignIn(
  page: Page,
  platform: Platform,
  admin: { email: string; name: string; password: string } = FIRST_ADMIN,
): Promise<void> {
  await page.goto(platform.setupLink)
  await page.getByLabel('Email').fill(admin.email)
  await page.getByLabel('Display name').fill(admin.name)
  await page.locator('input[type="password"]').fill(admin.password)
  await page.getByRole('button', { name: 'Create administrator' }).click()
  // The app goes to sign-in by itself once the administrator exists.
  await waitForPath(page, (p) => p.startsWith('/sign-in'))
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await expect.poll(() => page.getByLabel('Email').inputValue()).toBe(admin.email)
  await page.locator('input[type="password"]').fill(admin.password)
  // The header has a "Sign in" link too; submit the form's own button.
  await page.locator('form').getByRole('button', { name: 'Sign in' }).click()
  await waitForPath(page, (p) => !p.startsWith('/sign-in'))
}

/** Runs a journey's steps on a desktop-sized page of its own; a failing step leaves a 'failure' screenshot. */
export async function onDesktopPage(
  browser: Browser,
  journey: string,
  steps: (page: Page) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  try {
    await steps(page)
  } catch (error) {
    await snap(page, journey, 'failure')
    throw error
  } finally {
    await context.close()
  }
}
