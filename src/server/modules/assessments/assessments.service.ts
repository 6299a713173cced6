import type {
  Answer,
  AnswerChanges,
  Assessment,
  AssessmentMigration,
  AssessmentSummary,
  ComplyItem,
  ComplyMany,
  CreateAssessmentBody,
  EvidenceFile,
  EvidenceLink,
  GapReport,
  Progress,
} from '../../../common/api/assessments.ts'
import type { AnswerStatus } from '../../../common/assessments.ts'
import { AppError } from '../../../common/errors.ts'
import { FROZEN_REVIEW_STATUSES, type ReviewStatus } from '../../../common/reviews.ts'
import { TIERS, type Tier } from '../../../common/framework.ts'
import type { Db } from '../../db/database.ts'
import { lockKeyForTransaction } from '../../db/dialect.ts'
import type { Database } from '../../db/schema.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { idMapping, type CatalogueItem, type FrameworkIndex } from '../framework/analysis.ts'
import { compareSemver, getFramework } from '../framework/framework.service.ts'
import { getProduct, getProductVersion } from '../products/products.service.ts'
import {
  deleteAnswerRows,
  deleteFileRow,
  deleteFileRows,
  findAnswerRow,
  findAssessment,
  findBlob,
  findFileRow,
  insertAnswerRows,
  insertAssessment,
  insertBlob,
  insertFileRows,
  listAnswerRows,
  listAssessmentRows,
  listFileRows,
  updateAnswerRow,
  updateAssessmentRow,
  type AssessmentFileListRow,
  type AssessmentListRow,
} from './assessments.repository.ts'
import type { AssessmentAnswerRow, AssessmentFileRow, AssessmentRow } from './assessments.table.ts'
import { detectEvidenceType, readBlob, sha256Of, writeBlob } from './evidence-store.ts'

type Who = { actor: Actor; meta?: RequestMeta }

// ---- mapping

const today = (ctx: Pick<Ctx, 'clock'>) => ctx.clock.now().toISOString().slice(0, 10)
const isExpired = (expires: string | null | undefined, day: string) =>
  Boolean(expires && expires < day)

function parseLinks(json: string): EvidenceLink[] {
  const parsed = JSON.parse(json) as unknown
  return Array.isArray(parsed) ? (parsed as EvidenceLink[]) : []
}

function toFile(row: AssessmentFileListRow, day: string): EvidenceFile {
  return {
    id: row.id,
    requirementId: row.requirement_id,
    fileName: row.file_name,
    mediaType: row.media_type,
    size: Number(row.size),
    sha256: row.sha256,
    date: row.evidence_date,
    expires: row.expires_on,
    expired: isExpired(row.expires_on, day),
    createdAt: row.created_at,
  }
}

function emptyAnswer(requirementId: string): Answer {
  return {
    requirementId,
    status: null,
    explanation: null,
    justification: null,
    compensatingMeasures: null,
    links: [],
    files: [],
    carriedOver: null,
    carriedFrom: null,
    revision: 0,
    updatedAt: null,
  }
}

function toAnswer(
  requirementId: string,
  row: AssessmentAnswerRow | undefined,
  files: AssessmentFileListRow[],
  day: string,
): Answer {
  const answer = row
    ? {
        requirementId,
        status: row.status,
        explanation: row.explanation,
        justification: row.justification,
        compensatingMeasures: row.compensating_measures,
        links: parseLinks(row.links).map((link) => ({
          ...link,
          expired: isExpired(link.expires, day),
        })),
        files: [],
        carriedOver: row.carried_over,
        carriedFrom: row.carried_from,
        revision: Number(row.revision),
        updatedAt: row.updated_at,
      }
    : emptyAnswer(requirementId)
  return { ...answer, files: files.map((f) => toFile(f, day)) }
}

/** An answer counts once it has a status and is not waiting for confirmation. */
const isAnswered = (answer: Answer | undefined) =>
  Boolean(answer?.status) && answer?.carriedOver === null

/** Met, or not applicable with a justification, and confirmed. */
const isDone = (answer: Answer | undefined) =>
  isAnswered(answer) &&
  (answer?.status === 'met' || (answer?.status === 'not-applicable' && !!answer.justification))

/** Everything the computed views need about one assessment, loaded once. */
interface Loaded {
  row: AssessmentListRow
  index: FrameworkIndex
  /** The requirement set: the framework's profile for the target tier and device class. */
  profile: ReturnType<FrameworkIndex['profile']>
  answers: Map<string, Answer>
  day: string
}

