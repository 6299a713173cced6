import type {
  Finding,
  FindingPage,
  FindingQuery,
  KevExposure,
} from '../../../common/api/findings.ts'
import { AppError } from '../../../common/errors.ts'
import { lockKeyForTransaction } from '../../db/dialect.ts'
import type { Database } from '../../db/schema.ts'
import { systemActor } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import {
  advisoryMatchKeys,
  candidatesOfAdvisories,
  csafCandidates,
  kevByCves,
  osvCandidates,
} from '../advisories/advisories.candidates.ts'
import { advisoryChangesSince } from '../advisories/advisories.service.ts'
import { recordAudit } from '../audit/audit.service.ts'
import {
  currentComponentsByCpes,
  currentComponentsByPackages,
  currentComponentsOfVersions,
  type MatchableComponent,
} from '../sboms/sboms.matching.ts'
import { parseCpe } from '../sboms/cpe.ts'
import {
  candidateKeys,
  kevOf,
  matchComponents,
  prepareCandidates,
  PRODUCT_KEY,
  purlKeysOfOsvPackage,
  type EngineComponent,
  type EngineFinding,
  type FindingReason,
  type KevInfo,
  type MatchCandidates,
} from '../vulnerabilities/matching/engine.ts'
import { vendorKeys } from '../vulnerabilities/matching/names/normalise.ts'
import * as repo from './findings.repository.ts'
import type { FindingRow, NewFindingRow } from './findings.table.ts'

type Db = Ctx['db']
type EvalCtx = Pick<Ctx, 'db' | 'clock'>

/** The name of the durable cursor over the advisories change set. */
export const ADVISORY_CURSOR = 'advisories'
/** Change-set entries read per page by {@link reevaluateForAdvisoryChanges}. */
const CHANGE_PAGE = 1000
/** Product versions synced per transaction by the re-evaluation. */
const VERSIONS_PER_TRANSACTION = 50
const WHO = { actor: systemActor('findings') }

export interface EvaluationSummary {
  productVersionId: string
  components: number
  candidates: number
  created: number
  changed: number
  resolved: number
  unchanged: number
  open: number
}

// ---- mapping

