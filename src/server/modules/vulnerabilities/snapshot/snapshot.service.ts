import { isSbomWarning } from '../../../../common/api/sboms.ts'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import type { Ctx } from '../../../kernel/context.ts'
import { candidatesOfAdvisories } from '../../advisories/advisories.candidates.ts'
import { parseCpe } from '../../sboms/cpe.ts'
import { parseSbom } from '../../sboms/sbom-parser.ts'
import type { ParsedSbom } from '../../sboms/sbom.types.ts'
import {
  candidateKeys,
  matchComponents,
  osvNameKey,
  prepareCandidates,
  productLookups,
  osvPackageOfPurl,
  readPurl,
  type EngineComponent,
  type EngineFinding,
  type KevInfo,
  type MatchOptions,
} from '../matching/engine.ts'
import { vendorKeys } from '../matching/names/normalise.ts'
import type { CsafLeaf, CsafVulnerabilityProducts } from '../matching/csaf/product-tree.ts'
import { leafTermList, leafTerms } from '../matching/product-match.ts'
import { sortVersionList, type OsvAffected } from '../versions/osv.ts'
import { parsePurl } from '../versions/purl.ts'
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotReader,
  SnapshotWriter,
  type PurlColumns,
  type SnapshotHead,
  type SnapshotAdvisory,
  type SnapshotMeta,
  type SnapshotOsvEntry,
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

function parsedPurl(text: string | undefined) {
  if (!text) return undefined
  try {
    return parsePurl(text)
  } catch {
    return undefined
  }
}

