import { parsePurl } from '../vulnerabilities/versions/purl.ts'
import { validateAgainst } from './advisory-schemas.ts'
import type {
  AdvisoryProblem,
  AdvisoryReference,
  CsafAdvisory,
  CsafProduct,
  CsafProductStatus,
  CsafVulnerability,
  CvssScore,
  ReadOutcome,
} from './advisory.types.ts'
import {
  arr,
  isoInstant,
  isRecord,
  normaliseSeverity,
  severityOfScore,
  sha256Hex,
  str,
  strings,
} from './json-input.ts'

/**
 * Reads one CSAF 2.0 document: validated against the vendored schema (with the FIRST CVSS
 * schemas it references), then flattened for matching — every product of the product tree as a
 * leaf with its vendor, product name, version or version range (the raw strings; CISA's are
 * `vers:all/<V…`, vls or free text) and identification helpers; per vulnerability the product
 * status lists, remediations and scores, with product groups expanded to product ids.
 *
 * Every CISA ICS document in ../shared/data validates as it is, so nothing is relaxed.
 * CSAF 2.0 has no "withdrawn" status: a document of the CSAF 2.1 categories `csaf_withdrawn`
 * or `csaf_superseded` is stored as withdrawn.
 */

export const CSAF_STATUSES: CsafProductStatus[] = [
  'known_affected',
  'fixed',
  'known_not_affected',
  'under_investigation',
  'first_affected',
  'first_fixed',
  'last_affected',
  'recommended',
]

const WITHDRAWN_CATEGORIES = new Set(['csaf_withdrawn', 'csaf_superseded'])

interface Helper {
  modelNumbers: string[]
  skus: string[]
  purl?: string
  purlType?: string
  purlNamespace?: string
  purlName?: string
  cpe?: string
}

function readHelper(value: unknown): Helper {
  if (!isRecord(value)) return { modelNumbers: [], skus: [] }
  const purl = str(value.purl)
  let parts = {}
  if (purl) {
    try {
      const parsed = parsePurl(purl)
      parts = {
        purlType: parsed.type,
        purlNamespace: parsed.namespace ?? '',
        purlName: parsed.name,
      }
    } catch {
      // Kept as text; the matcher cannot use it by parts.
    }
  }
  const cpe = str(value.cpe)
  return {
    modelNumbers: strings(value.model_numbers),
    skus: strings(value.skus),
    ...(purl ? { purl, ...parts } : {}),
    ...(cpe ? { cpe } : {}),
  }
}

interface PathStep {
  category: string
  name: string
}

function productFromPath(path: PathStep[], full: Record<string, unknown>): CsafProduct | undefined {
  const productId = str(full.product_id)
  const name = str(full.name)
  if (!productId || !name) return undefined
  const last = (category: string) => path.findLast((s) => s.category === category)?.name
  const vendor = last('vendor')
  const product = last('product_name')
  const family = last('product_family')
  const version = last('product_version')
  const versionRange = last('product_version_range')
  return {
    productId,
    name,
    ...(vendor ? { vendor } : {}),
    ...(product ? { product } : {}),
    ...(family ? { family } : {}),
    ...(version ? { version } : {}),
    ...(versionRange ? { versionRange } : {}),
    ...readHelper(full.product_identification_helper),
    branchPath: path.map((s) => `${s.category}: ${s.name}`),
  }
}

