import path from 'node:path'
import type {
  Triage,
  TriageInput,
  VexDocument,
  VexFinding,
  VexFindingList,
  VexPublication,
  VexUploadResult,
} from '../../../common/api/vex.ts'
import { AppError } from '../../../common/errors.ts'
import { lockKeyForTransaction } from '../../db/dialect.ts'
import type { Database } from '../../db/schema.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import { sha256Hex } from '../advisories/json-input.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { enqueueLabelPolicy } from '../label-policy/label-policy.jobs.ts'
import {
  findTriageFinding,
  listTriageFindingsOfVersion,
  setFindingTriage,
  type TriageFindingRow,
  type TriageValues,
} from '../findings/findings.triage.repository.ts'
import { toTriage, VEX_BY } from '../findings/findings.triage.ts'
import { describeSchemaError, schemaValidator } from '../sboms/sbom-schemas.ts'
import { directoryBlobStore, type BlobStore } from '../sboms/sbom-store.ts'
import { currentComponentsOfVersion, type StoredComponent } from '../sboms/sboms.service.ts'
import { checkCsaf } from './csaf-checker.ts'
import { parseVex, type VexStatement, type VexSubject } from './vex-parser.ts'
import {
  buildCsafAdvisory,
  buildCycloneDxVex,
  PRODUCT_KEY,
  type PublishedFinding,
  type PublishSubject,
} from './vex-publish.ts'
import { csafLabelOf, type TriageState } from './vex-vocabulary.ts'
import * as repo from './vex.repository.ts'
import type { NewVexStatementRow, VexDocumentRow, VexPublicationRow } from './vex.table.ts'

type Who = { actor: Actor; meta?: RequestMeta }
type Db = Ctx['db']

/** Uploaded VEX files, by SHA-256, under `<DATA_DIR>/vex`. */
export function vexStore(dataDir: string): BlobStore {
  return directoryBlobStore(path.join(dataDir, 'vex'))
}

function actorName(actor: Actor): { type: string; id: string | null; name: string | null } {
  switch (actor.type) {
    case 'user':
      return { type: 'user', id: actor.userId, name: actor.email }
    case 'api_token':
      return { type: 'api_token', id: actor.tokenId, name: actor.name }
    case 'system':
      return { type: 'system', id: null, name: actor.name }
    case 'anonymous':
      return { type: 'anonymous', id: null, name: null }
  }
}

async function requireVersion(db: Db, organisationId: string, versionId: string) {
  const version = await repo.findVersionOfOrganisation(db, organisationId, versionId)
  if (!version) throw new AppError('not_found', 'No such product version')
  return version
}

// ---- matching statements to findings

function parseList(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
  } catch {
    return []
  }
}

