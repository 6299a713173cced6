import type {
  Finding,
  FindingPage,
  FindingQuery,
  KevExposure,
} from '../../../common/api/findings.ts'
import { AppError } from '../../../common/errors.ts'
import { lockKeyForTransaction, lockKeysForTransaction } from '../../db/dialect.ts'
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
import { recordAuditEntries, type AuditEvent } from '../audit/audit.service.ts'
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
import { toTriage } from './findings.triage.ts'
import type { Updateable } from 'kysely'
import type { FindingRow, FindingTable, NewFindingRow } from './findings.table.ts'
import { chunksOf } from '../../db/chunks.ts'

type Db = Ctx['db']
type EvalCtx = Pick<Ctx, 'db' | 'clock'>

/** The name of the durable cursor over the advisories change set. */
export const ADVISORY_CURSOR = 'advisories'
/** Change-set entries read per page by {@link reevaluateForAdvisoryChanges}. */
const CHANGE_PAGE = 1000
/** Product versions synced per transaction by the re-evaluation. */
const VERSIONS_PER_TRANSACTION = 1000
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
    triage: toTriage(row),
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

// ---- syncing versions' findings

interface SyncInput {
  subject: repo.VersionSubjectRow
  components: EngineComponent[]
  produced: EngineFinding[]
  sbomId: string | null
  candidates: number
}

interface SyncOptions {
  /** undefined: every finding of the versions is in scope; otherwise only these advisories'. */
  advisoryIds?: readonly string[]
  trigger: string
  startedAt: number
}

/** What one version's sync writes, worked out before anything is written. */
interface SyncPlan {
  input: SyncInput
  existing: FindingRow[]
  inserts: NewFindingRow[]
  updates: { id: string; set: Updateable<FindingTable> }[]
  /** CVE rows to write; `fresh`: a finding inserted now, which has none to replace. */
  cveRows: { findingId: string; cves: string[]; fresh: boolean }[]
  untouched: string[]
  gone: string[]
  kevOpened: number
}

function planSync(input: SyncInput, existing: FindingRow[], now: string): SyncPlan {
  const versionId = input.subject.product_version_id
  const byKey = new Map(existing.map((r) => [`${r.component_key}\0${r.advisory_id}`, r]))
  const components = new Map(input.components.map((c) => [c.key, c]))
  const plan: SyncPlan = {
    input,
    existing,
    inserts: [],
    updates: [],
    cveRows: [],
    untouched: [],
    gone: [],
    kevOpened: 0,
  }
  const seen = new Set<string>()
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
      plan.inserts.push({
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
      plan.cveRows.push({ findingId: id, cves: f.cves, fresh: true })
      if (f.kev && f.status === 'affected') plan.kevOpened += 1
    } else if (row.resolved_at !== null || !sameMatch(row, columns)) {
      plan.updates.push({
        id: row.id,
        set: { ...columns, changed_at: now, last_evaluated_at: now, resolved_at: null },
      })
      plan.cveRows.push({ findingId: row.id, cves: f.cves, fresh: false })
      if (f.kev && f.status === 'affected' && (row.resolved_at !== null || Number(row.kev) !== 1)) {
        plan.kevOpened += 1
      }
    } else {
      plan.untouched.push(row.id)
    }
  }
  plan.gone = existing
    .filter((r) => r.resolved_at === null && !seen.has(`${r.component_key}\0${r.advisory_id}`))
    .map((r) => r.id)
  return plan
}

/**
 * For each version: upserts the produced findings, resolves its in-scope findings that were not
 * produced, reopens resolved ones that came back, and records the evaluation (and an audit entry
 * when something opened, changed or resolved). Triage columns are left as they are. The reads and
 * writes of all the versions are batched (a few statements for the lot, not a few per version);
 * call it in one transaction holding the versions' locks.
 */
