import type { Assessment } from '../../../common/api/assessments.ts'
import type { Label, LabelProduct } from '../../../common/api/labels.ts'
import type {
  ApproveReviewBody,
  Assessor,
  RecordVerdictBody,
  Review,
  ReviewDetail,
  ReviewSummary,
  ReviewVerdict,
  SubmitReviewBody,
} from '../../../common/api/reviews.ts'
import { AppError } from '../../../common/errors.ts'
import {
  isAtLeastAsStrong,
  VERIFICATION_STRENGTHS,
  type DeviceClass,
  type Tier,
  type VerificationStrength,
} from '../../../common/framework.ts'
import type { Product, ProductVersion } from '../../../common/api/products.ts'
import type { RegistryField } from '../../../common/products.ts'
import type { NotificationKind, ReviewStatus } from '../../../common/reviews.ts'
import type { Db } from '../../db/database.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import {
  getAssessment,
  getEvidenceFile,
  getGapReport,
  lockAssessmentForReview,
  setAssessmentReviewState,
} from '../assessments/assessments.service.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { getFramework } from '../framework/framework.service.ts'
import { changeLabelStatus, issueLabel, type LabelStatusAction } from '../labels/labels.service.ts'
import { notify } from '../notifications/notifications.service.ts'
import { getOrganisation } from '../organisations/organisations.service.ts'
import { getProduct, getProductVersion } from '../products/products.service.ts'
import {
  findReviewByLabel,
  findReviewForAssessor,
  findReviewOfAssessment,
  insertReview,
  listAccreditedAssessorRows,
  listReviewsOfAssessment,
  listReviewsOfAssessor,
  listVerdictRows,
  updateReviewRow,
  upsertVerdictRow,
  type ReviewListRow,
} from './reviews.repository.ts'
import type { ReviewRow, ReviewVerdictRow } from './reviews.table.ts'

type Who = { actor: Actor; meta?: RequestMeta }

// ---- mapping

function toSummary(row: ReviewListRow): ReviewSummary {
  return {
    id: row.id,
    assessmentId: row.assessment_id,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    assessorOrganisationId: row.assessor_organisation_id,
    assessorName: row.assessor_name,
    productName: row.product_name,
    productVersion: row.product_version,
    frameworkVersion: row.framework_version,
    deviceClass: row.device_class as DeviceClass,
    targetTier: Number(row.target_tier) as Tier,
    status: row.status,
    round: Number(row.round),
    message: row.message,
    tierGranted: row.tier_granted === null ? null : (Number(row.tier_granted) as Tier),
    verificationStrength: row.verification_strength,
    labelId: row.label_id,
    submittedAt: row.submitted_at,
    decidedAt: row.decided_at,
    updatedAt: row.updated_at,
  }
}

function toVerdict(row: ReviewVerdictRow): ReviewVerdict {
  return {
    requirementId: row.requirement_id,
    verdict: row.verdict,
    finding: row.finding,
    round: Number(row.round),
    updatedAt: row.updated_at,
  }
}

async function toReview(db: Db, row: ReviewListRow): Promise<Review> {
  return { ...toSummary(row), verdicts: (await listVerdictRows(db, row.id)).map(toVerdict) }
}

const assessmentLink = (row: Pick<ReviewRow, 'organisation_id' | 'assessment_id'>) =>
  `/assessments/${row.organisation_id}/${row.assessment_id}`
const reviewLink = (row: Pick<ReviewRow, 'assessor_organisation_id' | 'id'>) =>
  `/reviews/${row.assessor_organisation_id}/${row.id}`

/** The requirement ids not yet answered (or carried over and not confirmed). */
function openRequirements(assessment: Assessment): string[] {
  return assessment.requirements
    .filter((r) => !r.answer.status || r.answer.carriedOver !== null)
    .map((r) => r.id)
}

