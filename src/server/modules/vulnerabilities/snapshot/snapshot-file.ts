import fs from 'node:fs'
import type BetterSqlite3 from 'better-sqlite3'
import { AppError } from '../../../../common/errors.ts'
import type { CsafLeaf, CsafVulnerabilityProducts } from '../matching/csaf/product-tree.ts'
import type {
  CandidateKeys,
  CsafCandidate,
  KevInfo,
  MatchCandidates,
  OsvCandidate,
} from '../matching/engine.ts'
import type { OsvAffected } from '../versions/osv.ts'

/**
 * The advisory snapshot file: a SQLite database (read with better-sqlite3) holding what the
 * matching engine needs, under indexed keys, so that `isn sbom scan` reads only the candidates of
 * the SBOM's components instead of loading the whole corpus. Why SQLite and not one gzip JSON
 * blob: on the full ../shared/data corpus, opening the file and reading the candidates of a
 * 300-component SBOM costs a few milliseconds, while gunzip plus JSON.parse of the same data costs
 * hundreds, and grows with the corpus rather than with the SBOM (docs/performance.md,
 * "Offline SBOM scan").
 *
 * Layout (format version {@link SNAPSHOT_FORMAT_VERSION}; `PRAGMA application_id` marks the file):
 * - `meta(key, value)`: format, version, created_at, content_sha256, counts, newest_modified;
 * - `advisories(pk, source, advisory_id, aliases, severity, cvss_score, summary, modified)`;
 * - `osv_entries`: one OSV `affected[]` entry (JSON body) under its package key (ecosystem base,
 *   PEP 503 name for PyPI) and its purl key;
 * - `csaf_leaves`: one CSAF leaf (JSON body) under its CPE `vendor:product` and purl key, and
 *   `csaf_leaf_vendors`: its canonical vendor keys (names/normalise.ts, at build time);
 * - `csaf_vulnerabilities`: per CSAF document, its vulnerabilities with statuses, remediations
 *   and flags (JSON);
 * - `kev(cve, body)`.
 */

export const SNAPSHOT_FORMAT = 'isn-advisory-snapshot'
export const SNAPSHOT_FORMAT_VERSION = 1
/** `PRAGMA application_id`: 'ISNS' — tells a snapshot from any other SQLite file. */
/** SQLite's own ceiling for `mmap_size` (SQLITE_MAX_MMAP_SIZE); larger files read the rest. */
const MAX_MMAP_BYTES = 0x7fff0000
const APPLICATION_ID = 0x49534e53

/** A snapshot that cannot be used: missing, not a snapshot, corrupt, or of another format. */
export class SnapshotError extends AppError {
  constructor(message: string, cause?: unknown) {
    // invalid_config → exit code 3: the scan cannot run with the snapshot it was given.
    super('invalid_config', message, cause === undefined ? {} : { cause })
    this.name = 'SnapshotError'
  }
}

const SCHEMA = `
create table meta (key text primary key, value text not null) without rowid;
create table advisories (
  pk integer primary key, source text not null, advisory_id text not null, aliases text not null,
  severity text, cvss_score real, summary text, modified text);
create table osv_entries (
  advisory_pk integer not null, entry_index integer not null, eco_base text not null,
  package_key text not null, purl_type text, purl_namespace text, purl_name text,
  body text not null);
create table csaf_leaves (
  advisory_pk integer not null, ordinal integer not null, cpe_key text, purl_type text,
  purl_namespace text, purl_name text, body text not null, primary key (advisory_pk, ordinal));
create table csaf_leaf_vendors (
  vendor_key text not null, advisory_pk integer not null, ordinal integer not null,
  primary key (vendor_key, advisory_pk, ordinal)) without rowid;
create table csaf_vulnerabilities (advisory_pk integer primary key, body text not null);
create table kev (cve text primary key, body text not null) without rowid;
`

// Built after the rows are in: one sorted pass each instead of per-row index maintenance.
const INDEXES = `
create index osv_by_package on osv_entries (eco_base, package_key);
create index osv_by_purl on osv_entries (purl_type, purl_name, purl_namespace)
  where purl_type is not null;
create index csaf_by_cpe on csaf_leaves (cpe_key) where cpe_key is not null;
create index csaf_by_purl on csaf_leaves (purl_type, purl_name, purl_namespace)
  where purl_type is not null;
`

