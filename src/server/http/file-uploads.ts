import type { FastifyInstance, FastifyRequest } from 'fastify'
import { FILE_NAME_HEADER } from '../../common/assessments.ts'
import { AppError } from '../../common/errors.ts'

/**
 * Makes a route scope take a file itself as the body, byte for byte (JSON included, so the bytes
 * stay as sent and hash the same): only `contentTypes`, up to `bodyLimit`; any other content type
 * is refused with a message naming `what` is expected.
 */
export function acceptFileBody(
  scope: FastifyInstance,
  options: { contentTypes: readonly string[]; bodyLimit: number; what: string },
): void {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser(
    [...options.contentTypes],
    { parseAs: 'buffer', bodyLimit: options.bodyLimit },
    (_request, body, done) => done(null, body),
  )
  scope.addContentTypeParser('*', (request, _payload, done) =>
    done(
      new AppError(
        'malformed_request',
        `Send the ${options.what} as the body with the content type ${options.contentTypes.join(', ')}; got ${request.headers['content-type'] ?? 'none'}.`,
      ),
    ),
  )
}

/** The file name sent in the x-file-name header (percent-encoded UTF-8); undefined when absent or undecodable. */
export function fileNameFromHeader(request: FastifyRequest): string | undefined {
  const header = request.headers[FILE_NAME_HEADER]
  if (typeof header !== 'string' || header === '') return undefined
  try {
    return decodeURIComponent(header)
  } catch {
    return undefined
  }
}
