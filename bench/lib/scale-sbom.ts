// Synthetic SBOMs for the matching-at-scale benchmark (../shared/docs/vulnerability-data.md §4.1):
// tiers S (100), M (1,000), L (10,000 components), in CycloneDX 1.6 JSON and SPDX 2.3 JSON, from
// one component list: ~70% purl only, ~20% purl + 1–3 CPEs (as syft writes them), ~10% ICS
// vendor/product/version without purl taken from the CISA CSAF corpus; CycloneDX components
// nested up to depth 3. A hit rate of h means each component has, with probability h, a key that
// the snapshot holds (a purl of a package with advisories, or a CSAF vendor and product); the
// others are names no advisory has.
import fs from 'node:fs'
import path from 'node:path'
import { intBetween, mulberry32, pick, type Random } from '../../src/server/testing/random.ts'
import { ECOSYSTEMS, MISS_NAME_BASE, packageName, packagePurl, randomVersion } from './scale-osv.ts'

export const SBOM_TIERS = { S: 100, M: 1_000, L: 10_000 } as const
export type SbomTier = keyof typeof SBOM_TIERS

/** A package the snapshot holds advisories for: its ecosystem (for versions) and purl. */
export interface HitPackage {
  ecosystem: string
  purl: string
}

/** A CSAF product: vendor, product name and a version taken from the advisory. */
export interface IcsProduct {
  vendor: string
  product: string
  version: string
}

export interface GeneratedComponent {
  ref: string
  name: string
  version: string
  purl?: string
  cpes: string[]
  supplier?: string
  ics: boolean
  hit: boolean
  children: GeneratedComponent[]
}

const VERSION_TOKEN = /V?\d+(?:\.\d+)*(?:\s*SP\d+)?/i

/**
 * Vendor, product and a version of each leaf of the CISA CSAF OT documents under `dir` (read in
 * place). The version is the leaf's own, or the first version a range names (`< V3.3` → V3.3).
 */
export function readIcsProducts(dir: string, limit = 5_000): IcsProduct[] {
  const out: IcsProduct[] = []
  const seen = new Set<string>()
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json') && /icsa/i.test(path.basename(f)))
    .sort()
  type Branch = { category?: string; name?: string; branches?: Branch[]; product?: unknown }
  const walk = (b: Branch, vendor: string | undefined, product: string | undefined) => {
    const v = b.category === 'vendor' ? b.name : vendor
    const p = b.category === 'product_name' ? b.name : product
    if (
      (b.category === 'product_version' || b.category === 'product_version_range') &&
      v &&
      p &&
      b.name
    ) {
      const version = VERSION_TOKEN.exec(b.name)?.[0]
      const key = `${v}|${p}|${version}`
      if (version && !seen.has(key)) {
        seen.add(key)
        out.push({ vendor: v, product: p, version })
      }
    }
    for (const child of b.branches ?? []) walk(child, v, p)
  }
  for (const file of files) {
    if (out.length >= limit) break
    const doc = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      product_tree?: Branch
    }
    if (doc.product_tree) walk(doc.product_tree, undefined, undefined)
  }
  return out
}

function cpesOf(random: Random, vendor: string, product: string, version: string): string[] {
  const count = intBetween(random, 1, 3)
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_.-]+/g, '_')
  const variants = [
    [clean(vendor), clean(product)],
    [clean(product), clean(product)],
    [clean(vendor), `${clean(product)}_project`],
  ]
  return variants
    .slice(0, count)
    .map(([v, p]) => `cpe:2.3:a:${v}:${p}:${clean(version)}:*:*:*:*:*:*:*`)
}

