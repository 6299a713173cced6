import { hasRoleAtLeast, type OrganisationRole } from '../../../common/organisations.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { roleIn } from '../../lib/session.ts'

export interface OrganisationAccess {
  userId: string
  role: OrganisationRole | undefined
  /** Owners and admins (and network administrators) manage members, invitations and tokens. */
  canManage: boolean
  /** Only owners (and network administrators) make or unmake owners. */
  canManageOwners: boolean
}

/**
 * What the signed-in user may do in one organisation, to decide which controls to show. The
 * server decides for real; this only avoids offering what it would refuse.
 */
export function useOrganisationAccess(organisationId: string): OrganisationAccess {
  const session = useCurrentSession()
  const role = roleIn(session, organisationId)
  const isNetworkAdmin = session.user.isNetworkAdmin
  return {
    userId: session.user.id,
    role,
    canManage: isNetworkAdmin || (role !== undefined && hasRoleAtLeast(role, 'admin')),
    canManageOwners: isNetworkAdmin || role === 'owner',
  }
}
