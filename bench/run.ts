// `npm run bench [-- --quick] [-- --only throughput|memory|startup|verify|verify-offline|registry-search|advisory-import|matching|sbom-scan|matching-scale|label-freshness]`
// Runs the platform's benchmarks and prints one JSON document to stdout (progress goes to stderr).
// Every figure comes with a baseline measured in the same run; see docs/performance.md.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { cleanupNow, installCleanupHandlers, log, removeDir } from './lib/cleanup.ts'
import { createCheckout, REPO_ROOT } from './lib/checkout.ts'
import { round } from './lib/processes.ts'
import { benchStartup } from './startup.ts'
import { benchThroughput } from './throughput.ts'
import { runRegistrySearch, TARGET_P95_MS } from './registry-search.ts'
import { runAdvisoryImport } from './advisory-import.ts'
import { runMatching } from './matching.ts'
import { runSbomScan } from './sbom-scan.ts'
import { runMatchingScale, scaleOptions } from './matching-scale.ts'
import { runLabelFreshness, TARGET_MS as LABEL_FRESHNESS_TARGET_MS } from './label-freshness.ts'
import { benchVerify } from './verify.ts'
import { benchVerifyOffline } from './verify-offline.ts'

const BENCHMARKS = [
  'throughput',
  'memory',
  'startup',
  'verify',
  'verify-offline',
  'registry-search',
  'advisory-import',
  'matching',
  'sbom-scan',
  'matching-scale',
  'label-freshness',
] as const
type Benchmark = (typeof BENCHMARKS)[number]

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      root: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    process.stderr.write(
      'usage: npm run bench -- [--quick] [--only throughput|memory|startup|verify|verify-offline|registry-search|advisory-import|matching|sbom-scan|matching-scale|label-freshness] [--root <checkout>]\n' +
        '  --quick  short durations and fewer runs (a smoke run; figures are not comparable)\n' +
        '  --only   run one benchmark (memory is measured around the throughput load)\n' +
        '  --root   benchmark the platform of another checkout (default: this one)\n',
    )
    process.exit(0)
  }
  const only = values.only
  if (only !== undefined && !BENCHMARKS.includes(only as Benchmark)) {
    process.stderr.write(`--only must be one of ${BENCHMARKS.join(', ')}, got "${only}"\n`)
    process.exit(2)
  }
  const root = values.root === undefined ? REPO_ROOT : path.resolve(values.root)
  if (!fs.existsSync(path.join(root, 'bin', 'isn.js'))) {
    process.stderr.write(`--root: no bin/isn.js in ${root}\n`)
    process.exit(2)
  }
  return { quick: values.quick, only: only as Benchmark | undefined, root }
}

function machine() {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  }
}

/** Which code was measured: the commit, and whether the server's sources differ from it. */
function describeSource(root: string) {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', ['-C', root, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim()
    } catch {
      return undefined
    }
  }
  const changed = git('status', '--porcelain', '--', 'bin', 'src/cli', 'src/server', 'src/common')
  return {
    source: root,
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedServerChanges: changed === undefined ? undefined : changed !== '',
  }
}

const loadAverage = () => os.loadavg().map((value) => round(value, 2))

