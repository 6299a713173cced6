import { log, removeDir } from './lib/cleanup.ts'
import { CONNECTIONS, invalidity, PIPELINING, runLoad, type LoadRun } from './lib/load.ts'
import type { Checkout } from './lib/checkout.ts'
import {
  freePort,
  median,
  round,
  rssOf,
  sleep,
  stopServer,
  waitForOk,
  type Rss,
  type Server,
} from './lib/processes.ts'
import { checkTarget, seedPlatform, spawnHello, spawnPlatform, tempDataDir } from './lib/servers.ts'

export const THROUGHPUT_TARGET_RATIO = 0.6
const IDLE_MS = 2000

export interface ThroughputSettings {
  durationSeconds: number
  warmupSeconds: number
  rounds: number
}

interface Target {
  name: 'bare' | 'healthz' | 'session' | 'organisation'
  server: Server
  path: string
  headers: Record<string, string>
  accept: (json: unknown) => boolean
}

interface TargetReport {
  path: string
  rounds: LoadRun[]
  median: {
    requestsPerSecond: number
    latencyP50Ms: number
    latencyP99Ms: number
    serverCpuMicrosPerRequest: number | undefined
  }
}

function medianOrUndefined(values: (number | undefined)[]): number | undefined {
  const known = values.filter((value): value is number => value !== undefined)
  return known.length === values.length && known.length > 0 ? round(median(known), 1) : undefined
}

function report(target: Target, runs: LoadRun[]): TargetReport {
  return {
    path: target.path.replace(/[0-9a-f-]{36}/, '<id>'),
    rounds: runs,
    median: {
      requestsPerSecond: round(median(runs.map((r) => r.requestsPerSecond))),
      latencyP50Ms: median(runs.map((r) => r.latencyP50Ms)),
      latencyP99Ms: median(runs.map((r) => r.latencyP99Ms)),
      serverCpuMicrosPerRequest: medianOrUndefined(runs.map((r) => r.serverCpuMicrosPerRequest)),
    },
  }
}

/** Requests per second of `of` over those of `to`, per round and the median. */
function ratios(of: LoadRun[], to: LoadRun[]) {
  const perRound = of.map((run, i) => round(run.requestsPerSecond / to[i]!.requestsPerSecond, 3))
  return { perRound, median: round(median(perRound), 3) }
}

/**
 * The same ratio from server CPU time per request (bare's over the platform's): what the
 * throughput ratio would be if both servers got a full core each. A busy machine distorts it
 * much less than requests per second, because it does not depend on the share of CPU received.
 */
function cpuRatios(of: LoadRun[], to: LoadRun[]) {
  const perRound: number[] = []
  for (const [i, run] of of.entries()) {
    const mine = run.serverCpuMicrosPerRequest
    const theirs = to[i]!.serverCpuMicrosPerRequest
    if (mine === undefined || theirs === undefined || mine === 0) return undefined
    perRound.push(round(theirs / mine, 3))
  }
  return { perRound, median: round(median(perRound), 3) }
}

interface MemoryPoint {
  platform: Rss | undefined
  bare: Rss | undefined
}

/**
 * The authenticated reads against the bare Fastify hello-world, measured in alternating rounds in
 * one run, plus the idle memory of both processes before and after the load.
 */