function assertComplete(assessment: Assessment): void {
  const open = openRequirements(assessment)
  if (open.length > 0) {
    throw new AppError(
      'conflict',
      `Answer every requirement before submitting; still open: ${open.join(', ')}.`,
      { details: { openRequirements: open } },
    )
  }
}

/** Audits the transition and notifies both sides, inside the transition's transaction. */
async function announce(
  trx: Db,
  ctx: Pick<Ctx, 'clock'>,
  who: Who,
  review: Pick<ReviewRow, 'id' | 'organisation_id' | 'assessor_organisation_id' | 'assessment_id'>,
  event: {
    kind: NotificationKind
    /** The organisation acting, whose audit log holds the entry. */
    by: 'manufacturer' | 'assessor'
    text: string
    details?: Record<string, unknown>
  },
): Promise<void> {
  await recordAudit(trx, ctx.clock, who, {
    action: event.kind,
    organisationId:
      event.by === 'manufacturer' ? review.organisation_id : review.assessor_organisation_id,
    targetType: 'review',
    targetId: review.id,
    details: {
      assessmentId: review.assessment_id,
      organisationId: review.organisation_id,
      assessorOrganisationId: review.assessor_organisation_id,
      ...event.details,
    },
  })
  await notify(trx, ctx.clock, [
    {
      organisationId: review.organisation_id,
      kind: event.kind,
      text: event.text,
      link: assessmentLink(review),
    },
    {
      organisationId: review.assessor_organisation_id,
      kind: event.kind,
      text: event.text,
      link: reviewLink(review),
    },
  ])
}

function wrongState(status: ReviewStatus, wanted: string): AppError {
  return new AppError('conflict', `This review is ${status}; ${wanted}.`)
}

// ---- assessors

/** Assessor organisations accredited by a network administrator: whom a manufacturer can submit to. */
export async function listAccreditedAssessors(ctx: Pick<Ctx, 'db'>): Promise<Assessor[]> {
  const rows = await listAccreditedAssessorRows(ctx.db)
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    country: row.country,
    website: row.website,
    accreditedAt: row.accredited_at ?? '',
    accreditationNote: row.accreditation_note,
  }))
}

async function requireAccreditedAssessor(ctx: Pick<Ctx, 'db'>, organisationId: string) {
  const pointer = [{ in: 'body', pointer: '/assessorOrganisationId', message: '' }]
  const organisation = await getOrganisation(ctx, organisationId).catch(() => {
    throw new AppError('not_found', 'No such assessor organisation.', {
      details: [{ ...pointer[0], message: 'is not an organisation' }],
    })
  })
  if (organisation.type !== 'assessor') {
    throw new AppError(
      'conflict',
      `${organisation.name} is not an assessor organisation (it is a ${organisation.type}); submit to an accredited assessor.`,
      { details: [{ ...pointer[0], message: 'is not an assessor' }] },
    )
  }
  if (!organisation.accreditedAt) {
    throw new AppError(
      'conflict',
      `${organisation.name} is not accredited by the network; submit to an accredited assessor.`,
      { details: [{ ...pointer[0], message: 'is not accredited' }] },
    )
  }
  return organisation
}

// ---- the manufacturer's side

/** The reviews of one of the organisation's assessments, newest first, with verdicts and findings. */
export async function listAssessmentReviews(
  ctx: Ctx,
  organisationId: string,
  assessmentId: string,
): Promise<Review[]> {
  await getAssessment(ctx, organisationId, assessmentId)
  const rows = await listReviewsOfAssessment(ctx.db, organisationId, assessmentId)
  return Promise.all(rows.map((row) => toReview(ctx.db, row)))
}

/**
 * Submits a complete assessment to an accredited assessor organisation. From then on its answers
 * are frozen until the assessor requests changes or the manufacturer withdraws it.
 * @throws not_found, conflict (not an assessor, not accredited, incomplete, already submitted
 * or approved)
 */
