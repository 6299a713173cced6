// Seeding for bench/label-freshness.ts: product versions with a stored SBOM each (deterministic,
// from a seeded PRNG, package popularity Zipf-like over a shared pool) and an active issued label
// each. Rows are written in batches straight into the tables (the upload and issuance services
// would take minutes for 10,000 versions); the path the benchmark measures is the real one.
import type { Db } from '../../src/server/db/database.ts'
import { newId } from '../../src/server/kernel/crypto.ts'
import { mulberry32 } from '../../src/server/testing/random.ts'

/** Samples ranks 0..n-1 with probability ∝ 1 / (rank + 1)^s. */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n)
  let total = 0
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s
    cumulative[r] = total
  }
  return () => {
    const x = random() * total
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

export const packageName = (rank: number) => `isn-bench-lib-${rank}`
const componentVersion = (rank: number, sbom: number) => `1.${rank % 17}.${sbom % 11}`

export interface SbomPlan {
  /** Per SBOM, the package ranks of its components in document order. */
  sboms: Int32Array[]
  /** Per package rank, in how many SBOMs it is. */
  counts: Int32Array
  components: number
}

/**
 * The SBOMs: `versions` of them, each with 50–500 components (log-uniform) drawn without
 * repetition from a pool of `pool` package names whose popularity follows Zipf's law (s = 1), so
 * a few packages are in most SBOMs and most are in a handful.
 */
export function planSboms(versions: number, pool: number, seed: number): SbomPlan {
  const random = mulberry32(seed)
  const sample = zipfSampler(pool, 1, random)
  const counts = new Int32Array(pool)
  const sboms: Int32Array[] = []
  let components = 0
  for (let v = 0; v < versions; v++) {
    const size = Math.round(Math.exp(Math.log(50) + random() * (Math.log(500) - Math.log(50))))
    const chosen = new Set<number>()
    while (chosen.size < size) chosen.add(sample())
    const ranks = Int32Array.from(chosen)
    for (const r of ranks) counts[r]! += 1
    sboms.push(ranks)
    components += size
  }
  return { sboms, counts, components }
}

/** The package rank whose SBOM count is closest to `target` (ties: the more popular). */
export function packageNear(plan: SbomPlan, target: number, exclude: ReadonlySet<number>): number {
  let best = -1
  for (let r = 0; r < plan.counts.length; r++) {
    if (exclude.has(r) || plan.counts[r]! === 0) continue
    if (best < 0 || Math.abs(plan.counts[r]! - target) < Math.abs(plan.counts[best]! - target)) {
      best = r
    }
  }
  return best
}

export interface Seeded {
  organisationId: string
  assessorId: string
  /** Product version ids, by SBOM index. */
  versionIds: string[]
  labelIds: string[]
}

const nowIso = () => new Date().toISOString()

/** The label issued through the service that the seeded ones copy (PostgreSQL's generated search column aside). */
const findTemplate = (db: Db, id: string) =>
  db.selectFrom('labels').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

/**
 * Writes organisations, products (100 versions each), product versions, one current SBOM per
 * version with its components, and one active label per version cloned from `templateLabelId`
 * (a label issued through the labels service: same signing key and record shape; each clone gets
 * its own id, status-list index, product and version).
 */
export async function seedVersions(
  db: Db,
  plan: SbomPlan,
  input: { organisationId: string; assessorId: string; templateLabelId: string },
  log: (message: string) => void,
): Promise<Seeded> {
  const now = nowIso()
  const versionIds: string[] = []
  const labelIds: string[] = []
  const { labels_words_vector: _generated, ...template } = (await findTemplate(
    db,
    input.templateLabelId,
  )) as Awaited<ReturnType<typeof findTemplate>> & { labels_words_vector?: unknown }
  const templateRecord = JSON.parse(template.record) as {
    product: Record<string, unknown>
  } & Record<string, unknown>
  let statusIndex =
    Number(
      (
        await db
          .selectFrom('labels')
          .select((eb) => eb.fn.max('status_index').as('m'))
          .executeTakeFirstOrThrow()
      ).m ?? 0,
    ) + 1
  const PER_PRODUCT = 100
  const BATCH = 100
  for (let start = 0; start < plan.sboms.length; start += BATCH) {
    await db.transaction().execute(async (trx) => {
      const end = Math.min(plan.sboms.length, start + BATCH)
      const products: Record<string, unknown>[] = []
      const versions: Record<string, unknown>[] = []
      const documents: Record<string, unknown>[] = []
      const labels: Record<string, unknown>[] = []
      const history: Record<string, unknown>[] = []
      let components: Record<string, unknown>[] = []
      const flush = async () => {
        if (components.length === 0) return
        await trx
          .insertInto('sbom_components')
          .values(components as never)
          .execute()
        components = []
      }
      for (let v = start; v < end; v++) {
        const productIndex = Math.floor(v / PER_PRODUCT)
        const productId = `bench-product-${productIndex}`
        if (v % PER_PRODUCT === 0) {
          products.push({
            id: productId,
            organisation_id: input.organisationId,
            name: `Sensor hub ${productIndex}`,
            model_numbers: JSON.stringify([`SH-${productIndex}`]),
            device_class: 'gateway',
            hardware_versions: '[]',
            sensors: '[]',
            data_collected: '[]',
            created_at: now,
            updated_at: now,
          })
        }
        const versionId = newId()
        const version = `${1 + (v % PER_PRODUCT)}.0.0`
        versionIds.push(versionId)
        versions.push({
          id: versionId,
          product_id: productId,
          version,
          release_date: '2026-01-01',
          created_at: now,
          updated_at: now,
        })
        const sbomId = newId()
        const ranks = plan.sboms[v]!
        documents.push({
          id: sbomId,
          organisation_id: input.organisationId,
          product_id: productId,
          product_version_id: versionId,
          revision: 1,
          is_current: 1,
          sha256: `${v.toString(16).padStart(8, '0')}${'0'.repeat(56)}`,
          byte_length: ranks.length * 400,
          file_name: `sbom-${v}.cdx.json`,
          format: 'cyclonedx',
          spec_version: '1.5',
          serial_number: null,
          bom_version: 1,
          namespace: null,
          document_name: null,
          document_created_at: now,
          tools: '[]',
          authors: '[]',
          root_key: null,
          component_count: ranks.length,
          dependency_count: 0,
          notes: '[]',
          uploaded_by_type: 'system',
          uploaded_by_id: null,
          uploaded_by_name: 'bench',
          uploaded_at: now,
        })
        const labelId = newId()
        labelIds.push(labelId)
        const record = {
          ...templateRecord,
          product: {
            ...templateRecord.product,
            productId,
            productVersionId: versionId,
            name: `Sensor hub ${productIndex}`,
            version,
          },
        }
        labels.push({
          ...template,
          id: labelId,
          status_index: statusIndex++,
          product_id: productId,
          product_version_id: versionId,
          record: JSON.stringify(record),
          product_name: `Sensor hub ${productIndex}`,
          search_text: `sensor hub ${productIndex} ${version}`,
          status: 'active',
          status_reason: null,
          status_changed_at: template.issued_at,
        })
        history.push({
          label_id: labelId,
          at: template.issued_at,
          from_status: null,
          to_status: 'active',
          reason: 'Issued',
          actor_type: 'system',
          actor_id: null,
          actor_label: 'bench',
        })
      }
      if (products.length > 0) {
        await trx
          .insertInto('products')
          .values(products as never)
          .execute()
      }
      await trx
        .insertInto('product_versions')
        .values(versions as never)
        .execute()
      await trx
        .insertInto('sbom_documents')
        .values(documents as never)
        .execute()
      for (let v = start; v < end; v++) {
        const sbomId = documents[v - start]!.id as string
        const ranks = plan.sboms[v]!
        for (let i = 0; i < ranks.length; i++) {
          const name = packageName(ranks[i]!)
          const version = componentVersion(ranks[i]!, v)
          components.push({
            sbom_id: sbomId,
            ordinal: i,
            component_key: `${name}@${version}`,
            parent_key: null,
            pointer: `/components/${i}`,
            is_root: 0,
            name,
            group_name: null,
            version,
            type: 'library',
            supplier: null,
            author: null,
            purl: `pkg:npm/${name}@${version}`,
            purl_valid: 1,
            purl_type: 'npm',
            purl_namespace: null,
            purl_name: name,
            purl_version: version,
            cpes: '[]',
            hashes: '[]',
            licenses: '[]',
            pedigree: null,
            merged_keys: null,
          })
          // 23 columns: 1,000 rows stay under both databases' parameter limits.
          if (components.length >= 1000) await flush()
        }
      }
      await flush()
      await trx
        .insertInto('labels')
        .values(labels as never)
        .execute()
      await trx
        .insertInto('label_status_changes')
        .values(history as never)
        .execute()
    })
    if ((start / BATCH) % 10 === 9) log(`seeded ${Math.min(plan.sboms.length, start + BATCH)}`)
  }
  return { ...input, versionIds, labelIds }
}
