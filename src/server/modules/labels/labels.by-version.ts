import type { LabelRecord, LabelStatus } from '../../../common/api/labels.ts'
import type { Ctx } from '../../kernel/context.ts'
import { effectiveStatus } from './labels.service.ts'
import { chunksOf } from '../../db/chunks.ts'

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

const CHUNK = 500

const columns = [
  'id',
  'product_version_id',
  'manufacturer_id',
  'assessor_id',
  'product_name',
  'record',
  'status',
  'status_reason',
  'status_changed_at',
  'expires_at',
] as const

type Row = {
  id: string
  product_version_id: string | null
  manufacturer_id: string | null
  assessor_id: string | null
  product_name: string
  record: string
  status: LabelStatus
  status_reason: string | null
  status_changed_at: string
  expires_at: string
}

function toVersionLabel(r: Row, now: Date): VersionLabel {
  const record = JSON.parse(r.record) as LabelRecord
  return {
    id: r.id,
    productVersionId: r.product_version_id ?? '',
    manufacturerId: r.manufacturer_id,
    assessorId: r.assessor_id,
    productName: r.product_name,
    version: record.product.version,
    status: effectiveStatus(r, now),
    statusReason: r.status_reason,
    statusChangedAt: r.status_changed_at,
  }
}

/** The active and suspended (not yet expired) labels of these product versions. */
export async function listLiveLabelsOfVersions(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  versionIds: readonly string[],
): Promise<VersionLabel[]> {
  const now = ctx.clock.now()
  const ids = [...new Set(versionIds)]
  const out: VersionLabel[] = []
  for (const chunk of chunksOf(ids, CHUNK)) {
    const rows = await ctx.db
      .selectFrom('labels')
      .select(columns)
      .where('product_version_id', 'in', chunk)
      .where('status', 'in', ['active', 'suspended'])
      .orderBy('id')
      .execute()
    for (const r of rows) {
      const label = toVersionLabel(r, now)
      if (label.status === 'active' || label.status === 'suspended') out.push(label)
    }
  }
  return out
}

/** One label as the policy needs it (undefined: no such label). */
export async function findVersionLabel(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  id: string,
): Promise<VersionLabel | undefined> {
  const row = await ctx.db
    .selectFrom('labels')
    .select(columns)
    .where('id', '=', id)
    .executeTakeFirst()
  return row ? toVersionLabel(row, ctx.clock.now()) : undefined
}
