import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { AppError, type ErrorCode } from '../../common/errors.ts'
import { applyResponseHeaders } from './security-headers.ts'

/** The one table from error codes to HTTP statuses. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  malformed_request: 400,
  payload_too_large: 413,
  unsupported_file_type: 415,
  unauthorized: 401,
  forbidden: 403,
  access_not_declared: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  invalid_credentials: 401,
  account_locked: 429,
  two_factor_required: 401,
  two_factor_setup_required: 403,
  invalid_two_factor_code: 401,
  weak_password: 400,
  invalid_or_expired_link: 410,
  setup_already_done: 409,
  invalid_config: 500,
  service_unavailable: 503,
  audit_chain_broken: 500,
  internal_error: 500,
}

export interface ValidationIssue {
  /** Which part of the request: body, querystring, params or headers. */
  in: string
  /** JSON pointer to the offending value inside that part. */
  pointer: string
  message: string
}

interface SchemaIssue {
  instancePath?: string
  schemaPath?: string
  message?: string
  keyword?: string
  params?: Record<string, unknown>
}

/** TypeBox reports unknown and missing properties at their parent; point at the property itself. */
export function toValidationIssues(
  part: string,
  issues: readonly SchemaIssue[],
): ValidationIssue[] {
  return issues.flatMap((issue) => {
    // TypeBox reports an unknown property twice: as "schema is false" at the property and as
    // additionalProperties at its parent. Keep the second, which says what is wrong.
    if (issue.keyword === 'boolean' && issue.schemaPath?.endsWith('/additionalProperties')) {
      return []
    }
    const base = issue.instancePath ?? ''
    const named = (key: string) => {
      const value = issue.params?.[key]
      return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []
    }
    const escape = (name: string) => name.replaceAll('~', '~0').replaceAll('/', '~1')
    if (issue.keyword === 'additionalProperties') {
      const names = named('additionalProperties')
      if (names.length > 0) {
        return names.map((n) => ({
          in: part,
          pointer: `${base}/${escape(n)}`,
          message: 'is not an allowed field',
        }))
      }
    }
    if (issue.keyword === 'required') {
      const names = [...named('requiredProperties'), ...named('missingProperty')]
      if (names.length > 0) {
        return names.map((n) => ({
          in: part,
          pointer: `${base}/${escape(n)}`,
          message: 'is required',
        }))
      }
    }
    return [{ in: part, pointer: base, message: issue.message ?? 'is invalid' }]
  })
}

function fromFastifyError(error: FastifyError): AppError | undefined {
  if (error.validation) {
    const issues = toValidationIssues(
      error.validationContext ?? 'body',
      error.validation as SchemaIssue[],
    )
    const first = issues[0]
    const where = first ? ` ${first.in}${first.pointer || ''}` : ''
    return new AppError(
      'validation_failed',
      `The request is invalid:${where} ${first?.message ?? ''}`.trim(),
      { details: issues },
    )
  }
  const status = error.statusCode ?? 500
  if (status === 413) return new AppError('payload_too_large', 'The request body is too large.')
  if (status === 415) {
    return new AppError('malformed_request', 'Send the request body as application/json.')
  }
  if (status === 429) {
    return new AppError('rate_limited', 'Too many requests; slow down and try again shortly.')
  }
  if (status === 404) return new AppError('not_found', 'Not found')
  if (status >= 400 && status < 500) {
    return new AppError(
      'malformed_request',
      error.code?.startsWith('FST_ERR_CTP')
        ? `The request body is not valid JSON: ${error.message}`
        : error.message,
    )
  }
  return undefined
}

/** One place that turns errors into responses; unexpected ones are logged and hidden. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = error instanceof AppError ? error : fromFastifyError(error)
    if (!appError || appError.code === 'internal_error') {
      request.log.error({ err: error }, 'unexpected error')
      return reply
        .status(500)
        .send(new AppError('internal_error', 'Internal Server Error').toJSON())
    }
    const status = HTTP_STATUS[appError.code]
    if (status >= 500) request.log.error({ err: error }, appError.message)
    const retryAfter = (appError.details as { retryAfterSeconds?: number } | undefined)
      ?.retryAfterSeconds
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter))
    return reply.status(status).send(appError.toJSON())
  })
}

/**
 * Answers the errors Fastify's router raises before any hook or the error handler runs (an
 * undecodable URL, an over-long path parameter) in our error shape. Pass it as the
 * `frameworkErrors` option; Fastify's own answer echoes the URL in a different shape.
 */
export function answerFrameworkError(error: FastifyError, _request: unknown, reply: FastifyReply) {
  const appError =
    error.code === 'FST_ERR_BAD_URL'
      ? new AppError('malformed_request', 'The URL is not valid; check its percent-encoding.')
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new AppError('malformed_request', 'A value in the URL path is too long.')
        : new AppError('internal_error', 'Internal Server Error')
  if (appError.code === 'internal_error') reply.log.error({ err: error }, 'unexpected error')
  // No hook ran for this request, so its answer gets the common headers here.
  applyResponseHeaders(reply.request, reply)
  void reply.status(HTTP_STATUS[appError.code]).send(appError.toJSON())
}
