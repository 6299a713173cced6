import autocannon, { type Options, type Result } from 'autocannon'
import { cpuMsOf, HOST, round, type Server } from './processes.ts'

export const CONNECTIONS = 50
export const PIPELINING = 1

export interface LoadRun {
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyAverageMs: number
  responses: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  /** CPU time the server process used per response (user + system, all threads), in µs. */
  serverCpuMicrosPerRequest: number | undefined
}

function summarise(result: Result, serverCpuMs: number | undefined): LoadRun {
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx']
  return {
    requestsPerSecond: round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyAverageMs: round(result.latency.average, 2),
    responses,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    ),
    serverCpuMicrosPerRequest:
      serverCpuMs === undefined || responses === 0
        ? undefined
        : round((serverCpuMs * 1000) / responses, 1),
  }
}

/** Why a run does not count: anything but 200s, errors, timeouts, or no responses at all. */
export function invalidity(run: LoadRun): string | undefined {
  const others = Object.keys(run.statusCodes).filter((code) => code !== '200')
  if (run.non2xx > 0 || others.length > 0) {
    return `${run.non2xx} non-2xx responses (status counts ${JSON.stringify(run.statusCodes)})`
  }
  if (run.errors > 0 || run.timeouts > 0) {
    return `${run.errors} connection errors and ${run.timeouts} timeouts`
  }
  if (run.responses === 0) return 'no responses'
  return undefined
}

/**
 * GET `path` on the server with autocannon (50 connections, no pipelining) for `seconds`, bounded
 * in time; also measures the CPU time the server process spent, which a busy machine distorts
 * much less than requests per second. `options` adds autocannon options (a request sequence, a
 * fixed rate).
 */
export async function runLoad(
  server: Server,
  path: string,
  headers: Record<string, string>,
  seconds: number,
  options: Partial<Options> = {},
): Promise<LoadRun> {
  const port = server.port
  const cpuBefore = cpuMsOf(server.pid)
  const instance = autocannon({
    url: `http://${HOST}:${port}${path}`,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration: seconds,
    timeout: 10,
    headers,
    ...options,
  })
  let timer: NodeJS.Timeout | undefined
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        instance.stop()
        reject(new Error(`autocannon on ${path} did not finish in time`))
      },
      (seconds + 30) * 1000,
    )
  })
  try {
    const result = await Promise.race([Promise.resolve(instance), overdue])
    const cpuAfter = cpuMsOf(server.pid)
    return summarise(
      result,
      cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    )
  } finally {
    clearTimeout(timer)
  }
}