export interface PurlColumns {
  type: string
  namespace: string | null
  name: string
}

export interface SnapshotAdvisory {
  source: 'osv' | 'csaf'
  advisoryId: string
  aliases: readonly string[]
  severity: string | null
  cvssScore: number | null
  summary: string | null
  modified: string | null
}

export interface SnapshotOsvEntry {
  index: number
  ecosystemBase: string
  packageKey: string
  purl: PurlColumns | undefined
  entry: OsvAffected
}

export interface SnapshotCsafLeaf {
  cpeKey: string | undefined
  purl: PurlColumns | undefined
  vendorKeys: readonly string[]
  leaf: CsafLeaf
}

export interface SnapshotMeta {
  format: string
  formatVersion: number
  createdAt: string
  contentSha256: string
  /** Active advisories per source (osv, csaf, kev) and rows per part. */
  counts: Record<string, number>
  /** The newest `modified` time of the advisories of each source. */
  newestModified: Record<string, string | null>
}

/** Writes a new snapshot file; rows go in one transaction, the indexes at the end. */
export class SnapshotWriter {
  private readonly db: BetterSqlite3.Database
  private nextPk = 1
  private readonly insertAdvisory: BetterSqlite3.Statement
  private readonly insertOsv: BetterSqlite3.Statement
  private readonly insertLeaf: BetterSqlite3.Statement
  private readonly insertVendor: BetterSqlite3.Statement
  private readonly insertVulnerabilities: BetterSqlite3.Statement
  private readonly insertKev: BetterSqlite3.Statement

  constructor(SQLite: typeof BetterSqlite3, file: string) {
    this.db = new SQLite(file)
    // A fresh temporary file that is renamed into place when complete: no journal is needed.
    this.db.pragma('journal_mode = OFF')
    this.db.pragma('synchronous = OFF')
    this.db.pragma(`application_id = ${APPLICATION_ID}`)
    this.db.pragma(`user_version = ${SNAPSHOT_FORMAT_VERSION}`)
    this.db.exec(SCHEMA)
    this.db.exec('begin')
    this.insertAdvisory = this.db.prepare('insert into advisories values (?, ?, ?, ?, ?, ?, ?, ?)')
    this.insertOsv = this.db.prepare('insert into osv_entries values (?, ?, ?, ?, ?, ?, ?, ?)')
    this.insertLeaf = this.db.prepare('insert into csaf_leaves values (?, ?, ?, ?, ?, ?, ?)')
    this.insertVendor = this.db.prepare('insert or ignore into csaf_leaf_vendors values (?, ?, ?)')
    this.insertVulnerabilities = this.db.prepare('insert into csaf_vulnerabilities values (?, ?)')
    this.insertKev = this.db.prepare('insert or replace into kev values (?, ?)')
  }

  private advisory(a: SnapshotAdvisory): number {
    const pk = this.nextPk++
    this.insertAdvisory.run(
      pk,
      a.source,
      a.advisoryId,
      JSON.stringify(a.aliases),
      a.severity,
      a.cvssScore,
      a.summary,
      a.modified,
    )
    return pk
  }

  addOsv(a: SnapshotAdvisory, entries: readonly SnapshotOsvEntry[]): void {
    const pk = this.advisory(a)
    for (const e of entries) {
      this.insertOsv.run(
        pk,
        e.index,
        e.ecosystemBase,
        e.packageKey,
        e.purl?.type ?? null,
        e.purl ? (e.purl.namespace ?? '') : null,
        e.purl?.name ?? null,
        JSON.stringify(e.entry),
      )
    }
  }

  addCsaf(
    a: SnapshotAdvisory,
    leaves: readonly SnapshotCsafLeaf[],
    vulnerabilities: readonly CsafVulnerabilityProducts[],
  ): void {
    const pk = this.advisory(a)
    leaves.forEach((l, ordinal) => {
      this.insertLeaf.run(
        pk,
        ordinal,
        l.cpeKey ?? null,
        l.purl?.type ?? null,
        l.purl ? (l.purl.namespace ?? '') : null,
        l.purl?.name ?? null,
        JSON.stringify(l.leaf),
      )
      for (const key of l.vendorKeys) this.insertVendor.run(key, pk, ordinal)
    })
    this.insertVulnerabilities.run(pk, JSON.stringify(vulnerabilities))
  }

