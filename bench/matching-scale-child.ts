// One measurement of bench/matching-scale.ts in a process of its own (so that RSS is per tier):
//   load      open the snapshot → first answer (one component looked up and evaluated); maxRSS
//   warm      the SBOM scans (split), their floor, and single-lookup latency, in one warm process
//   renovate  the same SBOMs' names through @renovatebot/osv-offline-db (NDJSON files we wrote)
// Input: one JSON argument; output: one JSON document on stdout.
import fs from 'node:fs'
import path from 'node:path'
import type { EngineComponent } from '../src/server/modules/vulnerabilities/matching/engine.ts'

const started = process.hrtime.bigint()
const msSince = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6

export interface SbomInput {
  label: string
  file: string
  components: number
}

export type ChildInput =
  | { mode: 'load'; snapshot: string; probe: EngineComponent; baselineOnly?: boolean }
  | {
      mode: 'warm'
      snapshot: string
      sboms: SbomInput[]
      runs: number
      warmups: number
      lookups: { hit: EngineComponent[]; miss: EngineComponent[]; cpe: EngineComponent[] }
    }
  | { mode: 'renovate'; root: string; sboms: SbomInput[]; runs: number; warmups: number }

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const r3 = (n: number) => Math.round(n * 1000) / 1000
const maxRssMiB = () => r3(process.resourceUsage().maxRSS / 1024)

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/** The floor of §4.3: JSON.parse of the file plus one pass over its components. */
function floorOnce(bytes: Buffer): { ms: number; touched: number } {
  const t = process.hrtime.bigint()
  const doc = JSON.parse(bytes.toString('utf8')) as {
    components?: unknown[]
    packages?: unknown[]
  }
  let touched = 0
  const visit = (list: unknown[] | undefined) => {
    for (const c of list ?? []) {
      const o = c as { purl?: string; name?: string; components?: unknown[] }
      if (o.purl !== undefined || o.name !== undefined) touched += 1
      if (o.components) visit(o.components)
    }
  }
  visit(doc.components ?? doc.packages)
  return { ms: msSince(t), touched }
}

async function load(input: Extract<ChildInput, { mode: 'load' }>) {
  const { openSnapshot, matchSnapshot } =
    await import('../src/server/modules/vulnerabilities/snapshot/snapshot.service.ts')
  const modulesMs = msSince(started)
  const rssBefore = r3(process.memoryUsage().rss / 2 ** 20)
  if (input.baselineOnly) return { modulesMs, maxRssMiB: maxRssMiB(), rssBeforeMiB: rssBefore }
  const t = process.hrtime.bigint()
  const snapshot = await openSnapshot(input.snapshot)
  const { findings } = matchSnapshot(snapshot, [input.probe])
  const firstAnswerMs = msSince(t)
  snapshot.close()
  return {
    modulesMs,
    firstAnswerMs,
    findings: findings.length,
    rssBeforeMiB: rssBefore,
    maxRssMiB: maxRssMiB(),
  }
}

async function warm(input: Extract<ChildInput, { mode: 'warm' }>) {
  const { openSnapshot, scanSbom, matchSnapshot } =
    await import('../src/server/modules/vulnerabilities/snapshot/snapshot.service.ts')
  const snapshot = await openSnapshot(input.snapshot)
  const scans = []
  for (const s of input.sboms) {
    const bytes = fs.readFileSync(s.file)
    const runs: { total: number; cpu: number; parse: number; lookup: number; evaluate: number; assemble: number; floor: number }[] = [] // prettier-ignore
    let result: ReturnType<typeof scanSbom> | undefined
    for (let i = 0; i < input.warmups + input.runs; i++) {
      // The floor and the scan alternate, so that both see the same machine.
      const floor = floorOnce(bytes)
      const t = process.hrtime.bigint()
      const cpu = process.cpuUsage()
      result = scanSbom(
        snapshot,
        { bytes, fileName: path.basename(s.file), snapshotFile: input.snapshot },
        { failOn: 'none', includeUnknown: false },
      )
      const total = msSince(t)
      const used = process.cpuUsage(cpu)
      if (i < input.warmups) continue
      runs.push({
        total,
        // CPU time of the scan (user + system): less moved by other processes on a shared
        // machine than the wall time, so before/after runs compare better.
        cpu: (used.user + used.system) / 1000,
        parse: result.timings.parseMs,
        lookup: result.timings.loadMs,
        evaluate: result.timings.matchMs,
        assemble: result.timings.assembleMs,
        floor: floor.ms,
      })
    }
    const m = (k: keyof (typeof runs)[number]) => r3(median(runs.map((r) => r[k])))
    const totalMs = m('total')
    const floorMs = m('floor')
    scans.push({
      sbom: s.label,
      bytes: fs.statSync(s.file).size,
      components: result!.sbom.components,
      findings: { affected: result!.summary.affected, unknown: result!.summary.unknown },
      medianMs: {
        total: totalMs,
        parseAndNormalise: m('parse'),
        lookup: m('lookup'),
        versionEvaluation: m('evaluate'),
        resultAssembly: m('assemble'),
        floor: floorMs,
        cpu: m('cpu'),
      },
      ratioToFloor: r3(totalMs / floorMs),
      ratioToFloorWithoutParse: r3((totalMs - m('parse')) / floorMs),
      componentsPerSecond: Math.round(result!.sbom.components / (totalMs / 1000)),
      runs: runs.map((r) => r3(r.total)),
    })
  }

  // Single lookups: one component's key → candidate rows → version verdict, as the scan does it
  // (matchSnapshot with one component: the key filter, the key's row, the engine).
  const latency = (components: EngineComponent[]) => {
    for (const c of components.slice(0, 1000)) matchSnapshot(snapshot, [c])
    const times = new Float64Array(components.length)
    let found = 0
    const cpu = process.cpuUsage()
    components.forEach((c, i) => {
      const t = process.hrtime.bigint()
      const { findings } = matchSnapshot(snapshot, [c])
      times[i] = Number(process.hrtime.bigint() - t) / 1000
      found += findings.length > 0 ? 1 : 0
    })
    const used = process.cpuUsage(cpu)
    times.sort()
    return {
      queries: components.length,
      cpuUsPerLookup: r3((used.user + used.system) / components.length),
      withFindings: found,
      p50Us: r3(percentile(times, 50)),
      p99Us: r3(percentile(times, 99)),
      p999Us: r3(percentile(times, 99.9)),
    }
  }
  const lookups = {
    hit: latency(input.lookups.hit),
    miss: latency(input.lookups.miss),
    cpe: latency(input.lookups.cpe),
  }
  snapshot.close()
  return { scans, lookups, maxRssMiB: maxRssMiB() }
}

