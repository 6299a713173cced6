import fs from 'node:fs'
import type BetterSqlite3 from 'better-sqlite3'
import { AppError } from '../../../../common/errors.ts'
import type { CsafLeaf, CsafVulnerabilityProducts } from '../matching/csaf/product-tree.ts'
import { TERM, type ProductLookup } from '../matching/product-match.ts'
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
 * - `csaf_leaf_terms` (format 2): under each vendor key of a leaf, the terms the engine's leaf
 *   index files it under (product-match.ts `leafTerms`: model numbers, names, word sets, words),
 *   so that a scan reads only the leaves its components' names can find, not every leaf of a
 *   vendor (Siemens alone: thousands);
 * - `csaf_vulnerabilities`: per CSAF document, its vulnerabilities with statuses, remediations
 *   and flags (JSON);
 * - `kev(cve, body)`;
 * - `key_filter(hashes, bits)` (format 2): a Bloom filter of every lookup key (OSV package and
 *   purl keys, CSAF purl, CPE and vendor keys), read at open, so that the keys of components no
 *   advisory names (95 % of a typical SBOM) never reach SQLite.
 */

export const SNAPSHOT_FORMAT = 'isn-advisory-snapshot'
export const SNAPSHOT_FORMAT_VERSION = 2
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
create table csaf_leaves (
  advisory_pk integer not null, ordinal integer not null, cpe_key text, purl_type text,
  purl_namespace text, purl_name text, body text not null, primary key (advisory_pk, ordinal));
create table csaf_leaf_vendors (
  vendor_key text not null, advisory_pk integer not null, ordinal integer not null,
  primary key (vendor_key, advisory_pk, ordinal)) without rowid;
create table csaf_leaf_terms (
  vendor_key text not null, term text not null, advisory_pk integer not null,
  ordinal integer not null, primary key (vendor_key, term, advisory_pk, ordinal)) without rowid;
create table csaf_vulnerabilities (advisory_pk integer primary key, body text not null);
create table kev (cve text primary key, body text not null) without rowid;
create table key_filter (hashes integer not null, bits blob not null);
`

// OSV rows are written to a staging table in a file of their own (attached as `staging`) and
// copied into the snapshot in key order at the end: clustered by package key (a WITHOUT ROWID
// table), a package's entries lie together on a few pages instead of one page each.
const OSV_COLUMNS_DDL = `
  advisory_pk integer not null, entry_index integer not null, eco_base text not null,
  package_key text not null, purl_type text, purl_namespace text, purl_name text,
  body text not null`
const STAGING = `create table staging.osv_entries (${OSV_COLUMNS_DDL});`

// Built after the rows are in: one sorted pass each instead of per-row index maintenance.
const INDEXES = `
create table main.osv_entries (${OSV_COLUMNS_DDL},
  primary key (eco_base, package_key, advisory_pk, entry_index)) without rowid;
insert into main.osv_entries select * from staging.osv_entries
  order by eco_base, package_key, advisory_pk, entry_index;
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
  /** The leaf's index terms (product-match.ts `leafTermList`), under each vendor key. */
  terms: readonly string[]
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

/** The filter's key of each kind of lookup (the same strings at build and at read). */
const filterKey = {
  package: (ecosystem: string, name: string) => `p\0${ecosystem}\0${name}`,
  purl: (type: string, namespace: string, name: string) => `u\0${type}\0${namespace}\0${name}`,
  cpe: (vendorProduct: string) => `c\0${vendorProduct}`,
  vendor: (key: string) => `v\0${key}`,
}

/** Bits per key and hash functions: about 1 % false positives. */
const FILTER_BITS_PER_KEY = 10
const FILTER_HASHES = 7

/**
 * A Bloom filter of lookup keys: `has` is false only for keys the snapshot does not hold, so a
 * key it rejects needs no statement; a key it accepts is looked up as before (1 % needlessly).
 * Hashes: two FNV-1a variants over the key's UTF-16 code units, combined (double hashing).
 */
export class KeyFilter {
  private readonly size: number

  constructor(
    readonly bits: Uint8Array,
    readonly hashes: number,
  ) {
    this.size = bits.length * 8
  }

  static build(keys: Iterable<string>, count: number): KeyFilter {
    const bytes = Math.max(64, Math.ceil((count * FILTER_BITS_PER_KEY) / 8))
    const filter = new KeyFilter(new Uint8Array(bytes), FILTER_HASHES)
    for (const key of keys) filter.test(key, true)
    return filter
  }

  has(key: string): boolean {
    return this.test(key, false)
  }