async function load(ctx: Ctx, organisationId: string, assessmentId: string): Promise<Loaded> {
  const row = await requireAssessment(ctx.db, organisationId, assessmentId)
  const index = await getFramework(ctx, row.framework_version)
  const day = today(ctx)
  const [answerRows, fileRows] = await Promise.all([
    listAnswerRows(ctx.db, assessmentId),
    listFileRows(ctx.db, assessmentId),
  ])
  const rowsById = new Map(answerRows.map((a) => [a.requirement_id, a]))
  const profile = index.profile(row.target_tier, row.device_class)
  const answers = new Map<string, Answer>()
  for (const { requirement } of profile) {
    answers.set(
      requirement.id,
      toAnswer(
        requirement.id,
        rowsById.get(requirement.id),
        fileRows.filter((f) => f.requirement_id === requirement.id),
        day,
      ),
    )
  }
  return { row, index, profile, answers, day }
}

function progressOf({ index, profile, answers }: Loaded): Progress {
  const byCategory = index.document.categories
    .map((category) => {
      const inCategory = profile.filter((p) => p.requirement.category === category.id)
      return {
        category: category.id,
        title: category.title,
        total: inCategory.length,
        answered: inCategory.filter((p) => isAnswered(answers.get(p.requirement.id))).length,
      }
    })
    .filter((c) => c.total > 0)
  return {
    total: profile.length,
    answered: profile.filter((p) => isAnswered(answers.get(p.requirement.id))).length,
    toConfirm: profile.filter((p) => answers.get(p.requirement.id)?.carriedOver != null).length,
    byCategory,
  }
}

