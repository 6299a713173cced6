import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { canonicalJson } from '../../../common/canonical-json.ts'
import { AppError } from '../../../common/errors.ts'
import { systemActor } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { PROJECT_ROOT, VERSION } from '../../kernel/paths.ts'
import { sha256Hex } from '../../kernel/crypto.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { changeEntries, diffDocuments, FrameworkIndex, type FrameworkDiff } from './analysis.ts'
import { readFramework, type FrameworkReadResult } from './framework-files.ts'
import {
  findCurrentFrameworkVersion,
  findFrameworkDocument,
  findFrameworkVersion,
  listFrameworkVersions,
  makeFrameworkVersionCurrent,
  saveFrameworkVersion,
  updateFrameworkSourceHash,
} from './framework.repository.ts'
import type { FrameworkVersionRow } from './framework.table.ts'
import type { FrameworkDocument } from './model.ts'
import { FRAMEWORK_DIR, type SourceProblem } from './source-files.ts'

export type FrameworkLoadOutcome =
  | { status: 'loaded'; version: string; replacedDraft: boolean }
  | { status: 'unchanged'; version: string }
  | { status: 'rejected'; message: string; problems: SourceProblem[]; inService: string | null }

/** SHA-256 over the names and bytes of every source file, to notice quickly that nothing changed. */
function sourceHash(dir: string): string {
  const hash = createHash('sha256')
  const walk = (folder: string) => {
    for (const entry of fs
      .readdirSync(folder, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(folder, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (/\.(ya?ml|json)$/.test(entry.name)) {
        hash
          .update(path.relative(dir, full))
          .update('\0')
          .update(fs.readFileSync(full))
          .update('\0')
      }
    }
  }
  try {
    walk(dir)
  } catch {
    // An unreadable directory is reported by readFramework; any hash that matches nothing will do.
    hash.update(String(Date.now()))
  }
  return hash.digest('hex')
}

/**
 * The shipped framework, checked once and kept in dist/ keyed by the hash of its sources and the
 * platform version: reading and validating the YAML costs about a second on a cold process, which
 * a fresh install would otherwise pay at its first start. Other directories (tests) are not cached.
 */
const CACHE_FILE = path.join(PROJECT_ROOT, 'dist', 'framework.json')

function readFrameworkCached(dir: string, sources: string): FrameworkReadResult {
  const key = `${VERSION}:${sources}`
  const cacheable = path.resolve(dir) === path.resolve(FRAMEWORK_DIR)
  if (cacheable) {
    try {
      const cached = JSON.parse(fs.readFileSync(CACHE_FILE, 'utf8')) as {
        key: string
        document: FrameworkDocument
      }
      if (cached.key === key) return { document: cached.document, problems: [] }
    } catch {
      // No cache yet, or an unreadable one: read the sources.
    }
  }
  const result = readFramework(dir)
  if (cacheable && result.document) {
    try {
      // Written beside the target and renamed, so a concurrent start never reads half a file.
      fs.mkdirSync(path.dirname(CACHE_FILE), { recursive: true })
      const temporary = `${CACHE_FILE}.${process.pid}.tmp`
      fs.writeFileSync(temporary, JSON.stringify({ key, document: result.document }))
      fs.renameSync(temporary, CACHE_FILE)
    } catch {
      // A read-only installation simply reads the sources at each first load.
    }
  }
  return result
}

/**
 * Loads the framework from its files into the database (at start and on upgrade) and puts it in
 * service. Never throws for bad content: a framework with problems, or a changed published
 * version, is rejected with the reasons and the version already in service stays in service.
 */
export async function loadFrameworkFromFiles(
  ctx: Ctx,
  dir: string = FRAMEWORK_DIR,
): Promise<FrameworkLoadOutcome> {
  const current = await findCurrentFrameworkVersion(ctx.db)
  const sources = sourceHash(dir)
  if (current && current.source_hash === sources) {
    return { status: 'unchanged', version: current.version }
  }
  const inService = current?.version ?? null
  const { document, problems } = readFrameworkCached(dir, sources)
  if (!document) {
    const message = `The framework in ${dir} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; ${inService ? `version ${inService} stays in service` : 'no framework is in service'}.`
    ctx.logger.error({ problems: problems.map((p) => p.text) }, message)
    return { status: 'rejected', message, problems, inService }
  }
  const contentHash = sha256Hex(canonicalJson(document))
  const existing = await findFrameworkVersion(ctx.db, document.version)
  if (existing && existing.content_hash !== contentHash && existing.status === 'published') {
    const message = `Framework version ${document.version} is published and cannot change, but the files in ${dir} differ from it. Give the changed framework a new version in framework.yaml; ${inService ? `version ${inService} stays in service` : 'no framework is in service'}.`
    ctx.logger.error({ version: document.version }, message)
    return { status: 'rejected', message, problems: [], inService }
  }
  const replacedDraft = Boolean(existing && existing.content_hash !== contentHash)
  await ctx.db.transaction().execute(async (trx) => {
    if (existing && !replacedDraft) {
      // Same content (the files moved or were re-saved): remember the new source hash only.
      await updateFrameworkSourceHash(trx, document.version, sources)
    } else {
      await saveFrameworkVersion(
        trx,
        {
          version: document.version,
          title: document.title,
          status: document.status,
          released: document.released ?? null,
          content_hash: contentHash,
          source_hash: sources,
          document: JSON.stringify(document),
          is_current: 0,
          loaded_at: ctx.clock.now().toISOString(),
        },
        document.requirements.map((r) => ({
          version: document.version,
          id: r.id,
          category: r.category,
          tier: r.tier,
          kind: r.kind,
          title: r.title,
        })),
      )
    }
    await makeFrameworkVersionCurrent(trx, document.version)
    if (!existing || replacedDraft || inService !== document.version) {
      await recordAudit(
        trx,
        ctx.clock,
        { actor: systemActor('framework-loader') },
        {
          action: 'framework.version_loaded',
          targetType: 'framework_version',
          targetId: document.version,
          details: {
            status: document.status,
            contentHash,
            requirements: document.requirements.length,
            links: document.links.length,
            previous: inService,
            replacedDraft,
          },
        },
      )
    }
  })
  indexes.delete(document.version)
  ctx.logger.info(
    { version: document.version, requirements: document.requirements.length },
    'framework in service',
  )
  return existing && !replacedDraft
    ? { status: 'unchanged', version: document.version }
    : { status: 'loaded', version: document.version, replacedDraft }
}

/** Parsed versions per process, keyed by version and content hash (drafts may change). */
const indexes = new Map<string, { hash: string; index: FrameworkIndex }>()

async function indexOf(ctx: Ctx, row: Pick<FrameworkVersionRow, 'version' | 'content_hash'>) {
  const cached = indexes.get(row.version)
  if (cached?.hash === row.content_hash) return cached.index
  const text = await findFrameworkDocument(ctx.db, row.version)
  if (text === undefined) throw notFound(row.version)
  const index = new FrameworkIndex(JSON.parse(text) as FrameworkDocument)
  indexes.set(row.version, { hash: row.content_hash, index })
  return index
}

function notFound(version?: string): AppError {
  return version
    ? new AppError('not_found', `There is no framework version ${version}.`)
    : new AppError('not_found', 'No framework version is in service yet.')
}

/** The index of one stored version, or of the version in service when none is named. */
export async function getFramework(ctx: Ctx, version?: string): Promise<FrameworkIndex> {
  const row = version
    ? await findFrameworkVersion(ctx.db, version)
    : await findCurrentFrameworkVersion(ctx.db)
  if (!row) throw notFound(version)
  return indexOf(ctx, row)
}

export interface FrameworkVersionSummary {
  version: string
  title: string
  status: 'published' | 'draft'
  released: string | null
  current: boolean
  loadedAt: string
  contentHash: string
}

/** Every stored version, newest first by semantic version. */
export async function listVersions(ctx: Ctx): Promise<FrameworkVersionSummary[]> {
  const rows = await listFrameworkVersions(ctx.db)
  return rows
    .map((row) => ({
      version: row.version,
      title: row.title,
      status: row.status,
      released: row.released,
      current: row.is_current === 1,
      loadedAt: row.loaded_at,
      contentHash: row.content_hash,
    }))
    .sort((a, b) => compareSemver(b.version, a.version))
}

export function compareSemver(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export async function diffVersions(ctx: Ctx, from: string, to: string): Promise<FrameworkDiff> {
  const [a, b] = await Promise.all([getFramework(ctx, from), getFramework(ctx, to)])
  return diffDocuments(a.document, b.document)
}

/**
 * The change log: for each stored version, what changed since the version before it (by semver).
 * The first version has no entries.
 */
export async function changeLog(ctx: Ctx) {
  const versions = (await listVersions(ctx)).reverse()
  const log = []
  for (let i = 0; i < versions.length; i++) {
    const version = versions[i]!
    const previous = versions[i - 1]
    const diff = previous ? await diffVersions(ctx, previous.version, version.version) : undefined
    log.push({
      version: version.version,
      status: version.status,
      released: version.released,
      previous: previous?.version ?? null,
      changes: diff ? changeEntries(diff) : [],
      idMapping: diff?.idMapping ?? {},
    })
  }
  return log.reverse()
}
