import { stringify } from 'csv-stringify/sync'
import type {
  Answer,
  Assessment,
  AssessmentRequirement,
  ComplyMany,
  GapReport,
} from '../../../common/api/assessments.ts'
import type { Label } from '../../../common/api/labels.ts'
import type { Product, ProductVersion } from '../../../common/api/products.ts'
import type { Review } from '../../../common/api/reviews.ts'
import { ANSWER_STATUS_LABELS } from '../../../common/assessments.ts'
import {
  DEVICE_CLASS_LABELS,
  TIER_LABELS,
  VERIFICATION_STRENGTH_LABELS,
  type Tier,
} from '../../../common/framework.ts'
import { REVIEW_STATUS_LABELS, VERDICT_LABELS } from '../../../common/reviews.ts'
import type { Ctx } from '../../kernel/context.ts'
import { getFramework } from '../framework/framework.service.ts'
import { getLabel } from '../labels/labels.service.ts'
import { getOrganisation } from '../organisations/organisations.service.ts'
import { getProduct, getProductVersion } from '../products/products.service.ts'
import { getReviewForAssessor, listAssessmentReviews } from '../reviews/reviews.service.ts'
import { getAssessment, getComplyMany, getGapReport } from './assessments.service.ts'
import { ReportPdf } from './reports.pdf.ts'

/**
 * The downloadable reports of an assessment (docs/assessments.md, Reports): the assessment report
 * and the gap report as PDF, the answers as CSV. The manufacturer gets them from the assessment,
 * the assessor of record from its review; both see the same content, with the verdicts and
 * findings of the review (the latest one, for the manufacturer).
 */

export const REPORT_KINDS = ['report', 'gap-report', 'answers'] as const
export type ReportKind = (typeof REPORT_KINDS)[number]

export interface ReportFile {
  fileName: string
  mediaType: string
  bytes: Buffer
}

/** Everything a report shows, loaded once through the services that own it. */
export interface ReportData {
  assessment: Assessment
  gapReport: GapReport
  complyMany: ComplyMany
  product: Product
  version: ProductVersion
  manufacturer: string
  /** The review whose verdicts and findings are shown, if the assessment has been submitted. */
  review: Review | null
  label: Label | null
  /** Requirements of the gap report that lie above the target tier (not in the assessment). */
  beyondTarget: Map<string, { statement: string; evidence: string[] }>
  generatedAt: Date
}

async function loadReportData(
  ctx: Ctx,
  organisationId: string,
  assessment: Assessment,
  gapReport: GapReport,
  review: Review | null,
): Promise<ReportData> {
  const [complyMany, product, version, manufacturer, label, framework] = await Promise.all([
    getComplyMany(ctx, organisationId, assessment.id),
    getProduct(ctx, organisationId, assessment.productId),
    getProductVersion(ctx, organisationId, assessment.productId, assessment.productVersionId),
    getOrganisation(ctx, organisationId),
    assessment.labelId ? getLabel(ctx, assessment.labelId) : null,
    getFramework(ctx, assessment.frameworkVersion),
  ])
  const inAssessment = new Set(assessment.requirements.map((r) => r.id))
  const beyondTarget = new Map<string, { statement: string; evidence: string[] }>()
  for (const { blocking } of gapReport.tiers) {
    for (const blocker of blocking) {
      const requirement = framework.requirementsById.get(blocker.requirementId)
      if (requirement && !inAssessment.has(requirement.id)) {
        beyondTarget.set(requirement.id, {
          statement: requirement.statement,
          evidence: requirement.evidence,
        })
      }
    }
  }
  return {
    assessment,
    gapReport,
    complyMany,
    product,
    version,
    manufacturer: manufacturer.name,
    review,
    label,
    beyondTarget,
    generatedAt: ctx.clock.now(),
  }
}

/**
 * A report of one of the organisation's assessments, with the verdicts of its latest review.
 * @throws not_found
 */
export async function getAssessmentReport(
  ctx: Ctx,
  organisationId: string,
  assessmentId: string,
  kind: ReportKind,
): Promise<ReportFile> {
  const [assessment, gapReport, reviews] = await Promise.all([
    getAssessment(ctx, organisationId, assessmentId),
    getGapReport(ctx, organisationId, assessmentId),
    listAssessmentReviews(ctx, organisationId, assessmentId),
  ])
  const data = await loadReportData(ctx, organisationId, assessment, gapReport, reviews[0] ?? null)
  return renderReport(data, kind)
}

/**
 * A report of the assessment under review, for the assessor organisation it is addressed to
 * (and nobody else: another assessor gets `not_found`).
 * @throws not_found
 */
