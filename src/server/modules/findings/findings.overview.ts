import {
  OVERVIEW_SEVERITIES,
  type FindingOverview,
  type FindingOverviewVersion,
} from '../../../common/api/findings.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  countUnresolvedFindingsOfOrganisation,
  listLastEvaluationsOfOrganisation,
} from './findings.overview.repository.ts'
import { listVersionSubjects } from './findings.repository.ts'

type Severity = (typeof OVERVIEW_SEVERITIES)[number]
const SEVERITIES = new Set<string>(OVERVIEW_SEVERITIES)
const severityOf = (value: string | null): Severity =>
  value !== null && SEVERITIES.has(value) ? (value as Severity) : 'unknown'

/**
 * A manufacturer's vulnerability overview (docs/vulnerabilities.md, "Views"): each of its product
 * versions with unresolved findings, with the open ones by severity, the known-exploited ones,
 * those awaiting review and the last evaluation. Open means unresolved and not suppressed
 * (triaged not affected with a justification), as in the VEX panel. Only the organisation's own
 * versions are read; the route's access declaration makes it the caller's organisation.
 */
export async function getFindingOverview(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
): Promise<FindingOverview> {
  const [counts, evaluations] = await Promise.all([
    countUnresolvedFindingsOfOrganisation(ctx.db, organisationId),
    listLastEvaluationsOfOrganisation(ctx.db, organisationId),
  ])
  const lastEvaluated = new Map(evaluations.map((e) => [e.product_version_id, e.evaluated_at]))
  type Tally = Omit<
    FindingOverviewVersion,
    'productId' | 'productName' | 'deviceClass' | 'version' | 'lastEvaluatedAt'
  >
  const tallies = new Map<string, Tally>()
  for (const row of counts) {
    const tally = tallies.get(row.product_version_id) ?? {
      productVersionId: row.product_version_id,
      open: 0,
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 },
      knownExploited: 0,
      needsReview: 0,
      suppressed: 0,
    }
    const n = Number(row.n)
    const suppressed = row.triage_state === 'not_affected' ? Number(row.justified) : 0
    const open = n - suppressed
    tally.suppressed += suppressed
    tally.open += open
    tally.bySeverity[severityOf(row.severity)] += open
    if (Number(row.kev) === 1) tally.knownExploited += open
    if (row.status === 'unknown') tally.needsReview += open
    tallies.set(row.product_version_id, tally)
  }
  const subjects = new Map(
    (await listVersionSubjects(ctx.db, [...tallies.keys()])).map((s) => [s.product_version_id, s]),
  )
  const versions: FindingOverviewVersion[] = []
  for (const tally of tallies.values()) {
    const subject = subjects.get(tally.productVersionId)
    if (!subject) continue
    versions.push({
      productId: subject.product_id,
      productName: subject.product_name,
      deviceClass: subject.device_class,
      version: subject.version,
      ...tally,
      lastEvaluatedAt: lastEvaluated.get(tally.productVersionId) ?? null,
    })
  }
  versions.sort(
    (a, b) =>
      b.knownExploited - a.knownExploited ||
      b.open - a.open ||
      a.productName.localeCompare(b.productName) ||
      a.version.localeCompare(b.version),
  )
  const latest = evaluations.reduce<string | null>(
    (max, e) =>
      e.evaluated_at !== null && (max === null || e.evaluated_at > max) ? e.evaluated_at : max,
    null,
  )
  return {
    versions,
    totals: {
      open: versions.reduce((sum, v) => sum + v.open, 0),
      knownExploited: versions.reduce((sum, v) => sum + v.knownExploited, 0),
      needsReview: versions.reduce((sum, v) => sum + v.needsReview, 0),
    },
    evaluatedVersions: evaluations.length,
    lastEvaluatedAt: latest,
  }
}
