import path from 'node:path'
import { AppError } from '../../../common/errors.ts'
import { lockKeyForTransaction } from '../../db/dialect.ts'
import type { Db } from '../../db/database.ts'
import type { Database } from '../../db/schema.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Ctx } from '../../kernel/context.ts'
import { kevByCves } from './advisories.candidates.ts'
import * as repo from './advisories.repository.ts'
import type { AdvisoryChangeKind, AdvisoryImportRow, AdvisoryTable } from './advisories.table.ts'
import { openSource, readDocument, type OpenedSource } from './advisory-sources.ts'
import type {
  AdvisoryProblem,
  ImportFormat,
  KevAdvisory,
  ParsedAdvisory,
} from './advisory.types.ts'
import {
  DEFAULT_FETCH_LIMITS,
  fetchToTempFile,
  removeTempFile,
  type FetchLimits,
} from './fetch-source.ts'
import { normaliseName, sha256Hex } from './json-input.ts'
import { readRaw, writeRaw } from './raw-store.ts'

/** Problems kept in an import's history (the counts are always complete). */
export const MAX_STORED_PROBLEMS = 500
/** A `running` import older than this is taken as interrupted (its process stopped). */
const INTERRUPTED_AFTER_MS = 12 * 60 * 60 * 1000
/** Advisories written per transaction. */
const BATCH_SIZE = 250

export interface ImportCounts {
  filesRead: number
  new: number
  changed: number
  unchanged: number
  withdrawn: number
  removed: number
  stale: number
  failed: number
  warnings: number
}

export interface ImportProgress {
  /** Files (or archive entries, or feed entries) handled so far, and in all when known. */
  done: number
  total: number
  counts: ImportCounts
}

export interface ImportOptions {
  /** A file, a directory, a zip archive, a ROLIE feed file, or an http(s) URL of one. */
  location: string
  format: ImportFormat
  /** Who or what started it: `cli:<user>`, `user:<id>`, `job:<schedule>`. */
  triggeredBy: string
  onProgress?: (progress: ImportProgress) => void
  fetchLimits?: FetchLimits
  batchSize?: number
}

export interface ImportResult {
  importId: number
  status: AdvisoryImportRow['status']
  location: string
  sourceKind: string | null
  counts: ImportCounts
  /** Every problem met (the history keeps the first MAX_STORED_PROBLEMS). */
  problems: AdvisoryProblem[]
  error?: string
  startedAt: string
  finishedAt: string
}

const emptyCounts = (): ImportCounts => ({
  filesRead: 0,
  new: 0,
  changed: 0,
  unchanged: 0,
  withdrawn: 0,
  removed: 0,
  stale: 0,
  failed: 0,
  warnings: 0,
})

function countColumns(counts: ImportCounts) {
  return {
    files_read: counts.filesRead,
    new_count: counts.new,
    changed_count: counts.changed,
    unchanged_count: counts.unchanged,
    withdrawn_count: counts.withdrawn,
    removed_count: counts.removed,
    stale_count: counts.stale,
    failed_count: counts.failed,
    warning_count: counts.warnings,
  }
}

/** The kind of an identifier, from its prefix: `cve`, `ghsa`, `go`, `pysec`, `icsa`, … */
export function aliasKind(id: string): string {
  const prefix = /^([A-Za-z]+)-/.exec(id)?.[1]
  return prefix ? prefix.toLowerCase() : 'other'
}

/** The catalogue version of KEV advisories being written (their `modified` is its release). */
const kevVersions = new WeakMap<ParsedAdvisory, string>()

const json = (value: unknown) => JSON.stringify(value ?? null)

function advisoryColumns(advisory: ParsedAdvisory, origin: string) {
  const csaf = advisory.source === 'csaf' ? advisory : undefined
  const category =
    advisory.source === 'csaf'
      ? advisory.category
      : advisory.source === 'osv'
        ? [...new Set(advisory.affected.map((a) => a.ecosystem))].join(' ') || null
        : 'kev'
  return {
    state: advisory.withdrawnAt ? ('withdrawn' as const) : ('active' as const),
    content_hash: advisory.contentHash,
    aliases: json(advisory.aliases),
    published: advisory.published ?? null,
    modified: advisory.modified ?? null,
    withdrawn_at: advisory.withdrawnAt ?? null,
    title: advisory.title ?? null,
    summary: advisory.summary ?? null,
    severity: advisory.severity ?? null,
    cvss_score: advisory.cvssScore ?? null,
    cvss: json(advisory.cvss),
    refs: json(advisory.references),
    category,
    tracking_status: csaf?.trackingStatus ?? null,
    tracking_version: csaf?.trackingVersion ?? null,
    publisher: csaf?.publisher ?? null,
    origin,
  }
}