export async function submitForReview(
  ctx: Ctx,
  who: Who,
  organisationId: string,
  assessmentId: string,
  input: SubmitReviewBody,
): Promise<Review> {
  const assessment = await getAssessment(ctx, organisationId, assessmentId)
  const assessor = await requireAccreditedAssessor(ctx, input.assessorOrganisationId)
  assertComplete(assessment)
  const id = newId()
  await ctx.db.transaction().execute(async (trx) => {
    const state = await lockAssessmentForReview(trx, organisationId, assessmentId)
    if (state.review_status === 'submitted' || state.review_status === 'changes-requested') {
      throw new AppError(
        'conflict',
        state.review_status === 'submitted'
          ? 'This assessment is already with an assessor.'
          : 'The assessor requested changes: resubmit the review (or withdraw it first).',
      )
    }
    if (state.review_status === 'approved') {
      throw new AppError('conflict', 'This assessment is already approved and labelled.')
    }
    const now = ctx.clock.now().toISOString()
    const row: ReviewRow = {
      id,
      assessment_id: assessmentId,
      organisation_id: organisationId,
      assessor_organisation_id: assessor.id,
      status: 'submitted',
      round: 1,
      message: input.message?.trim() ?? null,
      tier_granted: null,
      verification_strength: null,
      label_id: null,
      submitted_at: now,
      decided_at: null,
      created_at: now,
      updated_at: now,
    }
    await insertReview(trx, row)
    await setAssessmentReviewState(trx, assessmentId, { reviewStatus: 'submitted' }, now)
    await announce(trx, ctx, who, row, {
      kind: 'review.submitted',
      by: 'manufacturer',
      text: `${assessment.productName} ${assessment.productVersion} (tier ${assessment.targetTier}) was submitted to ${assessor.name} for review.`,
      details: { assessorName: assessor.name },
    })
  })
  return requireOwnReview(ctx, organisationId, assessmentId, id)
}

async function requireOwnReview(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  assessmentId: string,
  reviewId: string,
): Promise<Review> {
  const row = await findReviewOfAssessment(ctx.db, organisationId, assessmentId, reviewId)
  if (!row) throw new AppError('not_found', 'No such review')
  return toReview(ctx.db, row)
}

/**
 * Sends an assessment back to its assessor after changes were requested (the answers freeze
 * again; the verdicts stay for the assessor to revisit).
 * @throws not_found, conflict (not awaiting changes, incomplete)
 */
export async function resubmitForReview(
  ctx: Ctx,
  who: Who,
  organisationId: string,
  assessmentId: string,
  reviewId: string,
  input: { message?: string },
): Promise<Review> {
  const assessment = await getAssessment(ctx, organisationId, assessmentId)
  assertComplete(assessment)
  await ctx.db.transaction().execute(async (trx) => {
    await lockAssessmentForReview(trx, organisationId, assessmentId)
    const row = await findReviewOfAssessment(trx, organisationId, assessmentId, reviewId)
    if (!row) throw new AppError('not_found', 'No such review')
    if (row.status !== 'changes-requested') {
      throw wrongState(row.status, 'only a review whose assessor requested changes is resubmitted')
    }
    const now = ctx.clock.now().toISOString()
    const round = Number(row.round) + 1
    await updateReviewRow(trx, reviewId, {
      status: 'submitted',
      round,
      message: input.message?.trim() ?? null,
      submitted_at: now,
      updated_at: now,
    })
    await setAssessmentReviewState(trx, assessmentId, { reviewStatus: 'submitted' }, now)
    await announce(trx, ctx, who, row, {
      kind: 'review.resubmitted',
      by: 'manufacturer',
      text: `${assessment.productName} ${assessment.productVersion} was resubmitted to ${row.assessor_name} (round ${round}).`,
      details: { round },
    })
  })
  return requireOwnReview(ctx, organisationId, assessmentId, reviewId)
}

