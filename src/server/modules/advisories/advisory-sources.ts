import fs from 'node:fs'
import path from 'node:path'
import yauzl from 'yauzl'
import { AppError } from '../../../common/errors.ts'
import type { AdvisoryProblem, ImportFormat, ReadOutcome } from './advisory.types.ts'
import { readCsafDocument } from './csaf-reader.ts'
import { isRecord, parseJsonBytes } from './json-input.ts'
import { readKevCatalogue } from './kev-reader.ts'
import { readOsvRecord } from './osv-reader.ts'

/**
 * Where advisories come from: a single file, a directory (walked for `*.json`, symlinks not
 * followed), a zip archive of records (as OSV publishes per ecosystem) or a CSAF provider's ROLIE
 * feed whose documents are on disk beside it. Each yields documents one at a time, so a large
 * archive is never held in memory whole; what cannot be read is yielded as a failure of that file.
 */

export const SOURCE_LIMITS = {
  /** Largest single JSON file or zip entry read. */
  maxDocumentBytes: 64 * 1024 * 1024,
  /** Deepest JSON nesting read (checked before schema validation, which recurses). */
  maxDepth: 128,
}

export interface SourceDocument {
  /** The file as shown in problems: relative to the source for directories, feeds and zips. */
  path: string
  bytes: Buffer
}

export interface SourceFailure {
  path: string
  message: string
}

export type SourceItem = SourceDocument | SourceFailure

export interface OpenedSource {
  kind: 'file' | 'directory' | 'zip' | 'rolie'
  /** How many items it will yield (for progress), when known. */
  total: number
  items(): AsyncGenerator<SourceItem>
}

const isZip = (head: Buffer) =>
  head.length >= 4 &&
  head[0] === 0x50 &&
  head[1] === 0x4b &&
  (head[2] === 0x03 || head[2] === 0x05) &&
  (head[3] === 0x04 || head[3] === 0x06)

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r')
  try {
    const head = Buffer.alloc(4)
    const read = fs.readSync(fd, head, 0, 4, 0)
    return head.subarray(0, read)
  } finally {
    fs.closeSync(fd)
  }
}

function readFileLimited(file: string): Buffer | string {
  const size = fs.statSync(file).size
  if (size > SOURCE_LIMITS.maxDocumentBytes) {
    return `larger than ${SOURCE_LIMITS.maxDocumentBytes} bytes (${size})`
  }
  return fs.readFileSync(file)
}

/** Every `*.json` file under `dir`, sorted, without following symbolic links. */
function listJsonFiles(dir: string): string[] {
  const files: string[] = []
  const pending = [dir]
  while (pending.length > 0) {
    const current = pending.pop()!
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) pending.push(full)
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) files.push(full)
    }
  }
  return files.sort()
}

function openDirectory(dir: string): OpenedSource {
  const files = listJsonFiles(dir)
  return {
    kind: 'directory',
    total: files.length,
    async *items() {
      for (const file of files) {
        const shown = path.relative(dir, file)
        try {
          const bytes = readFileLimited(file)
          yield typeof bytes === 'string' ? { path: shown, message: bytes } : { path: shown, bytes }
        } catch (error) {
          yield { path: shown, message: `cannot be read: ${(error as Error).message}` }
        }
      }
    },
  }
}

function openZipFile(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, strictFileNames: false },
      (error, zip) => {
        if (error) reject(error)
        else resolve(zip)
      },
    )
  })
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error)
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('error', reject)
      stream.on('end', () => resolve(Buffer.concat(chunks)))
    })
  })
}

async function openZip(file: string): Promise<OpenedSource> {
  let zip: yauzl.ZipFile
  try {
    zip = await openZipFile(file)
  } catch (error) {
    throw new AppError(
      'validation_failed',
      `${file} is not a readable zip archive: ${(error as Error).message}`,
      { details: { path: file } },
    )
  }
  return {
    kind: 'zip',
    total: zip.entryCount,
    async *items() {
      try {
        for (;;) {
          const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
            const onEntry = (e: yauzl.Entry) => {
              zip.off('end', onEnd).off('error', onError)
              resolve(e)
            }
            const onEnd = () => {
              zip.off('entry', onEntry).off('error', onError)
              resolve(undefined)
            }
            const onError = (error: Error) => {
              zip.off('entry', onEntry).off('end', onEnd)
              reject(error)
            }
            zip.once('entry', onEntry).once('end', onEnd).once('error', onError)
            zip.readEntry()
          }).catch((error: unknown) => {
            throw new AppError(
              'validation_failed',
              `${file} is a corrupt zip archive: ${(error as Error).message}`,
              { details: { path: file } },
            )
          })
          if (!entry) return
          if (entry.fileName.endsWith('/') || !entry.fileName.toLowerCase().endsWith('.json')) {
            continue
          }
          if (entry.uncompressedSize > SOURCE_LIMITS.maxDocumentBytes) {
            yield {
              path: entry.fileName,
              message: `larger than ${SOURCE_LIMITS.maxDocumentBytes} bytes (${entry.uncompressedSize})`,
            }
            continue
          }
          try {
            yield { path: entry.fileName, bytes: await readEntry(zip, entry) }
          } catch (error) {
            yield { path: entry.fileName, message: `cannot be read: ${(error as Error).message}` }
          }
        }
      } finally {
        zip.close()
      }
    },
  }
}

