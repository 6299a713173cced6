import type { AdvisorySourceKind } from '../../../common/api/advisories.ts'

/** Where the public page of an advisory is (findings and the advisory lookup link to it). */
export const advisoryPath = (source: AdvisorySourceKind, id: string) =>
  `/advisories/${source}/${encodeURIComponent(id)}`

/** Only web links: a reference comes from outside data and could name any scheme. */
export const webUrl = (value: unknown): string | undefined =>
  typeof value === 'string' && /^https?:\/\//i.test(value) ? value : undefined

/** A KEV entry's dates in words: "added 2021-12-10, remediation due 2021-12-24; used in …". */
export const kevDates = (kev: {
  dateAdded: string
  dueDate: string
  knownRansomwareCampaignUse: string | null
}) =>
  `added ${kev.dateAdded}, remediation due ${kev.dueDate}` +
  (kev.knownRansomwareCampaignUse === 'Known' ? '; used in ransomware campaigns' : '')

/** An identifier as words: "known_affected" → "known affected". */
export const words = (identifier: string) => identifier.replaceAll('_', ' ')

/** One OSV range as words: "introduced 0, fixed 2.15.0" (GIT ranges name their repository). */
export function rangeText(range: unknown): string {
  const r = (range ?? {}) as { type?: unknown; repo?: unknown; events?: unknown }
  const events = Array.isArray(r.events) ? r.events : []
  const said = events.flatMap((e) =>
    Object.entries((e ?? {}) as Record<string, unknown>).map(
      ([kind, value]) => `${words(kind)} ${String(value)}`,
    ),
  )
  const repo = typeof r.repo === 'string' ? ` (${r.repo})` : ''
  return `${typeof r.type === 'string' ? r.type : '?'}${repo}: ${said.join(', ')}`
}
