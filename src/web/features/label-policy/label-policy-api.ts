import { useQuery } from '@tanstack/react-query'
import type { LabelExposure, PublishedLabelPolicy } from '../../../common/api/label-policy.ts'
import { api } from '../../lib/api.ts'

export const LABEL_POLICY_KEY = ['label-policy'] as const

export function usePublishedPolicy() {
  return useQuery({
    queryKey: [...LABEL_POLICY_KEY, 'published'],
    queryFn: () => api.get<PublishedLabelPolicy>('/label-policy'),
  })
}

/** A label's exposure as the policy sees it; live like the rest of the product page. */
export function useLabelExposure(labelId: string) {
  return useQuery({
    queryKey: [...LABEL_POLICY_KEY, 'exposure', labelId],
    queryFn: () =>
      api.get<LabelExposure>(`/registry/labels/${encodeURIComponent(labelId)}/exposure`),
    staleTime: 0,
    refetchInterval: 60_000,
  })
}
