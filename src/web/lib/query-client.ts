import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query'
import { AppError } from '../../common/errors.ts'
import { SESSION_KEY } from './session.ts'

// Codes that a retry will not change: the request or the caller is wrong, not the network.
const FINAL_CODES = new Set<string>([
  'validation_failed',
  'malformed_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'csrf_failed',
  'two_factor_setup_required',
  'invalid_or_expired_link',
  'rate_limited',
])

const SESSION_CODES = new Set<string>(['unauthorized', 'two_factor_setup_required', 'csrf_failed'])

export function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (error, query) => onApiError(error, query.queryKey) }),
    mutationCache: new MutationCache({ onError: (error) => onApiError(error, undefined) }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (failures, error) =>
          !(error instanceof AppError && FINAL_CODES.has(error.code)) && failures < 2,
      },
      mutations: { retry: false },
    },
  })

  // A session that ended (expired, revoked elsewhere), that must set up two-factor first, or
  // whose CSRF token is stale: re-read it, and the route guards send the user where they need to
  // go (a retried write then carries the fresh token).
  function onApiError(error: unknown, queryKey: readonly unknown[] | undefined): void {
    if (!(error instanceof AppError) || queryKey?.[0] === SESSION_KEY[0]) return
    if (SESSION_CODES.has(error.code)) {
      void queryClient.invalidateQueries({ queryKey: SESSION_KEY })
    }
  }

  return queryClient
}
