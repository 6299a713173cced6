import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { log, trackChild } from './cleanup.ts'

export const HOST = '127.0.0.1'
const MAX_CAPTURE = 1_000_000

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export { freePort } from '../../src/server/testing/free-port.ts'

export interface Server {
  label: string
  port: number
  child: ChildProcess
  pid: number
  /** performance.now() just before spawn(). */
  spawnedAt: number
  stdout(): string
  stderr(): string
  exited(): boolean
}

/** Spawns `node <args>` with the given environment, capturing (and always draining) its output. */
export function spawnNode(
  label: string,
  port: number,
  args: string[],
  env: NodeJS.ProcessEnv,
): Server {
  let out = ''
  let err = ''
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  trackChild(child)
  if (child.pid === undefined) throw new Error(`${label}: could not spawn node ${args.join(' ')}`)
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (out.length < MAX_CAPTURE) out += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (err.length < MAX_CAPTURE) err += chunk
  })
  return {
    label,
    port,
    child,
    pid: child.pid,
    spawnedAt,
    stdout: () => out,
    stderr: () => err,
    exited: () => child.exitCode !== null || child.signalCode !== null,
  }
}

/** One GET on a fresh connection; resolves with the status, or 0 when nothing answered. */
function probe(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get({ host: HOST, port, path, agent: false, timeout: 2000 }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    request.once('timeout', () => request.destroy())
    request.once('error', () => resolve(0))
  })
}

/**
 * Polls `path` every `intervalMs` until it answers 200 and returns the milliseconds since the
 * process was spawned. Fails when the process exits or `timeoutMs` passes.
 */
export async function waitForOk(
  server: Server,
  path: string,
  { timeoutMs = 60_000, intervalMs = 5 } = {},
): Promise<number> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (server.exited()) {
      throw new Error(
        `${server.label} exited (${server.child.exitCode ?? server.child.signalCode}) before ` +
          `${path} answered 200\n${server.stdout().slice(-2000)}\n${server.stderr().slice(-2000)}`,
      )
    }
    const status = await probe(server.port, path)
    if (status === 200) return performance.now() - server.spawnedAt
    if (performance.now() > deadline) {
      throw new Error(`${server.label}: ${path} did not answer 200 within ${timeoutMs} ms`)
    }
    await sleep(intervalMs)
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

/** Graceful stop (SIGTERM), then SIGKILL when it takes longer than `graceMs`. */
export async function stopServer(server: Server, graceMs = 15_000): Promise<void> {
  if (server.exited()) return
  server.child.kill('SIGTERM')
  if (await waitForExit(server.child, graceMs)) return
  log(`${server.label} (pid ${server.pid}) did not stop within ${graceMs} ms; killing it`)
  server.child.kill('SIGKILL')
  await waitForExit(server.child, 5000)
}

export interface Rss {
  /** Resident set size now (VmRSS). */
  rssMiB: number
  /** Peak resident set size so far (VmHWM). */
  peakMiB: number
}

/** Resident memory of a process from /proc/<pid>/status (Linux); undefined elsewhere. */
export function rssOf(pid: number): Rss | undefined {
  let status: string
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return undefined
  }
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
  const rss = kib('VmRSS')
  const peak = kib('VmHWM')
  if (!Number.isFinite(rss) || !Number.isFinite(peak)) return undefined
  return { rssMiB: round(rss / 1024, 1), peakMiB: round(peak / 1024, 1) }
}

let clockTicks: number | undefined

/** CPU time (user + system, all threads) a process has used so far, in ms; undefined off Linux. */
export function cpuMsOf(pid: number): number | undefined {
  let stat: string
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The command name (field 2) may contain spaces; the fields after it are space-separated.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return ((utime + stime) * 1000) / clockTicks
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
