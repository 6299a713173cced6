// `npm run bench -- --only verify-offline`: offline verification of many labels in one CLI run
// (the "10,000 labels in one CLI run ≤ 1 s"). The labels are issued for real by the label
// service into a temporary database, with the JWKS and both signed status lists saved beside them,
// then `node bin/isn.js label verify <file> --jwks … --status-list … --status-list …` is timed
// from spawn to exit, as a user would run it. Baselines in the same run: `node -e ""` (Node's own
// start) and the same command on one label (the CLI's start plus reading the key and lists).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { log, removeDir, trackChild } from './lib/cleanup.ts'
import type { Checkout } from './lib/checkout.ts'
import { median, round } from './lib/processes.ts'
import { tempDataDir } from './lib/servers.ts'
import { offlineFiles, seedLabels, tampered, type SeededLabel } from './verify-seed.ts'

export const OFFLINE_TARGET_MS = 1000

type Main = typeof import('../src/server/main.ts')
type ConfigModule = typeof import('../src/server/config.ts')

export interface VerifyOfflineSettings {
  labels: number
  runs: number
}

interface Sample {
  ms: number
  /** User + system CPU of the process, from this process's reaped-children counters. */
  cpuMs: number | undefined
  code: number | null
  stdout: string
  stderr: string
}

let clockTicks: number | undefined
/** CPU time of the waited-for children of this process so far (cutime + cstime), in ms. */
function childrenCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    clockTicks ??= 100
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks
  } catch {
    return undefined
  }
}

/** Spawn → exit of `node <args>`, with its output captured (stdout up to 64 MB). */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs()
    const started = performance.now()
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    trackChild(child)
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.once('error', reject)
    child.once('close', (code) => {
      const ms = performance.now() - started
      clearTimeout(timer)
      const cpuAfter = childrenCpuMs()
      resolve({
        ms: round(ms, 1),
        cpuMs:
          cpuBefore === undefined || cpuAfter === undefined
            ? undefined
            : round(cpuAfter - cpuBefore),
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      })
    })
  })
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

/** The environment of a user's shell, without anything that would change what is measured. */
function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of ['NODE_OPTIONS', 'DATABASE_URL', 'DATA_DIR', 'LOG_LEVEL']) delete env[name]
  return env
}

/**
 * Issues `settings.labels` labels (1 in 50 suspended, 1 in 100 revoked), saves them one per line
 * with the JWKS and status lists, and times `isn label verify` over the whole file (human output
 * and --json) against the two baselines, alternating the order between runs.
 */