export async function getReviewReport(
  ctx: Ctx,
  assessorOrganisationId: string,
  reviewId: string,
  kind: ReportKind,
): Promise<ReportFile> {
  const { assessment, gapReport, ...review } = await getReviewForAssessor(
    ctx,
    assessorOrganisationId,
    reviewId,
  )
  const data = await loadReportData(ctx, review.organisationId, assessment, gapReport, review)
  return renderReport(data, kind)
}

/** Renders one report from its data. */
export async function renderReport(data: ReportData, kind: ReportKind): Promise<ReportFile> {
  const { assessment, generatedAt } = data
  const base = safeFileName(
    `${assessment.productName} ${assessment.productVersion} ${
      kind === 'report' ? 'assessment report' : kind === 'gap-report' ? 'gap report' : 'answers'
    } ${generatedAt.toISOString().slice(0, 10)}`,
  )
  switch (kind) {
    case 'report':
      return {
        fileName: `${base}.pdf`,
        mediaType: 'application/pdf',
        bytes: await assessmentReportPdf(data),
      }
    case 'gap-report':
      return {
        fileName: `${base}.pdf`,
        mediaType: 'application/pdf',
        bytes: await gapReportPdf(data),
      }
    case 'answers':
      return {
        fileName: `${base}.csv`,
        mediaType: 'text/csv; charset=utf-8',
        bytes: answersCsv(data),
      }
  }
}

/** A file name without path separators, reserved or control characters. */
function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return name.replace(/[/\\:*?"<>|\u0000-\u001f\u007f]+/g, '-').slice(0, 150)
}

// ---- words

const day = (timestamp: string | null | undefined) => (timestamp ? timestamp.slice(0, 10) : '—')
const when = (timestamp: string | null | undefined) =>
  timestamp
    ? timestamp
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, ' UTC')
        .replace(/Z$/, ' UTC')
    : '—'
const tierName = (tier: number) =>
  tier >= 1 && tier <= 4 ? `Tier ${tier} — ${TIER_LABELS[tier as Tier]}` : 'None (not even tier 1)'

