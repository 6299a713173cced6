// `npx tsx bench/sbom-scan.ts [--runs 5]`, or `npm run bench -- --only sbom-scan`.
//
// Offline SBOM scan (docs/performance.md, "Offline SBOM scan"): imports the whole ../shared/data
// advisory corpus into a fresh SQLite database with `isn advisories import`, times
// `isn advisories snapshot` (wall time, file size), then times `isn sbom scan` from spawn to exit
// for each IoT image SBOM (median of --runs, after one warm-up). Baselines in the same run:
// `isn --version` (spawn + the CLI bundle loading, nothing else) and parseSbom alone in process.
// For the format choice it also measures the alternative: the same candidates as one gzip JSON
// blob, gunzipped and parsed whole (what a scanner of such a file pays before the first lookup).
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import zlib from 'node:zlib'
import Database from 'better-sqlite3'
import { parseSbom } from '../src/server/modules/sboms/sbom-parser.ts'
import type { ScanResult } from '../src/server/modules/vulnerabilities/snapshot/snapshot.service.ts'
import { SHARED_DATA } from '../src/server/modules/vulnerabilities/versions/shared-data.testing.ts'
import { createCheckout } from './lib/checkout.ts'
import { removeDir } from './lib/cleanup.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The advisory corpus of ../shared/data, as `isn advisories import` takes it. */
const SOURCES = [
  ['golang-vulndb/data/osv', 'osv'],
  ['pypa-advisory-database/vulns', 'osv'],
  ['google-oss-fuzz-vulns/vulns', 'osv'],
  ['cisagov-CSAF/csaf_files/OT/white/cisa-csaf-ot-feed-tlp-white.json', 'csaf'],
  ['cisagov-CSAF/csaf_files/IT/white', 'csaf'],
  ['cisagov-kev-data/known_exploited_vulnerabilities.json', 'kev'],
] as const

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const r1 = (n: number) => Math.round(n * 10) / 10
const log = (line: string) => process.stderr.write(`${line}\n`)

function timed(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  const start = performance.now()
  const result = spawnSync(process.execPath, [bin, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  })
  return {
    ms: performance.now() - start,
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  }
}

export async function runSbomScan(root: string, options: { runs: number }) {
  // A private copy of the checkout: a source edit elsewhere would otherwise rebuild the CLI
  // bundle in the middle of a timed run (bench/lib/checkout.ts).
  const checkout = createCheckout(root)
  const bin = path.join(checkout.root, 'bin/isn.js')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-bench-scan-'))
  const env = {
    ...process.env,
    LOG_LEVEL: 'warn',
    DATA_DIR: path.join(dir, 'data'),
    DATABASE_URL: `sqlite:${path.join(dir, 'data/isn.db')}`,
  }
  try {
    const importStart = performance.now()
    for (const [location, format] of SOURCES) {
      log(`importing ${location}`)
      const r = timed(
        bin,
        ['advisories', 'import', path.join(SHARED_DATA, location), '--format', format, '--json'],
        env,
      )
      if (r.code !== 0 && r.code !== 1) throw new Error(`import of ${location}: ${r.stderr}`)
    }
    const importMs = performance.now() - importStart

    const snapshot = path.join(dir, 'advisories.snapshot')
    const builds: number[] = []
    let built:
      { bytes: number; meta: { counts: Record<string, number>; contentSha256: string } } | undefined
    for (let i = 0; i < Math.min(3, options.runs); i++) {
      const r = timed(bin, ['advisories', 'snapshot', '--out', snapshot, '--json'], env)
      if (r.code !== 0) throw new Error(`snapshot: ${r.stderr}`)
      builds.push(r.ms)
      built = JSON.parse(r.stdout) as typeof built
    }

    // The alternative format: every candidate in one gzip JSON document.
    const db = new Database(snapshot, { readonly: true })
    const whole = {
      advisories: db.prepare('select * from advisories').all(),
      osv: db.prepare('select * from osv_entries').all(),
      leaves: db.prepare('select * from csaf_leaves').all(),
      vendors: db.prepare('select * from csaf_leaf_vendors').all(),
      vulnerabilities: db.prepare('select * from csaf_vulnerabilities').all(),
      kev: db.prepare('select * from kev').all(),
    }
    db.close()
    const gz = zlib.gzipSync(JSON.stringify(whole))
    const gzipLoads: number[] = []
    for (let i = 0; i < options.runs; i++) {
      const start = performance.now()
      JSON.parse(zlib.gunzipSync(gz).toString('utf8'))
      gzipLoads.push(performance.now() - start)
    }

    const offline = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' }
    timed(bin, ['--version'], offline)
    const version: number[] = []
    for (let i = 0; i < options.runs; i++) version.push(timed(bin, ['--version'], offline).ms)

    const sbomDir = path.join(SHARED_DATA, 'iot-image-sboms')
    const sboms = []
    for (const name of fs.readdirSync(sbomDir).sort()) {
      const file = path.join(sbomDir, name)
      const bytes = fs.readFileSync(file)
      // A file the parser refuses (exit 2 from the scan) is timed up to the refusal, as the
      // scan's is. (trivy 0.x's SPDX 2.2 was refused until its known omissions became warnings.)
      const parse: number[] = []
      let refused: string | undefined
      for (let i = 0; i < options.runs; i++) {
        const start = performance.now()
        try {
          parseSbom(bytes, name)
        } catch (error) {
          refused = error instanceof Error ? error.message.split('\n')[0] : String(error)
        }
        parse.push(performance.now() - start)
      }
      const args = ['sbom', 'scan', file, '--db', snapshot, '--json', '--fail-on', 'none']
      timed(bin, args, offline)
      const walls: number[] = []
      let last: ScanResult | undefined
      for (let i = 0; i < options.runs; i++) {
        const r = timed(bin, args, offline)
        if (r.code !== (refused ? 2 : 0)) throw new Error(`scan of ${name}: ${r.stderr}`)
        walls.push(r.ms)
        if (!refused) last = JSON.parse(r.stdout) as ScanResult
      }
      sboms.push({
        sbom: name,
        bytes: bytes.length,
        ...(refused ? { refused } : {}),
        components: last?.sbom.components,
        findings: last?.summary.affected,
        unknown: last?.summary.unknown,
        scanWallMs: r1(median(walls)),
        inProcess: last?.timings,
        parseOnlyMs: r1(median(parse)),
        overVersionSpawnMs: r1(median(walls) - median(version)),
      })
      log(`${name}: ${r1(median(walls))} ms`)
    }
    return {
      runs: options.runs,
      corpus: { importMs: Math.round(importMs), counts: built?.meta.counts },
      snapshot: {
        buildWallMs: Math.round(median(builds)),
        bytes: built?.bytes,
        sha256: built?.meta.contentSha256,
      },
      alternativeGzipJson: { bytes: gz.length, gunzipAndParseMs: r1(median(gzipLoads)) },
      baselineVersionSpawnMs: r1(median(version)),
      sboms,
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      commit: execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], {
        encoding: 'utf8',
      }).trim(),
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
    removeDir(checkout.root)
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } })
  const result = await runSbomScan(ROOT, { runs: Number(values.runs) })
  process.stdout.write(
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), ...result }, null, 2)}\n`,
  )
}
