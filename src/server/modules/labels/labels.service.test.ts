import crypto from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { CompactSign, decodeJwt, decodeProtectedHeader, base64url } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LabelKeySet } from '../../../common/labels/keys.ts'
import { decodeStatusList, statusBit } from '../../../common/labels/status-list.ts'
import { verifyLabel } from '../../../common/labels/verify.ts'
import { isAppError } from '../../../common/errors.ts'
import { systemActor } from '../../kernel/actor.ts'
import { DAY } from '../../kernel/clock.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { findAuditEntries } from '../audit/audit.repository.ts'
import { verifyAuditChain } from '../audit/audit.service.ts'
import {
  ensureSigningKey,
  listSigningKeys,
  publishedKeys,
  rotateSigningKey,
} from './keys.service.ts'
import {
  changeLabelStatus,
  changeLabelStatuses,
  getPublicLabelStatus,
  issueLabel,
  verifyLabelLive,
} from './labels.service.ts'
import type { Label } from '../../../common/api/labels.ts'
import { encodeStatusList, signedStatusList, statusListSize } from './status-lists.ts'
import { offlineMaterial, sampleLabelInput } from './testing.ts'

const who = { actor: systemActor('test') }
const admin = {
  actor: {
    type: 'user' as const,
    userId: crypto.randomUUID(),
    email: 'admin@network.test',
    isNetworkAdmin: true,
  },
}

