import { canonicalisePurl } from '../vulnerabilities/versions/purl.ts'
import {
  csafLabelOf,
  csafRemediationOf,
  cycloneDxJustificationOf,
  cycloneDxResponsesOf,
  type TriageState,
} from './vex-vocabulary.ts'

/**
 * Builds the documents a manufacturer publishes for a product version from its triaged findings:
 * a CycloneDX 1.6 VEX and a CSAF 2.0 `csaf_vex` advisory. Pure: the service checks them (schema,
 * CSAF mandatory tests) before anything is stored.
 */

/** One triaged finding, as the builders need it. */
export interface PublishedFinding {
  componentKey: string
  componentName: string
  componentVersion: string | null
  componentPurl: string | null
  advisoryId: string
  cves: string[]
  state: TriageState
  justification: string | null
  response: string | null
  detail: string | null
  fixedVersion: string | null
  triagedAt: string | null
}

export interface PublishSubject {
  organisationName: string
  /** A URI for CSAF `publisher.namespace`. */
  publisherNamespace: string
  productName: string
  productVersion: string
  productVersionId: string
}

/** The key for the registered product itself (findings matched on vendor/product names). */
export const PRODUCT_KEY = '@product'

function validPurl(purl: string | null): string | undefined {
  if (!purl) return undefined
  try {
    return canonicalisePurl(purl)
  } catch {
    return undefined
  }
}

/** The primary id of a finding: its first CVE (sorted), or the advisory id. */
export function vulnerabilityIdOf(f: Pick<PublishedFinding, 'cves' | 'advisoryId'>): string {
  return [...f.cves].sort()[0] ?? f.advisoryId
}

/** Where a state ranks when one product has several findings of one vulnerability. */
const PRECEDENCE: Record<TriageState, number> = {
  affected: 4,
  under_investigation: 3,
  fixed: 2,
  not_affected: 1,
}

// ---- CycloneDX 1.6

const CDX_STATE: Record<TriageState, string> = {
  not_affected: 'not_affected',
  affected: 'exploitable',
  fixed: 'resolved',
  under_investigation: 'in_triage',
}

export function buildCycloneDxVex(
  subject: PublishSubject,
  findings: readonly PublishedFinding[],
  meta: { serialNumber: string; version: number; timestamp: string },
): Record<string, unknown> {
  const productRef = `isn:product-version:${subject.productVersionId}`
  const components = new Map<string, Record<string, unknown>>()
  for (const f of findings) {
    if (f.componentKey === PRODUCT_KEY || components.has(f.componentKey)) continue
    const purl = validPurl(f.componentPurl)
    components.set(f.componentKey, {
      type: 'library',
      'bom-ref': f.componentKey,
      name: f.componentName,
      ...(f.componentVersion ? { version: f.componentVersion } : {}),
      ...(purl ? { purl } : {}),
    })
  }
  const vulnerabilities = findings.map((f) => {
    const id = vulnerabilityIdOf(f)
    const others = [...new Set([f.advisoryId, ...f.cves])].filter((x) => x !== id)
    const justification =
      f.state === 'not_affected' && f.justification
        ? cycloneDxJustificationOf(f.justification)
        : undefined
    const responses = f.response ? cycloneDxResponsesOf([f.response]) : []
    const detail = [
      f.detail,
      f.state === 'fixed' && f.fixedVersion ? `Fixed in version ${f.fixedVersion}.` : undefined,
    ]
      .filter(Boolean)
      .join(' ')
    return {
      id,
      ...(others.length > 0
        ? {
            references: others.map((x) => ({
              id: x,
              source: { name: x.startsWith('CVE-') ? 'NVD' : 'advisory' },
            })),
          }
        : {}),
      analysis: {
        state: CDX_STATE[f.state],
        ...(justification ? { justification } : {}),
        ...(responses.length > 0 ? { response: responses } : {}),
        ...(detail ? { detail } : {}),
        ...(f.triagedAt ? { lastUpdated: f.triagedAt } : {}),
      },
      affects: [
        {
          ref: f.componentKey === PRODUCT_KEY ? productRef : f.componentKey,
          ...(f.componentVersion || f.componentKey === PRODUCT_KEY
            ? {
                versions: [
                  {
                    version:
                      f.componentKey === PRODUCT_KEY
                        ? subject.productVersion
                        : (f.componentVersion as string),
                    status:
                      f.state === 'affected'
                        ? 'affected'
                        : f.state === 'under_investigation'
                          ? 'unknown'
                          : 'unaffected',
                  },
                ],
              }
            : {}),
        },
      ],
    }
  })
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: meta.serialNumber,
    version: meta.version,
    metadata: {
      timestamp: meta.timestamp,
      tools: { components: [{ type: 'application', name: 'IIoT Safety Network' }] },
      manufacturer: { name: subject.organisationName },
      component: {
        type: 'device',
        'bom-ref': productRef,
        name: subject.productName,
        version: subject.productVersion,
        manufacturer: { name: subject.organisationName },
      },
    },
    components: [...components.values()],
    vulnerabilities,
  }
}

// ---- CSAF 2.0

export interface CsafRevision {
  number: string
  date: string
  summary: string
}

