import type { Db } from '../../db/database.ts'
import type {
  AssessmentAnswerRow,
  AssessmentFileRow,
  AssessmentRow,
  EvidenceBlobRow,
} from './assessments.table.ts'

// ---- assessments

export type AssessmentListRow = AssessmentRow & { product_name: string; product_version: string }

export async function insertAssessment(db: Db, row: AssessmentRow): Promise<void> {
  await db.insertInto('assessments').values(row).execute()
}

/** An assessment of the organisation (never another organisation's, whatever the id). */
export async function findAssessment(
  db: Db,
  organisationId: string,
  assessmentId: string,
): Promise<AssessmentListRow | undefined> {
  return db
    .selectFrom('assessments')
    .innerJoin('products', 'products.id', 'assessments.product_id')
    .innerJoin('product_versions', 'product_versions.id', 'assessments.product_version_id')
    .selectAll('assessments')
    .select(['products.name as product_name', 'product_versions.version as product_version'])
    .where('assessments.organisation_id', '=', organisationId)
    .where('assessments.id', '=', assessmentId)
    .executeTakeFirst()
}

export async function listAssessmentRows(
  db: Db,
  organisationId: string,
  productVersionId?: string,
): Promise<AssessmentListRow[]> {
  let query = db
    .selectFrom('assessments')
    .innerJoin('products', 'products.id', 'assessments.product_id')
    .innerJoin('product_versions', 'product_versions.id', 'assessments.product_version_id')
    .selectAll('assessments')
    .select(['products.name as product_name', 'product_versions.version as product_version'])
    .where('assessments.organisation_id', '=', organisationId)
  if (productVersionId) query = query.where('assessments.product_version_id', '=', productVersionId)
  return query.orderBy('assessments.created_at', 'desc').orderBy('assessments.id').execute()
}

export async function updateAssessmentRow(
  db: Db,
  id: string,
  changes: Partial<
    Pick<
      AssessmentRow,
      'framework_version' | 'migration' | 'updated_at' | 'review_status' | 'label_id'
    >
  >,
): Promise<void> {
  await db.updateTable('assessments').set(changes).where('id', '=', id).execute()
}

// ---- answers

export async function listAnswerRows(db: Db, assessmentId: string): Promise<AssessmentAnswerRow[]> {
  return db
    .selectFrom('assessment_answers')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .orderBy('requirement_id')
    .execute()
}

export async function findAnswerRow(
  db: Db,
  assessmentId: string,
  requirementId: string,
): Promise<AssessmentAnswerRow | undefined> {
  return db
    .selectFrom('assessment_answers')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .where('requirement_id', '=', requirementId)
    .executeTakeFirst()
}

export async function insertAnswerRows(db: Db, rows: AssessmentAnswerRow[]): Promise<void> {
  if (rows.length === 0) return
  await db.insertInto('assessment_answers').values(rows).execute()
}

export async function updateAnswerRow(
  db: Db,
  assessmentId: string,
  requirementId: string,
  changes: Partial<Omit<AssessmentAnswerRow, 'assessment_id' | 'requirement_id'>>,
): Promise<void> {
  await db
    .updateTable('assessment_answers')
    .set(changes)
    .where('assessment_id', '=', assessmentId)
    .where('requirement_id', '=', requirementId)
    .execute()
}

export async function deleteAnswerRows(db: Db, assessmentId: string): Promise<void> {
  await db.deleteFrom('assessment_answers').where('assessment_id', '=', assessmentId).execute()
}

// ---- evidence files

export type AssessmentFileListRow = AssessmentFileRow & Pick<EvidenceBlobRow, 'size' | 'media_type'>

export async function findBlob(db: Db, sha256: string): Promise<EvidenceBlobRow | undefined> {
  return db.selectFrom('evidence_blobs').selectAll().where('sha256', '=', sha256).executeTakeFirst()
}

export async function insertBlob(db: Db, row: EvidenceBlobRow): Promise<void> {
  await db.insertInto('evidence_blobs').values(row).execute()
}

export async function insertFileRows(db: Db, rows: AssessmentFileRow[]): Promise<void> {
  if (rows.length === 0) return
  await db.insertInto('assessment_files').values(rows).execute()
}

export async function listFileRows(db: Db, assessmentId: string): Promise<AssessmentFileListRow[]> {
  return db
    .selectFrom('assessment_files')
    .innerJoin('evidence_blobs', 'evidence_blobs.sha256', 'assessment_files.sha256')
    .selectAll('assessment_files')
    .select(['evidence_blobs.size', 'evidence_blobs.media_type'])
    .where('assessment_files.assessment_id', '=', assessmentId)
    .orderBy('assessment_files.created_at')
    .orderBy('assessment_files.id')
    .execute()
}

export async function findFileRow(
  db: Db,
  assessmentId: string,
  fileId: string,
): Promise<AssessmentFileListRow | undefined> {
  return db
    .selectFrom('assessment_files')
    .innerJoin('evidence_blobs', 'evidence_blobs.sha256', 'assessment_files.sha256')
    .selectAll('assessment_files')
    .select(['evidence_blobs.size', 'evidence_blobs.media_type'])
    .where('assessment_files.assessment_id', '=', assessmentId)
    .where('assessment_files.id', '=', fileId)
    .executeTakeFirst()
}

export async function deleteFileRow(db: Db, fileId: string): Promise<void> {
  await db.deleteFrom('assessment_files').where('id', '=', fileId).execute()
}

export async function deleteFileRows(db: Db, assessmentId: string): Promise<void> {
  await db.deleteFrom('assessment_files').where('assessment_id', '=', assessmentId).execute()
}
