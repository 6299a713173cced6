import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import * as fontkit from 'fontkit'
import type { Font } from 'fontkit'
import type { LightMyRequestResponse } from 'fastify'
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, decodePDFRawStream } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assessment, EvidenceFile, GapReport } from '../../../common/api/assessments.ts'
import type { Review } from '../../../common/api/reviews.ts'
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
import { loadFrameworkFromFiles } from '../framework/framework.service.ts'
import { ANSWERS_CSV_COLUMNS, answersCsv, type ReportData } from './reports.service.ts'

const PDF = Buffer.concat([
  Buffer.from('%PDF-1.7\n'),
  Buffer.alloc(200, 0x20),
  Buffer.from('%%EOF'),
])

/** Every registry field a label needs. */
const REGISTRY_FIELDS = {
  supportPeriodEnd: '2030-12-31',
  updateMechanism: 'automatic',
  defaultPasswordPolicy: 'user-set-at-commissioning',
  securityContactEmail: 'psirt@acme.test',
  vulnerabilityDisclosureUrl: 'https://acme.test/security',
  sbomAvailability: 'available-on-request',
  secureSetupUrl: 'https://acme.test/hardening',
  sensors: ['temperature'],
  dataCollected: ['Telemetry'],
}

/** Hostile and non-Windows-1252 answer text: CSV syntax, formulas, CJK, emoji, Cyrillic. */
const HOSTILE = {
  explanation:
    'Passwords, "unique" per device;\nsecond line\r\nthird, with 中文说明 and 🔒 and Пароль',
  compensating: '=HYPERLINK("https://evil.test","click")',
  justification: '+1+2',
  finding: '@SUM(A1:A9) -- see "annex", 第二段',
}

/**
 * The text of a PDF written by the report writer, page by page: each font's ToUnicode map turns
 * the glyph codes of its `Tj` strings back into characters; a new baseline starts a new line.
 */
function extractText(doc: PDFDocument): string[] {
  const decode = (stream: unknown) =>
    Buffer.from(decodePDFRawStream(stream as PDFRawStream).decode()).toString('latin1')
  return doc.getPages().map((page) => {
    const fonts = new Map<string, Map<string, string>>()
    const fontDict = page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict)
    for (const [name, ref] of fontDict?.entries() ?? []) {
      const font = doc.context.lookup(ref, PDFDict)
      const cmap = decode(font.lookup(PDFName.of('ToUnicode')))
      const map = new Map<string, string>()
      for (const block of cmap.match(/beginbfchar([\s\S]*?)endbfchar/g) ?? []) {
        for (const [, code, unicode] of block.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) {
          map.set(code!.toLowerCase(), Buffer.from(unicode!, 'hex').swap16().toString('utf16le'))
        }
      }
      fonts.set(name.asString(), map)
    }
    const contents = page.node.Contents()
    const streams = contents instanceof PDFArray ? contents.asArray() : [contents]
    const ops = streams.map((s) => decode(doc.context.lookup(s))).join('\n')
    let text = ''
    let font = new Map<string, string>()
    let lastY: string | undefined
    for (const [, fontName, y, hex] of ops.matchAll(
      /(\/[^\s/]+) [\d.]+ Tf|[\d.-]+ [\d.-]+ [\d.-]+ [\d.-]+ [\d.-]+ ([\d.-]+) Tm|<([0-9a-fA-F]*)> Tj/g,
    )) {
      if (fontName) font = fonts.get(fontName) ?? new Map()
      else if (y !== undefined) {
        if (lastY !== undefined && y !== lastY) text += '\n'
        lastY = y
      } else if (hex !== undefined) {
        for (let i = 0; i < hex.length; i += 4) {
          text += font.get(hex.slice(i, i + 4).toLowerCase()) ?? '\uFFFD'
        }
      }
    }
    return text
  })
}

/**
 * The characters of `text` whose glyphs are drawn empty: each font's embedded subset is parsed
 * and the glyph each character was written with must have an outline (a subsetter that loses
 * glyphs still writes the right ToUnicode map, so extracting the text alone would not notice).
 */
