import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { isSbomWarning } from '../../../common/api/sboms.ts'
import { countCycloneDxComponents, readCycloneDx, type Normalised } from './cyclonedx.ts'
import { asArray, isObject, type Json } from './normalise.ts'
import { SbomError, type SbomProblem } from './sbom-error.ts'
import { describeSchemaError, schemaValidator } from './sbom-schemas.ts'
import {
  type CycloneDxVersion,
  DEFAULT_SBOM_LIMITS,
  type ParsedSbom,
  type SbomComponent,
  type SbomFormat,
  type SbomLimits,
  type SbomNote,
  type SpdxVersion,
} from './sbom.types.ts'
import { readSpdx } from './spdx.ts'
import { SpdxTolerances } from './spdx-tolerances.ts'

const CYCLONEDX_VERSIONS: readonly string[] = ['1.4', '1.5', '1.6']
const SPDX_VERSIONS: readonly string[] = ['2.2', '2.3']
/** Notes beyond this many are summarised in one last note. */
const MAX_NOTES = 200

type Detected =
  { format: 'cyclonedx'; version: CycloneDxVersion } | { format: 'spdx'; version: SpdxVersion }

export interface ParseSbomOptions {
  limits?: Partial<SbomLimits>
}

/**
 * Detects, validates and normalises one SBOM file: CycloneDX 1.4–1.6 JSON or SPDX 2.2/2.3
 * JSON. Never throws anything but `SbomError` for bad input.
 * @throws SbomError (`payload_too_large`: too_large, too_many_components;
 *   `validation_failed`: too_deep, not_json, unsupported_format, schema_invalid)
 */
export function parseSbom(bytes: Buffer, fileName?: string, options: ParseSbomOptions = {}) {
  const limits: SbomLimits = { ...DEFAULT_SBOM_LIMITS, ...options.limits }
  const label = fileName ?? 'The SBOM'
  const base = fileName === undefined ? {} : { fileName }

  if (bytes.length > limits.maxBytes) {
    throw new SbomError(
      `${label} is ${bytes.length} bytes; the limit is ${limits.maxBytes} bytes.`,
      { ...base, reason: 'too_large', limit: limits.maxBytes, actual: bytes.length },
    )
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')

  const started = performance.now()
  const text = decode(bytes, label, base)
  const value = parseJson(text, label, base)
  const parseMs = performance.now() - started

  const depth = maxDepth(value, limits.maxDepth)
  if (depth > limits.maxDepth) {
    throw new SbomError(`${label} nests JSON deeper than ${limits.maxDepth} levels.`, {
      ...base,
      reason: 'too_deep',
      limit: limits.maxDepth,
    })
  }
  const detected = detect(value, label, base)
  const doc = value as Json
  const count =
    detected.format === 'cyclonedx' ? countCycloneDxComponents(doc) : asArray(doc.packages).length
  if (count > limits.maxComponents) {
    throw new SbomError(
      `${label} lists ${count} components; the limit is ${limits.maxComponents}.`,
      { ...base, reason: 'too_many_components', limit: limits.maxComponents, actual: count },
    )
  }

  const notes: SbomNote[] = []
  const validateStarted = performance.now()
  validate(doc, detected, limits, label, base, notes)
  const validateMs = performance.now() - validateStarted

  const normaliseStarted = performance.now()
  const normalised =
    detected.format === 'cyclonedx' ? readCycloneDx(doc, notes) : readSpdx(doc, notes)
  mergeDuplicates(normalised, notes)
  const normaliseMs = performance.now() - normaliseStarted

  const result: ParsedSbom = {
    sha256,
    byteLength: bytes.length,
    ...base,
    format: detected.format,
    specVersion: detected.version,
    ...normalised,
    notes: capNotes(notes),
    timings: { parseMs, validateMs, normaliseMs },
  }
  return result
}

function decode(bytes: Buffer, label: string, base: { fileName?: string }): string {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) {
      return new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2))
    }
    if (bytes[0] === 0xfe && bytes[1] === 0xff) {
      return new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2))
    }
    // The decoder drops a UTF-8 byte order mark itself.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new SbomError(`${label} is not UTF-8 text, so it is not a JSON SBOM.`, {
      ...base,
      reason: 'not_json',
      found: 'binary data',
    })
  }
}

