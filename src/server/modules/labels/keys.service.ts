import crypto from 'node:crypto'
import { calculateJwkThumbprint } from 'jose'
import type { Jwks, SigningKey } from '../../../common/api/labels.ts'
import { LabelKeySet } from '../../../common/labels/keys.ts'
import type { Db } from '../../db/database.ts'
import { lockKeyForTransaction } from '../../db/dialect.ts'
import { systemActor, type Actor, type RequestMeta } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import type { SecretBox } from '../../kernel/crypto.ts'
import { recordAudit } from '../audit/audit.service.ts'
import {
  findActiveSigningKey,
  insertSigningKey,
  listSigningKeys as listSigningKeyRows,
  retireSigningKey,
} from './labels.repository.ts'
import type { LabelSigningKeyRow } from './labels.table.ts'

type Who = { actor: Actor; meta?: RequestMeta }

/** How long a process keeps the published key set before reading it again. */
const KEY_SET_TTL_MS = 60_000

/** Runs `fn` in the caller's transaction when there is one (label issue inside an approval). */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn)
}

interface PublicJwk {
  kty: 'OKP'
  crv: 'Ed25519'
  x: string
}

function toSigningKey(row: LabelSigningKeyRow): SigningKey {
  return {
    kid: row.kid,
    algorithm: 'EdDSA',
    state: row.state,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    publicJwk: JSON.parse(row.public_jwk) as PublicJwk,
  }
}

/** A new Ed25519 key pair, the private half sealed with the instance secret. */
async function newKeyRow(box: SecretBox, at: string): Promise<LabelSigningKeyRow> {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519')
  const { x } = publicKey.export({ format: 'jwk' })
  const jwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: x! }
  return {
    kid: await calculateJwkThumbprint(jwk, 'sha256'),
    algorithm: 'EdDSA',
    public_jwk: JSON.stringify(jwk),
    private_key_sealed: box.seal(JSON.stringify(privateKey.export({ format: 'jwk' }))),
    state: 'active',
    created_at: at,
    retired_at: null,
  }
}

// Per database (tests open many in one process): the published key set, read again after a
// minute or when a label names a key it lacks, and dropped when this process rotates.
const keySets = new WeakMap<Db, { set: LabelKeySet; jwks: Jwks; loadedAt: number }>()
// Unsealed private keys by kid; a kid is the hash of the key itself, so it names one key anywhere.
const privateKeys = new Map<string, crypto.KeyObject>()

function forgetKeySet(db: Db): void {
  keySets.delete(db)
}

/**
 * Makes sure an active signing key exists, generating one (audited) when none does. Called on
 * every start of the platform; safe when several processes start at once.
 */
export async function ensureSigningKey(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box'>,
  who: Who = { actor: systemActor('startup') },
): Promise<SigningKey> {
  const existing = await findActiveSigningKey(ctx.db)
  if (existing) return toSigningKey(existing)
  const created = await inTransaction(ctx.db, async (trx) => {
    await lockKeyForTransaction(trx, 'label_signing_keys')
    const raced = await findActiveSigningKey(trx)
    if (raced) return raced
    const row = await newKeyRow(ctx.box, ctx.clock.now().toISOString())
    await insertSigningKey(trx, row)
    await recordAudit(trx, ctx.clock, who, {
      action: 'label_key.generated',
      targetType: 'label_signing_key',
      targetId: row.kid,
      details: { algorithm: 'EdDSA' },
    })
    return row
  })
  forgetKeySet(ctx.db)
  return toSigningKey(created)
}

/**
 * Replaces the active signing key with a new one. The old key is retired: it signs nothing more
 * but stays in the JWKS, so labels it signed keep verifying.
 */
export async function rotateSigningKey(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box'>,
  who: Who,
): Promise<{ active: SigningKey; retired: SigningKey | null }> {
  const result = await inTransaction(ctx.db, async (trx) => {
    await lockKeyForTransaction(trx, 'label_signing_keys')
    const now = ctx.clock.now().toISOString()
    const old = await findActiveSigningKey(trx)
    if (old) await retireSigningKey(trx, old.kid, now)
    const row = await newKeyRow(ctx.box, now)
    await insertSigningKey(trx, row)
    await recordAudit(trx, ctx.clock, who, {
      action: 'label_key.rotated',
      targetType: 'label_signing_key',
      targetId: row.kid,
      details: { retiredKid: old?.kid ?? null },
    })
    return {
      active: toSigningKey(row),
      retired: old ? toSigningKey({ ...old, state: 'retired', retired_at: now }) : null,
    }
  })
  forgetKeySet(ctx.db)
  return result
}

/** Every signing key, newest first, public halves only. */
export async function listSigningKeys(ctx: Pick<Ctx, 'db'>): Promise<SigningKey[]> {
  return (await listSigningKeyRows(ctx.db)).map(toSigningKey)
}

/** The active key's id and unsealed private key, generating a key if none exists yet. */
export async function activeSigner(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box'>,
  db: Db = ctx.db,
): Promise<{ kid: string; key: crypto.KeyObject }> {
  let row = await findActiveSigningKey(db)
  if (!row) {
    await ensureSigningKey({ ...ctx, db })
    row = (await findActiveSigningKey(db))!
  }
  let key = privateKeys.get(row.kid)
  if (!key) {
    const jwk = JSON.parse(ctx.box.open(row.private_key_sealed)) as crypto.JsonWebKey
    key = crypto.createPrivateKey({ key: jwk, format: 'jwk' })
    privateKeys.set(row.kid, key)
  }
  return { kid: row.kid, key }
}

async function loadKeySet(ctx: Pick<Ctx, 'db' | 'clock'>) {
  const rows = await listSigningKeyRows(ctx.db)
  // The active key first, then retired keys newest first.
  rows.sort((a, b) => Number(b.state === 'active') - Number(a.state === 'active'))
  const jwks: Jwks = {
    keys: rows.map((row) => ({
      ...(JSON.parse(row.public_jwk) as PublicJwk),
      kid: row.kid,
      alg: 'EdDSA' as const,
      use: 'sig' as const,
    })),
  }
  const entry = { set: new LabelKeySet(jwks), jwks, loadedAt: ctx.clock.now().getTime() }
  keySets.set(ctx.db, entry)
  return entry
}

/**
 * The published keys (active and retired) as a verifier's key set. `kid`: a key the caller
 * needs; when the cached set lacks it (rotated by another process), the set is read again.
 */
export async function publishedKeys(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  kid?: string,
): Promise<{ set: LabelKeySet; jwks: Jwks }> {
  const cached = keySets.get(ctx.db)
  const age = cached ? ctx.clock.now().getTime() - cached.loadedAt : Infinity
  if (cached && age >= 0 && age < KEY_SET_TTL_MS && (kid === undefined || cached.set.has(kid))) {
    return cached
  }
  return loadKeySet(ctx)
}
