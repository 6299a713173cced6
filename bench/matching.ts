// `npx tsx bench/matching.ts [--runs 5]` with TEST_DIALECT=sqlite (default: a database file in a
// temporary folder) or TEST_DIALECT=postgres (a fresh schema of the test database).
// `npm run bench -- --only matching` runs it on SQLite.
//
// Imports the whole advisory corpus of ../shared/data (Go, PyPI and OSS-Fuzz OSV, CISA's CSAF OT
// feed and IT VEX, KEV) through the advisories service, uploads the 9 real IoT image SBOMs to 9
// product versions (those the parser accepts), then measures:
// - a full evaluation of each version (findings.service evaluateProductVersion: components read,
//   candidates looked up by index, engine, findings synced), median of runs, against the baseline
//   of parsing the same SBOM file (parseSbom: JSON.parse, schema validation, normalisation);
// - the re-evaluation after a one-advisory change (reevaluateForAdvisoryChanges): a real Go record
//   that reaches no version, and an npm record (semver, CVE-2022-25883) that reaches the SBOMs
//   listing pkg:npm/semver (the syft ones; the trivy ones list the npm modules too since their
//   SPDX 2.2 omissions became warnings);
//   each median of runs.
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
import { systemActor } from '../src/server/kernel/actor.ts'
import { newId } from '../src/server/kernel/crypto.ts'
import { importAdvisories } from '../src/server/modules/advisories/advisories.service.ts'
import {
  evaluateProductVersion,
  reevaluateForAdvisoryChanges,
} from '../src/server/modules/findings/findings.service.ts'
import { parseSbom } from '../src/server/modules/sboms/sbom-parser.ts'
import { uploadSbom } from '../src/server/modules/sboms/sboms.service.ts'
import { SHARED_DATA } from '../src/server/modules/vulnerabilities/versions/shared-data.testing.ts'
import { createTestDb, TEST_DIALECT } from '../src/server/testing/test-db.ts'

/** Every advisory source in ../shared/data, as an operator would list them. */
const SOURCES = [
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

const SBOM_DIR = path.join(SHARED_DATA, 'iot-image-sboms')

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits
const log = (message: string) => process.stderr.write(`[matching] ${message}\n`)

async function openDb(dir: string): Promise<{ db: Db; destroy: () => Promise<void> }> {
  if (TEST_DIALECT === 'postgres') {
    const testDb = await createTestDb()
    return { db: testDb.db, destroy: () => testDb.destroy() }
  }
  const db = await createDb(`sqlite:${path.join(dir, 'bench.db')}`)
  await migrateToLatest(db)
  return { db, destroy: () => db.destroy() }
}

/** GHSA-c2qf-rxjj-qqgw (CVE-2022-25883): semver ReDoS, fixed in 7.5.2, 6.3.1 and 5.7.2. */
function semverRecord(modified: string) {
  return {
    schema_version: '1.6.0',
    id: 'GHSA-c2qf-rxjj-qqgw',
    modified,
    published: '2023-06-21T06:30:28Z',
    aliases: ['CVE-2022-25883'],
    summary: 'semver vulnerable to Regular Expression Denial of Service',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'semver' },
        ranges: [
          {
            type: 'SEMVER',
            events: [
              { introduced: '7.0.0' },
              { fixed: '7.5.2' },
              { introduced: '6.0.0' },
              { fixed: '6.3.1' },
              { introduced: '0' },
              { fixed: '5.7.2' },
            ],
          },
        ],
      },
    ],
  }
}

