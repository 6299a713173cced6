import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Ctx } from '../../../kernel/context.ts'
import { candidatesOfAdvisories } from '../../advisories/advisories.candidates.ts'
import { parseCpe } from '../../sboms/cpe.ts'
import { parseSbom } from '../../sboms/sbom-parser.ts'
import type { ParsedSbom } from '../../sboms/sbom.types.ts'
import {
  candidateKeys,
  matchComponents,
  osvNameKey,
  type EngineComponent,
  type EngineFinding,
  type KevInfo,
} from '../matching/engine.ts'
import { vendorKeys } from '../matching/names/normalise.ts'
import { parsePurl } from '../versions/purl.ts'
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotReader,
  SnapshotWriter,
  type PurlColumns,
  type SnapshotAdvisory,
  type SnapshotMeta,
} from './snapshot-file.ts'
import * as repo from './snapshot.repository.ts'

/**
 * The offline matching snapshot: {@link buildSnapshot} writes every active advisory of the
 * database as engine candidates into one file (snapshot-file.ts); {@link scanSbom} matches an
 * SBOM against such a file with the same engine core (matching/engine.ts) as the server's
 * findings, with no database and no network.
 */

/** Advisories read from the database per page while building. */
const PAGE = 500

export const SNAPSHOT_FILE_NAME = 'advisories.snapshot'

/** Where `isn advisories snapshot` writes and `isn sbom scan` reads by default. */
export function defaultSnapshotPath(dataDir: string): string {
  return path.join(dataDir, SNAPSHOT_FILE_NAME)
}

async function loadSqlite() {
  const { default: SQLite } = await import('better-sqlite3')
  return SQLite
}