/** Writes the normalised parts of advisories whose rows have these ids. */
async function insertAllParts(db: Db, written: { pk: number; advisory: ParsedAdvisory }[]) {
  const aliases: { advisory_pk: number; alias: string; kind: string }[] = []
  const osv: Parameters<typeof repo.insertParts<'advisory_osv_affected'>>[2] = []
  const products: Parameters<typeof repo.insertParts<'advisory_csaf_products'>>[2] = []
  const vulnerabilities: Parameters<typeof repo.insertParts<'advisory_csaf_vulnerabilities'>>[2] =
    []
  const statuses: Parameters<typeof repo.insertParts<'advisory_csaf_statuses'>>[2] = []
  const remediations: Parameters<typeof repo.insertParts<'advisory_csaf_remediations'>>[2] = []
  const kev: Parameters<typeof repo.insertParts<'advisory_kev'>>[2] = []
  for (const { pk, advisory } of written) {
    for (const alias of new Set([advisory.advisoryId, ...advisory.aliases])) {
      aliases.push({ advisory_pk: pk, alias, kind: aliasKind(alias) })
    }
    if (advisory.source === 'osv') {
      for (const a of advisory.affected) {
        osv.push({
          advisory_pk: pk,
          entry_index: a.index,
          ecosystem: a.ecosystem,
          ecosystem_base: a.ecosystemBase,
          package_name: a.name,
          package_key: a.nameKey,
          purl: a.purl ?? null,
          purl_type: a.purlType ?? null,
          purl_namespace: a.purlNamespace ?? null,
          purl_name: a.purlName ?? null,
          ranges: json(a.ranges),
          versions: json(a.versions),
          severity: a.severity ? json(a.severity) : null,
          database_specific: a.databaseSpecific === undefined ? null : json(a.databaseSpecific),
          ecosystem_specific: a.ecosystemSpecific === undefined ? null : json(a.ecosystemSpecific),
        })
      }
    } else if (advisory.source === 'csaf') {
      const seen = new Set<string>()
      for (const p of advisory.products) {
        // A product id defined twice (against CSAF's mandatory test 6.1.2): the first counts.
        if (seen.has(p.productId)) continue
        seen.add(p.productId)
        products.push({
          advisory_pk: pk,
          product_id: p.productId,
          name: p.name,
          vendor: p.vendor ?? null,
          vendor_norm: p.vendor ? normaliseName(p.vendor) : null,
          product: p.product ?? null,
          product_norm: p.product ? normaliseName(p.product) : null,
          vendor_key: null,
          product_key: null,
          family: p.family ?? null,
          version: p.version ?? null,
          version_range: p.versionRange ?? null,
          model_numbers: json(p.modelNumbers),
          skus: json(p.skus),
          purl: p.purl ?? null,
          purl_type: p.purlType ?? null,
          purl_namespace: p.purlNamespace ?? null,
          purl_name: p.purlName ?? null,
          cpe: p.cpe ?? null,
          branch_path: json(p.branchPath),
          relationship: p.relationship ? json(p.relationship) : null,
        })
      }
      for (const v of advisory.vulnerabilities) {
        const cve = v.cve ?? null
        vulnerabilities.push({
          advisory_pk: pk,
          vuln_index: v.index,
          cve,
          title: v.title ?? null,
          cwe: v.cwe ?? null,
          ids: json(v.ids),
          scores: json(v.scores),
          flags: json(v.flags),
          threats: json(v.threats),
        })
        for (const s of v.statuses) {
          statuses.push({
            advisory_pk: pk,
            vuln_index: v.index,
            cve,
            product_id: s.productId,
            status: s.status,
          })
        }
        for (const r of v.remediations) {
          remediations.push({
            advisory_pk: pk,
            vuln_index: v.index,
            cve,
            category: r.category,
            details: r.details,
            url: r.url ?? null,
            date: r.date ?? null,
            product_ids: json(r.productIds),
          })
        }
      }
    } else {
      const k = advisory.kev
      kev.push({
        advisory_pk: pk,
        cve: k.cve,
        vendor_project: k.vendorProject,
        product: k.product,
        vulnerability_name: k.vulnerabilityName,
        date_added: k.dateAdded,
        due_date: k.dueDate,
        known_ransomware_campaign_use: k.knownRansomwareCampaignUse ?? null,
        required_action: k.requiredAction,
        short_description: k.shortDescription,
        notes: k.notes ?? null,
        cwes: json(k.cwes),
        catalog_version: advisory.modified ? (kevVersions.get(advisory) ?? '') : '',
        catalog_released: advisory.modified ?? '',
      })
    }
  }
  await repo.insertParts(db, 'advisory_aliases', aliases)
  await repo.insertParts(db, 'advisory_osv_affected', osv)
  await repo.insertParts(db, 'advisory_csaf_products', products)
  await repo.insertParts(db, 'advisory_csaf_vulnerabilities', vulnerabilities)
  await repo.insertParts(db, 'advisory_csaf_statuses', statuses)
  await repo.insertParts(db, 'advisory_csaf_remediations', remediations)
  await repo.insertParts(db, 'advisory_kev', kev)
}