/** Every leaf of the product tree, without recursion (the depth is the document's to choose). */
function flattenProductTree(tree: unknown): CsafProduct[] {
  if (!isRecord(tree)) return []
  const products: CsafProduct[] = []
  const stack: { branches: unknown[]; path: PathStep[] }[] = [
    { branches: arr(tree.branches), path: [] },
  ]
  const visit: { branch: Record<string, unknown>; path: PathStep[] }[] = []
  while (stack.length > 0) {
    const { branches, path } = stack.pop()!
    for (let i = branches.length - 1; i >= 0; i--) {
      const branch = branches[i]
      if (isRecord(branch)) visit.push({ branch, path })
    }
    while (visit.length > 0) {
      const { branch, path: parent } = visit.pop()!
      const here = [
        ...parent,
        { category: String(branch.category ?? ''), name: String(branch.name ?? '') },
      ]
      if (isRecord(branch.product)) {
        const product = productFromPath(here, branch.product)
        if (product) products.push(product)
      }
      if (Array.isArray(branch.branches)) stack.push({ branches: branch.branches, path: here })
    }
  }
  for (const full of arr(tree.full_product_names)) {
    if (!isRecord(full)) continue
    const product = productFromPath([], full)
    if (product) products.push(product)
  }
  const byId = new Map(products.map((p) => [p.productId, p]))
  for (const relationship of arr(tree.relationships)) {
    if (!isRecord(relationship) || !isRecord(relationship.full_product_name)) continue
    const full = relationship.full_product_name
    const productId = str(full.product_id)
    const name = str(full.name)
    const productReference = str(relationship.product_reference)
    const relatesTo = str(relationship.relates_to_product_reference)
    if (!productId || !name || !productReference || !relatesTo) continue
    // The component that is installed on / part of the other product decides what matches.
    const component = byId.get(productReference)
    const helper = readHelper(full.product_identification_helper)
    products.push({
      ...(component
        ? {
            ...(component.vendor ? { vendor: component.vendor } : {}),
            ...(component.product ? { product: component.product } : {}),
            ...(component.family ? { family: component.family } : {}),
            ...(component.version ? { version: component.version } : {}),
            ...(component.versionRange ? { versionRange: component.versionRange } : {}),
            ...(component.purl && !helper.purl
              ? {
                  purl: component.purl,
                  purlType: component.purlType,
                  purlNamespace: component.purlNamespace,
                  purlName: component.purlName,
                }
              : {}),
            ...(component.cpe && !helper.cpe ? { cpe: component.cpe } : {}),
          }
        : {}),
      ...helper,
      modelNumbers:
        helper.modelNumbers.length > 0 ? helper.modelNumbers : (component?.modelNumbers ?? []),
      productId,
      name,
      branchPath: component?.branchPath ?? [],
      relationship: {
        category: String(relationship.category ?? ''),
        productReference,
        relatesTo,
      },
    })
  }
  return products
}

function readGroups(tree: unknown): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  if (!isRecord(tree)) return groups
  for (const group of arr(tree.product_groups)) {
    if (isRecord(group) && typeof group.group_id === 'string') {
      groups.set(group.group_id, strings(group.product_ids))
    }
  }
  return groups
}

function productIdsOf(value: Record<string, unknown>, groups: Map<string, string[]>): string[] {
  const ids = new Set(strings(value.product_ids))
  for (const group of strings(value.group_ids)) {
    for (const id of groups.get(group) ?? []) ids.add(id)
  }
  return [...ids]
}

function readScores(value: unknown): CvssScore[] {
  const scores: CvssScore[] = []
  for (const score of arr(value)) {
    if (!isRecord(score)) continue
    const products = strings(score.products)
    for (const key of ['cvss_v3', 'cvss_v2'] as const) {
      const cvss = score[key]
      if (!isRecord(cvss) || typeof cvss.vectorString !== 'string') continue
      const baseScore = typeof cvss.baseScore === 'number' ? cvss.baseScore : undefined
      const severity = normaliseSeverity(cvss.baseSeverity)
      scores.push({
        type: String(cvss.version ?? key),
        vector: cvss.vectorString,
        ...(baseScore !== undefined ? { score: baseScore } : {}),
        ...(severity ? { severity } : {}),
        products,
      })
    }
  }
  return scores
}