  addKev(entry: KevInfo): void {
    this.insertKev.run(entry.cve.toUpperCase(), JSON.stringify(entry))
  }

  /** Writes the metadata and the indexes, commits and closes the file. */
  finish(meta: SnapshotMeta): void {
    const put = this.db.prepare('insert into meta values (?, ?)')
    put.run('format', meta.format)
    put.run('format_version', String(meta.formatVersion))
    put.run('created_at', meta.createdAt)
    put.run('content_sha256', meta.contentSha256)
    put.run('counts', JSON.stringify(meta.counts))
    put.run('newest_modified', JSON.stringify(meta.newestModified))
    this.db.exec(INDEXES)
    this.db.exec('commit')
    this.db.exec('analyze')
    this.db.close()
  }

  /** Closes without committing (the caller removes the temporary file). */
  abandon(): void {
    if (this.db.open) this.db.close()
  }
}

type OsvRow = { advisory_pk: number; entry_index: number; body: string } & HeadRow
type LeafRow = { advisory_pk: number; ordinal: number; body: string }
type HeadRow = {
  pk: number
  source: 'osv' | 'csaf'
  advisory_id: string
  aliases: string
  severity: string | null
  cvss_score: number | null
  summary: string | null
  modified: string | null
}

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * Every statement takes all the keys of one kind at once, as a JSON array read with `json_each`
 * (the join drives the index from it): a scan runs a handful of statements whatever the SBOM's
 * size, instead of one per key and kind (docs/performance.md, "Matching at scale").
 */
const OSV_COLUMNS =
  'e.advisory_pk, e.entry_index, e.body, a.pk, a.source, a.advisory_id, a.aliases, a.severity, a.cvss_score, a.summary, a.modified'

const READS = {
  // OSV rows come with their advisory's head (one row per entry, not one more read per advisory).
  osvByPackage:
    `select ${OSV_COLUMNS} from json_each(?) k cross join osv_entries e ` +
    'on e.eco_base = k.value ->> 0 and e.package_key = k.value ->> 1 join advisories a on a.pk = e.advisory_pk',
  osvByPurl:
    `select ${OSV_COLUMNS} from json_each(?) k cross join osv_entries e ` +
    'on e.purl_type = k.value ->> 0 and e.purl_name = k.value ->> 2 and e.purl_namespace = k.value ->> 1 ' +
    'join advisories a on a.pk = e.advisory_pk',
  leavesByVendor:
    'select l.advisory_pk, l.ordinal, l.body from json_each(?) k cross join csaf_leaf_vendors v ' +
    'on v.vendor_key = k.value join csaf_leaves l on l.advisory_pk = v.advisory_pk and l.ordinal = v.ordinal',
  leavesByCpe:
    'select l.advisory_pk, l.ordinal, l.body from json_each(?) k cross join csaf_leaves l on l.cpe_key = k.value',
  leavesByPurl:
    'select l.advisory_pk, l.ordinal, l.body from json_each(?) k cross join csaf_leaves l ' +
    'on l.purl_type = k.value ->> 0 and l.purl_name = k.value ->> 2 and l.purl_namespace = k.value ->> 1',
  heads: 'select a.* from json_each(?) k cross join advisories a on a.pk = k.value',
  vulnerabilities:
    'select v.advisory_pk, v.body from json_each(?) k cross join csaf_vulnerabilities v on v.advisory_pk = k.value',
  kev: 'select kev.body from json_each(?) k cross join kev on kev.cve = k.value',
} as const

/** Opens a snapshot read-only and answers candidates by key. */
export class SnapshotReader {
  readonly meta: SnapshotMeta
  private readonly db: BetterSqlite3.Database
  private readonly statements: Record<keyof typeof READS, BetterSqlite3.Statement>

  private constructor(db: BetterSqlite3.Database, meta: SnapshotMeta) {
    this.db = db
    this.meta = meta
    this.statements = Object.fromEntries(
      Object.entries(READS).map(([name, sql]) => [name, db.prepare(sql)]),
    ) as Record<keyof typeof READS, BetterSqlite3.Statement>
    // One read transaction for the reader's life: the file never changes under it (a new
    // snapshot is a new file renamed into place), so SQLite need not take and drop its lock
    // and re-check the file header around every statement.
    db.exec('begin')
  }

