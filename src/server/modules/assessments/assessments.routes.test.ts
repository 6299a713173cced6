import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  Answer,
  Assessment,
  ComplyMany,
  EvidenceFile,
  GapReport,
} from '../../../common/api/assessments.ts'
import type { TokenScope } from '../../../common/organisations.ts'
import {
  asUser,
  createAdmin,
  createOrganisationOverHttp,
  createTestApp,
  joinOverHttp,
  signInOverHttp,
  type Session,
  type TestContext,
} from '../../testing/test-app.ts'
import { getFramework, loadFrameworkFromFiles } from '../framework/framework.service.ts'
import { FRAMEWORK_DIR } from '../framework/source-files.ts'
import { blobPath } from './evidence-store.ts'

const EVIDENCE_LIMIT = 4096
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.7\n'),
  Buffer.alloc(200, 0x20),
  Buffer.from('%%EOF'),
])
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 1),
])
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 0x90)])

/** A copy of the shipped framework as 1.1.0: ISN-AUTH-01 replaced by ISN-AUTH-90, ISN-DOC-10 dropped. */
function framework110(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-framework-'))
  fs.cpSync(FRAMEWORK_DIR, dir, { recursive: true })
  const edit = (file: string, change: (text: string) => string) => {
    const target = path.join(dir, file)
    fs.writeFileSync(target, change(fs.readFileSync(target, 'utf8')))
  }
  edit('framework.yaml', (text) => text.replace('version: 1.0.0', 'version: 1.1.0'))
  edit('requirements/auth.yaml', (text) =>
    text.replace('  - id: ISN-AUTH-01\n', '  - id: ISN-AUTH-90\n    replaces: [ISN-AUTH-01]\n'),
  )
  edit('crosswalk/auth.yaml', (text) =>
    text.replace('requirement: ISN-AUTH-01\n', 'requirement: ISN-AUTH-90\n'),
  )
  edit('requirements/doc.yaml', (text) => text.replace(/\n {2}- id: ISN-DOC-10\n[\s\S]*$/, '\n'))
  edit('crosswalk/doc.yaml', (text) =>
    text.replace(/\n {2}- requirement: ISN-DOC-10\n[\s\S]*?(?=\n {2}- requirement:|$)/, ''),
  )
  return dir
}

