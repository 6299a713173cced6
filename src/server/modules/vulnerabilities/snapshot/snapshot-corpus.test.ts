import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSbom } from '../../sboms/sbom-parser.ts'
import {
  flattenProductTree,
  resolveVulnerabilities,
  type CsafVulnerabilityProducts,
} from '../matching/csaf/product-tree.ts'
import {
  candidateKeys,
  matchComponents,
  productLookups,
  purlKeysOfOsvPackage,
  type EngineComponent,
  type EngineFinding,
  type OsvCandidate,
} from '../matching/engine.ts'
import type { OsvAffected } from '../versions/osv.ts'
import { buildPurl, formatPurl } from '../versions/purl.ts'
import { SHARED_DATA } from '../versions/shared-data.testing.ts'
import type { SnapshotReader } from './snapshot-file.ts'
import {
  engineComponents,
  matchSnapshot,
  openSnapshot,
  scanSbom,
  SnapshotBuilder,
} from './snapshot.service.ts'

/**
 * The scan's path through the snapshot (format 3: one row per OSV key read as the engine asks,
 * components no key of which the filter holds left out, the parser's parsed purls) against
 * the engine over the batched candidates of all the components' keys (what scans did before),
 * and for OSV against the engine over the records themselves, on the real corpus of
 * ../shared/data: Go, PyPI and OSS-Fuzz OSV, CISA's CSAF OT documents.
 */

const OSV_DIRS = [
  'golang-vulndb/data/osv',
  'pypa-advisory-database/vulns',
  'google-oss-fuzz-vulns/vulns',
]
const CSAF_OT = 'cisagov-CSAF/csaf_files/OT/white'

type Json = Record<string, unknown>

function jsonFiles(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json') && !f.includes('feed'))
    .sort()
    .map((f) => path.join(root, f))
}

let dir: string
let snapshot: SnapshotReader
const osvRecords: OsvCandidate[] = []
/** Each CSAF document's whole vulnerability list, as format 2 stored it. */
const csafVulnerabilities = new Map<string, CsafVulnerabilityProducts[]>()
const components: EngineComponent[] = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-snapshot-corpus-'))
  const file = path.join(dir, 'corpus.snapshot')
  const builder = await SnapshotBuilder.create(file)
  const rows: Json[] = []
  const row = (c: Json) => rows.push({ 'bom-ref': `c${rows.length}`, type: 'library', ...c })
  const packageVersions = new Map<string, Set<string>>()
  for (const osvDir of OSV_DIRS) {
    for (const f of jsonFiles(path.join(SHARED_DATA, osvDir))) {
      const record = JSON.parse(fs.readFileSync(f, 'utf8')) as Json
      if (record.withdrawn) continue
      const affected = ((record.affected ?? []) as OsvAffected[]).map((a) => ({
        ...a,
        versions: a.versions ?? [],
      }))
      const head = {
        source: 'osv' as const,
        advisoryId: String(record.id),
        aliases: (record.aliases ?? []) as string[],
        severity: null,
        cvssScore: null,
        summary: typeof record.summary === 'string' ? record.summary : null,
        modified: null,
      }
      builder.addOsv(head, affected)
      osvRecords.push({ ...head, affected })
      // Components of the record's packages: at its event and listed versions and one before
      // them all (at most 8 versions a package: Go's stdlib alone has hundreds of records).
      for (const a of affected.slice(0, 2)) {
        if (!a.package) continue
        const base = a.package.ecosystem.split(':')[0]!
        const key = purlKeysOfOsvPackage(base, a.package.name)[0]
        const purlOf = key ? formatPurl(buildPurl(key)) : a.package.purl
        if (!purlOf) continue
        const events = (a.ranges ?? []).flatMap((r) => r.events.flatMap((e) => Object.values(e)))
        const wanted = packageVersions.get(purlOf) ?? new Set<string>()
        packageVersions.set(purlOf, wanted)
        for (const v of [...events, ...(a.versions ?? []).slice(0, 2), '0.0.1']) {
          if (v === '0' || wanted.size >= 8) continue
          wanted.add(base === 'Go' && !v.startsWith('v') ? `v${v}` : v)
        }
      }
    }
  }
  for (const [purlOf, versions] of packageVersions) {
    const name = purlOf.slice(purlOf.lastIndexOf('/') + 1)
    for (const version of versions) {
      row({ name, version, purl: `${purlOf}@${encodeURIComponent(version)}` })
    }
    row({ name, purl: purlOf })
  }
  for (const f of jsonFiles(path.join(SHARED_DATA, CSAF_OT))) {
    const document = JSON.parse(fs.readFileSync(f, 'utf8')) as Json
    const tracking = (document.document as Json | undefined)?.tracking as Json | undefined
    if (!tracking?.id) continue
    const tree = flattenProductTree(document)
    const { vulnerabilities } = resolveVulnerabilities(document, tree)
    csafVulnerabilities.set(String(tracking.id), vulnerabilities)
    builder.addCsaf(
      {
        source: 'csaf',
        advisoryId: String(tracking.id),
        aliases: vulnerabilities.flatMap((v) => (v.cve ? [v.cve] : [])),
        severity: null,
        cvssScore: null,
        summary: null,
        modified: null,
      },
      tree.leaves,
      vulnerabilities,
    )
    // Components of its products: supplier, name and a version as an SBOM names them.
    for (const leaf of tree.leaves.slice(0, 3)) {
      if (!leaf.vendor || !(leaf.product || leaf.name)) continue
      const version = leaf.version ?? /[\d.]+/.exec(leaf.range ?? '')?.[0] ?? '1.0'
      row({ name: leaf.product || leaf.name, version, supplier: { name: leaf.vendor } })
    }
  }
  // Names no advisory has, and CPE-only components.
  for (let i = 0; i < 200; i++) {
    row({ name: `nothing-${i}`, version: '1.0', purl: `pkg:npm/nothing-${i}@1.0` })
    row({ name: `cpe-${i}`, version: '1.0', cpe: `cpe:2.3:a:siemens:sinec_${i}:1.0:*:*:*:*:*:*:*` })
  }
  builder.finish(new Date('2026-11-28T00:00:00Z'), {})
  fs.writeFileSync(
    path.join(dir, 'sbom.cdx.json'),
    JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: rows }),
  )
  snapshot = await openSnapshot(file)
  const sbom = parseSbom(fs.readFileSync(path.join(dir, 'sbom.cdx.json')), 'sbom.cdx.json', {
    limits: { maxComponents: 1_000_000 },
  })
  components.push(...engineComponents(sbom))
}, 300_000)