async function syncVersions(
  trx: Db,
  ctx: EvalCtx,
  inputs: readonly SyncInput[],
  options: SyncOptions,
): Promise<EvaluationSummary[]> {
  if (inputs.length === 0) return []
  const now = ctx.clock.now().toISOString()
  const versionIds = inputs.map((i) => i.subject.product_version_id)
  const existingByVersion = new Map<string, FindingRow[]>()
  for (const row of await repo.listFindingsOfVersions(trx, versionIds, options.advisoryIds)) {
    const list = existingByVersion.get(row.product_version_id) ?? []
    list.push(row)
    existingByVersion.set(row.product_version_id, list)
  }
  const plans = inputs.map((input) =>
    planSync(input, existingByVersion.get(input.subject.product_version_id) ?? [], now),
  )
  await repo.insertFindings(
    trx,
    plans.flatMap((p) => p.inserts),
  )
  for (const p of plans) for (const u of p.updates) await repo.updateFinding(trx, u.id, u.set)
  await repo.replaceFindingCves(
    trx,
    plans.flatMap((p) => p.cveRows),
  )
  await repo.touchFindings(
    trx,
    plans.flatMap((p) => p.untouched),
    now,
  )
  await repo.resolveFindings(
    trx,
    plans.flatMap((p) => p.gone),
    now,
  )
  const open = await repo.countOpenFindingsByVersion(trx, versionIds)
  // A batch's time is shared out evenly among its versions.
  const durationMs =
    Math.round(((performance.now() - options.startedAt) / inputs.length) * 100) / 100
  const summaries = plans.map((p): EvaluationSummary => ({
    productVersionId: p.input.subject.product_version_id,
    components: p.input.components.length,
    candidates: p.input.candidates,
    created: p.inserts.length,
    changed: p.updates.length,
    resolved: p.gone.length,
    unchanged: p.untouched.length,
    open: open.get(p.input.subject.product_version_id) ?? 0,
  }))
  await repo.insertEvaluations(
    trx,
    plans.map((p, i) => {
      const summary = summaries[i]!
      return {
        product_version_id: summary.productVersionId,
        sbom_id: p.input.sbomId,
        trigger: options.trigger,
        scope: options.advisoryIds ? JSON.stringify(options.advisoryIds.slice(0, 100)) : 'all',
        components: summary.components,
        candidates: summary.candidates,
        created: summary.created,
        changed: summary.changed,
        resolved: summary.resolved,
        unchanged: summary.unchanged,
        open_total: summary.open,
        duration_ms: durationMs,
        evaluated_at: now,
      }
    }),
  )
  // One audit entry per version where something opened, changed or resolved, appended together.
  const audits: AuditEvent[] = []
  for (const [i, p] of plans.entries()) {
    const summary = summaries[i]!
    if (summary.created + summary.changed + summary.resolved === 0) continue
    const gone = new Set(p.gone)
    audits.push({
      action: 'findings.evaluated',
      organisationId: p.input.subject.organisation_id,
      targetType: 'product_version',
      targetId: summary.productVersionId,
      details: {
        trigger: options.trigger,
        created: summary.created,
        changed: summary.changed,
        resolved: summary.resolved,
        open: summary.open,
        kevOpened: p.kevOpened,
        advisories: [
          ...new Set([
            ...p.inserts.map((r) => r.advisory_id),
            ...p.existing.filter((r) => gone.has(r.id)).map((r) => r.advisory_id),
          ]),
        ].slice(0, 20),
      },
    })
  }
  await recordAuditEntries(trx, ctx.clock, WHO, audits)
  return summaries
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
    const [summary] = await syncVersions(
      trx,
      ctx,
      [
        {
          subject,
          components,
          produced,
          sbomId: stored?.[0]?.sbomId ?? null,
          candidates: candidates.osv.length + candidates.csaf.length,
        },
      ],
      { trigger: options.trigger ?? 'manual', startedAt },
    )
    await repo.replaceVendorKeys(trx, productVersionId, candidateKeys(components).vendors)
    return summary!
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
): Promise<{
  hits: Map<string, MatchableComponent[]>
  whole: Set<string>
  withFindings: Set<string>
}> {
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
  // Versions with findings of these advisories: those the keys no longer reach are resolved.
  const withFindings = new Set(
    await repo.listVersionIdsWithAdvisories(
      db,
      keys.map((k) => k.advisoryId),
    ),
  )
  // Versions to evaluate whole (all components and the product): those whose manufacturer or
  // component suppliers share a canonical vendor with a CSAF leaf (the vendor/product path can
  // match any of them).
  const whole = new Set<string>()
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
  return { hits, whole, withFindings }
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
 * The versions a change reaches are synced `versionsPerTransaction` (default 1000) per
 * transaction, with a few statements per batch.
 */
export async function reevaluateForAdvisoryChanges(
  ctx: EvalCtx,
  sinceSeq?: number,
  options: { versionsPerTransaction?: number } = {},
): Promise<ReevaluationSummary> {
  const perTransaction = options.versionsPerTransaction ?? VERSIONS_PER_TRANSACTION
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
    summary.versions.push(...(await reevaluateAdvisories(ctx, pks, perTransaction)))
    summary.advisories += pks.length
    const kevKeys = await advisoryMatchKeys(ctx, kevPks)
    const cves = kevKeys.flatMap((k) => (k.kevCve ? [k.kevCve] : []))
    summary.kevCves += cves.length
    summary.versions.push(...(await refreshKev(ctx, cves, perTransaction)))
    cursor = nextSeq
    const stored = (await repo.findCursor(ctx.db, ADVISORY_CURSOR)) ?? 0
    if (cursor > stored) {
      await repo.saveCursor(ctx.db, ADVISORY_CURSOR, cursor, ctx.clock.now().toISOString())
    }
  }
  summary.toSeq = cursor
  return summary
}