const parseJson = <T>(text: string | null, fallback: T): T => {
  if (text === null) return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

function toFinding(row: FindingRow): Finding {
  return {
    id: row.id,
    productVersionId: row.product_version_id,
    component: {
      key: row.component_key,
      name: row.component_name,
      version: row.component_version,
      purl: row.component_purl,
    },
    advisory: { source: row.advisory_source, id: row.advisory_id },
    cves: parseJson<string[]>(row.cves, []),
    status: row.status,
    confidence: row.confidence,
    reason: parseJson<FindingReason>(row.reason, {
      matchedBy: row.matched_by,
      key: row.match_key,
      rule: row.rule,
      componentVersion: row.component_version,
      details: [],
    }),
    fixedVersion: row.fixed_version,
    severity: row.severity,
    cvssScore: row.cvss_score === null ? null : Number(row.cvss_score),
    kev:
      Number(row.kev) === 1 && row.kev_cve
        ? {
            cve: row.kev_cve,
            dateAdded: row.kev_date_added ?? '',
            dueDate: row.kev_due_date ?? '',
            knownRansomwareCampaignUse: row.kev_ransomware,
          }
        : null,
    firstSeenAt: row.first_seen_at,
    changedAt: row.changed_at,
    lastEvaluatedAt: row.last_evaluated_at,
    resolvedAt: row.resolved_at,
  }
}

function productComponent(subject: repo.VersionSubjectRow): EngineComponent {
  return {
    key: PRODUCT_KEY,
    name: subject.product_name,
    version: subject.version,
    supplier: subject.organisation_name,
    modelNumbers: parseJson<string[]>(subject.model_numbers, []),
  }
}

function engineComponent(c: MatchableComponent): EngineComponent {
  return {
    key: c.key,
    name: c.name,
    version: c.version,
    purl: c.purl,
    cpes: c.cpes,
    supplier: c.supplier,
  }
}

/** The columns the matcher owns; triage columns are never written here. */
function matchColumns(f: EngineFinding, component: EngineComponent) {
  return {
    component_name: component.name,
    component_version: component.version ?? null,
    component_purl: component.purl ?? null,
    advisory_source: f.source,
    cves: JSON.stringify(f.cves),
    status: f.status,
    confidence: f.confidence,
    matched_by: f.reason.matchedBy,
    match_key: f.reason.key,
    rule: f.reason.rule,
    reason: JSON.stringify(f.reason),
    fixed_version: f.fixedVersion,
    severity: f.severity,
    cvss_score: f.cvssScore,
    kev: f.kev ? 1 : 0,
    kev_cve: f.kev?.cve ?? null,
    kev_date_added: f.kev?.dateAdded ?? null,
    kev_due_date: f.kev?.dueDate ?? null,
    kev_ransomware: f.kev?.knownRansomwareCampaignUse ?? null,
  }
}

type MatchColumns = ReturnType<typeof matchColumns>

function sameMatch(row: FindingRow, next: MatchColumns): boolean {
  return (Object.keys(next) as (keyof MatchColumns)[]).every((k) => {
    const a = row[k]
    const b = next[k]
    if (k === 'cvss_score' || k === 'kev') {
      return (a === null ? null : Number(a)) === (b === null ? null : Number(b))
    }
    return a === b
  })
}

// ---- syncing one version's findings

interface SyncInput {
  subject: repo.VersionSubjectRow
  components: EngineComponent[]
  produced: EngineFinding[]
  /** undefined: every finding of the version is in scope; otherwise only these advisories'. */
  advisoryIds?: readonly string[]
  trigger: string
  sbomId: string | null
  candidates: number
  startedAt: number
}

/**
 * Upserts the produced findings, resolves the version's in-scope findings that were not produced,
 * reopens resolved ones that came back, and records the evaluation (and an audit entry when
 * something opened, changed or resolved). Triage columns are left as they are.
 */
async function syncVersion(trx: Db, ctx: EvalCtx, input: SyncInput): Promise<EvaluationSummary> {
  const now = ctx.clock.now().toISOString()
  const versionId = input.subject.product_version_id
  const existing = await repo.listFindingsOfVersion(trx, versionId, input.advisoryIds)
  const byKey = new Map(existing.map((r) => [`${r.component_key}\0${r.advisory_id}`, r]))
  const components = new Map(input.components.map((c) => [c.key, c]))
  const inserts: NewFindingRow[] = []
  const cveRows: { findingId: string; cves: string[] }[] = []
  const untouched: string[] = []
  const seen = new Set<string>()
  let changed = 0
  let kevOpened = 0
  for (const f of input.produced) {
    const component = components.get(f.componentKey)
    if (!component) continue
    const key = `${f.componentKey}\0${f.advisoryId}`
    if (seen.has(key)) continue
    seen.add(key)
    const columns = matchColumns(f, component)
    const row = byKey.get(key)
    if (!row) {
      const id = newId()
      inserts.push({
        id,
        organisation_id: input.subject.organisation_id,
        product_id: input.subject.product_id,
        product_version_id: versionId,
        component_key: f.componentKey,
        advisory_id: f.advisoryId,
        ...columns,
        first_seen_at: now,
        changed_at: now,
        last_evaluated_at: now,
        resolved_at: null,
      })
      cveRows.push({ findingId: id, cves: f.cves })
      if (f.kev && f.status === 'affected') kevOpened += 1
    } else if (row.resolved_at !== null || !sameMatch(row, columns)) {
      await repo.updateFinding(trx, row.id, {
        ...columns,
        changed_at: now,
        last_evaluated_at: now,
        resolved_at: null,
      })
      cveRows.push({ findingId: row.id, cves: f.cves })
      changed += 1
      if (f.kev && f.status === 'affected' && (row.resolved_at !== null || Number(row.kev) !== 1)) {
        kevOpened += 1
      }
    } else {
      untouched.push(row.id)
    }
  }
  const gone = existing
    .filter((r) => r.resolved_at === null && !seen.has(`${r.component_key}\0${r.advisory_id}`))
    .map((r) => r.id)
  await repo.insertFindings(trx, inserts)
  await repo.replaceFindingCves(trx, cveRows)
  await repo.touchFindings(trx, untouched, now)
  await repo.resolveFindings(trx, gone, now)
  const open = await repo.countFindings(trx, versionId, { state: 'open' })
  const summary: EvaluationSummary = {
    productVersionId: versionId,
    components: input.components.length,
    candidates: input.candidates,
    created: inserts.length,
    changed,
    resolved: gone.length,
    unchanged: untouched.length,
    open,
  }
  await repo.insertEvaluation(trx, {
    product_version_id: versionId,
    sbom_id: input.sbomId,
    trigger: input.trigger,
    scope: input.advisoryIds ? JSON.stringify(input.advisoryIds.slice(0, 100)) : 'all',
    components: summary.components,
    candidates: summary.candidates,
    created: summary.created,
    changed: summary.changed,
    resolved: summary.resolved,
    unchanged: summary.unchanged,
    open_total: summary.open,
    duration_ms: Math.round((performance.now() - input.startedAt) * 100) / 100,
    evaluated_at: now,
  })
  if (summary.created + summary.changed + summary.resolved > 0) {
    await recordAudit(trx, ctx.clock, WHO, {
      action: 'findings.evaluated',
      organisationId: input.subject.organisation_id,
      targetType: 'product_version',
      targetId: versionId,
      details: {
        trigger: input.trigger,
        created: summary.created,
        changed: summary.changed,
        resolved: summary.resolved,
        open: summary.open,
        kevOpened,
        advisories: [
          ...new Set([
            ...inserts.map((r) => r.advisory_id),
            ...existing.filter((r) => gone.includes(r.id)).map((r) => r.advisory_id),
          ]),
        ].slice(0, 20),
      },
    })
  }
  return summary
}

const versionLock = (versionId: string) => `findings:version:${versionId}`

async function loadCandidates(db: Db, components: EngineComponent[]): Promise<MatchCandidates> {
  const keys = candidateKeys(components)
  const osv = await osvCandidates({ db }, keys)
  const csaf = await csafCandidates({ db }, keys)
  const cves = [...osv, ...csaf].flatMap((a) => [a.advisoryId, ...a.aliases])
  for (const c of csaf) for (const v of c.vulnerabilities) if (v.cve) cves.push(v.cve)
  const kev = await kevByCves(
    { db },
    cves.filter((id) => /^CVE-/i.test(id)),
  )
  return { osv, csaf, kev }
}

/**
 * Evaluates one product version afresh: its current SBOM's components and the registered
 * product itself (manufacturer, name, model numbers, version) against every stored advisory they
 * can match. New findings are inserted, changed ones updated, those no longer produced resolved
 * (an SBOM replaced, an advisory withdrawn); triage fields are kept. Reads and writes happen in
 * one transaction under the version's lock, so a concurrent re-evaluation cannot interleave.
 * Idempotent. Audited as `findings.evaluated` when something opened, changed or resolved.
 * @throws not_found (no such product version)
 */
export async function evaluateProductVersion(
  ctx: EvalCtx,
  productVersionId: string,
  options: { trigger?: string } = {},
): Promise<EvaluationSummary> {
  const startedAt = performance.now()
  return ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, versionLock(productVersionId))
    const subject = await repo.findVersionSubject(trx, productVersionId)
    if (!subject) throw new AppError('not_found', 'No such product version')
    const stored = (await currentComponentsOfVersions({ db: trx }, [productVersionId])).get(
      productVersionId,
    )
    const components = [productComponent(subject), ...(stored ?? []).map(engineComponent)]
    const candidates = await loadCandidates(trx, components)
    const produced = matchComponents(components, candidates)
    const summary = await syncVersion(trx, ctx, {
      subject,
      components,
      produced,
      trigger: options.trigger ?? 'manual',
      sbomId: stored?.[0]?.sbomId ?? null,
      candidates: candidates.osv.length + candidates.csaf.length,
      startedAt,
    })
    await repo.replaceVendorKeys(trx, productVersionId, candidateKeys(components).vendors)
    return summary
  })
}