async function main(): Promise<number> {
  const { quick, only, root } = options()
  const selected = (name: Benchmark) => only === undefined || only === name
  installCleanupHandlers()

  const startedAt = new Date()
  const loadAtStart = loadAverage()
  const problems: string[] = []
  const results: {
    throughput?: Awaited<ReturnType<typeof benchThroughput>>['throughput']
    memory?: Awaited<ReturnType<typeof benchThroughput>>['memory']
    startup?: Awaited<ReturnType<typeof benchStartup>>
    verify?: Awaited<ReturnType<typeof benchVerify>>
    verifyOffline?: Awaited<ReturnType<typeof benchVerifyOffline>>
    registrySearch?: Awaited<ReturnType<typeof runRegistrySearch>>
    advisoryImport?: Awaited<ReturnType<typeof runAdvisoryImport>>
    matching?: Awaited<ReturnType<typeof runMatching>>
    sbomScan?: Awaited<ReturnType<typeof runSbomScan>>
    matchingScale?: Awaited<ReturnType<typeof runMatchingScale>>
    labelFreshness?: Awaited<ReturnType<typeof runLabelFreshness>>
  } = {}
  const checkout = createCheckout(root)
  log(`platform from ${root}, copied to ${checkout.root}${quick ? ' (quick run)' : ''}`)
  const attempt = async (name: string, run: () => Promise<void>) => {
    try {
      await run()
    } catch (error) {
      problems.push(`${name} failed: ${error instanceof Error ? error.message : String(error)}`)
      log(error instanceof Error ? (error.stack ?? error.message) : String(error))
    }
  }
  try {
    if (selected('throughput') || selected('memory')) {
      await attempt('throughput', async () => {
        const { throughput, memory } = await benchThroughput(
          checkout,
          quick
            ? { durationSeconds: 2, warmupSeconds: 1, rounds: 1 }
            : { durationSeconds: 10, warmupSeconds: 3, rounds: 3 },
          problems,
        )
        if (selected('throughput')) results.throughput = throughput
        if (selected('memory')) results.memory = memory
      })
    }
    if (selected('startup')) {
      await attempt('startup', async () => {
        results.startup = await benchStartup(checkout, quick ? 2 : 5)
      })
    }
    if (selected('registry-search')) {
      await attempt('registry-search', async () => {
        results.registrySearch = await runRegistrySearch(
          root,
          quick ? { labels: 10_000, runs: 2, rounds: 1 } : { labels: 100_000, runs: 10, rounds: 3 },
        )
      })
    }
    if (selected('advisory-import')) {
      await attempt('advisory-import', async () => {
        results.advisoryImport = await runAdvisoryImport(root, { runs: quick ? 1 : 3 })
      })
    }
    if (selected('matching')) {
      await attempt('matching', async () => {
        results.matching = await runMatching(root, { runs: quick ? 2 : 5 })
      })
    }
    if (selected('sbom-scan')) {
      await attempt('sbom-scan', async () => {
        results.sbomScan = await runSbomScan(root, { runs: quick ? 2 : 5 })
      })
    }
    if (selected('label-freshness')) {
      await attempt('label-freshness', async () => {
        // 10,000 seeded SBOMs take minutes to write on each database; --quick seeds 1,000.
        results.labelFreshness = await runLabelFreshness(
          root,
          quick ? { versions: 1000, runs: 1 } : { versions: 10_000, runs: 5 },
        )
      })
    }
    if (selected('matching-scale')) {
      await attempt('matching-scale', async () => {
        // --quick: DB tiers 10k/100k with SBOMs S/M only (§4.4's CI set); options of
        // bench/matching-scale.ts itself (--runs, --large-runs, --queries…) run it directly.
        results.matchingScale = await runMatchingScale(scaleOptions(quick ? ['--quick'] : []))
      })
    }
    if (selected('verify')) {
      await attempt('verify', async () => {
        results.verify = await benchVerify(
          checkout,
          quick
            ? { durationSeconds: 2, warmupSeconds: 1, rounds: 1, labels: 100 }
            : { durationSeconds: 10, warmupSeconds: 3, rounds: 3, labels: 400 },
          problems,
        )
      })
    }
    if (selected('verify-offline')) {
      await attempt('verify-offline', async () => {
        results.verifyOffline = await benchVerifyOffline(
          checkout,
          quick ? { labels: 1000, runs: 2 } : { labels: 10_000, runs: 5 },
          problems,
        )
      })
    }
  } finally {
    removeDir(checkout.root)
    cleanupNow()
  }

  const document = {
    machine: machine(),
    node: process.version,
    date: startedAt.toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick,
    platform: describeSource(root),
    conditions: {
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAverage(),
      durationSeconds: round((Date.now() - startedAt.getTime()) / 1000),
      note: 'load generator (autocannon) and servers share this machine; load average > cores means other work competed',
    },
    valid: problems.length === 0,
    problems,
    targets: {
      authenticatedReadVsBare: results.throughput && {
        required: results.throughput.target.required,
        measured: results.throughput.target.measured,
        met: results.throughput.target.met,
      },
      startupMs: results.startup && {
        required: results.startup.target.requiredMs,
        freshDataDir: results.startup.target.freshDataDir.medianMs,
        existingDataDir: results.startup.target.existingDataDir.medianMs,
        met: results.startup.target.freshDataDir.met && results.startup.target.existingDataDir.met,
      },
      registrySearchP95Ms: results.registrySearch && {
        required: TARGET_P95_MS,
        worstKind: Object.fromEntries(
          Object.entries(results.registrySearch).map(([dialect, r]) => [
            dialect,
            Math.max(...Object.values(r.kinds).map((k) => k.p95MedianOfRounds)),
          ]),
        ),
        met: Object.values(results.registrySearch).every((r) => r.met),
      },
      labelVerifyVsBare: results.verify?.target,
      offlineVerifyMs: results.verifyOffline?.target,
      labelFreshnessMs: results.labelFreshness && {
        required: LABEL_FRESHNESS_TARGET_MS,
        medianByDialectAndHit: Object.fromEntries(
          Object.entries(results.labelFreshness).map(([dialect, r]) => [
            dialect,
            Object.fromEntries(r.results.map((h) => [h.hit, h.medianStatusMs])),
          ]),
        ),
        met: Object.values(results.labelFreshness).every((r) => r.results.every((h) => h.met)),
      },
    },
    results,
  }
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`)
  if (!document.valid) log(`INVALID RUN:\n  ${problems.join('\n  ')}`)
  return document.valid ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(String(error))
    cleanupNow()
    process.exit(1)
  },
)