function bytes(size: number): string {
  const grouped = size.toLocaleString('en-GB')
  if (size < 1024) return `${grouped} bytes`
  const units = ['KiB', 'MiB', 'GiB']
  let value = size / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${grouped} bytes (${value.toFixed(1)} ${units[unit]})`
}

function statusText(answer: Answer): string {
  const status = answer.status ? ANSWER_STATUS_LABELS[answer.status] : 'Not answered'
  if (!answer.carriedOver) return status
  const from =
    answer.carriedOver === 'reuse'
      ? 'carried over from another assessment'
      : `carried over from ${answer.carriedFrom ?? 'the previous framework version'}`
  return `${status} (${from}; not confirmed yet)`
}

function reviewText(review: Review | null): string {
  if (!review) return 'Not submitted for review'
  return `${REVIEW_STATUS_LABELS[review.status]} — ${review.assessorName}, round ${review.round}`
}

function assessmentStatus(assessment: Assessment): string {
  const { answered, total, toConfirm } = assessment.progress
  if (assessment.reviewStatus === 'approved') return 'Approved'
  if (answered === total) return `Complete: all ${total} requirements answered`
  return `In progress: ${answered} of ${total} requirements answered${
    toConfirm ? `, ${toConfirm} carried over to confirm` : ''
  }`
}

const linkText = (link: Answer['links'][number]) =>
  `${link.title} — ${link.url} — dated ${link.date}${
    link.expires ? `, expires ${link.expires}${link.expired ? ' (EXPIRED)' : ''}` : ''
  }`

const fileText = (file: Answer['files'][number]) =>
  `${file.fileName} — ${file.mediaType}, ${bytes(file.size)}, dated ${file.date}${
    file.expires ? `, expires ${file.expires}${file.expired ? ' (EXPIRED)' : ''}` : ''
  }, uploaded ${when(file.createdAt)}`

/** All user and framework text of the report, so the PDF writer can pick its fonts. */
function sampleOf(data: ReportData): string {
  return JSON.stringify([data.assessment, data.product, data.manufacturer, data.review, data.label])
}

// ---- assessment report

async function assessmentReportPdf(data: ReportData): Promise<Buffer> {
  const { assessment, gapReport, complyMany, product, version, review, label } = data
  const subject = `${assessment.productName} ${assessment.productVersion}`
  const pdf = await ReportPdf.create({
    title: 'Assessment report',
    subject,
    generatedAt: data.generatedAt,
    sample: sampleOf(data),
  })

  // Cover.
  pdf.paragraph('IIoT Safety Network', { size: 10, bold: true, colour: 'dim' })
  pdf.heading('Assessment report', 1)
  pdf.paragraph(subject, { size: 14, bold: true, after: 10 })
  pdf.field('Product', product.name)
  pdf.field('Model numbers', product.modelNumbers.join(', '))
  pdf.field('Product version', `${version.version}, released ${version.releaseDate}`)
  pdf.field('Manufacturer', data.manufacturer)
  pdf.field(
    'Device profile',
    `${DEVICE_CLASS_LABELS[assessment.deviceClass]} (${assessment.deviceClass})`,
  )
  pdf.field('Framework version', assessment.frameworkVersion)
  pdf.field('Target tier', tierName(assessment.targetTier))
  pdf.field('Assessment status', assessmentStatus(assessment))
  pdf.field('Review', reviewText(review))
  if (review) {
    pdf.field('Submitted', when(review.submittedAt))
    if (review.decidedAt) pdf.field('Decided', when(review.decidedAt))
    if (review.tierGranted) pdf.field('Tier granted', tierName(review.tierGranted))
    if (review.verificationStrength) {
      pdf.field('Verification strength', VERIFICATION_STRENGTH_LABELS[review.verificationStrength])
    }
  }
  if (label) {
    pdf.field(
      'Label',
      `${label.id} — ${label.status}${label.statusReason ? ` (${label.statusReason})` : ''}`,
    )
    pdf.field('Label issued', when(label.issuedAt))
    pdf.field('Label expires', when(label.expiresAt))
    pdf.field('Label status', label.record.statusUrl)
  } else {
    pdf.field('Label', 'Not issued')
  }
  pdf.field('Started', when(assessment.createdAt))
  pdf.field('Last changed', when(assessment.updatedAt))
  pdf.field('Generated', when(data.generatedAt.toISOString()))
  pdf.field('Assessment id', assessment.id)
  if (assessment.migration) {
    pdf.field(
      'Framework migration',
      `Moved from ${assessment.migration.from} to ${assessment.migration.to} on ${day(assessment.migration.at)}`,
    )
  }

  // Summary.
  pdf.heading('Summary', 2)
  pdf.field('Answered', `${assessment.progress.answered} of ${assessment.progress.total}`)
  for (const category of assessment.progress.byCategory) {
    pdf.field(category.title, `${category.answered} of ${category.total} answered`, {
      indent: 12,
      labelWidth: 240,
    })
  }
  const counts = new Map<string, number>()
  for (const r of assessment.requirements) {
    const key = r.answer.status ? ANSWER_STATUS_LABELS[r.answer.status] : 'Not answered'
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  pdf.field('Statuses', [...counts].map(([status, n]) => `${status}: ${n}`).join(' · '))
  pdf.field('Tier reached', tierName(gapReport.tierReached), {
    colour: gapReport.tierReached >= assessment.targetTier ? 'good' : 'ink',
  })
  if (gapReport.nextTier) {
    pdf.field(
      `Blocking tier ${gapReport.nextTier}`,
      gapReport.blocking.length === 0
        ? 'Nothing'
        : gapReport.blocking.map((b) => b.requirementId).join(', '),
    )
  }
  pdf.field(
    'Expired evidence',
    gapReport.expiredEvidence.length === 0
      ? 'None'
      : gapReport.expiredEvidence
          .map((e) => `${e.requirementId}: ${e.title} (${e.expires})`)
          .join('\n'),
  )
  pdf.heading('Coverage of other catalogues (comply many)', 3, 30)
  for (const catalogue of complyMany.catalogues) {
    pdf.field(catalogue.title, `${catalogue.satisfied} of ${catalogue.items} items satisfied`, {
      indent: 12,
      labelWidth: 240,
    })
  }
  for (const scheme of complyMany.schemes) {
    pdf.field(
      scheme.title,
      scheme.levels
        .map((l) => `${l.title}: ${l.reached ? 'reached' : `${l.satisfied} of ${l.items} items`}`)
        .join('\n'),
      { indent: 12, labelWidth: 240 },
    )
  }

  // Requirements, by category.
  const verdicts = new Map(review?.verdicts.map((v) => [v.requirementId, v]) ?? [])
  pdf.newPage()
  pdf.heading('Requirements', 1)
  for (const category of assessment.categories) {
    const requirements = assessment.requirements.filter((r) => r.category === category.id)
    if (requirements.length === 0) continue
    pdf.heading(category.title, 2, 60)
    for (const requirement of requirements) {
      requirementSection(pdf, requirement, verdicts.get(requirement.id))
    }
  }
  return pdf.save()
}

function requirementSection(
  pdf: ReportPdf,
  requirement: AssessmentRequirement,
  verdict: Review['verdicts'][number] | undefined,
): void {
  const { answer } = requirement
  pdf.heading(`${requirement.id} · ${requirement.title}`, 3, 50)
  pdf.field('Tier', tierName(requirement.tier))
  pdf.field('Status', statusText(answer), {
    colour: answer.status === 'met' ? 'good' : answer.status === 'not-met' ? 'bad' : 'ink',
  })
  pdf.field('Explanation', answer.explanation ?? '—')
  if (answer.status === 'not-applicable' || answer.justification) {
    pdf.field('Justification', answer.justification ?? '—')
  }
  pdf.field('Compensating measures', answer.compensatingMeasures ?? '—')
  pdf.field(
    'Evidence files',
    answer.files.length === 0
      ? 'None'
      : answer.files.map((f) => `${fileText(f)}\nSHA-256 ${f.sha256}`).join('\n'),
  )
  pdf.field('Links', answer.links.length === 0 ? 'None' : answer.links.map(linkText).join('\n'))
  if (verdict) {
    pdf.field('Verdict', `${VERDICT_LABELS[verdict.verdict]} (round ${verdict.round})`, {
      colour: verdict.verdict === 'accepted' ? 'good' : 'bad',
    })
    pdf.field('Finding', verdict.finding ?? '—')
  }
  pdf.rule()
}

// ---- gap report

const REASONS: Record<GapReport['blocking'][number]['reason'], string> = {
  'not-met': 'Not met',
  'partially-met': 'Partially met',
  unanswered: 'Not answered',
  unconfirmed: 'Carried over, not confirmed',
  'beyond-target': 'Above the target tier',
}

/** What an answer still lacks before its requirement counts for the tier, in words. */
function missingOf(
  blocker: GapReport['blocking'][number],
  requirement: AssessmentRequirement | undefined,
  targetTier: number,
): string[] {
  const answer = requirement?.answer
  const missing: string[] = []
  switch (blocker.reason) {
    case 'beyond-target':
      return [
        `Not part of this assessment (target tier ${targetTier}): start an assessment with target tier ${blocker.tier} or higher to answer it.`,
      ]
    case 'unanswered':
      missing.push('An answer: a status, an explanation and evidence.')
      break
    case 'unconfirmed':
      missing.push('Confirmation: the answer was carried over; review it and save it.')
      break
    case 'not-met':
    case 'partially-met':
      missing.push(
        'The requirement met (or, if it does not concern the product, not applicable with a justification).',
      )
      if (blocker.reason === 'partially-met' && !answer?.compensatingMeasures) {
        missing.push('Compensating measures for what is not met are not described.')
      }
      break
  }
  if (answer && blocker.reason !== 'unanswered') {
    if (!answer.explanation) missing.push('An explanation of how the product meets it.')
    if (answer.files.length === 0 && answer.links.length === 0) {
      missing.push('Evidence: none attached.')
    }
    const expired = [
      ...answer.files.filter((f) => f.expired).map((f) => f.fileName),
      ...answer.links.filter((l) => l.expired).map((l) => l.title),
    ]
    if (expired.length > 0) missing.push(`Renewed evidence: ${expired.join(', ')} expired.`)
  }
  return missing
}

async function gapReportPdf(data: ReportData): Promise<Buffer> {
  const { assessment, gapReport } = data
  const subject = `${assessment.productName} ${assessment.productVersion}`
  const pdf = await ReportPdf.create({
    title: 'Gap report',
    subject,
    generatedAt: data.generatedAt,
    sample: sampleOf(data),
  })
  const byId = new Map(assessment.requirements.map((r) => [r.id, r]))
  pdf.paragraph('IIoT Safety Network', { size: 10, bold: true, colour: 'dim' })
  pdf.heading('Gap report', 1)
  pdf.paragraph(subject, { size: 14, bold: true, after: 10 })
  pdf.field('Manufacturer', data.manufacturer)
  pdf.field(
    'Device profile',
    `${DEVICE_CLASS_LABELS[assessment.deviceClass]} (${assessment.deviceClass})`,
  )
  pdf.field('Framework version', assessment.frameworkVersion)
  pdf.field('Target tier', tierName(assessment.targetTier))
  pdf.field('Tier reached', tierName(gapReport.tierReached), {
    colour: gapReport.tierReached >= assessment.targetTier ? 'good' : 'ink',
  })
  pdf.field('Answered', `${gapReport.progress.answered} of ${gapReport.progress.total}`)
  pdf.field('Review', reviewText(data.review))
  pdf.field('Generated', when(data.generatedAt.toISOString()))
  pdf.paragraph(
    'A tier is reached when every requirement of that tier and the tiers below it, for the device profile, is met or justified not applicable, and confirmed. Below, each tier above the one reached lists the requirements of that tier that are not there yet; a tier also needs everything listed for the tiers below it.',
    { size: 8.5, colour: 'dim', after: 6 },
  )
  if (gapReport.tiers.length === 0) {
    pdf.heading('Nothing blocks', 2)
    pdf.paragraph('The assessment reaches tier 4, the highest tier of the framework.')
  }
  for (const { tier, blocking } of gapReport.tiers) {
    const beyond = tier > assessment.targetTier
    pdf.heading(
      `${tierName(tier)}${beyond ? ' (above the target tier)' : ''}: ${
        blocking.length === 0 ? 'nothing of its own blocks it' : `${blocking.length} blocking`
      }`,
      2,
      60,
    )
    for (const blocker of blocking) {
      const requirement = byId.get(blocker.requirementId)
      const other = data.beyondTarget.get(blocker.requirementId)
      pdf.heading(`${blocker.requirementId} · ${blocker.title}`, 3, 40)
      pdf.field('Reason', REASONS[blocker.reason], {
        colour: blocker.reason === 'not-met' ? 'bad' : 'ink',
      })
      if (requirement) pdf.field('Current status', statusText(requirement.answer))
      pdf.field(
        'What is missing',
        missingOf(blocker, requirement, assessment.targetTier)
          .map((m) => `• ${m}`)
          .join('\n'),
      )
      const evidence = requirement?.evidence ?? other?.evidence ?? []
      if (evidence.length > 0) {
        pdf.field('Evidence expected', evidence.map((e) => `• ${e}`).join('\n'))
      }
      pdf.rule()
    }
  }
  pdf.heading('Expired evidence', 2)
  if (gapReport.expiredEvidence.length === 0) pdf.paragraph('None.')
  for (const e of gapReport.expiredEvidence) {
    pdf.field(
      e.requirementId,
      `${e.kind === 'file' ? 'File' : 'Link'} ${e.title}, expired ${e.expires}`,
    )
  }
  return pdf.save()
}

// ---- answers CSV

export const ANSWERS_CSV_COLUMNS = [
  'Requirement',
  'Category',
  'Title',
  'Tier',
  'Status',
  'Carried over',
  'Explanation',
  'Justification',
  'Compensating measures',
  'Evidence files',
  'File SHA-256',
  'File names',
  'Links',
  'Verdict',
  'Finding',
] as const

/**
 * One row per requirement of the assessment. RFC 4180: fields quoted when they hold a comma,
 * quote or line break (quotes doubled), records ending in CRLF; list cells hold one item per line.
 * UTF-8 with a byte order mark, without which Excel reads the file in the local ANSI code page
 * and garbles every non-ASCII character. Cells a spreadsheet would run as a formula (starting
 * with = + - @, a tab or a carriage return) get a leading apostrophe (OWASP's CSV injection
 * advice), so hostile answer text stays text.
 */
export function answersCsv(data: ReportData): Buffer {
  const { assessment, review } = data
  const categories = new Map(assessment.categories.map((c) => [c.id, c.title]))
  const verdicts = new Map(review?.verdicts.map((v) => [v.requirementId, v]) ?? [])
  const rows = assessment.requirements.map((r) => {
    const { answer } = r
    const verdict = verdicts.get(r.id)
    return [
      r.id,
      categories.get(r.category) ?? r.category,
      r.title,
      String(r.tier),
      answer.status ?? '',
      answer.carriedOver ?? '',
      answer.explanation ?? '',
      answer.justification ?? '',
      answer.compensatingMeasures ?? '',
      String(answer.files.length),
      answer.files.map((f) => f.sha256).join('\n'),
      answer.files.map((f) => f.fileName).join('\n'),
      answer.links.map((l) => `${l.title} <${l.url}>`).join('\n'),
      verdict?.verdict ?? '',
      verdict?.finding ?? '',
    ]
  })
  const text = stringify([[...ANSWERS_CSV_COLUMNS], ...rows], {
    bom: true,
    record_delimiter: 'windows',
    escape_formulas: true,
    quoted_match: /^\s|\s$/,
  })
  return Buffer.from(text, 'utf8')
}
