import { AppError } from '../../../common/errors.ts'
import { arr, isRecord, parseJsonBytes, sha256Hex, str, strings } from '../advisories/json-input.ts'
import { validateAgainst } from '../advisories/advisory-schemas.ts'
import { describeSchemaError, schemaValidator } from '../sboms/sbom-schemas.ts'
import type { CycloneDxVersion } from '../sboms/sbom.types.ts'
import {
  flattenProductTree,
  resolveVulnerabilities,
  type CsafLeaf,
} from '../vulnerabilities/matching/csaf/product-tree.ts'
import { canonicalisePurl } from '../vulnerabilities/versions/purl.ts'
import { csafLabelOf, type TriageState } from './vex-vocabulary.ts'

/**
 * Reads an uploaded VEX document — CycloneDX 1.4–1.6 JSON (`vulnerabilities[].analysis` and
 * `affects[].ref`) or CSAF 2.0 (`csaf_vex` or `csaf_security_advisory`: product statuses, flags,
 * threats, remediations) — validated against the official schemas, into statements about one
 * subject and one vulnerability. Throws `validation_failed` with JSON pointers; never anything
 * else.
 */

export const VEX_MAX_BYTES = 16 * 1024 * 1024
/** More statements than this in one document are refused (each becomes a row). */
export const VEX_MAX_STATEMENTS = 50_000

export interface VexSubject {
  /** What the document named, for people: a bom-ref, a purl or a CSAF product name. */
  label: string
  /** CycloneDX bom-ref (BOM-Link fragment decoded). */
  ref?: string
  /** Canonical purl, when the document gives one. */
  purl?: string
  name?: string
  version?: string
  /** The document's own subject: CycloneDX `metadata.component`. */
  isProduct?: boolean
}

export interface VexStatement {
  subject: VexSubject
  vulnerabilityId: string
  /** Other ids of the same vulnerability (CVE ids included), without `vulnerabilityId`. */
  aliases: string[]
  state: TriageState
  justification: string | null
  responses: string[]
  detail: string | null
  fixedVersion: string | null
  /** Where in the document it came from. */
  pointer: string
}

export interface ParsedVex {
  format: 'cyclonedx' | 'csaf'
  specVersion: string
  sha256: string
  byteLength: number
  documentRef: string | null
  statements: VexStatement[]
  /** Things kept but worth saying (e.g. not_affected without a justification). */
  notes: { pointer: string; message: string }[]
}

export interface VexProblem {
  pointer: string
  message: string
}

function refuse(message: string, reason: string, problems: VexProblem[] = []): never {
  throw new AppError('validation_failed', message, {
    details: {
      reason,
      problems: problems.slice(0, 100),
      problemCount: problems.length,
      supported: [
        'CycloneDX 1.4–1.6 JSON (VEX)',
        'CSAF 2.0 JSON (csaf_vex, csaf_security_advisory)',
      ],
    },
  })
}

/** The vulnerability id's CVE aliases first, then the others; never the id itself. */
function uniqueAliases(id: string, values: string[]): string[] {
  const out = [...new Set(values.filter((v) => v !== id))]
  return [...out.filter((v) => /^CVE-/i.test(v)), ...out.filter((v) => !/^CVE-/i.test(v))]
}

function canonicalPurlOrUndefined(value: string | undefined): string | undefined {
  if (!value?.startsWith('pkg:')) return undefined
  try {
    return canonicalisePurl(value)
  } catch {
    return undefined
  }
}

/** Reads a VEX file. @throws validation_failed / payload_too_large */
export function parseVex(bytes: Buffer): ParsedVex {
  if (bytes.length > VEX_MAX_BYTES) {
    throw new AppError(
      'payload_too_large',
      `A VEX document may have at most ${VEX_MAX_BYTES} bytes`,
    )
  }
  const json = parseJsonBytes(bytes)
  if (!json.ok) refuse(`The file is not a VEX document: ${json.message}`, 'not_json')
  const doc = json.value
  const base = { sha256: sha256Hex(bytes), byteLength: bytes.length }
  if (isRecord(doc) && doc.bomFormat === 'CycloneDX') return { ...base, ...readCycloneDx(doc) }
  if (isRecord(doc) && isRecord(doc.document) && str(doc.document.csaf_version)) {
    return { ...base, ...readCsaf(doc) }
  }
  refuse(
    'The file is neither CycloneDX JSON (bomFormat "CycloneDX") nor CSAF 2.0 JSON (document.csaf_version)',
    'unsupported_format',
    [{ pointer: '', message: 'no bomFormat "CycloneDX" and no document.csaf_version' }],
  )
}

// ---- CycloneDX

const CDX_VERSIONS: readonly CycloneDxVersion[] = ['1.4', '1.5', '1.6']

function cdxState(state: string | undefined): TriageState | undefined {
  switch (state) {
    case 'not_affected':
    case 'false_positive':
      return 'not_affected'
    case 'exploitable':
      return 'affected'
    case 'resolved':
    case 'resolved_with_pedigree':
      return 'fixed'
    case 'in_triage':
      return 'under_investigation'
    case undefined:
    default:
      return undefined
  }
}

