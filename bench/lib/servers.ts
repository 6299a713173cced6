import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { trackDir } from './cleanup.ts'
import { REPO_ROOT, type Checkout } from './checkout.ts'
import { HOST, sleep, spawnNode, type Server } from './processes.ts'

export const BENCH_EMAIL = 'bench.admin@example.com'
export const BENCH_PASSWORD = 'benchmark passphrase 2026'
/**
 * The configuration's maximum (100,000,000 per minute). The limiter still runs on every request;
 * the limit only has to stay out of reach: one client here sends up to 90,000 requests a second to
 * a single address, and a whole run is several million requests, so the former maximum of
 * 1,000,000 per minute answered 429 in the middle of a run.
 */
export const RATE_LIMIT = '100000000'

export function tempDataDir(): string {
  return trackDir(fs.mkdtempSync(path.join(os.tmpdir(), 'isn-bench-data-')))
}

/** The environment of a production-like `isn serve` on a SQLite database in `dataDir`. */
export function platformEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: `sqlite:${path.join(dataDir, 'isn.db')}`,
    DATA_DIR: dataDir,
    HOST,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    RATE_LIMIT_PER_MINUTE: RATE_LIMIT,
    AUTH_RATE_LIMIT_PER_MINUTE: RATE_LIMIT,
    JOBS_IN_PROCESS: 'true',
    DB_SKIP_MIGRATIONS: 'false',
  }
  // Nothing from the caller's shell may change what is measured.
  for (const name of [
    'NODE_OPTIONS',
    'PORT',
    'PUBLIC_URL',
    'ISN_SECRET',
    'SMTP_URL',
    'TRUST_PROXY',
  ]) {
    delete env[name]
  }
  return env
}

/** `node bin/isn.js serve --port <port>`, as production starts it. */
export function spawnPlatform(
  checkout: Checkout,
  dataDir: string,
  port: number,
  nodeFlags: string[] = [],
): Server {
  return spawnNode(
    'platform',
    port,
    [...nodeFlags, path.join(checkout.root, 'bin', 'isn.js'), 'serve', '--port', String(port)],
    platformEnv(dataDir),
  )
}

/** The bare Fastify hello-world, in its own process. */
export function spawnHello(port: number): Server {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  return spawnNode(
    'hello-world',
    port,
    [path.join(REPO_ROOT, 'bench', 'hello-server.js'), '--port', String(port)],
    env,
  )
}

export interface Seeded {
  /** `isn_session=<token>` */
  cookie: string
  csrfToken: string
  organisationId: string
}

async function call(
  server: Server,
  method: 'GET' | 'POST',
  url: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: unknown; setCookie: string[] }> {
  const response = await fetch(`http://${HOST}:${server.port}${url}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = text
  }
  return { status: response.status, json, setCookie: response.headers.getSetCookie() }
}

function expectStatus(step: string, actual: { status: number; json: unknown }, status: number) {
  if (actual.status !== status) {
    throw new Error(
      `${step}: expected ${status}, got ${actual.status} ${JSON.stringify(actual.json)}`,
    )
  }
}

/**
 * Sets the fresh platform up the way a first user does: the first administrator from the printed
 * one-time link, a sign-in, and an organisation (so that the read has real rows behind it).
 */
export async function seedPlatform(server: Server): Promise<Seeded> {
  let token: string | undefined
  for (let i = 0; i < 200 && !token; i++) {
    token = /\/setup\?token=([\w-]+)/.exec(server.stdout())?.[1]
    if (!token) await sleep(50)
  }
  if (!token) throw new Error(`no setup link on the platform's stdout:\n${server.stdout()}`)

  const setup = await call(server, 'POST', '/api/v1/setup/admin', {
    body: { token, email: BENCH_EMAIL, displayName: 'Benchmark Admin', password: BENCH_PASSWORD },
  })
  expectStatus('create the first administrator', setup, 201)

  const signIn = await call(server, 'POST', '/api/v1/auth/sign-in', {
    body: { email: BENCH_EMAIL, password: BENCH_PASSWORD },
  })
  expectStatus('sign in', signIn, 200)
  const session = (signIn.json as { session?: { csrfToken?: string } }).session
  const sessionCookie = signIn.setCookie
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('isn_session='))
  if (!session?.csrfToken || !sessionCookie) {
    throw new Error(`sign in: no session cookie or CSRF token in ${JSON.stringify(signIn.json)}`)
  }

  const organisation = await call(server, 'POST', '/api/v1/organisations', {
    headers: { cookie: sessionCookie, 'x-csrf-token': session.csrfToken },
    body: {
      name: 'Benchmark Controls GmbH',
      type: 'manufacturer',
      website: 'https://controls.example.com',
      country: 'DE',
    },
  })
  expectStatus('create an organisation', organisation, 201)
  const organisationId = (organisation.json as { id?: string }).id
  if (!organisationId) throw new Error('create an organisation: no id in the answer')
  return { cookie: sessionCookie, csrfToken: session.csrfToken, organisationId }
}

/** One GET before a load run, to be sure the target answers what it should. */
export async function checkTarget(
  server: Server,
  url: string,
  headers: Record<string, string>,
  accept: (json: unknown) => boolean,
): Promise<void> {
  const answer = await call(server, 'GET', url, { headers })
  expectStatus(`GET ${url}`, answer, 200)
  if (!accept(answer.json)) {
    throw new Error(`GET ${url}: unexpected answer ${JSON.stringify(answer.json).slice(0, 500)}`)
  }
}