export interface ReevaluationSummary {
  fromSeq: number
  toSeq: number
  changes: number
  advisories: number
  kevCves: number
  versions: EvaluationSummary[]
}

/** Product versions whose current components or registered product these keys can reach. */
async function versionsReachedBy(
  db: Db,
  keys: Awaited<ReturnType<typeof advisoryMatchKeys>>,
): Promise<{ hits: Map<string, MatchableComponent[]>; whole: Set<string> }> {
  const purls = keys.flatMap((k) => [
    ...k.purls,
    ...k.packages.flatMap((p) => purlKeysOfOsvPackage(p.ecosystem, p.name)),
  ])
  const cpes = keys.flatMap((k) =>
    k.cpes.flatMap((text) => {
      const parts = parseCpe(text)
      return parts ? [{ vendor: parts.vendor, product: parts.product }] : []
    }),
  )
  const hits = new Map<string, MatchableComponent[]>()
  for (const c of [
    ...(await currentComponentsByPackages({ db }, purls)),
    ...(await currentComponentsByCpes({ db }, cpes)),
  ]) {
    const list = hits.get(c.productVersionId) ?? []
    if (!list.some((x) => x.key === c.key)) list.push(c)
    hits.set(c.productVersionId, list)
  }
  // Versions to evaluate whole (all components and the product): those with findings of these
  // advisories, and those whose manufacturer or component suppliers share a CSAF vendor.
  const whole = new Set(
    await repo.listVersionIdsWithAdvisories(
      db,
      keys.map((k) => k.advisoryId),
    ),
  )
  const vendorKeySet = new Set(keys.flatMap((k) => k.vendors.flatMap((v) => vendorKeys(v))))
  if (vendorKeySet.size > 0) {
    for (const id of await repo.listVersionIdsByVendorKeys(db, [...vendorKeySet])) whole.add(id)
    const manufacturers = (await repo.listManufacturers(db)).filter((o) =>
      vendorKeys(o.name).some((k) => vendorKeySet.has(k)),
    )
    for (const id of await repo.listVersionIdsOfOrganisations(
      db,
      manufacturers.map((o) => o.id),
    )) {
      whole.add(id)
    }
  }
  return { hits, whole }
}