  private test(key: string, set: boolean): boolean {
    let h1 = 0x811c9dc5
    let h2 = 0x050c5d1f
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i)
      h1 = Math.imul(h1 ^ c, 0x01000193)
      h2 = Math.imul(h2 ^ c, 0x01000193)
    }
    h1 >>>= 0
    h2 = (h2 | 1) >>> 0
    const bits = this.bits
    for (let i = 0; i < this.hashes; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.size
      const mask = 1 << (bit & 7)
      if (set) bits[bit >>> 3]! |= mask
      else if ((bits[bit >>> 3]! & mask) === 0) return false
    }
    return true
  }
}

/** Writes a new snapshot file; rows go in one transaction, the indexes at the end. */
export class SnapshotWriter {
  private readonly db: BetterSqlite3.Database
  private nextPk = 1
  private readonly insertAdvisory: BetterSqlite3.Statement
  private readonly insertOsv: BetterSqlite3.Statement
  private readonly insertLeaf: BetterSqlite3.Statement
  private readonly insertVendor: BetterSqlite3.Statement
  private readonly insertTerm: BetterSqlite3.Statement
  /** The staging file of OSV rows (removed when the snapshot is finished or abandoned). */
  private readonly staging: string
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
    this.staging = `${file}.osv`
    fs.rmSync(this.staging, { force: true })
    this.db.prepare('attach ? as staging').run(this.staging)
    this.db.exec('pragma staging.journal_mode = OFF')
    this.db.exec('pragma staging.synchronous = OFF')
    this.db.exec(STAGING)
    this.db.exec('begin')
    this.insertAdvisory = this.db.prepare('insert into advisories values (?, ?, ?, ?, ?, ?, ?, ?)')
    this.insertOsv = this.db.prepare(
      'insert into staging.osv_entries values (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.insertLeaf = this.db.prepare('insert into csaf_leaves values (?, ?, ?, ?, ?, ?, ?)')
    this.insertVendor = this.db.prepare('insert or ignore into csaf_leaf_vendors values (?, ?, ?)')
    this.insertTerm = this.db.prepare('insert or ignore into csaf_leaf_terms values (?, ?, ?, ?)')
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
      for (const key of l.vendorKeys) {
        this.insertVendor.run(key, pk, ordinal)
        for (const term of l.terms) this.insertTerm.run(key, term, pk, ordinal)
      }
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
    this.writeKeyFilter()
    this.db.exec('commit')
    this.db.exec('detach staging')
    fs.rmSync(this.staging, { force: true })
    this.db.exec('analyze')
    // better-sqlite3's SQLite is built with STAT4: with its samples present, every statement
    // whose parameters meet an indexed column is re-prepared each time a value is bound (so that
    // the plan can depend on the value): 40-50 µs more for a one-key lookup of ~5 µs. The
    // snapshot's lookups are all equality on keys, for which sqlite_stat1's averages suffice.
    const stat4 = this.db
      .prepare("select count(*) from sqlite_schema where name = 'sqlite_stat4'")
      .pluck()
      .get()
    if (Number(stat4) > 0) this.db.exec('delete from sqlite_stat4')
    this.db.close()
  }

  /** Every lookup key the reader answers, read back from the rows (through the new indexes). */
  private writeKeyFilter(): void {
    const column = (sql: string) => this.db.prepare(sql).raw().iterate() as Iterable<string[]>
    const keys = function* () {
      for (const [e, n] of column('select distinct eco_base, package_key from main.osv_entries')) {
        yield filterKey.package(e!, n!)
      }
      for (const table of ['main.osv_entries', 'main.csaf_leaves']) {
        for (const [t, ns, n] of column(
          `select distinct purl_type, purl_namespace, purl_name from ${table} where purl_type is not null`,
        )) {
          yield filterKey.purl(t!, ns!, n!)
        }
      }
      for (const [c] of column(
        'select distinct cpe_key from csaf_leaves where cpe_key is not null',
      )) {
        yield filterKey.cpe(c!)
      }
      for (const [v] of column('select distinct vendor_key from csaf_leaf_vendors')) {
        yield filterKey.vendor(v!)
      }
    }
    const all = [...keys()]
    const filter = KeyFilter.build(all, all.length)
    this.db
      .prepare('insert into key_filter values (?, ?)')
      .run(
        filter.hashes,
        Buffer.from(filter.bits.buffer, filter.bits.byteOffset, filter.bits.length),
      )
  }

