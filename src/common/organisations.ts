/** Kinds of member organisation, and what each does in the network. */
export const ORGANISATION_TYPES = [
  'manufacturer',
  'assessor',
  'operator',
  'insurer',
  'regulator',
  'educator',
  'network',
] as const
export type OrganisationType = (typeof ORGANISATION_TYPES)[number]

export const ORGANISATION_TYPE_LABELS: Record<OrganisationType, string> = {
  manufacturer: 'Manufacturer',
  assessor: 'Assessor (test lab / certification body)',
  operator: 'Operator / buyer',
  insurer: 'Insurer',
  regulator: 'Regulator / policy maker',
  educator: 'Educator',
  network: 'Network operator',
}

/** Roles inside an organisation, strongest first. */
export const ORGANISATION_ROLES = ['owner', 'admin', 'member', 'viewer'] as const
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number]

/** True when `role` is at least as strong as `minimum`. */
export function hasRoleAtLeast(role: OrganisationRole, minimum: OrganisationRole): boolean {
  return ORGANISATION_ROLES.indexOf(role) <= ORGANISATION_ROLES.indexOf(minimum)
}

/** Scopes an API token can carry; a token may call only routes that name one of its scopes. */
export const TOKEN_SCOPES = [
  'organisation:read',
  'organisation:write',
  'audit:read',
  'products:read',
  'products:write',
  'reviews:read',
  'reviews:write',
  'labels:write',
  'sboms:read',
  'sboms:write',
] as const
export type TokenScope = (typeof TOKEN_SCOPES)[number]

/**
 * Scopes that only some kinds of organisation can use: products (and assessments of them) are
 * a manufacturer's, reviews and the labels they issue an assessor's. The other scopes fit
 * every organisation.
 */
export const SCOPE_ORGANISATION_TYPES: Partial<Record<TokenScope, readonly OrganisationType[]>> = {
  'products:read': ['manufacturer'],
  'products:write': ['manufacturer'],
  'reviews:read': ['assessor'],
  'reviews:write': ['assessor'],
  'labels:write': ['assessor'],
  'sboms:read': ['manufacturer'],
  'sboms:write': ['manufacturer'],
}

/** True when a token of an organisation of this type can use the scope. */
export function scopeFitsOrganisation(scope: TokenScope, type: OrganisationType): boolean {
  return SCOPE_ORGANISATION_TYPES[scope]?.includes(type) ?? true
}
