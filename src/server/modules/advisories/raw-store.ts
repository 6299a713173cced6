import fs from 'node:fs'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'

/**
 * Each advisory's record as read, gzipped once per SHA-256 under
 * `<DATA_DIR>/advisories/<first two hex digits>/<sha256>.json.gz`. Written before the batch that
 * refers to it commits; a file left by a batch that rolled back is harmless (it is the same
 * bytes the next import would write). Not flushed to disk one by one: the source still has it.
 */

export function rawPath(dataDir: string, sha256: string): string {
  return path.join(dataDir, 'advisories', sha256.slice(0, 2), `${sha256}.json.gz`)
}

export function writeRaw(dataDir: string, sha256: string, bytes: Buffer): void {
  const target = rawPath(dataDir, sha256)
  if (fs.existsSync(target)) return
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const temporary = `${target}.${process.pid}.tmp`
  fs.writeFileSync(temporary, gzipSync(bytes, { level: 1 }), { mode: 0o600 })
  fs.renameSync(temporary, target)
}

/** The record's bytes, or undefined when the file is not there. */
export function readRaw(dataDir: string, sha256: string): Buffer | undefined {
  try {
    return gunzipSync(fs.readFileSync(rawPath(dataDir, sha256)))
  } catch {
    return undefined
  }
}