interface Pending {
  advisory: ParsedAdvisory
  origin: string
}

type Outcome = 'new' | 'changed' | 'unchanged' | 'withdrawn' | 'stale'

/**
 * Writes one batch in one transaction: new advisories inserted, changed ones rewritten with
 * their parts, unchanged and stale ones left alone; the change set and the import's counts move
 * with it, so a crash leaves neither a half-written advisory nor a count without its rows.
 */
async function writeBatch(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config'>,
  importId: number,
  batch: Pending[],
  counts: ImportCounts,
  problems: AdvisoryProblem[],
): Promise<Outcome[]> {
  const now = ctx.clock.now().toISOString()
  return ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, 'advisories.import')
    const outcomes: Outcome[] = []
    const bySource = new Map<AdvisoryTable['source'], Pending[]>()
    for (const p of batch) {
      bySource.set(p.advisory.source, [...(bySource.get(p.advisory.source) ?? []), p])
    }
    const stored = new Map<string, Awaited<ReturnType<typeof repo.findAdvisoryStates>>[number]>()
    for (const [source, items] of bySource) {
      for (const row of await repo.findAdvisoryStates(
        trx,
        source,
        items.map((p) => p.advisory.advisoryId),
      )) {
        stored.set(`${source}\0${row.advisory_id}`, row)
      }
    }
    const inserts: Pending[] = []
    const updates: { pk: number; pending: Pending; change: AdvisoryChangeKind }[] = []
    for (const pending of batch) {
      const { advisory } = pending
      const existing = stored.get(`${advisory.source}\0${advisory.advisoryId}`)
      if (!existing) {
        inserts.push(pending)
        outcomes.push('new')
      } else if (existing.content_hash === advisory.contentHash && existing.state !== 'removed') {
        outcomes.push('unchanged')
      } else if (
        advisory.source !== 'kev' &&
        existing.modified &&
        advisory.modified &&
        advisory.modified < existing.modified
      ) {
        outcomes.push('stale')
      } else {
        const withdrawn = Boolean(advisory.withdrawnAt) && existing.state !== 'withdrawn'
        updates.push({ pk: existing.id, pending, change: withdrawn ? 'withdrawn' : 'changed' })
        outcomes.push(withdrawn ? 'withdrawn' : 'changed')
      }
    }
    for (const p of [...inserts, ...updates.map((u) => u.pending)]) {
      writeRaw(ctx.config.dataDir, p.advisory.contentHash, p.advisory.raw)
    }
    const inserted = await repo.insertAdvisories(
      trx,
      inserts.map((p) => ({
        source: p.advisory.source,
        advisory_id: p.advisory.advisoryId,
        ...advisoryColumns(p.advisory, p.origin),
        first_import_id: importId,
        last_import_id: importId,
        created_at: now,
        updated_at: now,
      })),
    )
    const pkOf = new Map(inserted.map((r) => [r.advisory_id, r.id]))
    for (const u of updates) {
      await repo.updateAdvisory(trx, u.pk, {
        ...advisoryColumns(u.pending.advisory, u.pending.origin),
        last_import_id: importId,
        updated_at: now,
      })
    }
    await repo.deleteAdvisoryParts(
      trx,
      updates.map((u) => u.pk),
    )
    const written = [
      ...inserts.map((p) => ({ pk: pkOf.get(p.advisory.advisoryId)!, advisory: p.advisory })),
      ...updates.map((u) => ({ pk: u.pk, advisory: u.pending.advisory })),
    ]
    await insertAllParts(trx, written)
    await repo.insertChanges(trx, [
      ...inserts.map((p) => ({
        import_id: importId,
        advisory_pk: pkOf.get(p.advisory.advisoryId)!,
        change: 'created' as const,
        created_at: now,
      })),
      ...updates.map((u) => ({
        import_id: importId,
        advisory_pk: u.pk,
        change: u.change,
        created_at: now,
      })),
    ])
    const next = { ...counts }
    for (const outcome of outcomes) next[outcome] += 1
    await repo.updateImport(trx, importId, {
      ...countColumns(next),
      problems: JSON.stringify(problems.slice(0, MAX_STORED_PROBLEMS)),
    })
    return outcomes
  })
}

