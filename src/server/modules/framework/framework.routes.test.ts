import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  CatalogueCoverage,
  FrameworkDiff,
  FrameworkOverview,
  ItemCoverage,
  MappingSet,
  Requirement,
  SchemeView,
} from '../../../common/api/framework.ts'
import { createTestApp, type TestContext } from '../../testing/test-app.ts'
import { findAuditLog } from '../audit/audit.service.ts'
import { loadFrameworkFromFiles } from './framework.service.ts'
import { FRAMEWORK_DIR } from './source-files.ts'

/** A copy of the shipped framework that a test may change. */
function frameworkCopy(): { dir: string; edit(file: string, change: (t: string) => string): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-framework-'))
  fs.cpSync(FRAMEWORK_DIR, dir, { recursive: true })
  return {
    dir,
    edit(file, change) {
      const target = path.join(dir, file)
      fs.writeFileSync(target, change(fs.readFileSync(target, 'utf8')))
    },
  }
}

describe('framework versions in the database', () => {
  let t: TestContext
  let copy: ReturnType<typeof frameworkCopy>
  const get = <T>(url: string) =>
    t.app.inject({ method: 'GET', url }).then((r) => ({ status: r.statusCode, body: r.json<T>() }))

  beforeAll(async () => {
    t = await createTestApp()
    copy = frameworkCopy()
    // Start from a draft of the shipped version, to see a draft replaced and then published.
    copy.edit('framework.yaml', (text) => text.replace('status: published', 'status: draft'))
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(copy.dir, { recursive: true, force: true })
  })

  it('answers "no framework in service" before the first load', async () => {
    const { status, body } = await get<{ error: { code: string } }>('/api/v1/framework')
    expect(status).toBe(404)
    expect(body.error.code).toBe('not_found')
  })

  it('loads the files once, audits it, and then finds nothing changed', async () => {
    expect(await loadFrameworkFromFiles(t.ctx, copy.dir)).toEqual({
      status: 'loaded',
      version: '1.0.0',
      replacedDraft: false,
    })
    expect(await loadFrameworkFromFiles(t.ctx, copy.dir)).toEqual({
      status: 'unchanged',
      version: '1.0.0',
    })
    const { entries } = await findAuditLog(t.ctx, { action: 'framework.version_loaded' })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ targetId: '1.0.0', actorLabel: 'framework-loader' })
  })

  it('keeps the version in service when the files have problems', async () => {
    copy.edit('requirements/upd.yaml', (text) => text.replace('id: ISN-UPD-02', 'id: ISN-UPD-01'))
    const outcome = await loadFrameworkFromFiles(t.ctx, copy.dir)
    expect(outcome).toMatchObject({ status: 'rejected', inService: '1.0.0' })
    expect(outcome.status === 'rejected' && outcome.problems[0]?.text).toMatch(
      /^requirements\/upd\.yaml:\d+:\d+ \/requirements\/1\/id: duplicate id/,
    )
    const { body } = await get<FrameworkOverview>('/api/v1/framework')
    expect(body.version).toBe('1.0.0')
    copy.edit('requirements/upd.yaml', (text) =>
      text.replace(/id: ISN-UPD-01(?![\s\S]*id: ISN-UPD-01)/, 'id: ISN-UPD-02'),
    )
  })

  it('never changes a published version; a new version goes into service', async () => {
    copy.edit('framework.yaml', (text) => text.replace('status: draft', 'status: published'))
    // A draft may be replaced: 1.0.0 is now published.
    expect(await loadFrameworkFromFiles(t.ctx, copy.dir)).toMatchObject({
      status: 'loaded',
      replacedDraft: true,
    })
    const before = await get<Requirement>('/api/v1/framework/requirements/ISN-AUTH-01')
    copy.edit('requirements/auth.yaml', (text) =>
      text.replace(/(id: ISN-AUTH-01\n\s+title: )(.*)/, '$1Changed title for the test'),
    )
    const refused = await loadFrameworkFromFiles(t.ctx, copy.dir)
    expect(refused).toMatchObject({ status: 'rejected', inService: '1.0.0' })
    expect(refused.status === 'rejected' && refused.message).toMatch(/published and cannot change/)
    const still = await get<Requirement>('/api/v1/framework/requirements/ISN-AUTH-01')
    expect(still.body.title).toBe(before.body.title)

    copy.edit('framework.yaml', (text) => text.replace('version: 1.0.0', 'version: 1.1.0'))
    expect(await loadFrameworkFromFiles(t.ctx, copy.dir)).toMatchObject({
      status: 'loaded',
      version: '1.1.0',
    })
    const now = await get<Requirement>('/api/v1/framework/requirements/ISN-AUTH-01')
    expect(now.body).toMatchObject({ version: '1.1.0', title: 'Changed title for the test' })
    const old = await get<Requirement>('/api/v1/framework/requirements/ISN-AUTH-01?version=1.0.0')
    expect(old.body.title).toBe(before.body.title)
  })

  it('lists versions, diffs them and keeps a machine-readable change log', async () => {
    const versions = await get<{ version: string; current: boolean; status: string }[]>(
      '/api/v1/framework/versions',
    )
    expect(versions.body.map((v) => [v.version, v.current, v.status])).toEqual([
      ['1.1.0', true, 'published'],
      ['1.0.0', false, 'published'],
    ])
    const diff = await get<FrameworkDiff>('/api/v1/framework/diff?from=1.0.0&to=1.1.0')
    expect(diff.body.requirements.reworded).toEqual([{ id: 'ISN-AUTH-01', fields: ['title'] }])
    expect(diff.body.changes).toEqual([
      { type: 'requirement-reworded', requirement: 'ISN-AUTH-01', fields: ['title'] },
    ])
    expect(diff.body.idMapping['ISN-AUTH-01']).toEqual(['ISN-AUTH-01'])
    const log = await get<{ version: string; previous: string | null; changes: unknown[] }[]>(
      '/api/v1/framework/changelog',
    )
    expect(log.body.map((entry) => [entry.version, entry.previous, entry.changes.length])).toEqual([
      ['1.1.0', '1.0.0', 1],
      ['1.0.0', null, 0],
    ])
    expect((await get('/api/v1/framework/diff?from=1.0.0&to=9.9.9')).status).toBe(404)
    expect((await get('/api/v1/framework/diff?from=1.0&to=1.1.0')).status).toBe(400)
  })
})