/** A BOM-Link (`urn:cdx:serial/version#bom-ref`) names the bom-ref after `#`, percent-encoded. */
function refOf(value: string): string {
  if (!value.startsWith('urn:cdx:')) return value
  const hash = value.indexOf('#')
  if (hash < 0) return value
  try {
    return decodeURIComponent(value.slice(hash + 1))
  } catch {
    return value.slice(hash + 1)
  }
}

function readCycloneDx(doc: Record<string, unknown>): Omit<ParsedVex, 'sha256' | 'byteLength'> {
  const specVersion = str(doc.specVersion) ?? ''
  if (!CDX_VERSIONS.includes(specVersion as CycloneDxVersion)) {
    refuse(
      `CycloneDX ${specVersion || '(no specVersion)'} is not supported; use 1.4, 1.5 or 1.6`,
      'unsupported_format',
      [{ pointer: '/specVersion', message: 'must be one of "1.4", "1.5", "1.6"' }],
    )
  }
  const validate = schemaValidator('cyclonedx', specVersion as CycloneDxVersion)
  if (!validate(doc)) {
    const problems = (validate.errors ?? []).map(describeSchemaError)
    refuse(
      `The file is not valid CycloneDX ${specVersion} JSON: ${problems.length} problems`,
      'schema_invalid',
      problems,
    )
  }
  // Components of the document itself: a ref may be explained by them.
  const known = new Map<string, VexSubject>()
  const visit = (component: unknown, isProduct: boolean) => {
    if (!isRecord(component)) return
    const ref = str(component['bom-ref'])
    const purl = canonicalPurlOrUndefined(str(component.purl))
    const name = str(component.name)
    const version = str(component.version)
    if (ref) {
      known.set(ref, {
        label: ref,
        ref,
        ...(purl ? { purl } : {}),
        ...(name ? { name } : {}),
        ...(version ? { version } : {}),
        ...(isProduct ? { isProduct } : {}),
      })
    }
    for (const child of arr(component.components)) visit(child, false)
  }
  if (isRecord(doc.metadata)) visit(doc.metadata.component, true)
  for (const c of arr(doc.components)) visit(c, false)

  const statements: VexStatement[] = []
  const notes: ParsedVex['notes'] = []
  arr(doc.vulnerabilities).forEach((v, i) => {
    if (!isRecord(v)) return
    const pointer = `/vulnerabilities/${i}`
    const id = str(v.id)
    const analysis = isRecord(v.analysis) ? v.analysis : undefined
    if (!id) {
      notes.push({ pointer, message: 'no id: left out' })
      return
    }
    let state = cdxState(str(analysis?.state))
    if (!state) {
      notes.push({ pointer, message: 'no analysis.state: left out (not a VEX statement)' })
      return
    }
    let justification = str(analysis?.justification) ?? null
    const detailParts = [str(analysis?.detail), str(v.recommendation), str(v.workaround)]
    if (str(analysis?.state) === 'false_positive') detailParts.unshift('False positive.')
    if (state === 'not_affected' && !justification) {
      notes.push({
        pointer: `${pointer}/analysis`,
        message: 'not_affected without a justification: recorded as under investigation',
      })
      state = 'under_investigation'
      justification = null
    }
    const aliases = uniqueAliases(id, [
      ...arr(v.references).flatMap((r) => (isRecord(r) && str(r.id) ? [str(r.id) as string] : [])),
    ])
    const responses = strings(analysis?.response)
    arr(v.affects).forEach((a, j) => {
      if (!isRecord(a)) return
      const rawRef = str(a.ref)
      if (!rawRef) return
      const ref = refOf(rawRef)
      const purl = canonicalPurlOrUndefined(ref)
      const subject: VexSubject = known.get(ref) ?? {
        label: ref,
        ref,
        ...(purl ? { purl } : {}),
      }
      const unaffected = arr(a.versions).find(
        (x) => isRecord(x) && x.status === 'unaffected' && str(x.version),
      )
      const fixedVersion =
        state === 'fixed' && isRecord(unaffected) ? (str(unaffected.version) ?? null) : null
      statements.push({
        subject,
        vulnerabilityId: id,
        aliases,
        state: state,
        justification: state === 'not_affected' ? justification : null,
        responses,
        detail: detailParts.filter(Boolean).join(' ') || null,
        fixedVersion,
        pointer: `${pointer}/affects/${j}`,
      })
    })
  })
  return {
    format: 'cyclonedx',
    specVersion,
    documentRef: str(doc.serialNumber) ?? null,
    statements: limited(statements),
    notes: notes.slice(0, 200),
  }
}

function limited(statements: VexStatement[]): VexStatement[] {
  if (statements.length > VEX_MAX_STATEMENTS) {
    throw new AppError(
      'payload_too_large',
      `A VEX document may make at most ${VEX_MAX_STATEMENTS} statements; this one makes ${statements.length}`,
    )
  }
  return statements
}

// ---- CSAF