/** A purl without its version (`@…` before qualifiers and subpath). */
const versionless = (purl: string) => purl.replace(/@[^?#]*/, '')

interface StatementForMatch {
  componentKey: string | null
  purl: string | null
  ids: Set<string>
}

function statementMatches(s: StatementForMatch, f: TriageFindingRow): boolean {
  const ids = [f.advisory_id, ...parseList(f.cves)].map((x) => x.toUpperCase())
  if (!ids.some((id) => s.ids.has(id))) return false
  if (s.componentKey === PRODUCT_KEY) return true
  if (s.componentKey !== null && s.componentKey === f.component_key) return true
  if (s.purl && f.component_purl) {
    const exact = s.purl === f.component_purl
    const anyVersion = !s.purl.includes('@') && versionless(f.component_purl) === s.purl
    if (exact || anyVersion) return true
  }
  return false
}

function triageOfStatement(row: {
  state: string
  justification: string | null
  responses: string
  detail: string | null
  fixed_version: string | null
}): Pick<
  TriageValues,
  'triage_state' | 'triage_justification' | 'triage_detail' | 'triage_fixed_version'
> {
  const state = row.state as TriageState
  return {
    triage_state: state,
    // For affected findings the column holds the response (remediation category).
    triage_justification:
      state === 'not_affected'
        ? row.justification
        : state === 'affected'
          ? (parseList(row.responses)[0] ?? null)
          : null,
    triage_detail: row.detail,
    triage_fixed_version: row.fixed_version,
  }
}

/**
 * Applies a version's stored VEX statements to its findings. With `onlyUntriaged`, findings that
 * already have a triage (manual or from VEX) are left alone: this is how statements reach
 * findings that appear after the upload. Returns the number of findings changed.
 */
async function applyStatements(
  db: Db,
  versionId: string,
  at: string,
  options: { onlyUntriaged: boolean; documentId?: string },
): Promise<number> {
  const statements = (await repo.listStatementsOfVersion(db, versionId)).filter(
    (s) => !options.documentId || s.document_id === options.documentId,
  )
  if (statements.length === 0) return 0
  const findings = await listTriageFindingsOfVersion(db, versionId)
  let changed = 0
  for (const finding of findings) {
    if (options.onlyUntriaged && finding.triage_state !== null) continue
    let winner: (typeof statements)[number] | undefined
    for (const s of statements) {
      const match = statementMatches(
        {
          componentKey: s.component_key,
          purl: s.purl,
          ids: new Set([s.vulnerability_id, ...parseList(s.aliases)].map((x) => x.toUpperCase())),
        },
        finding,
      )
      if (match) winner = s
    }
    if (!winner) continue
    const values: TriageValues = {
      ...triageOfStatement(winner),
      triaged_by: `${VEX_BY}${winner.document_id}`,
      triaged_at: at,
    }
    const same =
      finding.triage_state === values.triage_state &&
      finding.triage_justification === values.triage_justification &&
      finding.triage_detail === values.triage_detail &&
      finding.triage_fixed_version === values.triage_fixed_version &&
      finding.triaged_by === values.triaged_by
    if (same) continue
    await setFindingTriage(db, [finding.id], values)
    changed++
  }
  return changed
}

/**
 * Applies stored VEX statements to a version's findings that have no triage yet (findings that
 * appeared after the VEX upload). Idempotent; called before findings are listed or published.
 */
export async function applyVexToNewFindings(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  versionId: string,
): Promise<number> {
  return applyStatements(ctx.db, versionId, ctx.clock.now().toISOString(), {
    onlyUntriaged: true,
  })
}

/**
 * {@link applyVexToNewFindings} for many versions (those an evaluation job gave new findings):
 * one lookup finds the few with VEX statements, and only those are read. Returns the number of
 * findings changed.
 */
export async function applyVexToNewFindingsOfVersions(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  versionIds: readonly string[],
): Promise<number> {
  let changed = 0
  for (const versionId of await repo.listVersionIdsWithStatements(ctx.db, versionIds)) {
    changed += await applyVexToNewFindings(ctx, versionId)
  }
  return changed
}

// ---- upload

function resolveSubject(
  subject: VexSubject,
  components: StoredComponent[],
  version: repo.VersionInfo,
): string[] {
  const keys = new Set<string>()
  const lower = (s: string | null | undefined) => s?.trim().toLowerCase() ?? ''
  if (subject.isProduct) keys.add(PRODUCT_KEY)
  if (
    subject.name &&
    lower(subject.name) === lower(version.product_name) &&
    (!subject.version || lower(subject.version) === lower(version.version))
  ) {
    keys.add(PRODUCT_KEY)
  }
  for (const c of components) {
    if (c.isRoot && subject.isProduct) keys.add(c.key)
    if (subject.ref && (c.key === subject.ref || c.mergedKeys.includes(subject.ref))) {
      keys.add(c.key)
    } else if (subject.purl && c.purl) {
      if (
        c.purl === subject.purl ||
        (!subject.purl.includes('@') && versionless(c.purl) === subject.purl)
      ) {
        keys.add(c.key)
      }
    } else if (
      subject.name &&
      lower(c.name) === lower(subject.name) &&
      (subject.version ? lower(c.version) === lower(subject.version) : true) &&
      !subject.ref
    ) {
      keys.add(c.key)
    }
  }
  return [...keys]
}

function toDocument(row: VexDocumentRow): VexDocument {
  return {
    id: row.id,
    productVersionId: row.product_version_id,
    sha256: row.sha256,
    byteLength: Number(row.byte_length),
    fileName: row.file_name,
    format: row.format,
    specVersion: row.spec_version,
    documentRef: row.document_ref,
    statementCount: Number(row.statement_count),
    unresolvedCount: Number(row.unresolved_count),
    uploadedBy: row.uploaded_by_name,
    uploadedAt: row.uploaded_at,
  }
}

/**
 * Stores a CycloneDX or CSAF VEX document for a product version (validated against the official
 * schema; the file kept by SHA-256) and applies its statements to the version's findings in one
 * transaction: not_affected with a justification suppresses, affected sets the response, fixed
 * the version. The newest upload wins over earlier triage. Audited as `vex.uploaded`.
 * @throws validation_failed / payload_too_large (the file, checked first), not_found
 */
export async function uploadVex(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config'>,
  who: Who,
  organisationId: string,
  versionId: string,
  upload: { bytes: Buffer; fileName?: string },
): Promise<VexUploadResult> {
  const parsed = parseVex(upload.bytes)
  const version = await requireVersion(ctx.db, organisationId, versionId)
  const components = await currentComponentsOfVersion(ctx, versionId)
  const store = vexStore(ctx.config.dataDir)
  const label = `${version.product_name} ${version.version}`
  return ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, `vex:${versionId}`)
    await store.put(parsed.sha256, upload.bytes)
    const existing = await repo.findDocumentBySha256(trx, versionId, parsed.sha256)
    if (existing) {
      return {
        document: toDocument(existing),
        created: false,
        applied: 0,
        unresolved: [],
        notes: [],
        message: `This VEX document was already stored for ${label}; nothing changed.`,
      }
    }
    const now = ctx.clock.now().toISOString()
    const documentId = newId()
    const rows: NewVexStatementRow[] = []
    const unresolved: VexUploadResult['unresolved'] = []
    parsed.statements.forEach((s: VexStatement, ordinal) => {
      const keys = resolveSubject(s.subject, components, version)
      if (keys.length === 0 && !s.subject.purl) {
        unresolved.push({
          subject: s.subject.label,
          vulnerabilityId: s.vulnerabilityId,
          pointer: s.pointer,
        })
      }
      for (const key of keys.length > 0 ? keys : [null]) {
        rows.push({
          document_id: documentId,
          product_version_id: versionId,
          component_key: key,
          purl: s.subject.purl ?? null,
          subject: s.subject.label.slice(0, 1000),
          vulnerability_id: s.vulnerabilityId.slice(0, 200),
          aliases: JSON.stringify(s.aliases.slice(0, 50)),
          state: s.state,
          justification: s.justification,
          responses: JSON.stringify(s.responses),
          detail: s.detail?.slice(0, 4000) ?? null,
          fixed_version: s.fixedVersion?.slice(0, 200) ?? null,
          ordinal,
        })
      }
    })
    const who_ = actorName(who.actor)
    const row: VexDocumentRow = {
      id: documentId,
      organisation_id: organisationId,
      product_id: version.product_id,
      product_version_id: versionId,
      sha256: parsed.sha256,
      byte_length: parsed.byteLength,
      file_name: upload.fileName?.trim().slice(0, 200) || null,
      format: parsed.format,
      spec_version: parsed.specVersion,
      document_ref: parsed.documentRef?.slice(0, 500) ?? null,
      statement_count: parsed.statements.length,
      unresolved_count: unresolved.length,
      uploaded_by_type: who_.type,
      uploaded_by_id: who_.id,
      uploaded_by_name: who_.name,
      uploaded_at: now,
    }
    await repo.insertDocument(trx, row)
    await repo.insertStatements(trx, rows)
    const applied = await applyStatements(trx, versionId, now, {
      onlyUntriaged: false,
      documentId,
    })
    // The label policy follows the triage at once, not on its hourly pass (docs/labels.md).
    if (applied > 0) await enqueueLabelPolicy(trx, ctx.clock, [versionId])
    await recordAudit(trx, ctx.clock, who, {
      action: 'vex.uploaded',
      organisationId,
      targetType: 'vex_document',
      targetId: documentId,
      details: {
        productId: version.product_id,
        productVersionId: versionId,
        sha256: parsed.sha256,
        format: `${parsed.format} ${parsed.specVersion}`,
        statements: parsed.statements.length,
        unresolved: unresolved.length,
        applied,
      },
    })
    return {
      document: toDocument(row),
      created: true,
      applied,
      unresolved: unresolved.slice(0, 200),
      notes: parsed.notes,
      message: `Stored ${parsed.format === 'csaf' ? 'CSAF' : 'CycloneDX'} VEX with ${parsed.statements.length} statements for ${label}; ${applied} findings updated.`,
    }
  })
}

