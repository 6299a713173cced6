import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback } from 'react'
import type { SessionInfo } from '../../common/api/accounts.ts'
import { isAppError } from '../../common/errors.ts'
import { hasRoleAtLeast, type OrganisationRole } from '../../common/organisations.ts'
import { api, setCsrfToken } from './api.ts'

export const SESSION_KEY = ['session'] as const

// The session cookie is httpOnly, so scripts cannot see whether there is one. This flag remembers
// that this browser signed in, so that a visitor who never did is not greeted by a 401 from the
// session check on every page (browsers log each one as a console error).
const SIGNED_IN_HINT = 'isn.signed-in'

function hasSignedInHint(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_HINT) === '1'
  } catch {
    return true // storage blocked: ask the server every time
  }
}

function setSignedInHint(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN_HINT, '1')
    else localStorage.removeItem(SIGNED_IN_HINT)
  } catch {
    // storage blocked: nothing to remember
  }
}

/** The signed-in session, or `null` when signed out (the server answers 401). */
async function fetchSession(): Promise<SessionInfo | null> {
  if (!hasSignedInHint()) {
    setCsrfToken(undefined)
    return null
  }
  try {
    const session = await api.get<SessionInfo>('/auth/session')
    setCsrfToken(session.csrfToken)
    return session
  } catch (error) {
    if (isAppError(error, 'unauthorized')) {
      setCsrfToken(undefined)
      setSignedInHint(false)
      return null
    }
    throw error
  }
}

export const sessionQuery = queryOptions({
  queryKey: SESSION_KEY,
  queryFn: fetchSession,
  staleTime: 60_000,
})

export function useSession() {
  return useQuery(sessionQuery)
}

/** Replaces the cached session after sign-in or sign-out, and the CSRF token with it. */
export function useSetSession(): (session: SessionInfo | null) => void {
  const queryClient = useQueryClient()
  return useCallback(
    (session) => {
      setCsrfToken(session?.csrfToken)
      setSignedInHint(session !== null)
      const previous = queryClient.getQueryData<SessionInfo | null>(SESSION_KEY)
      if (session === null || previous?.user.id !== session.user.id) {
        // Nothing cached for the previous user may leak into the next one's screens.
        queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] })
      }
      queryClient.setQueryData(SESSION_KEY, session)
    },
    [queryClient],
  )
}

/** The caller's role in an organisation, or undefined when not a member. */
export function roleIn(session: SessionInfo, organisationId: string): OrganisationRole | undefined {
  return session.memberships.find((m) => m.organisationId === organisationId)?.role
}

/** Organisation admins and owners manage members, invitations, tokens and see the audit log. */
export function canManageOrganisation(session: SessionInfo, organisationId: string): boolean {
  const role = roleIn(session, organisationId)
  return role !== undefined && hasRoleAtLeast(role, 'admin')
}

/** Only a same-site path may be a `?next=` target, never another origin (`//evil`, `https:`). */
export function safeNextPath(next: string | null | undefined, fallback = '/organisations'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback
  }
  return next
}
