import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose'
import { Compile } from 'typebox/compile'
import {
  LABEL_JWS_TYPE,
  LabelRecordSchema,
  MAX_LABEL_LENGTH,
  type LabelRecord,
  type StatusPurpose,
  type VerificationReasonCode,
  type VerificationResult,
} from '../api/labels.ts'
import type { LabelKeySet } from './keys.ts'
import { statusBit, type DecodedStatusList } from './status-list.ts'

export interface VerifyLabelOptions {
  /** The keys to trust (the network's JWKS, live or saved). */
  jwks: LabelKeySet
  /** Checked status lists (see `decodeStatusList`); a missing purpose leaves the status unknown. */
  statusLists?: Partial<Record<StatusPurpose, DecodedStatusList>>
  now: Date
  /**
   * Without status lists the status is unknown, which makes the label not valid unless this is
   * false (then `valid` says only that the label is genuine and within its validity).
   */
  requireStatus?: boolean
}

type Reason = VerificationResult['reasons'][number]

const reason = (code: VerificationReasonCode, message: string): Reason => ({ code, message })

/** Compiled on first use (TypeBox falls back to interpreting where eval is not allowed, e.g. under CSP). */
let recordValidator:
  | {
      Check(value: unknown): boolean
      Errors(value: unknown): { instancePath: string; message: string }[]
    }
  | undefined
const recordCheck = () => (recordValidator ??= Compile(LabelRecordSchema))
const isLabelRecord = (value: unknown): value is LabelRecord => recordCheck().Check(value)

const ED25519_SIGNATURE = /^[A-Za-z0-9_-]{85}[AQgw]$/
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

function invalid(
  code: VerificationReasonCode,
  message: string,
  extra: Partial<VerificationResult> = {},
): VerificationResult {
  return {
    valid: false,
    genuine: false,
    status: 'unknown',
    reasons: [reason(code, message)],
    keyId: null,
    labelId: null,
    record: null,
    ...extra,
  }
}

/**
 * Verifies a label offline: the signature under the JWKS (by `kid`; retired keys still verify),
 * the record's format, its validity at `now`, and its bits in the status lists. Never throws for
 * bad input: every problem is a reason with a stable code.
 */
export async function verifyLabel(
  jws: unknown,
  options: VerifyLabelOptions,
): Promise<VerificationResult> {
  if (typeof jws !== 'string') return invalid('malformed', 'The label is not text.')
  const token = jws.trim()
  if (token.length > MAX_LABEL_LENGTH) {
    return invalid('malformed', `The label is longer than ${MAX_LABEL_LENGTH} characters.`)
  }
  if (!COMPACT_JWS.test(token)) {
    return invalid(
      'malformed',
      'This is not a label: a label is a compact JWS (three base64url parts separated by dots).',
    )
  }
  let header: ProtectedHeaderParameters
  try {
    header = decodeProtectedHeader(token)
  } catch {
    return invalid('malformed', 'The label’s header is not base64url-encoded JSON.')
  }
  // The algorithm is fixed before any key is looked at: `none` and HMAC with the public key as
  // the secret never reach a verifier.
  if (header.alg !== 'EdDSA') {
    return invalid(
      'unsupported_algorithm',
      `The label uses the algorithm ${JSON.stringify(header.alg ?? null)}; labels are signed with EdDSA (Ed25519).`,
    )
  }
  if (header.typ !== LABEL_JWS_TYPE) {
    return invalid(
      'wrong_type',
      `The JWS type is ${JSON.stringify(header.typ ?? null)}, not ${LABEL_JWS_TYPE}.`,
    )
  }
  const kid = typeof header.kid === 'string' ? header.kid : null
  const key = kid ? await options.jwks.get(kid) : undefined
  if (!kid || !key) {
    return invalid(
      'unknown_key',
      kid
        ? `The label is signed with key ${kid}, which is not in the network’s key set.`
        : 'The label does not name its signing key (no kid).',
      { keyId: kid },
    )
  }
  // 64 bytes are 86 base64url characters whose last carries 2 bits: other spellings of the same
  // signature are refused, so a label has exactly one valid form.
  if (!ED25519_SIGNATURE.test(token.slice(token.lastIndexOf('.') + 1))) {
    return invalid(
      'bad_signature',
      'The signature is not a well-formed Ed25519 signature (64 bytes, canonical base64url).',
      { keyId: kid },
    )
  }
  let payload: Uint8Array
  try {
    payload = (await compactVerify(token, key, { algorithms: ['EdDSA'] })).payload
  } catch (error) {
    const name = (error as { code?: string }).code
    return invalid(
      name === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad_signature' : 'malformed',
      name === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
        ? `The signature does not match the label under key ${kid}: the label was changed or signed by someone else.`
        : 'The label is not a well-formed JWS.',
      { keyId: kid },
    )
  }
  let record: unknown
  try {
    record = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload))
  } catch {
    return invalid('invalid_record', 'The signed payload is not JSON.', {
      genuine: true,
      keyId: kid,
    })
  }
  if (!isLabelRecord(record)) {
    const first = recordCheck().Errors(record)[0]
    return invalid(
      'invalid_record',
      `The signed payload is not a label record${first ? ` (${first.instancePath || '/'}: ${first.message})` : ''}.`,
      { genuine: true, keyId: kid },
    )
  }
  if (record.keyId !== kid) {
    return invalid('invalid_record', 'The record names another key than the signature.', {
      genuine: true,
      keyId: kid,
    })
  }
  return judge(record, kid, options)
}