/** A version's uploaded VEX documents, newest first. @throws not_found */
export async function listVexDocuments(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  versionId: string,
): Promise<VexDocument[]> {
  await requireVersion(ctx.db, organisationId, versionId)
  return (await repo.listDocuments(ctx.db, versionId)).map(toDocument)
}

// ---- findings with triage

const isSuppressed = (row: TriageFindingRow) =>
  row.triage_state === 'not_affected' && row.triage_justification !== null

function toVexFinding(row: TriageFindingRow): VexFinding {
  return {
    id: row.id,
    component: {
      key: row.component_key,
      name: row.component_name,
      version: row.component_version,
      purl: row.component_purl,
    },
    advisoryId: row.advisory_id,
    cves: parseList(row.cves),
    status: row.status,
    severity: row.severity,
    cvssScore: row.cvss_score === null ? null : Number(row.cvss_score),
    kev: Number(row.kev) === 1,
    fixedVersion: row.fixed_version,
    resolvedAt: row.resolved_at,
    suppressed: isSuppressed(row),
    triage: toTriage(row),
  }
}

/**
 * A version's unresolved findings with their triage (suppressed ones included and marked).
 * Stored VEX statements are applied first to findings that have none.
 * @throws not_found
 */
export async function listTriagedFindings(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  organisationId: string,
  versionId: string,
): Promise<VexFindingList> {
  await requireVersion(ctx.db, organisationId, versionId)
  await ctx.db.transaction().execute((trx) => applyVexToNewFindings({ ...ctx, db: trx }, versionId))
  const rows = (await listTriageFindingsOfVersion(ctx.db, versionId)).filter(
    (r) => r.resolved_at === null,
  )
  const suppressed = rows.filter(isSuppressed).length
  return { items: rows.map(toVexFinding), open: rows.length - suppressed, suppressed }
}

