/**
 * CSAF 2.0 (and 2.1 draft) product trees flattened into leaves, and each vulnerability's
 * product statuses and remediations resolved to those leaves.
 *
 * {@link flattenProductTree} walks `product_tree.branches` at any depth (vendor → product_family →
 * product_name → product_version / product_version_range, plus architecture, patch_level,
 * service_pack, …), `full_product_names` and `relationships`, and returns one
 * {@link CsafLeaf} per product id. {@link resolveVulnerabilities} gives, per vulnerability, the
 * product ids of each status and of each remediation, with product groups expanded.
 *
 * Input is `unknown` JSON: the functions never throw on odd shapes; what they skip is listed in
 * `problems` (with a JSON pointer) so that an importer can report it.
 */

/** The branch categories of CSAF 2.0 §3.1.2.2. */
export type BranchCategory =
  | 'architecture'
  | 'host_name'
  | 'language'
  | 'legacy'
  | 'patch_level'
  | 'product_family'
  | 'product_name'
  | 'product_version'
  | 'product_version_range'
  | 'service_pack'
  | 'specification'
  | 'vendor'

export interface BranchStep {
  category: string
  name: string
}

export interface CsafLeaf {
  productId: string
  /** `full_product_name.name` as written. */
  name: string
  /** The nearest enclosing branch of each category ('' when absent). */
  vendor: string
  productFamily: string
  product: string
  /** `product_version` (one version, no range). */
  version?: string
  /** `product_version_range` (vers or vls, or in practice free text). */
  range?: string
  /** Other branch categories on the path (architecture, patch_level, service_pack, …). */
  attributes: Partial<Record<BranchCategory, string>>
  modelNumbers: string[]
  skus: string[]
  serialNumbers: string[]
  cpe?: string
  purl?: string
  /** Branch names from the root to the leaf. */
  path: BranchStep[]
  source: 'branch' | 'full_product_name' | 'relationship'
  /**
   * For a relationship's product: its category and the two products it joins. Vendor, product
   * and version come from the component (`product_reference`).
   */
  relationship?: { category: string; component: string; platform: string }
  /** JSON pointer of the product in the document. */
  pointer: string
}

export interface CsafProductTree {
  leaves: CsafLeaf[]
  byId: Map<string, CsafLeaf>
  /** product_groups: group id → product ids. */
  groups: Map<string, string[]>
  problems: CsafProblem[]
}

export interface CsafProblem {
  pointer: string
  message: string
}

/** Deeper branches than this are not followed (the schema sets no limit; real trees are ≤ 5). */
export const MAX_BRANCH_DEPTH = 32

type Json = Record<string, unknown>

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined
}

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []
}

function arr(x: unknown): unknown[] {
  return Array.isArray(x) ? x : []
}

function leafOf(
  product: Json,
  path: BranchStep[],
  pointer: string,
  source: CsafLeaf['source'],
): CsafLeaf | undefined {
  const productId = str(product.product_id)
  if (!productId) return undefined
  const nearest = (category: string): string =>
    [...path].reverse().find((s) => s.category === category)?.name ?? ''
  const helper = isObject(product.product_identification_helper)
    ? product.product_identification_helper
    : {}
  const attributes: Partial<Record<BranchCategory, string>> = {}
  for (const step of path) {
    if (
      ![
        'vendor',
        'product_family',
        'product_name',
        'product_version',
        'product_version_range',
      ].includes(step.category)
    ) {
      attributes[step.category as BranchCategory] = step.name
    }
  }
  const version = path.findLast((s) => s.category === 'product_version')?.name
  const range = path.findLast((s) => s.category === 'product_version_range')?.name
  return {
    productId,
    name: str(product.name) ?? '',
    vendor: nearest('vendor'),
    productFamily: nearest('product_family'),
    product: nearest('product_name'),
    ...(version === undefined ? {} : { version }),
    ...(range === undefined ? {} : { range }),
    attributes,
    modelNumbers: strings(helper.model_numbers),
    skus: strings(helper.skus),
    serialNumbers: strings(helper.serial_numbers),
    ...(str(helper.cpe) ? { cpe: str(helper.cpe) } : {}),
    ...(str(helper.purl) ? { purl: str(helper.purl) } : {}),
    path,
    source,
    pointer,
  }
}