/** Takes a submitted assessment back from its assessor; the answers can change again. @throws not_found, conflict */
export async function withdrawReview(
  ctx: Ctx,
  who: Who,
  organisationId: string,
  assessmentId: string,
  reviewId: string,
): Promise<Review> {
  await ctx.db.transaction().execute(async (trx) => {
    await lockAssessmentForReview(trx, organisationId, assessmentId)
    const row = await findReviewOfAssessment(trx, organisationId, assessmentId, reviewId)
    if (!row) throw new AppError('not_found', 'No such review')
    if (row.status !== 'submitted' && row.status !== 'changes-requested') {
      throw wrongState(row.status, 'only an open review can be withdrawn')
    }
    const now = ctx.clock.now().toISOString()
    await updateReviewRow(trx, reviewId, { status: 'withdrawn', decided_at: now, updated_at: now })
    await setAssessmentReviewState(trx, assessmentId, { reviewStatus: 'withdrawn' }, now)
    await announce(trx, ctx, who, row, {
      kind: 'review.withdrawn',
      by: 'manufacturer',
      text: `${row.organisation_name} withdrew ${row.product_name} ${row.product_version} from review by ${row.assessor_name}.`,
    })
  })
  return requireOwnReview(ctx, organisationId, assessmentId, reviewId)
}

// ---- the assessor's side

/** Reviews addressed to the assessor organisation (and only those), most recently changed first. */
export async function listReviewsForAssessor(
  ctx: Pick<Ctx, 'db'>,
  assessorOrganisationId: string,
  status?: ReviewStatus,
): Promise<ReviewSummary[]> {
  return (await listReviewsOfAssessor(ctx.db, assessorOrganisationId, status)).map(toSummary)
}

async function requireAddressed(
  db: Db,
  assessorOrganisationId: string,
  reviewId: string,
): Promise<ReviewListRow> {
  const row = await findReviewForAssessor(db, assessorOrganisationId, reviewId)
  if (!row) throw new AppError('not_found', 'No such review')
  return row
}

/** A review with the manufacturer's answers, evidence and gap report. @throws not_found */
export async function getReviewForAssessor(
  ctx: Ctx,
  assessorOrganisationId: string,
  reviewId: string,
): Promise<ReviewDetail> {
  const row = await requireAddressed(ctx.db, assessorOrganisationId, reviewId)
  const [review, assessment, gapReport] = await Promise.all([
    toReview(ctx.db, row),
    getAssessment(ctx, row.organisation_id, row.assessment_id),
    getGapReport(ctx, row.organisation_id, row.assessment_id),
  ])
  return { ...review, assessment, gapReport }
}

/** An evidence file of the assessment under review. @throws not_found */
export async function getReviewEvidenceFile(
  ctx: Ctx,
  assessorOrganisationId: string,
  reviewId: string,
  fileId: string,
) {
  const row = await requireAddressed(ctx.db, assessorOrganisationId, reviewId)
  return getEvidenceFile(ctx, row.organisation_id, row.assessment_id, fileId)
}

function assertWithAssessor(row: ReviewListRow): void {
  if (row.status !== 'submitted') {
    throw wrongState(row.status, 'the assessor acts only on a submitted review')
  }
}

/**
 * Records the verdict on one requirement (accepted, rejected, needs-info) with its finding.
 * @throws not_found (review, or requirement not in the assessment), conflict (not submitted)
 */