/**
 * Marks the KEV entries missing from a full catalogue as removed, when the catalogue is at
 * least as new as any imported before; records which catalogue the present ones were last seen in.
 */
async function applyKevCatalogue(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  importId: number,
  catalogue: { catalogVersion: string; dateReleased: string; cves: Set<string> },
): Promise<number> {
  const now = ctx.clock.now().toISOString()
  return ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, 'advisories.import')
    const present = await repo.listPresentKevEntries(trx)
    const gone = present.filter((row) => !catalogue.cves.has(row.advisory_id)).map((r) => r.id)
    await repo.markAdvisoriesRemoved(trx, gone, now, importId)
    await repo.insertChanges(
      trx,
      gone.map((pk) => ({
        import_id: importId,
        advisory_pk: pk,
        change: 'removed' as const,
        created_at: now,
      })),
    )
    await trx
      .updateTable('advisory_kev')
      .set({ catalog_version: catalogue.catalogVersion, catalog_released: catalogue.dateReleased })
      .where(
        'advisory_pk',
        'in',
        present
          .filter((row) => catalogue.cves.has(row.advisory_id))
          .map((r) => r.id)
          .concat([-1]),
      )
      .execute()
    return gone.length
  })
}

function failedRecords(problems: AdvisoryProblem[]): number {
  const keys = new Set<string>()
  for (const p of problems) {
    if (p.level === 'warning') continue
    const root = /^\/(?:vulnerabilities\/)?\d+/.exec(p.pointer)?.[0] ?? ''
    keys.add(`${p.path}\0${root}`)
  }
  return keys.size
}

/**
 * Imports advisories from a file, directory, zip archive, ROLIE feed or URL. Idempotent: a
 * record whose bytes are unchanged is counted as unchanged and not rewritten; only new and
 * changed records are written, each batch in one transaction with its change-set rows. Bad
 * files and records are reported (path, JSON pointer, message) and the rest imported. The run is
 * recorded in the import history whatever happens.
 * @throws not_found (no such path), validation_failed (unreadable zip, feed or URL), service_unavailable (URL)
 */