/**
 * Sets (or with `state` null clears) a finding's triage. not_affected needs a justification
 * (CycloneDX or CSAF set), fixed a version. Audited as `finding.triaged` with before and after.
 * @throws validation_failed, not_found
 */
export async function setTriage(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  versionId: string,
  findingId: string,
  input: TriageInput,
): Promise<VexFinding> {
  const problems: { pointer: string; message: string }[] = []
  if (input.state === 'not_affected' && !input.justification) {
    problems.push({ pointer: '/justification', message: 'required when the state is not_affected' })
  }
  if (input.justification && !csafLabelOf(input.justification)) {
    problems.push({ pointer: '/justification', message: 'not a VEX justification' })
  }
  if (input.justification && input.state !== 'not_affected') {
    problems.push({ pointer: '/justification', message: 'only for the state not_affected' })
  }
  if (input.response && input.state !== 'affected') {
    problems.push({ pointer: '/response', message: 'only for the state affected' })
  }
  if (input.state === 'fixed' && !input.fixedVersion?.trim()) {
    problems.push({ pointer: '/fixedVersion', message: 'required when the state is fixed' })
  }
  if (problems.length > 0) {
    throw new AppError(
      'validation_failed',
      `The triage is incomplete: ${problems[0]?.pointer} ${problems[0]?.message}`,
      {
        details: { problems },
      },
    )
  }
  await requireVersion(ctx.db, organisationId, versionId)
  return ctx.db.transaction().execute(async (trx) => {
    const before = await findTriageFinding(trx, versionId, findingId)
    if (!before) throw new AppError('not_found', 'No such finding')
    const now = ctx.clock.now().toISOString()
    const actor = actorName(who.actor)
    const values: TriageValues = {
      triage_state: input.state,
      triage_justification:
        input.state === 'not_affected'
          ? (input.justification ?? null)
          : input.state === 'affected'
            ? (input.response ?? null)
            : null,
      triage_detail: input.detail?.trim() || null,
      triage_fixed_version: input.state === 'fixed' ? (input.fixedVersion?.trim() ?? null) : null,
      triaged_by: actor.name ?? actor.type,
      triaged_at: now,
    }
    await setFindingTriage(trx, [findingId], values)
    // The label policy follows the triage at once, not on its hourly pass (docs/labels.md).
    await enqueueLabelPolicy(trx, ctx.clock, [versionId])
    await recordAudit(trx, ctx.clock, who, {
      action: 'finding.triaged',
      organisationId,
      targetType: 'finding',
      targetId: findingId,
      details: {
        productVersionId: versionId,
        advisoryId: before.advisory_id,
        component: before.component_key,
        before: toTriage(before),
        after: {
          state: values.triage_state,
          justification: values.triage_justification,
          detail: values.triage_detail,
          fixedVersion: values.triage_fixed_version,
        },
      },
    })
    return toVexFinding({ ...before, ...values })
  })
}

