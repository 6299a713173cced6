import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { EXPORT_FORMATS, type ExportFormat, type ExportQuery } from '../../common/api/framework.ts'
import { DEVICE_CLASSES, TIERS, type DeviceClass, type Tier } from '../../common/framework.ts'
import { AppError } from '../../common/errors.ts'
import { loadConfig } from '../../server/config.ts'
import type { Ctx } from '../../server/kernel/context.ts'
import { openContext } from '../../server/main.ts'
import {
  changeEntries,
  FrameworkIndex,
  type CatalogueCoverage,
  type ChangeEntry,
} from '../../server/modules/framework/analysis.ts'
import { exportFramework, renderExport } from '../../server/modules/framework/export.ts'
import { loadFramework, readFramework } from '../../server/modules/framework/framework-files.ts'
import {
  diffVersions,
  loadFrameworkFromFiles,
  type FrameworkLoadOutcome,
} from '../../server/modules/framework/framework.service.ts'
import { FRAMEWORK_DIR, type SourceProblem } from '../../server/modules/framework/source-files.ts'
import { CheckFailed } from '../check-failed.ts'
import { createOutput } from '../output.ts'
import { silentLogger } from '../silent-logger.ts'

/** `isn framework …`: the normative framework from its files (no database) or as stored. */

/** The directory as the user should read it: relative to where they are, when it is below. */
function shown(dir: string): string {
  const relative = path.relative(process.cwd(), dir)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir
}

/** `<dir>/<file>:<line>:<col> <pointer>: <message>`, a location editors and terminals can open. */
export function problemLine(dir: string, p: SourceProblem): string {
  const position = p.line === undefined ? '' : `:${p.line}:${p.column ?? 1}`
  const pointer = p.pointer === undefined ? '' : ` ${p.pointer || '/'}:`
  return `${path.join(shown(dir), p.file)}${position}${pointer} ${p.message}`
}

async function withContext<T>(run: (ctx: Ctx) => Promise<T>): Promise<T> {
  const ctx = await openContext(loadConfig(), silentLogger())
  try {
    return await run(ctx)
  } finally {
    await ctx.db.destroy()
  }
}

function parseTier(value: string | undefined): Tier | undefined {
  if (value === undefined) return undefined
  const tier = Number(value)
  if (!TIERS.includes(tier as Tier)) {
    throw new AppError('validation_failed', `--tier must be one of ${TIERS.join(', ')}`)
  }
  return tier as Tier
}

function parseDeviceClass(value: string | undefined): DeviceClass | undefined {
  if (value === undefined) return undefined
  if (!DEVICE_CLASSES.includes(value as DeviceClass)) {
    throw new AppError(
      'validation_failed',
      `--device-class must be one of ${DEVICE_CLASSES.join(', ')}`,
    )
  }
  return value as DeviceClass
}

function summaryLine(c: CatalogueCoverage): string {
  const { counts } = c
  const goal = c.goal
    ? `; goal met ${c.goal.met}/${c.goal.items}${c.goal.missing.length ? `, missing ${c.goal.missing.join(', ')}` : ''}`
    : '; no coverage goal'
  return `${c.catalogue}: ${counts.items} items, ${counts.covered} covered, ${counts.partial} partial, ${counts.gap} declared gaps, ${counts.uncovered} uncovered${goal}`
}

function describeChange(entry: ChangeEntry): string {
  switch (entry.type) {
    case 'requirement-added':
    case 'requirement-removed':
      return `${entry.type.replace('requirement-', '')}  ${entry.requirement}`
    case 'requirement-reworded':
    case 'requirement-changed':
      return `${entry.type.replace('requirement-', '')}  ${entry.requirement} (${entry.fields.join(', ')})`
    case 'requirement-retiered':
      return `retiered  ${entry.requirement} (tier ${entry.from} → ${entry.to})`
    case 'requirement-replaced':
      return `replaced  ${entry.requirement} by ${entry.by.join(', ')}`
    case 'mapping-added':
    case 'mapping-removed':
    case 'mapping-changed':
      return `${entry.type}  ${entry.requirement} → ${entry.target} (${entry.relation}, ${entry.strength})`
  }
}