export async function importAdvisories(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config'>,
  options: ImportOptions,
): Promise<ImportResult> {
  const isUrl = /^https?:\/\//i.test(options.location)
  const location = isUrl ? options.location : path.resolve(options.location)
  const startedAt = ctx.clock.now().toISOString()
  // An import still "running" long after it started belonged to a process that died.
  await repo.failInterruptedImports(
    ctx.db,
    new Date(ctx.clock.now().getTime() - INTERRUPTED_AFTER_MS).toISOString(),
    startedAt,
  )
  const importId = await repo.insertImport(ctx.db, {
    format: options.format,
    source_kind: isUrl ? 'url' : null,
    location,
    triggered_by: options.triggeredBy,
    status: 'running',
    started_at: startedAt,
    ...countColumns(emptyCounts()),
    problems: '[]',
  })
  const counts = emptyCounts()
  const problems: AdvisoryProblem[] = []
  let sourceKind: string | null = isUrl ? 'url' : null
  let downloaded: string | undefined
  const batchSize = options.batchSize ?? BATCH_SIZE
  try {
    let local = location
    if (isUrl) {
      downloaded = await fetchToTempFile(location, options.fetchLimits ?? DEFAULT_FETCH_LIMITS)
      local = downloaded
    }
    const source: OpenedSource = await openSource(local, options.format)
    sourceKind = isUrl ? `url:${source.kind}` : source.kind
    await repo.updateImport(ctx.db, importId, { source_kind: sourceKind })

    let batch: Pending[] = []
    let inBatch = new Set<string>()
    const flush = async () => {
      if (batch.length === 0) return
      const current = batch
      batch = []
      inBatch = new Set()
      try {
        const outcomes = await writeBatch(ctx, importId, current, counts, problems)
        for (const o of outcomes) counts[o] += 1
      } catch {
        // One record the database refuses must not sink the others: write them one by one.
        for (const one of current) {
          try {
            const [outcome] = await writeBatch(ctx, importId, [one], counts, problems)
            counts[outcome!] += 1
          } catch (error) {
            counts.failed += 1
            problems.push({
              path: one.origin,
              pointer: '',
              message: `${one.advisory.advisoryId} could not be stored: ${(error as Error).message}`,
            })
          }
        }
      }
    }
    // The same advisory met twice in one import (oss-fuzz files some records under two paths):
    // the newer by `modified` counts, the first one when neither is newer, so that importing the
    // same data again gives the same result.
    const seen = new Map<string, { hash: string; modified?: string; origin: string }>()
    const add = async (pending: Pending) => {
      const key = `${pending.advisory.source}\0${pending.advisory.advisoryId}`
      const earlier = seen.get(key)
      const { contentHash, modified } = pending.advisory
      if (earlier) {
        if (earlier.hash === contentHash) {
          counts.unchanged += 1
          return
        }
        if (!(modified && earlier.modified && modified > earlier.modified)) {
          counts.stale += 1
          counts.warnings += 1
          problems.push({
            path: pending.origin,
            pointer: '',
            message: `${pending.advisory.advisoryId} was already read from ${earlier.origin} in this import, not older; that one is kept`,
            level: 'warning',
          })
          return
        }
      }
      seen.set(key, {
        hash: contentHash,
        origin: pending.origin,
        ...(modified ? { modified } : {}),
      })
      // The same advisory twice in one batch: write the first before reading the second.
      if (inBatch.has(key)) await flush()
      batch.push(pending)
      inBatch.add(key)
      if (batch.length >= batchSize) await flush()
    }

    // A file whose bytes are those of a stored record is unchanged: it is not parsed, validated
    // or written again (this is what makes re-importing a whole corpus cheap).
    const known = new Map<string, { source: string; advisoryId: string; modified: string | null }>()
    for (const row of await repo.listContentHashes(ctx.db)) {
      known.set(row.content_hash, {
        source: row.source,
        advisoryId: row.advisory_id,
        modified: row.modified,
      })
    }

    let done = 0
    for await (const item of source.items()) {
      done += 1
      if ('message' in item) {
        counts.failed += 1
        problems.push({ path: item.path, pointer: '', message: item.message })
        options.onProgress?.({ done, total: source.total, counts: { ...counts } })
        continue
      }
      counts.filesRead += 1
      const stored = known.get(sha256Hex(item.bytes))
      if (stored && (options.format === 'auto' || options.format === stored.source)) {
        counts.unchanged += 1
        seen.set(`${stored.source}\0${stored.advisoryId}`, {
          hash: '',
          origin: item.path,
          ...(stored.modified ? { modified: stored.modified } : {}),
        })
      } else {
        const outcome = readDocument(item.bytes, item.path, options.format)
        problems.push(...outcome.problems)
        counts.warnings += outcome.problems.filter((p) => p.level === 'warning').length
        counts.failed += failedRecords(outcome.problems)
        if (outcome.kevCatalogue) {
          const catalogue = outcome.kevCatalogue
          const latest = await repo.findLatestKevCatalogRelease(ctx.db)
          if (latest && catalogue.dateReleased < latest) {
            counts.stale += outcome.advisories.length
            problems.push({
              path: item.path,
              pointer: '/dateReleased',
              message: `catalogue ${catalogue.catalogVersion} is older than the one imported before (released ${latest}); nothing changed`,
              level: 'warning',
            })
            counts.warnings += 1
          } else {
            await flush()
            for (const advisory of outcome.advisories as KevAdvisory[]) {
              advisory.modified = catalogue.dateReleased
              kevVersions.set(advisory, catalogue.catalogVersion)
              await add({ advisory, origin: item.path })
            }
            await flush()
            // Only a catalogue read whole says which entries left it.
            if (!outcome.problems.some((p) => p.level !== 'warning')) {
              counts.removed += await applyKevCatalogue(ctx, importId, {
                ...catalogue,
                cves: new Set(outcome.advisories.map((a) => a.advisoryId)),
              })
            }
          }
        } else {
          for (const advisory of outcome.advisories) await add({ advisory, origin: item.path })
        }
      }
      options.onProgress?.({ done, total: source.total, counts: { ...counts } })
    }
    await flush()
    const finishedAt = ctx.clock.now().toISOString()
    const status = counts.failed > 0 ? 'partial' : 'succeeded'
    await repo.updateImport(ctx.db, importId, {
      ...countColumns(counts),
      status,
      finished_at: finishedAt,
      problems: JSON.stringify(problems.slice(0, MAX_STORED_PROBLEMS)),
    })
    return { importId, status, location, sourceKind, counts, problems, startedAt, finishedAt }
  } catch (error) {
    const finishedAt = ctx.clock.now().toISOString()
    const message = error instanceof Error ? error.message : String(error)
    await repo.updateImport(ctx.db, importId, {
      ...countColumns(counts),
      status: 'failed',
      finished_at: finishedAt,
      error: message,
      problems: JSON.stringify(problems.slice(0, MAX_STORED_PROBLEMS)),
    })
    if (error instanceof AppError) {
      throw new AppError(error.code, error.message, {
        details: { ...(error.details as object | undefined), importId },
        cause: error.cause,
      })
    }
    throw error
  } finally {
    if (downloaded) removeTempFile(downloaded)
  }
}

