import { describe, expect, it } from 'vitest'
import { DEFAULT_LABEL_POLICY } from '../../../common/api/label-policy.ts'
import type { PolicyFinding } from '../findings/findings.policy.ts'
import { isAddressed, isRemediated, judge, kevExposedSince, suspensionReason } from './rules.ts'

const NOW = new Date('2026-06-30T12:00:00.000Z')

function finding(overrides: Partial<PolicyFinding> = {}): PolicyFinding {
  return {
    id: 'f1',
    productVersionId: 'v1',
    advisoryId: 'GHSA-jfh8-c2jp-5v3q',
    cves: ['CVE-2021-44228'],
    componentName: 'log4j-core',
    confidence: 'high',
    severity: 'critical',
    cvssScore: 10,
    kevCve: 'CVE-2021-44228',
    kevDateAdded: '2021-12-10',
    kevDueDate: '2021-12-24',
    firstSeenAt: '2026-06-01T08:00:00.000Z',
    triageState: null,
    triageFixedVersion: null,
    ...overrides,
  }
}

describe('the label policy’s rules', () => {
  it('counts a KEV exposure from the later of first sighting and the KEV date', () => {
    expect(kevExposedSince(finding())).toBe('2026-06-01T08:00:00.000Z')
    expect(kevExposedSince(finding({ kevDateAdded: '2026-06-10' }))).toBe(
      '2026-06-10T00:00:00.000Z',
    )
  })

  it('suspends past the deadline only, earliest deadline first', () => {
    const verdict = judge(DEFAULT_LABEL_POLICY, [finding()], '2.4.1', NOW)
    expect(verdict.suspendFor?.deadline).toBe('2026-06-15T08:00:00.000Z')
    expect(suspensionReason(DEFAULT_LABEL_POLICY, verdict.suspendFor!)).toBe(
      'Label policy: known-exploited vulnerability CVE-2021-44228 (advisory GHSA-jfh8-c2jp-5v3q, log4j-core) unremediated for more than 14 days since 2026-06-01.',
    )
    const early = judge(
      DEFAULT_LABEL_POLICY,
      [finding()],
      '2.4.1',
      new Date('2026-06-15T08:00:00.000Z'),
    )
    expect(early.suspendFor).not.toBeNull()
    const before = judge(
      DEFAULT_LABEL_POLICY,
      [finding()],
      '2.4.1',
      new Date('2026-06-15T07:59:59.999Z'),
    )
    expect(before.suspendFor).toBeNull()
    expect(before.kev).toHaveLength(1)
  })

  it('reads triage states of the app, CycloneDX and CSAF', () => {
    const v = '2.4.1'
    expect(isRemediated(finding({ triageState: 'not_affected' }), v)).toBe(true)
    expect(isRemediated(finding({ triageState: 'false_positive' }), v)).toBe(true)
    expect(isRemediated(finding({ triageState: 'fixed' }), v)).toBe(true)
    expect(isRemediated(finding({ triageState: 'fixed', triageFixedVersion: '2.4.1' }), v)).toBe(
      true,
    )
    expect(isRemediated(finding({ triageState: 'fixed', triageFixedVersion: '2.5' }), v)).toBe(
      false,
    )
    expect(isRemediated(finding({ triageState: 'affected' }), v)).toBe(false)
    expect(isRemediated(finding({ triageState: 'under_investigation' }), v)).toBe(false)
    expect(isAddressed(finding({ triageState: 'affected' }), v)).toBe(true)
    expect(isAddressed(finding({ triageState: 'fixed', triageFixedVersion: '2.5' }), v)).toBe(true)
    expect(isAddressed(finding({ triageState: 'under_investigation' }), v)).toBe(false)
    expect(isAddressed(finding(), v)).toBe(false)
  })

  it('warns for critical findings without statement past M days, and not when switched off', () => {
    const critical = finding({ kevCve: null, kevDateAdded: null, cvssScore: 9.1, severity: null })
    const verdict = judge(
      DEFAULT_LABEL_POLICY,
      [critical],
      '2.4.1',
      new Date('2026-07-02T00:00:00.000Z'),
    )
    expect(verdict.warning).toMatchObject({
      since: '2026-07-01T08:00:00.000Z',
      cves: ['CVE-2021-44228'],
      findingIds: ['f1'],
      message:
        'A critical vulnerability (CVE-2021-44228) without a fix or a VEX statement for more than 30 days.',
    })
    expect(judge(DEFAULT_LABEL_POLICY, [critical], '2.4.1', NOW).warning).toBeNull()
    // A policy that warns (or suspends) at once says so, not "for more than 0 days".
    const atOnce = { ...DEFAULT_LABEL_POLICY, criticalWarningAfterDays: 0, kevSuspendAfterDays: 0 }
    expect(judge(atOnce, [critical], '2.4.1', NOW).warning?.message).toBe(
      'A critical vulnerability (CVE-2021-44228) without a fix or a VEX statement.',
    )
    expect(suspensionReason(atOnce, judge(atOnce, [finding()], '2.4.1', NOW).suspendFor!)).toBe(
      'Label policy: known-exploited vulnerability CVE-2021-44228 (advisory GHSA-jfh8-c2jp-5v3q, log4j-core) unremediated since 2026-06-01.',
    )
    const off = { ...DEFAULT_LABEL_POLICY, enabled: false }
    expect(judge(off, [critical, finding()], '2.4.1', new Date('2027-01-01')).warning).toBeNull()
    expect(judge(off, [finding()], '2.4.1', new Date('2027-01-01')).suspendFor).toBeNull()
  })

  it('leaves low-confidence and overridden findings out of the suspension', () => {
    expect(
      judge(DEFAULT_LABEL_POLICY, [finding({ confidence: 'low' })], '2.4.1', NOW),
    ).toMatchObject({
      kev: [],
      suspendFor: null,
    })
    const overridden = judge(DEFAULT_LABEL_POLICY, [finding()], '2.4.1', NOW, new Set(['f1']))
    expect(overridden.suspendFor).toBeNull()
    expect(overridden.kev).toHaveLength(1)
  })
})
