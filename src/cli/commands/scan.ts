import fs from 'node:fs'
import path from 'node:path'
import { Presets, SingleBar } from 'cli-progress'
import { Option, type Command } from 'commander'
import { AppError } from '../../common/errors.ts'
import { loadConfig } from '../../server/config.ts'
import { openContext } from '../../server/main.ts'
import {
  buildSnapshot,
  defaultSnapshotPath,
  FAIL_ON,
  openSnapshot,
  scanSbom,
  type FailOn,
  type ScanFinding,
  type ScanResult,
  type SnapshotProgress,
  type SnapshotSummary,
} from '../../server/modules/vulnerabilities/snapshot/snapshot.service.ts'
import { CheckFailed } from '../check-failed.ts'
import { createOutput, type Output } from '../output.ts'
import { silentLogger } from '../silent-logger.ts'

// `isn advisories snapshot` (database → snapshot file) and `isn sbom scan` (SBOM + snapshot →
// findings, offline). Both are added to the `advisories` and `sbom` commands registered before.

/** The snapshot path when --db / --out is not given: DATA_DIR (default ./data)/advisories.snapshot. */
function defaultPath(): string {
  return defaultSnapshotPath(path.resolve(process.env.DATA_DIR || './data'))
}

function snapshotProgress(out: Output) {
  if (out.json || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined }
  const bar = new SingleBar(
    { stream: process.stderr, format: ' {bar} {value}/{total} advisories', hideCursor: true },
    Presets.shades_classic,
  )
  let started = false
  return {
    update: (p: SnapshotProgress) => {
      if (!started) bar.start(p.total, p.advisories)
      else bar.update(p.advisories)
      started = true
    },
    stop: () => {
      if (started) bar.stop()
      started = false
    },
  }
}

function describeSnapshot(s: SnapshotSummary): string[] {
  const c = s.meta.counts
  return [
    `Snapshot ${s.file}: ${(s.bytes / 2 ** 20).toFixed(1)} MiB in ${(s.durationMs / 1000).toFixed(1)} s`,
    `  OSV ${c.osv} records (${c.osvEntries} affected entries), CSAF ${c.csaf} documents (${c.csafLeaves} products, ${c.csafVulnerabilities} vulnerabilities), KEV ${c.kev} entries`,
    ...Object.entries(s.meta.newestModified).map(
      ([source, time]) => `  newest ${source}: ${time ?? '-'}`,
    ),
    `  sha256 ${s.meta.contentSha256} (format ${s.meta.formatVersion})`,
  ]
}

// ---- the table

const COLUMNS = [
  'COMPONENT',
  'VERSION',
  'ADVISORY',
  'CVES',
  'SEVERITY',
  'KEV',
  'FIXED IN',
  'CONFIDENCE',
  'WHY',
] as const

const clip = (text: string, width: number) =>
  text.length <= width ? text : `${text.slice(0, width - 1)}…`

function rows(findings: ScanFinding[]): string[][] {
  return findings.map((f) => [
    clip(f.component.name, 40),
    clip(f.component.version ?? '-', 24),
    f.advisory.id,
    f.cves.length === 0
      ? '-'
      : f.cves.length > 2
        ? `${f.cves[0]} +${f.cves.length - 1}`
        : f.cves.join(','),
    f.severity,
    f.kev ? `yes ${f.kev.dateAdded}` : '-',
    clip(f.fixedVersion ?? '-', 24),
    f.confidence,
    clip(`${f.reason.matchedBy} ${f.reason.key}: ${f.reason.rule}`, 70),
  ])
}

function table(findings: ScanFinding[]): string[] {
  const body = rows(findings)
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...body.map((r) => r[i]!.length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(COLUMNS), ...body.map(line)]
}