export interface AdvisoryChange {
  seq: number
  importId: number
  change: AdvisoryChangeKind
  at: string
  advisory: { pk: number; source: AdvisoryTable['source']; id: string }
}

/**
 * The change set after `seq` (0 for everything), oldest first, at most `limit` entries, and the
 * `seq` to ask from next time. The matching engine keeps that cursor and re-evaluates only the
 * advisories listed (created, changed, withdrawn or removed).
 */
export async function advisoryChangesSince(
  ctx: Pick<Ctx, 'db'>,
  seq: number,
  limit = 1000,
): Promise<{ changes: AdvisoryChange[]; nextSeq: number }> {
  const rows = await repo.listChangesSince(ctx.db, seq, limit)
  const changes = rows.map((r) => ({
    seq: Number(r.seq),
    importId: Number(r.import_id),
    change: r.change,
    at: r.created_at,
    advisory: { pk: Number(r.advisory_pk), source: r.source, id: r.advisory_id },
  }))
  return { changes, nextSeq: changes.at(-1)?.seq ?? seq }
}

function importView(row: AdvisoryImportRow) {
  return {
    id: Number(row.id),
    format: row.format,
    sourceKind: row.source_kind,
    location: row.location,
    triggeredBy: row.triggered_by,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    counts: {
      filesRead: Number(row.files_read),
      new: Number(row.new_count),
      changed: Number(row.changed_count),
      unchanged: Number(row.unchanged_count),
      withdrawn: Number(row.withdrawn_count),
      removed: Number(row.removed_count),
      stale: Number(row.stale_count),
      failed: Number(row.failed_count),
      warnings: Number(row.warning_count),
    },
    error: row.error,
  }
}

export type AdvisoryImportView = ReturnType<typeof importView>

/** The import history, newest first. */
export async function listAdvisoryImports(
  ctx: Pick<Ctx, 'db'>,
  options: { limit?: number; before?: number } = {},
): Promise<AdvisoryImportView[]> {
  const rows = await repo.listImports(ctx.db, {
    limit: Math.min(Math.max(options.limit ?? 50, 1), 200),
    ...(options.before !== undefined ? { before: options.before } : {}),
  })
  return rows.map(importView)
}

/**
 * One import with its stored problems.
 * @throws not_found
 */
export async function getAdvisoryImport(ctx: Pick<Ctx, 'db'>, id: number) {
  const row = await repo.findImport(ctx.db, id)
  if (!row) throw new AppError('not_found', `There is no advisory import ${id}.`)
  return { ...importView(row), problems: JSON.parse(row.problems) as AdvisoryProblem[] }
}

const parseJson = <T>(text: string | null): T | null =>
  text === null ? null : (JSON.parse(text) as T)

/** Advisories known by this id or alias (a CVE finds the OSV, CSAF and KEV records naming it). */
export async function findAdvisories(ctx: Pick<Ctx, 'db'>, id: string) {
  const rows = await repo.findAdvisoriesByIdsOrAliases(ctx.db, [id.trim()], 100)
  // CVE ids are upper-case everywhere; accept them typed in lower case too.
  const upper = id.trim().toUpperCase()
  const more =
    rows.length === 0 && upper !== id.trim()
      ? await repo.findAdvisoriesByIdsOrAliases(ctx.db, [upper], 100)
      : []
  return [...rows, ...more].map(advisorySummary)
}

type SummaryRow = Awaited<ReturnType<typeof repo.findAdvisoriesByIdsOrAliases>>[number]