function purlColumns(text: string | undefined): PurlColumns | undefined {
  if (!text) return undefined
  try {
    const p = parsePurl(text)
    return { type: p.type, namespace: p.namespace, name: p.name }
  } catch {
    return undefined
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export interface SnapshotSummary {
  file: string
  bytes: number
  durationMs: number
  meta: SnapshotMeta
}

export interface SnapshotProgress {
  advisories: number
  total: number
}

/**
 * Builds the snapshot of the active OSV, CSAF and KEV advisories into `file`: written to a
 * temporary file beside it and renamed over it when complete, so a reader never sees half a
 * snapshot. Candidates come from the advisories module's `candidatesOfAdvisories`, the reader the
 * server's findings engine uses, so the scan sees what the server sees. The content hash is over
 * the advisories' content in (source, id) order, so the same data gives the same hash whatever
 * the database or import order.
 */
export async function buildSnapshot(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  options: { file: string; onProgress?: (p: SnapshotProgress) => void },
): Promise<SnapshotSummary> {
  const started = performance.now()
  const SQLite = await loadSqlite()
  const file = path.resolve(options.file)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  fs.rmSync(temporary, { force: true })
  const writer = new SnapshotWriter(SQLite, temporary)
  try {
    const summary = await repo.summariseActiveAdvisories(ctx.db)
    const total = summary.filter((s) => s.source !== 'kev').reduce((sum, s) => sum + s.count, 0)
    const digests: string[] = []
    const counts: Record<string, number> = {
      osv: 0,
      csaf: 0,
      kev: 0,
      osvEntries: 0,
      csafLeaves: 0,
      csafVulnerabilities: 0,
    }
    let afterId = 0
    for (;;) {
      const heads = await repo.listActiveMatchableAdvisories(ctx.db, afterId, PAGE)
      if (heads.length === 0) break
      afterId = heads[heads.length - 1]!.id
      const byPk = new Map(heads.map((h) => [h.id, h]))
      const loaded = await candidatesOfAdvisories(
        ctx,
        heads.map((h) => h.id),
      )
      const advisory = (pk: number, source: 'osv' | 'csaf', c: SnapshotAdvisoryInput) => {
        const h = byPk.get(pk)
        return {
          source,
          advisoryId: c.advisoryId,
          aliases: c.aliases,
          severity: c.severity ?? null,
          cvssScore: c.cvssScore ?? null,
          summary: h?.summary ?? h?.title ?? null,
          modified: h?.modified ?? null,
        } satisfies SnapshotAdvisory
      }
      for (const c of loaded.osv) {
        const head = advisory(c.pk, 'osv', c)
        const entries = c.affected.flatMap((entry, index) => {
          if (!entry.package) return []
          const base = entry.package.ecosystem.split(':')[0] ?? ''
          return [
            {
              index,
              ecosystemBase: base,
              packageKey: osvNameKey(base, entry.package.name),
              purl: purlColumns(entry.package.purl),
              entry,
            },
          ]
        })
        writer.addOsv(head, entries)
        counts.osv! += 1
        counts.osvEntries! += entries.length
        digests.push(`osv\0${c.advisoryId}\0${sha256(JSON.stringify([head, c.affected]))}`)
      }
      for (const c of loaded.csaf) {
        const head = advisory(c.pk, 'csaf', c)
        const leaves = c.leaves.map((leaf) => {
          const cpe = leaf.cpe ? parseCpe(leaf.cpe) : undefined
          return {
            cpeKey: cpe ? `${cpe.vendor}:${cpe.product}` : undefined,
            purl: purlColumns(leaf.purl),
            vendorKeys: leaf.vendor ? vendorKeys(leaf.vendor) : [],
            leaf,
          }
        })
        writer.addCsaf(head, leaves, c.vulnerabilities)
        counts.csaf! += 1
        counts.csafLeaves! += leaves.length
        counts.csafVulnerabilities! += c.vulnerabilities.length
        digests.push(
          `csaf\0${c.advisoryId}\0${sha256(JSON.stringify([head, c.leaves, c.vulnerabilities]))}`,
        )
      }
      options.onProgress?.({ advisories: counts.osv! + counts.csaf!, total })
    }
    for (const r of await repo.listActiveKevEntries(ctx.db)) {
      const entry: KevInfo = {
        cve: r.cve,
        dateAdded: r.date_added,
        dueDate: r.due_date,
        knownRansomwareCampaignUse: r.known_ransomware_campaign_use,
      }
      writer.addKev(entry)
      counts.kev! += 1
      digests.push(`kev\0${r.cve}\0${sha256(JSON.stringify(entry))}`)
    }
    digests.sort()
    const meta: SnapshotMeta = {
      format: SNAPSHOT_FORMAT,
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      createdAt: ctx.clock.now().toISOString(),
      contentSha256: sha256(digests.join('\n')),
      counts,
      newestModified: Object.fromEntries(summary.map((s) => [s.source, s.newestModified])),
    }
    writer.finish(meta)
    // On disk before it takes the place of the old snapshot.
    const fd = fs.openSync(temporary, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(temporary, file)
    return {
      file,
      bytes: fs.statSync(file).size,
      durationMs: Math.round(performance.now() - started),
      meta,
    }
  } catch (error) {
    writer.abandon()
    fs.rmSync(temporary, { force: true })
    throw error
  }
}

interface SnapshotAdvisoryInput {
  advisoryId: string
  aliases: readonly string[]
  severity?: string | null
  cvssScore?: number | null
}

// ---- scanning

/** Severity levels in order; `unrated`: the advisory gives none. */
export const SEVERITIES = ['unrated', 'low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]
export const FAIL_ON = ['none', 'low', 'medium', 'high', 'critical', 'kev'] as const
export type FailOn = (typeof FAIL_ON)[number]

export function severityOf(text: string | null | undefined): Severity {
  const s = text?.toLowerCase()
  return s === 'low' || s === 'medium' || s === 'high' || s === 'critical' ? s : 'unrated'
}

/**
 * Whether a finding reaches the threshold. An unrated finding counts as `low`: it is a known
 * vulnerability, so at least low, but nothing shows it is more. `kev`: listed in CISA KEV.
 */
export function reachesThreshold(
  finding: { severity: string | null; kev: unknown },
  failOn: FailOn,
): boolean {
  if (failOn === 'none') return false
  if (failOn === 'kev') return finding.kev !== null && finding.kev !== undefined
  const rank = Math.max(1, SEVERITIES.indexOf(severityOf(finding.severity)))
  return rank >= SEVERITIES.indexOf(failOn)
}

export interface ScanFinding {
  component: { key: string; name: string; version: string | null; purl: string | null }
  advisory: { source: 'osv' | 'csaf'; id: string; summary: string | null }
  cves: string[]
  status: EngineFinding['status']
  severity: Severity
  cvssScore: number | null
  kev: KevInfo | null
  fixedVersion: string | null
  confidence: EngineFinding['confidence']
  reason: EngineFinding['reason']
  /** Whether it counts toward `--fail-on`. */
  reachesThreshold: boolean
}

export interface ScanResult {
  sbom: {
    file: string
    format: ParsedSbom['format']
    specVersion: string
    sha256: string
    components: number
  }
  snapshot: {
    file: string
    formatVersion: number
    createdAt: string
    sha256: string
    counts: Record<string, number>
    newestModified: Record<string, string | null>
  }
  failOn: FailOn
  includeUnknown: boolean
  summary: {
    affected: number
    unknown: number
    bySeverity: Record<Severity, number>
    kev: number
    atOrAboveThreshold: number
    failed: boolean
  }
  /** Affected findings, by severity (critical first), then component order. */
  findings: ScanFinding[]
  /** Findings whose status is `unknown` (needs review), same shape and order. */
  unknown: ScanFinding[]
  timings: { parseMs: number; loadMs: number; matchMs: number }
}

/** SBOM components as the engine takes them: the same fields the server's stored rows give. */
export function engineComponents(sbom: ParsedSbom): EngineComponent[] {
  return sbom.components.map((c) => ({
    key: c.key,
    name: c.name,
    version: c.version ?? null,
    purl: c.purl !== undefined && c.purlValid !== false ? c.purl : null,
    cpes: c.cpes,
    supplier: c.supplier ?? null,
  }))
}

/** Opens a snapshot file for scanning. @throws SnapshotError */
export async function openSnapshot(file: string): Promise<SnapshotReader> {
  return SnapshotReader.open(await loadSqlite(), file)
}

/**
 * Scans one SBOM against a snapshot: parses it (schema errors are thrown as `SbomError` with the
 * file and JSON pointers), reads the candidates of its components' keys, matches them with the
 * engine core and sorts the findings into affected and unknown, marking those that reach
 * `failOn` (unknown ones only with `includeUnknown`).
 * @throws SbomError (validation_failed, payload_too_large), SnapshotError (invalid_config)
 */
export function scanSbom(
  snapshot: SnapshotReader,
  input: { bytes: Buffer; fileName: string; snapshotFile: string },
  options: { failOn: FailOn; includeUnknown: boolean },
): ScanResult {
  const sbom = parseSbom(input.bytes, input.fileName)
  const parsed = performance.now()
  const components = engineComponents(sbom)
  const keys = candidateKeys(components)
  const candidates = snapshot.candidates(keys)
  const loaded = performance.now()
  const produced = matchComponents(components, candidates)
  const matched = performance.now()

  const byKey = new Map(components.map((c) => [c.key, c]))
  const order = new Map(components.map((c, i) => [c.key, i]))
  const toScan = (f: EngineFinding): ScanFinding => {
    const c = byKey.get(f.componentKey)
    const unknown = f.status === 'unknown'
    return {
      component: {
        key: f.componentKey,
        name: c?.name ?? f.componentKey,
        version: c?.version ?? null,
        purl: c?.purl ?? null,
      },
      advisory: {
        source: f.source,
        id: f.advisoryId,
        summary: candidates.heads.get(f.advisoryId)?.summary ?? null,
      },
      cves: f.cves,
      status: f.status,
      severity: severityOf(f.severity),
      cvssScore: f.cvssScore,
      kev: f.kev,
      fixedVersion: f.fixedVersion,
      confidence: f.confidence,
      reason: f.reason,
      reachesThreshold: (!unknown || options.includeUnknown) && reachesThreshold(f, options.failOn),
    }
  }
  const rank = (f: ScanFinding) => SEVERITIES.indexOf(f.severity)
  const sorted = produced
    .map(toScan)
    .sort(
      (a, b) =>
        Number(b.kev !== null) - Number(a.kev !== null) ||
        rank(b) - rank(a) ||
        (order.get(a.component.key) ?? 0) - (order.get(b.component.key) ?? 0) ||
        (a.advisory.id < b.advisory.id ? -1 : a.advisory.id > b.advisory.id ? 1 : 0),
    )
  const findings = sorted.filter((f) => f.status === 'affected')
  const unknown = sorted.filter((f) => f.status === 'unknown')
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
  for (const f of findings) bySeverity[f.severity] += 1
  const atOrAbove = sorted.filter((f) => f.reachesThreshold).length
  return {
    sbom: {
      file: input.fileName,
      format: sbom.format,
      specVersion: sbom.specVersion,
      sha256: sbom.sha256,
      components: sbom.components.length,
    },
    snapshot: {
      file: input.snapshotFile,
      formatVersion: snapshot.meta.formatVersion,
      createdAt: snapshot.meta.createdAt,
      sha256: snapshot.meta.contentSha256,
      counts: snapshot.meta.counts,
      newestModified: snapshot.meta.newestModified,
    },
    failOn: options.failOn,
    includeUnknown: options.includeUnknown,
    summary: {
      affected: findings.length,
      unknown: unknown.length,
      bySeverity,
      kev: findings.filter((f) => f.kev !== null).length,
      atOrAboveThreshold: atOrAbove,
      failed: atOrAbove > 0,
    },
    findings,
    unknown,
    timings: {
      parseMs: round(sbom.timings.parseMs + sbom.timings.validateMs + sbom.timings.normaliseMs),
      loadMs: round(loaded - parsed),
      matchMs: round(matched - loaded),
    },
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100
