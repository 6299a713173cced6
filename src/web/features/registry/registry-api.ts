import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { Label, LabelStatus, LabelVerification } from '../../../common/api/labels.ts'
import type { RegistryPage, RegistryQuery, RegistryRecord } from '../../../common/api/registry.ts'
import { api, apiUrl } from '../../lib/api.ts'

/** Every registry query key starts with this. */
export const REGISTRY_KEY = ['registry'] as const

/** The live status matters: the registry is read fresh, and refreshed every minute. */
const LIVE = { staleTime: 0, refetchInterval: 60_000 } as const

export function useRegistrySearch(query: RegistryQuery) {
  return useQuery({
    queryKey: [...REGISTRY_KEY, 'search', query],
    queryFn: () => api.get<RegistryPage>('/registry/labels', { ...query }),
    placeholderData: keepPreviousData,
    ...LIVE,
  })
}

export function useRegistryRecord(labelId: string | undefined) {
  return useQuery({
    queryKey: [...REGISTRY_KEY, 'record', labelId],
    queryFn: () => api.get<RegistryRecord>(`/registry/labels/${encodeURIComponent(labelId!)}`),
    enabled: !!labelId,
    ...LIVE,
  })
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isLabelId(text: string): boolean {
  return UUID.test(text.trim())
}

/**
 * Verifies a label: a compact JWS as given, or a label id (from a QR code or a link), whose
 * signed form is fetched first. Always through POST /labels/verify; the answer's summary says
 * what the label is for (the page needs nothing of the record beyond it).
 */
export async function verifyLabelText(text: string): Promise<LabelVerification> {
  const trimmed = text.trim()
  const jws = isLabelId(trimmed)
    ? (await api.get<Label>(`/labels/${encodeURIComponent(trimmed)}`)).jws
    : trimmed
  return api.post<LabelVerification>('/labels/verify', { label: jws })
}

export const artefactUrl = (labelId: string, file: string) =>
  apiUrl(`/labels/${encodeURIComponent(labelId)}/${file}`)

export const STATUS_LABELS: Record<LabelStatus, string> = {
  active: 'Active',
  suspended: 'Suspended',
  revoked: 'Revoked',
  expired: 'Expired',
}

/**
 * Colours per status, the same as the badge image's (green only when active); white text on each
 * has a contrast of at least 4.5:1.
 */
export const STATUS_COLORS: Record<LabelStatus, string> = {
  active: '#1a7f37',
  suspended: '#9a6700',
  revoked: '#cf222e',
  expired: '#57606a',
}

/** What each status means for someone relying on the label, in plain words. */
export const STATUS_MEANINGS: Record<LabelStatus, string> = {
  active: 'The network stands behind this label today.',
  suspended:
    'The network has suspended this label while it looks into a problem. Do not rely on it until it is reinstated.',
  revoked: 'The network has withdrawn this label for good. Do not rely on it.',
  expired: 'This label’s validity has ended. It no longer says anything about the product.',
}
