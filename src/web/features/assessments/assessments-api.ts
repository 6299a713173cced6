/** Query keys and paths of the assessments feature (docs/assessments.md). */
export const assessmentsKey = (orgId: string) => ['assessments', orgId] as const
export const versionAssessmentsKey = (orgId: string, versionId: string) =>
  ['assessments', orgId, 'version', versionId] as const
export const assessmentKey = (orgId: string, assessmentId: string) =>
  ['assessments', orgId, 'assessment', assessmentId] as const

export const assessmentsPath = (orgId: string) => `/organisations/${orgId}/assessments`
export const assessmentPath = (orgId: string, assessmentId: string) =>
  `${assessmentsPath(orgId)}/${assessmentId}`

/** Pages of the web app. */
export const versionPagePath = (orgId: string, productId: string, versionId: string) =>
  `/products/${orgId}/${productId}/versions/${versionId}`
export const assessmentPagePath = (orgId: string, assessmentId: string) =>
  `/assessments/${orgId}/${assessmentId}`