export async function measure(options: { runs: number }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-bench-matching-'))
  const { db, destroy } = await openDb(dir)
  try {
    const ctx = {
      db,
      clock: systemClock,
      config: { dataDir: path.join(dir, 'data'), sbomMaxBytes: 64 * 2 ** 20 },
    } as Pick<Ctx, 'db' | 'clock' | 'config'>

    // ---- the corpus
    const importStart = performance.now()
    for (const source of SOURCES) {
      log(`importing ${source.name}`)
      await importAdvisories(ctx, {
        location: path.join(SHARED_DATA, source.location),
        format: source.format,
        triggeredBy: 'bench',
      })
    }
    const importMs = performance.now() - importStart
    const counts = async (
      table: 'advisories' | 'advisory_osv_affected' | 'advisory_csaf_products',
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const corpus = {
      advisories: await counts('advisories'),
      osvAffected: await counts('advisory_osv_affected'),
      csafLeaves: await counts('advisory_csaf_products'),
      importSeconds: round(importMs / 1000),
    }

    // ---- a manufacturer with one product version per SBOM
    const now = new Date().toISOString()
    const orgId = newId()
    const productId = newId()
    await db
      .insertInto('organisations')
      .values({
        id: orgId,
        name: 'Bench Devices',
        slug: 'bench-devices',
        type: 'manufacturer',
        created_at: now,
        updated_at: now,
      } as never)
      .execute()
    await db
      .insertInto('products')
      .values({
        id: productId,
        organisation_id: orgId,
        name: 'Edge node',
        model_numbers: '["EN-1"]',
        device_class: 'gateway',
        hardware_versions: '[]',
        sensors: '[]',
        data_collected: '[]',
        created_at: now,
        updated_at: now,
      } as never)
      .execute()
    const who = { actor: systemActor('bench') }
    const files = fs
      .readdirSync(SBOM_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
    const versions: { file: string; id: string; bytes: Buffer }[] = []
    const refused: { sbom: string; reason: string }[] = []
    for (const file of files) {
      const id = newId()
      await db
        .insertInto('product_versions')
        .values({
          id,
          product_id: productId,
          version: file,
          release_date: '2023-06-01',
          created_at: now,
          updated_at: now,
        } as never)
        .execute()
      const bytes = fs.readFileSync(path.join(SBOM_DIR, file))
      try {
        await uploadSbom(ctx, who, orgId, id, { bytes, fileName: file })
        versions.push({ file, id, bytes })
      } catch (error) {
        // A file the parser refuses is reported, not measured (vulnerabilities.md, SBOMs).
        refused.push({ sbom: file, reason: (error as Error).message.split('\n')[0] ?? '' })
        log(`${file}: refused by the SBOM parser`)
      }
    }
    // The change set of the import is not what is measured: move the cursor past it.
    log('consuming the import change set')
    const initial = performance.now()
    const first = await reevaluateForAdvisoryChanges(ctx)
    const initialMs = performance.now() - initial

    // ---- full evaluation per SBOM, against parsing the same file
    const perSbom = []
    for (const v of versions) {
      parseSbom(v.bytes, v.file)
      await evaluateProductVersion(ctx, v.id)
      const parse: number[] = []
      const evaluate: number[] = []
      let summary: Awaited<ReturnType<typeof evaluateProductVersion>> | undefined
      for (let i = 0; i < options.runs; i++) {
        let start = performance.now()
        parseSbom(v.bytes, v.file)
        parse.push(performance.now() - start)
        start = performance.now()
        summary = await evaluateProductVersion(ctx, v.id)
        evaluate.push(performance.now() - start)
      }
      const evaluateMs = median(evaluate)
      const parseMs = median(parse)
      perSbom.push({
        sbom: v.file,
        components: summary!.components,
        candidates: summary!.candidates,
        findings: summary!.open,
        evaluateMs: round(evaluateMs),
        parseMs: round(parseMs),
        ratioToParse: round(evaluateMs / parseMs, 2),
      })
      log(`${v.file}: ${round(evaluateMs)} ms (parse ${round(parseMs)} ms)`)
    }

    // ---- one advisory changes
    const changeDir = path.join(dir, 'changes')
    fs.mkdirSync(changeDir)
    const goRecord = JSON.parse(
      fs.readFileSync(path.join(SHARED_DATA, 'golang-vulndb/data/osv/GO-2022-0969.json'), 'utf8'),
    ) as Record<string, unknown>
    const oneChange = async (name: string, record: Record<string, unknown>) => {
      const file = path.join(changeDir, `${name}.json`)
      fs.writeFileSync(file, JSON.stringify(record))
      await importAdvisories(ctx, { location: file, format: 'osv', triggeredBy: 'bench' })
      const start = performance.now()
      const summary = await reevaluateForAdvisoryChanges(ctx)
      return { ms: performance.now() - start, summary }
    }
    const changes: Record<string, { medianMs: number; versions: number; findings: number }> = {}
    for (const [name, make] of [
      [
        'go-record-reaching-none',
        (i: number) => ({ ...goRecord, modified: `2030-01-0${i + 1}T00:00:00Z` }),
      ],
      ['npm-semver', (i: number) => semverRecord(`2030-01-0${i + 1}T00:00:00Z`)],
    ] as const) {
      const times: number[] = []
      let last: Awaited<ReturnType<typeof oneChange>> | undefined
      for (let i = 0; i < Math.min(options.runs, 9); i++) {
        last = await oneChange(name, make(i))
        times.push(last.ms)
      }
      changes[name] = {
        medianMs: round(median(times)),
        versions: last!.summary.versions.length,
        findings: last!.summary.versions.reduce((sum, s) => sum + s.open, 0),
      }
      log(`${name}: ${round(median(times))} ms, ${last!.summary.versions.length} versions`)
    }
    return {
      dialect: TEST_DIALECT,
      runs: options.runs,
      corpus,
      initialChangeSet: {
        changes: first.changes,
        versionsEvaluated: first.versions.length,
        seconds: round(initialMs / 1000),
      },
      perSbom,
      refused,
      medianEvaluateMs: round(median(perSbom.map((s) => s.evaluateMs))),
      medianParseMs: round(median(perSbom.map((s) => s.parseMs))),
      oneAdvisoryChange: changes,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }
  } finally {
    await destroy()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export type MatchingResult = Awaited<ReturnType<typeof measure>>

/** Runs the benchmark in its own process (so RSS is its own). */
export async function runMatching(
  root: string,
  options: { runs: number },
): Promise<MatchingResult> {
  const script = path.join(root, 'bench', 'matching.ts')
  const tsx = path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    'node_modules',
    '.bin',
    'tsx',
  )
  return new Promise<MatchingResult>((resolve, reject) => {
    execFile(
      tsx,
      [script, '--runs', String(options.runs)],
      {
        cwd: root,
        env: { ...process.env, TEST_DIALECT: 'sqlite' },
        maxBuffer: 16 * 2 ** 20,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`matching: ${error.message}\n${stderr}`))
        else resolve(JSON.parse(stdout) as MatchingResult)
      },
    )
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } })
  const result = await measure({ runs: Number(values.runs) })
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
}