/** Flattens a CSAF document's `product_tree` (pass the whole document). */
export function flattenProductTree(document: unknown): CsafProductTree {
  const tree: CsafProductTree = { leaves: [], byId: new Map(), groups: new Map(), problems: [] }
  const productTree = isObject(document) ? document.product_tree : undefined
  if (!isObject(productTree)) return tree
  const add = (leaf: CsafLeaf | undefined, pointer: string): void => {
    if (!leaf) {
      tree.problems.push({ pointer, message: 'product without a product_id' })
      return
    }
    if (tree.byId.has(leaf.productId)) {
      tree.problems.push({ pointer, message: `product_id ${leaf.productId} is defined twice` })
      return
    }
    tree.leaves.push(leaf)
    tree.byId.set(leaf.productId, leaf)
  }

  const walk = (branches: unknown, path: BranchStep[], pointer: string): void => {
    arr(branches).forEach((branch, i) => {
      const here = `${pointer}/${i}`
      if (!isObject(branch)) return
      const step = { category: str(branch.category) ?? '', name: str(branch.name) ?? '' }
      const nextPath = [...path, step]
      if (isObject(branch.product)) {
        add(leafOf(branch.product, nextPath, `${here}/product`, 'branch'), `${here}/product`)
      }
      if (branch.branches !== undefined) {
        if (nextPath.length >= MAX_BRANCH_DEPTH) {
          tree.problems.push({ pointer: here, message: `branches deeper than ${MAX_BRANCH_DEPTH}` })
        } else {
          walk(branch.branches, nextPath, `${here}/branches`)
        }
      }
    })
  }
  walk(productTree.branches, [], '/product_tree/branches')

  arr(productTree.full_product_names).forEach((product, i) => {
    const pointer = `/product_tree/full_product_names/${i}`
    if (isObject(product)) add(leafOf(product, [], pointer, 'full_product_name'), pointer)
  })

  const pending: { rel: Json; pointer: string }[] = []
  arr(productTree.relationships).forEach((rel, i) => {
    if (isObject(rel)) pending.push({ rel, pointer: `/product_tree/relationships/${i}` })
  })
  // A relationship may refer to another relationship's product, defined later in the list.
  for (let pass = 0; pass < 3 && pending.length > 0; pass++) {
    for (let i = 0; i < pending.length;) {
      const { rel, pointer } = pending[i] as { rel: Json; pointer: string }
      const component = tree.byId.get(str(rel.product_reference) ?? '')
      const platform = tree.byId.get(str(rel.relates_to_product_reference) ?? '')
      if (!component || !platform) {
        i++
        continue
      }
      pending.splice(i, 1)
      const full = isObject(rel.full_product_name) ? rel.full_product_name : {}
      const base = leafOf(full, component.path, `${pointer}/full_product_name`, 'relationship')
      if (base) {
        base.vendor = component.vendor
        base.productFamily = component.productFamily
        base.product = component.product
        base.modelNumbers = base.modelNumbers.length ? base.modelNumbers : component.modelNumbers
        if (component.version !== undefined) base.version = component.version
        if (component.range !== undefined) base.range = component.range
        if (!base.cpe && component.cpe) base.cpe = component.cpe
        if (!base.purl && component.purl) base.purl = component.purl
        base.relationship = {
          category: str(rel.category) ?? '',
          component: component.productId,
          platform: platform.productId,
        }
      }
      add(base, `${pointer}/full_product_name`)
    }
  }
  for (const { pointer } of pending) {
    tree.problems.push({ pointer, message: 'relationship refers to an unknown product' })
  }

  arr(productTree.product_groups).forEach((group, i) => {
    if (!isObject(group)) return
    const id = str(group.group_id)
    if (!id) return
    const ids = strings(group.product_ids)
    for (const productId of ids) {
      if (!tree.byId.has(productId)) {
        tree.problems.push({
          pointer: `/product_tree/product_groups/${i}`,
          message: `group ${id} names unknown product ${productId}`,
        })
      }
    }
    tree.groups.set(id, ids)
  })
  return tree
}