function readVulnerability(
  value: unknown,
  index: number,
  groups: Map<string, string[]>,
): CsafVulnerability | undefined {
  if (!isRecord(value)) return undefined
  const statuses: CsafVulnerability['statuses'] = []
  if (isRecord(value.product_status)) {
    for (const status of CSAF_STATUSES) {
      for (const productId of strings(value.product_status[status])) {
        statuses.push({ productId, status })
      }
    }
  }
  const cve = str(value.cve)
  const title = str(value.title)
  const cwe = isRecord(value.cwe) ? str(value.cwe.id) : undefined
  return {
    index,
    ...(cve ? { cve } : {}),
    ids: arr(value.ids).flatMap((id) =>
      isRecord(id) && typeof id.system_name === 'string' && typeof id.text === 'string'
        ? [{ system: id.system_name, text: id.text }]
        : [],
    ),
    ...(title ? { title } : {}),
    ...(cwe ? { cwe } : {}),
    statuses,
    remediations: arr(value.remediations).flatMap((r) => {
      if (!isRecord(r) || typeof r.category !== 'string') return []
      const url = str(r.url)
      const date = isoInstant(r.date)
      return [
        {
          category: r.category,
          details: String(r.details ?? ''),
          ...(url ? { url } : {}),
          ...(date ? { date } : {}),
          productIds: productIdsOf(r, groups),
        },
      ]
    }),
    scores: readScores(value.scores),
    flags: arr(value.flags).flatMap((f) =>
      isRecord(f) && typeof f.label === 'string'
        ? [{ label: f.label, productIds: productIdsOf(f, groups) }]
        : [],
    ),
    threats: arr(value.threats).flatMap((t) =>
      isRecord(t) && typeof t.category === 'string'
        ? [
            {
              category: t.category,
              details: String(t.details ?? ''),
              productIds: productIdsOf(t, groups),
            },
          ]
        : [],
    ),
  }
}

function readReferences(value: unknown): AdvisoryReference[] {
  return arr(value).flatMap((r) =>
    isRecord(r) && typeof r.url === 'string'
      ? [
          {
            url: r.url,
            ...(typeof r.category === 'string' ? { type: r.category } : {}),
            ...(typeof r.summary === 'string' ? { summary: r.summary } : {}),
          },
        ]
      : [],
  )
}

/** Reads a CSAF document already parsed from JSON; `raw` is its bytes as read. */
export function readCsafDocument(value: unknown, raw: Buffer, path: string): ReadOutcome {
  const problems: AdvisoryProblem[] = validateAgainst('csaf', value).map((p) => ({ path, ...p }))
  if (problems.length > 0 || !isRecord(value) || !isRecord(value.document)) {
    return { advisories: [], problems }
  }
  const document = value.document
  const tracking = isRecord(document.tracking) ? document.tracking : {}
  const id = String(tracking.id)
  const groups = readGroups(value.product_tree)
  const vulnerabilities = arr(value.vulnerabilities).flatMap(
    (v, i) => readVulnerability(v, i, groups) ?? [],
  )
  const cvss = vulnerabilities.flatMap((v) => v.scores)
  const scores = cvss.map((c) => c.score).filter((s): s is number => s !== undefined)
  const cvssScore = scores.length > 0 ? Math.max(...scores) : undefined
  const aggregate = isRecord(document.aggregate_severity)
    ? normaliseSeverity(document.aggregate_severity.text)
    : undefined
  const severity = aggregate ?? (cvssScore !== undefined ? severityOfScore(cvssScore) : undefined)
  const summaryNote = arr(document.notes).find((n) => isRecord(n) && n.category === 'summary')
  const summary = isRecord(summaryNote) ? str(summaryNote.text) : undefined
  const category = String(document.category)
  const published = isoInstant(tracking.initial_release_date)
  const modified = isoInstant(tracking.current_release_date)
  const title = str(document.title)
  const publisher = isRecord(document.publisher) ? str(document.publisher.name) : undefined
  const aliases = new Set<string>(strings(tracking.aliases))
  for (const v of vulnerabilities) {
    if (v.cve) aliases.add(v.cve)
    for (const other of v.ids) aliases.add(other.text)
  }
  aliases.delete(id)
  const advisory: CsafAdvisory = {
    source: 'csaf',
    advisoryId: id,
    aliases: [...aliases],
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    ...(WITHDRAWN_CATEGORIES.has(category) ? { withdrawnAt: modified ?? published } : {}),
    ...(title ? { title } : {}),
    ...(summary ? { summary } : {}),
    ...(severity ? { severity } : {}),
    cvss,
    ...(cvssScore !== undefined ? { cvssScore } : {}),
    references: readReferences(document.references),
    contentHash: sha256Hex(raw),
    raw,
    category,
    trackingStatus: String(tracking.status),
    trackingVersion: String(tracking.version),
    ...(publisher ? { publisher } : {}),
    products: flattenProductTree(value.product_tree),
    vulnerabilities,
  }
  return { advisories: [advisory], problems: [] }
}