  /** Closes without committing (the caller removes the temporary file). */
  abandon(): void {
    if (this.db.open) this.db.close()
    fs.rmSync(this.staging, { force: true })
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
  // A leaf filed under any of these (vendor key, term) pairs (csaf_leaf_terms).
  leafIdsByTerm:
    'select t.advisory_pk, t.ordinal from json_each(?) k cross join csaf_leaf_terms t ' +
    'on t.vendor_key = k.value ->> 0 and t.term = k.value ->> 1',
  // How many leaves of a vendor key have this term.
  termCount: 'select count(*) from csaf_leaf_terms where vendor_key = ? and term = ?',
  // Leaves of a vendor key with a term (its rarest) and every term of a JSON array (the vendor
  // key given again last).
  leafIdsWithAllTerms:
    'select t.advisory_pk, t.ordinal from csaf_leaf_terms t where t.vendor_key = ? and t.term = ? ' +
    'and not exists (select 1 from json_each(?) k where not exists (select 1 from csaf_leaf_terms u ' +
    'where u.vendor_key = ? and u.term = k.value and u.advisory_pk = t.advisory_pk and u.ordinal = t.ordinal))',
  leafBodies:
    'select l.advisory_pk, l.ordinal, l.body from json_each(?) k cross join csaf_leaves l ' +
    'on l.advisory_pk = k.value ->> 0 and l.ordinal = k.value ->> 1',
  leavesByCpe:
    'select l.advisory_pk, l.ordinal, l.body from json_each(?) k cross join csaf_leaves l on l.cpe_key = k.value',
  leavesByPurl:
    'select l.advisory_pk, l.ordinal, l.body from json_each(?) k cross join csaf_leaves l ' +
    'on l.purl_type = k.value ->> 0 and l.purl_name = k.value ->> 2 and l.purl_namespace = k.value ->> 1',
  heads: 'select a.* from json_each(?) k cross join advisories a on a.pk = k.value',
  vulnerabilities:
    'select v.advisory_pk, v.body from json_each(?) k cross join csaf_vulnerabilities v on v.advisory_pk = k.value',
  allKev: 'select body from kev',
  // One key: the same reads without the JSON array (a single lookup's usual case).
  osvByOnePackage:
    `select ${OSV_COLUMNS} from osv_entries e join advisories a on a.pk = e.advisory_pk ` +
    'where e.eco_base = ? and e.package_key = ?',
} as const

/** Opens a snapshot read-only and answers candidates by key. */
export class SnapshotReader {
  readonly meta: SnapshotMeta
  private readonly db: BetterSqlite3.Database
  private readonly statements: Record<keyof typeof READS, BetterSqlite3.Statement>
  private readonly filter: KeyFilter
  /** KEV (1,400-odd entries) by CVE, read once: a join per lookup cost more than the map. */
  private kevCache: Map<string, KevInfo> | undefined

  private constructor(db: BetterSqlite3.Database, meta: SnapshotMeta, filter: KeyFilter) {
    this.db = db
    this.meta = meta
    this.filter = filter
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
      const stored = db.prepare('select hashes, bits from key_filter').get() as
        { hashes: number; bits: Buffer } | undefined
      if (!stored) throw new SnapshotError(`${file} is damaged: its key filter is missing.`)
      const filter = new KeyFilter(new Uint8Array(stored.bits), stored.hashes)
      return new SnapshotReader(
        db,
        {
          format: SNAPSHOT_FORMAT,
          formatVersion: version,
          createdAt: meta.get('created_at') ?? '',
          contentSha256: meta.get('content_sha256') ?? '',
          counts: JSON.parse(meta.get('counts') ?? '{}') as Record<string, number>,
          newestModified: JSON.parse(meta.get('newest_modified') ?? '{}') as Record<
            string,
            string | null
          >,
        },
        filter,
      )
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
   * With `products` (product-match.ts `productLookup` of the components with a vendor), only the
   * CSAF leaves that the engine's name matching can find for them are read; without, every leaf
   * of `keys.vendors`. Either way the engine finds the same leaves.
   * @throws SnapshotError when the file turns out to be damaged while reading
   */
  candidates(
    keys: CandidateKeys,
    products?: readonly ProductLookup[],
  ): MatchCandidates & { heads: Map<string, SnapshotAdvisory> } {
    try {
      return this.read(keys, products)
    } catch (error) {
      if (error instanceof SnapshotError) throw error
      const code = sqliteCode(error)
      if (code?.startsWith('SQLITE_') || error instanceof SyntaxError) {
        throw new SnapshotError('The advisory snapshot is damaged; rebuild it.', error)
      }
      throw error
    }
  }

  /** False when no CSAF leaf has this canonical vendor key (true: it may have). */
  mayHoldVendor(vendorKey: string): boolean {
    return this.filter.has(filterKey.vendor(vendorKey))
  }

  /** The leaves `findCandidates` can find for these products, by their index terms. */
  private leavesOfProducts(products: readonly ProductLookup[]): LeafRow[] {
    const s = this.statements
    const known = new Set(
      products.flatMap((p) => p.vendorKeys).filter((v) => this.filter.has(filterKey.vendor(v))),
    )
    if (known.size === 0) return []
    const pairs = new Map<string, [string, string]>()
    const wordPairs = new Map<string, [string, string]>()
    const groups = new Map<string, string[]>()
    for (const p of products) {
      for (const vendor of p.vendorKeys) {
        if (!known.has(vendor)) continue
        for (const term of p.terms) pairs.set(`${vendor}\0${term}`, [vendor, term])
        if (p.allWords) {
          const ids = p.allWords.map((w) => {
            const id = `${vendor}\0${TERM.word}${w}`
            wordPairs.set(id, [vendor, TERM.word + w])
            return id
          })
          groups.set(ids.join('\0\0'), ids)
        }
      }
    }
    type IdRow = { advisory_pk: number; ordinal: number }
    const ids = new Map<string, [number, number]>()
    const add = (pk: number, ordinal: number) => ids.set(`${pk}:${ordinal}`, [pk, ordinal])
    if (pairs.size > 0) {
      for (const r of s.leafIdsByTerm.all(JSON.stringify([...pairs.values()])) as IdRow[]) {
        add(r.advisory_pk, r.ordinal)
      }
    }
    if (groups.size > 0) {
      // Leaves whose words include all of a product's: driven by the rarest of its words, each
      // leaf of that word checked for the others through the primary key.
      const counts = new Map<string, number>()
      const count = (id: string) => {
        let n = counts.get(id)
        if (n === undefined) {
          const [vendor, term] = wordPairs.get(id)!
          n = Number(s.termCount.pluck().get(vendor, term))
          counts.set(id, n)
        }
        return n
      }
      for (const group of groups.values()) {
        const rarest = group.reduce((a, b) => (count(b) < count(a) ? b : a))
        if (count(rarest) === 0) continue
        const [vendor, term] = wordPairs.get(rarest)!
        const others = group.filter((id) => id !== rarest).map((id) => wordPairs.get(id)![1])
        const rows = s.leafIdsWithAllTerms.all(vendor, term, JSON.stringify(others), vendor)
        for (const r of rows as IdRow[]) {
          add(r.advisory_pk, r.ordinal)
        }
      }
    }
    if (ids.size === 0) return []
    const sorted = [...ids.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1])
    return s.leafBodies.all(JSON.stringify(sorted)) as LeafRow[]
  }

