import fs from 'node:fs'
import type BetterSqlite3 from 'better-sqlite3'
import { AppError } from '../../../../common/errors.ts'
import {
  statusesOf,
  type CsafFlag,
  type CsafLeaf,
  type CsafRemediation,
  type CsafVulnerabilityProducts,
  type ProductStatus,
} from '../matching/csaf/product-tree.ts'
import { TERM, type LeafTerms, type ProductLookup } from '../matching/product-match.ts'
import {
  osvPackageOfPurl,
  packageId,
  purlKeyId,
  readPurl,
  type CandidateKeys,
  type CsafCandidate,
  type KevInfo,
  type MatchCandidates,
  type OsvCandidate,
  type OsvEntryLookup,
  type OsvEntryRef,
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
 * - `osv_packages` (format 3): per OSV package key (ecosystem base, PEP 503 name for PyPI) one
 *   row holding every `affected[]` entry filed under it with its advisory's head
 *   ({@link OsvKeyBody}); `osv_purls`: the same per purl key, for entries whose purl is not
 *   their package's own (an entry is under its package key, and under its purl key only then);
 *   so a component's lookup is one row per key (format 2 had a row per entry); from format 4 an
 *   entry's `versions[]` is in its ecosystem's order with `sortedVersions` set (osv.ts
 *   `sortVersionList`; not Maven's or RPM's), so a listed version is found by binary search;
 * - `csaf_leaves`: one CSAF leaf (JSON body, and its index terms as the engine's leaf index
 *   takes them, format 3) under its CPE `vendor:product` and purl key, and
 *   `csaf_leaf_vendors`: its canonical vendor keys (names/normalise.ts, at build time);
 * - `csaf_leaf_terms` (format 2): under each vendor key of a leaf, the terms the engine's leaf
 *   index files it under (product-match.ts `leafTerms`: model numbers, names, word sets, words),
 *   so that a scan reads only the leaves its components' names can find, not every leaf of a
 *   vendor (Siemens alone: thousands);
 * - `csaf_vulnerabilities`: per CSAF document, its vulnerabilities' index, CVE and ids (JSON;
 *   format 3): their statuses, remediations and flags are stored per leaf
 *   (`csaf_leaves.statuses`, {@link LeafStatuses}), so that a scan parses those of the leaves it
 *   read, not a document's whole list (2 MB for the ~190 documents of a 10,000-component SBOM);
 * - from format 5 each remediation's text is in its vulnerability's head, once per document
 *   (`remediations`, by position), and a leaf's statuses name positions only: written into every
 *   leaf it names, the text was 97 % of the leaves' statuses (38 of 40 MB for the CISA corpus,
 *   each text six times on average), and a scan parsed 2.3 MB of it for 670 leaves;
 * - `kev(cve, body)`;
 * - `key_filter(hashes, bits)` (format 2): a Bloom filter of every lookup key (OSV package and
 *   purl keys, CSAF purl, CPE and vendor keys, and from format 3 the (vendor key, term) pairs of
 *   `csaf_leaf_terms`), read at open, so that the keys of components no advisory names (95 % of
 *   a typical SBOM) never reach SQLite, nor do the word subsets of a product no leaf has.
 *
 * Pages are 16 KiB (format 3), so that a key's row rarely spills into overflow pages.
 */

export const SNAPSHOT_FORMAT = 'isn-advisory-snapshot'
export const SNAPSHOT_FORMAT_VERSION = 5
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
  purl_namespace text, purl_name text, body text not null, terms text not null,
  statuses text not null, primary key (advisory_pk, ordinal));
create table csaf_leaf_vendors (
  vendor_key text not null, advisory_pk integer not null, ordinal integer not null,
  primary key (vendor_key, advisory_pk, ordinal)) without rowid;
create table csaf_leaf_terms (
  vendor_key text not null, term text not null, advisory_pk integer not null,
  ordinal integer not null, primary key (vendor_key, term, advisory_pk, ordinal)) without rowid;
create table csaf_vulnerabilities (advisory_pk integer primary key, body text not null);
create table osv_packages (
  eco_base text not null, package_key text not null, body text not null,
  primary key (eco_base, package_key)) without rowid;
create table osv_purls (
  purl_type text not null, purl_namespace text not null, purl_name text not null,
  body text not null, primary key (purl_type, purl_name, purl_namespace)) without rowid;