function parseJson(text: string, label: string, base: { fileName?: string }): unknown {
  const start = text.trimStart()
  if (start.startsWith('<')) {
    const found = /cyclonedx\.org\/schema\/bom/u.test(text)
      ? 'CycloneDX XML'
      : /spdx\.org\/rdf/u.test(text)
        ? 'SPDX RDF/XML'
        : 'XML'
    throw unsupported(label, base, found)
  }
  if (/^SPDXVersion:/mu.test(start.slice(0, 4096))) {
    throw unsupported(label, base, 'SPDX tag-value')
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new SbomError(`${label} is not JSON (${reason}).`, {
      ...base,
      reason: 'not_json',
      found: start === '' ? 'an empty file' : 'text that is not JSON',
    })
  }
}

function unsupported(label: string, base: { fileName?: string }, found: string): SbomError {
  return new SbomError(
    `${label} is ${found}, which is not supported; upload CycloneDX 1.4–1.6 JSON or SPDX 2.2/2.3 JSON.`,
    { ...base, reason: 'unsupported_format', found },
  )
}

/** Deepest nesting of arrays and objects, walked without recursion; stops past `limit`. */
function maxDepth(value: unknown, limit: number): number {
  let deepest = 0
  const stack: [unknown, number][] = [[value, 1]]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item
    if (typeof node !== 'object' || node === null) continue
    if (depth > deepest) {
      deepest = depth
      if (deepest > limit) return deepest
    }
    const children = Array.isArray(node) ? node : Object.values(node)
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return deepest
}

function detect(value: unknown, label: string, base: { fileName?: string }): Detected {
  if (!isObject(value)) {
    throw unsupported(label, base, Array.isArray(value) ? 'a JSON array' : 'a JSON scalar')
  }
  if (
    'bomFormat' in value ||
    (typeof value.$schema === 'string' && value.$schema.includes('cyclonedx'))
  ) {
    const version = typeof value.specVersion === 'string' ? value.specVersion : undefined
    if (
      value.bomFormat === 'CycloneDX' &&
      version !== undefined &&
      CYCLONEDX_VERSIONS.includes(version)
    ) {
      return { format: 'cyclonedx', version: version as CycloneDxVersion }
    }
    const shown = version === undefined ? 'without specVersion' : version.slice(0, 20)
    throw unsupported(label, base, `CycloneDX ${shown} JSON`)
  }
  if ('spdxVersion' in value) {
    const match =
      typeof value.spdxVersion === 'string' ? /^SPDX-(\d+\.\d+)$/u.exec(value.spdxVersion) : null
    if (match?.[1] && SPDX_VERSIONS.includes(match[1])) {
      return { format: 'spdx', version: match[1] as SpdxVersion }
    }
    const shown =
      typeof value.spdxVersion === 'string' ? value.spdxVersion.slice(0, 20) : 'of unknown version'
    throw unsupported(label, base, `SPDX ${shown} JSON`)
  }
  if ('@context' in value && JSON.stringify(value['@context']).includes('spdx')) {
    throw unsupported(label, base, 'SPDX 3 JSON-LD')
  }
  const keys = Object.keys(value)
    .slice(0, 5)
    .map((k) => k.slice(0, 40))
  throw unsupported(
    label,
    base,
    keys.length === 0
      ? 'an empty JSON object'
      : `JSON that is neither CycloneDX nor SPDX (top-level keys: ${keys.join(', ')})`,
  )
}

