import fc from 'fast-check'
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { LABEL_JWS_TYPE, type LabelRecord } from '../api/labels.ts'
import { LabelKeySet } from './keys.ts'
import { sampleLabelRecord } from './testing.ts'
import { verificationAnswer, verifyLabel } from './verify.ts'

const NOW = new Date('2026-06-01T08:00:00.000Z')

describe('verifyLabel on arbitrary input', () => {
  let jws: string
  let keys: LabelKeySet
  let jwks: ConstructorParameters<typeof LabelKeySet>[0]
  let sign: (header: Record<string, unknown>) => Promise<string>

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const jwk = await exportJWK(publicKey)
    const kid = await calculateJwkThumbprint(jwk)
    jwks = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: jwk.x!, kid, alg: 'EdDSA', use: 'sig' }] }
    keys = new LabelKeySet(jwks)
    const id = '0b6f2a55-8d3c-4a4e-9d7e-2f1f0c3b9a10'
    const record: LabelRecord = sampleLabelRecord(id, kid, NOW)
    // Signed by hand, so that headers jose would refuse to sign (crit) can be tested too.
    sign = async (header) => {
      const input = [
        base64url.encode(JSON.stringify({ alg: 'EdDSA', kid, typ: LABEL_JWS_TYPE, ...header })),
        base64url.encode(JSON.stringify(record)),
      ].join('.')
      const signature = await crypto.subtle.sign(
        'Ed25519',
        privateKey,
        new TextEncoder().encode(input),
      )
      return `${input}.${base64url.encode(new Uint8Array(signature))}`
    }
    jws = await sign({})
  })

  const check = (value: unknown) =>
    verifyLabel(value, { jwks: keys, now: NOW, requireStatus: false })

  it('accepts the genuine label', async () => {
    expect(await check(jws)).toMatchObject({ valid: true, genuine: true, reasons: [] })
  })

  it('never throws and never accepts arbitrary text or values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.anything()), async (value) => {
        const result = await check(value)
        expect(result.valid).toBe(false)
        expect(result.reasons.length).toBeGreaterThan(0)
      }),
      { numRuns: 300 },
    )
  })

  it('refuses every one-character change of a genuine label', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 100_000 }),
        fc.constantFrom(...alphabet),
        async (at, replacement) => {
          const index = at % jws.length
          fc.pre(jws[index] !== replacement)
          const changed = jws.slice(0, index) + replacement + jws.slice(index + 1)
          const result = await check(changed)
          expect(result.valid).toBe(false)
        },
      ),
      { numRuns: 500 },
    )
  })

  describe('what verifyLabel reuses between labels', () => {
    it('remembers a genuine label per key set, and judges its validity each time', async () => {
      const fresh = new LabelKeySet(jwks)
      const signature = jws.slice(jws.lastIndexOf('.') + 1)
      expect(fresh.remembered(signature, jws)).toBeUndefined()
      await verifyLabel(jws, { jwks: fresh, now: NOW, requireStatus: false })
      expect(fresh.remembered(signature, jws)?.kid).toBe(fresh.kids[0])
      // Only the exact text: the same signature under another payload is not remembered.
      expect(fresh.remembered(signature, `x${jws}`)).toBeUndefined()
      const later = new Date(NOW.getTime() + 2 * 86_400_000)
      expect(
        await verifyLabel(jws, { jwks: fresh, now: later, requireStatus: false }),
      ).toMatchObject({ valid: false, status: 'expired', reasons: [{ code: 'expired' }] })
      // Another key set (without the key) remembers nothing of it.
      expect(
        await verifyLabel(jws, {
          jwks: new LabelKeySet({ keys: [] }),
          now: NOW,
          requireStatus: false,
        }),
      ).toMatchObject({ valid: false, reasons: [{ code: 'unknown_key' }] })
      const none = new LabelKeySet(jwks, { remember: 0 })
      await verifyLabel(jws, { jwks: none, now: NOW, requireStatus: false })
      expect(none.remembered(signature, jws)).toBeUndefined()
    })

    it('checks the signature of a label asked for many times at once only once', async () => {
      const fresh = new LabelKeySet(jwks)
      const [h, p, s] = jws.split('.') as [string, string, string]
      const forged = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`
      const spy = vi.spyOn(crypto.subtle, 'verify')
      try {
        const results = await Promise.all(
          [...Array<string>(10).fill(jws), ...Array<string>(10).fill(forged)].map((label) =>
            verifyLabel(label, { jwks: fresh, now: NOW, requireStatus: false }),
          ),
        )
        expect(spy).toHaveBeenCalledTimes(2)
        expect(results.map((r) => r.valid)).toEqual([
          ...Array<boolean>(10).fill(true),
          ...Array<boolean>(10).fill(false),
        ])
        expect(results[10]!.reasons).not.toBe(results[11]!.reasons)
        // The forged one is not remembered: asked again, it is checked again.
        await verifyLabel(forged, { jwks: fresh, now: NOW, requireStatus: false })
        await verifyLabel(jws, { jwks: fresh, now: NOW, requireStatus: false })
        expect(spy).toHaveBeenCalledTimes(3)
      } finally {
        spy.mockRestore()
      }
    })

    it('uses the signature check a key set is given, and refuses when it throws', async () => {
      const [h, p, s] = jws.split('.') as [string, string, string]
      const forged = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`
      const seen: number[] = []
      const webCrypto = new LabelKeySet(jwks)
      const counting = new LabelKeySet(jwks, {
        remember: 0,
        signatureCheck: () => (data, signature) => {
          seen.push(signature.length)
          return webCrypto.verifySignature(webCrypto.kids[0]!, data, signature)
        },
      })
      const verify = (label: string, set: LabelKeySet) =>
        verifyLabel(label, { jwks: set, now: NOW, requireStatus: false })
      expect(await verify(jws, counting)).toMatchObject({ valid: true })
      expect(await verify(forged, counting)).toMatchObject({
        valid: false,
        reasons: [{ code: 'bad_signature' }],
      })
      expect(seen).toEqual([64, 64])
      for (const signatureCheck of [
        () => () => {
          throw new Error('broken check')
        },
        () => {
          throw new Error('key does not import')
        },
        () => undefined,
      ]) {
        const set = new LabelKeySet(jwks, { signatureCheck })
        expect(await verify(jws, set)).toMatchObject({
          valid: false,
          genuine: false,
          reasons: [{ code: 'bad_signature' }],
        })
      }
    })

    it('answers with a summary of the product, and the record only when asked', async () => {
      const result = await check(jws)
      const answer = verificationAnswer(result)
      expect(answer).toEqual({
        valid: true,
        genuine: true,
        status: 'unknown',
        reasons: [],
        keyId: result.keyId,
        labelId: result.labelId,
        summary: {
          manufacturer: 'Acme',
          product: 'Gate',
          version: '1',
          tier: 1,
          verificationStrength: 'self-declared',
          assessor: 'Lab',
          issuedAt: NOW.toISOString(),
          expiresAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
        },
      })
      expect(verificationAnswer(result, { record: true }).record).toBe(result.record)
      const warning = { message: 'Critical vulnerability', since: NOW.toISOString(), cves: [] }
      expect(verificationAnswer({ ...result, warning }).warning).toBe(warning)
      const refused = verificationAnswer(await check('random text'), { record: true })
      expect(refused).toMatchObject({ valid: false, summary: null, record: null })
    })

    it('refuses JWS extensions (crit, b64) before any key is used', async () => {
      for (const header of [
        { crit: ['exp'], exp: 1 },
        { b64: false, crit: ['b64'] },
        { b64: true },
      ]) {
        expect((await check(await sign(header))).reasons[0]?.code).toBe('malformed')
      }
    })

    it('gives every label with a refused header its own copy of the reasons', async () => {
      const [, p, s] = jws.split('.') as [string, string, string]
      const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: LABEL_JWS_TYPE }))}.${p}.${s}`
      const first = await check(none)
      first.reasons[0]!.message = 'changed by a caller'
      expect((await check(none)).reasons[0]).toMatchObject({
        code: 'unsupported_algorithm',
        message: expect.stringContaining('EdDSA'),
      })
    })
  })
})