describe('the public framework API', () => {
  let t: TestContext
  const get = <T>(url: string) =>
    t.app.inject({ method: 'GET', url }).then((r) => ({
      status: r.statusCode,
      body: (r.headers['content-type']?.toString().startsWith('application/json')
        ? r.json<T>()
        : undefined) as T,
      headers: r.headers,
      text: r.body,
    }))

  beforeAll(async () => {
    t = await createTestApp()
    await loadFrameworkFromFiles(t.ctx)
  })
  afterAll(() => t.close())

  it('gives an overview without signing in', async () => {
    const { status, body } = await get<FrameworkOverview>('/api/v1/framework')
    expect(status).toBe(200)
    expect(body.requirements).toBeGreaterThanOrEqual(100)
    expect(body.categories).toHaveLength(14)
    expect(body.catalogues.map((c) => c.catalogue)).toContain('eu-cra-annex-i')
    const cra = body.catalogues.find((c) => c.catalogue === 'eu-cra-annex-i')!
    expect(cra.goal).toMatchObject({ items: 22, met: 22, missing: [] })
  })

  it('searches and filters requirements', async () => {
    const found = await get<{ requirements: { id: string }[] }>(
      '/api/v1/framework/requirements?q=default%20password',
    )
    expect(found.body.requirements[0]?.id).toBe('ISN-AUTH-01')
    const filtered = await get<{ requirements: { tier: number; deviceClasses: string[] }[] }>(
      '/api/v1/framework/requirements?tier=1&deviceClass=gateway&kind=technical&standard=iec-62443-4-2',
    )
    expect(filtered.body.requirements.length).toBeGreaterThan(0)
    for (const r of filtered.body.requirements) {
      expect(r.tier).toBe(1)
      expect(r.deviceClasses).toContain('gateway')
    }
    const category = await get<{ total: number }>('/api/v1/framework/requirements?category=upd')
    expect(category.body.total).toBeGreaterThan(0)
  })

  it('answers search input of any length or character set with a list', async () => {
    for (const q of [
      '',
      '%',
      "'; drop table framework_versions; --",
      'ü∂ß💥'.repeat(2000),
      'x'.repeat(7000),
    ]) {
      const { status, body } = await get<{ requirements: unknown[] }>(
        `/api/v1/framework/requirements?q=${encodeURIComponent(q)}`,
      )
      expect(status, q.slice(0, 20)).toBe(200)
      expect(Array.isArray(body.requirements)).toBe(true)
    }
  })

  it('shows a requirement with its crosswalk, and what covers an external item', async () => {
    const requirement = await get<Requirement>('/api/v1/framework/requirements/isn-auth-01')
    expect(requirement.status).toBe(200)
    expect(requirement.body.links).toContainEqual(
      expect.objectContaining({ catalogue: 'etsi-en-303-645', item: '5.1-1', covering: true }),
    )
    const cra = await get<ItemCoverage>(
      `/api/v1/framework/catalogues/eu-cra-annex-i/items/${encodeURIComponent('I.2(d)')}`,
    )
    expect(cra.status).toBe(200)
    expect(cra.body).toMatchObject({ level: 'covered', goal: 'covered', goalMet: true })
    const en = await get<ItemCoverage>(
      `/api/v1/framework/catalogues/iec-62443-4-2/items/${encodeURIComponent('CR 1.1 RE 1')}`,
    )
    expect(en.body.item).toMatchObject({ securityLevel: 2, enhances: 'CR 1.1' })
    expect((await get('/api/v1/framework/requirements/ISN-NOPE-01')).status).toBe(404)
    expect((await get('/api/v1/framework/catalogues/nope')).status).toBe(404)
    expect((await get('/api/v1/framework/catalogues/uk-psti/items/9')).status).toBe(404)
  })

  it('reports coverage of a catalogue with gaps and goals', async () => {
    const { body } = await get<CatalogueCoverage>('/api/v1/framework/catalogues/iec-62443-4-2')
    expect(body.items).toHaveLength(122)
    expect(body.goal?.missing).toEqual([])
    for (const entry of body.items) {
      expect(['covered', 'gap']).toContain(entry.level)
      if (entry.level === 'gap') expect(entry.gapReason).toBeTruthy()
    }
  })

  it('publishes the crosswalk as one mapping set per external catalogue', async () => {
    const overview = await get<FrameworkOverview>('/api/v1/framework')
    expect(overview.body.mappingSets.map((m) => m.target)).toEqual(
      overview.body.catalogues.map((c) => c.catalogue),
    )
    const set = await get<MappingSet>('/api/v1/framework/mapping-sets/etsi-en-303-645')
    expect(set.body).toMatchObject({ id: 'isn-1.0.0--etsi-en-303-645', source: 'isn' })
    expect(set.body.mappings.length).toBe(set.body.links)
    for (const link of set.body.mappings) {
      expect(link).toMatchObject({ catalogue: 'etsi-en-303-645', provenance: expect.any(String) })
      expect(['equal', 'subset', 'superset', 'intersect']).toContain(link.relation)
    }
    expect(Object.keys(set.body.provenance)).toContain('network')
    expect((await get('/api/v1/framework/mapping-sets/nope')).status).toBe(404)
  })

  it('computes profiles and scheme views', async () => {
    const profile = await get<{ requirements: { verification: string; tier: number }[] }>(
      '/api/v1/framework/profiles?tier=3&deviceClass=controller',
    )
    expect(profile.status).toBe(200)
    expect(profile.body.requirements.every((r) => r.tier <= 3)).toBe(true)
    const psti = await get<SchemeView>('/api/v1/framework/schemes/uk-psti/statement-of-compliance')
    expect(psti.body).toMatchObject({ openItems: [], highestTier: 1 })
    const sl = await get<SchemeView>(
      '/api/v1/framework/schemes/iec-62443-4-2-sl/sl-2?deviceClass=gateway',
    )
    expect(sl.body.requirements.length).toBeGreaterThan(10)
    expect((await get('/api/v1/framework/schemes/sg-cls/9')).status).toBe(404)
    expect((await get('/api/v1/framework/profiles?tier=5')).status).toBe(400)
  })

  it('downloads JSON and CSV exports', async () => {
    const json = await get<{ version: string; requirements: unknown[] }>(
      '/api/v1/framework/export?format=json',
    )
    expect(json.headers['content-disposition']).toBe(
      'attachment; filename="isn-framework-1.0.0.json"',
    )
    expect(json.body.requirements.length).toBeGreaterThanOrEqual(100)
    const csv = await get('/api/v1/framework/export?format=csv')
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    const lines = csv.text.trimEnd().split('\r\n')
    expect(lines[0]).toMatch(/^id,category,title,statement,/)
    expect(lines.length).toBeGreaterThan(100)
    expect((await get('/api/v1/framework/export?format=xml')).status).toBe(400)
    const oscal = await get<{ catalog: { metadata: { version: string } } }>(
      '/api/v1/framework/export?format=oscal',
    )
    expect(oscal.body.catalog.metadata.version).toBe('1.0.0')
  })
})