function blankGlyphs(doc: PDFDocument, text: string): { blank: string[]; unseen: string[] } {
  const wanted = new Set([...text].filter((c) => c.trim()))
  const seen = new Set<string>()
  const blank: string[] = []
  const done = new Set<string>()
  for (const page of doc.getPages()) {
    const fontDict = page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict)
    for (const [, ref] of fontDict?.entries() ?? []) {
      if (done.has(ref.toString())) continue
      done.add(ref.toString())
      const font = doc.context.lookup(ref, PDFDict)
      const cid = font.lookup(PDFName.of('DescendantFonts'), PDFArray).lookup(0, PDFDict)
      const descriptor = cid.lookup(PDFName.of('FontDescriptor'), PDFDict)
      const file = descriptor.lookup(PDFName.of('FontFile2')) as PDFRawStream
      const subset = fontkit.create(Buffer.from(decodePDFRawStream(file).decode())) as Font
      const cmap = Buffer.from(
        decodePDFRawStream(font.lookup(PDFName.of('ToUnicode')) as PDFRawStream).decode(),
      ).toString('latin1')
      for (const [, code, unicode] of cmap.matchAll(/<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>/g)) {
        const char = Buffer.from(unicode!, 'hex').swap16().toString('utf16le')
        if (!wanted.has(char)) continue
        seen.add(char)
        if (subset.getGlyph(parseInt(code!, 16)).path.commands.length === 0) blank.push(char)
      }
    }
  }
  return { blank, unseen: [...wanted].filter((c) => !seen.has(c)) }
}

async function pdfOf(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200)
  expect(response.headers['content-type']).toBe('application/pdf')
  expect(response.headers['content-disposition']).toMatch(/^attachment; filename\*=UTF-8''.+\.pdf$/)
  const doc = await PDFDocument.load(response.rawPayload)
  const pages = extractText(doc)
  // Lines joined with spaces, as the wrapped text was written.
  return { doc, pages, text: pages.join('\n').replace(/\s+/g, ' ') }
}

