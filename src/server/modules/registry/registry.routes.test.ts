import jsQRModule from 'jsqr'
import { PDFDocument } from 'pdf-lib'
import { PNG } from 'pngjs'
import { Value } from 'typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Label } from '../../../common/api/labels.ts'
import {
  Cta2120RecordSchema,
  RegistryPageSchema,
  RegistryRecordSchema,
  type RegistryPage,
  type RegistryRecord,
} from '../../../common/api/registry.ts'
import { systemActor } from '../../kernel/actor.ts'
import { DAY } from '../../kernel/clock.ts'
import { newId } from '../../kernel/crypto.ts'
import {
  asUser,
  createAdmin,
  createTestApp,
  signInOverHttp,
  type TestContext,
} from '../../testing/test-app.ts'
import { getFramework, loadFrameworkFromFiles } from '../framework/framework.service.ts'
import { BADGE_COLOURS } from '../labels/artefacts.ts'
import { issueLabel, searchPublicLabels, type IssueLabelInput } from '../labels/labels.service.ts'
import { sampleLabelInput } from '../labels/testing.ts'
import { standardsReached } from './registry.service.ts'

const system = { actor: systemActor('test') }
// jsqr is CommonJS with a `default` export of its own.
const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default

/** A label input for another product, by another manufacturer if asked. */
function input(
  name: string,
  overrides: Partial<IssueLabelInput> & {
    manufacturer?: string
    deviceClass?: string
    models?: string[]
  } = {},
): IssueLabelInput {
  const base = sampleLabelInput()
  const { manufacturer, deviceClass, models, ...rest } = overrides
  return {
    ...base,
    ...rest,
    product: {
      ...base.product,
      productId: newId(),
      productVersionId: newId(),
      name,
      ...(models ? { modelNumbers: models } : {}),
      ...(manufacturer ? { manufacturer: { id: newId(), name: manufacturer } } : {}),
      ...(deviceClass ? { deviceClass: deviceClass as never } : {}),
    },
    profile: (deviceClass ?? base.profile) as never,
  }
}