export async function recordVerdict(
  ctx: Ctx,
  who: Who,
  assessorOrganisationId: string,
  reviewId: string,
  requirementId: string,
  input: RecordVerdictBody,
): Promise<ReviewVerdict> {
  const row = await requireAddressed(ctx.db, assessorOrganisationId, reviewId)
  const assessment = await getAssessment(ctx, row.organisation_id, row.assessment_id)
  if (!assessment.requirements.some((r) => r.id === requirementId)) {
    throw new AppError('not_found', `${requirementId} is not among the assessment's requirements.`)
  }
  const now = ctx.clock.now().toISOString()
  const verdict: ReviewVerdictRow = {
    review_id: reviewId,
    requirement_id: requirementId,
    verdict: input.verdict,
    finding: input.finding?.trim() ?? null,
    round: Number(row.round),
    updated_at: now,
  }
  await ctx.db.transaction().execute(async (trx) => {
    await lockAssessmentForReview(trx, row.organisation_id, row.assessment_id)
    assertWithAssessor(await requireAddressed(trx, assessorOrganisationId, reviewId))
    await upsertVerdictRow(trx, verdict)
    await updateReviewRow(trx, reviewId, { updated_at: now })
    await recordAudit(trx, ctx.clock, who, {
      action: 'review.verdict_recorded',
      organisationId: assessorOrganisationId,
      targetType: 'review',
      targetId: reviewId,
      details: { requirementId, verdict: input.verdict, round: verdict.round },
    })
  })
  return toVerdict(verdict)
}

/** Sends the assessment back to the manufacturer with a message; its answers unfreeze. @throws not_found, conflict */
export async function requestChanges(
  ctx: Ctx,
  who: Who,
  assessorOrganisationId: string,
  reviewId: string,
  input: { message: string },
): Promise<Review> {
  await ctx.db.transaction().execute(async (trx) => {
    const first = await requireAddressed(trx, assessorOrganisationId, reviewId)
    await lockAssessmentForReview(trx, first.organisation_id, first.assessment_id)
    const row = await requireAddressed(trx, assessorOrganisationId, reviewId)
    assertWithAssessor(row)
    const now = ctx.clock.now().toISOString()
    const message = input.message.trim()
    await updateReviewRow(trx, reviewId, {
      status: 'changes-requested',
      message,
      decided_at: now,
      updated_at: now,
    })
    await setAssessmentReviewState(
      trx,
      row.assessment_id,
      { reviewStatus: 'changes-requested' },
      now,
    )
    await announce(trx, ctx, who, row, {
      kind: 'review.changes_requested',
      by: 'assessor',
      text: `${row.assessor_name} requested changes to ${row.product_name} ${row.product_version}: ${message}`,
      details: { round: Number(row.round), message },
    })
  })
  const after = await requireAddressed(ctx.db, assessorOrganisationId, reviewId)
  return toReview(ctx.db, after)
}

/** The label's product record from the product and version, or the registry fields it lacks. */
function labelProduct(
  product: Product,
  version: ProductVersion,
  manufacturer: { id: string; name: string },
): { product?: LabelProduct; missing: RegistryField[] } {
  const missing: RegistryField[] = product.missingRegistryFields.filter(
    (f) => f !== 'supportPeriodEnd',
  )
  if (!version.effectiveSupportPeriodEnd) missing.unshift('supportPeriodEnd')
  const contact = product.securityContactEmail ?? product.securityContactUrl
  if (
    missing.length > 0 ||
    !version.effectiveSupportPeriodEnd ||
    !product.updateMechanism ||
    !product.defaultPasswordPolicy ||
    !contact ||
    !product.vulnerabilityDisclosureUrl ||
    !product.sbomAvailability
  ) {
    return { missing }
  }
  const dataDisclosures = [
    ...product.dataCollected,
    ...(product.dataDisclosure ? [product.dataDisclosure] : []),
  ]
  return {
    missing,
    product: {
      productId: product.id,
      productVersionId: version.id,
      manufacturer,
      name: product.name,
      modelNumbers: product.modelNumbers,
      version: version.version,
      deviceClass: product.deviceClass,
      supportPeriodEnd: version.effectiveSupportPeriodEnd,
      updateMechanism: product.updateMechanism,
      defaultPasswordPolicy:
        product.defaultPasswordPolicy === 'user-set-at-commissioning'
          ? 'set-on-first-use'
          : product.defaultPasswordPolicy,
      securityContact: contact,
      disclosurePolicyUrl: product.vulnerabilityDisclosureUrl,
      sbomAvailable: product.sbomAvailability !== 'not-available',
      ...(product.secureSetupUrl ? { secureSetupGuidanceUrl: product.secureSetupUrl } : {}),
      sensorDisclosures: product.sensors,
      dataDisclosures,
    },
  }
}