function human(result: ScanResult): string[] {
  const s = result.summary
  const severities = (['critical', 'high', 'medium', 'low', 'unrated'] as const)
    .filter((k) => s.bySeverity[k] > 0)
    .map((k) => `${s.bySeverity[k]} ${k}`)
  return [
    `${result.sbom.file}: ${result.sbom.format} ${result.sbom.specVersion}, ${result.sbom.components} components`,
    `snapshot ${result.snapshot.file} of ${result.snapshot.createdAt} (sha256 ${result.snapshot.sha256.slice(0, 12)})`,
    ...(result.sbom.warnings.length > 0
      ? [
          `Accepted with ${result.sbom.warnings.length} warning${result.sbom.warnings.length === 1 ? '' : 's'}: the file departs from its schema (tell the SBOM generator's maintainers):`,
          ...result.sbom.warnings.map((w) => `  ${w.pointer ? `${w.pointer}: ` : ''}${w.message}`),
        ]
      : []),
    '',
    ...(result.findings.length > 0 ? table(result.findings) : ['No affected components.']),
    ...(result.unknown.length > 0
      ? [
          '',
          `Needs review (status unknown: the version could not be compared)${result.includeUnknown ? '' : ', never fails the build without --include-unknown'}:`,
          ...table(result.unknown),
        ]
      : []),
    '',
    `${s.affected} affected${severities.length > 0 ? ` (${severities.join(', ')})` : ''}, ${s.kev} known exploited, ${s.unknown} to review; ` +
      (result.failOn === 'none'
        ? 'not failing (--fail-on none).'
        : s.failed
          ? `${s.atOrAboveThreshold} at or above --fail-on ${result.failOn}: FAILED.`
          : `none at or above --fail-on ${result.failOn}.`),
  ]
}

interface ScanOptions {
  db?: string
  json?: boolean
  failOn: FailOn
  includeUnknown?: boolean
}

async function scan(file: string, options: ScanOptions): Promise<void> {
  const out = createOutput(Boolean(options.json))
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new AppError(
      'validation_failed',
      code === 'ENOENT' ? `No such SBOM file: ${file}` : `Cannot read ${file}: ${code ?? ''}`,
    )
  }
  const snapshotFile = path.resolve(options.db ?? defaultPath())
  const snapshot = await openSnapshot(snapshotFile)
  try {
    const result = scanSbom(
      snapshot,
      { bytes, fileName: file, snapshotFile },
      { failOn: options.failOn, includeUnknown: Boolean(options.includeUnknown) },
    )
    out.result(result, human(result))
    if (result.summary.failed) {
      throw new CheckFailed(`${result.summary.atOrAboveThreshold} findings reach ${options.failOn}`)
    }
  } finally {
    snapshot.close()
  }
}

/** Adds `advisories snapshot` and `sbom scan` to the commands `registerAdvisories` and `registerSbom` made. */
export function registerSnapshotAndScan(program: Command): void {
  const find = (name: string) => {
    const command = program.commands.find((c) => c.name() === name)
    if (!command) throw new Error(`register the ${name} command first`)
    return command
  }
  find('advisories')
    .command('snapshot')
    .description(
      'build the offline matching snapshot (`isn sbom scan` reads it) from the advisories in the database; written to a temporary file and renamed into place',
    )
    .option('--out <file>', 'where to write it (default DATA_DIR/advisories.snapshot)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { out?: string; json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const config = loadConfig()
      const ctx = await openContext(config, silentLogger())
      const progress = snapshotProgress(out)
      try {
        const summary = await buildSnapshot(ctx, {
          file: options.out ?? defaultSnapshotPath(config.dataDir),
          onProgress: progress.update,
        })
        progress.stop()
        out.result(summary, describeSnapshot(summary))
      } finally {
        progress.stop()
        await ctx.db.destroy()
      }
    })

  find('sbom')
    .command('scan')
    .description(
      'scan a CycloneDX or SPDX JSON SBOM offline against an advisory snapshot; exit 1 when findings reach --fail-on, 2 for a bad SBOM, 3 for a missing or damaged snapshot',
    )
    .argument('<sbom>', 'the SBOM file')
    .option('--db <snapshot>', 'the snapshot (default DATA_DIR/advisories.snapshot)')
    .option('--json', 'print the result as JSON')
    .addOption(
      new Option('--fail-on <threshold>', 'exit 1 when an affected finding reaches this')
        .choices(FAIL_ON)
        .default('low'),
    )
    .option('--include-unknown', 'let findings of status unknown (needs review) fail the build too')
    .action(scan)
}
