import type { FastifyReply } from 'fastify'

/**
 * Answers with a file to save rather than to open: its media type and its name, encoded as
 * RFC 6266 / RFC 8187 say so that any character in the name survives.
 */
export function sendDownload(
  reply: FastifyReply,
  file: { mediaType: string; fileName: string },
  bytes: Buffer | string,
): FastifyReply {
  return reply
    .header('content-type', file.mediaType)
    .header(
      'content-disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    )
    .send(bytes)
}
