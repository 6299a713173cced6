import type { ExportQuery } from '../../../common/api/framework.ts'
import type { Tier } from '../../../common/framework.ts'
import type { Ctx } from '../../kernel/context.ts'
import type { FrameworkIndex } from './analysis.ts'
import { getFramework } from './framework.service.ts'
import { oscalCatalog, oscalCatalogFilename, oscalProfile, oscalProfileFilename } from './oscal.ts'

/** Downloads of one framework version: the whole document as JSON, requirements as CSV, OSCAL. */

export interface ExportFile {
  filename: string
  contentType: string
  body: string
}

export async function exportFramework(ctx: Ctx, query: ExportQuery): Promise<ExportFile> {
  const index = await getFramework(ctx, query.version)
  return renderExport(index, query)
}

/** Renders an export from an index (the CLI uses this directly on the files, without a database). */
export function renderExport(index: FrameworkIndex, query: ExportQuery): ExportFile {
  const { version } = index.document
  switch (query.format) {
    case 'json':
      return {
        filename: `isn-framework-${version}.json`,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify(index.document, null, 2) + '\n',
      }
    case 'csv':
      return {
        filename: `isn-framework-${version}.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: requirementsCsv(index),
      }
    case 'oscal':
    case 'oscal-catalog':
      return {
        filename: oscalCatalogFilename(version),
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify(oscalCatalog(index), null, 2) + '\n',
      }
    case 'oscal-profile': {
      // Tier 1 across all device classes unless the query narrows it.
      const tier = (query.tier ?? 1) as Tier
      return {
        filename: oscalProfileFilename(version, tier, query.deviceClass),
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify(oscalProfile(index, tier, query.deviceClass), null, 2) + '\n',
      }
    }
  }
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula-looking cells defused. */
function csvField(value: string): string {
  // A leading = + - @ would make spreadsheets evaluate the cell (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** One row per requirement, with its links to every catalogue as `item (relation)` lists. */
function requirementsCsv(index: FrameworkIndex): string {
  const catalogues = index.document.catalogues.map((c) => c.catalogue)
  const header = [
    'id',
    'category',
    'title',
    'statement',
    'rationale',
    'kind',
    'tier',
    'device_classes',
    'verification_tier_1',
    'verification_tier_2',
    'verification_tier_3',
    'verification_tier_4',
    'evidence',
    'assessor_guidance',
    'replaces',
    ...catalogues,
  ]
  const rows = index.document.requirements.map((r) => {
    const links = index.linksOf(r.id)
    return [
      r.id,
      r.category,
      r.title,
      r.statement,
      r.rationale,
      r.kind,
      String(r.tier),
      r.deviceClasses.join('; '),
      r.verification['1'] ?? '',
      r.verification['2'] ?? '',
      r.verification['3'] ?? '',
      r.verification['4'] ?? '',
      r.evidence.join('; '),
      r.assessorGuidance,
      (r.replaces ?? []).join('; '),
      ...catalogues.map((c) =>
        links
          .filter((l) => l.catalogue === c)
          .map((l) => `${l.item} (${l.relation})`)
          .join('; '),
      ),
    ]
  })
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n'
}
