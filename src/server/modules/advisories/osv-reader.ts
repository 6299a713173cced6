import { parsePurl } from '../vulnerabilities/versions/purl.ts'
import { validateAgainst } from './advisory-schemas.ts'
import type {
  AdvisoryProblem,
  AdvisoryReference,
  CvssScore,
  OsvAdvisory,
  OsvAffectedEntry,
  ReadOutcome,
} from './advisory.types.ts'
import {
  arr,
  isoInstant,
  isRecord,
  normaliseSeverity,
  sha256Hex,
  str,
  strings,
} from './json-input.ts'

/**
 * Reads one OSV record (schema 1.7): validated against the vendored schema, then normalised
 * into an advisory and its `affected[]` entries ready for lookup by (ecosystem, name) and by purl.
 *
 * One tolerance, which real data needs: a GIT range whose events are not full 40-digit commit
 * hashes (7 PyPI records abbreviate them or append `.patch`) is a warning, not a refusal; the
 * evaluator answers "unknown" for such events rather than guessing.
 */

const GIT_RANGE_POINTER = /^\/affected\/(\d+)\/ranges\/(\d+)(?:\/|$)/

/** PEP 503 normalisation for PyPI names; other ecosystems keep the name as written. */
export function osvNameKey(ecosystemBase: string, name: string): string {
  return ecosystemBase === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name
}

function isToleratedGitProblem(record: Record<string, unknown>, pointer: string): boolean {
  const match = GIT_RANGE_POINTER.exec(pointer)
  if (!match) return false
  const affected = arr(record.affected)[Number(match[1])]
  const range = isRecord(affected) ? arr(affected.ranges)[Number(match[2])] : undefined
  return isRecord(range) && range.type === 'GIT'
}

function purlParts(purl: string | undefined) {
  if (!purl) return {}
  try {
    const parsed = parsePurl(purl)
    return {
      purlType: parsed.type,
      purlNamespace: parsed.namespace ?? '',
      purlName: parsed.name,
    }
  } catch {
    return {}
  }
}

function readAffected(value: unknown, index: number): OsvAffectedEntry | undefined {
  if (!isRecord(value) || !isRecord(value.package)) return undefined
  const ecosystem = str(value.package.ecosystem)
  const name = str(value.package.name)
  if (!ecosystem || !name) return undefined
  const ecosystemBase = ecosystem.split(':')[0]!
  const purl = str(value.package.purl)
  const severity = Array.isArray(value.severity) ? value.severity : undefined
  return {
    index,
    ecosystem,
    ecosystemBase,
    name,
    nameKey: osvNameKey(ecosystemBase, name),
    ...(purl ? { purl, ...purlParts(purl) } : {}),
    ranges: arr(value.ranges),
    versions: strings(value.versions),
    severity,
    databaseSpecific: value.database_specific,
    ecosystemSpecific: value.ecosystem_specific,
  }
}

function readSeverity(value: unknown): CvssScore[] {
  return arr(value).flatMap((s) =>
    isRecord(s) && typeof s.type === 'string' && typeof s.score === 'string'
      ? [{ type: s.type, vector: s.score }]
      : [],
  )
}

function readReferences(value: unknown): AdvisoryReference[] {
  return arr(value).flatMap((r) =>
    isRecord(r) && typeof r.url === 'string'
      ? [{ url: r.url, ...(typeof r.type === 'string' ? { type: r.type } : {}) }]
      : [],
  )
}

/**
 * Reads an OSV record already parsed from JSON. `raw` is the record's bytes as read (hashed and
 * kept); `path` names the file in problems, `base` the record's pointer within it.
 */
export function readOsvRecord(value: unknown, raw: Buffer, path: string, base = ''): ReadOutcome {
  const problems: AdvisoryProblem[] = []
  for (const problem of validateAgainst('osv', value, base)) {
    const tolerated =
      isRecord(value) && isToleratedGitProblem(value, problem.pointer.slice(base.length))
    problems.push({ path, ...problem, ...(tolerated ? { level: 'warning' as const } : {}) })
  }
  if (problems.some((p) => p.level !== 'warning') || !isRecord(value)) {
    return { advisories: [], problems }
  }
  const record = value
  const id = str(record.id)!
  const affected = arr(record.affected).flatMap((a, i) => readAffected(a, i) ?? [])
  const cvss = readSeverity(record.severity)
  for (const entry of affected) cvss.push(...readSeverity(entry.severity))
  const databaseSpecific = isRecord(record.database_specific) ? record.database_specific : {}
  const severity =
    normaliseSeverity(databaseSpecific.severity) ??
    affected
      .map((a) =>
        isRecord(a.databaseSpecific) ? normaliseSeverity(a.databaseSpecific.severity) : undefined,
      )
      .find((s) => s !== undefined)
  const withdrawnAt = isoInstant(record.withdrawn)
  const published = isoInstant(record.published)
  const modified = isoInstant(record.modified)
  const summary = str(record.summary)
  const details = str(record.details)
  const advisory: OsvAdvisory = {
    source: 'osv',
    advisoryId: id,
    aliases: [...new Set([...strings(record.aliases), ...strings(record.upstream)])].filter(
      (a) => a !== id,
    ),
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    ...(withdrawnAt ? { withdrawnAt } : {}),
    ...(summary ? { title: summary } : {}),
    ...(details ? { summary: details } : {}),
    ...(severity ? { severity } : {}),
    cvss,
    references: readReferences(record.references),
    contentHash: sha256Hex(raw),
    raw,
    affected,
  }
  return { advisories: [advisory], problems }
}