  /**
   * Opens `file`, checking that it is a whole snapshot of a format this version reads.
   * @throws SnapshotError (missing, not a snapshot, truncated, other format version)
   */
  static open(SQLite: typeof BetterSqlite3, file: string): SnapshotReader {
    let stat: fs.Stats
    try {
      stat = fs.statSync(file)
    } catch {
      throw new SnapshotError(
        `No advisory snapshot at ${file}; build one with \`isn advisories snapshot\`.`,
      )
    }
    if (!stat.isFile()) throw new SnapshotError(`${file} is not a snapshot file.`)
    let db: BetterSqlite3.Database | undefined
    try {
      db = new SQLite(file, { readonly: true, fileMustExist: true })
      const applicationId = Number(db.pragma('application_id', { simple: true }))
      if (applicationId !== APPLICATION_ID) {
        throw new SnapshotError(`${file} is a SQLite database but not an advisory snapshot.`)
      }
      const version = Number(db.pragma('user_version', { simple: true }))
      if (version !== SNAPSHOT_FORMAT_VERSION) {
        throw new SnapshotError(
          `${file} is an advisory snapshot of format version ${version}; this isn reads version ${SNAPSHOT_FORMAT_VERSION}. Rebuild it with \`isn advisories snapshot\`.`,
        )
      }
      // A truncated copy: the header's page count no longer matches the file (a cheap check
      // that needs no full read).
      const pages = Number(db.pragma('page_count', { simple: true }))
      const pageSize = Number(db.pragma('page_size', { simple: true }))
      if (pages * pageSize !== stat.size) {
        throw new SnapshotError(
          `${file} is damaged: ${stat.size} bytes where its header says ${pages * pageSize}.`,
        )
      }
      // Pages read through a memory map rather than a read() call each; safe because the size was
      // just checked and a snapshot is replaced by rename, never rewritten in place.
      db.pragma(`mmap_size = ${Math.min(stat.size, MAX_MMAP_BYTES)}`)
      const rows = db.prepare('select key, value from meta').all() as {
        key: string
        value: string
      }[]
      const meta = new Map(rows.map((r) => [r.key, r.value]))
      if (meta.get('format') !== SNAPSHOT_FORMAT || !meta.get('content_sha256')) {
        throw new SnapshotError(`${file} is damaged: its metadata is incomplete.`)
      }
      return new SnapshotReader(db, {
        format: SNAPSHOT_FORMAT,
        formatVersion: version,
        createdAt: meta.get('created_at') ?? '',
        contentSha256: meta.get('content_sha256') ?? '',
        counts: JSON.parse(meta.get('counts') ?? '{}') as Record<string, number>,
        newestModified: JSON.parse(meta.get('newest_modified') ?? '{}') as Record<
          string,
          string | null
        >,
      })
    } catch (error) {
      db?.close()
      if (error instanceof SnapshotError) throw error
      throw new SnapshotError(
        `${file} is not a readable advisory snapshot (damaged, or not a snapshot at all).`,
        error,
      )
    }
  }

  /**
   * The candidates of these keys, shaped as the server's candidate reader shapes them: per
   * advisory only the matching OSV entries (in record order) and CSAF leaves (in tree order),
   * each CSAF document with all its vulnerabilities, and the KEV entries of their CVEs.
   * @throws SnapshotError when the file turns out to be damaged while reading
   */
  candidates(keys: CandidateKeys): MatchCandidates & { heads: Map<string, SnapshotAdvisory> } {
    try {
      return this.read(keys)
    } catch (error) {
      if (error instanceof SnapshotError) throw error
      const code = sqliteCode(error)
      if (code?.startsWith('SQLITE_') || error instanceof SyntaxError) {
        throw new SnapshotError('The advisory snapshot is damaged; rebuild it.', error)
      }
      throw error
    }
  }

