import type { Selectable } from 'kysely'
import type { ReviewStatus, Verdict } from '../../../common/reviews.ts'
import type { Tier, VerificationStrength } from '../../../common/framework.ts'

/** One submission of an assessment to an assessor organisation, from submission to its end. */
export interface ReviewTable {
  id: string
  assessment_id: string
  /** The manufacturer organisation (the assessment's). */
  organisation_id: string
  assessor_organisation_id: string
  status: ReviewStatus
  /** 1 on submission, one more on each resubmission. */
  round: number
  /** The last message: the manufacturer's on (re)submission, the assessor's on a decision. */
  message: string | null
  tier_granted: Tier | null
  verification_strength: VerificationStrength | null
  label_id: string | null
  submitted_at: string
  decided_at: string | null
  created_at: string
  updated_at: string
}
export type ReviewRow = Selectable<ReviewTable>

/** The assessor's verdict on one requirement, with the finding behind it. */
export interface ReviewVerdictTable {
  review_id: string
  requirement_id: string
  verdict: Verdict
  finding: string | null
  /** The review round the verdict was last recorded in. */
  round: number
  updated_at: string
}
export type ReviewVerdictRow = Selectable<ReviewVerdictTable>