// ---- publishing

function toPublication(row: Omit<VexPublicationRow, 'content'>): VexPublication {
  return {
    id: row.id,
    productId: row.product_id,
    productVersionId: row.product_version_id,
    kind: row.kind,
    version: Number(row.version),
    trackingId: row.tracking_id,
    sha256: row.sha256,
    statementCount: Number(row.statement_count),
    publishedBy: row.published_by_name,
    publishedAt: row.published_at,
  }
}

function publishedFinding(row: TriageFindingRow): PublishedFinding {
  const triage = toTriage(row) as Triage
  return {
    componentKey: row.component_key,
    componentName: row.component_name,
    componentVersion: row.component_version,
    componentPurl: row.component_purl,
    advisoryId: row.advisory_id,
    cves: parseList(row.cves),
    state: triage.state,
    justification: triage.justification,
    response: triage.response,
    detail: triage.detail,
    fixedVersion: triage.fixedVersion,
    triagedAt: triage.at,
  }
}

/**
 * Publishes the version's triaged, unresolved findings as a CycloneDX 1.6 VEX or a CSAF 2.0
 * advisory (csaf_vex). The document is checked first — CycloneDX against its schema; CSAF
 * against its schema and every mandatory test of section 6.1 — and refused with the test and
 * pointer of each problem. Versioned per version and kind, kept as issued, audited as
 * `vex.published`.
 * @throws validation_failed (nothing triaged, or the checks fail), not_found
 */
