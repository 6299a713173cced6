import { useMutation } from '@tanstack/react-query'
import { useNavigate } from 'react-router'
import { api } from '../../lib/api.ts'
import { useSetSession } from '../../lib/session.ts'

/** Signs out this session and goes to `to`; an already-ended session counts as signed out. */
export function useSignOut(to = '/') {
  const setSession = useSetSession()
  const navigate = useNavigate()
  return useMutation({
    mutationFn: () => api.post('/auth/sign-out'),
    onSettled: () => {
      setSession(null)
      void navigate(to)
    },
  })
}