function purlColumns(text: string | undefined): PurlColumns | undefined {
  const p = parsedPurl(text)
  return p && { type: p.type, namespace: p.namespace, name: p.name }
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
 * An OSV record's `affected[]` entries as snapshot rows: those with a package, under its keys.
 * The purl key is left out when the purl names the entry's own package (`osvPackageOfPurl`): a
 * component with that purl finds the entry by its package key already, and the scan would
 * otherwise read the same row twice (half the rows read at the 1M tier).
 */
export function osvSnapshotEntries(affected: readonly OsvAffected[]): SnapshotOsvEntry[] {
  return affected.flatMap((entry, index) => {
    if (!entry.package) return []
    const base = entry.package.ecosystem.split(':')[0] ?? ''
    const packageKey = osvNameKey(base, entry.package.name)
    const parsed = parsedPurl(entry.package.purl)
    const implied = parsed && osvPackageOfPurl(parsed)
    const purl =
      parsed && !(implied?.ecosystem === base && implied.name === packageKey)
        ? { type: parsed.type, namespace: parsed.namespace, name: parsed.name }
        : undefined
    return [{ index, ecosystemBase: base, packageKey, purl, entry: sortVersionList(entry) }]
  })
}

/**
 * Writes advisories into a new snapshot file and keeps its counts and content hash: the one
 * place that turns candidates into snapshot rows, used by {@link buildSnapshot} for the database
 * and by the benchmarks (bench/matching-scale.ts) for generated records. `finish` writes the
 * metadata, the indexes, and moves the file into place.
 */
export class SnapshotBuilder {
  readonly counts: Record<string, number> = {
    osv: 0,
    csaf: 0,
    kev: 0,
    osvEntries: 0,
    csafLeaves: 0,
    csafVulnerabilities: 0,
  }
  private readonly digests: string[] = []
  private readonly writer: SnapshotWriter
  private readonly temporary: string

  private constructor(
    SQLite: typeof BetterSqlite3,
    readonly file: string,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    this.temporary = `${file}.${process.pid}.tmp`
    fs.rmSync(this.temporary, { force: true })
    this.writer = new SnapshotWriter(SQLite, this.temporary)
  }

  static async create(file: string): Promise<SnapshotBuilder> {
    return new SnapshotBuilder(await loadSqlite(), path.resolve(file))
  }

  addOsv(head: SnapshotAdvisory, affected: readonly OsvAffected[]): void {
    const entries = osvSnapshotEntries(affected)
    this.writer.addOsv(head, entries)
    this.counts.osv! += 1
    this.counts.osvEntries! += entries.length
    this.digests.push(`osv\0${head.advisoryId}\0${sha256(JSON.stringify([head, affected]))}`)
  }

  addCsaf(
    head: SnapshotAdvisory,
    leaves: readonly CsafLeaf[],
    vulnerabilities: readonly CsafVulnerabilityProducts[],
  ): void {
    const rows = leaves.map((leaf) => {
      const cpe = leaf.cpe ? parseCpe(leaf.cpe) : undefined
      const terms = leafTerms(leaf)
      return {
        cpeKey: cpe ? `${cpe.vendor}:${cpe.product}` : undefined,
        purl: purlColumns(leaf.purl),
        vendorKeys: leaf.vendor ? terms.vendorKeys : [],
        terms: leafTermList(terms),
        leafTerms: terms,
        leaf,
      }
    })
    this.writer.addCsaf(head, rows, vulnerabilities)
    this.counts.csaf! += 1
    this.counts.csafLeaves! += rows.length
    this.counts.csafVulnerabilities! += vulnerabilities.length
    this.digests.push(
      `csaf\0${head.advisoryId}\0${sha256(JSON.stringify([head, leaves, vulnerabilities]))}`,
    )
  }

  addKev(entry: KevInfo): void {
    this.writer.addKev(entry)
    this.counts.kev! += 1
    this.digests.push(`kev\0${entry.cve}\0${sha256(JSON.stringify(entry))}`)
  }

  /** Metadata, indexes, fsync, then the rename that makes the snapshot visible. */
  finish(createdAt: Date, newestModified: Record<string, string | null>): SnapshotMeta {
    this.digests.sort()
    const meta: SnapshotMeta = {
      format: SNAPSHOT_FORMAT,
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      createdAt: createdAt.toISOString(),
      contentSha256: sha256(this.digests.join('\n')),
      counts: this.counts,
      newestModified,
    }
    this.writer.finish(meta)
    // On disk before it takes the place of the old snapshot.
    const fd = fs.openSync(this.temporary, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(this.temporary, this.file)
    return meta
  }

  abandon(): void {
    this.writer.abandon()
    fs.rmSync(this.temporary, { force: true })
  }
}

/**
 * Adds every active OSV, CSAF and KEV advisory of the database to `builder`. Candidates come from
 * the advisories module's `candidatesOfAdvisories`, the reader the server's findings engine uses,
 * so the scan sees what the server sees. Returns the newest `modified` time per source.
 */
export async function addDatabaseAdvisories(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  builder: SnapshotBuilder,
  onProgress?: (p: SnapshotProgress) => void,
): Promise<Record<string, string | null>> {
  const summary = await repo.summariseActiveAdvisories(ctx.db)
  const total = summary.filter((s) => s.source !== 'kev').reduce((sum, s) => sum + s.count, 0)
  let done = 0
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
    for (const c of loaded.osv) builder.addOsv(advisory(c.pk, 'osv', c), c.affected)
    for (const c of loaded.csaf) {
      builder.addCsaf(advisory(c.pk, 'csaf', c), c.leaves, c.vulnerabilities)
    }
    done += loaded.osv.length + loaded.csaf.length
    onProgress?.({ advisories: done, total })
  }
  for (const r of await repo.listActiveKevEntries(ctx.db)) {
    builder.addKev({
      cve: r.cve,
      dateAdded: r.date_added,
      dueDate: r.due_date,
      knownRansomwareCampaignUse: r.known_ransomware_campaign_use,
    })
  }
  return Object.fromEntries(summary.map((s) => [s.source, s.newestModified]))
}

/**
 * Builds the snapshot of the active OSV, CSAF and KEV advisories into `file`: written to a
 * temporary file beside it and renamed over it when complete, so a reader never sees half a
 * snapshot. The content hash is over the advisories' content in (source, id) order, so the same
 * data gives the same hash whatever the database or import order.
 */
export async function buildSnapshot(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  options: { file: string; onProgress?: (p: SnapshotProgress) => void },
): Promise<SnapshotSummary> {
  const started = performance.now()
  const builder = await SnapshotBuilder.create(options.file)
  try {
    const newestModified = await addDatabaseAdvisories(ctx, builder, options.onProgress)
    const meta = builder.finish(ctx.clock.now(), newestModified)
    return {
      file: builder.file,
      bytes: fs.statSync(builder.file).size,
      durationMs: Math.round(performance.now() - started),
      meta,
    }
  } catch (error) {
    builder.abandon()
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
    /** Where the file departs from its schema in ways real generators do, accepted (docs/vulnerabilities.md). */
    warnings: { message: string; pointer?: string }[]
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
  /**
   * Milliseconds: parse (JSON.parse, schema validation, normalisation), load (lookup keys and
   * candidate rows), match (the engine: version evaluation), assemble (findings sorted and
   * summarised: this document less its timings).
   */
  timings: { parseMs: number; loadMs: number; matchMs: number; assembleMs: number }
}

/** SBOM components as the engine takes them: the same fields the server's stored rows give. */
export function engineComponents(sbom: ParsedSbom): EngineComponent[] {
  return sbom.components.map((c) => {
    const valid = c.purl !== undefined && c.purlValid !== false
    const p = valid ? c.purlParts : undefined
    return {
      key: c.key,
      name: c.name,
      version: c.version ?? null,
      purl: valid ? c.purl : null,
      // The parser's parse of the same purl: the engine need not parse it again. (A property
      // set or left undefined, not a spread: V8 copies a spread object by its slow path.)
      parsedPurl: p && {
        type: p.type,
        namespace: p.namespace ?? null,
        name: p.name,
        version: p.version ?? null,
        qualifiers: p.qualifiers ?? null,
        subpath: p.subpath ?? null,
      },
      cpes: c.cpes,
      supplier: c.supplier ?? null,
    }
  })
}

/** Opens a snapshot file for scanning. @throws SnapshotError */
export async function openSnapshot(file: string): Promise<SnapshotReader> {
  return SnapshotReader.open(await loadSqlite(), file)
}

export interface SnapshotMatch {
  findings: EngineFinding[]
  /** The heads of the advisories read, by advisory id (for their summaries). */
  heads: ReadonlyMap<string, SnapshotHead>
  /** Milliseconds: keys and candidate rows read (lookup), and the engine less those reads. */
  timings: { loadMs: number; matchMs: number }
}

/**
 * Whether any key of `c` may be in the snapshot, by its key filter: false means no advisory
 * names any of them, so the engine can give the component no finding (the engine's paths each
 * need a candidate under one of these keys: OSV by purl or package, CSAF by leaf purl, CPE or
 * the supplier's vendor keys; name-only CSAF matching is off in a scan).
 */
function mayMatch(
  snapshot: SnapshotReader,
  c: EngineComponent,
  options: MatchOptions,
): { osv: boolean; csaf: boolean } {
  let osv = false
  let csaf = false
  const purl = c.purl ? (c.parsedPurl ?? readPurl(c.purl)) : undefined
  if (purl) {
    if (snapshot.mayHoldPurl(purl.type, purl.namespace, purl.name)) osv = true
    else {
      const pkg = osvPackageOfPurl(purl)
      if (pkg && snapshot.mayHoldPackage(pkg.ecosystem, pkg.name)) osv = true
    }
    if (snapshot.mayHoldLeafPurl(purl.type, purl.namespace, purl.name)) csaf = true
  }
  if (!csaf && c.cpes?.length) {
    for (const text of c.cpes.slice(0, options.maxCpesPerComponent ?? 8)) {
      const parts = parseCpe(text)
      if (parts && snapshot.mayHoldCpe(`${parts.vendor}:${parts.product}`)) {
        csaf = true
        break
      }
    }
  }
  if (!csaf && c.supplier?.trim()) {
    csaf = vendorKeys(c.supplier).some((k) => snapshot.mayHoldVendor(k))
  }
  return { osv, csaf }
}

/**
 * Matches components against a snapshot with the engine (`matchComponents`), the same findings
 * as the engine over the batched candidates of all their keys (`SnapshotReader.candidates`):
 * - components none of whose keys the snapshot's filter holds are left out (no engine work);
 * - OSV entries are read key by key as the engine asks for them (`SnapshotOsvLookup`), so that
 *   nothing is read, decoded or indexed ahead for the whole component list;
 * - CSAF leaves are read in one batch for the components that may have some, as before (a
 *   CSAF finding's fixed version looks at every leaf read of its document, so the batch stays).
 * One component is the single-lookup case: one key row read, no whole-scan index.
 */
export function matchSnapshot(
  snapshot: SnapshotReader,
  components: readonly EngineComponent[],
  options: MatchOptions = {},
): SnapshotMatch {
  const started = performance.now()
  const survivors: EngineComponent[] = []
  const withCsaf: EngineComponent[] = []
  for (const c of components) {
    const may = mayMatch(snapshot, c, options)
    if (may.osv || may.csaf) survivors.push(c)
    if (may.csaf) withCsaf.push(c)
  }
  const osvByKey = snapshot.osvLookup()
  let csaf: ReturnType<SnapshotReader['csafCandidates']> = {
    csaf: [],
    heads: new Map(),
    leafTerms: new Map(),
  }
  if (withCsaf.length > 0) {
    const keys = candidateKeys(withCsaf, options)
    const products = productLookups(withCsaf, (vendor) => snapshot.mayHoldVendor(vendor))
    csaf = snapshot.csafCandidates(keys, products)
  }
  const { leafTerms } = csaf
  const prepared = prepareCandidates(
    { osv: [], csaf: csaf.csaf, kev: snapshot.kev() },
    { osvByKey, leafTerms: (leaf) => leafTerms.get(leaf) },
  )
  const keyed = performance.now()
  const findings = survivors.length === 0 ? [] : matchComponents(survivors, prepared, options)
  const matched = performance.now()
  const heads = new Map(osvByKey.heads)
  for (const [id, head] of csaf.heads) heads.set(id, head)
  return {
    findings,
    heads,
    timings: {
      loadMs: keyed - started + osvByKey.readMs,
      matchMs: matched - keyed - osvByKey.readMs,
    },
  }
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
  const { findings: produced, heads, timings } = matchSnapshot(snapshot, components)
  const matched = performance.now()
  const loadMs = matched - parsed - timings.matchMs

  // Only the components with findings: the engine gives findings in component order, so their
  // first appearance is their order (a map of all 10,000 components cost more than the rest).
  const byKey = new Map<string, EngineComponent>()
  const order = new Map<string, number>()
  if (produced.length > 0) {
    const wanted = new Set(produced.map((f) => f.componentKey))
    components.forEach((c, i) => {
      if (wanted.has(c.key)) {
        byKey.set(c.key, c)
        order.set(c.key, i)
      }
    })
  }
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
        summary: heads.get(f.advisoryId)?.summary ?? null,
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
  const assembled = performance.now()
  return {
    sbom: {
      file: input.fileName,
      format: sbom.format,
      specVersion: sbom.specVersion,
      sha256: sbom.sha256,
      components: sbom.components.length,
      warnings: sbom.notes
        .filter(isSbomWarning)
        .map(({ message, pointer }) =>
          pointer === undefined ? { message } : { message, pointer },
        ),
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
      loadMs: round(loadMs),
      matchMs: round(timings.matchMs),
      assembleMs: round(assembled - matched),
    },
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100
