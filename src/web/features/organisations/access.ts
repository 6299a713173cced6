import { hasRoleAtLeast, type OrganisationRole } from '../../../common/organisations.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { roleIn } from '../../lib/session.ts'

export interface OrganisationAccess {
  userId: string
  role: OrganisationRole | undefined
  /** Owners and admins manage members, invitations and tokens and read the audit log. */
  canManage: boolean
  /** Only owners make or unmake owners. */
  canManageOwners: boolean
}

/**
 * What the signed-in user may do in one organisation, to decide which controls to show. The
 * server decides for real; this only avoids offering what it would refuse.
 */
export function useOrganisationAccess(organisationId: string): OrganisationAccess {
  const session = useCurrentSession()
  const role = roleIn(session, organisationId)
  // Being a network administrator gives no rights inside an organisation: the server checks the
  // membership role only.
  return {
    userId: session.user.id,
    role,
    canManage: role !== undefined && hasRoleAtLeast(role, 'admin'),
    canManageOwners: role === 'owner',
  }
}
