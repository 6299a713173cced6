// Where does the platform spend its CPU? Starts `node --cpu-prof bin/isn.js serve` like the
// throughput benchmark does, loads one target with autocannon (or just starts it), and summarises
// the V8 CPU profile of the measured window, with bundle frames mapped back to src/ files.
//
//   npx tsx bench/profile.ts [--target organisation|session|healthz|verify|startup|startup-existing]
//                            [--seconds 10] [--top 25] [--out file.cpuprofile] [--root <checkout>]
//
// Not part of `npm run bench`: profiling slows the process down, so its figures are not throughput.
import fs from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { cleanupNow, installCleanupHandlers, log, removeDir, trackDir } from './lib/cleanup.ts'
import { createCheckout, REPO_ROOT, type Checkout } from './lib/checkout.ts'
import { invalidity, runLoad } from './lib/load.ts'
import { freePort, round, stopServer, waitForOk, type Server } from './lib/processes.ts'
import { checkTarget, seedPlatform, spawnPlatform, tempDataDir } from './lib/servers.ts'
import { seedVerifyPlatform, VERIFY_PATH } from './verify.ts'

const TARGETS = [
  'organisation',
  'session',
  'healthz',
  'verify',
  'startup',
  'startup-existing',
] as const
type Target = (typeof TARGETS)[number]

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Microseconds on the monotonic clock V8's profiler uses for its timestamps (Linux). */
const nowMicros = () => Number(process.hrtime.bigint() / 1000n)

function options() {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: 'organisation' },
      seconds: { type: 'string', default: '10' },
      top: { type: 'string', default: '25' },
      out: { type: 'string' },
      root: { type: 'string' },
    },
  })
  const target = values.target as Target
  if (!TARGETS.includes(target)) throw new Error(`--target must be one of ${TARGETS.join(', ')}`)
  const seconds = Math.min(120, Math.max(1, Number(values.seconds) || 10))
  const top = Math.min(200, Math.max(5, Number(values.top) || 25))
  const root = values.root === undefined ? REPO_ROOT : path.resolve(values.root)
  return { target, seconds, top, out: values.out, root }
}

/** Names a frame: a src/ file (through the bundle's source map), an npm package, or Node. */
function describer(checkout: Checkout) {
  const mapFile = `${checkout.bundle}.map`
  const map = fs.existsSync(mapFile)
    ? new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8')) as SourceMapPayload)
    : undefined
  const cache = new Map<ProfileNode, { key: string; group: string }>()
  return (node: ProfileNode) => {
    let described = cache.get(node)
    if (described) return described
    const { functionName, url, lineNumber, columnNumber } = node.callFrame
    const name = functionName || '(anonymous)'
    if (!url) {
      described = { key: name, group: name.startsWith('(') ? name : '(native)' }
    } else if (url.endsWith('/dist/isn.mjs') && map) {
      const entry = map.findEntry(lineNumber, columnNumber) as {
        originalSource?: string
        originalLine?: number
      }
      const source = (entry.originalSource ?? 'dist/isn.mjs').replace(/^.*?\/?(src\/)/, '$1')
      const line = entry.originalLine === undefined ? lineNumber + 1 : entry.originalLine + 1
      described = { key: `${name} ${source}:${line}`, group: source }
    } else if (url.includes('/node_modules/')) {
      const rest = url.slice(url.lastIndexOf('/node_modules/') + '/node_modules/'.length)
      const parts = rest.split('/')
      const pkg = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!
      described = { key: `${name} ${rest}:${lineNumber + 1}`, group: `npm:${pkg}` }
    } else if (url.startsWith('node:')) {
      described = { key: `${name} ${url}:${lineNumber + 1}`, group: 'node (internals)' }
    } else {
      described = { key: `${name} ${url}:${lineNumber + 1}`, group: url }
    }
    cache.set(node, described)
    return described
  }
}

function analyse(profile: CpuProfile, checkout: Checkout, window: [number, number], top: number) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id)
  }
  const describe = describer(checkout)

  const self = new Map<string, number>()
  const selfGroups = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const inclusiveGroups = new Map<string, number>()
  const add = (map: Map<string, number>, key: string, us: number) =>
    map.set(key, (map.get(key) ?? 0) + us)

  let time = profile.startTime
  let total = 0
  let idle = 0
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0
    const duration = (profile.timeDeltas[i + 1] ?? 0) as number
    if (time < window[0] || time > window[1] || duration <= 0) continue
    const leaf = byId.get(profile.samples[i]!)
    if (!leaf) continue
    total += duration
    const leafInfo = describe(leaf)
    if (leafInfo.key === '(idle)') {
      idle += duration
      continue
    }
    add(self, leafInfo.key, duration)
    add(selfGroups, leafInfo.group, duration)
    const seenKeys = new Set<string>()
    const seenGroups = new Set<string>()
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const info = describe(byId.get(id)!)
      if (info.key === '(root)') continue
      if (!seenKeys.has(info.key)) add(inclusive, info.key, duration)
      if (!seenGroups.has(info.group)) add(inclusiveGroups, info.group, duration)
      seenKeys.add(info.key)
      seenGroups.add(info.group)
    }
  }
  const busy = total - idle
  const rows = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => ({ ms: round(us / 1000), busyPercent: round((100 * us) / busy, 1), key }))
  return {
    windowMs: round(total / 1000),
    busyMs: round(busy / 1000),
    idleMs: round(idle / 1000),
    selfByGroup: rows(selfGroups, top),
    inclusiveByGroup: rows(inclusiveGroups, top),
    selfByFunction: rows(self, top),
    inclusiveByFunction: rows(inclusive, top * 2),
  }
}

