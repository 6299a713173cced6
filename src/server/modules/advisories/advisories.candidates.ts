import type { Db } from '../../db/database.ts'
import type { Ctx } from '../../kernel/context.ts'
import type {
  CsafLeaf,
  CsafVulnerabilityProducts,
  ProductStatus,
} from '../vulnerabilities/matching/csaf/product-tree.ts'
import type {
  CsafCandidate,
  KevInfo,
  OsvCandidate,
  PurlKey,
} from '../vulnerabilities/matching/engine.ts'
import { vendorKeys } from '../vulnerabilities/matching/names/normalise.ts'
import type { OsvAffected } from '../vulnerabilities/versions/osv.ts'
import { parseCpe } from '../sboms/cpe.ts'
import { normaliseName } from './json-input.ts'
import { chunksOf } from '../../db/chunks.ts'

/**
 * Read-only lookups of advisory data for the matching engine (findings module): candidates by
 * package, purl, CPE and canonical vendor key — each answered from an index — the match keys of
 * changed advisories, and KEV entries by CVE. Only active advisories are candidates: a withdrawn
 * or removed one matches nothing, so re-evaluation resolves its findings.
 */

/** Values per `in (…)` list, well below both databases' parameter limits. */
const CHUNK = 500

const chunks = <T>(values: readonly T[]): T[][] => chunksOf(values, CHUNK)