function validate(
  doc: Json,
  detected: Detected,
  limits: SbomLimits,
  label: string,
  base: { fileName?: string },
  notes: SbomNote[],
): void {
  const validator = schemaValidator(detected.format, detected.version)
  try {
    if (validator(doc)) return
  } catch (error) {
    if (error instanceof RangeError) {
      throw new SbomError(`${label} nests too deeply to validate.`, { ...base, reason: 'too_deep' })
    }
    throw error
  }
  const problems: SbomProblem[] = []
  const seen = new Set<string>()
  // Only SPDX has a list of tolerated deviations (spdx-tolerances.ts); they become warnings.
  const tolerances =
    detected.format === 'spdx' ? new SpdxTolerances(doc, detected.version) : undefined
  const errors = validator.errors ?? []
  // A oneOf/anyOf that fails is reported once; the failures of each of its branches are noise.
  const alternatives = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .map((e) => `${e.schemaPath}/`)
  for (const error of errors) {
    if (alternatives.some((prefix) => error.schemaPath.startsWith(prefix))) continue
    if (tolerances?.tolerate(error)) continue
    const problem = describeSchemaError(error)
    const id = `${problem.pointer}\u0000${problem.message}`
    if (seen.has(id)) continue
    seen.add(id)
    problems.push(problem)
  }
  if (problems.length === 0) {
    if (tolerances) notes.push(...tolerances.warnings())
    return
  }
  const name = `${detected.format === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} ${detected.version}`
  const shown = problems.slice(0, limits.maxProblems)
  throw new SbomError(
    `${label} is not valid ${name} JSON: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
      shown
        .slice(0, 10)
        .map((p) => `  ${p.pointer || '/'}: ${p.message}`)
        .join('\n') +
      (problems.length > 10 ? `\n  … and ${problems.length - 10} more` : ''),
    {
      ...base,
      reason: 'schema_invalid',
      found: `${name} JSON`,
      problems: shown,
      problemCount: problems.length,
    },
  )
}

/**
 * Components with the same canonical purl and version become one: the first keeps its key and
 * gains the others' CPEs, hashes and licences; edges and children follow it.
 */
function mergeDuplicates(normalised: Normalised, notes: SbomNote[]): void {
  const firstByPurl = new Map<string, SbomComponent>()
  const replaced = new Map<string, string>()
  const kept: SbomComponent[] = []
  for (const component of normalised.components) {
    const purl = component.purlValid ? component.purl : undefined
    if (purl === undefined || component.isRoot) {
      kept.push(component)
      continue
    }
    // The canonical purl names its version; only a component whose own version differs needs both.
    const id =
      component.version === component.purlParts?.version
        ? purl
        : `${purl}\u0000${component.version ?? ''}`
    const first = firstByPurl.get(id)
    if (!first) {
      firstByPurl.set(id, component)
      kept.push(component)
      continue
    }
    replaced.set(component.key, first.key)
    first.mergedKeys = [...(first.mergedKeys ?? []), component.key]
    for (const cpe of component.cpes) if (!first.cpes.includes(cpe)) first.cpes.push(cpe)
    for (const hash of component.hashes) {
      if (!first.hashes.some((h) => h.algorithm === hash.algorithm && h.value === hash.value)) {
        first.hashes.push(hash)
      }
    }
    for (const licence of component.licenses) {
      if (!first.licenses.includes(licence)) first.licenses.push(licence)
    }
    first.supplier ??= component.supplier
    first.author ??= component.author
    first.type ??= component.type
    first.group ??= component.group
    first.pedigree ??= component.pedigree
    notes.push({
      code: 'duplicate_merged',
      message: `${component.key} repeats ${purl} and was merged into ${first.key}`,
      pointer: component.pointer,
    })
  }
  if (replaced.size === 0) return
  const resolve = (key: string): string => replaced.get(key) ?? key
  for (const component of kept) {
    if (component.parentKey !== undefined) component.parentKey = resolve(component.parentKey)
  }
  const seen = new Set<string>()
  normalised.dependencies = normalised.dependencies
    .map((d) => ({ ...d, from: resolve(d.from), to: resolve(d.to) }))
    .filter((d) => {
      const id = `${d.kind}\u0000${d.from}\u0000${d.to}`
      if (d.from === d.to || seen.has(id)) return false
      seen.add(id)
      return true
    })
  normalised.components = kept
}

function capNotes(notes: SbomNote[]): SbomNote[] {
  if (notes.length <= MAX_NOTES) return notes
  // Warnings (at most one per kind, and first) always stay; the other notes are cut.
  const warnings = notes.filter((n) => isSbomWarning(n))
  const others = notes.filter((n) => !isSbomWarning(n))
  const room = MAX_NOTES - 1 - warnings.length
  return [
    ...warnings,
    ...others.slice(0, room),
    {
      code: others[room]?.code ?? 'duplicate_merged',
      message: `… and ${others.length - room} more notes`,
    },
  ]
}

export type { SbomFormat }