describe('the public registry', () => {
  let t: TestContext
  let asAdmin: ReturnType<typeof asUser>
  let fieldSense: Label
  let gateway: Label
  let controller: Label

  const get = (url: string) => t.app.inject({ url })
  const search = async (query = '') => {
    const response = await get(`/api/v1/registry/labels${query}`)
    expect(response.statusCode, response.body).toBe(200)
    const page = response.json<RegistryPage>()
    expect(Value.Check(RegistryPageSchema, page)).toBe(true)
    return page
  }
  const names = (page: RegistryPage) => page.items.map((i) => i.productName)

  beforeAll(async () => {
    t = await createTestApp()
    await loadFrameworkFromFiles(t.ctx)
    await createAdmin(t.ctx)
    asAdmin = asUser(t.app, await signInOverHttp(t.app, 'admin@network.test'))
  })
  afterAll(async () => t.close())

  it('is empty, not an error, before any label is issued', async () => {
    expect(await search()).toEqual({ items: [], total: 0, totalExact: true, limit: 20, offset: 0 })
    expect(await search('?standard=uk-psti')).toMatchObject({ items: [], total: 0 })
  })

  it('lists labels newest first and searches by words, manufacturer, class, tier and status', async () => {
    fieldSense = await issueLabel(t.ctx, system, input('Acme FieldSense 200'))
    t.clock.advance(60_000)
    gateway = await issueLabel(
      t.ctx,
      system,
      input('Bolt EdgeGate', {
        manufacturer: 'Bolt Automation',
        models: ['EG-7'],
        deviceClass: 'gateway',
        tier: 3,
        verificationStrength: 'lab-tested',
      }),
    )
    t.clock.advance(60_000)
    controller = await issueLabel(
      t.ctx,
      system,
      input('Acme Logic 5', { deviceClass: 'controller', tier: 1, models: ['L5'] }),
    )

    const all = await search()
    expect(all.total).toBe(3)
    expect(names(all)).toEqual(['Acme Logic 5', 'Bolt EdgeGate', 'Acme FieldSense 200'])
    expect(all.items[2]).toMatchObject({
      labelId: fieldSense.id,
      status: 'active',
      manufacturer: 'Acme Industrial',
      modelNumbers: ['FS-200', 'FS-200X'],
      version: '2.4.1',
      deviceClass: 'field-device',
      tier: 2,
      frameworkVersion: '1.0.0',
      verificationStrength: 'document-reviewed',
      assessor: 'Trusted Lab',
      supportPeriodEnd: '2030-12-31',
    })

    expect(names(await search('?q=fieldsense'))).toEqual(['Acme FieldSense 200'])
    expect(names(await search('?q=FS-200X'))).toEqual(['Acme FieldSense 200'])
    // Every word must match, in any field.
    expect(names(await search('?q=acme%20logic'))).toEqual(['Acme Logic 5'])
    expect(names(await search('?q=acme%20edgegate'))).toEqual([])
    expect(names(await search('?manufacturer=bolt'))).toEqual(['Bolt EdgeGate'])
    expect(names(await search('?manufacturer=ACME'))).toHaveLength(2)
    expect(names(await search('?deviceClass=controller'))).toEqual(['Acme Logic 5'])
    expect(names(await search('?tier=3'))).toEqual(['Bolt EdgeGate'])
    expect(names(await search('?tier=2&deviceClass=field-device'))).toEqual(['Acme FieldSense 200'])
    expect((await search('?status=active')).total).toBe(3)
    expect((await search('?status=suspended')).total).toBe(0)
    // LIKE wildcards are plain characters.
    expect((await search('?q=%25')).total).toBe(0)
    expect((await search('?manufacturer=_')).total).toBe(0)
  })

  it('pages with limit and offset and counts all matches', async () => {
    const first = await search('?limit=2')
    expect(first).toMatchObject({ total: 3, limit: 2, offset: 0 })
    expect(names(first)).toEqual(['Acme Logic 5', 'Bolt EdgeGate'])
    const second = await search('?limit=2&offset=2')
    expect(names(second)).toEqual(['Acme FieldSense 200'])
    expect(await search('?offset=10')).toMatchObject({ items: [], total: 3, totalExact: true })
    // Counting stops one past the limit: enough to say "more than".
    const capped = await searchPublicLabels(t.ctx, {
      words: [],
      limit: 1,
      offset: 0,
      countLimit: 1,
    })
    expect(capped.labels).toHaveLength(1)
    expect(capped.total).toBe(2)
  })

  it('derives standard coverage from the framework version, tier, profile and strength', async () => {
    const index = await getFramework(t.ctx, '1.0.0')
    const expected = standardsReached(index, 3, 'gateway', 'lab-tested')
    const page = await search('?q=edgegate')
    expect(page.items[0]!.standards).toEqual(expected)
    expect(expected.map((s) => `${s.scheme}:${s.level}`)).toEqual(
      expect.arrayContaining(['uk-psti:statement-of-compliance', 'sg-cls:4']),
    )
    // CLS level 4 asks for lab testing: the same profile, only document-reviewed, does not reach it.
    expect(
      standardsReached(index, 3, 'gateway', 'document-reviewed').map(
        (s) => `${s.scheme}:${s.level}`,
      ),
    ).not.toContain('sg-cls:4')

    expect(names(await search('?standard=sg-cls:4'))).toEqual(['Bolt EdgeGate'])
    expect((await search('?standard=uk-psti')).total).toBe(3)
    expect((await search('?standard=iec-62443-4-2-sl:sl-3')).total).toBe(
      [controller, gateway, fieldSense].filter((l) =>
        standardsReached(
          index,
          l.record.tier,
          l.record.profile,
          l.record.verificationStrength,
        ).some((s) => s.scheme === 'iec-62443-4-2-sl' && s.level === 'sl-3'),
      ).length,
    )
    expect((await search('?standard=no-such-scheme')).total).toBe(0)
    expect((await search('?standard=uk-psti&tier=1')).total).toBe(1)
  })

  it('answers a product record with countdowns, contact, strength, assessor and links', async () => {
    const response = await get(`/api/v1/registry/labels/${fieldSense.id}`)
    expect(response.statusCode).toBe(200)
    const record = response.json<RegistryRecord>()
    expect(Value.Check(RegistryRecordSchema, record)).toBe(true)
    // The clock says 2026-06-01T08:02; support ends 2030-12-31.
    const days = Math.round((Date.UTC(2030, 11, 31) - Date.UTC(2026, 5, 1)) / DAY)
    expect(record).toMatchObject({
      labelId: fieldSense.id,
      status: 'active',
      statusReason: null,
      support: { endsOn: '2030-12-31', daysLeft: days, ended: false },
      validity: { endsOn: fieldSense.expiresAt.slice(0, 10), ended: false },
      securityContact: 'security@acme.test',
      disclosurePolicyUrl: 'https://acme.test/security/disclosure',
      verificationStrength: 'document-reviewed',
      assessor: { id: 'org-lab', name: 'Trusted Lab' },
      keyId: fieldSense.keyId,
      jws: fieldSense.jws,
      history: [{ fromStatus: null, toStatus: 'active', reason: 'Issued' }],
      links: {
        page: `http://isn.test/registry/${fieldSense.id}`,
        verify: `http://isn.test/verify?label=${fieldSense.id}`,
        badgeSvg: `http://isn.test/api/v1/labels/${fieldSense.id}/badge.svg`,
        cta2120: `http://isn.test/api/v1/registry/labels/${fieldSense.id}/cta-2120`,
      },
    })
    expect(record.standards.length).toBeGreaterThan(0)
  })

  it('shows a suspension at once in the registry, the record, the badge and the export', async () => {
    const suspended = await asAdmin('POST', `/api/v1/labels/${gateway.id}/suspend`, {
      reason: 'Unpatched remote code execution under investigation',
    })
    expect(suspended.statusCode).toBe(200)

    const entry = (await search('?q=edgegate')).items[0]!
    expect(entry).toMatchObject({
      status: 'suspended',
      statusReason: 'Unpatched remote code execution under investigation',
    })
    expect(names(await search('?status=suspended'))).toEqual(['Bolt EdgeGate'])
    expect((await search('?status=active')).total).toBe(2)

    const record = (await get(`/api/v1/registry/labels/${gateway.id}`)).json<RegistryRecord>()
    expect(record.status).toBe('suspended')
    expect(record.statusReason).toBe('Unpatched remote code execution under investigation')
    expect(record.history.map((h) => h.toStatus)).toEqual(['active', 'suspended'])

    const badge = await get(`/api/v1/labels/${gateway.id}/badge.svg`)
    expect(badge.body).toContain('SUSPENDED')
    expect(badge.body).toContain(BADGE_COLOURS.suspended)
    expect(badge.body).not.toContain(BADGE_COLOURS.active)
    expect(badge.body).toContain('Unpatched remote code execution under investigation')

    const cta = (await get(`/api/v1/registry/labels/${gateway.id}/cta-2120`)).json()
    expect(cta).toMatchObject({ labelStatus: 'suspended' })

    await asAdmin('POST', `/api/v1/labels/${gateway.id}/reinstate`, { reason: 'Patched in 3.1' })
    expect((await search('?q=edgegate')).items[0]!.status).toBe('active')
    expect((await get(`/api/v1/labels/${gateway.id}/badge.svg`)).body).toContain('· active')
  })

  it('exports a record in the CTA-2120 label data shape', async () => {
    const response = await get(`/api/v1/registry/labels/${gateway.id}/cta-2120`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['access-control-allow-origin']).toBe('*')
    const cta = response.json()
    expect(Value.Check(Cta2120RecordSchema, cta)).toBe(true)
    expect(cta).toMatchObject({
      recordType: 'cta-2120-label-data',
      labelIdentifier: gateway.id,
      labelStatus: 'active',
      productName: 'Bolt EdgeGate',
      manufacturerName: 'Bolt Automation',
      modelNumbers: ['EG-7'],
      softwareVersion: '2.4.1',
      productCategory: 'Gateway / edge device',
      dateOfLabelGrant: gateway.issuedAt.slice(0, 10),
      labelExpirationDate: gateway.expiresAt.slice(0, 10),
      labelAdministrator: { name: 'IIoT Safety Network', url: 'http://isn.test' },
      testingLaboratory: { name: 'Trusted Lab' },
      conformityAssessment: { method: 'lab-tested', level: 'Tier 3' },
      manufacturerContact: {
        vulnerabilityReporting: 'security@acme.test',
        vulnerabilityDisclosurePolicyUrl: 'https://acme.test/security/disclosure',
      },
      supportPeriod: { endDate: '2030-12-31' },
      softwareUpdates: { mechanism: 'automatic', automatic: true },
      defaultPasswords: { policy: 'unique-per-device' },
      secureConfigurationUrl: 'https://acme.test/fs200/hardening',
      sbomMaintained: true,
      hbomMaintained: null,
      fccId: null,
      registryUrl: `http://isn.test/registry/${gateway.id}`,
    })
    expect(cta.notProvided).toContain('fccId')
    // Not lab-tested: no testing laboratory is claimed.
    const reviewed = (await get(`/api/v1/registry/labels/${fieldSense.id}/cta-2120`)).json()
    expect(reviewed.testingLaboratory).toBeNull()
  })

  it('counts an active label past its expiry as expired, in filters too', async () => {
    const shortLived = await issueLabel(
      t.ctx,
      system,
      input('Acme Short', { validUntil: new Date(t.clock.now().getTime() + DAY).toISOString() }),
    )
    expect(names(await search('?status=expired'))).toEqual([])
    t.clock.advance(2 * DAY)
    expect(names(await search('?status=expired'))).toEqual(['Acme Short'])
    expect(names(await search('?status=active'))).not.toContain('Acme Short')
    const record = (await get(`/api/v1/registry/labels/${shortLived.id}`)).json<RegistryRecord>()
    expect(record).toMatchObject({ status: 'expired', statusReason: 'Validity ended' })
    expect(record.validity.ended).toBe(true)
    expect((await get(`/api/v1/labels/${shortLived.id}/badge.svg`)).body).toContain('EXPIRED')
  })

  it('serves QR codes that decode to the label’s public page', async () => {
    const png = await get(`/api/v1/labels/${fieldSense.id}/qr.png`)
    expect(png.statusCode).toBe(200)
    expect(png.headers['content-type']).toBe('image/png')
    expect(png.headers['cache-control']).toBe('public, max-age=86400')
    expect(png.headers['cross-origin-resource-policy']).toBe('cross-origin')
    expect(png.rawPayload.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    )
    const image = PNG.sync.read(png.rawPayload)
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height)
    expect(decoded?.data).toBe(`http://isn.test/registry/${fieldSense.id}`)

    const svg = await get(`/api/v1/labels/${fieldSense.id}/qr.svg`)
    expect(svg.statusCode).toBe(200)
    expect(svg.headers['content-type']).toBe('image/svg+xml')
    expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(svg.body).toContain('<path')
  })

  it('serves an accessible, short-lived badge', async () => {
    const badge = await get(`/api/v1/labels/${fieldSense.id}/badge.svg`)
    expect(badge.statusCode).toBe(200)
    expect(badge.headers['content-type']).toBe('image/svg+xml')
    expect(badge.headers['cache-control']).toBe('public, max-age=60')
    expect(badge.headers['access-control-allow-origin']).toBe('*')
    expect(badge.body).toMatch(
      /^<svg [^>]*role="img" aria-labelledby="isn-badge-title isn-badge-desc"/,
    )
    expect(badge.body).toContain(
      '<title id="isn-badge-title">IIoT Safety Network label: tier 2 (Verified), active</title>',
    )
    expect(badge.body).toContain('Acme Industrial Acme FieldSense 200 2.4.1')
    expect(badge.body).toContain('Tier 2 Verified · active')
  })

  it('serves a PDF certificate with the record, key id and JWS', async () => {
    const response = await get(`/api/v1/labels/${fieldSense.id}/certificate.pdf`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/pdf')
    expect(response.headers['cache-control']).toBe('public, max-age=300')
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="label-${fieldSense.id}.pdf"`,
    )
    expect(response.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const pdf = await PDFDocument.load(response.rawPayload)
    expect(pdf.getPageCount()).toBeGreaterThanOrEqual(1)
    expect(pdf.getTitle()).toBe('Label certificate: Acme Industrial Acme FieldSense 200 2.4.1')
    expect(pdf.getSubject()).toBe(`Signed label ${fieldSense.id}`)
  })

  it('answers bad input with a 4xx, never a 500', async () => {
    const cases: [string, number][] = [
      ['/api/v1/registry/labels/not-a-uuid', 400],
      [`/api/v1/registry/labels/${newId()}`, 404],
      [`/api/v1/registry/labels/${newId()}/cta-2120`, 404],
      ['/api/v1/registry/labels/%00%ff/cta-2120', 400],
      [`/api/v1/labels/${newId()}/badge.svg`, 404],
      [`/api/v1/labels/${newId()}/qr.png`, 404],
      [`/api/v1/labels/${newId()}/qr.svg`, 404],
      [`/api/v1/labels/${newId()}/certificate.pdf`, 404],
      ['/api/v1/labels/../../etc/passwd/badge.svg', 404],
      ['/api/v1/labels/x%27%20or%201=1/badge.svg', 400],
      [`/api/v1/registry/labels?q=${'a'.repeat(201)}`, 400],
      [`/api/v1/registry/labels?q=${'word '.repeat(5000)}`, 400],
      [`/api/v1/registry/labels?manufacturer=${'m'.repeat(201)}`, 400],
      ['/api/v1/registry/labels?limit=0', 400],
      ['/api/v1/registry/labels?limit=101', 400],
      ['/api/v1/registry/labels?limit=abc', 400],
      ['/api/v1/registry/labels?offset=-1', 400],
      ['/api/v1/registry/labels?offset=10001', 400],
      ['/api/v1/registry/labels?tier=9', 400],
      ['/api/v1/registry/labels?status=holiday', 400],
      ['/api/v1/registry/labels?deviceClass=toaster', 400],
      ['/api/v1/registry/labels?standard=%3Cscript%3E', 400],
      ['/api/v1/registry/labels?standard=a:b:c', 400],
      ['/api/v1/registry/labels?unknown=1', 400],
      ['/api/v1/registry/labels?tier=1&tier=2', 400],
    ]
    for (const [url, status] of cases) {
      const response = await get(url)
      expect({ url, status: response.statusCode }).toEqual({ url, status })
      expect(response.json().error.code).toBeTypeOf('string')
    }
    const weird = await search(`?q=${encodeURIComponent('%_\\\'";-- ⚙️ 𝔘')}`)
    expect(weird.total).toBe(0)
  })
})
