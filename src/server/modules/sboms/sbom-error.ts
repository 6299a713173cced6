import { AppError } from '../../../common/errors.ts'

/** Why an SBOM was refused; `details.reason` on the error. */
export type SbomErrorReason =
  | 'too_large'
  | 'too_many_components'
  | 'too_deep'
  | 'not_json'
  | 'unsupported_format'
  | 'schema_invalid'

export interface SbomProblem {
  /** JSON pointer into the uploaded document ('' is the whole document). */
  pointer: string
  message: string
}

export interface SbomErrorDetails {
  reason: SbomErrorReason
  fileName?: string
  /** What the file turned out to be, e.g. "CycloneDX 1.2 JSON" or "SPDX tag-value". */
  found?: string
  supported: readonly string[]
  /** Schema problems, at most `limits.maxProblems` of them. */
  problems?: SbomProblem[]
  problemCount?: number
  limit?: number
  actual?: number
}

export const SUPPORTED_SBOM_FORMATS = [
  'CycloneDX 1.4 JSON',
  'CycloneDX 1.5 JSON',
  'CycloneDX 1.6 JSON',
  'SPDX 2.2 JSON',
  'SPDX 2.3 JSON',
] as const

/**
 * The one error `parseSbom` throws on purpose. Limits map to `payload_too_large`, everything
 * else to `validation_failed`; `details` says what was found and what is supported.
 */
export class SbomError extends AppError {
  declare readonly details: SbomErrorDetails
  readonly reason: SbomErrorReason

  constructor(message: string, details: Omit<SbomErrorDetails, 'supported'>) {
    const tooBig = ['too_large', 'too_many_components'].includes(details.reason)
    super(tooBig ? 'payload_too_large' : 'validation_failed', message, {
      details: { ...details, supported: SUPPORTED_SBOM_FORMATS },
    })
    this.name = 'SbomError'
    this.reason = details.reason
  }
}

export function isSbomError(error: unknown): error is SbomError {
  return error instanceof SbomError
}
