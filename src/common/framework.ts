/**
 * The fixed vocabulary of the normative framework, shared by the server, the web app and the
 * CLI: tiers, device classes, verification strengths and crosswalk relations. The framework files
 * in framework/ use exactly these values (framework/schema/*.schema.json lists them too, and a
 * test keeps both in step).
 */

/** Tiers, lowest first. A requirement applies from its tier upwards. */
export const TIERS = [1, 2, 3, 4] as const
export type Tier = (typeof TIERS)[number]

export const TIER_LABELS: Record<Tier, string> = {
  1: 'Baseline',
  2: 'Verified',
  3: 'Hardened',
  4: 'Critical',
}

export const TIER_DESCRIPTIONS: Record<Tier, string> = {
  1: 'What every connected industrial product must do: no universal passwords, a way to report vulnerabilities, secure updates for a published support period.',
  2: 'Baseline plus the controls a buyer can rely on without testing them: authenticated and encrypted interfaces, logging, hardening, a documented secure development process.',
  3: 'For products in zones facing skilled attackers: hardware-backed keys, secure boot, tamper detection, independent penetration testing.',
  4: 'For safety- or mission-critical functions facing well-resourced attackers: the full IEC 62443-4-2 SL4 capability set and continuous verification.',
}

/**
 * Device classes, each tied to the IEC 62443-4-2 component types it is assessed as: embedded
 * device (EDR), host device (HDR), network device (NDR) and software application (SAR).
 */
export const DEVICE_CLASSES = [
  'field-device',
  'controller',
  'gateway',
  'application',
  'cloud-service',
] as const
export type DeviceClass = (typeof DEVICE_CLASSES)[number]

export const DEVICE_CLASS_LABELS: Record<DeviceClass, string> = {
  'field-device': 'Field device / sensor',
  controller: 'Controller (PLC / RTU)',
  gateway: 'Gateway / edge device',
  application: 'HMI / SCADA and other software applications',
  'cloud-service': 'Cloud / companion service',
}

export const COMPONENT_TYPES = ['SAR', 'EDR', 'HDR', 'NDR'] as const
export type ComponentType = (typeof COMPONENT_TYPES)[number]

export const COMPONENT_TYPE_LABELS: Record<ComponentType, string> = {
  SAR: 'Software application',
  EDR: 'Embedded device',
  HDR: 'Host device',
  NDR: 'Network device',
}

export const DEVICE_CLASS_COMPONENT_TYPES: Record<DeviceClass, readonly ComponentType[]> = {
  'field-device': ['EDR'],
  controller: ['EDR'],
  gateway: ['NDR', 'EDR'],
  application: ['HDR', 'SAR'],
  'cloud-service': ['SAR'],
}

/** How strongly a claim has been checked, weakest first. */
export const VERIFICATION_STRENGTHS = ['self-declared', 'document-reviewed', 'lab-tested'] as const
export type VerificationStrength = (typeof VERIFICATION_STRENGTHS)[number]

export const VERIFICATION_STRENGTH_LABELS: Record<VerificationStrength, string> = {
  'self-declared': 'Self-declared',
  'document-reviewed': 'Document-reviewed',
  'lab-tested': 'Lab-tested',
}

/** True when `strength` is at least as strong as `minimum`. */
export function isAtLeastAsStrong(
  strength: VerificationStrength,
  minimum: VerificationStrength,
): boolean {
  return VERIFICATION_STRENGTHS.indexOf(strength) >= VERIFICATION_STRENGTHS.indexOf(minimum)
}

/** Whether a requirement is about the product itself or about the manufacturer's processes. */
export const REQUIREMENT_KINDS = ['technical', 'process'] as const
export type RequirementKind = (typeof REQUIREMENT_KINDS)[number]

/**
 * Set-theory relation of a crosswalk link, read "our requirement is <relation> the external
 * item" (as in NIST IR 8278 OLIR): equal, subset (ours covers part of it), superset (ours covers
 * all of it and more), intersect (they overlap).
 */
export const RELATIONS = ['equal', 'subset', 'superset', 'intersect'] as const
export type Relation = (typeof RELATIONS)[number]

/** Relations under which our requirement alone fully covers the external item. */
export const COVERING_RELATIONS: readonly Relation[] = ['equal', 'superset']

export const LINK_STRENGTHS = ['strong', 'moderate', 'weak'] as const
export type LinkStrength = (typeof LINK_STRENGTHS)[number]

/** Provenance of a link that no published mapping states. */
export const NETWORK_PROVENANCE = 'network'

/** Identifier of a framework requirement, e.g. ISN-UPD-03. */
export const REQUIREMENT_ID_PATTERN = '^ISN-[A-Z]{2,5}-[0-9]{2}$'

/** Search reads this many characters of the text it is given; longer input is searched by its start. */
export const SEARCH_TEXT_LIMIT = 500
