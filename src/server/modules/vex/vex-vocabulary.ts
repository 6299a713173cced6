/**
 * The VEX vocabulary shared by triage, upload and publication: states, the CycloneDX and CSAF
 * justification sets and the mappings between them, responses and remediation categories.
 */

export type TriageState = 'not_affected' | 'affected' | 'fixed' | 'under_investigation'

/** CycloneDX 1.6 `analysis.justification`. */
export const CYCLONEDX_JUSTIFICATIONS = [
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
] as const

/** CSAF 2.0 flag labels (§3.2.3.5). */
export const CSAF_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'vulnerable_code_not_in_execute_path',
  'inline_mitigations_already_exist',
] as const

export const JUSTIFICATIONS = [...CYCLONEDX_JUSTIFICATIONS, ...CSAF_JUSTIFICATIONS] as const
export type Justification = (typeof JUSTIFICATIONS)[number]

/** CycloneDX `analysis.response`. */
export const CYCLONEDX_RESPONSES = [
  'can_not_fix',
  'will_not_fix',
  'update',
  'rollback',
  'workaround_available',
] as const

/** CSAF remediation categories. */
export const CSAF_REMEDIATIONS = [
  'vendor_fix',
  'mitigation',
  'workaround',
  'none_available',
  'no_fix_planned',
] as const

export const RESPONSES = [...CYCLONEDX_RESPONSES, ...CSAF_REMEDIATIONS] as const

const CDX_TO_CSAF: Record<(typeof CYCLONEDX_JUSTIFICATIONS)[number], string> = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_dependency: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'inline_mitigations_already_exist',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
}

const CSAF_TO_CDX: Record<(typeof CSAF_JUSTIFICATIONS)[number], string> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
}

const isCsaf = (v: string): v is (typeof CSAF_JUSTIFICATIONS)[number] =>
  (CSAF_JUSTIFICATIONS as readonly string[]).includes(v)
const isCdx = (v: string): v is (typeof CYCLONEDX_JUSTIFICATIONS)[number] =>
  (CYCLONEDX_JUSTIFICATIONS as readonly string[]).includes(v)

/** The CSAF flag label of a justification from either set, or undefined for an unknown one. */
export function csafLabelOf(justification: string): string | undefined {
  if (isCsaf(justification)) return justification
  return isCdx(justification) ? CDX_TO_CSAF[justification] : undefined
}

/** The CycloneDX justification of a justification from either set. */
export function cycloneDxJustificationOf(justification: string): string | undefined {
  if (isCdx(justification)) return justification
  return isCsaf(justification) ? CSAF_TO_CDX[justification] : undefined
}

/** CycloneDX responses of responses from either set. */
export function cycloneDxResponsesOf(responses: readonly string[]): string[] {
  const map: Record<string, string> = {
    vendor_fix: 'update',
    mitigation: 'workaround_available',
    workaround: 'workaround_available',
    none_available: 'can_not_fix',
    no_fix_planned: 'will_not_fix',
  }
  const out = responses.map((r) => map[r] ?? r)
  return [...new Set(out.filter((r) => (CYCLONEDX_RESPONSES as readonly string[]).includes(r)))]
}

/** The CSAF remediation category of an affected finding's responses (one category). */
export function csafRemediationOf(responses: readonly string[]): string {
  const map: Record<string, string> = {
    update: 'vendor_fix',
    rollback: 'vendor_fix',
    workaround_available: 'workaround',
    can_not_fix: 'none_available',
    will_not_fix: 'no_fix_planned',
  }
  for (const r of responses) {
    const category = (CSAF_REMEDIATIONS as readonly string[]).includes(r) ? r : map[r]
    if (category) return category
  }
  return 'none_available'
}
