/**
 * The vocabulary of products and their registry fields, shared by the server, the web app and
 * the CLI. Plain constants (no TypeBox) so that the web app may import them as values.
 * docs/products.md explains what each field means on a label.
 */

/** How a product receives security updates. */
export const UPDATE_MECHANISMS = ['automatic', 'user-initiated', 'manual', 'none'] as const
export type UpdateMechanism = (typeof UPDATE_MECHANISMS)[number]

export const UPDATE_MECHANISM_LABELS: Record<UpdateMechanism, string> = {
  automatic: 'Automatic (no user action)',
  'user-initiated': 'User-initiated (user approves)',
  manual: 'Manual (user installs)',
  none: 'None (cannot be updated)',
}

/** How the product avoids universal default passwords (EN 303 645 5.1, UK PSTI). */
export const DEFAULT_PASSWORD_POLICIES = [
  'unique-per-device',
  'user-set-at-commissioning',
  'no-passwords',
] as const
export type DefaultPasswordPolicy = (typeof DEFAULT_PASSWORD_POLICIES)[number]

export const DEFAULT_PASSWORD_POLICY_LABELS: Record<DefaultPasswordPolicy, string> = {
  'unique-per-device': 'Unique password per device',
  'user-set-at-commissioning': 'Set by the user at commissioning',
  'no-passwords': 'No passwords (other authentication)',
}

/** Whether a software bill of materials can be had, and how. */
export const SBOM_AVAILABILITIES = ['published', 'available-on-request', 'not-available'] as const
export type SbomAvailability = (typeof SBOM_AVAILABILITIES)[number]

export const SBOM_AVAILABILITY_LABELS: Record<SbomAvailability, string> = {
  published: 'Published (at a URL)',
  'available-on-request': 'Available on request',
  'not-available': 'Not available',
}

/** A product is active until archived; archived products keep their versions and history. */
export const PRODUCT_STATUSES = ['active', 'archived'] as const
export type ProductStatus = (typeof PRODUCT_STATUSES)[number]

/**
 * The registry fields a label needs, as named in the API. A product may be registered without
 * them; `missingRegistryFields` lists those still open (labels will require all of them).
 */
export const REGISTRY_FIELDS = [
  'supportPeriodEnd',
  'updateMechanism',
  'defaultPasswordPolicy',
  'securityContact',
  'vulnerabilityDisclosureUrl',
  'sbomAvailability',
  'secureSetupUrl',
  'dataDisclosure',
] as const
export type RegistryField = (typeof REGISTRY_FIELDS)[number]

export const REGISTRY_FIELD_LABELS: Record<RegistryField, string> = {
  supportPeriodEnd: 'Support period end',
  updateMechanism: 'Update mechanism',
  defaultPasswordPolicy: 'Default-password policy',
  securityContact: 'Security contact',
  vulnerabilityDisclosureUrl: 'Vulnerability disclosure policy',
  sbomAvailability: 'SBOM availability',
  secureSetupUrl: 'Secure set-up guidance',
  dataDisclosure: 'Sensor and data disclosures',
}

/** Bounds shared by the schemas and the forms. */
export const PRODUCT_LIMITS = {
  name: 160,
  listItems: 50,
  listItem: 80,
  sensorItem: 120,
  text: 4000,
  url: 500,
  version: 64,
} as const
