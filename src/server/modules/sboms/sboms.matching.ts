import type { Ctx } from '../../kernel/context.ts'
import { chunksOf } from '../../db/chunks.ts'

/**
 * Batched, read-only lookups of current SBOM components for the matching engine's re-evaluation
 * (findings module): which product versions' current SBOMs hold a component of these packages or
 * CPE vendor:product pairs. Answered from the `(purl_type, purl_namespace, purl_name)` and
 * `(vendor, product)` indexes of the SBOM tables, in bounded `in (…)` lists. Only the few columns
 * matching needs are read.
 */

const CHUNK = 500

const chunks = <T>(values: readonly T[]): T[][] => chunksOf(values, CHUNK)

/** A current SBOM's component as the engine needs it, with its product version. */
export interface MatchableComponent {
  productVersionId: string
  sbomId: string
  key: string
  name: string
  version: string | null
  purl: string | null
  supplier: string | null
  cpes: string[]
}

const columns = [
  'sbom_documents.product_version_id',
  'sbom_components.sbom_id',
  'sbom_components.component_key',
  'sbom_components.name',
  'sbom_components.version',
  'sbom_components.purl',
  'sbom_components.purl_valid',
  'sbom_components.supplier',
  'sbom_components.cpes',
] as const

type Row = {
  product_version_id: string
  sbom_id: string
  component_key: string
  name: string
  version: string | null
  purl: string | null
  purl_valid: number | null
  supplier: string | null
  cpes: string
}

function toComponent(r: Row): MatchableComponent {
  let cpes: string[] = []
  try {
    cpes = JSON.parse(r.cpes) as string[]
  } catch {
    // Stored by the SBOM service as JSON; an unreadable list matches by CPE nothing.
  }
  return {
    productVersionId: r.product_version_id,
    sbomId: r.sbom_id,
    key: r.component_key,
    name: r.name,
    version: r.version,
    purl: r.purl !== null && Number(r.purl_valid) === 1 ? r.purl : null,
    supplier: r.supplier,
    cpes,
  }
}

/** Components of current SBOMs with one of these purl packages (type, namespace or null, name). */
export async function currentComponentsByPackages(
  ctx: Pick<Ctx, 'db'>,
  keys: readonly { type: string; namespace: string | null; name: string }[],
): Promise<MatchableComponent[]> {
  const byType = new Map<string, { namespace: string | null; name: string }[]>()
  for (const k of keys) byType.set(k.type, [...(byType.get(k.type) ?? []), k])
  const out: MatchableComponent[] = []
  for (const [type, list] of byType) {
    for (const chunk of chunks(list)) {
      const wanted = new Set(chunk.map((k) => `${k.namespace ?? ''}\0${k.name}`))
      const rows = await ctx.db
        .selectFrom('sbom_components')
        .innerJoin('sbom_documents', 'sbom_documents.id', 'sbom_components.sbom_id')
        .select(columns)
        .select(['sbom_components.purl_namespace', 'sbom_components.purl_name'])
        .where('sbom_components.purl_type', '=', type)
        .where('sbom_components.purl_name', 'in', [...new Set(chunk.map((k) => k.name))])
        .where('sbom_documents.is_current', '=', 1)
        .execute()
      for (const r of rows) {
        if (wanted.has(`${r.purl_namespace ?? ''}\0${r.purl_name ?? ''}`)) out.push(toComponent(r))
      }
    }
  }
  return out
}

/** Components of current SBOMs with a CPE of one of these vendor:product pairs (lower-case). */
export async function currentComponentsByCpes(
  ctx: Pick<Ctx, 'db'>,
  keys: readonly { vendor: string; product: string }[],
): Promise<MatchableComponent[]> {
  const out = new Map<string, MatchableComponent>()
  const byVendor = new Map<string, string[]>()
  for (const k of keys) byVendor.set(k.vendor, [...(byVendor.get(k.vendor) ?? []), k.product])
  for (const [vendor, products] of byVendor) {
    for (const chunk of chunks([...new Set(products)])) {
      const rows = await ctx.db
        .selectFrom('sbom_component_cpes')
        .innerJoin('sbom_documents', 'sbom_documents.id', 'sbom_component_cpes.sbom_id')
        .innerJoin('sbom_components', (join) =>
          join
            .onRef('sbom_components.sbom_id', '=', 'sbom_component_cpes.sbom_id')
            .onRef('sbom_components.ordinal', '=', 'sbom_component_cpes.ordinal'),
        )
        .select(columns)
        .where('sbom_component_cpes.vendor', '=', vendor)
        .where('sbom_component_cpes.product', 'in', chunk)
        .where('sbom_documents.is_current', '=', 1)
        .execute()
      for (const r of rows) out.set(`${r.sbom_id}\0${r.component_key}`, toComponent(r))
    }
  }
  return [...out.values()]
}

/** The matchable form of every component of these versions' current SBOMs, by version. */
export async function currentComponentsOfVersions(
  ctx: Pick<Ctx, 'db'>,
  versionIds: readonly string[],
): Promise<Map<string, MatchableComponent[]>> {
  const out = new Map<string, MatchableComponent[]>()
  for (const chunk of chunks([...new Set(versionIds)])) {
    const rows = await ctx.db
      .selectFrom('sbom_components')
      .innerJoin('sbom_documents', 'sbom_documents.id', 'sbom_components.sbom_id')
      .select(columns)
      .where('sbom_documents.product_version_id', 'in', chunk)
      .where('sbom_documents.is_current', '=', 1)
      .orderBy('sbom_components.ordinal')
      .execute()
    for (const r of rows) {
      const list = out.get(r.product_version_id) ?? []
      list.push(toComponent(r))
      out.set(r.product_version_id, list)
    }
  }
  return out
}
