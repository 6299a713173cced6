import { notifications } from '@mantine/notifications'
import {
  useMutation,
  useQueryClient,
  type InvalidateQueryFilters,
  type QueryKey,
} from '@tanstack/react-query'
import { errorMessage } from './api.ts'

export interface NotifyingMutationOptions<TData, TVariables> {
  mutationFn: (variables: TVariables) => Promise<TData>
  /** Runs first on success, e.g. to put the answer in the cache or clear the form. */
  onSuccess?: (data: TData, variables: TVariables) => void
  /** What the change makes stale (query keys, or filters such as `exact`): refetched in the background. */
  invalidates?: readonly (QueryKey | InvalidateQueryFilters)[]
  /** The message of the notification that confirms the change. */
  success: string | ((data: TData, variables: TVariables) => string)
  /**
   * The title of a notification when the change fails, for controls without a form to show the
   * error next to. Without it the caller shows `error` itself (`FormError`, `ConfirmButton`).
   */
  failure?: string
}

/** A write that refreshes what it changed and says so in a notification when it succeeds. */
export function useNotifyingMutation<TData = unknown, TVariables = void>({
  mutationFn,
  onSuccess,
  invalidates = [],
  success,
  failure,
}: NotifyingMutationOptions<TData, TVariables>) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn,
    onSuccess: (data: TData, variables: TVariables) => {
      onSuccess?.(data, variables)
      for (const target of invalidates) {
        void queryClient.invalidateQueries(isQueryKey(target) ? { queryKey: target } : target)
      }
      const message = typeof success === 'function' ? success(data, variables) : success
      notifications.show({ color: 'teal', message })
    },
    onError:
      failure === undefined
        ? undefined
        : (error) => {
            notifications.show({ color: 'red', title: failure, message: errorMessage(error) })
          },
  })
}

function isQueryKey(target: QueryKey | InvalidateQueryFilters): target is QueryKey {
  return Array.isArray(target)
}
