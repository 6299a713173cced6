import { base64url, compactVerify, decodeProtectedHeader } from 'jose'
import type { StatusPurpose } from '../api/labels.ts'
import type { LabelKeySet } from './keys.ts'

/**
 * W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/), secured as
 * a JWT (VC-JOSE-COSE): `typ: vc+jwt`, EdDSA, signed with the same keys as labels. Index 0 is the
 * left-most (most significant) bit of the first byte; the list is GZIP-compressed and
 * multibase-encoded (`u` + base64url without padding).
 */

export const STATUS_LIST_JWS_TYPE = 'vc+jwt'
/** The spec's minimum: 16 KB, 131,072 entries, so that one label's index says little. */
export const MIN_STATUS_LIST_BITS = 131_072
/** Refuse lists that would decompress beyond this (a decompression bomb). */
const MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024
/** The longest status list JWT read (a 16 KB list of zeros compresses to well under 1 KB). */
export const MAX_STATUS_LIST_JWT_LENGTH = 4 * 1024 * 1024

/** A status list whose signature, purpose and validity have been checked. */
export interface DecodedStatusList {
  /** The list's URL (the credential's `id`). */
  id: string
  issuer: string
  purpose: StatusPurpose
  validFrom: string
  validUntil: string | null
  keyId: string
  bits: Uint8Array
  /** How many entries the list holds. */
  size: number
}

export class StatusListError extends Error {
  override name = 'StatusListError'
}

/** The bit at `index`: true means revoked (or suspended) for the list's purpose. */
export function statusBit(list: Pick<DecodedStatusList, 'bits' | 'size'>, index: number): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= list.size) {
    throw new StatusListError(`index ${index} is outside the list (size ${list.size})`)
  }
  return ((list.bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0
}

/**
 * Decompresses GZIP data, throwing a StatusListError when it would exceed `maxBytes` (Node's
 * zlib in the CLI: its first use costs well under a millisecond, a DecompressionStream's ≈ 10 ms).
 */
export type Gunzip = (compressed: Uint8Array, maxBytes: number) => Uint8Array

/** The refusal of a list that decompresses to more than MAX_STATUS_LIST_BYTES (16 MB). */
export const tooLargeListError = () =>
  new StatusListError('encodedList decompresses to more than 16 MB')

/** Decodes `encodedList` (multibase base64url of the GZIP-compressed bitstring). */
export async function decodeEncodedList(encoded: string, gunzip?: Gunzip): Promise<Uint8Array> {
  if (!encoded.startsWith('u')) throw new StatusListError('encodedList is not multibase base64url')
  let compressed: Uint8Array
  try {
    compressed = base64url.decode(encoded.slice(1))
  } catch {
    throw new StatusListError('encodedList is not base64url')
  }
  if (gunzip) {
    let bits: Uint8Array
    try {
      bits = gunzip(compressed, MAX_STATUS_LIST_BYTES)
    } catch (error) {
      if (error instanceof StatusListError) throw error
      throw new StatusListError('encodedList is not GZIP-compressed')
    }
    if (bits.length > MAX_STATUS_LIST_BYTES) throw tooLargeListError()
    return bits
  }
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    const stream = new Blob([compressed as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'))
    const reader = stream.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > MAX_STATUS_LIST_BYTES) {
        await reader.cancel()
        throw tooLargeListError()
      }
      chunks.push(value)
    }
  } catch (error) {
    if (error instanceof StatusListError) throw error
    throw new StatusListError('encodedList is not GZIP-compressed')
  }
  const bits = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bits.set(chunk, offset)
    offset += chunk.length
  }
  return bits
}

interface StatusListCredential {
  id?: unknown
  issuer?: unknown
  validFrom?: unknown
  validUntil?: unknown
  type?: unknown
  credentialSubject?: { type?: unknown; statusPurpose?: unknown; encodedList?: unknown }
}

/**
 * Checks a signed status list (signature under `keys`, type, purpose, validity at `now`) and
 * returns its bits.
 * @throws StatusListError saying what is wrong
 */
export async function decodeStatusList(
  jwt: string,
  keys: LabelKeySet,
  now: Date,
  options: { gunzip?: Gunzip } = {},
): Promise<DecodedStatusList> {
  const token = jwt.trim()
  if (token.length > MAX_STATUS_LIST_JWT_LENGTH || token.split('.').length !== 3) {
    throw new StatusListError('not a compact JWS')
  }
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(token)
  } catch {
    throw new StatusListError('not a compact JWS')
  }
  if (header.alg !== 'EdDSA') throw new StatusListError(`unsupported algorithm ${header.alg}`)
  if (header.typ !== STATUS_LIST_JWS_TYPE) throw new StatusListError('not a vc+jwt status list')
  const key = typeof header.kid === 'string' ? await keys.get(header.kid) : undefined
  if (!key) throw new StatusListError(`signed by an unknown key (${String(header.kid)})`)
  let payload: Uint8Array
  try {
    payload = (await compactVerify(token, key, { algorithms: ['EdDSA'] })).payload
  } catch {
    throw new StatusListError('the signature does not hold')
  }
  let credential: StatusListCredential
  try {
    credential = JSON.parse(new TextDecoder().decode(payload)) as StatusListCredential
  } catch {
    throw new StatusListError('the payload is not JSON')
  }
  const subject = credential.credentialSubject
  if (
    !Array.isArray(credential.type) ||
    !credential.type.includes('BitstringStatusListCredential') ||
    subject?.type !== 'BitstringStatusList' ||
    typeof subject.encodedList !== 'string' ||
    typeof credential.id !== 'string' ||
    typeof credential.issuer !== 'string' ||
    typeof credential.validFrom !== 'string'
  ) {
    throw new StatusListError('not a BitstringStatusListCredential')
  }
  const purpose = subject.statusPurpose
  if (purpose !== 'revocation' && purpose !== 'suspension') {
    throw new StatusListError(`unknown status purpose ${String(purpose)}`)
  }
  const validUntil = typeof credential.validUntil === 'string' ? credential.validUntil : null
  if (new Date(credential.validFrom).getTime() > now.getTime()) {
    throw new StatusListError(`the ${purpose} list is not valid before ${credential.validFrom}`)
  }
  if (validUntil !== null && !(new Date(validUntil).getTime() > now.getTime())) {
    throw new StatusListError(`the ${purpose} list expired at ${validUntil}; fetch a fresh one`)
  }
  const bits = await decodeEncodedList(subject.encodedList, options.gunzip)
  if (bits.length * 8 < MIN_STATUS_LIST_BITS) {
    throw new StatusListError('the list is shorter than the 16 KB minimum')
  }
  return {
    id: credential.id,
    issuer: credential.issuer,
    purpose,
    validFrom: credential.validFrom,
    validUntil,
    keyId: header.kid!,
    bits,
    size: bits.length * 8,
  }
}
