/**
 * The vocabulary of manufacturers' self-assessments (docs/assessments.md), shared by the server
 * and the web app.
 */

/** How a product version stands against one requirement. */
export const ANSWER_STATUSES = ['met', 'partially-met', 'not-met', 'not-applicable'] as const
export type AnswerStatus = (typeof ANSWER_STATUSES)[number]

export const ANSWER_STATUS_LABELS: Record<AnswerStatus, string> = {
  met: 'Met',
  'partially-met': 'Partially met',
  'not-met': 'Not met',
  'not-applicable': 'Not applicable',
}

/**
 * Where an answer awaiting confirmation came from: another assessment (`reuse`) or the previous
 * framework version of this one (`migration`). Saving the answer confirms it.
 */
export const CARRIED_OVER = ['reuse', 'migration'] as const
export type CarriedOver = (typeof CARRIED_OVER)[number]

/** Evidence file types, recognised by their content (never by name or declared type). */
export const EVIDENCE_MEDIA_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/plain',
  'text/csv',
  'application/json',
  'application/zip',
] as const
export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[number]

/** The header that carries an uploaded file's name (percent-encoded UTF-8). */
export const FILE_NAME_HEADER = 'x-file-name'

export const ASSESSMENT_LIMITS = {
  text: 10_000,
  title: 200,
  fileName: 200,
  links: 20,
} as const