function toSummary(loaded: Loaded): AssessmentSummary {
  const { row } = loaded
  return {
    id: row.id,
    organisationId: row.organisation_id,
    productId: row.product_id,
    productName: row.product_name,
    productVersionId: row.product_version_id,
    productVersion: row.product_version,
    frameworkVersion: row.framework_version,
    deviceClass: row.device_class,
    targetTier: Number(row.target_tier) as Tier,
    reusedFrom: row.reused_from,
    migration: row.migration ? (JSON.parse(row.migration) as AssessmentMigration) : null,
    progress: progressOf(loaded),
    reviewStatus: row.review_status,
    labelId: row.label_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function toAssessment(loaded: Loaded): Assessment {
  const { index, profile, answers } = loaded
  const used = new Set(profile.map((p) => p.requirement.category))
  return {
    ...toSummary(loaded),
    categories: index.document.categories
      .filter((c) => used.has(c.id))
      .map((c) => ({ id: c.id, title: c.title })),
    requirements: profile.map(({ requirement, verification }) => ({
      id: requirement.id,
      category: requirement.category,
      title: requirement.title,
      statement: requirement.statement,
      tier: requirement.tier,
      kind: requirement.kind,
      verification,
      evidence: requirement.evidence,
      assessorGuidance: requirement.assessorGuidance,
      answer: answers.get(requirement.id) ?? emptyAnswer(requirement.id),
    })),
  }
}

// ---- rules

interface Issue {
  in: 'body' | 'querystring' | 'headers'
  pointer: string
  message: string
}

function invalid(message: string, issues: Issue[]): AppError {
  return new AppError('validation_failed', message, { details: issues })
}

async function requireAssessment(
  db: Db,
  organisationId: string,
  assessmentId: string,
): Promise<AssessmentListRow> {
  const row = await findAssessment(db, organisationId, assessmentId)
  if (!row) throw new AppError('not_found', 'No such assessment')
  return row
}

function requireInProfile(loaded: Loaded, requirementId: string): void {
  if (!loaded.answers.has(requirementId)) {
    throw new AppError(
      'not_found',
      `${requirementId} is not among the requirements of this assessment (framework ${loaded.row.framework_version}, tier ${loaded.row.target_tier}, ${loaded.row.device_class}).`,
    )
  }
}

/**
 * Refuses changes while the assessment is with its assessor or approved; reads the row in the
 * caller's transaction, after the assessment's lock, so a submission and a save never interleave.
 * @throws conflict
 */
async function assertEditable(db: Db, organisationId: string, assessmentId: string): Promise<void> {
  const row = await requireAssessment(db, organisationId, assessmentId)
  if (row.review_status && FROZEN_REVIEW_STATUSES.includes(row.review_status)) {
    throw new AppError(
      'conflict',
      row.review_status === 'approved'
        ? 'This assessment is approved and its label issued; its answers can no longer change. Start a new assessment to change them.'
        : 'This assessment is with its assessor for review; its answers cannot change until the assessor requests changes or you withdraw it.',
    )
  }
}

/** Sets the review state the reviews module decides (inside its transaction). */
export async function setAssessmentReviewState(
  db: Db,
  assessmentId: string,
  state: { reviewStatus: ReviewStatus; labelId?: string },
  now: string,
): Promise<void> {
  await updateAssessmentRow(db, assessmentId, {
    review_status: state.reviewStatus,
    ...(state.labelId ? { label_id: state.labelId } : {}),
    updated_at: now,
  })
}

/** The assessment's review state, read in the caller's transaction. @throws not_found */
export async function lockAssessmentForReview(
  db: Db,
  organisationId: string,
  assessmentId: string,
): Promise<Pick<AssessmentRow, 'review_status' | 'label_id'>> {
  await lockKeyForTransaction<Database>(db, `assessment:${assessmentId}`)
  return requireAssessment(db, organisationId, assessmentId)
}

function checkLinks(links: readonly EvidenceLink[], prefix: string): void {
  links.forEach((link, i) => {
    if (link.expires && link.expires < link.date) {
      throw invalid('Evidence cannot expire before its date.', [
        { in: 'body', pointer: `${prefix}/${i}/expires`, message: 'must not be before the date' },
      ])
    }
  })
}

// ---- assessments

/** The organisation's assessments, newest first; of one product version when given. */
export async function listAssessments(
  ctx: Ctx,
  organisationId: string,
  productVersionId?: string,
): Promise<AssessmentSummary[]> {
  const rows = await listAssessmentRows(ctx.db, organisationId, productVersionId)
  const summaries: AssessmentSummary[] = []
  for (const row of rows) summaries.push(toSummary(await load(ctx, organisationId, row.id)))
  return summaries
}

/** One assessment with its requirements (from the framework) and answers. @throws not_found */
export async function getAssessment(
  ctx: Ctx,
  organisationId: string,
  assessmentId: string,
): Promise<Assessment> {
  return toAssessment(await load(ctx, organisationId, assessmentId))
}

/**
 * Starts an assessment of a product version against a framework version (the one in service
 * unless named), for the product's device class and a target tier. With `reuseFrom`, the
 * answers, links and files of another of the organisation's assessments are copied in (through
 * the framework's id mapping when its version differs), each marked as carried over until saved.
 * @throws not_found, forbidden (not a manufacturer), conflict (archived product)
 */
export async function createAssessment(
  ctx: Ctx,
  who: Who,
  organisationId: string,
  input: CreateAssessmentBody,
): Promise<Assessment> {
  const index = await getFramework(ctx, input.frameworkVersion)
  const source = input.reuseFrom
    ? await requireAssessment(ctx.db, organisationId, input.reuseFrom).catch(() => {
        throw new AppError('not_found', 'No such assessment to reuse', {
          details: [{ in: 'body', pointer: '/reuseFrom', message: 'is not an assessment here' }],
        })
      })
    : undefined
  const sourceIndex = source ? await getFramework(ctx, source.framework_version) : undefined
  const id = newId()
  await ctx.db.transaction().execute(async (trx) => {
    const product = await getProduct({ db: trx }, organisationId, input.productId)
    if (product.status === 'archived') {
      throw new AppError('conflict', `${product.name} is archived; restore it before assessing it.`)
    }
    const version = await getProductVersion(
      { db: trx },
      organisationId,
      input.productId,
      input.productVersionId,
    )
    const now = ctx.clock.now().toISOString()
    const row: AssessmentRow = {
      id,
      organisation_id: organisationId,
      product_id: product.id,
      product_version_id: version.id,
      framework_version: index.document.version,
      device_class: product.deviceClass,
      target_tier: input.targetTier as Tier,
      reused_from: source?.id ?? null,
      migration: null,
      review_status: null,
      label_id: null,
      created_at: now,
      updated_at: now,
    }
    await insertAssessment(trx, row)
    let carried = 0
    if (source && sourceIndex) {
      const mapping =
        sourceIndex.document.version === index.document.version
          ? undefined
          : idMapping(sourceIndex.document, index.document)
      const targetsOf = (requirementId: string) =>
        mapping ? (mapping[requirementId] ?? []) : [requirementId]
      const answers = await listAnswerRows(trx, source.id)
      const rows = carryAnswers(answers, targetsOf, now, 'reuse', () => source.id)
      await insertAnswerRows(
        trx,
        rows.map((r) => ({ ...r, assessment_id: id })),
      )
      const files = await listFileRows(trx, source.id)
      await insertFileRows(
        trx,
        files.flatMap((f) =>
          targetsOf(f.requirement_id).map((target) => fileCopy(f, id, target, now)),
        ),
      )
      carried = rows.length
    }
    await recordAudit(trx, ctx.clock, who, {
      action: 'assessment.created',
      organisationId,
      targetType: 'assessment',
      targetId: id,
      details: {
        productId: product.id,
        productVersionId: version.id,
        version: version.version,
        frameworkVersion: row.framework_version,
        deviceClass: row.device_class,
        targetTier: row.target_tier,
        ...(source ? { reusedFrom: source.id, carriedOver: carried } : {}),
      },
    })
  })
  return getAssessment(ctx, organisationId, id)
}

function fileCopy(
  file: AssessmentFileRow,
  assessmentId: string,
  requirementId: string,
  now: string,
): AssessmentFileRow {
  return {
    id: newId(),
    assessment_id: assessmentId,
    requirement_id: requirementId,
    sha256: file.sha256,
    file_name: file.file_name,
    evidence_date: file.evidence_date,
    expires_on: file.expires_on,
    created_at: now,
  }
}

/**
 * Answers carried to new requirement ids, marked for confirmation. Where several old answers
 * land on one requirement, the least favourable status wins and all sources are named.
 */
function carryAnswers(
  answers: AssessmentAnswerRow[],
  targetsOf: (requirementId: string) => string[],
  now: string,
  reason: 'reuse' | 'migration',
  sourceOf: (row: AssessmentAnswerRow) => string,
): AssessmentAnswerRow[] {
  const order: (AnswerStatus | null)[] = [null, 'not-met', 'partially-met', 'not-applicable', 'met']
  const result = new Map<string, AssessmentAnswerRow>()
  for (const answer of answers) {
    for (const target of targetsOf(answer.requirement_id)) {
      const previous = result.get(target)
      const carried: AssessmentAnswerRow = {
        ...answer,
        requirement_id: target,
        carried_over: reason,
        carried_from: sourceOf(answer),
        revision: 1,
        updated_at: now,
      }
      if (!previous) {
        result.set(target, carried)
      } else {
        const worse =
          order.indexOf(carried.status) < order.indexOf(previous.status) ? carried : previous
        const sources = new Set([
          ...(previous.carried_from ?? '').split(', '),
          ...(carried.carried_from ?? '').split(', '),
        ])
        result.set(target, { ...worse, carried_from: [...sources].filter(Boolean).join(', ') })
      }
    }
  }
  return [...result.values()]
}

// ---- answers

/**
 * Saves one requirement's answer (only the fields given change) and confirms it if it was
 * carried over. With `revision`, a change based on an older revision than the stored one is
 * refused (optimistic concurrency); without it the last write wins.
 * @throws not_found, conflict (stale revision), validation_failed (not applicable without a
 * justification, evidence expiring before its date)
 */
export async function saveAnswer(
  ctx: Ctx,
  who: Who,
  organisationId: string,
  assessmentId: string,
  requirementId: string,
  changes: AnswerChanges,
  revision?: number,
): Promise<Answer> {
  const loaded = await load(ctx, organisationId, assessmentId)
  requireInProfile(loaded, requirementId)
  if (changes.links) checkLinks(changes.links, '/data/links')
  await ctx.db.transaction().execute(async (trx) => {
    // Two first saves of one answer at once must not both insert it.
    await lockKeyForTransaction<Database>(trx, `assessment:${assessmentId}`)
    await assertEditable(trx, organisationId, assessmentId)
    const existing = await findAnswerRow(trx, assessmentId, requirementId)
    const current = Number(existing?.revision ?? 0)
    if (revision !== undefined && revision !== current) {
      throw new AppError(
        'conflict',
        `The answer to ${requirementId} changed since you loaded it (revision ${current}, yours ${revision}); reload it and save again.`,
        { details: [{ in: 'body', pointer: '/revision', message: `is stale; now ${current}` }] },
      )
    }
    const text = (value: string | null | undefined, before: string | null) =>
      value === undefined ? before : (value?.trim() ?? null)
    const now = ctx.clock.now().toISOString()
    const next: AssessmentAnswerRow = {
      assessment_id: assessmentId,
      requirement_id: requirementId,
      status: changes.status === undefined ? (existing?.status ?? null) : changes.status,
      explanation: text(changes.explanation, existing?.explanation ?? null),
      justification: text(changes.justification, existing?.justification ?? null),
      compensating_measures: text(
        changes.compensatingMeasures,
        existing?.compensating_measures ?? null,
      ),
      links: changes.links ? JSON.stringify(changes.links) : (existing?.links ?? '[]'),
      carried_over: null,
      carried_from: null,
      revision: current + 1,
      updated_at: now,
    }
    if (next.status === 'not-applicable' && !next.justification) {
      throw invalid('A requirement can only be not applicable with a justification.', [
        {
          in: 'body',
          pointer: '/data/justification',
          message: 'is required when the status is not-applicable',
        },
      ])
    }
    if (existing) {
      const { assessment_id: _a, requirement_id: _r, ...columns } = next
      await updateAnswerRow(trx, assessmentId, requirementId, columns)
    } else {
      await insertAnswerRows(trx, [next])
    }
    await updateAssessmentRow(trx, assessmentId, { updated_at: now })
    await recordAudit(trx, ctx.clock, who, {
      action: 'assessment.answer_saved',
      organisationId,
      targetType: 'assessment',
      targetId: assessmentId,
      details: {
        requirementId,
        status: next.status,
        revision: next.revision,
        ...(existing?.carried_over ? { confirmed: existing.carried_over } : {}),
        changes: Object.keys(changes),
      },
    })
  })
  const after = await load(ctx, organisationId, assessmentId)
  return after.answers.get(requirementId) ?? emptyAnswer(requirementId)
}

// ---- evidence files

export interface Upload {
  bytes: Buffer
  fileName: string
  date?: string
  expires?: string
}

/**
 * Attaches an evidence file to one requirement. The size is checked against
 * `EVIDENCE_MAX_BYTES` and the type by content; the bytes are written once per SHA-256 (to a
 * temporary file, then renamed) before the record is committed, so a refused file leaves
 * nothing and an accepted one is never half-written.
 * @throws not_found, payload_too_large, unsupported_file_type, validation_failed, conflict
 * (the same file is already attached to this requirement)
 */
export async function addEvidenceFile(
  ctx: Ctx,
  who: Who,
  organisationId: string,
  assessmentId: string,
  requirementId: string,
  upload: Upload,
): Promise<EvidenceFile> {
  const loaded = await load(ctx, organisationId, assessmentId)
  requireInProfile(loaded, requirementId)
  const { bytes } = upload
  const fileName = upload.fileName.trim()
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (!fileName || fileName.length > 200 || /[/\\\u0000-\u001f]/.test(fileName)) {
    throw invalid('Give the file name (at most 200 characters, no slashes) in x-file-name.', [
      { in: 'headers', pointer: '/x-file-name', message: 'is missing or not a plain file name' },
    ])
  }
  if (bytes.length > ctx.config.evidenceMaxBytes) {
    throw new AppError(
      'payload_too_large',
      `Evidence files may be at most ${ctx.config.evidenceMaxBytes} bytes; this one has ${bytes.length}.`,
    )
  }
  if (bytes.length === 0) {
    throw invalid('The file is empty.', [{ in: 'body', pointer: '', message: 'is empty' }])
  }
  const mediaType = detectEvidenceType(bytes, fileName)
  if (!mediaType) {
    throw new AppError(
      'unsupported_file_type',
      'Evidence files must be PDF, PNG, JPEG, plain text, CSV, JSON or ZIP; the content of this one is none of them.',
    )
  }
  const date = upload.date ?? loaded.day
  if (upload.expires && upload.expires < date) {
    throw invalid('Evidence cannot expire before its date.', [
      { in: 'querystring', pointer: '/expires', message: 'must not be before the date' },
    ])
  }
  const sha256 = sha256Of(bytes)
  await writeBlob(ctx.config.dataDir, sha256, bytes)
  const now = ctx.clock.now().toISOString()
  const row: AssessmentFileRow = {
    id: newId(),
    assessment_id: assessmentId,
    requirement_id: requirementId,
    sha256,
    file_name: fileName,
    evidence_date: date,
    expires_on: upload.expires ?? null,
    created_at: now,
  }
  await ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, `assessment:${assessmentId}`)
    await assertEditable(trx, organisationId, assessmentId)
    await lockKeyForTransaction<Database>(trx, `evidence:${sha256}`)
    if (!(await findBlob(trx, sha256))) {
      await insertBlob(trx, { sha256, size: bytes.length, media_type: mediaType, created_at: now })
    }
    const attached = loaded.answers.get(requirementId)?.files.find((f) => f.sha256 === sha256)
    if (attached) {
      throw new AppError(
        'conflict',
        `This file is already attached to ${requirementId} as ${attached.fileName}.`,
      )
    }
    await insertFileRows(trx, [row])
    await updateAssessmentRow(trx, assessmentId, { updated_at: now })
    await recordAudit(trx, ctx.clock, who, {
      action: 'assessment.file_added',
      organisationId,
      targetType: 'assessment',
      targetId: assessmentId,
      details: { requirementId, fileId: row.id, fileName, sha256, size: bytes.length, mediaType },
    })
  })
  return toFile({ ...row, size: bytes.length, media_type: mediaType }, loaded.day)
}

