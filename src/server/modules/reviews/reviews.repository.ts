import type { Db } from '../../db/database.ts'
import type { ReviewStatus } from '../../../common/reviews.ts'
import type { ReviewRow, ReviewVerdictRow } from './reviews.table.ts'

export type ReviewListRow = ReviewRow & {
  organisation_name: string
  assessor_name: string
  product_name: string
  product_version: string
  framework_version: string
  device_class: string
  target_tier: number
}

function reviewsWithNames(db: Db) {
  return db
    .selectFrom('reviews')
    .innerJoin('organisations as manufacturer', 'manufacturer.id', 'reviews.organisation_id')
    .innerJoin('organisations as assessor', 'assessor.id', 'reviews.assessor_organisation_id')
    .innerJoin('assessments', 'assessments.id', 'reviews.assessment_id')
    .innerJoin('products', 'products.id', 'assessments.product_id')
    .innerJoin('product_versions', 'product_versions.id', 'assessments.product_version_id')
    .selectAll('reviews')
    .select([
      'manufacturer.name as organisation_name',
      'assessor.name as assessor_name',
      'products.name as product_name',
      'product_versions.version as product_version',
      'assessments.framework_version',
      'assessments.device_class',
      'assessments.target_tier',
    ])
}

export async function insertReview(db: Db, row: ReviewRow): Promise<void> {
  await db.insertInto('reviews').values(row).execute()
}

export async function updateReviewRow(
  db: Db,
  id: string,
  changes: Partial<Omit<ReviewRow, 'id' | 'assessment_id' | 'organisation_id'>>,
): Promise<void> {
  await db.updateTable('reviews').set(changes).where('id', '=', id).execute()
}

/** A review addressed to the assessor organisation (never another's, whatever the id). */
export async function findReviewForAssessor(
  db: Db,
  assessorOrganisationId: string,
  reviewId: string,
): Promise<ReviewListRow | undefined> {
  return reviewsWithNames(db)
    .where('reviews.assessor_organisation_id', '=', assessorOrganisationId)
    .where('reviews.id', '=', reviewId)
    .executeTakeFirst() as Promise<ReviewListRow | undefined>
}

/** A review of the manufacturer's assessment. */
export async function findReviewOfAssessment(
  db: Db,
  organisationId: string,
  assessmentId: string,
  reviewId: string,
): Promise<ReviewListRow | undefined> {
  return reviewsWithNames(db)
    .where('reviews.organisation_id', '=', organisationId)
    .where('reviews.assessment_id', '=', assessmentId)
    .where('reviews.id', '=', reviewId)
    .executeTakeFirst() as Promise<ReviewListRow | undefined>
}

export async function listReviewsOfAssessor(
  db: Db,
  assessorOrganisationId: string,
  status?: ReviewStatus,
): Promise<ReviewListRow[]> {
  let query = reviewsWithNames(db).where(
    'reviews.assessor_organisation_id',
    '=',
    assessorOrganisationId,
  )
  if (status) query = query.where('reviews.status', '=', status)
  return query.orderBy('reviews.updated_at', 'desc').orderBy('reviews.id').execute() as Promise<
    ReviewListRow[]
  >
}

export async function listReviewsOfAssessment(
  db: Db,
  organisationId: string,
  assessmentId: string,
): Promise<ReviewListRow[]> {
  return reviewsWithNames(db)
    .where('reviews.organisation_id', '=', organisationId)
    .where('reviews.assessment_id', '=', assessmentId)
    .orderBy('reviews.submitted_at', 'desc')
    .orderBy('reviews.id')
    .execute() as Promise<ReviewListRow[]>
}

export async function listVerdictRows(db: Db, reviewId: string): Promise<ReviewVerdictRow[]> {
  return db
    .selectFrom('review_verdicts')
    .selectAll()
    .where('review_id', '=', reviewId)
    .orderBy('requirement_id')
    .execute()
}

export async function upsertVerdictRow(db: Db, row: ReviewVerdictRow): Promise<void> {
  const existing = await db
    .selectFrom('review_verdicts')
    .select('requirement_id')
    .where('review_id', '=', row.review_id)
    .where('requirement_id', '=', row.requirement_id)
    .executeTakeFirst()
  if (existing) {
    const { review_id: _r, requirement_id: _q, ...changes } = row
    await db
      .updateTable('review_verdicts')
      .set(changes)
      .where('review_id', '=', row.review_id)
      .where('requirement_id', '=', row.requirement_id)
      .execute()
  } else {
    await db.insertInto('review_verdicts').values(row).execute()
  }
}

/** Assessor organisations a network administrator has accredited, by name. */
export async function listAccreditedAssessorRows(db: Db) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name', 'country', 'website', 'accredited_at', 'accreditation_note'])
    .where('type', '=', 'assessor')
    .where('accredited_at', 'is not', null)
    .orderBy('name')
    .execute()
}

/** The approved review of the assessor organisation that issued the label. */
export async function findReviewByLabel(
  db: Db,
  assessorOrganisationId: string,
  labelId: string,
): Promise<ReviewListRow | undefined> {
  return reviewsWithNames(db)
    .where('reviews.assessor_organisation_id', '=', assessorOrganisationId)
    .where('reviews.label_id', '=', labelId)
    .where('reviews.status', '=', 'approved')
    .executeTakeFirst() as Promise<ReviewListRow | undefined>
}
