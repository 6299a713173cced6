import { Presets, SingleBar } from 'cli-progress'
import { Option, type Command } from 'commander'
import { loadConfig } from '../../server/config.ts'
import { openContext } from '../../server/main.ts'
import {
  importAdvisories,
  type ImportProgress,
  type ImportResult,
} from '../../server/modules/advisories/advisories.service.ts'
import type { ImportFormat } from '../../server/modules/advisories/advisory.types.ts'
import { CheckFailed } from '../check-failed.ts'
import { createOutput, type Output } from '../output.ts'
import { silentLogger } from '../silent-logger.ts'

/** Problems printed after the summary (the history keeps more; --json prints them all). */
const PROBLEMS_SHOWN = 20

function progressReporter(out: Output) {
  if (out.json) return { update: () => undefined, stop: () => undefined }
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      {
        stream: process.stderr,
        format:
          ' {bar} {value}/{total} files | new {new} changed {changed} unchanged {unchanged} failed {failed}',
        hideCursor: true,
      },
      Presets.shades_classic,
    )
    let started = false
    return {
      update: (p: ImportProgress) => {
        const payload = { ...p.counts }
        if (!started) {
          bar.start(p.total, p.done, payload)
          started = true
        } else {
          bar.setTotal(Math.max(p.total, p.done))
          bar.update(p.done, payload)
        }
      },
      stop: () => {
        if (started) bar.stop()
      },
    }
  }
  // Not a terminal: a plain line every 1000 files (and none at all for small imports).
  let nextLine = 1000
  return {
    update: (p: ImportProgress) => {
      if (p.done < nextLine) return
      nextLine += 1000
      out.note(
        `${p.done}/${p.total} files: new ${p.counts.new}, changed ${p.counts.changed}, unchanged ${p.counts.unchanged}, failed ${p.counts.failed}`,
      )
    },
    stop: () => undefined,
  }
}

function summary(result: ImportResult, elapsedMs: number): string[] {
  const rows: [string, number][] = [
    ['files read', result.counts.filesRead],
    ['new', result.counts.new],
    ['changed', result.counts.changed],
    ['unchanged', result.counts.unchanged],
    ['withdrawn', result.counts.withdrawn],
    ['removed (KEV)', result.counts.removed],
    ['older, kept stored', result.counts.stale],
    ['failed', result.counts.failed],
    ['warnings', result.counts.warnings],
  ]
  const width = Math.max(...rows.map(([, n]) => String(n).length))
  const problems = result.problems.slice(0, PROBLEMS_SHOWN)
  return [
    `Import #${result.importId} of ${result.location} (${result.sourceKind ?? 'unknown'}): ${result.status}, ${(elapsedMs / 1000).toFixed(1)} s`,
    ...rows.map(([label, n]) => `  ${label.padEnd(20)} ${String(n).padStart(width)}`),
    ...(problems.length > 0
      ? [
          `Problems${result.problems.length > problems.length ? ` (first ${problems.length} of ${result.problems.length})` : ''}:`,
          ...problems.map(
            (p) =>
              `  ${p.level === 'warning' ? 'warning ' : ''}${p.path}${p.pointer ? ` ${p.pointer}` : ''}: ${p.message}`,
          ),
        ]
      : []),
  ]
}

export function registerAdvisories(program: Command): void {
  const advisories = program
    .command('advisories')
    .description('vulnerability advisories (OSV, CSAF, CISA KEV)')
  advisories
    .command('import')
    .description(
      'import advisories from a file, a directory, a zip archive of OSV records, a CSAF ROLIE feed file (its documents on disk beside it) or an http(s) URL; exit 1 when some files or records were refused',
    )
    .argument('<path>', 'file, directory, zip, feed or URL')
    .addOption(
      new Option('--format <format>', 'what to expect; auto detects each file by content')
        .choices(['auto', 'osv', 'csaf', 'kev'])
        .default('auto'),
    )
    .option('--json', 'print the result as JSON')
    .action(async (location: string, options: { format: ImportFormat; json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const ctx = await openContext(loadConfig(), silentLogger())
      const progress = progressReporter(out)
      const started = performance.now()
      try {
        const result = await importAdvisories(ctx, {
          location,
          format: options.format,
          triggeredBy: `cli:${process.env.USER ?? 'unknown'}`,
          onProgress: progress.update,
        })
        progress.stop()
        out.result(result, summary(result, performance.now() - started))
        if (result.counts.failed > 0) {
          throw new CheckFailed(`${result.counts.failed} files or records were refused`)
        }
      } finally {
        progress.stop()
        await ctx.db.destroy()
      }
    })
}