function advisorySummary(r: SummaryRow) {
  return {
    source: r.source,
    id: r.advisory_id,
    state: r.state,
    aliases: JSON.parse(r.aliases) as string[],
    published: r.published,
    modified: r.modified,
    withdrawnAt: r.withdrawn_at,
    title: r.title,
    severity: r.severity,
    cvssScore: r.cvss_score === null ? null : Number(r.cvss_score),
    category: r.category,
  }
}

/** At most this many ids are looked up for an advisory's related records, and records listed. */
const RELATED_IDS = 50
const RELATED_LIMIT = 100

/**
 * The other records of the same vulnerabilities: those whose id or aliases share one of `ids`
 * (the advisory's id, aliases and CVEs): an OSV record's GHSA twin, the CSAF advisory and the
 * KEV entry of its CVE.
 */
async function relatedAdvisories(
  ctx: Pick<Ctx, 'db'>,
  self: { source: string; id: string },
  ids: readonly (string | null)[],
) {
  const wanted = [...new Set(ids.filter((i): i is string => i !== null))].slice(0, RELATED_IDS)
  const rows = await repo.findAdvisoriesByIdsOrAliases(ctx.db, wanted, RELATED_LIMIT + 1)
  return rows
    .filter((r) => !(r.source === self.source && r.advisory_id === self.id))
    .slice(0, RELATED_LIMIT)
    .map(advisorySummary)
}

/**
 * One advisory with its normalised parts (and, with `raw`, the record as imported).
 * @throws not_found
 */
export async function getAdvisory(
  ctx: Pick<Ctx, 'db' | 'config'>,
  source: AdvisoryTable['source'],
  advisoryId: string,
  options: { raw?: boolean } = {},
) {
  const row = await repo.findAdvisory(ctx.db, source, advisoryId)
  if (!row) throw new AppError('not_found', `There is no ${source} advisory ${advisoryId}.`)
  const pk = Number(row.id)
  const base = {
    source: row.source,
    id: row.advisory_id,
    state: row.state,
    aliases: JSON.parse(row.aliases) as string[],
    published: row.published,
    modified: row.modified,
    withdrawnAt: row.withdrawn_at,
    title: row.title,
    summary: row.summary,
    severity: row.severity,
    cvssScore: row.cvss_score === null ? null : Number(row.cvss_score),
    cvss: JSON.parse(row.cvss) as unknown[],
    references: JSON.parse(row.refs) as unknown[],
    category: row.category,
    trackingStatus: row.tracking_status,
    trackingVersion: row.tracking_version,
    publisher: row.publisher,
    contentHash: row.content_hash,
    updatedAt: row.updated_at,
  }
  const raw = options.raw ? readRaw(ctx.config.dataDir, row.content_hash) : undefined
  const rawPart = raw ? { raw: JSON.parse(raw.toString('utf8')) as unknown } : {}
  if (row.source === 'osv') {
    const affected = (await repo.listOsvAffected(ctx.db, pk)).map((a) => ({
      ecosystem: a.ecosystem,
      name: a.package_name,
      purl: a.purl,
      ranges: JSON.parse(a.ranges) as unknown[],
      versions: JSON.parse(a.versions) as string[],
      severity: parseJson<unknown[]>(a.severity),
      databaseSpecific: parseJson<unknown>(a.database_specific),
    }))
    const ids = [base.id, ...base.aliases]
    return {
      ...base,
      knownExploited: await knownExploited(ctx, ids),
      related: await relatedAdvisories(ctx, base, ids),
      affected,
      ...rawPart,
    }
  }
  if (row.source === 'csaf') {
    const [products, vulnerabilities, statuses, remediations] = await Promise.all([
      repo.listCsafProducts(ctx.db, pk),
      repo.listCsafVulnerabilities(ctx.db, pk),
      repo.listCsafStatuses(ctx.db, pk),
      repo.listCsafRemediations(ctx.db, pk),
    ])
    const ids = [base.id, ...base.aliases, ...vulnerabilities.map((v) => v.cve)]
    return {
      ...base,
      knownExploited: await knownExploited(ctx, ids),
      related: await relatedAdvisories(ctx, base, ids),
      products: products.map((p) => ({
        productId: p.product_id,
        name: p.name,
        vendor: p.vendor,
        product: p.product,
        version: p.version,
        versionRange: p.version_range,
        modelNumbers: JSON.parse(p.model_numbers) as string[],
        purl: p.purl,
        cpe: p.cpe,
      })),
      vulnerabilities: vulnerabilities.map((v) => ({
        cve: v.cve,
        title: v.title,
        cwe: v.cwe,
        statuses: statuses
          .filter((s) => s.vuln_index === v.vuln_index)
          .map((s) => ({ productId: s.product_id, status: s.status })),
        remediations: remediations
          .filter((r) => r.vuln_index === v.vuln_index)
          .map((r) => ({
            category: r.category,
            details: r.details,
            url: r.url,
            productIds: JSON.parse(r.product_ids) as string[],
          })),
      })),
      ...rawPart,
    }
  }
  const kev = await repo.findKevEntry(ctx.db, pk)
  return {
    ...base,
    knownExploited: [],
    related: await relatedAdvisories(ctx, base, [base.id, ...base.aliases]),
    kev: kev
      ? {
          cve: kev.cve,
          vendorProject: kev.vendor_project,
          product: kev.product,
          vulnerabilityName: kev.vulnerability_name,
          dateAdded: kev.date_added,
          dueDate: kev.due_date,
          knownRansomwareCampaignUse: kev.known_ransomware_campaign_use,
          requiredAction: kev.required_action,
          catalogVersion: kev.catalog_version,
        }
      : null,
    ...rawPart,
  }
}

