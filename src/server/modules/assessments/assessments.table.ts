import type { Selectable } from 'kysely'
import type { DeviceClass, Tier } from '../../../common/framework.ts'
import type { AnswerStatus, CarriedOver } from '../../../common/assessments.ts'
import type { ReviewStatus } from '../../../common/reviews.ts'

/** A manufacturer's self-assessment of one product version against one framework version. */
export interface AssessmentTable {
  id: string
  organisation_id: string
  product_id: string
  product_version_id: string
  framework_version: string
  device_class: DeviceClass
  target_tier: Tier
  /** The assessment whose answers this one started from. */
  reused_from: string | null
  /** JSON `AssessmentMigration` of the last move to another framework version. */
  migration: string | null
  /** The state of its latest review (null: never submitted); set by the reviews module. */
  review_status: ReviewStatus | null
  /** The label its approval issued. */
  label_id: string | null
  created_at: string
  updated_at: string
}
export type AssessmentRow = Selectable<AssessmentTable>

/** One requirement's answer; links are a JSON array of `EvidenceLink`. */
export interface AssessmentAnswerTable {
  assessment_id: string
  requirement_id: string
  status: AnswerStatus | null
  explanation: string | null
  justification: string | null
  compensating_measures: string | null
  links: string
  /** Set while an answer taken from elsewhere awaits confirmation. */
  carried_over: CarriedOver | null
  /** Where it came from: the previous assessment id, or the old requirement id(s). */
  carried_from: string | null
  revision: number
  updated_at: string
}
export type AssessmentAnswerRow = Selectable<AssessmentAnswerTable>

/** File content, stored once by hash. */
export interface EvidenceBlobTable {
  sha256: string
  size: number
  media_type: string
  created_at: string
}
export type EvidenceBlobRow = Selectable<EvidenceBlobTable>

/** An uploaded evidence file attached to one requirement of an assessment. */
export interface AssessmentFileTable {
  id: string
  assessment_id: string
  requirement_id: string
  sha256: string
  file_name: string
  /** YYYY-MM-DD */
  evidence_date: string
  expires_on: string | null
  created_at: string
}
export type AssessmentFileRow = Selectable<AssessmentFileTable>