describe('label signing keys, labels and status lists', () => {
  let ctx: Ctx
  let clock: ManualClock
  let testDb: TestDb

  beforeEach(async () => {
    ;({ ctx, clock, testDb } = await createTestContext())
  })
  afterEach(async () => testDb.destroy())

  const auditActions = async () =>
    (await ctx.db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map(
      (r) => r.action,
    )

  it('generates one key on first start, its private half sealed, and audits it', async () => {
    expect(await listSigningKeys(ctx)).toEqual([])
    const key = await ensureSigningKey(ctx)
    expect(await ensureSigningKey(ctx)).toEqual(key)
    expect(key).toMatchObject({ algorithm: 'EdDSA', state: 'active', retiredAt: null })
    expect(key.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) })
    // kid = RFC 7638 thumbprint: SHA-256 of {"crv","kty","x"} in that order.
    const thumbprint = crypto
      .createHash('sha256')
      .update(`{"crv":"Ed25519","kty":"OKP","x":"${key.publicJwk.x}"}`)
      .digest('base64url')
    expect(key.kid).toBe(thumbprint)

    const rows = await ctx.db.selectFrom('label_signing_keys').selectAll().execute()
    expect(rows).toHaveLength(1)
    const sealed = rows[0]!.private_key_sealed
    const privateJwk = JSON.parse(ctx.box.open(sealed)) as { d: string; x: string }
    expect(privateJwk.x).toBe(key.publicJwk.x)
    expect(sealed).toMatch(/^v1\./)
    for (const value of Object.values(rows[0]!)) {
      expect(String(value)).not.toContain(privateJwk.d)
    }
    expect(await auditActions()).toEqual(['label_key.generated'])
  })

  it('issues a signed label whose record carries the registry fields', async () => {
    const label = await issueLabel(ctx, who, sampleLabelInput())
    const header = decodeProtectedHeader(label.jws)
    const key = (await listSigningKeys(ctx))[0]!
    expect(header).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'isn-label+jwt' })
    const payload = decodeJwt(label.jws)
    expect(payload).toEqual(label.record)
    expect(label.record).toMatchObject({
      format: 'isn-label/1',
      iss: 'http://isn.test',
      jti: label.id,
      labelId: label.id,
      keyId: key.kid,
      issuedAt: '2026-06-01T08:00:00.000Z',
      // The network's default validity (24 months), before the end of support (2030-12-31).
      expiresAt: '2028-06-01T08:00:00.000Z',
      tier: 2,
      profile: 'field-device',
      verificationStrength: 'document-reviewed',
      assessor: { id: 'org-lab', name: 'Trusted Lab' },
      product: sampleLabelInput().product,
      statusUrl: `http://isn.test/api/v1/labels/${label.id}/status`,
      statusListIndex: 0,
      credentialStatus: [
        {
          type: 'BitstringStatusListEntry',
          statusPurpose: 'revocation',
          statusListIndex: '0',
          statusListCredential: 'http://isn.test/api/v1/labels/status-lists/revocation',
        },
        {
          type: 'BitstringStatusListEntry',
          statusPurpose: 'suspension',
          statusListIndex: '0',
          statusListCredential: 'http://isn.test/api/v1/labels/status-lists/suspension',
        },
      ],
    })
    expect(new Date(payload.exp! * 1000).toISOString()).toBe(label.record.expiresAt)
    const second = await issueLabel(
      ctx,
      who,
      sampleLabelInput({
        product: { ...sampleLabelInput().product, supportPeriodEnd: '2027-01-31' },
      }),
    )
    expect(second.statusListIndex).toBe(1)
    expect(second.expiresAt).toBe('2027-02-01T00:00:00.000Z')

    const row = await ctx.db
      .selectFrom('labels')
      .selectAll()
      .where('id', '=', label.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      status: 'active',
      product_id: 'prod-1',
      manufacturer_id: 'org-acme',
      jws: label.jws,
    })
    expect(await auditActions()).toEqual(['label_key.generated', 'label.issued', 'label.issued'])

    const { keys, statusLists } = await offlineMaterial(ctx)
    const result = await verifyLabel(label.jws, { jwks: keys, statusLists, now: clock.now() })
    expect(result).toMatchObject({
      valid: true,
      genuine: true,
      status: 'active',
      reasons: [],
      labelId: label.id,
    })
  })

  it('refuses to issue a label whose support period has ended', async () => {
    const input = sampleLabelInput({
      product: { ...sampleLabelInput().product, supportPeriodEnd: '2026-05-01' },
    })
    await expect(issueLabel(ctx, who, input)).rejects.toMatchObject({ code: 'validation_failed' })
    const bad = sampleLabelInput({
      product: { ...sampleLabelInput().product, disclosurePolicyUrl: 'javascript:alert(1)' },
    })
    const error: unknown = await issueLabel(ctx, who, bad).catch((e: unknown) => e)
    expect(isAppError(error, 'validation_failed')).toBe(true)
    expect(await ctx.db.selectFrom('labels').selectAll().execute()).toEqual([])
  })

  it('issues inside the caller’s transaction, so a failed approval leaves no label', async () => {
    await ensureSigningKey(ctx)
    await expect(
      ctx.db.transaction().execute(async (trx) => {
        await issueLabel({ ...ctx, db: trx }, who, sampleLabelInput())
        throw new Error('approval failed later')
      }),
    ).rejects.toThrow('approval failed later')
    expect(await ctx.db.selectFrom('labels').selectAll().execute()).toEqual([])
    expect(await auditActions()).toEqual(['label_key.generated'])
  })

  it('rotates keys: new labels use the new key, old labels keep verifying', async () => {
    const before = await issueLabel(ctx, who, sampleLabelInput())
    const { active, retired } = await rotateSigningKey(ctx, admin)
    expect(retired).toMatchObject({
      kid: before.keyId,
      state: 'retired',
      retiredAt: clock.now().toISOString(),
    })
    expect(active.kid).not.toBe(before.keyId)
    const after = await issueLabel(ctx, who, sampleLabelInput())
    expect(after.keyId).toBe(active.kid)

    const keys = await listSigningKeys(ctx)
    expect(keys.map((k) => [k.kid, k.state]).sort()).toEqual(
      [
        [before.keyId, 'retired'],
        [active.kid, 'active'],
      ].sort(),
    )
    const { jwks, statusLists, keys: set } = await offlineMaterial(ctx)
    expect(jwks.keys.map((k) => k.kid)).toEqual([active.kid, before.keyId])
    for (const key of jwks.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x'])
    }
    for (const label of [before, after]) {
      const result = await verifyLabel(label.jws, { jwks: set, statusLists, now: clock.now() })
      expect(result).toMatchObject({ valid: true, keyId: label.keyId })
    }
    // Status lists are signed with the active key.
    expect(decodeProtectedHeader((await signedStatusList(ctx, 'revocation')).jwt).kid).toBe(
      active.kid,
    )

    const rotated = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'label_key.rotated')
      .execute()
    expect(rotated).toHaveLength(1)
    expect(rotated[0]).toMatchObject({
      actor_type: 'user',
      actor_label: 'admin@network.test',
      target_id: active.kid,
    })
    expect(JSON.parse(rotated[0]!.details)).toEqual({ retiredKid: before.keyId })
  })

  it('says why a label is invalid: tampering, keys, algorithms, time, garbage', async () => {
    const label = await issueLabel(ctx, who, sampleLabelInput())
    const { keys, statusLists } = await offlineMaterial(ctx)
    const check = (jws: unknown, now = clock.now(), jwks = keys) =>
      verifyLabel(jws, { jwks, statusLists, now })
    const [h, p, s] = label.jws.split('.') as [string, string, string]
    const record = label.record
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value))

    const tamperedPayload = `${h}.${encode({ ...record, tier: 4 })}.${s}`
    const flipped = s.startsWith('A') ? `B${s.slice(1)}` : `A${s.slice(1)}`
    const otherKey = crypto.generateKeyPairSync('ed25519').privateKey
    const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify(record)))
      .setProtectedHeader({ alg: 'EdDSA', kid: label.keyId, typ: 'isn-label+jwt' })
      .sign(otherKey)
    const unknownKid = await new CompactSign(new TextEncoder().encode(JSON.stringify(record)))
      .setProtectedHeader({ alg: 'EdDSA', kid: 'someone-else', typ: 'isn-label+jwt' })
      .sign(otherKey)
    const none = `${encode({ alg: 'none', typ: 'isn-label+jwt', kid: label.keyId })}.${p}.`
    const publicKeyBytes = Buffer.from((await listSigningKeys(ctx))[0]!.publicJwk.x, 'base64url')
    const hsInput = `${encode({ alg: 'HS256', typ: 'isn-label+jwt', kid: label.keyId })}.${p}`
    const hs256 = `${hsInput}.${crypto.createHmac('sha256', publicKeyBytes).update(hsInput).digest('base64url')}`
    const wrongTyp = await new CompactSign(new TextEncoder().encode(JSON.stringify(record)))
      .setProtectedHeader({ alg: 'EdDSA', kid: label.keyId, typ: 'JWT' })
      .sign(otherKey)

    const cases: [string, unknown, string, Date?][] = [
      ['tampered payload', tamperedPayload, 'bad_signature'],
      ['tampered signature', `${h}.${p}.${flipped}`, 'bad_signature'],
      ['wrong key', forged, 'bad_signature'],
      ['unknown kid', unknownKid, 'unknown_key'],
      ['alg none', none, 'unsupported_algorithm'],
      ['HS256 with the public key', hs256, 'unsupported_algorithm'],
      ['wrong typ', wrongTyp, 'wrong_type'],
      ['truncated', label.jws.slice(0, label.jws.length - 20), 'bad_signature'],
      ['two parts', `${h}.${p}`, 'malformed'],
      ['random text', 'hello, is this a label?', 'malformed'],
      ['empty', '', 'malformed'],
      ['not text', { label: label.jws }, 'malformed'],
      ['huge', 'a.b.' + 'c'.repeat(100_000), 'malformed'],
      ['garbage header', `!!!.${p}.${s}`, 'malformed'],
      ['header not JSON', `${base64url.encode('nope')}.${p}.${s}`, 'malformed'],
      ['expired', label.jws, 'expired', new Date(Date.parse(label.expiresAt) + 1000)],
      ['not yet valid', label.jws, 'not_yet_valid', new Date(Date.parse(label.issuedAt) - 60_000)],
    ]
    for (const [name, jws, code, now] of cases) {
      const result = await check(jws, now)
      expect({ name, valid: result.valid, code: result.reasons[0]?.code }).toEqual({
        name,
        valid: false,
        code,
      })
      expect(result.reasons[0]!.message.length).toBeGreaterThan(10)
    }
    // A key set without the label's key: unknown key, even though the label is genuine.
    const empty = new LabelKeySet({ keys: [] })
    expect((await check(label.jws, clock.now(), empty)).reasons[0]?.code).toBe('unknown_key')
    // An expired label reads as expired in the result's status too.
    expect((await check(label.jws, new Date(Date.parse(label.expiresAt)))).status).toBe('expired')
  })

  it('publishes suspension and revocation in signed status lists at the label’s index', async () => {
    const labels: Label[] = []
    for (let i = 0; i < 12; i++) labels.push(await issueLabel(ctx, who, sampleLabelInput()))
    expect(labels.map((l) => l.statusListIndex)).toEqual([...Array(12).keys()])
    const [second, tenth, eleventh] = [labels[1]!, labels[9]!, labels[10]!]

    await changeLabelStatus(ctx, admin, second.id, 'suspend', 'Under investigation')
    await changeLabelStatus(ctx, admin, tenth.id, 'revoke', 'Default password found')
    await changeLabelStatus(ctx, admin, eleventh.id, 'suspend', 'Checking a report')
    await changeLabelStatus(ctx, admin, eleventh.id, 'revoke', 'Confirmed')

    const { jwts, keys, statusLists } = await offlineMaterial(ctx)
    for (const [purpose, jwt] of Object.entries(jwts)) {
      const header = decodeProtectedHeader(jwt)
      expect(header).toMatchObject({ alg: 'EdDSA', typ: 'vc+jwt' })
      const credential = decodeJwt(jwt) as Record<string, unknown> & {
        credentialSubject: { encodedList: string; statusPurpose: string }
      }
      expect(credential).toMatchObject({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id: `http://isn.test/api/v1/labels/status-lists/${purpose}`,
        type: ['VerifiableCredential', 'BitstringStatusListCredential'],
        issuer: 'http://isn.test',
        validFrom: '2026-06-01T08:00:00.000Z',
        validUntil: '2026-06-02T08:00:00.000Z',
        credentialSubject: { type: 'BitstringStatusList', statusPurpose: purpose },
      })
      // GZIP of the 16 KB bitstring, multibase base64url ("u" prefix).
      const raw = gunzipSync(
        Buffer.from(credential.credentialSubject.encodedList.slice(1), 'base64url'),
      )
      expect(raw.length).toBe(16_384)
      const set = [...raw].flatMap((byte, i) =>
        [...Array(8).keys()].filter((bit) => byte & (0x80 >> bit)).map((bit) => i * 8 + bit),
      )
      expect(set).toEqual(purpose === 'revocation' ? [9, 10] : [1])
    }
    // Index 0 is the left-most bit of the first byte.
    expect(statusBit(statusLists.suspension, 1)).toBe(true)
    expect(statusBit(statusLists.suspension, 0)).toBe(false)

    const verdict = async (id: number) =>
      verifyLabel(labels[id]!.jws, { jwks: keys, statusLists, now: clock.now() })
    expect(await verdict(0)).toMatchObject({ valid: true, status: 'active' })
    expect(await verdict(1)).toMatchObject({
      valid: false,
      genuine: true,
      status: 'suspended',
      reasons: [{ code: 'suspended' }],
    })
    expect(await verdict(9)).toMatchObject({
      valid: false,
      status: 'revoked',
      reasons: [{ code: 'revoked' }],
    })
    expect(await verdict(10)).toMatchObject({ status: 'revoked' })

    // Without status lists the status is unknown: not valid unless the caller says so.
    const alone = await verifyLabel(labels[0]!.jws, { jwks: keys, now: clock.now() })
    expect(alone).toMatchObject({
      valid: false,
      genuine: true,
      status: 'unknown',
      reasons: [{ code: 'status_unknown' }],
    })
    const lenient = await verifyLabel(labels[0]!.jws, {
      jwks: keys,
      now: clock.now(),
      requireStatus: false,
    })
    expect(lenient).toMatchObject({ valid: true, status: 'unknown', reasons: [] })

    // Reinstated: the suspension bit clears in the next list.
    await changeLabelStatus(ctx, admin, second.id, 'reinstate', 'Cleared')
    const fresh = await offlineMaterial(ctx)
    expect(statusBit(fresh.statusLists.suspension, 1)).toBe(false)
    expect(fresh.jwts.suspension).not.toBe(jwts.suspension)
    // Unchanged content is not re-signed: the same token and ETag.
    expect(fresh.jwts.revocation).toBe(jwts.revocation)
  })

  it('refuses status lists that are forged, stale or of another purpose’s shape', async () => {
    await issueLabel(ctx, who, sampleLabelInput())
    const { jwts, keys } = await offlineMaterial(ctx)
    const [h, p, s] = jwts.revocation.split('.') as [string, string, string]
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    const cleared = base64url.encode(
      JSON.stringify({
        ...payload,
        credentialSubject: {
          ...(payload.credentialSubject as object),
          encodedList: encodeStatusList([0], statusListSize(0)),
        },
      }),
    )
    const now = clock.now()
    await expect(decodeStatusList(`${h}.${cleared}.${s}`, keys, now)).rejects.toThrow('signature')
    await expect(
      decodeStatusList(jwts.revocation, new LabelKeySet({ keys: [] }), now),
    ).rejects.toThrow('unknown key')
    await expect(
      decodeStatusList(jwts.revocation, keys, new Date(now.getTime() + 2 * DAY)),
    ).rejects.toThrow('expired')
    await expect(decodeStatusList('garbage', keys, now)).rejects.toThrow('not a compact JWS')
  })

  it('keeps the history, refuses impossible changes, and revocation is final', async () => {
    const label = await issueLabel(ctx, who, sampleLabelInput())
    await expect(changeLabelStatus(ctx, admin, label.id, 'reinstate', 'x')).rejects.toMatchObject({
      code: 'conflict',
    })
    clock.advance(1000)
    await changeLabelStatus(ctx, admin, label.id, 'suspend', '  Report received  ')
    await expect(changeLabelStatus(ctx, admin, label.id, 'suspend', 'again')).rejects.toMatchObject(
      { code: 'conflict' },
    )
    clock.advance(1000)
    await changeLabelStatus(ctx, admin, label.id, 'reinstate', 'Fixed in 2.4.2')
    clock.advance(1000)
    const revoked = await changeLabelStatus(ctx, admin, label.id, 'revoke', 'Support withdrawn')
    expect(revoked).toMatchObject({ status: 'revoked', statusReason: 'Support withdrawn' })
    for (const action of ['suspend', 'reinstate', 'revoke'] as const) {
      await expect(changeLabelStatus(ctx, admin, label.id, action, 'x')).rejects.toMatchObject({
        code: 'conflict',
        message: 'This label is revoked; revocation is final.',
      })
    }
    await expect(
      changeLabelStatus(ctx, admin, crypto.randomUUID(), 'suspend', 'x'),
    ).rejects.toMatchObject({ code: 'not_found' })

    const status = await getPublicLabelStatus(ctx, label.id)
    expect(status).toMatchObject({
      labelId: label.id,
      status: 'revoked',
      reason: 'Support withdrawn',
    })
    expect(status.history.map((h) => [h.fromStatus, h.toStatus, h.reason, h.actor])).toEqual([
      [null, 'active', 'Issued', 'test'],
      ['active', 'suspended', 'Report received', 'admin@network.test'],
      ['suspended', 'active', 'Fixed in 2.4.2', 'admin@network.test'],
      ['active', 'revoked', 'Support withdrawn', 'admin@network.test'],
    ])
    const entries = await findAuditEntries(ctx.db, { action: 'label.', limit: 100 })
    expect(entries.map((e) => e.action).sort()).toEqual(
      ['label.issued', 'label.reinstated', 'label.revoked', 'label.suspended'].sort(),
    )
    expect(entries.find((e) => e.action === 'label.revoked')).toMatchObject({
      organisation_id: 'org-acme',
      target_type: 'label',
      target_id: label.id,
    })
  })

  it('changes many labels at once, each audited and in its history, all or nothing', async () => {
    const labels: Label[] = []
    for (let i = 0; i < 4; i++) labels.push(await issueLabel(ctx, who, sampleLabelInput()))
    const [a, b, c, d] = labels as [Label, Label, Label, Label]
    await changeLabelStatus(ctx, admin, c.id, 'suspend', 'Report received')
    // Read (and cached) before the change: the change must show at once.
    expect((await verifyLabelLive(ctx, a.jws)).status).toBe('active')
    clock.advance(1000)
    const changed = await changeLabelStatuses(ctx, admin, [
      { id: a.id, action: 'suspend', reason: ' Known-exploited vulnerability ' },
      { id: b.id, action: 'suspend', reason: 'Known-exploited vulnerability' },
      { id: c.id, action: 'reinstate', reason: 'Fixed in 2.4.2' },
    ])
    const at = clock.now().toISOString()
    expect(changed.map((l) => [l.id, l.previousStatus, l.status, l.reason, l.changedAt])).toEqual([
      [a.id, 'active', 'suspended', 'Known-exploited vulnerability', at],
      [b.id, 'active', 'suspended', 'Known-exploited vulnerability', at],
      [c.id, 'suspended', 'active', 'Fixed in 2.4.2', at],
    ])
    expect(await verifyLabelLive(ctx, a.jws)).toMatchObject({ valid: false, status: 'suspended' })
    for (const [label, from, to] of [
      [a, 'active', 'suspended'],
      [b, 'active', 'suspended'],
      [c, 'suspended', 'active'],
    ] as const) {
      const status = await getPublicLabelStatus(ctx, label.id)
      expect(status.status).toBe(to)
      expect(status.history.at(-1)).toMatchObject({
        fromStatus: from,
        toStatus: to,
        actor: 'admin@network.test',
        at,
      })
    }
    const entries = await findAuditEntries(ctx.db, { action: 'label.', limit: 100 })
    expect(
      entries
        .filter((e) => e.at === at)
        .map((e) => [e.action, e.target_id])
        .reverse(),
    ).toEqual([
      ['label.suspended', a.id],
      ['label.suspended', b.id],
      ['label.reinstated', c.id],
    ])
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true })
    const { statusLists } = await offlineMaterial(ctx)
    expect(labels.map((l) => statusBit(statusLists.suspension, l.statusListIndex))).toEqual([
      true,
      true,
      false,
      false,
    ])

    // One label that cannot change: none changes, nothing is recorded.
    const before = await findAuditEntries(ctx.db, { limit: 1 })
    await changeLabelStatus(ctx, admin, d.id, 'revoke', 'Withdrawn')
    const seq = (await findAuditEntries(ctx.db, { limit: 1 }))[0]!.seq
    expect(seq).toBe(before[0]!.seq + 1)
    await expect(
      changeLabelStatuses(ctx, admin, [
        { id: c.id, action: 'suspend', reason: 'x' },
        { id: d.id, action: 'suspend', reason: 'x' },
      ]),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: 'This label is revoked; revocation is final.',
    })
    expect((await getPublicLabelStatus(ctx, c.id)).status).toBe('active')
    expect((await findAuditEntries(ctx.db, { limit: 1 }))[0]!.seq).toBe(seq)
    await expect(
      changeLabelStatuses(ctx, admin, [
        { id: c.id, action: 'suspend', reason: 'x' },
        { id: crypto.randomUUID(), action: 'suspend', reason: 'x' },
      ]),
    ).rejects.toMatchObject({ code: 'not_found' })
    expect((await getPublicLabelStatus(ctx, c.id)).history).toHaveLength(3)
    expect(await changeLabelStatuses(ctx, admin, [])).toEqual([])
  })

  it('reads an active label past its expiry as expired', async () => {
    const label = await issueLabel(
      ctx,
      who,
      sampleLabelInput({ validUntil: '2026-07-01T00:00:00.000Z' }),
    )
    expect(label.expiresAt).toBe('2026-07-01T00:00:00.000Z')
    clock.set('2026-07-01T00:00:00.000Z')
    const status = await getPublicLabelStatus(ctx, label.id)
    expect(status).toMatchObject({ status: 'expired', reason: 'Validity ended' })
    expect(status.history.at(-1)).toMatchObject({ toStatus: 'expired' })
    await expect(changeLabelStatus(ctx, admin, label.id, 'suspend', 'x')).rejects.toMatchObject({
      code: 'conflict',
    })
    expect((await changeLabelStatus(ctx, admin, label.id, 'revoke', 'Withdrawn')).status).toBe(
      'revoked',
    )
  })

  it('refreshes the published key set when a label names a key it lacks', async () => {
    await ensureSigningKey(ctx)
    const first = await publishedKeys(ctx)
    // Rotated behind this process's back (another process): the cache does not know the key yet.
    const other = { ...ctx, db: ctx.db }
    await rotateSigningKey(other, admin)
    const active = (await listSigningKeys(ctx)).find((k) => k.state === 'active')!
    const refreshed = await publishedKeys(ctx, active.kid)
    expect(refreshed.set.has(active.kid)).toBe(true)
    expect(refreshed.jwks.keys).toHaveLength(first.jwks.keys.length + 1)
  })
})