/** The stored bytes of an evidence file. @throws not_found */
export async function getEvidenceFile(
  ctx: Ctx,
  organisationId: string,
  assessmentId: string,
  fileId: string,
): Promise<{ file: EvidenceFile; bytes: Buffer }> {
  await requireAssessment(ctx.db, organisationId, assessmentId)
  const row = await findFileRow(ctx.db, assessmentId, fileId)
  if (!row) throw new AppError('not_found', 'No such evidence file')
  return { file: toFile(row, today(ctx)), bytes: await readBlob(ctx.config.dataDir, row.sha256) }
}

/**
 * Detaches an evidence file from its requirement. The content stays stored: other answers may
 * use the same bytes.
 * @throws not_found
 */
export async function removeEvidenceFile(
  ctx: Ctx,
  who: Who,
  organisationId: string,
  assessmentId: string,
  fileId: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, `assessment:${assessmentId}`)
    await assertEditable(trx, organisationId, assessmentId)
    const row = await findFileRow(trx, assessmentId, fileId)
    if (!row) throw new AppError('not_found', 'No such evidence file')
    const now = ctx.clock.now().toISOString()
    await deleteFileRow(trx, fileId)
    await updateAssessmentRow(trx, assessmentId, { updated_at: now })
    await recordAudit(trx, ctx.clock, who, {
      action: 'assessment.file_removed',
      organisationId,
      targetType: 'assessment',
      targetId: assessmentId,
      details: { requirementId: row.requirement_id, fileId, fileName: row.file_name },
    })
  })
}