export async function publishVex(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config'>,
  who: Who,
  organisationId: string,
  versionId: string,
  input: { kind: 'cyclonedx' | 'csaf'; summary?: string },
): Promise<VexPublication> {
  const version = await requireVersion(ctx.db, organisationId, versionId)
  return ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, `vex-publish:${versionId}`)
    await applyVexToNewFindings({ ...ctx, db: trx }, versionId)
    const findings = (await listTriageFindingsOfVersion(trx, versionId))
      .filter((r) => r.resolved_at === null && r.triage_state !== null)
      .map(publishedFinding)
    if (findings.length === 0) {
      throw new AppError(
        'validation_failed',
        'Nothing to publish: no finding of this version is triaged yet',
        {
          details: { problems: [{ pointer: '', message: 'no triaged findings' }] },
        },
      )
    }
    const nextVersion = (await repo.maxPublicationVersion(trx, versionId, input.kind)) + 1
    const now = ctx.clock.now().toISOString()
    const subject: PublishSubject = {
      organisationName: version.organisation_name,
      publisherNamespace:
        version.organisation_website ?? `${ctx.config.publicUrl.replace(/\/$/, '')}/`,
      productName: version.product_name,
      productVersion: version.version,
      productVersionId: versionId,
    }
    const trackingId = `ISN-VEX-${versionId}`
    let document: Record<string, unknown>
    if (input.kind === 'cyclonedx') {
      document = buildCycloneDxVex(subject, findings, {
        serialNumber: `urn:uuid:${versionId}`,
        version: nextVersion,
        timestamp: now,
      })
      const validate = schemaValidator('cyclonedx', '1.6')
      if (!validate(document)) {
        const problems = (validate.errors ?? []).map(describeSchemaError)
        throw new AppError('validation_failed', 'The CycloneDX VEX does not pass its schema', {
          details: { problems: problems.map((p) => ({ test: 'schema', ...p })) },
        })
      }
    } else {
      const history = (await repo.listPublications(trx, versionId, 'csaf'))
        .sort((a, b) => Number(a.version) - Number(b.version))
        .map((p) => ({
          number: String(p.version),
          date: p.published_at,
          summary: Number(p.version) === 1 ? 'Initial version.' : 'Updated status.',
        }))
      document = buildCsafAdvisory(subject, findings, {
        trackingId,
        version: nextVersion,
        now,
        summary:
          input.summary?.trim() || (nextVersion === 1 ? 'Initial version.' : 'Updated status.'),
        history,
      })
      const problems = await checkCsaf(document)
      if (problems.length > 0) {
        throw new AppError(
          'validation_failed',
          `The CSAF advisory fails ${problems[0]?.test} at ${problems[0]?.pointer || '/'}: ${problems[0]?.message}`,
          { details: { problems } },
        )
      }
    }
    const content = JSON.stringify(document, null, 2)
    const actor = actorName(who.actor)
    const row: VexPublicationRow = {
      id: newId(),
      organisation_id: organisationId,
      product_id: version.product_id,
      product_version_id: versionId,
      kind: input.kind,
      version: nextVersion,
      tracking_id: trackingId,
      content,
      sha256: sha256Hex(content),
      statement_count: findings.length,
      published_by_type: actor.type,
      published_by_id: actor.id,
      published_by_name: actor.name,
      published_at: now,
    }
    await repo.insertPublication(trx, row)
    await recordAudit(trx, ctx.clock, who, {
      action: 'vex.published',
      organisationId,
      targetType: 'vex_publication',
      targetId: row.id,
      details: {
        productId: version.product_id,
        productVersionId: versionId,
        kind: input.kind,
        version: nextVersion,
        trackingId,
        sha256: row.sha256,
        findings: findings.length,
      },
    })
    return toPublication(row)
  })
}

/** A version's publications, per kind newest first. @throws not_found */
export async function listVexPublications(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  versionId: string,
): Promise<VexPublication[]> {
  await requireVersion(ctx.db, organisationId, versionId)
  return (await repo.listPublications(ctx.db, versionId)).map(toPublication)
}

export const VEX_MEDIA_TYPES = {
  cyclonedx: 'application/vnd.cyclonedx+json',
  csaf: 'application/json',
} as const

function fileOf(row: VexPublicationRow) {
  const ext = row.kind === 'csaf' ? 'csaf.json' : 'cdx.json'
  return {
    content: row.content,
    mediaType: VEX_MEDIA_TYPES[row.kind],
    fileName: `${row.tracking_id.toLowerCase()}-v${Number(row.version)}.${ext}`,
  }
}

/** One published document as issued. @throws not_found */
export async function getVexPublicationFile(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  versionId: string,
  publicationId: string,
) {
  await requireVersion(ctx.db, organisationId, versionId)
  const row = await repo.findPublication(ctx.db, versionId, publicationId)
  if (!row) throw new AppError('not_found', 'No such publication')
  return fileOf(row)
}

/** The product's published documents, for anyone (they are published). */
export async function listPublicAdvisories(ctx: Pick<Ctx, 'db'>, productId: string) {
  return (await repo.listPublicationsOfProduct(ctx.db, productId)).map((r) => ({
    id: r.id,
    kind: r.kind,
    productVersion: r.version_name,
    version: Number(r.version),
    trackingId: r.tracking_id,
    publishedAt: r.published_at,
  }))
}

/** One published document of a product, for anyone. @throws not_found */
export async function getPublicAdvisoryFile(
  ctx: Pick<Ctx, 'db'>,
  productId: string,
  publicationId: string,
) {
  const row = await repo.findPublicationOfProduct(ctx.db, productId, publicationId)
  if (!row) throw new AppError('not_found', 'No such advisory')
  return fileOf(row)
}
