import type { LabelPolicy, PolicyWarning } from '../../../common/api/label-policy.ts'
import { CRITICAL_CVSS, type PolicyFinding } from '../findings/findings.policy.ts'

/**
 * The label policy's rules, pure: findings and a moment in, what the policy wants out
 * (docs/labels.md, "Label policy").
 */

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Triage states (the app's own, CycloneDX VEX `analysis.state` and CSAF product statuses) that
 * say this version is not, or no longer, affected: the finding is remediated.
 */
const NOT_AFFECTED_STATES = new Set([
  'not_affected',
  'known_not_affected',
  'false_positive',
  'suppressed',
])
const FIXED_STATES = new Set(['fixed', 'resolved', 'resolved_with_pedigree'])
/** States that are a statement about an affected version (a VEX statement with a remediation). */
const STATEMENT_STATES = new Set(['affected', 'known_affected', 'exploitable'])

const RANK = { high: 3, medium: 2, low: 1 } as const

/**
 * Remediated: triaged not affected (VEX), or fixed in this very version (a fix in another
 * version leaves this one exposed).
 */
export function isRemediated(finding: PolicyFinding, version: string): boolean {
  const state = finding.triageState?.toLowerCase() ?? null
  if (state === null) return false
  if (NOT_AFFECTED_STATES.has(state)) return true
  if (FIXED_STATES.has(state)) {
    const fixedIn = finding.triageFixedVersion?.trim()
    return !fixedIn || fixedIn === version
  }
  return false
}

/** Addressed: remediated, or the manufacturer has stated a fix or a remediation (VEX). */
export function isAddressed(finding: PolicyFinding, version: string): boolean {
  const state = finding.triageState?.toLowerCase() ?? null
  if (state === null) return false
  return isRemediated(finding, version) || FIXED_STATES.has(state) || STATEMENT_STATES.has(state)
}

export function isCritical(finding: PolicyFinding): boolean {
  return (
    finding.severity?.toLowerCase() === 'critical' ||
    (finding.cvssScore !== null && finding.cvssScore >= CRITICAL_CVSS)
  )
}

/** When the version was known to be exposed: the later of the first sighting and the KEV date. */
export function kevExposedSince(finding: PolicyFinding): string {
  const added = finding.kevDateAdded ? `${finding.kevDateAdded.slice(0, 10)}T00:00:00.000Z` : ''
  return added > finding.firstSeenAt ? added : finding.firstSeenAt
}

const plusDays = (iso: string, days: number) =>
  new Date(Date.parse(iso) + days * DAY_MS).toISOString()

export interface KevExposure {
  finding: PolicyFinding
  cve: string
  since: string
  deadline: string
}

export interface PolicyVerdict {
  /** Open, unremediated KEV findings the policy counts, earliest deadline first. */
  kev: KevExposure[]
  /** The exposure that suspends the label now (deadline passed), if any. */
  suspendFor: KevExposure | null
  warning: (PolicyWarning & { findingIds: string[] }) | null
}

/**
 * What the policy wants for one label of a version now. Findings matched with less than the
 * policy's confidence, and those a person overrode (`overridden`), do not suspend.
 */
export function judge(
  policy: LabelPolicy,
  findings: readonly PolicyFinding[],
  version: string,
  now: Date,
  overridden: ReadonlySet<string> = new Set(),
): PolicyVerdict {
  const nowIso = now.toISOString()
  const counted = findings.filter((f) => RANK[f.confidence] >= RANK[policy.minConfidence])
  const kev = counted
    .filter((f) => f.kevCve !== null && !isRemediated(f, version))
    .map((f) => {
      const since = kevExposedSince(f)
      return {
        finding: f,
        cve: f.kevCve!,
        since,
        deadline: plusDays(since, policy.kevSuspendAfterDays),
      }
    })
    .sort(
      (a, b) => a.deadline.localeCompare(b.deadline) || a.finding.id.localeCompare(b.finding.id),
    )
  if (!policy.enabled) return { kev, suspendFor: null, warning: null }
  const suspendFor = kev.find((e) => e.deadline <= nowIso && !overridden.has(e.finding.id)) ?? null
  const critical = counted.filter(
    (f) =>
      isCritical(f) &&
      !isAddressed(f, version) &&
      plusDays(f.firstSeenAt, policy.criticalWarningAfterDays) <= nowIso,
  )
  if (critical.length === 0) return { kev, suspendFor, warning: null }
  const cves = [...new Set(critical.flatMap((f) => (f.cves.length ? f.cves : [f.advisoryId])))]
  const advisories = [...new Set(critical.map((f) => f.advisoryId))]
  const since = plusDays(critical[0]!.firstSeenAt, policy.criticalWarningAfterDays)
  const list = (items: string[]) =>
    items.length > 3
      ? `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`
      : items.join(', ')
  return {
    kev,
    suspendFor,
    warning: {
      since,
      // Shown under a "Security warning" title, so the message does not say it again.
      message: `${critical.length === 1 ? 'A critical vulnerability' : `${critical.length} critical vulnerabilities`} (${list(cves)}) without a fix or a VEX statement${forMoreThan(policy.criticalWarningAfterDays)}.`,
      cves: cves.slice(0, 20),
      advisories: advisories.slice(0, 20),
      findingIds: critical.map((f) => f.id),
    },
  }
}

/** The reason written into the label's history when the policy suspends it. */
export function suspensionReason(policy: LabelPolicy, e: KevExposure): string {
  return `Label policy: known-exploited vulnerability ${e.cve} (advisory ${e.finding.advisoryId}, ${e.finding.componentName}) unremediated${forMoreThan(policy.kevSuspendAfterDays)} since ${e.since.slice(0, 10)}.`
}

/** " for more than N days" for a policy's delay; nothing when it is 0 (the policy acts at once). */
export function forMoreThan(days: number): string {
  return days === 0 ? '' : ` for more than ${days} day${days === 1 ? '' : 's'}`
}