/**
 * Re-evaluates what the advisory change set after `sinceSeq` (default: the stored cursor) can
 * touch, and nothing else:
 * - for OSV and CSAF advisories created, changed, withdrawn or removed: the product versions
 *   whose current SBOM has a component of one of their packages (purl type, namespace, name) or
 *   CPE vendor:product, whose manufacturer or component suppliers share a canonical vendor with
 *   one of their CSAF leaves, or that have findings of them — each evaluated against those
 *   advisories only (its other findings are left alone);
 * - for KEV entries: the KEV fields of open findings naming those CVEs.
 * Then stores the cursor. Idempotent: running it twice over the same changes changes nothing.
 */
export async function reevaluateForAdvisoryChanges(
  ctx: EvalCtx,
  sinceSeq?: number,
): Promise<ReevaluationSummary> {
  const start = sinceSeq ?? (await repo.findCursor(ctx.db, ADVISORY_CURSOR)) ?? 0
  const summary: ReevaluationSummary = {
    fromSeq: start,
    toSeq: start,
    changes: 0,
    advisories: 0,
    kevCves: 0,
    versions: [],
  }
  let cursor = start
  for (;;) {
    const { changes, nextSeq } = await advisoryChangesSince(ctx, cursor, CHANGE_PAGE)
    if (changes.length === 0) break
    summary.changes += changes.length
    const pks = [
      ...new Set(changes.filter((c) => c.advisory.source !== 'kev').map((c) => c.advisory.pk)),
    ]
    const kevPks = [
      ...new Set(changes.filter((c) => c.advisory.source === 'kev').map((c) => c.advisory.pk)),
    ]
    summary.versions.push(...(await reevaluateAdvisories(ctx, pks)))
    summary.advisories += pks.length
    const kevKeys = await advisoryMatchKeys(ctx, kevPks)
    const cves = kevKeys.flatMap((k) => (k.kevCve ? [k.kevCve] : []))
    summary.kevCves += cves.length
    summary.versions.push(...(await refreshKev(ctx, cves)))
    cursor = nextSeq
    const stored = (await repo.findCursor(ctx.db, ADVISORY_CURSOR)) ?? 0
    if (cursor > stored) {
      await repo.saveCursor(ctx.db, ADVISORY_CURSOR, cursor, ctx.clock.now().toISOString())
    }
  }
  summary.toSeq = cursor
  return summary
}

