import fc from 'fast-check'
import { CompactSign, exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { LABEL_FORMAT, LABEL_JWS_TYPE, type LabelRecord } from '../api/labels.ts'
import { LabelKeySet } from './keys.ts'
import { verifyLabel } from './verify.ts'

const NOW = new Date('2026-06-01T08:00:00.000Z')

describe('verifyLabel on arbitrary input', () => {
  let jws: string
  let keys: LabelKeySet

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const jwk = await exportJWK(publicKey)
    const kid = await calculateJwkThumbprint(jwk)
    keys = new LabelKeySet({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: jwk.x!, kid, alg: 'EdDSA', use: 'sig' }],
    })
    const id = '0b6f2a55-8d3c-4a4e-9d7e-2f1f0c3b9a10'
    const iat = NOW.getTime() / 1000
    const record: LabelRecord = {
      format: LABEL_FORMAT,
      iss: 'https://isn.example',
      jti: id,
      iat,
      nbf: iat,
      exp: iat + 86_400,
      labelId: id,
      keyId: kid,
      issuedAt: NOW.toISOString(),
      expiresAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
      tier: 1,
      frameworkVersion: '1.0.0',
      profile: 'gateway',
      verificationStrength: 'self-declared',
      assessor: { name: 'Lab' },
      product: {
        productId: 'p',
        manufacturer: { name: 'Acme' },
        name: 'Gate',
        modelNumbers: [],
        version: '1',
        deviceClass: 'gateway',
        supportPeriodEnd: '2030-01-01',
        updateMechanism: 'manual',
        defaultPasswordPolicy: 'set-on-first-use',
        securityContact: 'security@acme.test',
        disclosurePolicyUrl: 'https://acme.test/disclosure',
        sbomAvailable: false,
        sensorDisclosures: [],
        dataDisclosures: [],
      },
      statusUrl: `https://isn.example/api/v1/labels/${id}/status`,
      statusListIndex: 0,
      credentialStatus: (['revocation', 'suspension'] as const).map((statusPurpose) => ({
        type: 'BitstringStatusListEntry' as const,
        statusPurpose,
        statusListIndex: '0',
        statusListCredential: `https://isn.example/api/v1/labels/status-lists/${statusPurpose}`,
      })),
    }
    jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(record)))
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: LABEL_JWS_TYPE })
      .sign(privateKey)
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
})