/**
 * Approves a submitted assessment at a tier the answers support (at most the gap report's tier
 * reached), every requirement of that tier accepted, and issues its label in the same
 * transaction: the review, the assessment's label id, the label, the audit entries and the
 * notifications commit together or not at all.
 * @throws not_found, conflict (not submitted, assessor no longer accredited, requirements not
 * accepted, registry fields missing), validation_failed (tier above the gap report, verification
 * strength weaker than the framework asks at that tier)
 */
export async function approveReview(
  ctx: Ctx,
  who: Who,
  assessorOrganisationId: string,
  reviewId: string,
  input: ApproveReviewBody,
): Promise<Review> {
  const row = await requireAddressed(ctx.db, assessorOrganisationId, reviewId)
  assertWithAssessor(row)
  const assessor = await getOrganisation(ctx, assessorOrganisationId)
  if (assessor.type !== 'assessor' || !assessor.accreditedAt) {
    throw new AppError(
      'conflict',
      `${assessor.name} is no longer accredited by the network and cannot approve.`,
    )
  }
  const [assessment, gap] = await Promise.all([
    getAssessment(ctx, row.organisation_id, row.assessment_id),
    getGapReport(ctx, row.organisation_id, row.assessment_id),
  ])
  if (input.tierGranted > gap.tierReached) {
    throw new AppError(
      'validation_failed',
      gap.tierReached === 0
        ? 'The answers do not support any tier (the gap report reaches none); request changes instead.'
        : `The answers support tier ${gap.tierReached} at most (gap report); tier ${input.tierGranted} cannot be granted.`,
      {
        details: [
          { in: 'body', pointer: '/tierGranted', message: `must be at most ${gap.tierReached}` },
        ],
      },
    )
  }
  // The framework asks each requirement of a tier for a minimum verification strength; the
  // label's strength must meet the strongest of them (tier 1 self-declared, tier 2 document
  // review, lab tests from tier 3 in framework 1.0.0).
  const index = await getFramework(ctx, assessment.frameworkVersion)
  const needed = index
    .profile(input.tierGranted as Tier, assessment.deviceClass)
    .reduce<VerificationStrength>(
      (strongest, p) => (isAtLeastAsStrong(strongest, p.verification) ? strongest : p.verification),
      VERIFICATION_STRENGTHS[0],
    )
  if (!isAtLeastAsStrong(input.verificationStrength, needed)) {
    throw new AppError(
      'validation_failed',
      `Tier ${input.tierGranted} needs verification of at least ${needed} (framework ${assessment.frameworkVersion}); ${input.verificationStrength} is not enough.`,
      {
        details: [
          { in: 'body', pointer: '/verificationStrength', message: `must be at least ${needed}` },
        ],
      },
    )
  }
  const verdicts = new Map(
    (await listVerdictRows(ctx.db, reviewId)).map((v) => [v.requirement_id, v.verdict]),
  )
  const notAccepted = assessment.requirements
    .filter((r) => r.tier <= input.tierGranted && verdicts.get(r.id) !== 'accepted')
    .map((r) => `${r.id} (${verdicts.get(r.id) ?? 'no verdict'})`)
  if (notAccepted.length > 0) {
    throw new AppError(
      'conflict',
      `Every requirement of tier ${input.tierGranted} must be accepted before approval; not yet: ${notAccepted.join(', ')}.`,
      { details: { notAccepted } },
    )
  }
  const manufacturer = await getOrganisation(ctx, row.organisation_id)
  const [product, version] = await Promise.all([
    getProduct(ctx, row.organisation_id, assessment.productId),
    getProductVersion(ctx, row.organisation_id, assessment.productId, assessment.productVersionId),
  ])
  const built = labelProduct(product, version, { id: manufacturer.id, name: manufacturer.name })
  if (!built.product) {
    throw new AppError(
      'conflict',
      `${product.name} lacks registry fields a label needs: ${built.missing.join(', ')}. The manufacturer must add them before approval.`,
      { details: { missingRegistryFields: built.missing } },
    )
  }
  const labelProductRecord = built.product
  await ctx.db.transaction().execute(async (trx) => {
    await lockAssessmentForReview(trx, row.organisation_id, row.assessment_id)
    assertWithAssessor(await requireAddressed(trx, assessorOrganisationId, reviewId))
    const label = await issueLabel({ ...ctx, db: trx }, who, {
      product: labelProductRecord,
      tier: input.tierGranted as Tier,
      frameworkVersion: assessment.frameworkVersion,
      profile: assessment.deviceClass,
      verificationStrength: input.verificationStrength,
      assessor: { id: assessor.id, name: assessor.name },
      assessmentId: assessment.id,
    })
    const now = ctx.clock.now().toISOString()
    await updateReviewRow(trx, reviewId, {
      status: 'approved',
      message: input.message?.trim() ?? null,
      tier_granted: input.tierGranted as Tier,
      verification_strength: input.verificationStrength,
      label_id: label.id,
      decided_at: now,
      updated_at: now,
    })
    await setAssessmentReviewState(
      trx,
      row.assessment_id,
      { reviewStatus: 'approved', labelId: label.id },
      now,
    )
    await announce(trx, ctx, who, row, {
      kind: 'review.approved',
      by: 'assessor',
      text: `${assessor.name} approved ${row.product_name} ${row.product_version} at tier ${input.tierGranted} (${input.verificationStrength}); label issued.`,
      details: {
        tierGranted: input.tierGranted,
        verificationStrength: input.verificationStrength,
        labelId: label.id,
      },
    })
  })
  const after = await requireAddressed(ctx.db, assessorOrganisationId, reviewId)
  return toReview(ctx.db, after)
}