async function reevaluateAdvisories(ctx: EvalCtx, pks: number[]): Promise<EvaluationSummary[]> {
  if (pks.length === 0) return []
  const keys = (await advisoryMatchKeys(ctx, pks)).filter((k) => k.source !== 'kev')
  const advisoryIds = keys.map((k) => k.advisoryId)
  const { hits, whole } = await versionsReachedBy(ctx.db, keys)
  const versionIds = [...new Set([...hits.keys(), ...whole])]
  if (versionIds.length === 0) return []
  const loaded = await candidatesOfAdvisories(ctx, pks)
  const cves = [...loaded.osv, ...loaded.csaf].flatMap((a) => [a.advisoryId, ...a.aliases])
  for (const c of loaded.csaf) for (const v of c.vulnerabilities) if (v.cve) cves.push(v.cve)
  const kev = await kevByCves(
    ctx,
    cves.filter((id) => /^CVE-/i.test(id)),
  )
  const prepared = prepareCandidates({ ...loaded, kev })
  const candidateCount = loaded.osv.length + loaded.csaf.length
  const subjects = new Map(
    (await repo.listVersionSubjects(ctx.db, versionIds)).map((s) => [s.product_version_id, s]),
  )
  const wholeComponents = await currentComponentsOfVersions(ctx, [...whole])
  const out: EvaluationSummary[] = []
  // Versions are synced a batch per transaction (each under its own lock): one commit per batch
  // rather than per version.
  for (let i = 0; i < versionIds.length; i += VERSIONS_PER_TRANSACTION) {
    const batch = versionIds.slice(i, i + VERSIONS_PER_TRANSACTION)
    const summaries = await ctx.db.transaction().execute(async (trx) => {
      const done: EvaluationSummary[] = []
      for (const versionId of batch) {
        const startedAt = performance.now()
        const subject = subjects.get(versionId)
        if (!subject) continue
        const stored = whole.has(versionId)
          ? (wholeComponents.get(versionId) ?? [])
          : (hits.get(versionId) ?? [])
        const components = [
          ...(whole.has(versionId) ? [productComponent(subject)] : []),
          ...stored.map(engineComponent),
        ]
        const produced = matchComponents(components, prepared)
        await lockKeyForTransaction<Database>(trx, versionLock(versionId))
        done.push(
          await syncVersion(trx, ctx, {
            subject,
            components,
            produced,
            advisoryIds,
            trigger: 'advisories',
            sbomId: stored[0]?.sbomId ?? null,
            candidates: candidateCount,
            startedAt,
          }),
        )
      }
      return done
    })
    out.push(...summaries)
  }
  return out
}

