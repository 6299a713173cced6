import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Label } from '../../../common/api/labels.ts'
import { LabelKeySet } from '../../../common/labels/keys.ts'
import { decodeStatusList, statusBit } from '../../../common/labels/status-list.ts'
import { verifyLabel } from '../../../common/labels/verify.ts'
import { systemActor } from '../../kernel/actor.ts'
import { newId } from '../../kernel/crypto.ts'
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
import { issueLabel } from './labels.service.ts'
import { sampleLabelInput } from './testing.ts'

describe('labels over HTTP', () => {
  let t: TestContext
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let label: Label

  beforeEach(async () => {
    t = await createTestApp()
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    label = await issueLabel(t.ctx, { actor: systemActor('test') }, sampleLabelInput())
  })
  afterEach(async () => t.close())

  const verify = (body: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/v1/labels/verify', payload: body as object })

  /** The label with one signed claim changed: the signature no longer holds. */
  const tamperedLabel = () => {
    const [h, , s] = label.jws.split('.') as [string, string, string]
    const changed = Buffer.from(JSON.stringify({ ...label.record, tier: 4 })).toString('base64url')
    return `${h}.${changed}.${s}`
  }

  /** Labels that are not genuine, with the reason each must be refused for. */
  const badLabels = () => {
    const [h, p] = label.jws.split('.') as [string, string, string]
    return [
      [tamperedLabel(), 'bad_signature'],
      [label.jws.slice(0, -20), 'bad_signature'],
      ['random text', 'malformed'],
      [`${h}.${p}`, 'malformed'],
      ['eyJhbGciOiJub25lIn0.e30.', 'unsupported_algorithm'],
    ] as const
  }

  it('publishes the JWKS at /.well-known/jwks.json, cacheable by anyone', async () => {
    const response = await t.app.inject({ url: '/.well-known/jwks.json' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('public, max-age=300')
    expect(response.headers['access-control-allow-origin']).toBe('*')
    expect(response.json()).toEqual({
      keys: [
        {
          kty: 'OKP',
          crv: 'Ed25519',
          x: expect.any(String),
          kid: label.keyId,
          alg: 'EdDSA',
          use: 'sig',
        },
      ],
    })
    expect(response.body).not.toContain('"d"')
  })

  it('serves signed status lists with a short max-age and an ETag', async () => {
    const url = '/api/v1/labels/status-lists/suspension'
    const first = await t.app.inject({ url })
    expect(first.statusCode).toBe(200)
    expect(first.headers['content-type']).toBe('application/vc+jwt')
    expect(first.headers['cache-control']).toBe('public, max-age=60')
    const etag = first.headers.etag as string
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/)
    const again = await t.app.inject({ url, headers: { 'if-none-match': etag } })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')

    const keys = new LabelKeySet((await t.app.inject({ url: '/.well-known/jwks.json' })).json())
    expect(statusBit(await decodeStatusList(first.body, keys, t.clock.now()), 0)).toBe(false)
    const suspended = await asAdmin('POST', `/api/v1/labels/${label.id}/suspend`, {
      reason: 'Under investigation',
    })
    expect(suspended.statusCode).toBe(200)
    const changed = await t.app.inject({ url, headers: { 'if-none-match': etag } })
    expect(changed.statusCode).toBe(200)
    expect(changed.headers.etag).not.toBe(etag)
    expect(statusBit(await decodeStatusList(changed.body, keys, t.clock.now()), 0)).toBe(true)

    const unknown = await t.app.inject({ url: '/api/v1/labels/status-lists/holidays' })
    expect(unknown.statusCode).toBe(400)
  })

  it('verifies a label live: valid and active, then suspended, reinstated, revoked', async () => {
    const ok = await verify({ label: label.jws })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({
      valid: true,
      genuine: true,
      status: 'active',
      reasons: [],
      labelId: label.id,
      keyId: label.keyId,
      summary: {
        manufacturer: 'Acme Industrial',
        product: 'Acme FieldSense 200',
        version: '2.4.1',
        tier: 2,
        verificationStrength: label.record.verificationStrength,
        assessor: label.record.assessor.name,
        issuedAt: label.record.issuedAt,
        expiresAt: label.record.expiresAt,
      },
    })
    await asAdmin('POST', `/api/v1/labels/${label.id}/suspend`, { reason: 'Report received' })
    expect((await verify({ label: label.jws })).json()).toMatchObject({
      valid: false,
      genuine: true,
      status: 'suspended',
      reasons: [
        { code: 'suspended', message: 'The network has suspended this label: Report received' },
      ],
    })
    await asAdmin('POST', `/api/v1/labels/${label.id}/reinstate`, { reason: 'Fixed' })
    expect((await verify({ label: label.jws })).json()).toMatchObject({
      valid: true,
      status: 'active',
    })
    await asAdmin('POST', `/api/v1/labels/${label.id}/revoke`, { reason: 'Withdrawn' })
    expect((await verify({ label: label.jws })).json()).toMatchObject({
      valid: false,
      status: 'revoked',
      reasons: [{ code: 'revoked' }],
    })
    const status = await t.app.inject({ url: `/api/v1/labels/${label.id}/status` })
    expect(status.json()).toMatchObject({ status: 'revoked', reason: 'Withdrawn' })
    expect(status.json().history).toHaveLength(4)
  })

  it('adds the whole signed record only when asked with ?include=record', async () => {
    const asked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/labels/verify?include=record',
      payload: { label: label.jws },
    })
    expect(asked.statusCode).toBe(200)
    expect(asked.json()).toMatchObject({ valid: true, summary: { tier: 2 } })
    expect(asked.json().record).toEqual(label.record)
    expect((await verify({ label: label.jws })).json()).not.toHaveProperty('record')
    // Nothing of a label that is not genuine is shown: no summary, and a null record.
    const forged = await t.app.inject({
      method: 'POST',
      url: '/api/v1/labels/verify?include=record',
      payload: { label: tamperedLabel() },
    })
    expect(forged.json()).toMatchObject({
      valid: false,
      genuine: false,
      summary: null,
      record: null,
      reasons: [{ code: 'bad_signature' }],
    })
    for (const query of ['include=everything', 'include=record&extra=1']) {
      const refused = await t.app.inject({
        method: 'POST',
        url: `/api/v1/labels/verify?${query}`,
        payload: { label: label.jws },
      })
      expect({ query, status: refused.statusCode }).toEqual({ query, status: 400 })
      expect(refused.json().error.code).toBe('validation_failed')
    }
  })

  it('takes the label itself as the body with the content type application/jose', async () => {
    const jose = (body: string, contentType = 'application/jose', query = '') =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/labels/verify${query}`,
        headers: { 'content-type': contentType },
        payload: body,
      })
    const asJson = (await verify({ label: label.jws })).json()
    const ok = await jose(label.jws)
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual(asJson)
    // As a file saved with a final newline (curl --data-binary @label.jws), and with a charset.
    expect((await jose(`${label.jws}\n`)).json()).toEqual(asJson)
    expect((await jose(label.jws, 'application/jose; charset=utf-8')).json()).toEqual(asJson)
    expect((await jose(label.jws, 'application/jose', '?include=record')).json().record).toEqual(
      label.record,
    )
    await asAdmin('POST', `/api/v1/labels/${label.id}/suspend`, { reason: 'Report received' })
    expect((await jose(label.jws)).json()).toMatchObject({
      valid: false,
      status: 'suspended',
      reasons: [{ code: 'suspended' }],
    })

    for (const [text, code] of badLabels()) {
      const response = await jose(text)
      expect({ text: text.slice(0, 30), status: response.statusCode }).toEqual({
        text: text.slice(0, 30),
        status: 200,
      })
      expect(response.json()).toMatchObject({
        valid: false,
        genuine: false,
        summary: null,
        reasons: [{ code }],
      })
    }
    for (const [body, contentType, status] of [
      ['', 'application/jose', 400],
      ['x'.repeat(20_000), 'application/jose', 400],
      ['x'.repeat(200_000), 'application/jose', 413],
      [JSON.stringify({ label: 42 }), 'application/json; charset=utf-8', 400],
      [JSON.stringify({ label: 'x'.repeat(20_000) }), 'Application/JSON', 400],
      [' '.repeat(20_000), 'APPLICATION/JOSE; charset=utf-8', 400],
      [label.jws, 'text/plain', 400],
      [label.jws, 'application/x-www-form-urlencoded', 400],
      [JSON.stringify({ label: label.jws }), 'application/jose', 200],
    ] as const) {
      const response = await jose(body, contentType)
      expect({ contentType, length: body.length, status: response.statusCode }).toEqual({
        contentType,
        length: body.length,
        status,
      })
      if (status === 200) {
        // JSON sent as a JWS is not a label.
        expect(response.json()).toMatchObject({ valid: false, reasons: [{ code: 'malformed' }] })
      } else if (!/^application\/(jose|json)/i.test(contentType)) {
        expect(response.json().error).toMatchObject({
          code: 'malformed_request',
          message: `Send the label as application/json ({ "label": "…" }) or as application/jose; got ${contentType}.`,
        })
      } else {
        expect(response.json().error.code).toBe(
          status === 413 ? 'payload_too_large' : 'validation_failed',
        )
      }
    }
  })

  it('describes both request media types and the answer in the OpenAPI document', async () => {
    const spec = (await t.app.inject({ url: '/api/openapi.json' })).json()
    const operation = spec.paths['/api/v1/labels/verify'].post
    expect(Object.keys(operation.requestBody.content).sort()).toEqual([
      'application/jose',
      'application/json',
    ])
    expect(operation.requestBody.content['application/jose'].schema).toMatchObject({
      type: 'string',
      maxLength: 16_384,
    })
    expect(operation.parameters).toEqual([
      expect.objectContaining({ in: 'query', name: 'include' }),
    ])
    const answer = operation.responses['200'].content['application/json'].schema
    expect(answer.required).toEqual(
      expect.arrayContaining(['valid', 'genuine', 'status', 'reasons', 'summary']),
    )
    expect(answer.required).not.toContain('record')
  })

  it('keeps labels verifiable after a rotation through the API, and audits it', async () => {
    const rotated = await asAdmin('POST', '/api/v1/admin/label-keys/rotate')
    expect(rotated.statusCode).toBe(200)
    expect(rotated.json()).toMatchObject({
      active: { state: 'active' },
      retired: { kid: label.keyId, state: 'retired' },
    })
    const newer = await issueLabel(t.ctx, { actor: systemActor('test') }, sampleLabelInput())
    for (const jws of [label.jws, newer.jws]) {
      expect((await verify({ label: jws })).json()).toMatchObject({ valid: true })
    }
    const keys = await asAdmin('GET', '/api/v1/admin/label-keys')
    expect(
      keys
        .json()
        .map((k: { state: string }) => k.state)
        .sort(),
    ).toEqual(['active', 'retired'])
    const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).json()
    expect(jwks.keys).toHaveLength(2)
    const audit = await asAdmin('GET', '/api/v1/admin/audit?action=label_key.')
    expect(
      audit
        .json()
        .entries.map((e: { action: string }) => e.action)
        .sort(),
    ).toEqual(['label_key.generated', 'label_key.rotated'])
  })

  it('answers bad labels with reasons and bad bodies with 4xx, never 500', async () => {
    for (const [text, code] of badLabels()) {
      const response = await verify({ label: text })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({ valid: false, summary: null, reasons: [{ code }] })
    }
    for (const [body, status] of [
      [{ label: 'x'.repeat(20_000) }, 400],
      [{ label: 'x'.repeat(2_000_000) }, 413],
      [{ label: 42 }, 400],
      [{}, 400],
      [{ label: label.jws, extra: true }, 400],
      ['"just a string"', 400],
    ] as const) {
      const response = await verify(body)
      expect({ body: JSON.stringify(body).slice(0, 20), status: response.statusCode }).toEqual({
        body: JSON.stringify(body).slice(0, 20),
        status,
      })
      expect(response.json().error.code).toEqual(expect.any(String))
    }
  })

  it('lets only network administrators rotate keys and change a label’s status', async () => {
    const org = await createOrganisationOverHttp(asAdmin, 'Acme')
    const owner = await joinOverHttp(t.app, admin, org.id, 'olivia@acme.test', 'owner')
    const asOwner = asUser(t.app, owner)
    for (const [method, url, payload] of [
      ['POST', '/api/v1/admin/label-keys/rotate', undefined],
      ['GET', '/api/v1/admin/label-keys', undefined],
      ['GET', '/api/v1/admin/labels', undefined],
      ['POST', `/api/v1/labels/${label.id}/suspend`, { reason: 'x' }],
      ['POST', `/api/v1/labels/${label.id}/revoke`, { reason: 'x' }],
    ] as const) {
      const anonymous = await t.app.inject({ method, url, ...(payload ? { payload } : {}) })
      expect(anonymous.statusCode).toBe(401)
      const refused = await asOwner(method, url, payload)
      expect(refused.statusCode).toBe(403)
      expect(refused.json().error.message).toBe('Only network administrators can do this.')
    }
    expect((await asAdmin('GET', '/api/v1/admin/label-keys')).json()).toHaveLength(1)
    expect((await asAdmin('GET', '/api/v1/admin/labels')).json()).toEqual([
      expect.objectContaining({ id: label.id, status: 'active', jws: label.jws }),
    ])
    const missing = await asAdmin('POST', `/api/v1/labels/${newId()}/suspend`, { reason: 'x' })
    expect(missing.statusCode).toBe(404)
    const blank = await asAdmin('POST', `/api/v1/labels/${label.id}/suspend`, { reason: '   ' })
    expect(blank.statusCode).toBe(400)
    await asAdmin('POST', `/api/v1/labels/${label.id}/revoke`, { reason: 'Withdrawn' })
    const final = await asAdmin('POST', `/api/v1/labels/${label.id}/reinstate`, { reason: 'oops' })
    expect(final.statusCode).toBe(409)
    expect(final.json().error.message).toBe('This label is revoked; revocation is final.')
  })

  it('serves a label and its status publicly, and verifies offline with what it publishes', async () => {
    const got = await t.app.inject({ url: `/api/v1/labels/${label.id}` })
    expect(got.statusCode).toBe(200)
    expect(got.json()).toMatchObject({ id: label.id, jws: label.jws, status: 'active' })
    expect((await t.app.inject({ url: `/api/v1/labels/${newId()}` })).statusCode).toBe(404)
    const status = await t.app.inject({
      url: label.record.statusUrl.replace('http://isn.test', ''),
    })
    expect(status.json()).toMatchObject({ labelId: label.id, status: 'active', reason: null })

    const keys = new LabelKeySet((await t.app.inject({ url: '/.well-known/jwks.json' })).json())
    const lists = {
      revocation: await decodeStatusList(
        (await t.app.inject({ url: '/api/v1/labels/status-lists/revocation' })).body,
        keys,
        t.clock.now(),
      ),
      suspension: await decodeStatusList(
        (await t.app.inject({ url: '/api/v1/labels/status-lists/suspension' })).body,
        keys,
        t.clock.now(),
      ),
    }
    const result = await verifyLabel(label.jws, {
      jwks: keys,
      statusLists: lists,
      now: t.clock.now(),
    })
    expect(result).toMatchObject({ valid: true, status: 'active' })
  })
})