export async function benchVerifyOffline(
  checkout: Checkout,
  settings: VerifyOfflineSettings,
  problems: string[],
) {
  const dir = tempDataDir()
  try {
    const { openContext } = (await import(`${checkout.root}/src/server/main.ts`)) as Main
    const { loadConfig } = (await import(`${checkout.root}/src/server/config.ts`)) as ConfigModule
    const config = loadConfig({
      DATABASE_URL: `sqlite:${path.join(dir, 'isn.db')}`,
      DATA_DIR: dir,
      PUBLIC_URL: 'https://isn.example',
      LOG_LEVEL: 'silent',
    })
    const ctx = await openContext(config)
    let labels: SeededLabel[]
    let files: Awaited<ReturnType<typeof offlineFiles>>
    const seedStarted = performance.now()
    try {
      log(`verify-offline: issuing ${settings.labels} labels`)
      labels = await seedLabels(
        checkout.root,
        ctx,
        { count: settings.labels, suspendEvery: 50, revokeEvery: 100 },
        (done) => log(`  ${done} issued`),
      )
      files = await offlineFiles(checkout.root, ctx)
    } finally {
      await ctx.db.destroy()
    }
    const seedMs = round(performance.now() - seedStarted)
    const write = (name: string, content: string) => {
      const at = path.join(dir, name)
      fs.writeFileSync(at, content)
      return at
    }
    const many = write('labels.txt', `${labels.map((l) => l.jws).join('\n')}\n`)
    const one = write('one.txt', `${labels.find((l) => l.status === 'active')!.jws}\n`)
    const material = [
      '--jwks',
      write('jwks.json', files.jwks),
      '--status-list',
      write('revocation.jwt', files.revocation),
      '--status-list',
      write('suspension.jwt', files.suspension),
    ]
    const expected = {
      count: labels.length,
      valid: labels.filter((l) => l.status === 'active').length,
      suspended: labels.filter((l) => l.status === 'suspended').length,
      revoked: labels.filter((l) => l.status === 'revoked').length,
    }
    // A second file with some bad labels among the genuine ones, to check that none slips through.
    const mixed = write(
      'mixed.txt',
      `${[...labels.slice(0, 200).map((l) => l.jws), tampered(labels[0]!.jws), 'random text'].join('\n')}\n`,
    )

    const bin = path.join(checkout.root, 'bin', 'isn.js')
    const env = cliEnv()
    const kinds: Record<'node' | 'oneLabel' | 'labels' | 'labelsJson', string[]> = {
      node: ['-e', ''],
      oneLabel: [bin, 'label', 'verify', one, ...material],
      labels: [bin, 'label', 'verify', many, ...material],
      labelsJson: [bin, 'label', 'verify', many, ...material, '--json'],
    }
    type Kind = keyof typeof kinds

    log('verify-offline: priming (builds dist/isn.mjs in the benchmark checkout)')
    const prime = await timeProcess(kinds.oneLabel, env)
    if (prime.code !== 0) {
      throw new Error(`isn label verify on one label exited ${prime.code}: ${prime.stderr}`)
    }
    const check = await timeProcess([bin, 'label', 'verify', mixed, ...material, '--json'], env)
    const mixedResult = JSON.parse(check.stdout) as {
      count: number
      valid: number
      invalid: number
      results: { reasons: { code: string }[] }[]
    }
    const mixedCodes = mixedResult.results.slice(-2).map((r) => r.reasons[0]?.code)
    if (
      check.code !== 1 ||
      mixedResult.count !== 202 ||
      mixedCodes.join() !== 'bad_signature,malformed'
    ) {
      problems.push(
        `verify-offline: the mixed file was not judged right (exit ${check.code}, ${JSON.stringify(mixedCodes)})`,
      )
    }

    const samples: Record<Kind, Sample[]> = { node: [], oneLabel: [], labels: [], labelsJson: [] }
    const order = Object.keys(kinds) as Kind[]
    for (let run = 1; run <= settings.runs; run++) {
      for (const kind of run % 2 === 1 ? order : [...order].reverse()) {
        const sample = await timeProcess(kinds[kind], env)
        const bad = judge(kind, sample, expected)
        if (bad) problems.push(`verify-offline ${kind} run ${run}: ${bad}`)
        // Keep the output out of the report.
        samples[kind].push({ ...sample, stdout: '', stderr: '' })
        log(`  run ${run} ${kind.padEnd(10)} ${sample.ms} ms  cpu ${sample.cpuMs ?? '?'} ms`)
      }
    }
    const report = {
      node: summary(samples.node),
      oneLabel: summary(samples.oneLabel),
      labels: summary(samples.labels),
      labelsJson: summary(samples.labelsJson),
    }
    const labelsMs = report.labels.medianMs
    const labelsJsonMs = report.labelsJson.medianMs
    return {
      settings: { ...settings, cores: os.cpus().length },
      seeded: { ...expected, seedMs },
      commands: {
        node: 'node -e ""',
        oneLabel:
          'node bin/isn.js label verify one.txt --jwks jwks.json --status-list revocation.jwt --status-list suspension.jwt',
        labels: `node bin/isn.js label verify labels.txt (${labels.length} lines) --jwks … --status-list … --status-list …`,
        labelsJson: 'the same with --json',
      },
      results: report,
      perLabelMicros: {
        human: round(((labelsMs - report.oneLabel.medianMs) * 1000) / (labels.length - 1), 1),
        json: round(((labelsJsonMs - report.oneLabel.medianMs) * 1000) / (labels.length - 1), 1),
      },
      target: {
        description: `${labels.length} labels verified offline in one CLI run, spawn to exit (median)`,
        requiredMs: OFFLINE_TARGET_MS,
        measuredMs: labelsMs,
        measuredJsonMs: labelsJsonMs,
        met: labelsMs <= OFFLINE_TARGET_MS && labelsJsonMs <= OFFLINE_TARGET_MS,
      },
    }
  } finally {
    removeDir(dir)
  }
}

/** Why a timed run does not count: a wrong exit code or a wrong count of valid labels. */
function judge(
  kind: string,
  sample: Sample,
  expected: { count: number; valid: number },
): string | undefined {
  if (kind === 'node') return sample.code === 0 ? undefined : `exit ${sample.code}`
  if (kind === 'oneLabel') return sample.code === 0 ? undefined : `exit ${sample.code}`
  const wantCode = expected.valid === expected.count ? 0 : 1
  if (sample.code !== wantCode) return `exit ${sample.code}, expected ${wantCode}`
  if (kind === 'labelsJson') {
    const json = JSON.parse(sample.stdout) as { count?: number; valid?: number }
    if (json.count !== expected.count || json.valid !== expected.valid) {
      return `counted ${json.valid}/${json.count} valid, expected ${expected.valid}/${expected.count}`
    }
  } else if (!sample.stdout.includes(`${expected.valid} of ${expected.count} labels valid`)) {
    return `no "${expected.valid} of ${expected.count} labels valid" in the output`
  }
  return undefined
}