const parse = <T>(text: string | null, fallback: T): T => {
  if (text === null) return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

export type WithPk<T> = T & { pk: number }

type AdvisoryHead = {
  id: number
  source: string
  advisory_id: string
  aliases: string
  severity: string | null
  cvss_score: number | null
}

async function activeAdvisories(db: Db, pks: number[]): Promise<Map<number, AdvisoryHead>> {
  const out = new Map<number, AdvisoryHead>()
  for (const chunk of chunks([...new Set(pks)])) {
    const rows = await db
      .selectFrom('advisories')
      .select(['id', 'source', 'advisory_id', 'aliases', 'severity', 'cvss_score'])
      .where('id', 'in', chunk)
      .where('state', '=', 'active')
      .execute()
    for (const r of rows) out.set(Number(r.id), { ...r, id: Number(r.id) })
  }
  return out
}

function info(head: AdvisoryHead) {
  return {
    pk: head.id,
    advisoryId: head.advisory_id,
    aliases: parse<string[]>(head.aliases, []),
    severity: head.severity,
    cvssScore: head.cvss_score === null ? null : Number(head.cvss_score),
  }
}

// ---- OSV

type OsvRow = {
  advisory_pk: number
  entry_index: number
  ecosystem: string
  package_name: string
  purl: string | null
  ranges: string
  versions: string
}

const osvColumns = [
  'advisory_pk',
  'entry_index',
  'ecosystem',
  'package_name',
  'purl',
  'ranges',
  'versions',
] as const

function osvFromRows(rows: OsvRow[], heads: Map<number, AdvisoryHead>): WithPk<OsvCandidate>[] {
  const byPk = new Map<number, Map<number, OsvAffected>>()
  for (const r of rows) {
    const pk = Number(r.advisory_pk)
    if (!heads.has(pk)) continue
    const entries = byPk.get(pk) ?? new Map<number, OsvAffected>()
    entries.set(Number(r.entry_index), {
      package: {
        ecosystem: r.ecosystem,
        name: r.package_name,
        ...(r.purl ? { purl: r.purl } : {}),
      },
      ranges: parse(r.ranges, []),
      versions: parse(r.versions, []),
    })
    byPk.set(pk, entries)
  }
  return [...byPk].map(([pk, entries]) => ({
    ...info(heads.get(pk)!),
    source: 'osv' as const,
    affected: [...entries].sort((a, b) => a[0] - b[0]).map(([, e]) => e),
  }))
}

/**
 * OSV records with an `affected[]` entry for one of these packages (ecosystem base + name key,
 * from the `(ecosystem_base, package_key)` index) or purls (the purl index); only the matching
 * entries are returned. `advisoryPks` limits the answer to those advisories.
 */
export async function osvCandidates(
  ctx: Pick<Ctx, 'db'>,
  keys: { packages: { ecosystem: string; name: string }[]; purls: PurlKey[] },
  options: { advisoryPks?: number[] } = {},
): Promise<WithPk<OsvCandidate>[]> {
  const rows: OsvRow[] = []
  const byEcosystem = new Map<string, string[]>()
  for (const p of keys.packages) {
    byEcosystem.set(p.ecosystem, [...(byEcosystem.get(p.ecosystem) ?? []), p.name])
  }
  const scoped = options.advisoryPks
  for (const [ecosystem, names] of byEcosystem) {
    for (const chunk of chunks(names)) {
      let q = ctx.db
        .selectFrom('advisory_osv_affected')
        .select(osvColumns)
        .where('ecosystem_base', '=', ecosystem)
        .where('package_key', 'in', chunk)
      if (scoped) q = q.where('advisory_pk', 'in', scoped.length ? scoped : [-1])
      rows.push(...(await q.execute()))
    }
  }
  const byType = new Map<string, PurlKey[]>()
  for (const p of keys.purls) byType.set(p.type, [...(byType.get(p.type) ?? []), p])
  for (const [type, list] of byType) {
    for (const chunk of chunks(list)) {
      const wanted = new Set(chunk.map((p) => `${p.namespace ?? ''}\0${p.name}`))
      let q = ctx.db
        .selectFrom('advisory_osv_affected')
        .select([...osvColumns, 'purl_namespace', 'purl_name'])
        .where('purl_type', '=', type)
        .where('purl_name', 'in', [...new Set(chunk.map((p) => p.name))])
      if (scoped) q = q.where('advisory_pk', 'in', scoped.length ? scoped : [-1])
      for (const r of await q.execute()) {
        if (wanted.has(`${r.purl_namespace ?? ''}\0${r.purl_name ?? ''}`)) rows.push(r)
      }
    }
  }
  const heads = await activeAdvisories(
    ctx.db,
    rows.map((r) => Number(r.advisory_pk)),
  )
  return osvFromRows(rows, heads)
}

// ---- CSAF

type ProductRow = {
  advisory_pk: number
  product_id: string
  name: string
  vendor: string | null
  product: string | null
  family: string | null
  version: string | null
  version_range: string | null
  model_numbers: string
  skus: string
  purl: string | null
  cpe: string | null
  branch_path: string
  relationship: string | null
}

const productColumns = [
  'advisory_pk',
  'product_id',
  'name',
  'vendor',
  'product',
  'family',
  'version',
  'version_range',
  'model_numbers',
  'skus',
  'purl',
  'cpe',
  'branch_path',
  'relationship',
] as const

function leafOf(r: ProductRow): CsafLeaf {
  const relationship = parse<{
    category?: string
    productReference?: string
    relatesTo?: string
  } | null>(r.relationship, null)
  return {
    productId: r.product_id,
    name: r.name,
    vendor: r.vendor ?? '',
    productFamily: r.family ?? '',
    product: r.product ?? '',
    ...(r.version !== null ? { version: r.version } : {}),
    ...(r.version_range !== null ? { range: r.version_range } : {}),
    attributes: {},
    modelNumbers: parse(r.model_numbers, []),
    skus: parse(r.skus, []),
    serialNumbers: [],
    ...(r.cpe ? { cpe: r.cpe } : {}),
    ...(r.purl ? { purl: r.purl } : {}),
    path: parse<string[]>(r.branch_path, []).map((step) => {
      const colon = step.indexOf(': ')
      return colon < 0
        ? { category: '', name: step }
        : { category: step.slice(0, colon), name: step.slice(colon + 2) }
    }),
    source: relationship ? 'relationship' : 'branch',
    ...(relationship
      ? {
          relationship: {
            category: relationship.category ?? '',
            component: relationship.productReference ?? '',
            platform: relationship.relatesTo ?? '',
          },
        }
      : {}),
    pointer: '',
  }
}

/** Vendor strings of stored CSAF leaves by canonical vendor key, and the leaves that carry a CPE. */
interface CsafDirectory {
  stamp: string
  vendorsByKey: Map<string, string[]>
  cpeLeaves: { pk: number; productId: string; cpe: string }[]
}

/**
 * One per process: a process serves one database (a transaction is another object, so the cache
 * cannot be keyed by the handle).
 */
let directory: CsafDirectory | undefined

/**
 * The directory is rebuilt when the change set grows (any import that changed something): a few
 * hundred distinct vendor strings, mapped through the alias table once rather than per lookup.
 */
async function csafDirectory(db: Db): Promise<CsafDirectory> {
  // The change set only grows, and every import that changes a leaf adds to it: its last seq
  // says whether the directory is still current (one index lookup).
  const head = await db
    .selectFrom('advisory_changes')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst()
  const stamp = String(head?.seq ?? 0)
  if (directory?.stamp === stamp) return directory
  const vendors = await db
    .selectFrom('advisory_csaf_products')
    .select('vendor')
    .distinct()
    .where('vendor', 'is not', null)
    .execute()
  const vendorsByKey = new Map<string, string[]>()
  for (const { vendor } of vendors) {
    if (!vendor) continue
    for (const key of vendorKeys(vendor)) {
      vendorsByKey.set(key, [...(vendorsByKey.get(key) ?? []), vendor])
    }
  }
  const cpeLeaves = (
    await db
      .selectFrom('advisory_csaf_products')
      .select(['advisory_pk', 'product_id', 'cpe'])
      .where('cpe', 'is not', null)
      .execute()
  ).map((r) => ({ pk: Number(r.advisory_pk), productId: r.product_id, cpe: r.cpe ?? '' }))
  directory = { stamp, vendorsByKey, cpeLeaves }
  return directory
}

/** Every vendor string of stored CSAF leaves that stands for one of these canonical keys. */
export async function csafVendorStrings(ctx: Pick<Ctx, 'db'>, keys: string[]): Promise<string[]> {
  const dir = await csafDirectory(ctx.db)
  return [...new Set(keys.flatMap((k) => dir.vendorsByKey.get(k) ?? []))]
}

async function csafVulnerabilities(
  db: Db,
  pks: number[],
): Promise<Map<number, CsafVulnerabilityProducts[]>> {
  const out = new Map<number, CsafVulnerabilityProducts[]>()
  for (const chunk of chunks(pks)) {
    const [vulns, statuses, remediations] = await Promise.all([
      db
        .selectFrom('advisory_csaf_vulnerabilities')
        .select(['advisory_pk', 'vuln_index', 'cve', 'ids', 'flags'])
        .where('advisory_pk', 'in', chunk)
        .orderBy('advisory_pk')
        .orderBy('vuln_index')
        .execute(),
      db
        .selectFrom('advisory_csaf_statuses')
        .select(['advisory_pk', 'vuln_index', 'product_id', 'status'])
        .where('advisory_pk', 'in', chunk)
        .execute(),
      db
        .selectFrom('advisory_csaf_remediations')
        .select(['advisory_pk', 'vuln_index', 'category', 'details', 'url', 'date', 'product_ids'])
        .where('advisory_pk', 'in', chunk)
        .execute(),
    ])
    const byVuln = new Map<string, CsafVulnerabilityProducts>()
    for (const v of vulns) {
      const pk = Number(v.advisory_pk)
      const item: CsafVulnerabilityProducts = {
        index: Number(v.vuln_index),
        ...(v.cve ? { cve: v.cve } : {}),
        ids: parse<{ systemName?: string; text?: string }[]>(v.ids, []).map((x) =>
          typeof x === 'string' ? x : `${x.systemName ?? ''}:${x.text ?? ''}`,
        ),
        statuses: {},
        remediations: [],
        flags: parse<{ label: string; productIds: string[] }[]>(v.flags, []),
      }
      byVuln.set(`${pk}:${item.index}`, item)
      out.set(pk, [...(out.get(pk) ?? []), item])
    }
    for (const s of statuses) {
      const v = byVuln.get(`${Number(s.advisory_pk)}:${Number(s.vuln_index)}`)
      if (!v) continue
      const status = s.status as ProductStatus
      ;(v.statuses[status] ??= []).push(s.product_id)
    }
    for (const r of remediations) {
      const v = byVuln.get(`${Number(r.advisory_pk)}:${Number(r.vuln_index)}`)
      if (!v) continue
      v.remediations.push({
        category: r.category,
        details: r.details,
        ...(r.url ? { url: r.url } : {}),
        ...(r.date ? { date: r.date } : {}),
        productIds: parse(r.product_ids, []),
      })
    }
  }
  return out
}

async function csafFromRows(db: Db, rows: ProductRow[]): Promise<WithPk<CsafCandidate>[]> {
  const heads = await activeAdvisories(
    db,
    rows.map((r) => Number(r.advisory_pk)),
  )
  const leaves = new Map<number, Map<string, CsafLeaf>>()
  for (const r of rows) {
    const pk = Number(r.advisory_pk)
    if (!heads.has(pk)) continue
    const map = leaves.get(pk) ?? new Map<string, CsafLeaf>()
    if (!map.has(r.product_id)) map.set(r.product_id, leafOf(r))
    leaves.set(pk, map)
  }
  const vulnerabilities = await csafVulnerabilities(db, [...leaves.keys()])
  return [...leaves].map(([pk, map]) => ({
    ...info(heads.get(pk)!),
    source: 'csaf' as const,
    leaves: [...map.values()],
    vulnerabilities: vulnerabilities.get(pk) ?? [],
  }))
}

/**
 * CSAF documents with leaves of these canonical vendors (through the `(vendor_norm,
 * product_norm)` index), with a CPE of these vendor:product pairs, or with a purl helper of these
 * packages; each with those leaves and its vulnerabilities (statuses, remediations, flags).
 */
export async function csafCandidates(
  ctx: Pick<Ctx, 'db'>,
  keys: { vendors: string[]; cpes: { vendor: string; product: string }[]; purls: PurlKey[] },
  options: { advisoryPks?: number[] } = {},
): Promise<WithPk<CsafCandidate>[]> {
  const rows: ProductRow[] = []
  const scoped = options.advisoryPks
  const vendorStrings = await csafVendorStrings(ctx, keys.vendors)
  const norms = [...new Set(vendorStrings.map(normaliseName))]
  for (const chunk of chunks(norms)) {
    let q = ctx.db
      .selectFrom('advisory_csaf_products')
      .select(productColumns)
      .where('vendor_norm', 'in', chunk)
    if (scoped) q = q.where('advisory_pk', 'in', scoped.length ? scoped : [-1])
    // Leaves whose vendor string folds to the same norm but maps to another key are harmless:
    // the engine compares canonical keys again.
    rows.push(...(await q.execute()))
  }
  if (keys.cpes.length > 0) {
    const wanted = new Set(keys.cpes.map((c) => `${c.vendor}:${c.product}`))
    const dir = await csafDirectory(ctx.db)
    const hits = dir.cpeLeaves.filter((l) => {
      const parts = parseCpe(l.cpe)
      return parts !== undefined && wanted.has(`${parts.vendor}:${parts.product}`)
    })
    const pks = [...new Set(hits.map((h) => h.pk))].filter((pk) => !scoped || scoped.includes(pk))
    const ids = new Set(hits.map((h) => `${h.pk}\0${h.productId}`))
    for (const chunk of chunks(pks)) {
      const found = await ctx.db
        .selectFrom('advisory_csaf_products')
        .select(productColumns)
        .where('advisory_pk', 'in', chunk)
        .execute()
      rows.push(...found.filter((r) => ids.has(`${Number(r.advisory_pk)}\0${r.product_id}`)))
    }
  }
  const byType = new Map<string, PurlKey[]>()
  for (const p of keys.purls) byType.set(p.type, [...(byType.get(p.type) ?? []), p])
  for (const [type, list] of byType) {
    for (const chunk of chunks(list)) {
      const wanted = new Set(chunk.map((p) => `${p.namespace ?? ''}\0${p.name}`))
      let q = ctx.db
        .selectFrom('advisory_csaf_products')
        .select([...productColumns, 'purl_namespace', 'purl_name'])
        .where('purl_type', '=', type)
        .where('purl_name', 'in', [...new Set(chunk.map((p) => p.name))])
      if (scoped) q = q.where('advisory_pk', 'in', scoped.length ? scoped : [-1])
      for (const r of await q.execute()) {
        if (wanted.has(`${r.purl_namespace ?? ''}\0${r.purl_name ?? ''}`)) rows.push(r)
      }
    }
  }
  return csafFromRows(ctx.db, rows)
}

// ---- KEV

/** KEV entries (not removed from the catalogue) for these CVE ids, by CVE. */
export async function kevByCves(
  ctx: Pick<Ctx, 'db'>,
  cves: readonly string[],
): Promise<Map<string, KevInfo>> {
  const out = new Map<string, KevInfo>()
  const wanted = [...new Set(cves.map((c) => c.toUpperCase()))]
  for (const chunk of chunks(wanted)) {
    const rows = await ctx.db
      .selectFrom('advisory_kev')
      .innerJoin('advisories', 'advisories.id', 'advisory_kev.advisory_pk')
      .select([
        'advisory_kev.cve',
        'advisory_kev.date_added',
        'advisory_kev.due_date',
        'advisory_kev.known_ransomware_campaign_use',
      ])
      .where('advisory_kev.cve', 'in', chunk)
      .where('advisories.state', '=', 'active')
      .execute()
    for (const r of rows) {
      out.set(r.cve, {
        cve: r.cve,
        dateAdded: r.date_added,
        dueDate: r.due_date,
        knownRansomwareCampaignUse: r.known_ransomware_campaign_use,
      })
    }
  }
  return out
}

// ---- what changed advisories touch

export interface AdvisoryMatchKeys {
  pk: number
  source: 'osv' | 'csaf' | 'kev'
  advisoryId: string
  state: string
  /** OSV packages (ecosystem base, name key). */
  packages: { ecosystem: string; name: string }[]
  /** Purl helpers of OSV entries and CSAF leaves. */
  purls: { type: string; namespace: string | null; name: string }[]
  /** Raw vendor strings of CSAF leaves. */
  vendors: string[]
  /** CPE helpers of CSAF leaves, as written. */
  cpes: string[]
  /** The CVE of a KEV entry. */
  kevCve?: string
}

/**
 * The keys an advisory can match by — whatever its state, so that a withdrawn advisory still
 * names the components whose findings must be resolved.
 */
export async function advisoryMatchKeys(
  ctx: Pick<Ctx, 'db'>,
  pks: readonly number[],
): Promise<AdvisoryMatchKeys[]> {
  const out = new Map<number, AdvisoryMatchKeys>()
  for (const chunk of chunks([...new Set(pks)])) {
    const heads = await ctx.db
      .selectFrom('advisories')
      .select(['id', 'source', 'advisory_id', 'state'])
      .where('id', 'in', chunk)
      .execute()
    for (const h of heads) {
      out.set(Number(h.id), {
        pk: Number(h.id),
        source: h.source,
        advisoryId: h.advisory_id,
        state: h.state,
        packages: [],
        purls: [],
        vendors: [],
        cpes: [],
      })
    }
    const osv = await ctx.db
      .selectFrom('advisory_osv_affected')
      .select([
        'advisory_pk',
        'ecosystem_base',
        'package_key',
        'purl_type',
        'purl_namespace',
        'purl_name',
      ])
      .where('advisory_pk', 'in', chunk)
      .execute()
    for (const r of osv) {
      const keys = out.get(Number(r.advisory_pk))
      if (!keys) continue
      keys.packages.push({ ecosystem: r.ecosystem_base, name: r.package_key })
      if (r.purl_type && r.purl_name) {
        keys.purls.push({
          type: r.purl_type,
          namespace: r.purl_namespace || null,
          name: r.purl_name,
        })
      }
    }
    const csaf = await ctx.db
      .selectFrom('advisory_csaf_products')
      .select(['advisory_pk', 'vendor', 'cpe', 'purl_type', 'purl_namespace', 'purl_name'])
      .where('advisory_pk', 'in', chunk)
      .execute()
    for (const r of csaf) {
      const keys = out.get(Number(r.advisory_pk))
      if (!keys) continue
      if (r.vendor && !keys.vendors.includes(r.vendor)) keys.vendors.push(r.vendor)
      if (r.cpe) keys.cpes.push(r.cpe)
      if (r.purl_type && r.purl_name) {
        keys.purls.push({
          type: r.purl_type,
          namespace: r.purl_namespace || null,
          name: r.purl_name,
        })
      }
    }
    const kev = await ctx.db
      .selectFrom('advisory_kev')
      .select(['advisory_pk', 'cve'])
      .where('advisory_pk', 'in', chunk)
      .execute()
    for (const r of kev) {
      const keys = out.get(Number(r.advisory_pk))
      if (keys) keys.kevCve = r.cve
    }
  }
  return [...out.values()]
}

/** OSV and CSAF candidates of exactly these advisories (the active ones), all their entries. */
export async function candidatesOfAdvisories(
  ctx: Pick<Ctx, 'db'>,
  pks: readonly number[],
): Promise<{ osv: WithPk<OsvCandidate>[]; csaf: WithPk<CsafCandidate>[] }> {
  const osvRows: OsvRow[] = []
  const csafRows: ProductRow[] = []
  for (const chunk of chunks([...new Set(pks)])) {
    osvRows.push(
      ...(await ctx.db
        .selectFrom('advisory_osv_affected')
        .select(osvColumns)
        .where('advisory_pk', 'in', chunk)
        .execute()),
    )
    csafRows.push(
      ...(await ctx.db
        .selectFrom('advisory_csaf_products')
        .select(productColumns)
        .where('advisory_pk', 'in', chunk)
        .execute()),
    )
  }
  const heads = await activeAdvisories(
    ctx.db,
    osvRows.map((r) => Number(r.advisory_pk)),
  )
  return { osv: osvFromRows(osvRows, heads), csaf: await csafFromRows(ctx.db, csafRows) }
}
