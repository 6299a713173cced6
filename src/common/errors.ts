/**
 * The platform's single error vocabulary. Every expected failure is an `AppError` with a stable,
 * documented snake_case code; the HTTP layer and the CLI each map codes to their own transport
 * (status codes, exit codes) in one table. The wire form is `{ "error": { code, message, details } }`.
 */

export const ERROR_CODES = [
  /** Request body, query or parameters did not match the route's schema. */
  'validation_failed',
  /** The request body was not valid JSON or had an unsupported content type. */
  'malformed_request',
  /** The request body exceeded the route's size limit. */
  'payload_too_large',
  /** An uploaded file's content is not one of the accepted types (docs/assessments.md). */
  'unsupported_file_type',
  /** No credentials were presented, or they are expired, revoked or forged. */
  'unauthorized',
  /** The caller is known but lacks the role or scope the route declares. */
  'forbidden',
  /** A route was registered without an access declaration; such routes are refused. */
  'access_not_declared',
  /** Cookie-authenticated write without a valid CSRF token. */
  'csrf_failed',
  'not_found',
  /** The change conflicts with the current state (duplicate, already used, wrong state). */
  'conflict',
  'rate_limited',
  /** Email and password did not match an account; deliberately the same for unknown users. */
  'invalid_credentials',
  /** Too many failed sign-ins for this account; try again after `details.retryAfterSeconds`. */
  'account_locked',
  /** Password sign-in succeeded; a TOTP code is needed to finish (see `details.challenge`). */
  'two_factor_required',
  /** The network requires two-factor sign-in for this user's role and it is not yet set up. */
  'two_factor_setup_required',
  'invalid_two_factor_code',
  /** The password is too short or too common. */
  'weak_password',
  /** A one-time link (setup, invitation) is unknown, used or expired. */
  'invalid_or_expired_link',
  /** The platform already has a network administrator; first-run setup is closed. */
  'setup_already_done',
  /** A configuration value is missing or invalid. */
  'invalid_config',
  /** A dependency (database, mail server) did not answer. */
  'service_unavailable',
  /** An audit log entry does not match its hash chain. */
  'audit_chain_broken',
  'internal_error',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown }
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: unknown

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.details = options.details
  }

  toJSON(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    }
  }

  /** Reads the wire form back into an AppError (web and CLI clients); anything else is `internal_error`. */
  static parse(body: unknown): AppError {
    const error = (body as Partial<ErrorBody> | null)?.error
    if (error && typeof error.message === 'string' && ERROR_CODES.includes(error.code)) {
      return new AppError(error.code, error.message, { details: error.details })
    }
    return new AppError('internal_error', 'Unexpected response from the server')
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code)
}