/** The product status lists of CSAF 2.0 §3.2.3.9, plus 2.1's `unknown`. */
export const PRODUCT_STATUSES = [
  'first_affected',
  'known_affected',
  'last_affected',
  'first_fixed',
  'fixed',
  'known_not_affected',
  'recommended',
  'under_investigation',
  'unknown',
] as const

export type ProductStatus = (typeof PRODUCT_STATUSES)[number]

export interface CsafRemediation {
  category: string
  details: string
  url?: string
  date?: string
  /** Product ids, with `group_ids` expanded. */
  productIds: string[]
}

export interface CsafFlag {
  label: string
  productIds: string[]
}

export interface CsafVulnerabilityProducts {
  /** Index in `vulnerabilities`. */
  index: number
  cve?: string
  /** `ids[]` as `system_name:text`. */
  ids: string[]
  /** Product ids per status; only statuses present are set. */
  statuses: Partial<Record<ProductStatus, string[]>>
  remediations: CsafRemediation[]
  /** VEX justifications (`component_not_present`, …). */
  flags: CsafFlag[]
}

function expand(tree: CsafProductTree, productIds: unknown, groupIds: unknown): string[] {
  const out = new Set(strings(productIds))
  for (const group of strings(groupIds)) {
    for (const id of tree.groups.get(group) ?? []) out.add(id)
  }
  return [...out]
}

/**
 * Each vulnerability's product statuses, remediations and flags, with product groups expanded.
 * Product ids that the tree does not define are kept (and listed in `problems`) so that nothing
 * is silently dropped.
 */
export function resolveVulnerabilities(
  document: unknown,
  tree: CsafProductTree = flattenProductTree(document),
): { vulnerabilities: CsafVulnerabilityProducts[]; problems: CsafProblem[] } {
  const problems: CsafProblem[] = []
  const vulnerabilities = arr(isObject(document) ? document.vulnerabilities : undefined)
  const check = (ids: string[], pointer: string): string[] => {
    for (const id of ids) {
      if (!tree.byId.has(id)) problems.push({ pointer, message: `unknown product ${id}` })
    }
    return ids
  }
  return {
    problems,
    vulnerabilities: vulnerabilities.map((vulnerability, index) => {
      const v = isObject(vulnerability) ? vulnerability : {}
      const pointer = `/vulnerabilities/${index}`
      const statuses: Partial<Record<ProductStatus, string[]>> = {}
      const status = isObject(v.product_status) ? v.product_status : {}
      for (const name of PRODUCT_STATUSES) {
        if (status[name] !== undefined) {
          statuses[name] = check(strings(status[name]), `${pointer}/product_status/${name}`)
        }
      }
      const remediations = arr(v.remediations).flatMap((r, i): CsafRemediation[] => {
        if (!isObject(r)) return []
        const url = str(r.url)
        const date = str(r.date)
        return [
          {
            category: str(r.category) ?? '',
            details: str(r.details) ?? '',
            ...(url ? { url } : {}),
            ...(date ? { date } : {}),
            productIds: check(
              expand(tree, r.product_ids, r.group_ids),
              `${pointer}/remediations/${i}`,
            ),
          },
        ]
      })
      const flags = arr(v.flags).flatMap((f, i): CsafFlag[] =>
        isObject(f)
          ? [
              {
                label: str(f.label) ?? '',
                productIds: check(
                  expand(tree, f.product_ids, f.group_ids),
                  `${pointer}/flags/${i}`,
                ),
              },
            ]
          : [],
      )
      const cve = str(v.cve)
      return {
        index,
        ...(cve ? { cve } : {}),
        ids: arr(v.ids).flatMap((x) =>
          isObject(x) && str(x.text) ? [`${str(x.system_name) ?? ''}:${str(x.text)}`] : [],
        ),
        statuses,
        remediations,
        flags,
      }
    }),
  }
}

/** The statuses of one product in one vulnerability (a product may be in several lists). */
export function statusesOf(
  vulnerability: CsafVulnerabilityProducts,
  productId: string,
): ProductStatus[] {
  return PRODUCT_STATUSES.filter((s) => vulnerability.statuses[s]?.includes(productId))
}