describe('assessments over HTTP', () => {
  let t: TestContext
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let orgA: string
  let orgB: string
  let productId: string
  let versionIds: string[]
  let dataDir: string
  let base: string

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-data-'))
    t = await createTestApp({ dataDir, evidenceMaxBytes: EVIDENCE_LIMIT })
    expect((await loadFrameworkFromFiles(t.ctx)).status).toBe('loaded')
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    orgA = (await createOrganisationOverHttp(asAdmin, 'Acme', 'manufacturer')).id
    orgB = (await createOrganisationOverHttp(asAdmin, 'Bolt', 'manufacturer')).id
    base = `/api/v1/organisations/${orgA}/assessments`
    const product = await asAdmin('POST', `/api/v1/organisations/${orgA}/products`, {
      name: 'Edge Gateway',
      modelNumbers: ['EG-1'],
      deviceClass: 'gateway',
    })
    expect(product.statusCode, product.body).toBe(201)
    productId = product.json<{ id: string }>().id
    versionIds = []
    for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
      const created = await asAdmin(
        'POST',
        `/api/v1/organisations/${orgA}/products/${productId}/versions`,
        { version, releaseDate: '2026-05-01' },
      )
      expect(created.statusCode, created.body).toBe(201)
      versionIds.push(created.json<{ id: string }>().id)
    }
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  async function start(versionIndex: number, targetTier: number, extra: object = {}) {
    const response = await asAdmin('POST', base, {
      productId,
      productVersionId: versionIds[versionIndex],
      targetTier,
      ...extra,
    })
    expect(response.statusCode, response.body).toBe(201)
    return response.json<Assessment>()
  }

  async function answer(assessmentId: string, requirementId: string, data: object) {
    const response = await asAdmin('PATCH', `${base}/${assessmentId}/answers/${requirementId}`, {
      data,
    })
    expect(response.statusCode, response.body).toBe(200)
    return response.json<Answer>()
  }

  function upload(
    assessmentId: string,
    requirementId: string,
    bytes: Buffer,
    fileName: string,
    query = '',
  ) {
    return t.app.inject({
      method: 'POST',
      url: `${base}/${assessmentId}/answers/${requirementId}/files${query}`,
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrf,
        'content-type': 'application/octet-stream',
        'x-file-name': encodeURIComponent(fileName),
      },
      payload: bytes,
    })
  }

  async function count(table: 'assessment_files' | 'evidence_blobs'): Promise<number> {
    const row = await t.ctx.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async function tokenWith(scopes: TokenScope[]) {
    const created = await asAdmin('POST', `/api/v1/organisations/${orgA}/tokens`, {
      name: scopes.join(' '),
      scopes,
    })
    expect(created.statusCode, created.body).toBe(201)
    const secret = created.json<{ secret: string }>().secret
    return (method: 'GET' | 'PATCH', url: string, payload?: object) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${secret}` },
        ...(payload ? { payload } : {}),
      })
  }

  let main: Assessment

  it('starts an assessment on the framework in service with the profile as its requirements', async () => {
    main = await start(0, 2)
    const index = await getFramework(t.ctx)
    const profile = index.profile(2, 'gateway')
    expect(main).toMatchObject({
      frameworkVersion: '1.0.0',
      deviceClass: 'gateway',
      targetTier: 2,
      productName: 'Edge Gateway',
      productVersion: '1.0.0',
      progress: { total: profile.length, answered: 0, toConfirm: 0 },
    })
    expect(main.requirements.map((r) => r.id)).toEqual(profile.map((p) => p.requirement.id))
    const first = main.requirements[0]!
    expect(first.statement.length).toBeGreaterThan(10)
    expect(first.assessorGuidance.length).toBeGreaterThan(10)
    expect(first.evidence.length).toBeGreaterThan(0)
    expect(main.progress.byCategory.reduce((n, c) => n + c.total, 0)).toBe(profile.length)

    const listed = await asAdmin('GET', `${base}?productVersionId=${versionIds[0]}`)
    expect(listed.json<{ id: string }[]>().map((a) => a.id)).toEqual([main.id])
    const unknownVersion = await asAdmin('POST', base, {
      productId,
      productVersionId: main.id,
      targetTier: 1,
    })
    expect(unknownVersion.statusCode).toBe(404)
    const badTier = await asAdmin('POST', base, {
      productId,
      productVersionId: versionIds[0],
      targetTier: 5,
    })
    expect(badTier.statusCode).toBe(400)
    const unknownFramework = await asAdmin('POST', base, {
      productId,
      productVersionId: versionIds[0],
      targetTier: 1,
      frameworkVersion: '9.9.9',
    })
    expect(unknownFramework.statusCode).toBe(404)
  })

  it('saves answers as you go, with revisions, and refuses not applicable without a justification', async () => {
    const saved = await answer(main.id, 'ISN-AUTH-01', {
      status: 'met',
      explanation: 'Per-device passwords from the factory HSM.',
      links: [
        { url: 'https://acme.test/design.pdf', title: 'Credential design', date: '2026-05-01' },
      ],
    })
    expect(saved).toMatchObject({ status: 'met', revision: 1, carriedOver: null })
    expect(saved.links).toEqual([
      {
        url: 'https://acme.test/design.pdf',
        title: 'Credential design',
        date: '2026-05-01',
        expired: false,
      },
    ])
    // Only the fields given change.
    const second = await answer(main.id, 'ISN-AUTH-01', { compensatingMeasures: 'None needed' })
    expect(second).toMatchObject({
      status: 'met',
      explanation: 'Per-device passwords from the factory HSM.',
      compensatingMeasures: 'None needed',
      revision: 2,
    })
    expect(second.links).toHaveLength(1)

    const stale = await asAdmin('PATCH', `${base}/${main.id}/answers/ISN-AUTH-01`, {
      data: { status: 'not-met' },
      revision: 1,
    })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().error.code).toBe('conflict')
    const current = await asAdmin('PATCH', `${base}/${main.id}/answers/ISN-AUTH-01`, {
      data: { explanation: 'Per-device passwords.' },
      revision: 2,
    })
    expect(current.statusCode).toBe(200)

    const na = await asAdmin('PATCH', `${base}/${main.id}/answers/ISN-AUTH-02`, {
      data: { status: 'not-applicable' },
    })
    expect(na.statusCode).toBe(400)
    expect(na.json().error.details).toEqual([
      {
        in: 'body',
        pointer: '/data/justification',
        message: 'is required when the status is not-applicable',
      },
    ])
    const justified = await answer(main.id, 'ISN-AUTH-02', {
      status: 'not-applicable',
      justification: 'The gateway has no user authentication of its own.',
    })
    expect(justified.status).toBe('not-applicable')

    const outside = await asAdmin('PATCH', `${base}/${main.id}/answers/not_an_id`, {
      data: { status: 'met' },
    })
    expect(outside.statusCode).toBe(400)
    const notInProfile = await asAdmin('PATCH', `${base}/${main.id}/answers/ISN-ZZZ-01`, {
      data: { status: 'met' },
    })
    expect(notInProfile.statusCode).toBe(404)
    const httpLink = await asAdmin('PATCH', `${base}/${main.id}/answers/ISN-AUTH-01`, {
      data: { links: [{ url: 'http://acme.test/x', title: 'x', date: '2026-05-01' }] },
    })
    expect(httpLink.statusCode).toBe(400)

    const read = await asAdmin('GET', `${base}/${main.id}`)
    expect(read.json<Assessment>().progress.answered).toBe(2)
  })

  it('stores evidence files once by hash, checks size and type by content, and serves them back', async () => {
    const pdf = await upload(
      main.id,
      'ISN-AUTH-01',
      PDF,
      'Credential design.pdf',
      '?expires=2027-01-01',
    )
    expect(pdf.statusCode, pdf.body).toBe(201)
    const file = pdf.json<EvidenceFile>()
    const sha = createHash('sha256').update(PDF).digest('hex')
    expect(file).toMatchObject({
      fileName: 'Credential design.pdf',
      mediaType: 'application/pdf',
      size: PDF.length,
      sha256: sha,
      date: '2026-06-01',
      expires: '2027-01-01',
      expired: false,
    })
    expect(fs.readFileSync(blobPath(dataDir, sha))).toEqual(PDF)
    expect(
      createHash('sha256')
        .update(fs.readFileSync(blobPath(dataDir, sha)))
        .digest('hex'),
    ).toBe(sha)

    // The same bytes on another requirement: a second record, one stored copy.
    expect((await upload(main.id, 'ISN-AUTH-02', PDF, 'same.pdf')).statusCode).toBe(201)
    expect(await count('evidence_blobs')).toBe(1)
    expect(await count('assessment_files')).toBe(2)
    const again = await upload(main.id, 'ISN-AUTH-01', PDF, 'again.pdf')
    expect(again.statusCode).toBe(409)

    // Too large, or of a type the content gives away, leaves nothing behind.
    const before = fs.readdirSync(path.join(dataDir, 'evidence'), { recursive: true }).length
    const large = await upload(
      main.id,
      'ISN-AUTH-01',
      Buffer.alloc(EVIDENCE_LIMIT + 1, 0x41),
      'big.txt',
    )
    expect(large.statusCode).toBe(413)
    expect(large.json().error.code).toBe('payload_too_large')
    const exe = await upload(main.id, 'ISN-AUTH-01', EXE, 'report.pdf')
    expect(exe.statusCode).toBe(415)
    expect(exe.json().error.code).toBe('unsupported_file_type')
    const noName = await upload(main.id, 'ISN-AUTH-01', PNG, '')
    expect(noName.statusCode).toBe(400)
    expect(await count('evidence_blobs')).toBe(1)
    expect(await count('assessment_files')).toBe(2)
    expect(fs.readdirSync(path.join(dataDir, 'evidence'), { recursive: true }).length).toBe(before)

    const png = await upload(
      main.id,
      'ISN-AUTH-01',
      PNG,
      'photo.png',
      '?date=2025-01-01&expires=2026-01-01',
    )
    expect(png.statusCode).toBe(201)
    expect(png.json<EvidenceFile>()).toMatchObject({ mediaType: 'image/png', expired: true })

    const download = await asAdmin('GET', `${base}/${main.id}/files/${file.id}`)
    expect(download.statusCode).toBe(200)
    expect(download.headers['content-type']).toBe('application/pdf')
    expect(download.rawPayload).toEqual(PDF)

    const removed = await asAdmin(
      'DELETE',
      `${base}/${main.id}/files/${png.json<EvidenceFile>().id}`,
    )
    expect(removed.statusCode).toBe(204)
    const read = (await asAdmin('GET', `${base}/${main.id}`)).json<Assessment>()
    expect(read.requirements.find((r) => r.id === 'ISN-AUTH-01')?.answer.files).toHaveLength(1)
  })

  it('reports the tier reached, what blocks the next one, and expired evidence', async () => {
    const index = await getFramework(t.ctx)
    const tier1 = index.profile(1, 'gateway').map((p) => p.requirement.id)
    const gap0 = (await asAdmin('GET', `${base}/${main.id}/gap-report`)).json<GapReport>()
    expect(gap0).toMatchObject({ tierReached: 0, nextTier: 1 })
    expect(gap0.blocking.map((b) => b.requirementId)).toEqual(
      tier1.filter((id) => id !== 'ISN-AUTH-01' && id !== 'ISN-AUTH-02'),
    )

    for (const id of tier1) {
      if (id === 'ISN-AUTH-01' || id === 'ISN-AUTH-02') continue
      await answer(main.id, id, { status: 'met' })
    }
    await answer(main.id, 'ISN-VUL-01', {
      status: 'partially-met',
      links: [
        {
          url: 'https://acme.test/cvd',
          title: 'CVD policy',
          date: '2024-01-01',
          expires: '2025-01-01',
        },
      ],
    })
    const gap1 = (await asAdmin('GET', `${base}/${main.id}/gap-report`)).json<GapReport>()
    expect(gap1.tierReached).toBe(0)
    expect(gap1.blocking).toEqual([
      expect.objectContaining({ requirementId: 'ISN-VUL-01', reason: 'partially-met' }),
    ])
    expect(gap1.expiredEvidence).toEqual([
      { requirementId: 'ISN-VUL-01', kind: 'link', title: 'CVD policy', expires: '2025-01-01' },
    ])

    await answer(main.id, 'ISN-VUL-01', { status: 'met', links: [] })
    const gap2 = (await asAdmin('GET', `${base}/${main.id}/gap-report`)).json<GapReport>()
    expect(gap2).toMatchObject({ tierReached: 1, nextTier: 2, expiredEvidence: [] })
    const tier2Only = index
      .profile(2, 'gateway')
      .filter((p) => p.requirement.tier === 2)
      .map((p) => p.requirement.id)
    expect(gap2.blocking.map((b) => b.requirementId)).toEqual(tier2Only)
    expect(new Set(gap2.blocking.map((b) => b.reason))).toEqual(new Set(['unanswered']))
    expect(gap2.progress.answered).toBe(tier1.length)
  })

  it('derives comply-many through the crosswalk: answering what covers UK PSTI reaches it', async () => {
    const fresh = await start(1, 1)
    const before = (await asAdmin('GET', `${base}/${fresh.id}/comply-many`)).json<ComplyMany>()
    const psti = () => before.schemes.find((s) => s.scheme === 'uk-psti')!.levels[0]!
    expect(psti()).toMatchObject({ reached: false, satisfied: 0 })
    expect(before.catalogues.map((c) => c.catalogue)).toEqual(
      expect.arrayContaining(['etsi-en-303-645', 'eu-cra-annex-i', 'uk-psti', 'iec-62443-4-2']),
    )

    const index = await getFramework(t.ctx)
    const view = index.schemeView('uk-psti', psti().level, 'gateway')!
    expect(view.requirements.length).toBeGreaterThan(0)
    for (const r of view.requirements) await answer(fresh.id, r.id, { status: 'met' })

    const after = (await asAdmin('GET', `${base}/${fresh.id}/comply-many`)).json<ComplyMany>()
    const level = after.schemes.find((s) => s.scheme === 'uk-psti')!.levels[0]!
    expect(level).toMatchObject({ reached: true, open: [], satisfied: view.items.length })
    const psti1 = after.catalogues
      .find((c) => c.catalogue === 'uk-psti')!
      .entries.find((e) => e.itemId === '1')!
    expect(psti1).toMatchObject({ satisfied: true })
    expect(psti1.reason).toMatch(/^Covered by ISN-AUTH-01/)
    // Not everything: the CRA needs far more than three requirements.
    const cra = after.schemes.find((s) => s.scheme === 'eu-cra')!
    expect(cra.levels.every((l) => !l.reached)).toBe(true)
    const open = after.catalogues
      .find((c) => c.catalogue === 'eu-cra-annex-i')!
      .entries.find((e) => !e.satisfied)!
    expect(open.reason).toMatch(/^Needs |^No framework requirement|^The framework leaves/)

    // A not-met answer takes PSTI away again, with the reason.
    await answer(fresh.id, 'ISN-AUTH-01', { status: 'not-met' })
    const lost = (await asAdmin('GET', `${base}/${fresh.id}/comply-many`)).json<ComplyMany>()
    expect(lost.schemes.find((s) => s.scheme === 'uk-psti')!.levels[0]).toMatchObject({
      reached: false,
      open: ['uk-psti:1'],
    })
    const item = lost.catalogues
      .find((c) => c.catalogue === 'uk-psti')!
      .entries.find((e) => e.itemId === '1')!
    expect(item.reason).toContain('ISN-AUTH-01 (not-met)')
  })

  it('reuses a previous assessment’s answers, marked as carried over until confirmed', async () => {
    const reused = await start(2, 2, { reuseFrom: main.id })
    expect(reused.reusedFrom).toBe(main.id)
    const auth1 = reused.requirements.find((r) => r.id === 'ISN-AUTH-01')!.answer
    expect(auth1).toMatchObject({
      status: 'met',
      carriedOver: 'reuse',
      carriedFrom: main.id,
      explanation: 'Per-device passwords.',
    })
    expect(auth1.files.map((f) => f.fileName)).toEqual(['Credential design.pdf'])
    expect(reused.progress.answered).toBe(0)
    expect(reused.progress.toConfirm).toBeGreaterThan(2)
    const gap = (await asAdmin('GET', `${base}/${reused.id}/gap-report`)).json<GapReport>()
    expect(gap.tierReached).toBe(0)
    expect(gap.blocking.find((b) => b.requirementId === 'ISN-AUTH-01')?.reason).toBe('unconfirmed')

    const confirmed = await answer(reused.id, 'ISN-AUTH-01', {})
    expect(confirmed).toMatchObject({ status: 'met', carriedOver: null, carriedFrom: null })
    const unknown = await asAdmin('POST', base, {
      productId,
      productVersionId: versionIds[2],
      targetTier: 1,
      reuseFrom: productId,
    })
    expect(unknown.statusCode).toBe(404)
  })

  it('keeps viewers to reading, tokens to their scopes, and organisations apart', async () => {
    const viewer = asUser(t.app, await joinOverHttp(t.app, admin, orgA, 'vera@acme.test', 'viewer'))
    expect((await viewer('GET', `${base}/${main.id}`)).statusCode).toBe(200)
    expect((await viewer('GET', `${base}/${main.id}/gap-report`)).statusCode).toBe(200)
    const refused = await viewer('PATCH', `${base}/${main.id}/answers/ISN-AUTH-01`, {
      data: { status: 'not-met' },
    })
    expect(refused.statusCode).toBe(403)
    expect(
      (await viewer('POST', base, { productId, productVersionId: versionIds[0], targetTier: 1 }))
        .statusCode,
    ).toBe(403)

    const member = asUser(t.app, await joinOverHttp(t.app, admin, orgA, 'mia@acme.test', 'member'))
    expect(
      (await member('PATCH', `${base}/${main.id}/answers/ISN-AUTH-01`, { data: {} })).statusCode,
    ).toBe(200)

    const reader = await tokenWith(['products:read'])
    expect((await reader('GET', `${base}/${main.id}/comply-many`)).statusCode).toBe(200)
    expect(
      (await reader('PATCH', `${base}/${main.id}/answers/ISN-AUTH-01`, { data: {} })).statusCode,
    ).toBe(403)
    const writer = await tokenWith(['products:write'])
    expect(
      (await writer('PATCH', `${base}/${main.id}/answers/ISN-AUTH-01`, { data: {} })).statusCode,
    ).toBe(200)

    // Bolt's people see nothing of Acme's assessments, by either address.
    const bolt = asUser(t.app, await joinOverHttp(t.app, admin, orgB, 'bob@bolt.test', 'owner'))
    expect((await bolt('GET', `${base}/${main.id}`)).statusCode).toBe(403)
    const viaB = `/api/v1/organisations/${orgB}/assessments/${main.id}`
    expect((await bolt('GET', viaB)).statusCode).toBe(404)
    expect((await bolt('PATCH', `${viaB}/answers/ISN-AUTH-01`, { data: {} })).statusCode).toBe(404)
    const file = (await asAdmin('GET', `${base}/${main.id}`))
      .json<Assessment>()
      .requirements.find((r) => r.id === 'ISN-AUTH-01')!.answer.files[0]!
    expect((await bolt('GET', `${viaB}/files/${file.id}`)).statusCode).toBe(404)
    expect((await bolt('GET', `/api/v1/organisations/${orgB}/assessments`)).json()).toEqual([])
    expect(
      (
        await bolt('POST', `/api/v1/organisations/${orgB}/assessments`, {
          productId,
          productVersionId: versionIds[0],
          targetTier: 1,
        })
      ).statusCode,
    ).toBe(404)
  })

  it('moves to a newer framework version through the id mapping', async () => {
    const dir = framework110()
    try {
      const loaded = await loadFrameworkFromFiles(t.ctx, dir)
      expect(loaded).toMatchObject({ status: 'loaded', version: '1.1.0' })
      await answer(main.id, 'ISN-DOC-10', { status: 'not-met' })
      const older = await asAdmin('POST', `${base}/${main.id}/migrate`, {
        frameworkVersion: '1.0.0',
      })
      expect(older.statusCode).toBe(409)

      const moved = await asAdmin('POST', `${base}/${main.id}/migrate`, {
        frameworkVersion: '1.1.0',
      })
      expect(moved.statusCode, moved.body).toBe(200)
      const assessment = moved.json<Assessment>()
      expect(assessment.frameworkVersion).toBe('1.1.0')
      expect(assessment.migration).toMatchObject({
        from: '1.0.0',
        to: '1.1.0',
        replaced: [{ from: 'ISN-AUTH-01', to: ['ISN-AUTH-90'] }],
      })
      expect(assessment.migration!.kept).toContain('ISN-AUTH-02')
      expect(assessment.migration!.dropped).toEqual([
        { requirementId: 'ISN-DOC-10', status: 'not-met' },
      ])
      const successor = assessment.requirements.find((r) => r.id === 'ISN-AUTH-90')!.answer
      expect(successor).toMatchObject({
        status: 'met',
        carriedOver: 'migration',
        carriedFrom: 'ISN-AUTH-01',
      })
      expect(successor.files.map((f) => f.fileName)).toEqual(['Credential design.pdf'])
      expect(assessment.requirements.find((r) => r.id === 'ISN-AUTH-02')!.answer).toMatchObject({
        status: 'not-applicable',
        carriedOver: null,
      })
      expect(assessment.requirements.some((r) => r.id === 'ISN-AUTH-01')).toBe(false)

      // New assessments start on the version now in service.
      const next = await start(1, 1)
      expect(next.frameworkVersion).toBe('1.1.0')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('audits every change', async () => {
    for (const action of [
      'assessment.created',
      'assessment.answer_saved',
      'assessment.file_added',
      'assessment.file_removed',
      'assessment.migrated',
    ]) {
      const audit = await asAdmin('GET', `/api/v1/organisations/${orgA}/audit?action=${action}`)
      expect(audit.statusCode).toBe(200)
      const entries = audit.json<{ entries: { targetType: string; targetId: string }[] }>().entries
      expect({ action, some: entries.length > 0 }).toEqual({ action, some: true })
      expect(entries.every((e) => e.targetType === 'assessment')).toBe(true)
    }
    const migrated = await asAdmin(
      'GET',
      `/api/v1/organisations/${orgA}/audit?action=assessment.migrated`,
    )
    expect(migrated.json<{ entries: { targetId: string }[] }>().entries[0]?.targetId).toBe(main.id)
  })
})