function print(title: string, rows: { ms: number; busyPercent: number; key: string }[]) {
  process.stdout.write(`\n${title}\n`)
  for (const row of rows) {
    process.stdout.write(
      `${String(row.busyPercent).padStart(6)} %  ${String(row.ms).padStart(7)} ms  ${row.key}\n`,
    )
  }
}

async function main() {
  const { target, seconds, top, out, root } = options()
  installCleanupHandlers()
  const checkout = createCheckout(root)
  const dataDir = tempDataDir()
  const profileDir = trackDir(fs.mkdtempSync(path.join(path.dirname(dataDir), 'isn-bench-prof-')))
  let server: Server | undefined
  try {
    log('priming: first start builds the bundle')
    const prime = spawnPlatform(checkout, dataDir, await freePort())
    await waitForOk(prime, '/healthz', { timeoutMs: 120_000 })
    await stopServer(prime)
    // POST /api/v1/labels/verify with the benchmark's mix of labels, seeded before the start.
    const verifyLoad =
      target === 'verify' ? (await seedVerifyPlatform(checkout, dataDir, 400)).requests : undefined

    const startupDir = target === 'startup' ? tempDataDir() : dataDir
    const windowStart = nowMicros()
    server = spawnPlatform(checkout, startupDir, await freePort(), [
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
    ])
    const readyMs = await waitForOk(server, '/healthz', { timeoutMs: 120_000 })
    let window: [number, number] = [windowStart, nowMicros()]
    let summary = `start-up to /healthz: ${round(readyMs)} ms (profiler on)`

    if (target === 'organisation' || target === 'session' || target === 'healthz') {
      const seeded = await seedPlatform(server)
      const url = {
        healthz: '/healthz',
        session: '/api/v1/auth/session',
        organisation: `/api/v1/organisations/${seeded.organisationId}`,
      }[target]
      const headers: Record<string, string> = target === 'healthz' ? {} : { cookie: seeded.cookie }
      await checkTarget(server, url, headers, () => true)
      await runLoad(server, url, headers, 2)
      const start = nowMicros()
      const run = await runLoad(server, url, headers, seconds)
      window = [start, nowMicros()]
      const why = invalidity(run)
      summary =
        `GET ${url}: ${run.requestsPerSecond} req/s under the profiler, p50 ${run.latencyP50Ms} ms, ` +
        `p99 ${run.latencyP99Ms} ms${why ? `; INVALID: ${why}` : ''}`
    }
    if (verifyLoad) {
      await runLoad(server, VERIFY_PATH, {}, 2, { requests: verifyLoad })
      const start = nowMicros()
      const run = await runLoad(server, VERIFY_PATH, {}, seconds, { requests: verifyLoad })
      window = [start, nowMicros()]
      const why = invalidity(run)
      summary =
        `POST ${VERIFY_PATH}: ${run.requestsPerSecond} req/s under the profiler, p50 ${run.latencyP50Ms} ms, ` +
        `p99 ${run.latencyP99Ms} ms${why ? `; INVALID: ${why}` : ''}`
    }
    await stopServer(server)

    const file = fs.readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'))
    if (!file) throw new Error('the platform wrote no .cpuprofile (did it exit gracefully?)')
    const profile = JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile
    if (out) fs.copyFileSync(path.join(profileDir, file), out)
    const result = analyse(profile, checkout, window, top)

    process.stdout.write(`target: ${target}\n${summary}\n`)
    process.stdout.write(
      `profiled window: ${result.windowMs} ms, busy ${result.busyMs} ms, idle ${result.idleMs} ms` +
        ` (percentages are of busy time)\n`,
    )
    print('self time by source (src/ file, npm package, node)', result.selfByGroup)
    print('inclusive time by source (on the stack at all)', result.inclusiveByGroup)
    print('self time by function', result.selfByFunction)
    print('inclusive time by function', result.inclusiveByFunction)
    if (out) process.stdout.write(`\nprofile saved to ${out} (open it in Chrome DevTools)\n`)
  } finally {
    if (server) await stopServer(server)
    removeDir(checkout.root)
    cleanupNow()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error))
    cleanupNow()
    process.exit(1)
  },
)