export async function benchThroughput(
  checkout: Checkout,
  settings: ThroughputSettings,
  problems: string[],
) {
  const dataDir = tempDataDir()
  let bare: Server | undefined
  let platform: Server | undefined
  try {
    bare = spawnHello(await freePort())
    platform = spawnPlatform(checkout, dataDir, await freePort())
    await Promise.all([waitForOk(bare, '/hello'), waitForOk(platform, '/healthz')])
    log(
      `hello-world on :${bare.port} (pid ${bare.pid}), platform on :${platform.port} (pid ${platform.pid})`,
    )

    await sleep(IDLE_MS)
    const afterStart: MemoryPoint = { platform: rssOf(platform.pid), bare: rssOf(bare.pid) }

    const seeded = await seedPlatform(platform)
    const auth = { cookie: seeded.cookie }
    const targets: Target[] = [
      {
        name: 'bare',
        server: bare,
        path: '/hello',
        headers: {},
        accept: (json) => (json as { hello?: string }).hello === 'world',
      },
      {
        // The platform's whole plugin stack (helmet, rate limit, cookies, access control, metrics,
        // request ids) on a public route without database work: separates stack from data cost.
        name: 'healthz',
        server: platform,
        path: '/healthz',
        headers: {},
        accept: (json) => (json as { status?: string }).status === 'ok',
      },
      {
        name: 'session',
        server: platform,
        path: '/api/v1/auth/session',
        headers: auth,
        accept: (json) =>
          (json as { memberships?: unknown[] }).memberships?.length === 1 &&
          (json as { csrfToken?: string }).csrfToken === seeded.csrfToken,
      },
      {
        name: 'organisation',
        server: platform,
        path: `/api/v1/organisations/${seeded.organisationId}`,
        headers: auth,
        accept: (json) => (json as { id?: string }).id === seeded.organisationId,
      },
    ]
    const load = (target: Target, seconds: number) =>
      runLoad(target.server, target.path, target.headers, seconds)
    for (const target of targets) {
      await checkTarget(target.server, target.path, target.headers, target.accept)
    }

    const runs = new Map<Target['name'], LoadRun[]>(targets.map((t) => [t.name, []]))
    const record = (target: Target, run: LoadRun, label: string) => {
      const why = invalidity(run)
      if (why) {
        problems.push(`throughput ${target.name} ${label}: ${why}; the measurement is invalid`)
      }
      log(
        `  ${target.name.padEnd(12)} ${String(run.requestsPerSecond).padStart(7)} req/s  ` +
          `p50 ${run.latencyP50Ms} ms  p99 ${run.latencyP99Ms} ms  ` +
          `server CPU ${run.serverCpuMicrosPerRequest ?? '?'} µs/request${why ? `  INVALID: ${why}` : ''}`,
      )
      return run
    }

    log(`warm-up: ${settings.warmupSeconds} s per target`)
    for (const target of targets) {
      record(target, await load(target, settings.warmupSeconds), 'warm-up')
    }

    for (let round = 1; round <= settings.rounds; round++) {
      // Alternate the order, so that drift in the machine's load does not favour one side.
      const order = round % 2 === 1 ? targets : [...targets].reverse()
      log(`round ${round}/${settings.rounds}: ${order.map((t) => t.name).join(', ')}`)
      for (const target of order) {
        await checkTarget(target.server, target.path, target.headers, target.accept)
        runs
          .get(target.name)!
          .push(record(target, await load(target, settings.durationSeconds), `round ${round}`))
      }
    }

    await sleep(IDLE_MS)
    const afterLoad: MemoryPoint = { platform: rssOf(platform.pid), bare: rssOf(bare.pid) }
    if (platform.exited() || bare.exited()) problems.push('a server exited during the load')

    const [bareRuns, healthzRuns, sessionRuns, organisationRuns] = [
      runs.get('bare')!,
      runs.get('healthz')!,
      runs.get('session')!,
      runs.get('organisation')!,
    ]
    const organisationVsBare = ratios(organisationRuns, bareRuns)
    const organisationByCpu = cpuRatios(organisationRuns, bareRuns)
    const throughput = {
      settings: {
        connections: CONNECTIONS,
        pipelining: PIPELINING,
        durationSeconds: settings.durationSeconds,
        warmupSeconds: settings.warmupSeconds,
        rounds: settings.rounds,
      },
      targets: {
        bare: report(targets[0]!, bareRuns),
        healthz: report(targets[1]!, healthzRuns),
        session: report(targets[2]!, sessionRuns),
        organisation: report(targets[3]!, organisationRuns),
      },
      ratio: {
        organisationVsBare,
        sessionVsBare: ratios(sessionRuns, bareRuns),
        healthzVsBare: ratios(healthzRuns, bareRuns),
        byServerCpuPerRequest: {
          organisationVsBare: organisationByCpu,
          sessionVsBare: cpuRatios(sessionRuns, bareRuns),
          healthzVsBare: cpuRatios(healthzRuns, bareRuns),
        },
      },
      target: {
        description: 'authenticated organisation read ≥ 60% of the bare route (median ratio)',
        required: THROUGHPUT_TARGET_RATIO,
        measured: organisationVsBare.median,
        met: organisationVsBare.median >= THROUGHPUT_TARGET_RATIO,
        measuredByServerCpuPerRequest: organisationByCpu?.median,
      },
    }
    const memory = {
      note: 'RSS from /proc/<pid>/status after 2 s idle; peak is VmHWM',
      platform: { afterStart: afterStart.platform, afterLoad: afterLoad.platform },
      bare: { afterStart: afterStart.bare, afterLoad: afterLoad.bare },
      ratio: {
        afterStart: memoryRatio(afterStart),
        afterLoad: memoryRatio(afterLoad),
      },
    }
    return { throughput, memory }
  } finally {
    await Promise.all([bare && stopServer(bare), platform && stopServer(platform)])
    removeDir(dataDir)
  }
}

function memoryRatio(point: MemoryPoint): number | undefined {
  if (!point.platform || !point.bare) return undefined
  return round(point.platform.rssMiB / point.bare.rssMiB, 2)
}
