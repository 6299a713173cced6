// `npm run bench -- --only verify`: `POST /api/v1/labels/verify` against the bare Fastify route in
// the same run (the issue's "≥ 60% of a bare Fastify JSON route, p99 ≤ 10 ms at half of its
// maximum load"). The platform's database is seeded before it starts with labels issued for real
// by the label service (its own signing key), some suspended or revoked through the service.
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { log, removeDir } from './lib/cleanup.ts'
import type { Checkout } from './lib/checkout.ts'
import { CONNECTIONS, invalidity, PIPELINING, runLoad, type LoadRun } from './lib/load.ts'
import {
  cpuMsOf,
  freePort,
  HOST,
  median,
  round,
  stopServer,
  waitForOk,
  type Server,
} from './lib/processes.ts'
import { checkTarget, platformEnv, spawnHello, spawnPlatform, tempDataDir } from './lib/servers.ts'
import { seedLabels, tampered, type SeededLabel } from './verify-seed.ts'

export const VERIFY_TARGET_RATIO = 0.6
export const VERIFY_TARGET_P99_MS = 10

type Main = typeof import('../src/server/main.ts')
type ConfigModule = typeof import('../src/server/config.ts')

export interface VerifySettings {
  durationSeconds: number
  warmupSeconds: number
  rounds: number
  /** Labels in the load's mix (1 in 10 suspended, 1 in 20 revoked). */
  labels: number
}

export const VERIFY_PATH = '/api/v1/labels/verify'

type RequestShape = {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string
}

interface Case {
  name: string
  label: string
  /** What the answer must say. */
  expect: { valid: boolean; status?: string; code?: string }
}

/** The mix: every seeded label once, plus a few forged or broken ones (about 3% of requests). */
function mixOf(labels: SeededLabel[]): Case[] {
  const cases: Case[] = labels.map((l) => ({
    name: l.status,
    label: l.jws,
    expect:
      l.status === 'active'
        ? { valid: true, status: 'active' }
        : { valid: false, status: l.status, code: l.status },
  }))
  const [first, second] = [labels[0]!.jws, labels[1]!.jws]
  const [h, p] = first.split('.')
  const bad: Case[] = [
    { name: 'tampered', label: tampered(first), expect: { valid: false, code: 'bad_signature' } },
    { name: 'tampered', label: tampered(second), expect: { valid: false, code: 'bad_signature' } },
    {
      name: 'alg none',
      label: `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'isn-label+jwt' })).toString('base64url')}.${p}.`,
      expect: { valid: false, code: 'unsupported_algorithm' },
    },
    {
      name: 'truncated',
      label: first.slice(0, -20),
      expect: { valid: false, code: 'bad_signature' },
    },
    {
      name: 'random text',
      label: 'hello, is this a label?',
      expect: { valid: false, code: 'malformed' },
    },
    { name: 'two parts', label: `${h}.${p}`, expect: { valid: false, code: 'malformed' } },
  ]
  // Spread the bad ones through the sequence.
  const step = Math.floor(cases.length / bad.length)
  bad.forEach((c, i) => cases.splice((i + 1) * step + i, 0, c))
  return cases
}

/**
 * How a request is sent: the default (`{ "label": … }` as JSON, the answer with the product's
 * summary), the label itself as `application/jose`, or JSON asking for the whole record
 * (`?include=record`, the answer the route gave by default until 2026-11-27).
 */
export type VerifyVariant = 'json' | 'jose' | 'record'

const requestOf = (variant: VerifyVariant, label: string) => ({
  path: variant === 'record' ? `${VERIFY_PATH}?include=record` : VERIFY_PATH,
  contentType: variant === 'jose' ? 'application/jose' : 'application/json',
  body: variant === 'jose' ? label : JSON.stringify({ label }),
})

async function post(server: Server, label: string, variant: VerifyVariant = 'json') {
  const request = requestOf(variant, label)
  const response = await fetch(`http://${HOST}:${server.port}${request.path}`, {
    method: 'POST',
    headers: { 'content-type': request.contentType },
    body: request.body,
    signal: AbortSignal.timeout(15_000),
  })
  return {
    status: response.status,
    json: (await response.json()) as {
      valid?: boolean
      status?: string
      reasons?: { code: string }[]
      summary?: unknown
      record?: unknown
    },
  }
}