/** Re-joins KEV for the open findings naming these CVEs (a KEV entry added, changed or removed). */
async function refreshKev(ctx: EvalCtx, cves: string[]): Promise<EvaluationSummary[]> {
  if (cves.length === 0) return []
  const findings = await repo.listOpenFindingsWithCves(ctx.db, cves)
  if (findings.length === 0) return []
  const kev: Map<string, KevInfo> = await kevByCves(
    ctx,
    findings.flatMap((f) => parseJson<string[]>(f.cves, [])),
  )
  const byVersion = new Map<string, FindingRow[]>()
  for (const f of findings) {
    byVersion.set(f.product_version_id, [...(byVersion.get(f.product_version_id) ?? []), f])
  }
  const out: EvaluationSummary[] = []
  for (const [versionId, rows] of byVersion) {
    const startedAt = performance.now()
    out.push(
      await ctx.db.transaction().execute(async (trx) => {
        await lockKeyForTransaction<Database>(trx, versionLock(versionId))
        const now = ctx.clock.now().toISOString()
        let changed = 0
        for (const row of rows) {
          const entry = kevOf(parseJson<string[]>(row.cves, []), kev)
          const next = {
            kev: entry ? 1 : 0,
            kev_cve: entry?.cve ?? null,
            kev_date_added: entry?.dateAdded ?? null,
            kev_due_date: entry?.dueDate ?? null,
            kev_ransomware: entry?.knownRansomwareCampaignUse ?? null,
          }
          if (
            Number(row.kev) === next.kev &&
            row.kev_cve === next.kev_cve &&
            row.kev_date_added === next.kev_date_added &&
            row.kev_due_date === next.kev_due_date &&
            row.kev_ransomware === next.kev_ransomware
          ) {
            continue
          }
          await repo.updateFinding(trx, row.id, {
            ...next,
            changed_at: now,
            last_evaluated_at: now,
          })
          changed += 1
        }
        const summary: EvaluationSummary = {
          productVersionId: versionId,
          components: 0,
          candidates: 0,
          created: 0,
          changed,
          resolved: 0,
          unchanged: rows.length - changed,
          open: rows.length,
        }
        await repo.insertEvaluation(trx, {
          product_version_id: versionId,
          sbom_id: null,
          trigger: 'kev',
          scope: JSON.stringify(cves.slice(0, 100)),
          components: 0,
          candidates: 0,
          created: 0,
          changed,
          resolved: 0,
          unchanged: summary.unchanged,
          open_total: rows.length,
          duration_ms: Math.round((performance.now() - startedAt) * 100) / 100,
          evaluated_at: now,
        })
        if (changed > 0) {
          await recordAudit(trx, ctx.clock, WHO, {
            action: 'findings.kev_changed',
            organisationId: rows[0]!.organisation_id,
            targetType: 'product_version',
            targetId: versionId,
            details: { changed, cves: cves.slice(0, 20) },
          })
        }
        return summary
      }),
    )
  }
  return out
}

// ---- reading

async function requireVersion(db: Db, organisationId: string, versionId: string): Promise<void> {
  if (!(await repo.isVersionOfOrganisation(db, organisationId, versionId))) {
    throw new AppError('not_found', 'No such product version')
  }
}

/**
 * A page of a product version's findings, KEV first, then by CVSS. Filters: state (open by
 * default), status, severity, KEV only, confidence, text in the component, advisory, CVE or purl.
 * @throws not_found (no such version in the organisation)
 */