// ---- gap report

/**
 * The tier reached (the highest tier whose requirements for the device class are all met or
 * justified not applicable, and confirmed), what blocks the next tier, and expired evidence.
 * @throws not_found
 */
export async function getGapReport(
  ctx: Ctx,
  organisationId: string,
  assessmentId: string,
): Promise<GapReport> {
  const loaded = await load(ctx, organisationId, assessmentId)
  const { row, index, answers } = loaded
  const target = Number(row.target_tier) as Tier
  let tierReached = 0
  for (const tier of TIERS) {
    if (tier > target) break
    const all = index.profile(tier, row.device_class)
    if (!all.every((p) => isDone(answers.get(p.requirement.id)))) break
    tierReached = tier
  }
  const nextTier = tierReached < 4 ? ((tierReached + 1) as Tier) : null
  /** The requirements of a tier's profile that are not there yet, with the reason. */
  const blockersOf = (tier: Tier): GapReport['blocking'] => {
    const blockers: GapReport['blocking'] = []
    for (const { requirement } of index.profile(tier, row.device_class)) {
      const answer = answers.get(requirement.id)
      if (isDone(answer)) continue
      const reason =
        requirement.tier > target
          ? 'beyond-target'
          : answer?.carriedOver
            ? 'unconfirmed'
            : answer?.status === 'not-met' || answer?.status === 'partially-met'
              ? answer.status
              : 'unanswered'
      blockers.push({
        requirementId: requirement.id,
        title: requirement.title,
        tier: requirement.tier,
        reason,
      })
    }
    return blockers
  }
  const blocking = nextTier ? blockersOf(nextTier) : []
  // Every tier above the one reached, up to the target (or the next tier when that is higher):
  // the requirements that tier adds and that are not there yet.
  const tiers: GapReport['tiers'] = TIERS.filter(
    (tier) => tier > tierReached && tier <= Math.max(target, nextTier ?? 0),
  ).map((tier) => ({ tier, blocking: blockersOf(tier).filter((b) => b.tier === tier) }))
  const expiredEvidence: GapReport['expiredEvidence'] = []
  for (const answer of answers.values()) {
    for (const link of answer.links) {
      if (link.expired && link.expires) {
        expiredEvidence.push({
          requirementId: answer.requirementId,
          kind: 'link',
          title: link.title,
          expires: link.expires,
        })
      }
    }
    for (const file of answer.files) {
      if (file.expired && file.expires) {
        expiredEvidence.push({
          requirementId: answer.requirementId,
          kind: 'file',
          title: file.fileName,
          expires: file.expires,
        })
      }
    }
  }
  return {
    assessmentId,
    frameworkVersion: row.framework_version,
    deviceClass: row.device_class,
    targetTier: target,
    tierReached,
    nextTier,
    blocking,
    tiers,
    expiredEvidence,
    progress: progressOf(loaded),
  }
}