create table kev (cve text primary key, body text not null) without rowid;
create table key_filter (hashes integer not null, bits blob not null);
`

// OSV rows are written to a staging table in a file of their own (attached as `staging`) and
// turned into one row per lookup key at the end (osv_packages, osv_purls): a lookup reads one row
// whatever the number of entries under its key.
const OSV_COLUMNS_DDL = `
  advisory_pk integer not null, entry_index integer not null, eco_base text not null,
  package_key text not null, purl_type text, purl_namespace text, purl_name text,
  head text not null, body text not null`
const STAGING = `create table staging.osv_entries (${OSV_COLUMNS_DDL});`

// Built after the rows are in: one sorted pass each instead of per-row index maintenance.
const INDEXES = `
create index csaf_by_cpe on csaf_leaves (cpe_key) where cpe_key is not null;
create index csaf_by_purl on csaf_leaves (purl_type, purl_name, purl_namespace)
  where purl_type is not null;
`

/**
 * The body of an `osv_packages` / `osv_purls` row: every entry under that key, grouped by
 * advisory, as one JSON document (format 3):
 * `[[advisory pk, advisory id, aliases, severity, cvss score, summary, [[entry index, entry], …]], …]`
 * in (advisory pk, entry index) order. One JSON.parse per key rather than a row and a parse per
 * entry plus a join per advisory head: at the 1M tier a 10,000-component SBOM reads ~9,000 keys,
 * and the per-row statement work, object creation and garbage were most of the scan's lookup
 * time. JSON rather than a hand-written binary layout: V8's JSON.parse materialises these small
 * objects and strings faster than a decoder written in JavaScript could (each string read from a
 * buffer costs a call), and the entries must end up as the same plain objects the engine takes.
 */
export type OsvKeyBody = [
  pk: number,
  advisoryId: string,
  aliases: string[],
  severity: string | null,
  cvssScore: number | null,
  summary: string | null,
  entries: [index: number, entry: OsvAffected][],
][]

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
  /** The same as the engine's leaf index takes them (`leafTerms`), stored with the leaf. */
  leafTerms: LeafTerms
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
  /** A CSAF leaf's purl (format 3; OSV purl keys are `purl`): an OSV purl reads no leaves. */
  leafPurl: (type: string, namespace: string, name: string) => `l\0${type}\0${namespace}\0${name}`,
  cpe: (vendorProduct: string) => `c\0${vendorProduct}`,
  vendor: (key: string) => `v\0${key}`,
  /** A leaf index term under a vendor key (csaf_leaf_terms; format 3). */
  term: (vendorKey: string, term: string) => `t\0${vendorKey}\0${term}`,
}

/** Bits per key and hash functions: about 1 % false positives. */
const FILTER_BITS_PER_KEY = 10
const FILTER_HASHES = 7

/**
 * A Bloom filter of lookup keys: `has` is false only for keys the snapshot does not hold, so a
 * key it rejects needs no statement; a key it accepts is looked up as before (1 % needlessly).
 * Hashes: two FNV-1a variants over the key's UTF-16 code units, combined (double hashing).
 * Written here rather than taken from a Bloom filter package: the bits are stored in the snapshot
 * and read back by any later `isn`, so their layout and hashes must stay fixed with the format
 * version, and `hasParts` hashes a key from its parts without building the string (the scan's
 * hot path), which no package offers.
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

  /**
   * `has` of the parts joined with NUL (`hasParts('p', a, b)` is `has('p\0' + a + '\0' + b)`),
   * without building the string: a scan asks this for every key of every component.
   */
  hasParts(kind: string, a: string, b?: string, c?: string): boolean {
    this.h1 = 0x811c9dc5
    this.h2 = 0x050c5d1f
    this.mix(kind)
    this.mix(a, true)
    if (b !== undefined) this.mix(b, true)
    if (c !== undefined) this.mix(c, true)
    return this.probe(false)
  }

  private h1 = 0
  private h2 = 0

  /** FNV-1a steps over `text`'s UTF-16 code units (after a NUL separator when `separated`). */
  private mix(text: string, separated = false): void {
    let h1 = this.h1
    let h2 = this.h2
    if (separated) {
      h1 = Math.imul(h1, 0x01000193)
      h2 = Math.imul(h2, 0x01000193)
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      h1 = Math.imul(h1 ^ c, 0x01000193)
      h2 = Math.imul(h2 ^ c, 0x01000193)
    }
    this.h1 = h1
    this.h2 = h2
  }

  private test(key: string, set: boolean): boolean {
    this.h1 = 0x811c9dc5
    this.h2 = 0x050c5d1f
    this.mix(key)
    return this.probe(set)
  }

  private probe(set: boolean): boolean {
    const h1 = this.h1 >>> 0
    const h2 = (this.h2 | 1) >>> 0
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

  constructor(
    private readonly SQLite: typeof BetterSqlite3,
    file: string,
  ) {
    this.db = new SQLite(file)
    // 16 KiB pages (format 3): a key's row of OSV entries (~900 bytes on average, a few KiB for
    // many) stays on its b-tree page instead of spilling into a chain of 4 KiB overflow pages.
    this.db.pragma('page_size = 16384')
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
      'insert into staging.osv_entries values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.insertLeaf = this.db.prepare('insert into csaf_leaves values (?, ?, ?, ?, ?, ?, ?, ?, ?)')
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
    // The head as the first six members of an OsvKeyBody element, written once per advisory.
    const head = JSON.stringify([pk, a.advisoryId, a.aliases, a.severity, a.cvssScore, a.summary])
    const headFields = head.slice(1, -1)
    for (const e of entries) {
      this.insertOsv.run(
        pk,
        e.index,
        e.ecosystemBase,
        e.packageKey,
        e.purl?.type ?? null,
        e.purl ? (e.purl.namespace ?? '') : null,
        e.purl?.name ?? null,
        headFields,
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
        JSON.stringify(l.leafTerms),
        JSON.stringify(leafStatuses(l.leaf.productId, vulnerabilities)),
      )
      for (const key of l.vendorKeys) {
        this.insertVendor.run(key, pk, ordinal)
        for (const term of l.terms) this.insertTerm.run(key, term, pk, ordinal)
      }
    })
    const heads: VulnerabilityHead[] = vulnerabilities.map((v) => ({
      index: v.index,
      ...(v.cve === undefined ? {} : { cve: v.cve }),
      ids: v.ids,
      // Only what names a product reaches a leaf's statuses, so only that is read back.
      remediations: v.remediations.map((r) =>
        r.productIds.length > 0 ? remediationText(r) : null,
      ),
    }))
    this.insertVulnerabilities.run(pk, JSON.stringify(heads))
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
    this.db.exec('detach staging')
    this.db.exec('begin')
    this.writeOsvKeys()
    fs.rmSync(this.staging, { force: true })
    this.writeKeyFilter()
    this.db.exec('commit')
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

  /**
   * The staged OSV rows as one row per package key and per purl key (OsvKeyBody), read in key
   * order through a second connection to the staging file (a connection cannot insert while it
   * iterates) and written in one pass.
   */
  private writeOsvKeys(): void {
    const staging = new this.SQLite(this.staging, { readonly: true })
    try {
      const write = (sql: string, insert: BetterSqlite3.Statement, keyColumns: number) => {
        const rows = staging.prepare(sql).raw().iterate() as Iterable<unknown[]>
        let key: unknown[] | undefined
        let groups: string[] = []
        let entries: string[] = []
        let pk: unknown
        let head = ''
        const closeGroup = () => {
          if (entries.length > 0) groups.push(`[${head},[${entries.join(',')}]]`)
          entries = []
        }
        const flush = () => {
          closeGroup()
          if (key && groups.length > 0) insert.run(...key, `[${groups.join(',')}]`)
          groups = []
        }
        for (const row of rows) {
          const rowKey = row.slice(0, keyColumns)
          if (!key || rowKey.some((v, i) => v !== key![i])) {
            flush()
            key = rowKey
            pk = undefined
          }
          const [rowPk, index, rowHead, body] = row.slice(keyColumns) as [number, number, string, string] // prettier-ignore
          if (rowPk !== pk) {
            closeGroup()
            pk = rowPk
            head = rowHead
          }
          entries.push(`[${index},${body}]`)
        }
        flush()
      }
      write(
        'select eco_base, package_key, advisory_pk, entry_index, head, body from osv_entries ' +
          'order by eco_base, package_key, advisory_pk, entry_index',
        this.db.prepare('insert into osv_packages values (?, ?, ?)'),
        2,
      )
      write(
        'select purl_type, purl_namespace, purl_name, advisory_pk, entry_index, head, body ' +
          'from osv_entries where purl_type is not null ' +
          'order by purl_type, purl_namespace, purl_name, advisory_pk, entry_index',
        this.db.prepare('insert into osv_purls values (?, ?, ?, ?)'),
        3,
      )
    } finally {
      staging.close()
    }
  }

  /** Every lookup key the reader answers, read back from the rows (through the new indexes). */
  private writeKeyFilter(): void {
    const column = (sql: string) => this.db.prepare(sql).raw().iterate() as Iterable<string[]>
    const keys = function* () {
      for (const [e, n] of column('select eco_base, package_key from osv_packages')) {
        yield filterKey.package(e!, n!)
      }
      for (const [t, ns, n] of column(
        'select purl_type, purl_namespace, purl_name from osv_purls',
      )) {
        yield filterKey.purl(t!, ns!, n!)
      }
      for (const [t, ns, n] of column(
        'select distinct purl_type, purl_namespace, purl_name from csaf_leaves where purl_type is not null',
      )) {
        yield filterKey.leafPurl(t!, ns!, n!)
      }
      for (const [c] of column(
        'select distinct cpe_key from csaf_leaves where cpe_key is not null',
      )) {
        yield filterKey.cpe(c!)
      }
      for (const [v] of column('select distinct vendor_key from csaf_leaf_vendors')) {
        yield filterKey.vendor(v!)
      }
      for (const [v, t] of column('select distinct vendor_key, term from csaf_leaf_terms')) {
        yield filterKey.term(v!, t!)
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

type LeafRow = {
  advisory_pk: number
  ordinal: number
  body: string
  terms: string
  statuses: string
}
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

/** A read error as the SnapshotError it means (SQLite errors and bad JSON: a damaged file). */
export function damaged(error: unknown): unknown {
  if (error instanceof SnapshotError) return error
  const code = sqliteCode(error)
  if (code?.startsWith('SQLITE_') || error instanceof SyntaxError) {
    return new SnapshotError('The advisory snapshot is damaged; rebuild it.', error)
  }
  return error
}

/**
 * A CSAF vulnerability less what is stored per leaf, with its remediations' texts by position
 * (null where a remediation names no product: no leaf refers to it).
 */
type VulnerabilityHead = Pick<CsafVulnerabilityProducts, 'index' | 'cve' | 'ids'> & {
  remediations: (RemediationText | null)[]
}

/**
 * One leaf's part of its document's vulnerabilities: per vulnerability that names the leaf's
 * product id in a status, remediation or flag, `[vulnerability index, statuses (in
 * PRODUCT_STATUSES order), remediation positions (their text is in the vulnerability's head), [flag
 * index, label][]]`.
 */
type LeafStatuses = [
  index: number,
  statuses: ProductStatus[],
  remediations: number[],
  flags: [number, string][],
][]

/** A remediation as a vulnerability's head stores it: no product ids (its leaves name them). */
type RemediationText = Omit<CsafRemediation, 'productIds'>

/**
 * A remediation's text fields, copied in the document reader's order (written out, not spread:
 * see {@link vulnerabilitiesOfLeaves}).
 */
function remediationText(r: RemediationText): RemediationText {
  const out: RemediationText = { category: r.category, details: r.details }
  if (r.url !== undefined) out.url = r.url
  if (r.date !== undefined) out.date = r.date
  return out
}

function leafStatuses(
  productId: string,
  vulnerabilities: readonly CsafVulnerabilityProducts[],
): LeafStatuses {
  const out: LeafStatuses = []
  for (const v of vulnerabilities) {
    const statuses = statusesOf(v, productId)
    const remediations: number[] = []
    v.remediations.forEach(({ productIds }, i) => {
      if (productIds.includes(productId)) remediations.push(i)
    })
    const flags: [number, string][] = []
    v.flags.forEach((f, i) => {
      if (f.productIds.includes(productId)) flags.push([i, f.label])
    })
    if (statuses.length > 0 || remediations.length > 0 || flags.length > 0) {
      out.push([v.index, statuses, remediations, flags])
    }
  }
  return out
}

/**
 * A document's vulnerabilities as the engine sees them for the leaves read: those that name
 * one of them, with the statuses, remediations and flags naming those leaves' product ids (the
 * engine asks about no other product id: candidates and the fixed-version search are among the
 * leaves read).
 */
function vulnerabilitiesOfLeaves(
  heads: readonly VulnerabilityHead[],
  leaves: readonly { productId: string; statuses: LeafStatuses }[],
): CsafVulnerabilityProducts[] {
  // Only the vulnerabilities that name a leaf read: the engine finds nothing in the others
  // (no status for any of its candidates), and a document may list hundreds.
  const named = new Set<number>()
  for (const { statuses } of leaves) for (const [index] of statuses) named.add(index)
  // Fields written out rather than spread from the head: V8's slow path for those spreads was
  // a tenth of reading a scan's CSAF candidates.
  const byIndex = new Map<number, { v: CsafVulnerabilityProducts; head: VulnerabilityHead }>()
  const out = heads
    .filter((h) => named.has(h.index))
    .map((h) => {
      // In the order the document reader gives its fields.
      const v = { index: h.index } as CsafVulnerabilityProducts
      if (h.cve !== undefined) v.cve = h.cve
      v.ids = h.ids
      v.statuses = {}
      v.remediations = []
      v.flags = []
      byIndex.set(h.index, { v, head: h })
      return v
    })
  const remediations = new Map<CsafVulnerabilityProducts, Map<number, CsafRemediation>>()
  const flags = new Map<CsafVulnerabilityProducts, Map<number, CsafFlag>>()
  for (const { productId, statuses } of leaves) {
    for (const [index, names, rems, flagged] of statuses) {
      const part = byIndex.get(index)
      if (!part) continue
      const { v, head } = part
      for (const name of names) (v.statuses[name] ??= []).push(productId)
      for (const i of rems) {
        let map = remediations.get(v)
        if (!map) remediations.set(v, (map = new Map()))
        const r = map.get(i)
        if (r) r.productIds.push(productId)
        else {
          const text = head.remediations[i]
          if (!text) {
            throw new SnapshotError('The advisory snapshot is damaged: a remediation is missing.')
          }
          const made = remediationText(text) as CsafRemediation
          made.productIds = [productId]
          map.set(i, made)
        }
      }
      for (const [i, label] of flagged) {
        let map = flags.get(v)
        if (!map) flags.set(v, (map = new Map()))
        const f = map.get(i)
        if (f) f.productIds.push(productId)
        else map.set(i, { label, productIds: [productId] })
      }
    }
  }
  for (const [v, map] of remediations) {
    v.remediations = [...map].sort((a, b) => a[0] - b[0]).map(([, r]) => r)
  }
  for (const [v, map] of flags) v.flags = [...map].sort((a, b) => a[0] - b[0]).map(([, f]) => f)
  return out
}

/** What a scan shows of an advisory beside the engine's finding. */
export interface SnapshotHead {
  source: 'osv' | 'csaf'
  advisoryId: string
  summary: string | null
}

/**
 * Every statement takes all the keys of one kind at once, as a JSON array read with `json_each`
 * (the join drives the index from it): a scan runs a handful of statements whatever the SBOM's
 * size, instead of one per key and kind (docs/performance.md, "Matching at scale").
 */
const READS = {
  // One row per key (OsvKeyBody): a package's or a purl's entries with their advisories' heads.
  osvByPackage: 'select body from osv_packages where eco_base = ? and package_key = ?',
  osvByPurl:
    'select body from osv_purls where purl_type = ? and purl_namespace = ? and purl_name = ?',
  leavesByVendor:
    'select l.advisory_pk, l.ordinal, l.body, l.terms, l.statuses from json_each(?) k cross join csaf_leaf_vendors v ' +
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
    'select l.advisory_pk, l.ordinal, l.body, l.terms, l.statuses from json_each(?) k cross join csaf_leaves l ' +
    'on l.advisory_pk = k.value ->> 0 and l.ordinal = k.value ->> 1',
  leavesByCpe:
    'select l.advisory_pk, l.ordinal, l.body, l.terms, l.statuses from json_each(?) k cross join csaf_leaves l on l.cpe_key = k.value',
  leavesByPurl:
    'select l.advisory_pk, l.ordinal, l.body, l.terms, l.statuses from json_each(?) k cross join csaf_leaves l ' +
    'on l.purl_type = k.value ->> 0 and l.purl_name = k.value ->> 2 and l.purl_namespace = k.value ->> 1',
  heads: 'select a.* from json_each(?) k cross join advisories a on a.pk = k.value',
  vulnerabilities:
    'select v.advisory_pk, v.body from json_each(?) k cross join csaf_vulnerabilities v on v.advisory_pk = k.value',
  allKev: 'select body from kev',
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
    // The key rows are read one value at a time (the body): plucked once, not on every call.
    this.statements.osvByPackage.pluck()
    this.statements.osvByPurl.pluck()
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
      // The shared lock is taken at the first read and held, instead of taken and released (two
      // fcntl calls) around every statement: half the time of a key's read on this project's
      // machines. Safe because a snapshot is replaced by rename, never written in place, and
      // other readers still share it.
      db.pragma('locking_mode = EXCLUSIVE')
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
  ): MatchCandidates & { heads: Map<string, SnapshotHead> } {
    try {
      return this.read(keys, products)
    } catch (error) {
      throw damaged(error)
    }
  }

  /** False when no CSAF leaf has this canonical vendor key (true: it may have). */
  mayHoldVendor(vendorKey: string): boolean {
    return this.filter.hasParts('v', vendorKey)
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
    // (vendor, term) pairs the filter rejects are in no row (most of a product's word subsets).
    const f = this.filter
    for (const p of products) {
      for (const vendor of p.vendorKeys) {
        if (!known.has(vendor)) continue
        for (const term of p.terms) {
          if (f.hasParts('t', vendor, term)) pairs.set(`${vendor}\0${term}`, [vendor, term])
        }
        // A word no leaf of the vendor has: no leaf has them all.
        if (p.allWords?.every((w) => f.hasParts('t', vendor, TERM.word + w))) {
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

  /** The decoded row of one OSV key (undefined: no row). */
  osvKeyBody(
    key: { package: [ecosystem: string, name: string] } | { purl: [string, string, string] },
  ): OsvKeyBody | undefined {
    const body =
      'package' in key
        ? (this.statements.osvByPackage.get(...key.package) as string | undefined)
        : (this.statements.osvByPurl.get(...key.purl) as string | undefined)
    return body === undefined ? undefined : (JSON.parse(body) as OsvKeyBody)
  }

  /** Whether the snapshot may hold OSV entries under this package key (false: it holds none). */
  mayHoldPackage(ecosystem: string, name: string): boolean {
    return this.filter.hasParts('p', ecosystem, name)
  }

  /** Whether OSV entries whose purl is not their package's may be filed under this purl key. */
  mayHoldPurl(type: string, namespace: string | null, name: string): boolean {
    return this.filter.hasParts('u', type, namespace ?? '', name)
  }

  /** Whether a CSAF leaf may carry a purl of this package. */
  mayHoldLeafPurl(type: string, namespace: string | null, name: string): boolean {
    return this.filter.hasParts('l', type, namespace ?? '', name)
  }

  /** Whether any CSAF leaf may carry a CPE of this `vendor:product`. */
  mayHoldCpe(vendorProduct: string): boolean {
    return this.filter.hasParts('c', vendorProduct)
  }

  /** Every KEV entry by upper-case CVE, read once per reader. */
  kev(): ReadonlyMap<string, KevInfo> {
    if (!this.kevCache) {
      this.kevCache = new Map()
      for (const row of this.statements.allKev.all() as { body: string }[]) {
        const entry = JSON.parse(row.body) as KevInfo
        this.kevCache.set(entry.cve.toUpperCase(), entry)
      }
    }
    return this.kevCache
  }

  /**
   * An {@link OsvEntryLookup} over this snapshot for one scan: reads (and decodes) a key's row
   * when the engine first asks for it and keeps it for the lookup's life, so that components of
   * the same package share it and an advisory is one object across keys.
   */
  osvLookup(): SnapshotOsvLookup {
    return new SnapshotOsvLookup(this)
  }

  /** The OSV candidates of these keys (the batched API; a scan uses {@link osvLookup}). */
  private readOsv(keys: CandidateKeys) {
    const byPk = new Map<number, { advisory: OsvCandidate; entries: Map<number, OsvAffected> }>()
    const heads = new Map<string, SnapshotHead>()
    const take = (body: OsvKeyBody | undefined) => {
      for (const [pk, advisoryId, aliases, severity, cvssScore, summary, entries] of body ?? []) {
        let found = byPk.get(pk)
        if (!found) {
          heads.set(advisoryId, { source: 'osv', advisoryId, summary })
          const advisory: OsvCandidate = {
            source: 'osv',
            advisoryId,
            aliases,
            severity,
            cvssScore,
            affected: [],
          }
          byPk.set(pk, (found = { advisory, entries: new Map() }))
        }
        for (const [index, entry] of entries) found.entries.set(index, entry)
      }
    }
    // Keys the filter rejects are in no row: only the others go to SQLite.
    for (const p of keys.packages) {
      if (this.mayHoldPackage(p.ecosystem, p.name)) {
        take(this.osvKeyBody({ package: [p.ecosystem, p.name] }))
      }
    }
    for (const p of keys.purls) {
      if (this.mayHoldPurl(p.type, p.namespace, p.name)) {
        take(this.osvKeyBody({ purl: [p.type, p.namespace ?? '', p.name] }))
      }
    }
    const osv = [...byPk.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, { advisory, entries }]) => ({
        ...advisory,
        affected: [...entries.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry),
      }))
    return { osv, heads }
  }

  /**
   * The CSAF candidates of these keys (leaves by purl, CPE, and vendor or `products`), with
   * their documents' heads.
   */
  csafCandidates(
    keys: Pick<CandidateKeys, 'purls' | 'cpes' | 'vendors'>,
    products: readonly ProductLookup[] | undefined,
  ): {
    csaf: CsafCandidate[]
    heads: Map<string, SnapshotHead>
    /** Each leaf's index terms as stored (`leafTerms` at build time). */
    leafTerms: Map<CsafLeaf, LeafTerms>
  } {
    try {
      return this.readCsaf(keys, products)
    } catch (error) {
      throw damaged(error)
    }
  }

  private readCsaf(
    keys: Pick<CandidateKeys, 'purls' | 'cpes' | 'vendors'>,
    products: readonly ProductLookup[] | undefined,
  ) {
    const s = this.statements
    const all = <T>(statement: BetterSqlite3.Statement, values: readonly unknown[]): T[] =>
      values.length === 0 ? [] : (statement.all(JSON.stringify(values)) as T[])
    // Keys the filter rejects are in no row: only the others go to SQLite.
    const f = this.filter
    const purls = keys.purls
      .map((p) => [p.type, p.namespace ?? '', p.name] as const)
      .filter(([t, ns, n]) => f.has(filterKey.leafPurl(t, ns, n)))
    const cpes = keys.cpes
      .map((c) => `${c.vendor}:${c.product}`)
      .filter((c) => f.has(filterKey.cpe(c)))

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
    for (const h of all<HeadRow>(s.heads, [...leavesByPk.keys()])) heads.set(h.pk, h)
    const vulnerabilitiesOf = new Map<number, string>()
    for (const r of all<{ advisory_pk: number; body: string }>(s.vulnerabilities, [
      ...leavesByPk.keys(),
    ])) {
      vulnerabilitiesOf.set(r.advisory_pk, r.body)
    }
    const leafTerms = new Map<CsafLeaf, LeafTerms>()
    const csaf: CsafCandidate[] = [...leavesByPk].map(([pk, rows]) => {
      const h = heads.get(pk)
      if (!h) throw new SnapshotError('The advisory snapshot is damaged: a leaf has no advisory.')
      const vulnerabilities = vulnerabilitiesOf.get(pk)
      const read = rows
        .sort((a, b) => a.ordinal - b.ordinal)
        .map((r) => {
          const leaf = JSON.parse(r.body) as CsafLeaf
          leafTerms.set(leaf, JSON.parse(r.terms) as LeafTerms)
          return { leaf, productId: leaf.productId, statuses: JSON.parse(r.statuses) as LeafStatuses } // prettier-ignore
        })
      return {
        advisoryId: h.advisory_id,
        aliases: JSON.parse(h.aliases) as string[],
        severity: h.severity,
        cvssScore: h.cvss_score,
        source: 'csaf',
        leaves: read.map((r) => r.leaf),
        vulnerabilities: vulnerabilities
          ? vulnerabilitiesOfLeaves(JSON.parse(vulnerabilities) as VulnerabilityHead[], read)
          : [],
      }
    })
    const byId = new Map<string, SnapshotHead>()
    for (const h of heads.values()) {
      byId.set(h.advisory_id, { source: h.source, advisoryId: h.advisory_id, summary: h.summary })
    }
    return { csaf, heads: byId, leafTerms }
  }

  private read(keys: CandidateKeys, products: readonly ProductLookup[] | undefined) {
    const { osv, heads: osvHeads } = this.readOsv(keys)
    const { csaf, heads } = this.readCsaf(keys, products)
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
      const all = this.kev()
      for (const cve of cves) {
        const entry = all.get(cve)
        if (entry) kev.set(cve, entry)
      }
    }
    for (const [id, head] of heads) osvHeads.set(id, head)
    return { osv, csaf, kev, heads: osvHeads }
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec('rollback')
    this.db.close()
  }
}

/** Keys a {@link SnapshotOsvLookup} keeps read rows of (a few components' worth). */
const KEYS_KEPT = 256

/** An entry as a {@link SnapshotOsvLookup} gives it: with its place, to merge keys in order. */
interface LookupRef extends OsvEntryRef {
  pk: number
  index: number
}

/**
 * OSV entries by the engine's keys ({@link purlKeyId}, {@link packageId}), read from a snapshot
 * key by key as the engine asks, for one scan (or one component); the last few hundred keys'
 * rows are kept (components of one package share them). Gives what
 * `prepareCandidates` would index from the batched candidates of the same keys: under a package
 * key every entry of that package; under a purl key the entries whose purl has that key, i.e.
 * the `osv_purls` row plus the entries of the purl's own package whose purl is that one (stored
 * under the package key only), per advisory in record order.
 */
export class SnapshotOsvLookup implements OsvEntryLookup {
  private readonly byKey = new Map<string, readonly LookupRef[] | undefined>()
  private readonly advisories = new Map<number, OsvCandidate>()
  /** The heads of the advisories read, by advisory id. */
  readonly heads = new Map<string, SnapshotHead>()
  /** Milliseconds spent reading and decoding rows. */
  readMs = 0

  constructor(private readonly reader: SnapshotReader) {}

  get(key: string): readonly OsvEntryRef[] | undefined {
    let found = this.byKey.get(key)
    if (found === undefined && !this.byKey.has(key)) {
      if (this.byKey.size >= KEYS_KEPT && key.startsWith('eco\0')) {
        // Forget the rows read so far: kept for a whole scan they all survive into the old
        // generation (the garbage collector's copying was a third of a 50 % scan). Only at a
        // package key not yet read: the engine asks a component's purl key (which reads the
        // package key first) and then its package key, so both give the same objects.
        this.byKey.clear()
        this.advisories.clear()
      }
      try {
        found = this.read(key)
      } catch (error) {
        throw damaged(error)
      }
      this.byKey.set(key, found)
    }
    return found
  }

  private read(key: string): readonly LookupRef[] | undefined {
    const parts = key.split('\0')
    if (parts[0] === 'eco') {
      const [, ecosystem = '', name = ''] = parts
      if (!this.reader.mayHoldPackage(ecosystem, name)) return undefined
      return this.body({ package: [ecosystem, name] })
    }
    const [, type = '', namespace = '', name = ''] = parts
    const pkg = osvPackageOfPurl({
      type,
      namespace: namespace || null,
      name,
      version: null,
      qualifiers: null,
      subpath: null,
    })
    // The package key first (it may forget earlier rows), then the purl's own row, so that an
    // advisory in both is one object.
    const ofPackage = pkg
      ? (this.get(packageId(pkg.ecosystem, pkg.name)) as readonly LookupRef[] | undefined)
      : undefined
    const own = this.reader.mayHoldPurl(type, namespace, name)
      ? this.body({ purl: [type, namespace, name] })
      : undefined
    const implied = ofPackage?.filter((r) => {
      const purl = r.entry.package?.purl ? readPurl(r.entry.package.purl) : undefined
      return purl !== undefined && purlKeyId(purl) === key
    })
    if (!implied?.length) return own
    if (!own?.length) return implied
    return [...own, ...implied].sort((a, b) => a.pk - b.pk || a.index - b.index)
  }

  private body(
    key: { package: [string, string] } | { purl: [string, string, string] },
  ): LookupRef[] | undefined {
    const started = performance.now()
    const body = this.reader.osvKeyBody(key)
    let out: LookupRef[] | undefined
    if (body) {
      out = []
      for (const [pk, advisoryId, aliases, severity, cvssScore, summary, entries] of body) {
        let advisory = this.advisories.get(pk)
        if (!advisory) {
          // `affected` stays empty: the entries come from this lookup, key by key.
          advisory = { source: 'osv', advisoryId, aliases, severity, cvssScore, affected: [] }
          this.advisories.set(pk, advisory)
          this.heads.set(advisoryId, { source: 'osv', advisoryId, summary })
        }
        for (const [index, entry] of entries) out.push({ advisory, entry, pk, index })
      }
    }
    this.readMs += performance.now() - started
    return out
  }
}