export async function listFindings(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  versionId: string,
  query: FindingQuery = {},
): Promise<FindingPage> {
  await requireVersion(ctx.db, organisationId, versionId)
  const filter: repo.FindingFilter = {
    state: query.state ?? 'open',
    ...(query.status ? { status: query.status } : {}),
    ...(query.severity?.trim() ? { severity: query.severity.trim().toLowerCase() } : {}),
    ...(query.kev ? { kevOnly: true } : {}),
    ...(query.confidence ? { confidence: query.confidence } : {}),
    ...(query.q?.trim() ? { text: query.q.trim() } : {}),
  }
  const limit = query.limit ?? 50
  const offset = query.offset ?? 0
  const [rows, total] = await Promise.all([
    repo.listFindingPage(ctx.db, versionId, filter, { limit, offset }),
    repo.countFindings(ctx.db, versionId, filter),
  ])
  return { items: rows.map(toFinding), total, limit, offset }
}

/** One finding with its reason. @throws not_found */
export async function getFinding(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  versionId: string,
  findingId: string,
): Promise<Finding> {
  await requireVersion(ctx.db, organisationId, versionId)
  const row = await repo.findFinding(ctx.db, versionId, findingId)
  if (!row) throw new AppError('not_found', 'No such finding')
  return toFinding(row)
}

/** The latest evaluations of a version (no organisation check: for services and tests). */
export async function listVersionEvaluations(ctx: Pick<Ctx, 'db'>, versionId: string, limit = 20) {
  return (await repo.listEvaluations(ctx.db, versionId, limit)).map((r) => ({
    trigger: r.trigger,
    scope: r.scope,
    components: Number(r.components),
    candidates: Number(r.candidates),
    created: Number(r.created),
    changed: Number(r.changed),
    resolved: Number(r.resolved),
    unchanged: Number(r.unchanged),
    open: Number(r.open_total),
    durationMs: Number(r.duration_ms),
    evaluatedAt: r.evaluated_at,
  }))
}

/**
 * The network's exposure to known-exploited vulnerabilities: products with an open, affected
 * finding whose CVE is in KEV, in all, by manufacturer and by device class, and how many such
 * findings are past KEV's due date. Counts only: no finding details leave the manufacturer.
 */
export async function getKevExposure(ctx: Pick<Ctx, 'db' | 'clock'>): Promise<KevExposure> {
  const rows = await repo.listOpenKevExposure(ctx.db)
  const today = ctx.clock.now().toISOString().slice(0, 10)
  type Group = { products: Set<string>; versions: Set<string>; cves: Set<string> }
  const group = (): Group => ({ products: new Set(), versions: new Set(), cves: new Set() })
  const add = (g: Group, r: (typeof rows)[number]) => {
    g.products.add(r.product_id)
    g.versions.add(r.product_version_id)
    if (r.kev_cve) g.cves.add(r.kev_cve)
  }
  const counts = (g: Group) => ({
    products: g.products.size,
    versions: g.versions.size,
    cves: g.cves.size,
  })
  const totals = group()
  const byOrg = new Map<string, { name: string; g: Group }>()
  const byClass = new Map<string, Group>()
  let overdue = 0
  for (const r of rows) {
    add(totals, r)
    const org = byOrg.get(r.organisation_id) ?? { name: r.organisation_name, g: group() }
    add(org.g, r)
    byOrg.set(r.organisation_id, org)
    const cls = byClass.get(r.device_class) ?? group()
    add(cls, r)
    byClass.set(r.device_class, cls)
    if (r.kev_due_date && r.kev_due_date < today) overdue += 1
  }
  return {
    totals: counts(totals),
    byManufacturer: [...byOrg]
      .map(([organisationId, o]) => ({ organisationId, name: o.name, ...counts(o.g) }))
      .sort((a, b) => b.products - a.products || a.name.localeCompare(b.name)),
    byDeviceClass: [...byClass]
      .map(([deviceClass, g]) => ({ deviceClass, ...counts(g) }))
      .sort((a, b) => b.products - a.products || a.deviceClass.localeCompare(b.deviceClass)),
    overdue,
  }
}