afterAll(() => {
  snapshot?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

/** A finding with its component, for readable differences. */
const byComponent = (findings: readonly EngineFinding[]) =>
  findings.map((f) => ({ ...f, reason: { ...f.reason } }))

describe('scanning the real corpus through the snapshot', () => {
  it('gives the findings of the engine over the batched candidates of every key', () => {
    expect(components.length).toBeGreaterThan(10_000)
    const scanned = matchSnapshot(snapshot, components).findings
    // As scans did before format 3: the candidates of all the keys at once, purls re-parsed.
    const plain = components.map(({ parsedPurl: _, ...c }) => c)
    const candidates = snapshot.candidates(
      candidateKeys(plain),
      productLookups(plain, (v) => snapshot.mayHoldVendor(v)),
    )
    const batched = matchComponents(plain, candidates)
    expect(scanned.length).toBeGreaterThan(5_000)
    expect(new Set(scanned.map((f) => f.source))).toEqual(new Set(['osv', 'csaf']))
    expect(new Set(scanned.map((f) => f.status))).toEqual(new Set(['affected', 'unknown']))
    expect(byComponent(scanned)).toEqual(byComponent(batched))
  }, 300_000)

  it('gives, for OSV, the findings of the engine over the records themselves', () => {
    const withPurl = components.filter((c) => c.purl)
    const scanned = matchSnapshot(snapshot, withPurl).findings.filter((f) => f.source === 'osv')
    const direct = matchComponents(withPurl, { osv: osvRecords, csaf: [], kev: snapshot.kev() })
    expect(byComponent(scanned)).toEqual(byComponent(direct))
  }, 300_000)

  it('gives, for CSAF, the findings of the leaves read with their documents’ whole vulnerability lists', () => {
    const withSupplier = components.filter((c) => c.supplier)
    const scanned = matchSnapshot(snapshot, withSupplier).findings
    const plain = withSupplier.map(({ parsedPurl: _, ...c }) => c)
    const candidates = snapshot.candidates(
      candidateKeys(plain),
      productLookups(plain, (v) => snapshot.mayHoldVendor(v)),
    )
    // Format 2's shape: each document with all its vulnerabilities, not only the leaves' part.
    const whole = {
      ...candidates,
      csaf: candidates.csaf.map((c) => ({
        ...c,
        vulnerabilities: csafVulnerabilities.get(c.advisoryId) ?? [],
      })),
    }
    expect(candidates.csaf.length).toBeGreaterThan(100)
    expect(scanned.filter((f) => f.source === 'csaf').length).toBeGreaterThan(100)
    expect(byComponent(scanned)).toEqual(byComponent(matchComponents(plain, whole)))
  }, 300_000)

  it('gives each CSAF document the statuses, remediations and flags of the leaves read, as the document has them', () => {
    const withSupplier = components.filter((c) => c.supplier)
    const { csaf } = snapshot.candidates(
      candidateKeys(withSupplier),
      productLookups(withSupplier, (v) => snapshot.mayHoldVendor(v)),
    )
    // The document's own lists, restricted to the product ids of the leaves read (product ids
    // sorted on both sides: the snapshot lists them in leaf order).
    const restricted = (whole: readonly CsafVulnerabilityProducts[], ids: Set<string>) =>
      whole.flatMap((v) => {
        const only = (list: readonly string[]) => list.filter((id) => ids.has(id)).sort()
        const statuses = Object.fromEntries(
          Object.entries(v.statuses)
            .map(([name, list]) => [name, only(list)] as const)
            .filter(([, list]) => list.length > 0),
        )
        const remediations = v.remediations
          .map((r) => ({ ...r, productIds: only(r.productIds) }))
          .filter((r) => r.productIds.length > 0)
        const flags = v.flags
          .map((f) => ({ ...f, productIds: only(f.productIds) }))
          .filter((f) => f.productIds.length > 0)
        if (!Object.keys(statuses).length && !remediations.length && !flags.length) return []
        return [{ ...v, statuses, remediations, flags }]
      })
    const sorted = (list: readonly CsafVulnerabilityProducts[]) =>
      list.map((v) => ({
        ...v,
        statuses: Object.fromEntries(
          Object.entries(v.statuses).map(([name, ids]) => [name, [...ids].sort()]),
        ),
        remediations: v.remediations.map((r) => ({ ...r, productIds: [...r.productIds].sort() })),
        flags: v.flags.map((f) => ({ ...f, productIds: [...f.productIds].sort() })),
      }))
    let remediationsRead = 0
    for (const c of csaf) {
      const ids = new Set(c.leaves.map((l) => l.productId))
      const expected = restricted(csafVulnerabilities.get(c.advisoryId) ?? [], ids)
      expect({ id: c.advisoryId, v: sorted(c.vulnerabilities) }).toStrictEqual({
        id: c.advisoryId,
        v: expected,
      })
      remediationsRead += c.vulnerabilities.reduce((n, v) => n + v.remediations.length, 0)
    }
    expect(csaf.length).toBeGreaterThan(100)
    expect(remediationsRead).toBeGreaterThan(100)
  }, 300_000)

  it('scans one component as the whole list does', () => {
    const sample = components.filter((_, i) => i % 97 === 0)
    const whole = matchSnapshot(snapshot, sample).findings
    const one = sample.flatMap((c) => matchSnapshot(snapshot, [c]).findings)
    // CSAF fixed versions may look at leaves other components read: compare OSV findings whole.
    expect(byComponent(one.filter((f) => f.source === 'osv'))).toEqual(
      byComponent(whole.filter((f) => f.source === 'osv')),
    )
    expect(one.length).toBeGreaterThan(0)
  }, 300_000)

  it('scans the SBOM file as matchSnapshot does', () => {
    const bytes = fs.readFileSync(path.join(dir, 'sbom.cdx.json'))
    const result = scanSbom(
      snapshot,
      { bytes, fileName: 'sbom.cdx.json', snapshotFile: 'corpus.snapshot' },
      { failOn: 'none', includeUnknown: false },
    )
    const findings = matchSnapshot(snapshot, components).findings
    expect(result.summary.affected + result.summary.unknown).toBe(findings.length)
    const osvSummaries = result.findings.filter((f) => f.advisory.source === 'osv')
    expect(osvSummaries.some((f) => f.advisory.summary !== null)).toBe(true)
  }, 300_000)
})
