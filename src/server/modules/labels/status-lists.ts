import { gzipSync } from 'node:zlib'
import { CompactSign } from 'jose'
import type { LabelStatus, StatusPurpose } from '../../../common/api/labels.ts'
import { MIN_STATUS_LIST_BITS, STATUS_LIST_JWS_TYPE } from '../../../common/labels/status-list.ts'
import type { Db } from '../../db/database.ts'
import { HOUR } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { sha256Hex } from '../../kernel/crypto.ts'
import { activeSigner } from './keys.service.ts'
import { listStatusIndices } from './labels.repository.ts'

/** A signed list stays valid this long; an offline verifier needs a fresher one after that. */
export const STATUS_LIST_VALIDITY_MS = 24 * HOUR
/** A list whose content has not changed is re-signed after this long. */
const RESIGN_AFTER_MS = HOUR
/** How long clients and caches may keep a list (Cache-Control max-age, seconds). */
export const STATUS_LIST_MAX_AGE_SECONDS = 60

/**
 * Which stored statuses set a label's bit in each list. An expired label is flagged as revoked:
 * expiry is final like revocation, and a label the network expired before its signed `exp` (its
 * support period was brought forward) must not read as valid to an offline verifier. A label
 * past its `exp` reads as expired from the label itself, whatever its bit says.
 */
const FLAGGED_STATUSES = {
  revocation: ['revoked', 'expired'],
  suspension: ['suspended'],
} as const satisfies Record<StatusPurpose, readonly LabelStatus[]>

export const statusListUrl = (publicUrl: string, purpose: StatusPurpose) =>
  `${publicUrl}/api/v1/labels/status-lists/${purpose}`

/** Enough entries for every index used, in steps of the 16 KB minimum. */
export function statusListSize(maxIndex: number): number {
  return Math.max(1, Math.ceil((maxIndex + 1) / MIN_STATUS_LIST_BITS)) * MIN_STATUS_LIST_BITS
}

/** The bitstring with `indices` set (index 0 = left-most bit), GZIP-compressed, multibase base64url. */
export function encodeStatusList(indices: readonly number[], size: number): string {
  const bits = new Uint8Array(size / 8)
  for (const index of indices) bits[index >> 3]! |= 0x80 >> (index & 7)
  return `u${gzipSync(bits).toString('base64url')}`
}

export interface SignedStatusList {
  jwt: string
  etag: string
  validUntil: string
}

const signedLists = new WeakMap<
  Db,
  Map<StatusPurpose, SignedStatusList & { fingerprint: string; signedAt: number }>
>()

/**
 * The W3C Bitstring Status List for `purpose` as a signed `vc+jwt`, computed from the labels'
 * stored status. The same content is re-signed at most once an hour, so the answer (and its
 * ETag) stays the same between changes.
 */
export async function signedStatusList(
  ctx: Pick<Ctx, 'db' | 'clock' | 'box' | 'config'>,
  purpose: StatusPurpose,
): Promise<SignedStatusList> {
  const { indices, maxIndex } = await listStatusIndices(ctx.db, FLAGGED_STATUSES[purpose])
  const size = statusListSize(maxIndex)
  const signer = await activeSigner(ctx)
  indices.sort((a, b) => a - b)
  const fingerprint = sha256Hex(`${purpose}|${size}|${signer.kid}|${indices.join(',')}`)
  const now = ctx.clock.now()
  let perDb = signedLists.get(ctx.db)
  if (!perDb) signedLists.set(ctx.db, (perDb = new Map()))
  const cached = perDb.get(purpose)
  const age = cached ? now.getTime() - cached.signedAt : Infinity
  if (cached && cached.fingerprint === fingerprint && age >= 0 && age < RESIGN_AFTER_MS) {
    return cached
  }

  const url = statusListUrl(ctx.config.publicUrl, purpose)
  const validUntil = new Date(now.getTime() + STATUS_LIST_VALIDITY_MS)
  const credential = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: ctx.config.publicUrl,
    validFrom: now.toISOString(),
    validUntil: validUntil.toISOString(),
    credentialSubject: {
      id: `${url}#list`,
      type: 'BitstringStatusList',
      statusPurpose: purpose,
      encodedList: encodeStatusList(indices, size),
      ttl: STATUS_LIST_MAX_AGE_SECONDS * 1000,
    },
    iss: ctx.config.publicUrl,
    iat: Math.floor(now.getTime() / 1000),
    exp: Math.floor(validUntil.getTime() / 1000),
  }
  const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
    .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: STATUS_LIST_JWS_TYPE })
    .sign(signer.key)
  const signed = {
    jwt,
    etag: `"${sha256Hex(jwt).slice(0, 32)}"`,
    validUntil: credential.validUntil,
    fingerprint,
    signedAt: now.getTime(),
  }
  perDb.set(purpose, signed)
  return signed
}
