// `npx tsx bench/matching-ab.ts --before <checkout> --before-snapshot F --after-snapshot F
//   --work-dir DIR [--rounds 6]`: an A/B of the snapshot path in ONE process, for a machine whose
// speed swings more between runs than a change moves it. Loads the snapshot service of another
// checkout (`--before`, e.g. a `git worktree` of the base commit) beside this one's, each on its own
// snapshot of the same records (a snapshot format change needs one per side: build them with
// bench/matching-scale.ts --work-dir), and alternates rounds: 20,000 single hit lookups drawn as
// matching-scale draws them (DIR/1M/hits.json), then a scan of each L CycloneDX SBOM in DIR/1M and
// the match alone of its parsed components (`matchSnapshot`: keys, candidate rows, engine). Prints
// medians per side (wall and CPU time), their ratio, every round, and the findings of each side
// (which must agree).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { parseSbom } from '../src/server/modules/sboms/sbom-parser.ts'
import { mulberry32, pick } from '../src/server/testing/random.ts'
import * as afterService from '../src/server/modules/vulnerabilities/snapshot/snapshot.service.ts'
import type { SnapshotReader } from '../src/server/modules/vulnerabilities/snapshot/snapshot-file.ts'
import { randomVersion } from './lib/scale-osv.ts'

type Service = typeof afterService

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    'before-snapshot': { type: 'string' },
    'after-snapshot': { type: 'string' },
    'work-dir': { type: 'string' },
    rounds: { type: 'string', default: '6' },
    queries: { type: 'string', default: '20000' },
  },
})
const workDir = values['work-dir']
if (!values.before || !values['before-snapshot'] || !values['after-snapshot'] || !workDir) {
  throw new Error('usage: --before CHECKOUT --before-snapshot F --after-snapshot F --work-dir DIR')
}
const tierDir = path.join(workDir, '1M')
const beforeService = (await import(
  pathToFileURL(
    path.join(values.before, 'src/server/modules/vulnerabilities/snapshot/snapshot.service.ts'),
  ).href
)) as Service

const hits = JSON.parse(fs.readFileSync(path.join(tierDir, 'hits.json'), 'utf8')) as {
  ecosystem: string
  purl: string
}[]
const random = mulberry32(0x100c)
const queries = Array.from({ length: Number(values.queries) }, (_, i) => {
  const h = pick(random, hits)
  const v = randomVersion(random, h.ecosystem)
  const version = h.ecosystem === 'Go' ? `v${v}` : v
  return { key: `q${i}`, name: `q${i}`, version: v, purl: `${h.purl}@${version}`, cpes: [] }
})
const sboms = fs
  .readdirSync(tierDir)
  .filter((f) => /^sbom-L-\d+\.cdx\.json$/.test(f))
  .sort()
  .map((file) => {
    const bytes = fs.readFileSync(path.join(tierDir, file))
    // Parsed once, by this checkout's parser (the sides share it): the match alone is then
    // the part of the scan that the snapshot's format and the engine decide.
    return { file, bytes, sbom: parseSbom(bytes, file) }
  })

const sides = [
  { name: 'before', service: beforeService, file: values['before-snapshot'] },
  { name: 'after', service: afterService, file: values['after-snapshot'] },
].map((s) => ({ ...s, snapshot: null as unknown as SnapshotReader }))
for (const side of sides) {
  side.snapshot = await side.service.openSnapshot(side.file)
  for (const q of queries.slice(0, 2000)) side.service.matchSnapshot(side.snapshot, [q])
}

const runs: Record<string, Record<string, number[]>> = { before: {}, after: {} }
const findings: Record<string, Record<string, number>> = { before: {}, after: {} }
const record = (side: string, key: string, value: number) =>
  (runs[side]![key] ??= []).push(Math.round(value * 10) / 10)
for (let round = 0; round < Number(values.rounds); round++) {
  // Alternate which side goes first, so that drift favours neither.
  for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
    const times = new Float64Array(queries.length)
    let found = 0
    const cpu = process.cpuUsage()
    queries.forEach((q, i) => {
      const t = process.hrtime.bigint()
      found += side.service.matchSnapshot(side.snapshot, [q]).findings.length
      times[i] = Number(process.hrtime.bigint() - t) / 1000
    })
    const used = process.cpuUsage(cpu)
    times.sort()
    // CPU time as well: the VM's stolen time inflates wall times, not CPU.
    record(side.name, 'hitCpuUsPerLookup', (used.user + used.system) / queries.length)
    record(side.name, 'hitP50Us', times[Math.floor(times.length * 0.5)]!)
    record(side.name, 'hitP99Us', times[Math.floor(times.length * 0.99)]!)
    findings[side.name]!.hitLookups = found
    for (const sbom of sboms) {
      const t = performance.now()
      const scanCpu = process.cpuUsage()
      const result = side.service.scanSbom(
        side.snapshot,
        { bytes: sbom.bytes, fileName: sbom.file, snapshotFile: side.file },
        { failOn: 'none', includeUnknown: false },
      )
      record(side.name, `scanMs ${sbom.file}`, performance.now() - t)
      const scanUsed = process.cpuUsage(scanCpu)
      record(side.name, `scanCpuMs ${sbom.file}`, (scanUsed.user + scanUsed.system) / 1000)
      findings[side.name]![sbom.file] = result.summary.affected * 1_000_000 + result.summary.unknown
      const components = side.service.engineComponents(sbom.sbom)
      const matchStarted = performance.now()
      const matchCpu = process.cpuUsage()
      side.service.matchSnapshot(side.snapshot, components)
      record(side.name, `matchMs ${sbom.file}`, performance.now() - matchStarted)
      const matchUsed = process.cpuUsage(matchCpu)
      record(side.name, `matchCpuMs ${sbom.file}`, (matchUsed.user + matchUsed.system) / 1000)
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const results = Object.fromEntries(
  Object.keys(runs.before!).map((key) => {
    const b = median(runs.before![key]!)
    const a = median(runs.after![key]!)
    return [
      key,
      {
        before: b,
        after: a,
        ratio: Math.round((a / b) * 100) / 100,
        runs: { before: runs.before![key], after: runs.after![key] },
      },
    ]
  }),
)
process.stdout.write(
  `${JSON.stringify(
    {
      command: `bench/matching-ab.ts ${process.argv.slice(2).join(' ')}`,
      date: new Date().toISOString(),
      node: process.version,
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      findingsAgree: JSON.stringify(findings.before) === JSON.stringify(findings.after),
      findings,
      results,
    },
    null,
    2,
  )}\n`,
)
for (const side of sides) side.snapshot.close()