/** Whether a parsed JSON value is a ROLIE feed (`{ feed: { entry: [...] } }`). */
export function isRolieFeed(value: unknown): value is { feed: Record<string, unknown> } {
  return isRecord(value) && isRecord(value.feed) && Array.isArray(value.feed.entry)
}

function linkOf(links: unknown, rel: string): string | undefined {
  if (!Array.isArray(links)) return undefined
  const link: unknown = links.find(
    (l) => isRecord(l) && l.rel === rel && typeof l.href === 'string',
  )
  return isRecord(link) ? (link.href as string) : undefined
}

/**
 * The local file a feed entry's address refers to: the address relative to the feed's own
 * (`rel: self`) address, resolved against the feed file's folder. Anything that would leave
 * that folder (another host, `..`, a symbolic link pointing out) is refused.
 */
export function resolveFeedEntry(
  feedDir: string,
  feedSelf: string | undefined,
  href: string,
): { file: string } | { error: string } {
  let relative: string
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
      if (!feedSelf) return { error: `absolute link ${href} in a feed without a "self" link` }
      const base = new URL(feedSelf)
      const target = new URL(href)
      const baseFolder = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1)
      if (target.origin !== base.origin || !target.pathname.startsWith(baseFolder)) {
        return { error: `link ${href} is outside the feed's folder` }
      }
      relative = decodeURIComponent(target.pathname.slice(baseFolder.length))
    } else {
      relative = decodeURIComponent(href.split(/[?#]/)[0]!)
    }
  } catch {
    return { error: `link ${href} is not a valid address` }
  }
  const root = path.resolve(feedDir)
  const file = path.resolve(root, relative)
  if (relative.includes('\0') || !file.startsWith(root + path.sep)) {
    return { error: `link ${href} is outside the feed's folder` }
  }
  if (fs.existsSync(file)) {
    const real = fs.realpathSync(file)
    if (!real.startsWith(fs.realpathSync(root) + path.sep)) {
      return { error: `link ${href} leads outside the feed's folder` }
    }
  }
  return { file }
}

function openFeed(file: string, feed: Record<string, unknown>): OpenedSource {
  const dir = path.dirname(file)
  const self = linkOf(feed.link, 'self')
  const entries = feed.entry as unknown[]
  return {
    kind: 'rolie',
    total: entries.length,
    async *items() {
      for (const [index, entry] of entries.entries()) {
        const where = `${path.basename(file)}#/feed/entry/${index}`
        const href = isRecord(entry)
          ? ((isRecord(entry.content) && typeof entry.content.src === 'string'
              ? entry.content.src
              : undefined) ?? linkOf(entry.link, 'self'))
          : undefined
        if (!href) {
          yield { path: where, message: 'entry has no content.src or self link' }
          continue
        }
        const resolved = resolveFeedEntry(dir, self, href)
        if ('error' in resolved) {
          yield { path: where, message: resolved.error }
          continue
        }
        const shown = path.relative(dir, resolved.file)
        if (!fs.existsSync(resolved.file)) {
          yield { path: shown, message: `listed in the feed (${href}) but not on disk` }
          continue
        }
        try {
          const bytes = readFileLimited(resolved.file)
          yield typeof bytes === 'string' ? { path: shown, message: bytes } : { path: shown, bytes }
        } catch (error) {
          yield { path: shown, message: `cannot be read: ${(error as Error).message}` }
        }
      }
    },
  }
}

/**
 * Opens a path for import. A zip archive is recognised by its first bytes; a JSON file that is a
 * ROLIE feed is followed (unless the format asked for is not CSAF).
 * @throws not_found when the path does not exist; validation_failed for an unreadable zip or feed
 */
export async function openSource(location: string, format: ImportFormat): Promise<OpenedSource> {
  let stat: fs.Stats
  try {
    stat = fs.statSync(location)
  } catch {
    throw new AppError('not_found', `${location} does not exist or cannot be read`, {
      details: { path: location },
    })
  }
  if (stat.isDirectory()) return openDirectory(location)
  if (!stat.isFile()) {
    throw new AppError('validation_failed', `${location} is neither a file nor a directory`)
  }
  if (isZip(readHead(location))) return openZip(location)
  const shown = path.basename(location)
  if (format === 'auto' || format === 'csaf') {
    const bytes = readFileLimited(location)
    if (typeof bytes === 'string') {
      throw new AppError('validation_failed', `${location} is ${bytes}`, {
        details: { path: location },
      })
    }
    const json = parseJsonBytes(bytes)
    if (json.ok && isRolieFeed(json.value)) return openFeed(location, json.value.feed)
    return {
      kind: 'file',
      total: 1,
      async *items() {
        yield { path: shown, bytes }
      },
    }
  }
  return {
    kind: 'file',
    total: 1,
    async *items() {
      try {
        const bytes = readFileLimited(location)
        yield typeof bytes === 'string' ? { path: shown, message: bytes } : { path: shown, bytes }
      } catch (error) {
        yield { path: shown, message: `cannot be read: ${(error as Error).message}` }
      }
    },
  }
}

/** Whether a JSON value nests deeper than `max` (checked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (typeof current !== 'object' || current === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}

/** What a parsed JSON value is, by its content. */
export function detectFormat(
  value: unknown,
): 'osv' | 'osv-list' | 'csaf' | 'kev' | 'rolie' | undefined {
  if (Array.isArray(value)) {
    return value.length > 0 && value.every((v) => isRecord(v) && 'id' in v && 'modified' in v)
      ? 'osv-list'
      : undefined
  }
  if (!isRecord(value)) return undefined
  if (isRecord(value.document) && 'csaf_version' in value.document) return 'csaf'
  if ('catalogVersion' in value && Array.isArray(value.vulnerabilities)) return 'kev'
  if (isRolieFeed(value)) return 'rolie'
  if ('id' in value && 'modified' in value) return 'osv'
  return undefined
}

const FORMAT_NAMES = {
  osv: 'an OSV record',
  'osv-list': 'a list of OSV records',
  csaf: 'a CSAF document',
  kev: 'a KEV catalogue',
  rolie: 'a ROLIE feed',
}

/**
 * Reads one document's bytes into advisories and problems, detecting the format by content when
 * `format` is `auto`. Never throws: anything wrong is a problem of this file.
 */
export function readDocument(bytes: Buffer, file: string, format: ImportFormat): ReadOutcome {
  const fail = (pointer: string, message: string): ReadOutcome => ({
    advisories: [],
    problems: [{ path: file, pointer, message }],
  })
  try {
    const json = parseJsonBytes(bytes)
    if (!json.ok) return fail('', json.message)
    if (nestsDeeperThan(json.value, SOURCE_LIMITS.maxDepth)) {
      return fail('', `nests deeper than ${SOURCE_LIMITS.maxDepth} levels`)
    }
    const detected = detectFormat(json.value)
    if (!detected) {
      return fail('', 'is not an OSV record, a CSAF document or a KEV catalogue')
    }
    if (detected === 'rolie') {
      return {
        advisories: [],
        problems: [
          {
            path: file,
            pointer: '',
            message:
              'a ROLIE feed inside a directory or archive is skipped; import the feed file itself to follow it',
            level: 'warning',
          },
        ],
      }
    }
    const wanted = detected === 'osv-list' ? 'osv' : detected
    if (format !== 'auto' && format !== wanted) {
      return fail('', `expected ${FORMAT_NAMES[format]}, found ${FORMAT_NAMES[detected]}`)
    }
    switch (detected) {
      case 'osv':
        return readOsvRecord(json.value, bytes, file)
      case 'osv-list': {
        const outcome: ReadOutcome = { advisories: [], problems: [] }
        ;(json.value as unknown[]).forEach((record, index) => {
          const one = readOsvRecord(record, Buffer.from(JSON.stringify(record)), file, `/${index}`)
          outcome.advisories.push(...one.advisories)
          outcome.problems.push(...one.problems)
        })
        return outcome
      }
      case 'csaf':
        return readCsafDocument(json.value, bytes, file)
      case 'kev':
        return readKevCatalogue(json.value, file)
    }
  } catch (error) {
    // The readers do not throw on any input we know of; should one, the file is reported.
    return fail('', `could not be read: ${(error as Error).message}`)
  }
}

export type { AdvisoryProblem }