// ---- comply many

/**
 * Which items of every external catalogue the answers satisfy, through the framework's
 * crosswalk, and which scheme levels they reach. An item is satisfied when a requirement that
 * covers it alone (equal or superset) is done, or when every requirement that covers part of it
 * is done; only requirements for the assessment's device class count. A scheme level is reached
 * when every item it selects is satisfied.
 * @throws not_found
 */
export async function getComplyMany(
  ctx: Ctx,
  organisationId: string,
  assessmentId: string,
): Promise<ComplyMany> {
  const loaded = await load(ctx, organisationId, assessmentId)
  const { row, index, answers } = loaded
  const deviceClass = row.device_class
  const cache = new Map<string, ComplyItem>()

  const statusOf = (requirementId: string): ComplyItem['requirements'][number]['status'] => {
    const answer = answers.get(requirementId)
    if (!answer) return 'not-in-profile'
    if (!answer.status) return 'unanswered'
    if (answer.carriedOver) return 'unanswered'
    if (answer.status === 'not-applicable' && !answer.justification) return 'unanswered'
    return answer.status
  }

  const evaluate = (catalogue: string, item: CatalogueItem): ComplyItem => {
    const key = `${catalogue}:${item.id}`
    const known = cache.get(key)
    if (known) return known
    const links = index
      .linksTo(catalogue, item.id)
      .filter((l) => index.requirementsById.get(l.requirement)?.deviceClasses.includes(deviceClass))
    const requirements = links.map((l) => ({
      requirementId: l.requirement,
      relation: l.relation,
      covering: l.covering,
      status: statusOf(l.requirement),
    }))
    const done = (r: (typeof requirements)[number]) => isDone(answers.get(r.requirementId))
    const covering = requirements.filter((r) => r.covering)
    const partial = requirements.filter((r) => !r.covering)
    const describe = (list: typeof requirements) =>
      list.map((r) => `${r.requirementId} (${r.status})`).join(', ')
    let satisfied = false
    let reason: string
    const coveringDone = covering.find(done)
    if (coveringDone) {
      satisfied = true
      reason = `Covered by ${coveringDone.requirementId}, which is ${coveringDone.status}.`
    } else if (partial.length > 0 && partial.every(done)) {
      satisfied = true
      reason = `Covered together by ${partial.map((r) => r.requirementId).join(', ')}, all done.`
    } else if (requirements.length === 0) {
      const gap = index.itemCoverage(catalogue, item).gapReason
      reason = gap
        ? `The framework leaves it uncovered: ${gap}`
        : 'No framework requirement for this device class maps to it.'
    } else {
      const open = [
        ...(covering.length ? [`one of ${describe(covering)} met`] : []),
        ...(partial.length ? [`all of ${describe(partial.filter((r) => !done(r)))} met`] : []),
      ]
      reason = `Needs ${open.join(', or ')}.`
    }
    const entry: ComplyItem = {
      catalogue,
      itemId: item.id,
      title: item.title,
      satisfied,
      reason,
      requirements,
    }
    cache.set(key, entry)
    return entry
  }

  const catalogues = [...index.catalogues.values()].map((catalogue) => {
    const entries = catalogue.items.map((item) =>
      evaluate(catalogue.catalogue, item as CatalogueItem),
    )
    return {
      catalogue: catalogue.catalogue,
      title: catalogue.title,
      version: catalogue.version,
      items: entries.length,
      satisfied: entries.filter((e) => e.satisfied).length,
      entries,
    }
  })

  const schemes = index.document.schemes.map((scheme) => ({
    scheme: scheme.scheme,
    title: scheme.title,
    levels: scheme.levels.map((level) => {
      const view = index.schemeView(scheme.scheme, level.id, deviceClass)
      const entries = (view?.items ?? []).map((i) => evaluate(i.catalogue, i.item))
      const open = entries.filter((e) => !e.satisfied).map((e) => `${e.catalogue}:${e.itemId}`)
      return {
        level: level.id,
        title: level.title,
        reached: entries.length > 0 && open.length === 0,
        items: entries.length,
        satisfied: entries.length - open.length,
        open,
      }
    }),
  }))

  return { assessmentId, frameworkVersion: row.framework_version, catalogues, schemes }
}