describe('assessment reports: PDF report, PDF gap report and CSV answers', () => {
  let t: TestContext
  let dataDir: string
  let acme: string
  let bolt: string
  let lab: string
  let otherLab: string
  let asAdmin: ReturnType<typeof asUser>
  let asMaker: ReturnType<typeof asUser>
  let asBolt: ReturnType<typeof asUser>
  let asLab: ReturnType<typeof asUser>
  let asLabViewer: ReturnType<typeof asUser>
  let asOtherLab: ReturnType<typeof asUser>
  let productId: string
  let versionIds: string[]
  let assessment: Assessment
  let file: EvidenceFile
  let review: Review

  const acmePath = (rest = '') => `/api/v1/organisations/${acme}/assessments${rest}`
  const labPath = (rest = '') => `/api/v1/organisations/${lab}/reviews${rest}`

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-data-'))
    t = await createTestApp({ dataDir })
    expect((await loadFrameworkFromFiles(t.ctx)).status).toBe('loaded')
    await createAdmin(t.ctx)
    const admin: Session = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    acme = (await createOrganisationOverHttp(asAdmin, 'Acme 株式会社', 'manufacturer')).id
    bolt = (await createOrganisationOverHttp(asAdmin, 'Bolt', 'manufacturer')).id
    lab = (await createOrganisationOverHttp(asAdmin, 'Trusted Lab', 'assessor')).id
    otherLab = (await createOrganisationOverHttp(asAdmin, 'Other Lab', 'assessor')).id
    for (const org of [lab, otherLab]) {
      const accredited = await asAdmin('POST', `/api/v1/admin/organisations/${org}/accreditation`, {
        note: 'ISO/IEC 17025',
      })
      expect(accredited.statusCode, accredited.body).toBe(200)
    }
    asMaker = asUser(t.app, await joinOverHttp(t.app, admin, acme, 'mia@acme.test', 'member'))
    asBolt = asUser(t.app, await joinOverHttp(t.app, admin, bolt, 'bo@bolt.test', 'owner'))
    asLab = asUser(t.app, await joinOverHttp(t.app, admin, lab, 'lara@lab.test', 'member'))
    asLabViewer = asUser(t.app, await joinOverHttp(t.app, admin, lab, 'vic@lab.test', 'viewer'))
    asOtherLab = asUser(
      t.app,
      await joinOverHttp(t.app, admin, otherLab, 'ot@other.test', 'member'),
    )
    const product = await asMaker('POST', `/api/v1/organisations/${acme}/products`, {
      name: 'Edge Gateway Шлюз',
      modelNumbers: ['EG-1', 'EG-1-中'],
      deviceClass: 'gateway',
      ...REGISTRY_FIELDS,
    })
    expect(product.statusCode, product.body).toBe(201)
    productId = product.json<{ id: string }>().id
    versionIds = []
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      const created = await asMaker(
        'POST',
        `/api/v1/organisations/${acme}/products/${productId}/versions`,
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

  async function start(versionIndex: number, targetTier: number): Promise<Assessment> {
    const response = await asMaker('POST', acmePath(), {
      productId,
      productVersionId: versionIds[versionIndex],
      targetTier,
    })
    expect(response.statusCode, response.body).toBe(201)
    return response.json<Assessment>()
  }

  async function answer(assessmentId: string, requirementId: string, data: object) {
    const saved = await asMaker('PATCH', acmePath(`/${assessmentId}/answers/${requirementId}`), {
      data,
    })
    expect(saved.statusCode, saved.body).toBe(200)
  }

  const reload = async () =>
    (assessment = (await asMaker('GET', acmePath(`/${assessment.id}`))).json<Assessment>())

  it('answers hostile text, a file and links; starts tier 2 with one requirement partly met', async () => {
    assessment = await start(0, 2)
    const [first, second, third] = assessment.requirements
    const tier2 = assessment.requirements.slice(3).find((r) => r.tier === 2)!
    for (const r of assessment.requirements) {
      if (r.id === first!.id) {
        await answer(assessment.id, r.id, {
          status: 'met',
          explanation: HOSTILE.explanation,
          compensatingMeasures: HOSTILE.compensating,
          links: [
            {
              url: 'https://acme.test/design?a=1,b=2',
              title: 'Design, "note" 設計',
              date: '2026-05-01',
              expires: '2026-05-20',
            },
            { url: 'https://acme.test/psirt', title: '-cmd|calc', date: '2026-05-02' },
          ],
        })
      } else if (r.id === second!.id) {
        await answer(assessment.id, r.id, {
          status: 'not-applicable',
          justification: HOSTILE.justification,
          explanation: 'Not this one',
        })
      } else if (r.id === third!.id) {
        await answer(assessment.id, r.id, {
          status: 'met',
          explanation: '-1 is not a formula here',
        })
      } else if (r.id === tier2.id) {
        await answer(assessment.id, r.id, {
          status: 'partially-met',
          explanation: 'Half of it',
        })
      } else {
        await answer(assessment.id, r.id, { status: 'met', explanation: `How ${r.id} is met` })
      }
    }
    const upload = await t.app.inject({
      method: 'POST',
      url: acmePath(`/${assessment.id}/answers/${first!.id}/files?date=2026-05-01`),
      headers: {
        ...(await sessionOf('mia@acme.test')),
        'content-type': 'application/octet-stream',
        'x-file-name': encodeURIComponent('Прошивка, "v1".pdf'),
      },
      payload: PDF,
    })
    expect(upload.statusCode, upload.body).toBe(201)
    file = upload.json<EvidenceFile>()
    await reload()
  })

  async function sessionOf(email: string) {
    const session = await signInOverHttp(t.app, email)
    return { cookie: session.cookie, 'x-csrf-token': session.csrf }
  }

  it('gives the answers as CSV that parses back to the answers, formulas defused', async () => {
    const response = await asMaker('GET', acmePath(`/${assessment.id}/answers.csv`))
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename\*=UTF-8''Edge%20Gateway%20.*answers.*\.csv$/,
    )
    expect(response.headers['cache-control']).toBe('private, no-store')
    // Reports cost CPU: their own limit per client, tighter than the API's.
    expect(String(response.headers['x-ratelimit-limit'])).toBe('30')
    const raw = response.rawPayload
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    // RFC 4180 records end in CRLF.
    expect(raw.toString('utf8').split('\r\n')[0]).toBe(`\uFEFF${ANSWERS_CSV_COLUMNS.join(',')}`)
    const rows = parse(raw, { bom: true, relax_column_count: false }) as string[][]
    expect(rows[0]).toEqual([...ANSWERS_CSV_COLUMNS])
    expect(rows).toHaveLength(assessment.requirements.length + 1)
    const defused = (text: string | undefined = '') =>
      /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
    const categories = new Map(assessment.categories.map((c) => [c.id, c.title]))
    assessment.requirements.forEach((r, i) => {
      const a = r.answer
      expect(rows[i + 1]).toEqual(
        [
          r.id,
          categories.get(r.category),
          r.title,
          String(r.tier),
          a.status ?? '',
          a.carriedOver ?? '',
          a.explanation ?? '',
          a.justification ?? '',
          a.compensatingMeasures ?? '',
          String(a.files.length),
          a.files.map((f) => f.sha256).join('\n'),
          a.files.map((f) => f.fileName).join('\n'),
          a.links.map((l) => `${l.title} <${l.url}>`).join('\n'),
          '',
          '',
        ].map(defused),
      )
    })
    const first = rows[1]!
    expect(first[6]).toBe(HOSTILE.explanation)
    expect(first[8]).toBe(`'${HOSTILE.compensating}`)
    expect(first[10]).toBe(file.sha256)
    expect(first[11]).toBe('Прошивка, "v1".pdf')
    expect(first[12]).toBe(
      'Design, "note" 設計 <https://acme.test/design?a=1,b=2>\n-cmd|calc <https://acme.test/psirt>',
    )
    expect(rows[2]![7]).toBe(`'${HOSTILE.justification}`)
    expect(rows[3]![6]).toBe("'-1 is not a formula here")
  })

  let reportPages = 0

  it('gives the assessment report as PDF with the cover, the summary and every requirement', async () => {
    const { doc, pages, text } = await pdfOf(
      await asMaker('GET', acmePath(`/${assessment.id}/report.pdf`)),
    )
    reportPages = doc.getPageCount()
    expect(reportPages).toBeGreaterThan(2)
    expect(doc.getTitle()).toBe('Assessment report')
    // Cover: product, model numbers, version, manufacturer, framework, profile, tier, status.
    expect(pages[0]).toContain('Edge Gateway Шлюз 1.0.0')
    expect(pages[0]).toContain('EG-1, EG-1-中')
    expect(pages[0]).toContain('Acme 株式会社')
    expect(pages[0]).toContain(`Framework version${assessment.frameworkVersion}`)
    expect(pages[0]).toContain('(gateway)')
    expect(pages[0]).toContain('Tier 2 — ')
    expect(pages[0]).toContain('Not submitted for review')
    expect(pages[0]).toContain('LabelNot issued')
    // Header and footer on every page.
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${reportPages}`)
      expect(page).toContain('Generated 2026-06-01T08:00:00Z')
      expect(page).toContain('Edge Gateway Шлюз 1.0.0')
    })
    // Summary: the tier the gap report reaches, and the comply-many coverage.
    expect(text).toContain('Tier reachedTier 1 — ')
    expect(text).toMatch(/items satisfied/)
    // Requirements with their answers, evidence and non-Windows-1252 text.
    for (const r of assessment.requirements) expect(text).toContain(`${r.id} · ${r.title}`)
    expect(text).toContain('中文说明 and 🔒 and Пароль')
    expect(text).toContain('Passwords, "unique" per device;')
    expect(text).toContain(HOSTILE.compensating)
    expect(text).toContain('Прошивка, "v1".pdf — application/pdf, 214 bytes, dated 2026-05-01')
    expect(text).toContain(`SHA-256 ${file.sha256}`)
    expect(text).toContain('https://acme.test/design?a=1,b=2')
    expect(text).toContain('expires 2026-05-20 (EXPIRED)')
    expect(text).not.toContain('\uFFFD')
    // And their glyphs are really drawn: Chinese, Japanese, emoji, Cyrillic.
    expect(blankGlyphs(doc, '中文说明設計株式会社🔒ПарольШлюзПрошивка')).toEqual({
      blank: [],
      unseen: [],
    })
  })

  it('grows by pages for long answers, cutting words longer than a line', async () => {
    const long = Array.from({ length: 900 }, (_, i) => `word${i} 文字`)
      .join(' ')
      .slice(0, 10_000)
    const unbroken = 'Ж'.repeat(3000)
    const [a, b, c] = assessment.requirements
    await answer(assessment.id, a!.id, { explanation: long })
    await answer(assessment.id, b!.id, { explanation: long })
    await answer(assessment.id, c!.id, {
      compensatingMeasures: `${unbroken}\n${long.slice(0, 6000)}`,
    })
    const { doc, text } = await pdfOf(
      await asMaker('GET', acmePath(`/${assessment.id}/report.pdf`)),
    )
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(reportPages + 4)
    expect(text).toContain('word899')
    // A word longer than the line is cut into lines that fit.
    const pieces = text.match(/Ж+/g) ?? []
    expect(pieces.join('')).toHaveLength(unbroken.length)
    expect(pieces.length).toBeGreaterThan(20)
    for (const piece of pieces) expect(piece.length).toBeLessThan(80)
    await answer(assessment.id, a!.id, { explanation: HOSTILE.explanation })
    await answer(assessment.id, b!.id, { explanation: 'Not this one' })
    await answer(assessment.id, c!.id, { compensatingMeasures: null })
    await reload()
  })

  it('gives the gap report as PDF: tier reached, and per tier what blocks it', async () => {
    const gap = (await asMaker('GET', acmePath(`/${assessment.id}/gap-report`))).json<GapReport>()
    const tier2 = assessment.requirements.find((r) => r.answer.status === 'partially-met')!
    expect(gap.tierReached).toBe(1)
    expect(gap.tiers).toEqual([{ tier: 2, blocking: gap.blocking }])
    expect(gap.blocking.map((b) => b.requirementId)).toEqual([tier2.id])
    const { text } = await pdfOf(await asMaker('GET', acmePath(`/${assessment.id}/gap-report.pdf`)))
    expect(text).toContain('Gap report')
    expect(text).toContain('Tier reachedTier 1 — ')
    expect(text).toMatch(/Tier 2 — .*: 1 blocking/)
    expect(text).toContain(`${tier2.id} · ${tier2.title}`)
    expect(text).toContain('ReasonPartially met')
    expect(text).toContain('Compensating measures for what is not met are not described.')
    expect(text).toContain('Evidence expected')
    expect(text).toContain('Design, "note" 設計, expired 2026-05-20')

    // Target tier 1, all met: tier 1 reached; the next tier's requirements lie above the target.
    const small = await start(1, 1)
    for (const r of small.requirements) {
      await answer(small.id, r.id, { status: 'met', explanation: 'Done' })
    }
    const smallGap = (await asMaker('GET', acmePath(`/${small.id}/gap-report`))).json<GapReport>()
    expect(smallGap.tierReached).toBe(1)
    expect(smallGap.tiers.map((x) => x.tier)).toEqual([2])
    expect(new Set(smallGap.tiers[0]!.blocking.map((b) => b.reason))).toEqual(
      new Set(['beyond-target']),
    )
    const smallPdf = await pdfOf(await asMaker('GET', acmePath(`/${small.id}/gap-report.pdf`)))
    expect(smallPdf.text).toContain('(above the target tier)')
    expect(smallPdf.text).toContain('start an assessment with target tier 2 or higher')

    // Nothing answered, target 3: tiers 1 to 3 listed, each with its own requirements.
    const empty = await start(2, 3)
    const emptyGap = (await asMaker('GET', acmePath(`/${empty.id}/gap-report`))).json<GapReport>()
    expect(emptyGap.tiers.map((x) => x.tier)).toEqual([1, 2, 3])
    for (const { tier, blocking } of emptyGap.tiers) {
      expect(blocking.map((b) => b.requirementId)).toEqual(
        empty.requirements.filter((r) => r.tier === tier).map((r) => r.id),
      )
    }
    const emptyPdf = await pdfOf(await asMaker('GET', acmePath(`/${empty.id}/gap-report.pdf`)))
    expect(emptyPdf.text).toContain('An answer: a status, an explanation and evidence.')
    expect(emptyPdf.text).toContain('Tier reachedNone (not even tier 1)')
  })

  it('is refused to other organisations, to assessors without a review and to tokens without products:read', async () => {
    for (const file of ['report.pdf', 'gap-report.pdf', 'answers.csv']) {
      const own = acmePath(`/${assessment.id}/${file}`)
      expect((await t.app.inject({ method: 'GET', url: own })).statusCode).toBe(401)
      expect((await asBolt('GET', own)).statusCode).toBe(403)
      expect((await asLab('GET', own)).statusCode).toBe(403)
      const underBolt = `/api/v1/organisations/${bolt}/assessments/${assessment.id}/${file}`
      expect((await asBolt('GET', underBolt)).statusCode).toBe(404)
      // No review yet: the assessor's path knows nothing under this id.
      expect((await asLab('GET', labPath(`/${assessment.id}/${file}`))).statusCode).toBe(404)
    }
    // API tokens of the organisation: products:read is enough; other scopes are not.
    const tokenGet = async (scopes: string[], url: string) => {
      const created = await asAdmin('POST', `/api/v1/organisations/${acme}/tokens`, {
        name: scopes.join(' '),
        scopes,
      })
      expect(created.statusCode, created.body).toBe(201)
      const secret = created.json<{ secret: string }>().secret
      return t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${secret}` } })
    }
    const csv = await tokenGet(['products:read'], acmePath(`/${assessment.id}/answers.csv`))
    expect(csv.statusCode, csv.body).toBe(200)
    await pdfOf(await tokenGet(['products:read'], acmePath(`/${assessment.id}/report.pdf`)))
    const wrongScope = await tokenGet(
      ['organisation:read'],
      acmePath(`/${assessment.id}/report.pdf`),
    )
    expect(wrongScope.statusCode).toBe(403)
  })

  it('gives the assessor of record the same reports with its verdicts; nobody else', async () => {
    const submitted = await asMaker('POST', acmePath(`/${assessment.id}/reviews`), {
      assessorOrganisationId: lab,
    })
    expect(submitted.statusCode, submitted.body).toBe(201)
    review = submitted.json<Review>()
    const [first, second] = assessment.requirements
    for (const [r, verdict, finding] of [
      [first!, 'accepted', HOSTILE.finding],
      [second!, 'needs-info', 'Which interfaces?'],
    ] as const) {
      const recorded = await asLab('PUT', labPath(`/${review.id}/verdicts/${r.id}`), {
        verdict,
        finding,
      })
      expect(recorded.statusCode, recorded.body).toBe(200)
    }
    for (const as of [asLab, asMaker]) {
      const base = as === asLab ? labPath(`/${review.id}`) : acmePath(`/${assessment.id}`)
      const report = await pdfOf(await as('GET', `${base}/report.pdf`))
      expect(report.pages[0]).toContain('Submitted, with the assessor — Trusted Lab, round 1')
      expect(report.text).toContain('VerdictAccepted (round 1)')
      expect(report.text).toContain(`Finding${HOSTILE.finding}`)
      expect(report.text).toContain('VerdictNeeds information (round 1)')
      const gap = await pdfOf(await as('GET', `${base}/gap-report.pdf`))
      expect(gap.text).toContain('Tier reachedTier 1 — ')
      const csv = await as('GET', `${base}/answers.csv`)
      expect(csv.statusCode).toBe(200)
      const rows = parse(csv.rawPayload, { bom: true }) as string[][]
      expect(rows[1]!.slice(13)).toEqual(['accepted', `'${HOSTILE.finding}`])
      expect(rows[2]!.slice(13)).toEqual(['needs-info', 'Which interfaces?'])
    }
    // The assessor's systems: a token with reviews:read.
    const created = await asLab('POST', `/api/v1/organisations/${lab}/tokens`, {
      name: 'lab system',
      scopes: ['reviews:read'],
    })
    expect(created.statusCode, created.body).toBe(201)
    const byToken = await t.app.inject({
      method: 'GET',
      url: labPath(`/${review.id}/answers.csv`),
      headers: { authorization: `Bearer ${created.json<{ secret: string }>().secret}` },
    })
    expect(byToken.statusCode, byToken.body).toBe(200)
    for (const file of ['report.pdf', 'gap-report.pdf', 'answers.csv']) {
      // Another assessor: not found under its own path, refused under the lab's.
      const underOther = `/api/v1/organisations/${otherLab}/reviews/${review.id}/${file}`
      expect((await asOtherLab('GET', underOther)).statusCode).toBe(404)
      expect((await asOtherLab('GET', labPath(`/${review.id}/${file}`))).statusCode).toBe(403)
      // The manufacturer cannot use the assessor's path, nor a viewer of the lab.
      expect((await asMaker('GET', labPath(`/${review.id}/${file}`))).statusCode).toBe(403)
      expect((await asLabViewer('GET', labPath(`/${review.id}/${file}`))).statusCode).toBe(403)
    }
  })

  it('shows the issued label and the tier granted on the cover once approved', async () => {
    for (const r of assessment.requirements.filter((x) => x.tier === 1)) {
      const recorded = await asLab('PUT', labPath(`/${review.id}/verdicts/${r.id}`), {
        verdict: 'accepted',
        ...(r.id === assessment.requirements[0]!.id ? { finding: HOSTILE.finding } : {}),
      })
      expect(recorded.statusCode, recorded.body).toBe(200)
    }
    const approved = await asLab('POST', labPath(`/${review.id}/approve`), {
      tierGranted: 1,
      verificationStrength: 'self-declared',
    })
    expect(approved.statusCode, approved.body).toBe(200)
    const labelId = approved.json<Review>().labelId!
    const { pages } = await pdfOf(await asMaker('GET', acmePath(`/${assessment.id}/report.pdf`)))
    expect(pages[0]).toContain('Assessment statusApproved')
    expect(pages[0]).toContain('ReviewApproved — Trusted Lab, round 1')
    expect(pages[0]).toContain('Tier grantedTier 1 — ')
    expect(pages[0]).toContain('Verification strengthSelf-declared')
    expect(pages[0]).toContain(`Label${labelId} — active`)
    // The status URL may be cut across lines: compare without the breaks.
    expect(pages[0]!.replace(/\s/g, '')).toContain(`/labels/${labelId}/status`)
  })
})

describe('answers CSV cells', () => {
  it('defuses every formula start, tab and carriage return included, and keeps other text', () => {
    // The API trims answers, so leading tabs and carriage returns are tried here directly.
    const texts = [
      '=1+1',
      '+1',
      '-1',
      '@SUM(A1)',
      '\tTab',
      '\rCR',
      'plain, "quoted"\nline',
      ' lead',
    ]
    const data = {
      assessment: {
        categories: [{ id: 'C', title: 'Cat' }],
        requirements: texts.map((text, i) => ({
          id: `R-${i}`,
          category: 'C',
          title: text,
          tier: 1,
          answer: {
            status: 'met',
            carriedOver: null,
            explanation: text,
            justification: null,
            compensatingMeasures: null,
            files: [],
            links: [],
          },
        })),
      },
      review: null,
    } as unknown as ReportData
    const rows = parse(answersCsv(data), { bom: true }) as string[][]
    const expected = ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tTab", "'\rCR", texts[6], ' lead']
    expect(rows.slice(1).map((r) => r[2])).toEqual(expected)
    expect(rows.slice(1).map((r) => r[6])).toEqual(expected)
  })
})