// ---- the label's status, by its assessor of record

const LABEL_KINDS: Record<LabelStatusAction, NotificationKind> = {
  suspend: 'label.suspended',
  reinstate: 'label.reinstated',
  revoke: 'label.revoked',
}
const LABEL_VERBS: Record<LabelStatusAction, string> = {
  suspend: 'suspended',
  reinstate: 'reinstated',
  revoke: 'revoked',
}

/**
 * Suspends, reinstates or revokes a label as its assessor of record (the assessor organisation
 * whose approval issued it), with a reason; the label module audits the change and keeps it in
 * the label's history; both organisations are notified.
 * @throws not_found (not a label this organisation issued), conflict (as changeLabelStatus)
 */
export async function changeLabelAsAssessor(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  assessorOrganisationId: string,
  labelId: string,
  action: LabelStatusAction,
  reason: string,
): Promise<Label> {
  return ctx.db.transaction().execute(async (trx) => {
    const review = await findReviewByLabel(trx, assessorOrganisationId, labelId)
    if (!review) throw new AppError('not_found', 'No label issued on your organisation’s approval')
    const label = await changeLabelStatus(
      { db: trx, clock: ctx.clock },
      who,
      labelId,
      action,
      reason,
    )
    await notify(trx, ctx.clock, [
      {
        organisationId: review.organisation_id,
        kind: LABEL_KINDS[action],
        text: `${review.assessor_name} ${LABEL_VERBS[action]} the label of ${review.product_name} ${review.product_version}: ${reason.trim()}`,
        link: assessmentLink(review),
      },
      {
        organisationId: review.assessor_organisation_id,
        kind: LABEL_KINDS[action],
        text: `${review.assessor_name} ${LABEL_VERBS[action]} the label of ${review.product_name} ${review.product_version}: ${reason.trim()}`,
        link: reviewLink(review),
      },
    ])
    return label
  })
}
