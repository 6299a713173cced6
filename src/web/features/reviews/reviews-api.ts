/** Query keys and paths of the review workflow (docs/assessments.md, section Review). */
export const assessmentReviewsKey = (orgId: string, assessmentId: string) =>
  ['assessments', orgId, 'assessment', assessmentId, 'reviews'] as const
export const assessorReviewsKey = (orgId: string) => ['reviews', orgId] as const
export const reviewKey = (orgId: string, reviewId: string) => ['reviews', orgId, reviewId] as const
export const notificationsKey = ['notifications'] as const
export const assessorsKey = ['assessors'] as const

export const assessmentReviewsPath = (orgId: string, assessmentId: string) =>
  `/organisations/${orgId}/assessments/${assessmentId}/reviews`
export const assessorReviewsPath = (orgId: string) => `/organisations/${orgId}/reviews`
export const reviewPath = (orgId: string, reviewId: string) =>
  `${assessorReviewsPath(orgId)}/${reviewId}`

/** Pages of the web app. */
export const reviewsPagePath = (orgId: string) => `/reviews/${orgId}`
export const reviewPagePath = (orgId: string, reviewId: string) => `/reviews/${orgId}/${reviewId}`
/** The issued label's public registry page. */
export const labelPagePath = (labelId: string) => `/registry/${labelId}`
