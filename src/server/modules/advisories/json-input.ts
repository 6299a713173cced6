import { createHash } from 'node:crypto'

/** Helpers the readers share: decoding bytes into JSON without ever throwing. */

export type JsonOutcome = { ok: true; value: unknown } | { ok: false; message: string }

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * The JSON value in `bytes` (UTF-8, with or without a byte order mark), or why there is none.
 * Never throws.
 */
export function parseJsonBytes(bytes: Uint8Array): JsonOutcome {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    return { ok: false, message: 'not UTF-8 text' }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  if (text.trim() === '') return { ok: false, message: 'empty file' }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${(error as Error).message}` }
  }
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined

export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])

export const strings = (value: unknown): string[] =>
  arr(value).filter((v): v is string => typeof v === 'string' && v !== '')

/** An instant as ISO-8601 UTC with milliseconds, or undefined when it is not one. */
export function isoInstant(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : new Date(time).toISOString()
}

const SEVERITIES = new Map([
  ['critical', 'critical'],
  ['high', 'high'],
  ['important', 'high'],
  ['moderate', 'medium'],
  ['medium', 'medium'],
  ['low', 'low'],
  ['none', 'none'],
])

/** A qualitative severity word in our spelling (critical/high/medium/low/none). */
export function normaliseSeverity(value: unknown): string | undefined {
  return typeof value === 'string' ? SEVERITIES.get(value.trim().toLowerCase()) : undefined
}

/** The qualitative rating of a CVSS v3/v4 base score (FIRST's table). */
export function severityOfScore(score: number): string {
  if (score >= 9) return 'critical'
  if (score >= 7) return 'high'
  if (score >= 4) return 'medium'
  if (score > 0) return 'low'
  return 'none'
}

/** Lower-case, whitespace collapsed and trimmed: the plain normal form of a vendor or product. */
export function normaliseName(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()
}
