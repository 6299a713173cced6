// `npx tsx bench/advisory-import.ts [--runs 1]` with TEST_DIALECT=sqlite (default: a database file
// in a temporary folder) or TEST_DIALECT=postgres (a fresh schema of TEST_POSTGRES_URL, dropped
// afterwards). `npm run bench -- --only advisory-import` runs it once per dialect.
//
// Imports the whole ../shared/data advisory corpus (Go, PyPI and OSS-Fuzz OSV records, the CISA
// CSAF OT feed and IT VEX folder, the KEV catalogue) into an empty database, then imports it again
// unchanged, and prints the times, counts and peak RSS as JSON. The baseline, measured in the same
// run: reading and JSON.parse of the same files (the floor any import pays).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createDb, type Db } from '../src/server/db/database.ts'
import { migrateToLatest } from '../src/server/db/migrate.ts'
import { systemClock } from '../src/server/kernel/clock.ts'
import type { Ctx } from '../src/server/kernel/context.ts'
import { importAdvisories } from '../src/server/modules/advisories/advisories.service.ts'
import { openSource } from '../src/server/modules/advisories/advisory-sources.ts'
import { createTestDb, TEST_DIALECT } from '../src/server/testing/test-db.ts'
import { SHARED_DATA } from '../src/server/modules/vulnerabilities/versions/shared-data.testing.ts'

/** The corpus: every advisory source in ../shared/data, as an operator would list them. */
export const SOURCES = [
  { name: 'go', location: 'golang-vulndb/data/osv', format: 'osv' },
  { name: 'pypi', location: 'pypa-advisory-database/vulns', format: 'osv' },
  { name: 'oss-fuzz', location: 'google-oss-fuzz-vulns/vulns', format: 'osv' },
  {
    name: 'cisa-csaf-ot',
    location: 'cisagov-CSAF/csaf_files/OT/white/cisa-csaf-ot-feed-tlp-white.json',
    format: 'csaf',
  },
  { name: 'cisa-csaf-it-vex', location: 'cisagov-CSAF/csaf_files/IT/white', format: 'csaf' },
  { name: 'kev', location: 'cisagov-kev-data/known_exploited_vulnerabilities.json', format: 'kev' },
] as const

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const ms = (start: number) => Math.round(performance.now() - start)

/** Reading and parsing every document of the corpus once: the floor. */
async function readFloorMs(): Promise<{ ms: number; files: number; bytes: number }> {
  const start = performance.now()
  let files = 0
  let bytes = 0
  for (const source of SOURCES) {
    const opened = await openSource(path.join(SHARED_DATA, source.location), source.format)
    for await (const item of opened.items()) {
      if ('bytes' in item) {
        JSON.parse(item.bytes.toString('utf8'))
        files += 1
        bytes += item.bytes.length
      }
    }
  }
  return { ms: ms(start), files, bytes }
}

async function openDb(): Promise<{ db: Db; destroy: () => Promise<void>; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-bench-advisories-'))
  if (TEST_DIALECT === 'postgres') {
    const testDb = await createTestDb()
    return { db: testDb.db, dir, destroy: () => testDb.destroy() }
  }
  const db = await createDb(`sqlite:${path.join(dir, 'bench.db')}`)
  await migrateToLatest(db)
  return { db, dir, destroy: () => db.destroy() }
}

async function importAll(ctx: Pick<Ctx, 'db' | 'clock' | 'config'>) {
  const perSource: Record<string, { ms: number; counts: Record<string, number> }> = {}
  const start = performance.now()
  for (const source of SOURCES) {
    const begun = performance.now()
    const result = await importAdvisories(ctx, {
      location: path.join(SHARED_DATA, source.location),
      format: source.format,
      triggeredBy: 'bench',
    })
    perSource[source.name] = { ms: ms(begun), counts: { ...result.counts } }
  }
  return { ms: ms(start), perSource }
}

export async function measure(options: { runs: number }) {
  const floors: number[] = []
  const firsts: number[] = []
  const agains: number[] = []
  let last:
    | { first: Awaited<ReturnType<typeof importAll>>; again: Awaited<ReturnType<typeof importAll>> }
    | undefined
  let floorInfo = { files: 0, bytes: 0 }
  for (let run = 0; run < options.runs; run++) {
    const floor = await readFloorMs()
    floors.push(floor.ms)
    floorInfo = { files: floor.files, bytes: floor.bytes }
    const { db, dir, destroy } = await openDb()
    try {
      const ctx = { db, clock: systemClock, config: { dataDir: path.join(dir, 'data') } } as Pick<
        Ctx,
        'db' | 'clock' | 'config'
      >
      const first = await importAll(ctx)
      const again = await importAll(ctx)
      firsts.push(first.ms)
      agains.push(again.ms)
      last = { first, again }
    } finally {
      await destroy()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  const floor = median(floors)
  const first = median(firsts)
  const again = median(agains)
  const total = (counts: Record<string, { counts: Record<string, number> }>, key: string) =>
    Object.values(counts).reduce((sum, s) => sum + (s.counts[key] ?? 0), 0)
  return {
    dialect: TEST_DIALECT,
    runs: options.runs,
    corpus: { files: floorInfo.files, megabytes: Math.round(floorInfo.bytes / 1e5) / 10 },
    baseline: { readAndParseMs: floor },
    firstImport: {
      medianMs: first,
      ratioToFloor: Math.round((first / floor) * 10) / 10,
      new: total(last!.first.perSource, 'new'),
      failed: total(last!.first.perSource, 'failed'),
      perSource: last!.first.perSource,
    },
    unchangedReimport: {
      medianMs: again,
      ratioToFloor: Math.round((again / floor) * 10) / 10,
      unchanged: total(last!.again.perSource, 'unchanged'),
      changed: total(last!.again.perSource, 'changed'),
      new: total(last!.again.perSource, 'new'),
    },
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }
}

export type AdvisoryImportResult = Awaited<ReturnType<typeof measure>>

/** Runs the benchmark in its own process per dialect (so RSS is per dialect). */
export async function runAdvisoryImport(
  root: string,
  options: { runs: number },
): Promise<Record<'sqlite' | 'postgres', AdvisoryImportResult>> {
  const script = path.join(root, 'bench', 'advisory-import.ts')
  const tsx = path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    'node_modules',
    '.bin',
    'tsx',
  )
  const run = (dialect: 'sqlite' | 'postgres') =>
    new Promise<AdvisoryImportResult>((resolve, reject) => {
      execFile(
        tsx,
        [script, '--runs', String(options.runs)],
        { cwd: root, env: { ...process.env, TEST_DIALECT: dialect }, maxBuffer: 16 * 2 ** 20 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`advisory-import (${dialect}): ${error.message}\n${stderr}`))
          else resolve(JSON.parse(stdout) as AdvisoryImportResult)
        },
      )
    })
  return { sqlite: await run('sqlite'), postgres: await run('postgres') }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '1' } } })
  const result = await measure({ runs: Number(values.runs) })
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
}