// ---- migration

/**
 * Moves an assessment to a newer framework version through the framework's id mapping: kept ids
 * keep their answers and files; a replaced requirement's answer and files go to each successor,
 * marked for review; dropped requirements are listed in `migration.dropped` and their answers
 * removed.
 * @throws not_found, conflict (not a newer version)
 */
export async function migrateAssessment(
  ctx: Ctx,
  who: Who,
  organisationId: string,
  assessmentId: string,
  frameworkVersion: string,
): Promise<Assessment> {
  const row = await requireAssessment(ctx.db, organisationId, assessmentId)
  if (compareSemver(frameworkVersion, row.framework_version) <= 0) {
    throw new AppError(
      'conflict',
      `The assessment uses framework ${row.framework_version}; it can only move to a newer version, not ${frameworkVersion}.`,
    )
  }
  const [from, to] = await Promise.all([
    getFramework(ctx, row.framework_version),
    getFramework(ctx, frameworkVersion),
  ])
  const mapping = idMapping(from.document, to.document)
  const now = ctx.clock.now().toISOString()
  await ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, `assessment:${assessmentId}`)
    await assertEditable(trx, organisationId, assessmentId)
    const answers = await listAnswerRows(trx, assessmentId)
    const files = await listFileRows(trx, assessmentId)
    const kept = answers.filter((a) => mapping[a.requirement_id]?.includes(a.requirement_id))
    const keptIds = new Set(kept.map((a) => a.requirement_id))
    const moved = answers.filter((a) => !keptIds.has(a.requirement_id))
    const successorsOf = (id: string) =>
      (mapping[id] ?? []).filter((next) => next !== id && !keptIds.has(next))
    const carried = carryAnswers(moved, successorsOf, now, 'migration', (a) => a.requirement_id)
    const migration: AssessmentMigration = {
      from: from.document.version,
      to: to.document.version,
      at: now,
      kept: kept.map((a) => a.requirement_id),
      replaced: moved
        .filter((a) => (mapping[a.requirement_id] ?? []).length > 0)
        .map((a) => ({ from: a.requirement_id, to: mapping[a.requirement_id] ?? [] })),
      dropped: moved
        .filter((a) => (mapping[a.requirement_id] ?? []).length === 0)
        .map((a) => ({ requirementId: a.requirement_id, status: a.status })),
    }
    const newFiles = files.flatMap((f) =>
      keptIds.has(f.requirement_id)
        ? [f]
        : successorsOf(f.requirement_id).map((next) => fileCopy(f, assessmentId, next, now)),
    )
    await deleteFileRows(trx, assessmentId)
    await deleteAnswerRows(trx, assessmentId)
    await insertAnswerRows(trx, [...kept, ...carried])
    await insertFileRows(
      trx,
      newFiles.map((f) => ({
        id: f.id,
        assessment_id: f.assessment_id,
        requirement_id: f.requirement_id,
        sha256: f.sha256,
        file_name: f.file_name,
        evidence_date: f.evidence_date,
        expires_on: f.expires_on,
        created_at: f.created_at,
      })),
    )
    await updateAssessmentRow(trx, assessmentId, {
      framework_version: to.document.version,
      migration: JSON.stringify(migration),
      updated_at: now,
    })
    await recordAudit(trx, ctx.clock, who, {
      action: 'assessment.migrated',
      organisationId,
      targetType: 'assessment',
      targetId: assessmentId,
      details: {
        from: migration.from,
        to: migration.to,
        kept: migration.kept.length,
        replaced: migration.replaced,
        dropped: migration.dropped.map((d) => d.requirementId),
      },
    })
  })
  return getAssessment(ctx, organisationId, assessmentId)
}
