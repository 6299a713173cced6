import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  Advisory,
  AdvisoryImportDetail,
  AdvisoryImportOverview,
  AdvisorySummary,
} from '../../../common/api/advisories.ts'
import { platformTasks } from '../../jobs/tasks.ts'
import {
  asUser,
  createAdmin,
  createTestApp,
  signInOverHttp,
  type TestContext,
} from '../../testing/test-app.ts'
import { bytesOf, csafIcsDocument, kevCatalogue, osvGoRecord } from './testing.ts'

describe('advisories over HTTP', () => {
  let t: TestContext
  let asAdmin: ReturnType<typeof asUser>
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-advisory-routes-'))
  const feeds = path.join(dir, 'feeds')

  beforeAll(async () => {
    fs.mkdirSync(feeds)
    fs.writeFileSync(path.join(feeds, 'go.json'), bytesOf(osvGoRecord()))
    fs.writeFileSync(path.join(feeds, 'icsa.json'), bytesOf(csafIcsDocument()))
    fs.writeFileSync(path.join(feeds, 'broken.json'), '{')
    fs.writeFileSync(
      path.join(dir, 'kev.json'),
      bytesOf(kevCatalogue('2025.08.25', '2025-08-25T12:00:00Z')),
    )
    t = await createTestApp({
      dataDir: path.join(dir, 'data'),
      advisorySources: [
        { format: 'auto', location: feeds },
        { format: 'kev', location: path.join(dir, 'kev.json') },
        { format: 'osv', location: path.join(dir, 'missing.zip') },
      ],
    })
    await createAdmin(t.ctx)
    asAdmin = asUser(t.app, await signInOverHttp(t.app, 'admin@network.test'))
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('refuses the history and the import button to anyone but network administrators', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/admin/advisory-imports'],
      ['POST', '/api/v1/admin/advisory-imports'],
      ['GET', '/api/v1/admin/advisory-imports/1'],
    ] as const) {
      const response = await t.app.inject({ method, url })
      expect(response.statusCode, url).toBe(401)
    }
  })

  it('queues the configured imports once; the job imports each source and records failures', async () => {
    const first = await asAdmin('POST', '/api/v1/admin/advisory-imports')
    expect(first.statusCode).toBe(202)
    expect(first.json()).toMatchObject({ queued: true, sources: 3 })
    const second = await asAdmin('POST', '/api/v1/admin/advisory-imports')
    expect(second.json()).toMatchObject({ queued: false, jobId: null })

    const job = await t.ctx.db
      .selectFrom('jobs')
      .select(['payload'])
      .where('task', '=', 'advisories.import')
      .executeTakeFirstOrThrow()
    const handler = platformTasks(t.ctx)['advisories.import']!
    await handler(JSON.parse(job.payload), {
      jobId: 1,
      attempt: 1,
      signal: new AbortController().signal,
    })

    const overview = (
      await asAdmin('GET', '/api/v1/admin/advisory-imports')
    ).json<AdvisoryImportOverview>()
    expect(overview.sources).toHaveLength(3)
    expect(overview.imports.map((i) => [i.status, i.counts.new, i.counts.failed])).toEqual([
      ['failed', 0, 0],
      ['succeeded', 3, 0],
      ['partial', 2, 1],
    ])
    expect(overview.imports[0]!.triggeredBy).toMatch(/^job:user:/)
    expect(overview.stored).toEqual(
      expect.arrayContaining([{ source: 'kev', state: 'active', count: 3 }]),
    )

    const partial = overview.imports[2]!
    const detail = await asAdmin('GET', `/api/v1/admin/advisory-imports/${partial.id}`)
    expect(detail.json<AdvisoryImportDetail>().problems).toEqual([
      { path: 'broken.json', pointer: '', message: expect.stringMatching(/^not valid JSON/) },
    ])
    expect((await asAdmin('GET', '/api/v1/admin/advisory-imports/9999')).statusCode).toBe(404)
  })

  it('looks advisories up by id or CVE without an account', async () => {
    const found = await t.app.inject({ url: '/api/v1/advisories?id=CVE-2023-38422' })
    expect(found.statusCode).toBe(200)
    expect(found.json<AdvisorySummary[]>().map((a) => a.id)).toEqual(['ICSA-23-229-04'])
    const one = await t.app.inject({ url: '/api/v1/advisories/osv/GO-2022-0969' })
    expect(one.json<Advisory>()).toMatchObject({
      aliases: ['CVE-2022-27664', 'GHSA-69cg-p879-7622'],
      affected: [{ ecosystem: 'Go', name: 'stdlib' }, { name: 'golang.org/x/net' }],
    })
    const raw = await t.app.inject({ url: '/api/v1/advisories/kev/CVE-2014-0160?raw=true' })
    expect(raw.json<Advisory>().raw).toMatchObject({ cveID: 'CVE-2014-0160', product: 'OpenSSL' })
    expect((await t.app.inject({ url: '/api/v1/advisories/osv/GO-1999-0001' })).statusCode).toBe(
      404,
    )
    expect((await t.app.inject({ url: '/api/v1/advisories/nvd/X' })).statusCode).toBe(400)
  })
})

describe('advisory imports without configured sources', () => {
  it('answers conflict to the import button', async () => {
    const t = await createTestApp()
    try {
      await createAdmin(t.ctx)
      const asAdmin = asUser(t.app, await signInOverHttp(t.app, 'admin@network.test'))
      const response = await asAdmin('POST', '/api/v1/admin/advisory-imports')
      expect(response.statusCode).toBe(409)
      expect(response.json()).toMatchObject({ error: { code: 'conflict' } })
    } finally {
      await t.close()
    }
  })
})
