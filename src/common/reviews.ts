/**
 * The vocabulary of reviews (docs/assessments.md, section Review), shared by the server and the
 * web app. Plain constants so that the web app may import them as values.
 */

/** Where a review stands. Submitted and approved freeze the assessment's answers. */
export const REVIEW_STATUSES = ['submitted', 'changes-requested', 'approved', 'withdrawn'] as const
export type ReviewStatus = (typeof REVIEW_STATUSES)[number]

export const REVIEW_STATUS_LABELS: Record<ReviewStatus, string> = {
  submitted: 'Submitted, with the assessor',
  'changes-requested': 'Changes requested',
  approved: 'Approved',
  withdrawn: 'Withdrawn',
}

/** Review states in which the manufacturer cannot change the answers. */
export const FROZEN_REVIEW_STATUSES: readonly ReviewStatus[] = ['submitted', 'approved']

/** The assessor's verdict on one requirement. */
export const VERDICTS = ['accepted', 'rejected', 'needs-info'] as const
export type Verdict = (typeof VERDICTS)[number]

export const VERDICT_LABELS: Record<Verdict, string> = {
  accepted: 'Accepted',
  rejected: 'Rejected',
  'needs-info': 'Needs information',
}

/**
 * The transitions that notify both sides (a review's, and its label's status changed by the
 * assessor), and a label's automatic expiry (the manufacturer).
 */
export const NOTIFICATION_KINDS = [
  'review.submitted',
  'review.changes_requested',
  'review.resubmitted',
  'review.approved',
  'review.withdrawn',
  'label.suspended',
  'label.reinstated',
  'label.revoked',
  'label.expired',
  /** The label policy's security warning appeared (docs/labels.md, "Label policy"). */
  'label.warning',
] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

export const REVIEW_LIMITS = { message: 4000, finding: 4000 }