function leafSubject(leaf: CsafLeaf): VexSubject {
  const purl = canonicalPurlOrUndefined(leaf.purl)
  return {
    label: leaf.name,
    ...(purl ? { purl } : {}),
    ...(leaf.product ? { name: leaf.product } : {}),
    ...(leaf.version ? { version: leaf.version } : {}),
  }
}

function readCsaf(doc: Record<string, unknown>): Omit<ParsedVex, 'sha256' | 'byteLength'> {
  const document = doc.document as Record<string, unknown>
  if (document.csaf_version !== '2.0') {
    refuse('Only CSAF 2.0 is supported', 'unsupported_format', [
      { pointer: '/document/csaf_version', message: 'must be "2.0"' },
    ])
  }
  const problems = validateAgainst('csaf', doc, '', 100)
  if (problems.length > 0) {
    refuse(
      `The file is not valid CSAF 2.0 JSON: ${problems.length} problems`,
      'schema_invalid',
      problems,
    )
  }
  const category = str(document.category)
  if (category !== 'csaf_vex' && category !== 'csaf_security_advisory') {
    refuse(
      `A CSAF document of category ${category} makes no VEX statements; use csaf_vex or csaf_security_advisory`,
      'unsupported_format',
      [
        {
          pointer: '/document/category',
          message: 'must be "csaf_vex" or "csaf_security_advisory"',
        },
      ],
    )
  }
  const tree = flattenProductTree(doc)
  const { vulnerabilities, problems: refProblems } = resolveVulnerabilities(doc, tree)
  if (refProblems.length > 0) {
    refuse(
      `The CSAF document refers to products it does not define: ${refProblems.length} problems`,
      'schema_invalid',
      refProblems,
    )
  }
  const raw = arr(doc.vulnerabilities)
  const statements: VexStatement[] = []
  const notes: ParsedVex['notes'] = []
  for (const v of vulnerabilities) {
    const source = raw[v.index] as Record<string, unknown>
    const pointer = `/vulnerabilities/${v.index}`
    const ids = [...(v.cve ? [v.cve] : []), ...v.ids.map((x) => x.slice(x.indexOf(':') + 1))]
    const id = ids[0]
    if (!id) {
      notes.push({ pointer, message: 'neither cve nor ids: left out' })
      continue
    }
    const aliases = uniqueAliases(id, ids)
    const impacts = arr(source.threats).flatMap((t) =>
      isRecord(t) && t.category === 'impact'
        ? [
            {
              details: str(t.details) ?? '',
              productIds: strings(t.product_ids),
              groups: strings(t.group_ids),
            },
          ]
        : [],
    )
    const impactFor = (productId: string) =>
      impacts.find(
        (t) =>
          t.productIds.includes(productId) ||
          t.groups.some((g) => tree.groups.get(g)?.includes(productId)),
      )?.details
    const push = (
      productId: string,
      state: TriageState,
      status: string,
      extra: Partial<VexStatement> = {},
    ) => {
      const leaf = tree.byId.get(productId)
      if (!leaf) return
      statements.push({
        subject: leafSubject(leaf),
        vulnerabilityId: id,
        aliases,
        state,
        justification: null,
        responses: [],
        detail: null,
        fixedVersion: null,
        pointer: `${pointer}/product_status/${status}`,
        ...extra,
      })
    }
    for (const productId of v.statuses.known_not_affected ?? []) {
      const flag = v.flags.find((f) => f.productIds.includes(productId))
      const impact = impactFor(productId)
      const label = flag ? csafLabelOf(flag.label) : undefined
      if (!label && !impact) {
        notes.push({
          pointer: `${pointer}/product_status/known_not_affected`,
          message: `${productId} has neither a flag nor an impact statement: recorded as under investigation`,
        })
        push(productId, 'under_investigation', 'known_not_affected')
        continue
      }
      push(productId, 'not_affected', 'known_not_affected', {
        // An impact statement without a flag justifies in words; the label says so.
        justification: label ?? 'vulnerable_code_cannot_be_controlled_by_adversary',
        detail: impact ?? null,
      })
    }
    for (const status of ['known_affected', 'first_affected', 'last_affected'] as const) {
      for (const productId of v.statuses[status] ?? []) {
        const remediations = v.remediations.filter((r) => r.productIds.includes(productId))
        push(productId, 'affected', status, {
          responses: [...new Set(remediations.map((r) => r.category))],
          detail:
            remediations
              .map((r) => r.details)
              .filter(Boolean)
              .join(' ') || null,
        })
      }
    }
    for (const status of ['fixed', 'first_fixed'] as const) {
      for (const productId of v.statuses[status] ?? []) {
        const leaf = tree.byId.get(productId)
        push(productId, 'fixed', status, { fixedVersion: leaf?.version ?? null })
      }
    }
    for (const productId of v.statuses.under_investigation ?? []) {
      push(productId, 'under_investigation', 'under_investigation')
    }
  }
  const tracking = isRecord(document.tracking) ? document.tracking : {}
  return {
    format: 'csaf',
    specVersion: '2.0',
    documentRef: str(tracking.id) ?? null,
    statements: limited(statements),
    notes: notes.slice(0, 200),
  }
}