  private read(keys: CandidateKeys) {
    const s = this.statements
    const all = <T>(statement: BetterSqlite3.Statement, values: readonly unknown[]): T[] =>
      values.length === 0 ? [] : (statement.all(JSON.stringify(values)) as T[])
    const purls = keys.purls.map((p) => [p.type, p.namespace ?? '', p.name])

    const osvRows = new Map<string, OsvRow>()
    const osvFound = [
      ...all<OsvRow>(
        s.osvByPackage,
        keys.packages.map((p) => [p.ecosystem, p.name]),
      ),
      ...all<OsvRow>(s.osvByPurl, purls),
    ]
    for (const r of osvFound) osvRows.set(`${r.advisory_pk}:${r.entry_index}`, r)

    const leafRows = new Map<string, LeafRow>()
    const leavesFound = [
      ...all<LeafRow>(s.leavesByVendor, keys.vendors),
      ...all<LeafRow>(
        s.leavesByCpe,
        keys.cpes.map((c) => `${c.vendor}:${c.product}`),
      ),
      ...all<LeafRow>(s.leavesByPurl, purls),
    ]
    for (const r of leavesFound) leafRows.set(`${r.advisory_pk}:${r.ordinal}`, r)

    const osvByPk = new Map<number, OsvRow[]>()
    for (const r of osvRows.values()) {
      const list = osvByPk.get(r.advisory_pk)
      if (list) list.push(r)
      else osvByPk.set(r.advisory_pk, [r])
    }
    const leavesByPk = new Map<number, LeafRow[]>()
    for (const r of leafRows.values()) {
      const list = leavesByPk.get(r.advisory_pk)
      if (list) list.push(r)
      else leavesByPk.set(r.advisory_pk, [r])
    }
    const heads = new Map<number, HeadRow>()
    for (const [pk, rows] of osvByPk) heads.set(pk, rows[0]!)
    for (const h of all<HeadRow>(s.heads, [...leavesByPk.keys()])) heads.set(h.pk, h)
    const vulnerabilitiesOf = new Map<number, string>()
    for (const r of all<{ advisory_pk: number; body: string }>(s.vulnerabilities, [
      ...leavesByPk.keys(),
    ])) {
      vulnerabilitiesOf.set(r.advisory_pk, r.body)
    }
    const aliasesOf = new Map<number, string[]>()
    const info = (pk: number) => {
      const h = heads.get(pk)
      if (!h) throw new SnapshotError('The advisory snapshot is damaged: an entry has no advisory.')
      const aliases = JSON.parse(h.aliases) as string[]
      aliasesOf.set(pk, aliases)
      return { advisoryId: h.advisory_id, aliases, severity: h.severity, cvssScore: h.cvss_score }
    }

    const osv: OsvCandidate[] = [...osvByPk].map(([pk, rows]) => ({
      ...info(pk),
      source: 'osv',
      affected: rows
        .sort((a, b) => a.entry_index - b.entry_index)
        .map((r) => JSON.parse(r.body) as OsvAffected),
    }))
    const csaf: CsafCandidate[] = [...leavesByPk].map(([pk, rows]) => {
      const vulnerabilities = vulnerabilitiesOf.get(pk)
      return {
        ...info(pk),
        source: 'csaf',
        leaves: rows
          .sort((a, b) => a.ordinal - b.ordinal)
          .map((r) => JSON.parse(r.body) as CsafLeaf),
        vulnerabilities: vulnerabilities
          ? (JSON.parse(vulnerabilities) as CsafVulnerabilityProducts[])
          : [],
      }
    })

    const cves = new Set<string>()
    for (const a of [...osv, ...csaf]) {
      for (const id of [a.advisoryId, ...a.aliases]) {
        if (/^CVE-/i.test(id)) cves.add(id.toUpperCase())
      }
    }
    for (const c of csaf) {
      for (const v of c.vulnerabilities) if (v.cve) cves.add(v.cve.toUpperCase())
    }
    const kev = new Map<string, KevInfo>()
    for (const row of all<{ body: string }>(s.kev, [...cves])) {
      const entry = JSON.parse(row.body) as KevInfo
      kev.set(entry.cve.toUpperCase(), entry)
    }
    const byId = new Map<string, SnapshotAdvisory>()
    for (const h of heads.values()) {
      byId.set(h.advisory_id, {
        source: h.source,
        advisoryId: h.advisory_id,
        aliases: aliasesOf.get(h.pk) ?? (JSON.parse(h.aliases) as string[]),
        severity: h.severity,
        cvssScore: h.cvss_score,
        summary: h.summary,
        modified: h.modified,
      })
    }
    return { osv, csaf, kev, heads: byId }
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec('rollback')
    this.db.close()
  }
}
