import type { Ctx } from '../../kernel/context.ts'
import { chunksOf } from '../../db/chunks.ts'

/**
 * What the label policy (modules/label-policy) reads of the findings: the open, affected findings
 * that can suspend a label or raise a warning — known-exploited (KEV) or critical — with their
 * triage. Kept apart from findings.service.ts so that the policy depends on reads only.
 */

type Db = Ctx['db']

export interface PolicyFinding {
  id: string
  productVersionId: string
  advisoryId: string
  cves: string[]
  componentName: string
  confidence: 'high' | 'medium' | 'low'
  severity: string | null
  cvssScore: number | null
  kevCve: string | null
  kevDateAdded: string | null
  kevDueDate: string | null
  firstSeenAt: string
  triageState: string | null
  triageFixedVersion: string | null
}

/** CVSS base score from which a finding without a severity word counts as critical. */
export const CRITICAL_CVSS = 9

const CHUNK = 500

function parseCves(text: string): string[] {
  try {
    const value = JSON.parse(text) as unknown
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
  } catch {
    return []
  }
}

const policyRows = (db: Db) =>
  db
    .selectFrom('findings')
    .where('resolved_at', 'is', null)
    .where('status', '=', 'affected')
    .where((eb) =>
      eb.or([
        eb('kev', '=', 1),
        eb('severity', '=', 'critical'),
        eb('severity', '=', 'CRITICAL'),
        eb('cvss_score', '>=', CRITICAL_CVSS),
      ]),
    )

/** The open, affected KEV or critical findings of these product versions, by version. */
export async function openPolicyFindings(
  ctx: Pick<Ctx, 'db'>,
  versionIds: readonly string[],
): Promise<Map<string, PolicyFinding[]>> {
  const out = new Map<string, PolicyFinding[]>()
  const ids = [...new Set(versionIds)]
  for (const chunk of chunksOf(ids, CHUNK)) {
    const rows = await policyRows(ctx.db)
      .select([
        'id',
        'product_version_id',
        'advisory_id',
        'cves',
        'component_name',
        'confidence',
        'severity',
        'cvss_score',
        'kev',
        'kev_cve',
        'kev_date_added',
        'kev_due_date',
        'first_seen_at',
        'triage_state',
        'triage_fixed_version',
      ])
      .where('product_version_id', 'in', chunk)
      .orderBy('first_seen_at')
      .orderBy('id')
      .execute()
    for (const r of rows) {
      const list = out.get(r.product_version_id) ?? []
      list.push({
        id: r.id,
        productVersionId: r.product_version_id,
        advisoryId: r.advisory_id,
        cves: parseCves(r.cves),
        componentName: r.component_name,
        confidence: r.confidence,
        severity: r.severity,
        cvssScore: r.cvss_score === null ? null : Number(r.cvss_score),
        kevCve: Number(r.kev) === 1 ? r.kev_cve : null,
        kevDateAdded: Number(r.kev) === 1 ? r.kev_date_added : null,
        kevDueDate: Number(r.kev) === 1 ? r.kev_due_date : null,
        firstSeenAt: r.first_seen_at,
        triageState: r.triage_state,
        triageFixedVersion: r.triage_fixed_version,
      })
      out.set(r.product_version_id, list)
    }
  }
  return out
}

/** Product versions with at least one open, affected KEV or critical finding. */
export async function versionIdsWithPolicyFindings(ctx: Pick<Ctx, 'db'>): Promise<string[]> {
  const rows = await policyRows(ctx.db).select('product_version_id').distinct().execute()
  return rows.map((r) => r.product_version_id)
}
