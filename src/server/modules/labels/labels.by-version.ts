import type { LabelStatus } from '../../../common/api/labels.ts'
import type { Ctx } from '../../kernel/context.ts'
import { effectiveStatus } from './labels.service.ts'
import { chunksOf } from '../../db/chunks.ts'
import { byId, listLabelsForStatusChange, type LabelForStatusChange } from './labels.repository.ts'

/**
 * Labels by product version, for the label policy (modules/label-policy): which labels a
 * version's findings concern, with their status as a reader sees it now.
 */

export interface VersionLabel {
  id: string
  productVersionId: string
  manufacturerId: string | null
  assessorId: string | null
  productName: string
  version: string
  status: LabelStatus
  statusReason: string | null
  statusChangedAt: string
}

/** Product versions per `in (…)` list: small for PostgreSQL's sake, as labels.repository's ID_CHUNK. */
const CHUNK = 100

const columns = [
  'labels.id',
  'labels.product_version_id',
  'labels.manufacturer_id',
  'labels.assessor_id',
  'labels.product_name',
  'labels.status',
  'labels.status_reason',
  'labels.status_changed_at',
  'labels.expires_at',
] as const

function selectVersionLabels(db: Ctx['db']) {
  return (
    db
      .selectFrom('labels')
      .select(columns)
      // The label's version is its product version's (which never changes once registered): read
      // there, by index, rather than by parsing each label's signed record (the table's largest
      // column). A subquery rather than a join, so that PostgreSQL never hashes the whole table.
      .select((eb) =>
        eb
          .selectFrom('product_versions')
          .select('product_versions.version')
          .whereRef('product_versions.id', '=', 'labels.product_version_id')
          .as('version'),
      )
  )
}

type Row = Awaited<ReturnType<ReturnType<typeof selectVersionLabels>['execute']>>[number]

function toVersionLabel(r: Row, now: Date): VersionLabel {
  return {
    id: r.id,
    productVersionId: r.product_version_id ?? '',
    manufacturerId: r.manufacturer_id,
    assessorId: r.assessor_id,
    productName: r.product_name,
    version: r.version ?? '',
    status: effectiveStatus(r, now),
    statusReason: r.status_reason,
    statusChangedAt: r.status_changed_at,
  }
}

/** Active or suspended as a reader sees it now: the labels the policy acts on. */
const isLive = (label: VersionLabel) => label.status === 'active' || label.status === 'suspended'

/** The active and suspended (not yet expired) labels of these product versions, in id order. */
export async function listLiveLabelsOfVersions(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  versionIds: readonly string[],
): Promise<VersionLabel[]> {
  const now = ctx.clock.now()
  const ids = [...new Set(versionIds)]
  const out: VersionLabel[] = []
  for (const chunk of chunksOf(ids, CHUNK)) {
    const rows = await selectVersionLabels(ctx.db)
      .where('labels.product_version_id', 'in', chunk)
      .where('labels.status', 'in', ['active', 'suspended'])
      .execute()
    for (const r of rows) {
      const label = toVersionLabel(r, now)
      if (isLive(label)) out.push(label)
    }
  }
  return out.sort(byId)
}

/** One label as the policy needs it (undefined: no such label). */
export async function findVersionLabel(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  id: string,
): Promise<VersionLabel | undefined> {
  const row = await selectVersionLabels(ctx.db).where('labels.id', '=', id).executeTakeFirst()
  return row ? toVersionLabel(row, ctx.clock.now()) : undefined
}

/**
 * Labels by id as a status change reads them (for changeLabelStatuses' `read`), with the live
 * ones among them as the policy sees them: one read of the labels in the caller's transaction.
 */
export async function readLabelsForChange(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  ids: readonly string[],
): Promise<{ read: LabelForStatusChange[]; live: VersionLabel[] }> {
  const now = ctx.clock.now()
  const read = await listLabelsForStatusChange(ctx.db, ids)
  const live: VersionLabel[] = []
  for (const r of read) {
    const label = toVersionLabel(r, now)
    if (isLive(label)) live.push(label)
  }
  return { read, live }
}

/**
 * The manufacturer and device class each of these labels was issued with, by label id: what its
 * registry page shows (copies of the signed record's fields, read from the label's own row).
 */
export async function listLabelRegistryNames(
  ctx: Pick<Ctx, 'db'>,
  ids: readonly string[],
): Promise<Map<string, { manufacturerName: string; deviceClass: string }>> {
  const out = new Map<string, { manufacturerName: string; deviceClass: string }>()
  for (const chunk of chunksOf([...new Set(ids)], CHUNK)) {
    const rows = await ctx.db
      .selectFrom('labels')
      .select(['id', 'manufacturer_name', 'device_class'])
      .where('id', 'in', chunk)
      .execute()
    for (const r of rows) {
      out.set(r.id, { manufacturerName: r.manufacturer_name, deviceClass: r.device_class })
    }
  }
  return out
}