  private read(keys: CandidateKeys, products: readonly ProductLookup[] | undefined) {
    const s = this.statements
    const all = <T>(statement: BetterSqlite3.Statement, values: readonly unknown[]): T[] =>
      values.length === 0 ? [] : (statement.all(JSON.stringify(values)) as T[])
    // Keys the filter rejects are in no row: only the others go to SQLite.
    const f = this.filter
    const purls = keys.purls
      .map((p) => [p.type, p.namespace ?? '', p.name] as const)
      .filter(([t, ns, n]) => f.has(filterKey.purl(t, ns, n)))
    const packages = keys.packages
      .filter((p) => f.has(filterKey.package(p.ecosystem, p.name)))
      .map((p) => [p.ecosystem, p.name])
    const cpes = keys.cpes
      .map((c) => `${c.vendor}:${c.product}`)
      .filter((c) => f.has(filterKey.cpe(c)))

    const osvRows = new Map<string, OsvRow>()
    const osvFound = [
      ...(packages.length === 1
        ? (s.osvByOnePackage.all(packages[0]![0], packages[0]![1]) as OsvRow[])
        : all<OsvRow>(s.osvByPackage, packages)),
      ...all<OsvRow>(s.osvByPurl, purls),
    ]
    for (const r of osvFound) osvRows.set(`${r.advisory_pk}:${r.entry_index}`, r)

    const leafRows = new Map<string, LeafRow>()
    const leavesFound = [
      ...(products
        ? this.leavesOfProducts(products)
        : all<LeafRow>(
            s.leavesByVendor,
            keys.vendors.filter((v) => f.has(filterKey.vendor(v))),
          )),
      ...all<LeafRow>(s.leavesByCpe, cpes),
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
    // Advisories in file order whichever statement found their leaves.
    const sortedLeafRows = [...leafRows.values()].sort(
      (a, b) => a.advisory_pk - b.advisory_pk || a.ordinal - b.ordinal,
    )
    for (const r of sortedLeafRows) {
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
    if (cves.size > 0) {
      if (!this.kevCache) {
        this.kevCache = new Map()
        for (const row of s.allKev.all() as { body: string }[]) {
          const entry = JSON.parse(row.body) as KevInfo
          this.kevCache.set(entry.cve.toUpperCase(), entry)
        }
      }
      for (const cve of cves) {
        const entry = this.kevCache.get(cve)
        if (entry) kev.set(cve, entry)
      }
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