export function buildCsafAdvisory(
  subject: PublishSubject,
  findings: readonly PublishedFinding[],
  meta: {
    trackingId: string
    version: number
    now: string
    summary: string
    history: CsafRevision[]
  },
): Record<string, unknown> {
  const productId = 'CSAFPID-0001'
  const productLabel = `${subject.productName} ${subject.productVersion}`
  // Components (their own products) and "component of the product" relationships.
  const componentIds = new Map<string, { component: string; inProduct: string }>()
  const fullProductNames: Record<string, unknown>[] = []
  const relationships: Record<string, unknown>[] = []
  let n = 1
  for (const f of findings) {
    if (f.componentKey === PRODUCT_KEY || componentIds.has(f.componentKey)) continue
    const component = `CSAFPID-${String(++n).padStart(4, '0')}`
    const inProduct = `CSAFPID-${String(++n).padStart(4, '0')}`
    componentIds.set(f.componentKey, { component, inProduct })
    const name = [f.componentName, f.componentVersion].filter(Boolean).join(' ')
    const purl = validPurl(f.componentPurl)
    fullProductNames.push({
      name,
      product_id: component,
      ...(purl ? { product_identification_helper: { purl } } : {}),
    })
    relationships.push({
      category: 'default_component_of',
      full_product_name: {
        name: `${name} as a component of ${productLabel}`,
        product_id: inProduct,
      },
      product_reference: component,
      relates_to_product_reference: productId,
    })
  }
  const productOf = (f: PublishedFinding) =>
    f.componentKey === PRODUCT_KEY
      ? productId
      : (componentIds.get(f.componentKey)?.inProduct ?? productId)

  // One vulnerability per primary id; one state per product (the most severe).
  const groups = new Map<string, Map<string, PublishedFinding>>()
  for (const f of findings) {
    const id = vulnerabilityIdOf(f)
    const products = groups.get(id) ?? new Map<string, PublishedFinding>()
    groups.set(id, products)
    const product = productOf(f)
    const current = products.get(product)
    if (!current || PRECEDENCE[f.state] > PRECEDENCE[current.state]) products.set(product, f)
  }
  const vulnerabilities = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, products]) => {
      const entries = [...products.entries()]
      const ids = new Set<string>()
      for (const [, f] of entries) {
        for (const x of [f.advisoryId, ...f.cves]) if (x !== id && !/^CVE-/.test(x)) ids.add(x)
      }
      const status: Record<string, string[]> = {}
      const add = (list: string, product: string) => (status[list] ??= []).push(product)
      const flags = new Map<string, string[]>()
      const threats: Record<string, unknown>[] = []
      const remediations: Record<string, unknown>[] = []
      for (const [product, f] of entries) {
        switch (f.state) {
          case 'not_affected': {
            add('known_not_affected', product)
            const label = csafLabelOf(f.justification ?? '') ?? 'vulnerable_code_not_present'
            flags.set(label, [...(flags.get(label) ?? []), product])
            if (f.detail) {
              threats.push({ category: 'impact', details: f.detail, product_ids: [product] })
            }
            break
          }
          case 'affected':
            add('known_affected', product)
            remediations.push({
              category: csafRemediationOf(f.response ? [f.response] : []),
              details:
                f.detail ??
                (f.fixedVersion ? `Update to version ${f.fixedVersion}.` : 'No remediation yet.'),
              product_ids: [product],
            })
            break
          case 'fixed':
            add('fixed', product)
            remediations.push({
              category: 'vendor_fix',
              details: [
                f.fixedVersion ? `Fixed in version ${f.fixedVersion}.` : 'Fixed.',
                f.detail ?? '',
              ]
                .join(' ')
                .trim(),
              product_ids: [product],
            })
            break
          case 'under_investigation':
            add('under_investigation', product)
            break
        }
      }
      const advisories = [...new Set(entries.map(([, f]) => f.advisoryId))]
      return {
        ...(/^CVE-\d{4}-\d{4,}$/.test(id) ? { cve: id } : {}),
        ...(ids.size > 0 || !/^CVE-/.test(id)
          ? {
              ids: [...new Set([...(/^CVE-/.test(id) ? [] : [id]), ...ids])].map((text) => ({
                system_name: text.split('-')[0] || 'advisory',
                text,
              })),
            }
          : {}),
        notes: [
          {
            category: 'description',
            title: 'Matched advisories',
            text: `Found by the IIoT Safety Network through ${advisories.join(', ')}; status as triaged by ${subject.organisationName}.`,
          },
        ],
        product_status: status,
        ...(flags.size > 0
          ? { flags: [...flags.entries()].map(([label, ids]) => ({ label, product_ids: ids })) }
          : {}),
        ...(threats.length > 0 ? { threats } : {}),
        ...(remediations.length > 0 ? { remediations } : {}),
      }
    })
  const revisions = [
    ...meta.history,
    { number: String(meta.version), date: meta.now, summary: meta.summary },
  ]
  return {
    document: {
      category: 'csaf_vex',
      csaf_version: '2.0',
      lang: 'en',
      title: `${productLabel}: status of known vulnerabilities (VEX)`,
      publisher: {
        category: 'vendor',
        name: subject.organisationName,
        namespace: subject.publisherNamespace,
      },
      notes: [
        {
          category: 'summary',
          title: 'About this document',
          text: `The status of the vulnerabilities found in ${productLabel}, as stated by ${subject.organisationName}.`,
        },
      ],
      distribution: { tlp: { label: 'WHITE' } },
      tracking: {
        id: meta.trackingId,
        status: 'final',
        version: String(meta.version),
        initial_release_date: revisions[0]?.date ?? meta.now,
        current_release_date: meta.now,
        generator: { date: meta.now, engine: { name: 'IIoT Safety Network' } },
        revision_history: revisions,
      },
    },
    product_tree: {
      branches: [
        {
          category: 'vendor',
          name: subject.organisationName,
          branches: [
            {
              category: 'product_name',
              name: subject.productName,
              branches: [
                {
                  category: 'product_version',
                  name: subject.productVersion,
                  product: { name: productLabel, product_id: productId },
                },
              ],
            },
          ],
        },
      ],
      ...(fullProductNames.length > 0 ? { full_product_names: fullProductNames } : {}),
      ...(relationships.length > 0 ? { relationships } : {}),
    },
    vulnerabilities,
  }
}
