import { canonicalJson } from '../../../common/canonical-json.ts'
import { validateAgainst } from './advisory-schemas.ts'
import type { AdvisoryProblem, KevAdvisory, ReadOutcome } from './advisory.types.ts'
import { arr, isoInstant, isRecord, sha256Hex, str, strings } from './json-input.ts'

/**
 * Reads CISA's Known Exploited Vulnerabilities catalogue (validated against the vendored
 * schema): one advisory per entry, keyed by its CVE id, hashed over the entry's canonical JSON so
 * that only entries that changed are re-processed. A bad entry is refused on its own (problems
 * under `/vulnerabilities/N`); a problem outside the entries refuses the whole file.
 */

const ENTRY_POINTER = /^\/vulnerabilities\/(\d+)(?:\/|$)/

export function readKevCatalogue(value: unknown, path: string): ReadOutcome {
  const problems: AdvisoryProblem[] = validateAgainst('kev', value, '', 200).map((p) => ({
    path,
    ...p,
  }))
  const badEntries = new Set<number>()
  for (const problem of problems) {
    const match = ENTRY_POINTER.exec(problem.pointer)
    if (!match) return { advisories: [], problems }
    badEntries.add(Number(match[1]))
  }
  if (!isRecord(value)) return { advisories: [], problems }
  const catalogVersion = String(value.catalogVersion)
  const dateReleased = isoInstant(value.dateReleased) ?? String(value.dateReleased)
  const seen = new Set<string>()
  const advisories: KevAdvisory[] = []
  arr(value.vulnerabilities).forEach((entry, index) => {
    if (badEntries.has(index) || !isRecord(entry)) return
    const cve = String(entry.cveID)
    if (seen.has(cve)) {
      problems.push({
        path,
        pointer: `/vulnerabilities/${index}/cveID`,
        message: `${cve} is listed twice; the first entry is kept`,
        level: 'warning',
      })
      return
    }
    seen.add(cve)
    const canonical = canonicalJson(entry)
    const ransomware = str(entry.knownRansomwareCampaignUse)
    const notes = str(entry.notes)
    const dateAdded = String(entry.dateAdded)
    advisories.push({
      source: 'kev',
      advisoryId: cve,
      aliases: [],
      published: isoInstant(dateAdded) ?? dateAdded,
      title: String(entry.vulnerabilityName),
      summary: String(entry.shortDescription),
      cvss: [],
      references: (notes ?? '')
        .split(';')
        .map((n) => n.trim())
        .filter((n) => /^https?:\/\//.test(n))
        .map((url) => ({ url })),
      contentHash: sha256Hex(canonical),
      raw: Buffer.from(canonical),
      kev: {
        cve,
        vendorProject: String(entry.vendorProject),
        product: String(entry.product),
        vulnerabilityName: String(entry.vulnerabilityName),
        dateAdded,
        dueDate: String(entry.dueDate),
        shortDescription: String(entry.shortDescription),
        requiredAction: String(entry.requiredAction),
        ...(ransomware ? { knownRansomwareCampaignUse: ransomware } : {}),
        ...(notes ? { notes } : {}),
        cwes: strings(entry.cwes),
      },
    })
  })
  return { advisories, problems, kevCatalogue: { catalogVersion, dateReleased } }
}