/** One request per case before the load: the answers must be right. */
async function checkCases(server: Server, cases: Case[], variant: VerifyVariant = 'json') {
  for (const c of cases) {
    const { status, json } = await post(server, c.label, variant)
    const ok =
      status === 200 &&
      json.valid === c.expect.valid &&
      (c.expect.status === undefined || json.status === c.expect.status) &&
      (c.expect.code === undefined || json.reasons?.[0]?.code === c.expect.code) &&
      (variant !== 'record' || (json.record === null) === (json.status === 'unknown'))
    if (!ok) {
      throw new Error(
        `verify (${variant}) ${c.name}: unexpected answer ${status} ${JSON.stringify(json)}`,
      )
    }
  }
}

/**
 * The variants the platform under test answers: a platform from before the answer had a summary
 * (a `--root` checkout of older code) has only the default, which then carried the record.
 */
async function variantsOf(server: Server, label: string): Promise<VerifyVariant[]> {
  const plain = await post(server, label)
  if (plain.json.summary === undefined) return ['json']
  const jose = await post(server, label, 'jose')
  return jose.status === 200 ? ['json', 'jose', 'record'] : ['json', 'record']
}

function report(runs: LoadRun[]) {
  return {
    rounds: runs,
    median: {
      requestsPerSecond: round(median(runs.map((r) => r.requestsPerSecond))),
      latencyP50Ms: median(runs.map((r) => r.latencyP50Ms)),
      latencyP99Ms: median(runs.map((r) => r.latencyP99Ms)),
      serverCpuMicrosPerRequest: round(
        median(runs.map((r) => r.serverCpuMicrosPerRequest ?? Number.NaN)),
        1,
      ),
    },
  }
}

/**
 * Server CPU per verification of labels this process has never seen (each sent once, one at a
 * time) and of the same labels again: what the first scan of a label costs next to the steady
 * state the load measures.
 */
async function firstAndRepeat(server: Server, labels: SeededLabel[]) {
  const pass = async () => {
    const cpu = cpuMsOf(server.pid)
    const started = performance.now()
    for (const l of labels) {
      const { json } = await post(server, l.jws)
      if (json.status !== l.status) throw new Error(`verify: ${l.id} is not ${l.status}`)
    }
    const after = cpuMsOf(server.pid)
    return {
      serverCpuMicrosPerRequest:
        cpu === undefined || after === undefined
          ? undefined
          : round(((after - cpu) * 1000) / labels.length, 1),
      wallMicrosPerRequest: round(((performance.now() - started) * 1000) / labels.length, 1),
    }
  }
  return { labels: labels.length, first: await pass(), repeat: await pass() }
}

/**
 * Seeds the database in `dataDir` (before the platform starts on it) with `count` labels for the
 * load and 100 more it never sees before `firstAndRepeat`; returns them with the request mix.
 */
export async function seedVerifyPlatform(checkout: Checkout, dataDir: string, count: number) {
  const { openContext } = (await import(`${checkout.root}/src/server/main.ts`)) as Main
  const { loadConfig } = (await import(`${checkout.root}/src/server/config.ts`)) as ConfigModule
  const ctx = await openContext(loadConfig({ ...platformEnv(dataDir), LOG_LEVEL: 'silent' }))
  try {
    log(`verify: issuing ${count + 100} labels`)
    const labels = await seedLabels(checkout.root, ctx, {
      count: count + 100,
      suspendEvery: 10,
      revokeEvery: 20,
    })
    const unseen = labels.splice(count)
    const cases = mixOf(labels)
    // One request whose body turns through the mix, shared by all connections. Not a sequence of
    // 406 requests: with a fixed rate (overallRate), autocannon stalls connections where such a
    // sequence wraps around, which gave the bare route p99s of 0.7 s instead of 50 ms in a test.
    const requestsFor = (variant: VerifyVariant) => {
      const shapes = cases.map((c) => requestOf(variant, c.label))
      let next = 0
      return [
        {
          method: 'POST',
          path: shapes[0]!.path,
          headers: { 'content-type': shapes[0]!.contentType },
          body: shapes[0]!.body,
          setupRequest: (request: RequestShape) => ({
            ...request,
            body: shapes[next++ % shapes.length]!.body,
          }),
        },
      ]
    }
    return { labels, unseen, cases, requests: requestsFor('json'), requestsFor }
  } finally {
    await ctx.db.destroy()
  }
}