/** The components of one SBOM: `size` of them (nested ones counted), deterministic per seed. */
export function generateComponents(options: {
  seed: number
  size: number
  hitRate: number
  hits: readonly HitPackage[]
  ics: readonly IcsProduct[]
}): GeneratedComponent[] {
  const random = mulberry32(options.seed)
  const top: GeneratedComponent[] = []
  const recent: { c: GeneratedComponent; depth: number }[] = []
  for (let i = 0; i < options.size; i++) {
    const hit = random() < options.hitRate
    const kind = random()
    let c: GeneratedComponent
    if (kind < 0.1 && options.ics.length > 0) {
      const p = pick(random, options.ics)
      // A miss keeps the real product but names a vendor no advisory has.
      c = {
        ref: `c${i}`,
        name: p.product,
        version: p.version,
        cpes: [],
        supplier: hit ? p.vendor : `Nordwerk Automation ${i % 97}`,
        ics: true,
        hit,
        children: [],
      }
    } else {
      let ecosystem: string
      let purl: string
      if (hit && options.hits.length > 0) {
        const h = pick(random, options.hits)
        ecosystem = h.ecosystem
        purl = h.purl
      } else {
        ecosystem = pick(random, ECOSYSTEMS).osv
        purl = packagePurl(
          ecosystem,
          packageName(ecosystem, MISS_NAME_BASE + intBetween(random, 0, 1e6)),
        )
      }
      const version = randomVersion(random, ecosystem)
      const base = ecosystem.split(':')[0]
      const purlVersion = base === 'Go' ? `v${version}` : version
      const name = decodeURIComponent(purl.slice(purl.lastIndexOf('/') + 1))
      const qualifiers = base === 'Debian' ? '?distro=debian-12' : ''
      c = {
        ref: `c${i}`,
        name,
        version: purlVersion,
        purl: `${purl}@${encodeURIComponent(purlVersion)}${qualifiers}`,
        cpes: kind < 0.3 ? cpesOf(random, name.split(/[-_.]/)[0] ?? name, name, version) : [],
        ics: false,
        hit,
        children: [],
      }
    }
    // Nest under a recent component now and then (depth ≤ 3), as image and firmware SBOMs do.
    const parent = random() < 0.3 ? recent.filter((r) => r.depth < 3).at(-1) : undefined
    if (parent) {
      parent.c.children.push(c)
      recent.push({ c, depth: parent.depth + 1 })
    } else {
      top.push(c)
      recent.push({ c, depth: 1 })
    }
    if (recent.length > 20) recent.shift()
  }
  return top
}

export function* allComponents(list: readonly GeneratedComponent[]): Generator<GeneratedComponent> {
  for (const c of list) {
    yield c
    yield* allComponents(c.children)
  }
}

const ROOT = { name: 'synthetic-gateway-firmware', version: '4.2.0' }

export function toCycloneDx(components: readonly GeneratedComponent[], seed: number) {
  const node = (c: GeneratedComponent): Record<string, unknown> => ({
    type: c.ics ? 'firmware' : 'library',
    'bom-ref': c.ref,
    ...(c.supplier ? { supplier: { name: c.supplier } } : {}),
    name: c.name,
    version: c.version,
    ...(c.purl ? { purl: c.purl } : {}),
    // CycloneDX has one `cpe`; syft puts the others in properties (which the parser ignores).
    ...(c.cpes[0] ? { cpe: c.cpes[0] } : {}),
    ...(c.cpes.length > 1
      ? { properties: c.cpes.slice(1).map((value) => ({ name: 'syft:cpe23', value })) }
      : {}),
    ...(c.children.length > 0 ? { components: c.children.map(node) } : {}),
  })
  const hexSeed = (seed >>> 0).toString(16).padStart(8, '0')
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${hexSeed}-0000-4000-8000-000000000000`,
    version: 1,
    metadata: {
      timestamp: '2026-11-27T00:00:00Z',
      component: { type: 'firmware', 'bom-ref': 'root', ...ROOT },
    },
    components: components.map(node),
  }
}

export function toSpdx(components: readonly GeneratedComponent[], seed: number) {
  const packages: Record<string, unknown>[] = [
    {
      name: ROOT.name,
      SPDXID: 'SPDXRef-root',
      versionInfo: ROOT.version,
      downloadLocation: 'NOASSERTION',
      primaryPackagePurpose: 'FIRMWARE',
    },
  ]
  const relationships = [
    {
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: 'SPDXRef-root',
    },
  ]
  const add = (c: GeneratedComponent, parent: string) => {
    const id = `SPDXRef-${c.ref}`
    packages.push({
      name: c.name,
      SPDXID: id,
      versionInfo: c.version,
      downloadLocation: 'NOASSERTION',
      ...(c.supplier ? { supplier: `Organization: ${c.supplier}` } : {}),
      externalRefs: [
        ...(c.purl
          ? [
              {
                referenceCategory: 'PACKAGE-MANAGER',
                referenceType: 'purl',
                referenceLocator: c.purl,
              },
            ]
          : []),
        ...c.cpes.map((cpe) => ({
          referenceCategory: 'SECURITY',
          referenceType: 'cpe23Type',
          referenceLocator: cpe,
        })),
      ],
    })
    relationships.push({
      spdxElementId: parent,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: id,
    })
    for (const child of c.children) add(child, id)
  }
  for (const c of components) add(c, 'SPDXRef-root')
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'synthetic-gateway-firmware',
    documentNamespace: `https://isn.example.invalid/spdx/synthetic-${seed >>> 0}`,
    creationInfo: { created: '2026-11-27T00:00:00Z', creators: ['Tool: isn-bench-matching-scale'] },
    packages,
    relationships,
  }
}
