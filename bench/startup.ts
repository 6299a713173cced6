import { log, removeDir } from './lib/cleanup.ts'
import { deleteBundle, type Checkout } from './lib/checkout.ts'
import {
  cpuMsOf,
  freePort,
  median,
  round,
  stopServer,
  waitForOk,
  type Server,
} from './lib/processes.ts'
import { spawnHello, spawnPlatform, tempDataDir } from './lib/servers.ts'

export const STARTUP_TARGET_MS = 1500

interface Sample {
  ms: number
  /** CPU time the process had used when it first answered (all threads); a busy machine
   *  stretches wall time far more than CPU time. */
  cpuMs: number | undefined
}

/** Spawn → first 200 from `path` (and the CPU time used by then), then a graceful stop. */
async function timeStart(server: Server, path: string): Promise<Sample> {
  try {
    const ms = round(await waitForOk(server, path, { timeoutMs: 120_000 }), 1)
    return { ms, cpuMs: cpuMsOf(server.pid) }
  } finally {
    await stopServer(server)
  }
}

function summary(samples: Sample[]) {
  const cpu = samples.map((s) => s.cpuMs)
  const known = cpu.filter((value): value is number => value !== undefined)
  return {
    samplesMs: samples.map((s) => s.ms),
    medianMs: round(median(samples.map((s) => s.ms)), 1),
    cpuSamplesMs: cpu,
    medianCpuMs: known.length === cpu.length ? round(median(known)) : undefined,
  }
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : round(a / b, 2)

/**
 * Start-up time of `node bin/isn.js serve` until `/healthz` answers 200: on a fresh data dir
 * (secret generated, every migration run), on an existing one, and with the bundle deleted (the
 * first start of a checkout, which builds dist/isn.mjs). Baseline: the bare hello-world, polled
 * the same way. The four kinds alternate within each iteration to spread the machine's noise.
 */
export async function benchStartup(checkout: Checkout, runs: number) {
  const existingDir = tempDataDir()
  try {
    // The first start builds the bundle and prepares the existing data dir; it is not counted.
    log('start-up: priming (builds dist/isn.mjs in the benchmark checkout)')
    const prime = await timeStart(
      spawnPlatform(checkout, existingDir, await freePort()),
      '/healthz',
    )
    const samples = { bare: [] as Sample[], fresh: [] as Sample[], existing: [] as Sample[] }
    const cold: Sample[] = []
    for (let i = 1; i <= runs; i++) {
      samples.bare.push(await timeStart(spawnHello(await freePort()), '/hello'))

      const freshDir = tempDataDir()
      try {
        samples.fresh.push(
          await timeStart(spawnPlatform(checkout, freshDir, await freePort()), '/healthz'),
        )
      } finally {
        removeDir(freshDir)
      }

      samples.existing.push(
        await timeStart(spawnPlatform(checkout, existingDir, await freePort()), '/healthz'),
      )

      deleteBundle(checkout)
      const coldDir = tempDataDir()
      try {
        cold.push(await timeStart(spawnPlatform(checkout, coldDir, await freePort()), '/healthz'))
      } finally {
        removeDir(coldDir)
      }
      log(
        `start-up ${i}/${runs} (ms to first 200 / CPU ms): ` +
          [
            ['bare', samples.bare],
            ['fresh', samples.fresh],
            ['existing', samples.existing],
            ['cold bundle', cold],
          ]
            .map(([name, list]) => {
              const last = (list as Sample[]).at(-1)
              return `${name as string} ${last?.ms}/${last?.cpuMs ?? '?'}`
            })
            .join(', '),
      )
    }
    const bare = summary(samples.bare)
    const fresh = summary(samples.fresh)
    const existing = summary(samples.existing)
    const coldBundle = summary(cold)
    return {
      method:
        'spawn → first 200 from /healthz (bare: /hello), polled every 5 ms on new connections',
      runs,
      primeMs: prime.ms,
      bare,
      platform: {
        freshDataDir: fresh,
        existingDataDir: existing,
        coldBundleFreshDataDir: coldBundle,
      },
      ratio: {
        freshVsBare: round(fresh.medianMs / bare.medianMs, 2),
        existingVsBare: round(existing.medianMs / bare.medianMs, 2),
        coldBundleVsBare: round(coldBundle.medianMs / bare.medianMs, 2),
        byCpu: {
          freshVsBare: ratio(fresh.medianCpuMs, bare.medianCpuMs),
          existingVsBare: ratio(existing.medianCpuMs, bare.medianCpuMs),
          coldBundleVsBare: ratio(coldBundle.medianCpuMs, bare.medianCpuMs),
        },
      },
      target: {
        description: 'isn serve answers /healthz within 1.5 s of being spawned (median)',
        requiredMs: STARTUP_TARGET_MS,
        freshDataDir: { medianMs: fresh.medianMs, met: fresh.medianMs <= STARTUP_TARGET_MS },
        existingDataDir: {
          medianMs: existing.medianMs,
          met: existing.medianMs <= STARTUP_TARGET_MS,
        },
        coldBundle: {
          medianMs: coldBundle.medianMs,
          met: coldBundle.medianMs <= STARTUP_TARGET_MS,
        },
      },
    }
  } finally {
    removeDir(existingDir)
  }
}