/** Validity and status of a genuine record. */
function judge(record: LabelRecord, kid: string, options: VerifyLabelOptions): VerificationResult {
  const nowSeconds = Math.floor(options.now.getTime() / 1000)
  const reasons: Reason[] = []
  let status: VerificationResult['status'] = 'unknown'
  if (nowSeconds < record.nbf) {
    reasons.push(reason('not_yet_valid', `The label is not valid before ${record.issuedAt}.`))
  } else if (nowSeconds >= record.exp) {
    status = 'expired'
    reasons.push(reason('expired', `The label expired at ${record.expiresAt}.`))
  }
  if (status !== 'expired') {
    const found = statusFromLists(record, options.statusLists ?? {})
    status = found.status
    if (found.reason && (found.status !== 'unknown' || options.requireStatus !== false)) {
      reasons.push(found.reason)
    }
  }
  const acceptable =
    status === 'active' || (status === 'unknown' && options.requireStatus === false)
  return {
    valid: reasons.length === 0 && acceptable,
    genuine: true,
    status,
    reasons,
    keyId: kid,
    labelId: record.labelId,
    record,
  }
}

function statusFromLists(
  record: LabelRecord,
  lists: Partial<Record<StatusPurpose, DecodedStatusList>>,
): { status: VerificationResult['status']; reason?: Reason } {
  const bits: Partial<Record<StatusPurpose, boolean>> = {}
  const missing: string[] = []
  for (const entry of record.credentialStatus) {
    const list = lists[entry.statusPurpose]
    const index = Number(entry.statusListIndex)
    // A list from another issuer (or that does not reach the index) says nothing about this label.
    if (!list || list.issuer !== record.iss || index >= list.size) {
      missing.push(entry.statusPurpose)
      continue
    }
    bits[entry.statusPurpose] = statusBit(list, index)
  }
  if (bits.revocation) {
    return { status: 'revoked', reason: reason('revoked', 'The network has revoked this label.') }
  }
  if (bits.suspension) {
    return {
      status: 'suspended',
      reason: reason('suspended', 'The network has suspended this label.'),
    }
  }
  if (missing.length > 0) {
    return {
      status: 'unknown',
      reason: reason(
        'status_unknown',
        `No current ${missing.join(' or ')} status list of ${record.iss} was available, so the label’s status is unknown.`,
      ),
    }
  }
  return { status: 'active' }
}
