import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { EvidenceMediaType } from '../../../common/assessments.ts'

/**
 * Evidence file content: recognised by its bytes and kept once per SHA-256 under
 * `<DATA_DIR>/evidence/<first two hex digits>/<sha256>`.
 */

const startsWith = (bytes: Buffer, signature: number[]) =>
  bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b)

/**
 * The type of a file from its first bytes: PDF, PNG, JPEG and ZIP by their signatures; JSON,
 * CSV and plain text when the whole file is UTF-8 without control characters other than tab,
 * line feed, carriage return and form feed. Anything else (executables, office files other than
 * ZIP-based ones, images of other formats) is `undefined`.
 */
export function detectEvidenceType(bytes: Buffer, fileName: string): EvidenceMediaType | undefined {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    return 'application/zip'
  }
  if (bytes.length === 0) return undefined
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return undefined
  const trimmed = text.trim()
  if (/^[[{]/.test(trimmed)) {
    try {
      JSON.parse(trimmed)
      return 'application/json'
    } catch {
      // Not JSON after all: plain text.
    }
  }
  return /\.csv$/i.test(fileName) ? 'text/csv' : 'text/plain'
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function blobPath(dataDir: string, sha256: string): string {
  return path.join(dataDir, 'evidence', sha256.slice(0, 2), sha256)
}

/**
 * Writes the bytes to their place unless a file is already there. Written to a temporary file
 * beside the target, flushed and renamed, so the target is either absent or complete.
 */
export async function writeBlob(dataDir: string, sha256: string, bytes: Buffer): Promise<void> {
  const target = blobPath(dataDir, sha256)
  if (fs.existsSync(target)) return
  await fs.promises.mkdir(path.dirname(target), { recursive: true })
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`
  const handle = await fs.promises.open(temporary, 'wx', 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.promises.rename(temporary, target)
  } catch (error) {
    await fs.promises.rm(temporary, { force: true })
    throw error
  }
}

export async function readBlob(dataDir: string, sha256: string): Promise<Buffer> {
  return fs.promises.readFile(blobPath(dataDir, sha256))
}