/** Renovate's ecosystem and package name of a purl, for the ecosystems it has files for. */
function renovatePackage(purl: string): { ecosystem: string; name: string } | undefined {
  const m = /^pkg:([^/]+)\/([^@?#]+)/.exec(purl)
  if (!m) return undefined
  const type = m[1]!
  const name = decodeURIComponent(m[2]!)
  const ecosystem = {
    npm: 'npm',
    pypi: 'PyPI',
    golang: 'Go',
    maven: 'Maven',
    cargo: 'crates.io',
    gem: 'RubyGems',
    nuget: 'NuGet',
    composer: 'Packagist',
  }[type]
  if (!ecosystem) return undefined
  return { ecosystem, name: ecosystem === 'Maven' ? name.replace('/', ':') : name }
}

async function renovate(input: Extract<ChildInput, { mode: 'renovate' }>) {
  // Read when the module is evaluated: set before the import.
  process.env.OSV_OFFLINE_ROOT_DIR = input.root
  const { OsvOfflineDb } = await import('@renovatebot/osv-offline-db')
  const db = OsvOfflineDb.create()
  const out = []
  // Its "load": the first query of each ecosystem reads that file whole to index it by name.
  const t = process.hrtime.bigint()
  const files = fs.readdirSync(input.root).filter((f) => f.endsWith('.nedb'))
  const ecosystems = ['npm', 'PyPI', 'Go', 'Maven', 'crates.io', 'RubyGems', 'NuGet', 'Packagist']
  for (const e of ecosystems) await db.query(e as never, '\0warm-up')
  const loadMs = msSince(t)
  for (const s of input.sboms) {
    const doc = JSON.parse(fs.readFileSync(s.file, 'utf8')) as { components?: unknown[] }
    const names: { ecosystem: string; name: string }[] = []
    const visit = (list: unknown[] | undefined) => {
      for (const c of list ?? []) {
        const o = c as { purl?: string; components?: unknown[] }
        const p = o.purl ? renovatePackage(o.purl) : undefined
        if (p) names.push(p)
        visit(o.components)
      }
    }
    visit(doc.components)
    const times: number[] = []
    let advisories = 0
    let withAdvisories = 0
    for (let i = 0; i < input.warmups + input.runs; i++) {
      advisories = 0
      withAdvisories = 0
      const start = process.hrtime.bigint()
      for (const n of names) {
        const found = await db.query(n.ecosystem as never, n.name)
        advisories += found.length
        withAdvisories += found.length > 0 ? 1 : 0
      }
      if (i >= input.warmups) times.push(msSince(start))
    }
    out.push({
      sbom: s.label,
      namesLookedUp: names.length,
      namesWithAdvisories: withAdvisories,
      advisoriesReturned: advisories,
      medianMs: r3(median(times)),
      runs: times.map(r3),
    })
  }
  db[Symbol.dispose]()
  return { files, loadMs: r3(loadMs), scans: out, maxRssMiB: maxRssMiB() }
}

const input = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as ChildInput
const result =
  input.mode === 'load'
    ? await load(input)
    : input.mode === 'warm'
      ? await warm(input)
      : await renovate(input)
process.stdout.write(`${JSON.stringify(result)}\n`)