const isCve = (id: string | null): id is string => id !== null && /^CVE-\d{4}-\d{4,}$/i.test(id)

/** Those of an advisory's ids that CISA lists as exploited now: what a reader should act on first. */
async function knownExploited(ctx: Pick<Ctx, 'db'>, ids: readonly (string | null)[]) {
  return [...(await kevByCves(ctx, ids.filter(isCve))).values()]
    .sort((a, b) => a.cve.localeCompare(b.cve))
    .map((k) => ({ ...k, knownRansomwareCampaignUse: k.knownRansomwareCampaignUse ?? null }))
}

/** How many advisories are stored, per source and state. */
export async function countStoredAdvisories(ctx: Pick<Ctx, 'db'>) {
  return (await repo.countAdvisories(ctx.db)).map((r) => ({
    source: r.source,
    state: r.state,
    count: Number(r.count),
  }))
}

/** The job that imports the configured sources (ADVISORY_SOURCES); scheduled and on demand. */
export const IMPORT_TASK = 'advisories.import'
/** At most one such job queued or running at a time. */
const IMPORT_JOB_KEY = 'advisories.import'

/**
 * Imports every configured source in turn (`ADVISORY_SOURCES`). A source that fails as a whole
 * (missing path, corrupt archive, URL down) is recorded as a failed import and the next one still
 * runs. Returns the import results and the failures.
 */
export async function importConfiguredSources(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config' | 'logger'>,
  triggeredBy: string,
): Promise<{ results: ImportResult[]; failures: { location: string; error: string }[] }> {
  const results: ImportResult[] = []
  const failures: { location: string; error: string }[] = []
  for (const source of ctx.config.advisorySources) {
    try {
      const result = await importAdvisories(ctx, {
        location: source.location,
        format: source.format,
        triggeredBy,
      })
      ctx.logger.info(
        { importId: result.importId, location: result.location, counts: result.counts },
        'advisory import finished',
      )
      results.push(result)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      ctx.logger.warn({ location: source.location, error: message }, 'advisory import failed')
      failures.push({ location: source.location, error: message })
    }
  }
  return { results, failures }
}

/**
 * Queues the import of the configured sources now (one job at a time: asking again while one is
 * queued or running returns `queued: false`).
 * @throws conflict when no source is configured
 */
export async function requestAdvisoryImport(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config'>,
  requestedBy: string,
): Promise<{ queued: boolean; jobId: number | null; sources: number }> {
  const sources = ctx.config.advisorySources.length
  if (sources === 0) {
    throw new AppError(
      'conflict',
      'No advisory sources are configured; the operator sets ADVISORY_SOURCES.',
    )
  }
  const jobId = await enqueueJob(
    ctx.db,
    ctx.clock,
    IMPORT_TASK,
    { triggeredBy: requestedBy },
    { uniqueKey: IMPORT_JOB_KEY, maxAttempts: 1 },
  )
  return { queued: jobId !== undefined, jobId: jobId ?? null, sources }
}

/** The configured sources, as administrators see them. */
export function configuredAdvisorySources(ctx: Pick<Ctx, 'config'>) {
  return ctx.config.advisorySources.map((s) => ({ format: s.format, location: s.location }))
}