async function reevaluateAdvisories(
  ctx: EvalCtx,
  pks: number[],
  perTransaction: number,
): Promise<EvaluationSummary[]> {
  if (pks.length === 0) return []
  const keys = (await advisoryMatchKeys(ctx, pks)).filter((k) => k.source !== 'kev')
  const advisoryIds = keys.map((k) => k.advisoryId)
  const { hits, whole, withFindings } = await versionsReachedBy(ctx.db, keys)
  const versionIds = [...new Set([...hits.keys(), ...whole, ...withFindings])].sort()
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
  // Versions are synced a batch per transaction, each under its own lock (taken in id order), with
  // a few statements per batch: one commit per batch rather than per version.
  for (const batch of chunksOf(versionIds, perTransaction)) {
    const startedAt = performance.now()
    const summaries = await ctx.db.transaction().execute(async (trx) => {
      await lockKeysForTransaction(trx, batch.filter((id) => subjects.has(id)).map(versionLock))
      const inputs: SyncInput[] = []
      for (const versionId of batch) {
        const subject = subjects.get(versionId)
        if (!subject) continue
        // A version a CSAF vendor reaches is evaluated whole (all components and the product);
        // any other only on the components the change's keys reach — those it no longer
        // reaches have their findings of these advisories resolved.
        const stored = whole.has(versionId)
          ? (wholeComponents.get(versionId) ?? [])
          : (hits.get(versionId) ?? [])
        const components = [
          ...(whole.has(versionId) ? [productComponent(subject)] : []),
          ...stored.map(engineComponent),
        ]
        inputs.push({
          subject,
          components,
          produced: matchComponents(components, prepared),
          sbomId: stored[0]?.sbomId ?? null,
          candidates: candidateCount,
        })
      }
      return syncVersions(trx, ctx, inputs, { advisoryIds, trigger: 'advisories', startedAt })
    })
    out.push(...summaries)
  }
  return out
}

/** Re-joins KEV for the open findings naming these CVEs (a KEV entry added, changed or removed). */
async function refreshKev(
  ctx: EvalCtx,
  cves: string[],
  perTransaction: number,
): Promise<EvaluationSummary[]> {
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
  const versionIds = [...byVersion.keys()].sort()
  const out: EvaluationSummary[] = []
  // A batch of versions per transaction, each under its own lock; findings that take the same
  // KEV fields are updated by one statement. A batch where no finding's KEV fields change (its
  // advisories and the KEV entries came in the same import) writes nothing.
  for (const batch of chunksOf(versionIds, perTransaction)) {
    const startedAt = performance.now()
    const updates = new Map<string, { set: KevColumns; ids: string[] }>()
    const summaries: EvaluationSummary[] = []
    for (const versionId of batch) {
      const rows = byVersion.get(versionId) ?? []
      let changed = 0
      for (const row of rows) {
        const entry = kevOf(parseJson<string[]>(row.cves, []), kev)
        const next: KevColumns = {
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
        const key = JSON.stringify(next)
        const group = updates.get(key) ?? { set: next, ids: [] }
        group.ids.push(row.id)
        updates.set(key, group)
        changed += 1
      }
      summaries.push({
        productVersionId: versionId,
        components: 0,
        candidates: 0,
        created: 0,
        changed,
        resolved: 0,
        unchanged: rows.length - changed,
        open: rows.length,
      })
    }
    out.push(...summaries)
    const changedVersions = summaries.filter((s) => s.changed > 0)
    if (changedVersions.length === 0) continue
    await ctx.db.transaction().execute(async (trx) => {
      await lockKeysForTransaction(
        trx,
        changedVersions.map((s) => versionLock(s.productVersionId)),
      )
      const now = ctx.clock.now().toISOString()
      for (const { set, ids } of updates.values()) {
        await repo.updateFindings(trx, ids, { ...set, changed_at: now, last_evaluated_at: now })
      }
      const durationMs = Math.round(((performance.now() - startedAt) / batch.length) * 100) / 100
      await repo.insertEvaluations(
        trx,
        changedVersions.map((s) => ({
          product_version_id: s.productVersionId,
          sbom_id: null,
          trigger: 'kev',
          scope: JSON.stringify(cves.slice(0, 100)),
          components: 0,
          candidates: 0,
          created: 0,
          changed: s.changed,
          resolved: 0,
          unchanged: s.unchanged,
          open_total: s.open,
          duration_ms: durationMs,
          evaluated_at: now,
        })),
      )
      await recordAuditEntries(
        trx,
        ctx.clock,
        WHO,
        changedVersions.map((s) => ({
          action: 'findings.kev_changed',
          organisationId: byVersion.get(s.productVersionId)![0]!.organisation_id,
          targetType: 'product_version',
          targetId: s.productVersionId,
          details: { changed: s.changed, cves: cves.slice(0, 20) },
        })),
      )
    })
  }
  return out
}

type KevColumns = Pick<
  FindingTable,
  'kev' | 'kev_cve' | 'kev_date_added' | 'kev_due_date' | 'kev_ransomware'
>

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
 * findings are past KEV’s due date. Counts only: no finding details leave the manufacturer (the
 * labelled versions among them, public on their product pages, are listed by label-policy).
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