export async function benchVerify(
  checkout: Checkout,
  settings: VerifySettings,
  problems: string[],
) {
  const dataDir = tempDataDir()
  let bare: Server | undefined
  let platform: Server | undefined
  try {
    const { labels, unseen, cases, requestsFor } = await seedVerifyPlatform(
      checkout,
      dataDir,
      settings.labels,
    )
    bare = spawnHello(await freePort())
    platform = spawnPlatform(checkout, dataDir, await freePort())
    await Promise.all([waitForOk(bare, '/hello'), waitForOk(platform, '/healthz')])
    log(`hello-world on :${bare.port}, platform on :${platform.port} (pid ${platform.pid})`)

    const checkBare = () =>
      checkTarget(bare!, '/hello', {}, (json) => (json as { hello?: string }).hello === 'world')
    const loadBare = (seconds: number) => runLoad(bare!, '/hello', {}, seconds)
    const requests = {
      json: requestsFor('json'),
      jose: requestsFor('jose'),
      record: requestsFor('record'),
    }
    const loadVerify = (seconds: number, rate?: number, variant: VerifyVariant = 'json') =>
      runLoad(platform!, VERIFY_PATH, {}, seconds, {
        requests: requests[variant],
        ...(rate === undefined ? {} : { overallRate: rate }),
      })
    const record = (name: string, run: LoadRun, label: string) => {
      const why = invalidity(run)
      if (why) problems.push(`verify ${name} ${label}: ${why}; the measurement is invalid`)
      log(
        `  ${name.padEnd(12)} ${String(run.requestsPerSecond).padStart(7)} req/s  ` +
          `p50 ${run.latencyP50Ms} ms  p99 ${run.latencyP99Ms} ms  ` +
          `server CPU ${run.serverCpuMicrosPerRequest ?? '?'} µs/request${why ? `  INVALID: ${why}` : ''}`,
      )
      return run
    }

    await checkBare()
    const variants = await variantsOf(platform, labels[0]!.jws)
    for (const variant of variants) await checkCases(platform, cases, variant)
    log(`variants: ${variants.join(', ')}; warm-up: ${settings.warmupSeconds} s each`)
    record('bare', await loadBare(settings.warmupSeconds), 'warm-up')
    for (const variant of variants) {
      record(
        `verify ${variant}`,
        await loadVerify(settings.warmupSeconds, undefined, variant),
        'warm-up',
      )
    }

    const bareRuns: LoadRun[] = []
    const verifyRuns: LoadRun[] = []
    const variantRuns: Partial<Record<VerifyVariant, LoadRun[]>> = {}
    for (let r = 1; r <= settings.rounds; r++) {
      log(`round ${r}/${settings.rounds}`)
      const steps = [
        async () => {
          await checkBare()
          bareRuns.push(record('bare', await loadBare(settings.durationSeconds), `round ${r}`))
        },
        ...variants.map((variant) => async () => {
          await checkCases(platform!, cases.slice(0, 25), variant)
          const run = record(
            `verify ${variant}`,
            await loadVerify(settings.durationSeconds, undefined, variant),
            `round ${r}`,
          )
          ;(variantRuns[variant] ??= []).push(run)
          if (variant === 'json') verifyRuns.push(run)
        }),
      ]
      for (const step of r % 2 === 1 ? steps : steps.reverse()) await step()
    }

    const maxRate = median(verifyRuns.map((run) => run.requestsPerSecond))
    const halfRate = Math.max(1, Math.round(maxRate / 2))
    log(`half load: ${halfRate} req/s (half of the median maximum), ${settings.rounds} rounds`)
    const halfRuns: LoadRun[] = []
    for (let r = 1; r <= settings.rounds; r++) {
      halfRuns.push(
        record('verify/2', await loadVerify(settings.durationSeconds, halfRate), `half ${r}`),
      )
    }
    // A control: the bare route at the same fixed rate, to tell the machine's latency from ours.
    const bareAtRate = record(
      'bare@rate',
      await runLoad(bare, '/hello', {}, settings.durationSeconds, { overallRate: halfRate }),
      'half-rate control',
    )
    const cold = await firstAndRepeat(platform, unseen)
    log(`first verification ${JSON.stringify(cold.first)}, repeated ${JSON.stringify(cold.repeat)}`)
    if (platform.exited() || bare.exited()) problems.push('a server exited during the load')

    const perRound = verifyRuns.map((run, i) =>
      round(run.requestsPerSecond / bareRuns[i]!.requestsPerSecond, 3),
    )
    const cpuPerRound = verifyRuns.map((run, i) =>
      round(
        (bareRuns[i]!.serverCpuMicrosPerRequest ?? Number.NaN) /
          (run.serverCpuMicrosPerRequest ?? Number.NaN),
        3,
      ),
    )
    const ratio = round(median(perRound), 3)
    // Each variant against the bare route of the same round (the default is `verify` above).
    const byVariant = Object.fromEntries(
      Object.entries(variantRuns).map(([variant, runs]) => {
        const ratios = runs.map((run, i) =>
          round(run.requestsPerSecond / bareRuns[i]!.requestsPerSecond, 3),
        )
        const cpuRatios = runs.map((run, i) =>
          round(
            (bareRuns[i]!.serverCpuMicrosPerRequest ?? Number.NaN) /
              (run.serverCpuMicrosPerRequest ?? Number.NaN),
            3,
          ),
        )
        return [
          variant,
          {
            ...report(runs),
            ratio: { perRound: ratios, median: round(median(ratios), 3) },
            ratioByServerCpu: { perRound: cpuRatios, median: round(median(cpuRatios), 3) },
          },
        ]
      }),
    )
    const halfP99 = median(halfRuns.map((run) => run.latencyP99Ms))
    return {
      settings: {
        connections: CONNECTIONS,
        pipelining: PIPELINING,
        durationSeconds: settings.durationSeconds,
        warmupSeconds: settings.warmupSeconds,
        rounds: settings.rounds,
        mix: {
          requests: cases.length,
          active: cases.filter((c) => c.name === 'active').length,
          suspended: cases.filter((c) => c.name === 'suspended').length,
          revoked: cases.filter((c) => c.name === 'revoked').length,
          forgedOrBroken: cases.filter((c) => !['active', 'suspended', 'revoked'].includes(c.name))
            .length,
        },
        platformDataDir: path.basename(dataDir),
      },
      bare: report(bareRuns),
      verify: report(verifyRuns),
      variants: {
        description:
          'json: {label} as JSON, the default answer; jose: the label as application/jose; record: JSON with ?include=record (the whole signed record in the answer)',
        ...byVariant,
      },
      halfLoad: { rate: halfRate, ...report(halfRuns), bareAtTheSameRate: bareAtRate },
      firstVerification: cold,
      ratio: {
        perRound,
        median: ratio,
        byServerCpuPerRequest: { perRound: cpuPerRound, median: round(median(cpuPerRound), 3) },
      },
      target: {
        description: `verify ≥ ${VERIFY_TARGET_RATIO} of the bare route (median req/s ratio) and p99 ≤ ${VERIFY_TARGET_P99_MS} ms at half its maximum rate`,
        requiredRatio: VERIFY_TARGET_RATIO,
        measuredRatio: ratio,
        requiredP99Ms: VERIFY_TARGET_P99_MS,
        measuredP99Ms: halfP99,
        met: ratio >= VERIFY_TARGET_RATIO && halfP99 <= VERIFY_TARGET_P99_MS,
      },
    }
  } finally {
    await Promise.all([bare && stopServer(bare), platform && stopServer(platform)])
    removeDir(dataDir)
  }
}