export function loadOutcomeLines(dir: string, outcome: FrameworkLoadOutcome): string[] {
  switch (outcome.status) {
    case 'loaded':
      return [
        `Framework ${outcome.version} loaded from ${shown(dir)} and in service${outcome.replacedDraft ? ' (replaced the stored draft)' : ''}.`,
      ]
    case 'unchanged':
      return [`Framework ${outcome.version} is already loaded and in service; nothing changed.`]
    case 'rejected':
      return [
        `Framework REJECTED: ${outcome.message}`,
        ...outcome.problems.map((p) => `  ${problemLine(dir, p)}`),
      ]
  }
}

export function registerFramework(program: Command): void {
  const framework = program
    .command('framework')
    .description('the normative framework: validate, coverage, export, diff and load')

  framework
    .command('validate')
    .description(
      'check the framework files (no database); print every problem as file:line:col pointer: message',
    )
    .option('--dir <dir>', 'the framework directory', FRAMEWORK_DIR)
    .option('--json', 'print the result as JSON')
    .action((options: { dir: string; json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const dir = path.resolve(options.dir)
      const { document, problems } = readFramework(dir)
      if (!document) {
        out.result(
          {
            ok: false,
            dir,
            problems: problems.map((p) => ({ ...p, text: problemLine(dir, p) })),
          },
          [
            ...problems.map((p) => problemLine(dir, p)),
            `${problems.length} problem${problems.length === 1 ? '' : 's'} in the framework in ${shown(dir)}.`,
          ],
        )
        throw new AppError('validation_failed', `the framework in ${dir} has problems`, {
          details: { quiet: true },
        })
      }
      out.result(
        {
          ok: true,
          dir,
          version: document.version,
          status: document.status,
          requirements: document.requirements.length,
          links: document.links.length,
          catalogues: document.catalogues.length,
        },
        `Framework ${document.version} (${document.status}) in ${shown(dir)} is valid: ${document.requirements.length} requirements, ${document.links.length} links to ${document.catalogues.length} catalogues.`,
      )
    })

  framework
    .command('coverage')
    .description(
      'coverage of each external catalogue, or of one with --standard; exit 1 when a coverage goal is not met',
    )
    .option('--standard <id>', 'one catalogue, e.g. etsi-en-303-645: every item and what covers it')
    .option('--dir <dir>', 'the framework directory', FRAMEWORK_DIR)
    .option('--json', 'print the result as JSON')
    .action((options: { standard?: string; dir: string; json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const index = new FrameworkIndex(loadFramework(path.resolve(options.dir)))
      if (options.standard === undefined) {
        const all = [...index.catalogues.keys()].map((id) => index.coverage(id)!)
        const unmet = all.filter((c) => c.goal && c.goal.missing.length > 0)
        out.result(
          {
            version: index.document.version,
            goalsMet: unmet.length === 0,
            catalogues: all.map(({ items: _items, ...summary }) => summary),
          },
          [
            `Coverage of framework ${index.document.version}:`,
            ...all.map((c) => `  ${summaryLine(c)}`),
            unmet.length === 0
              ? 'Every coverage goal is met.'
              : `Coverage goal NOT met for ${unmet.map((c) => c.catalogue).join(', ')}.`,
          ],
        )
        if (unmet.length > 0) throw new CheckFailed('coverage goal not met')
        return
      }
      const coverage = index.coverage(options.standard)
      if (!coverage) {
        throw new AppError(
          'not_found',
          `There is no catalogue "${options.standard}"; known: ${[...index.catalogues.keys()].join(', ')}`,
        )
      }
      const gaps = coverage.items.filter((i) => i.level === 'gap')
      const open = coverage.items.filter((i) => i.level === 'partial' || i.level === 'uncovered')
      const unmet = coverage.goal ? coverage.goal.missing.length > 0 : false
      out.result({ frameworkVersion: index.document.version, goalMet: !unmet, ...coverage }, [
        `${coverage.title} (${coverage.version}), framework ${index.document.version}`,
        `  ${summaryLine(coverage)}`,
        ...(coverage.goal ? [`  Goal: ${coverage.goal.description}`] : []),
        '',
        ...coverage.items.flatMap((entry) => [
          `${entry.item.id}  ${entry.level.toUpperCase()}${entry.goal ? (entry.goalMet ? '' : '  (goal not met)') : ''}  ${entry.item.title}`,
          ...entry.links.map(
            (l) => `    ${l.requirement} ${l.relation} (${l.strength})  ${l.requirementTitle}`,
          ),
          ...(entry.gapReason === undefined ? [] : [`    gap: ${entry.gapReason.trim()}`]),
        ]),
        '',
        gaps.length === 0 ? 'Declared gaps: none.' : 'Declared gaps:',
        ...gaps.map((g) => `  ${g.item.id}: ${g.gapReason?.trim()}`),
        open.length === 0
          ? 'Items without full coverage: none.'
          : 'Items without full coverage (no declared gap):',
        ...open.map(
          (g) =>
            `  ${g.item.id} ${g.level}${g.goal && !g.goalMet ? ' (goal not met)' : ''}: ${g.links.length ? `only ${g.links.map((l) => `${l.requirement} ${l.relation}`).join(', ')}` : 'no requirement links to it'}`,
        ),
      ])
      if (unmet) throw new CheckFailed(`coverage goal not met for ${coverage.catalogue}`)
    })

  framework
    .command('export')
    .description(
      'write the framework as JSON, CSV, an OSCAL catalog or an OSCAL profile (from the files, or a stored version with --version)',
    )
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .option('--version <version>', 'a version stored in the database (default: render the files)')
    .option('--tier <n>', 'oscal-profile: the tier, 1–4 (default 1)')
    .option('--device-class <class>', `oscal-profile: one of ${DEVICE_CLASSES.join(', ')}`)
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--dir <dir>', 'the framework directory (without --version)', FRAMEWORK_DIR)
    .action(
      async (options: {
        format: string
        version?: string
        tier?: string
        deviceClass?: string
        out?: string
        dir: string
      }) => {
        if (!EXPORT_FORMATS.includes(options.format as ExportFormat)) {
          throw new AppError(
            'validation_failed',
            `--format must be one of ${EXPORT_FORMATS.join(', ')}`,
          )
        }
        if (options.version !== undefined && !/^\d+\.\d+\.\d+$/.test(options.version)) {
          throw new AppError('validation_failed', '--version must be a version like 1.0.0')
        }
        const tier = parseTier(options.tier)
        const deviceClass = parseDeviceClass(options.deviceClass)
        const query: ExportQuery = {
          format: options.format as ExportFormat,
          ...(options.version ? { version: options.version } : {}),
          ...(tier ? { tier } : {}),
          ...(deviceClass ? { deviceClass } : {}),
        }
        const file = options.version
          ? await withContext((ctx) => exportFramework(ctx, query))
          : renderExport(new FrameworkIndex(loadFramework(path.resolve(options.dir))), query)
        if (options.out) {
          fs.writeFileSync(options.out, file.body)
          process.stderr.write(
            `Wrote ${file.filename} (${Buffer.byteLength(file.body)} bytes) to ${options.out}\n`,
          )
        } else {
          process.stdout.write(file.body)
        }
      },
    )

  framework
    .command('diff')
    .description('what changed between two stored framework versions, with the old→new id mapping')
    .argument('<from>', 'the older version, e.g. 1.0.0')
    .argument('<to>', 'the newer version')
    .option('--json', 'print the result as JSON')
    .action(async (from: string, to: string, options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const diff = await withContext((ctx) => diffVersions(ctx, from, to))
      const changes = changeEntries(diff)
      const r = diff.requirements
      out.result({ ...diff, changes }, [
        `Framework ${from} → ${to}: ${r.added.length} added, ${r.removed.length} removed, ${r.reworded.length} reworded, ${r.retiered.length} retiered, ${r.changed.length} changed; mappings ${diff.mappings.added.length} added, ${diff.mappings.removed.length} removed, ${diff.mappings.changed.length} changed.`,
        ...(changes.length === 0 ? ['No changes.'] : changes.map((c) => `  ${describeChange(c)}`)),
      ])
    })

  framework
    .command('load')
    .description(
      'load the framework files into the database now and put them in service (also done by `isn serve` and `isn migrate`)',
    )
    .option('--dir <dir>', 'the framework directory', FRAMEWORK_DIR)
    .option('--json', 'print the result as JSON')
    .action(async (options: { dir: string; json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const dir = path.resolve(options.dir)
      const outcome = await withContext((ctx) => loadFrameworkFromFiles(ctx, dir))
      out.result(
        outcome.status === 'rejected'
          ? {
              ...outcome,
              problems: outcome.problems.map((p) => ({ ...p, text: problemLine(dir, p) })),
            }
          : outcome,
        loadOutcomeLines(dir, outcome),
      )
      if (outcome.status === 'rejected') {
        throw new AppError('validation_failed', 'the framework was rejected', {
          details: { quiet: true },
        })
      }
    })
}
