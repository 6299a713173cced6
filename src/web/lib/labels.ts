import type { TwoFactorGroup } from '../../common/api/admin.ts'
import type { Invitation } from '../../common/api/organisations.ts'
import type { OrganisationRole, TokenScope } from '../../common/organisations.ts'

// Records keyed by the shared types: adding a role, scope or group to common/ fails the type
// check here until it has a label, so the UI never shows a raw code.

export const ROLE_LABELS: Record<OrganisationRole, string> = {
  owner: 'Owner',
  admin: 'Administrator',
  member: 'Member',
  viewer: 'Viewer',
}

export const ROLE_DESCRIPTIONS: Record<OrganisationRole, string> = {
  owner: 'Everything an administrator can do, and manage owners',
  admin: 'Manage members, invitations, API tokens and see the audit log',
  member: 'Work on the organisation’s content',
  viewer: 'Read only',
}

export const SCOPE_LABELS: Record<TokenScope, string> = {
  'organisation:read': 'Read the organisation’s data',
  'organisation:write': 'Change the organisation’s data',
  'audit:read': 'Read the organisation’s audit log',
  'products:read': 'Read the organisation’s products and versions',
  'products:write': 'Register and change products and versions',
  'reviews:read': 'Read the reviews addressed to the organisation, with answers and evidence',
  'reviews:write': 'Record verdicts, request changes and approve reviews (issues labels)',
  'labels:write': 'Suspend, reinstate and revoke the labels the organisation’s approvals issued',
  'sboms:read': 'Read the SBOMs of the organisation’s product versions',
  'sboms:write': 'Upload and delete SBOMs of product versions (build pipelines)',
}

export const TWO_FACTOR_GROUP_LABELS: Record<TwoFactorGroup, string> = {
  network_admin: 'Network administrators',
  assessor: 'Members of assessor organisations',
  org_owner: 'Organisation owners',
  org_admin: 'Organisation administrators',
  everyone: 'Everyone',
}

export const INVITATION_STATUS_COLORS: Record<Invitation['status'], string> = {
  pending: 'blue',
  accepted: 'teal',
  revoked: 'gray',
  expired: 'orange',
}

/** Typed `Object.keys` for the records above. */
export function keysOf<K extends string>(record: Record<K, unknown>): K[] {
  return Object.keys(record) as K[]
}
