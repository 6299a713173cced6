import { base64url } from 'jose'
import { Compile } from 'typebox/compile'
import {
  LABEL_JWS_TYPE,
  LabelRecordSchema,
  MAX_LABEL_LENGTH,
  type LabelRecord,
  type LabelSummary,
  type LabelVerification,
  type StatusPurpose,
  type VerificationReasonCode,
  type VerificationResult,
} from '../api/labels.ts'
import { asciiBytes, decodeBase64Url, temporaryAsciiBytes } from './bytes.ts'
import type { GenuineLabel, LabelKeySet } from './keys.ts'
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

/** What the protected header of a label says, once checked: its key id, or why it is refused. */
type HeaderOutcome = { kid: string } | { refuse: VerificationResult }

/**
 * Checked headers by their base64url text. Every label signed by one key has the same header, so
 * this is a handful of entries in practice; the bound keeps made-up headers from growing it.
 */
const headers = new Map<string, HeaderOutcome>()
const MAX_HEADERS = 64

const utf8 = new TextDecoder('utf-8', { fatal: true })

function checkHeader(encoded: string): HeaderOutcome {
  let header: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(utf8.decode(base64url.decode(encoded)))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error()
    header = parsed as Record<string, unknown>
  } catch {
    return { refuse: invalid('malformed', 'The label’s header is not base64url-encoded JSON.') }
  }
  // The algorithm is fixed before any key is looked at: `none` and HMAC with the public key as
  // the secret never reach a verifier.
  if (header.alg !== 'EdDSA') {
    return {
      refuse: invalid(
        'unsupported_algorithm',
        `The label uses the algorithm ${JSON.stringify(header.alg ?? null)}; labels are signed with EdDSA (Ed25519).`,
      ),
    }
  }
  if (header.typ !== LABEL_JWS_TYPE) {
    return {
      refuse: invalid(
        'wrong_type',
        `The JWS type is ${JSON.stringify(header.typ ?? null)}, not ${LABEL_JWS_TYPE}.`,
      ),
    }
  }
  // Labels use no JWS extensions (RFC 7515 §4.1.11: a verifier must refuse critical parameters
  // it does not understand; `b64: false` would change what is signed).
  if (header.crit !== undefined || header.b64 !== undefined) {
    return {
      refuse: invalid('malformed', 'The label’s header asks for JWS extensions labels do not use.'),
    }
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    return {
      refuse: invalid('unknown_key', 'The label does not name its signing key (no kid).'),
    }
  }
  return { kid: header.kid }
}

function headerOutcome(encoded: string): HeaderOutcome {
  let outcome = headers.get(encoded)
  if (!outcome) {
    outcome = checkHeader(encoded)
    if (headers.size >= MAX_HEADERS) headers.clear()
    headers.set(encoded, outcome)
  }
  return outcome
}

/** A copy of a refusal, so that callers may change what they get. */
const copy = (result: VerificationResult): VerificationResult => ({
  ...result,
  reasons: result.reasons.map((r) => ({ ...r })),
})

/**
 * Verifies a label offline: the signature under the JWKS (by `kid`; retired keys still verify),
 * the record's format, its validity at `now`, and its bits in the status lists. Never throws for
 * bad input: every problem is a reason with a stable code.
 *
 * Written against Web Crypto rather than through jose's `compactVerify`, because it runs for every
 * label of a bulk check and every API call: the checked header is reused for every label of the
 * same key, and a label the key set has seen genuine before skips the signature (see
 * `LabelKeySet`). The checks are jose's for this one algorithm, plus the label's own.
 */
export async function verifyLabel(
  jws: unknown,
  options: VerifyLabelOptions,
): Promise<VerificationResult> {
  const genuine = await verifyGenuine(jws, options.jwks)
  if ('refuse' in genuine) return genuine.refuse
  return judge(genuine.record, genuine.kid, options)
}

/**
 * `verifyLabel` for a key set whose signature check answers synchronously (Node's `crypto.verify`,
 * as the CLI's): the same checks and answers, without a promise per label, and the signing input
 * in a buffer reused from label to label. A key set whose check answers with a promise refuses
 * every label's signature here.
 */
export function verifyLabelSync(jws: unknown, options: VerifyLabelOptions): VerificationResult {
  const genuine = verifyGenuineSync(jws, options.jwks)
  if ('refuse' in genuine) return genuine.refuse
  return judge(genuine.record, genuine.kid, options)
}

/** A label that has the form of a compact JWS: its trimmed text and its signature part. */
type WellFormed = { token: string; signature: string } | { refuse: VerificationResult }

function wellFormed(jws: unknown): WellFormed {
  if (typeof jws !== 'string') return { refuse: invalid('malformed', 'The label is not text.') }
  const token = jws.trim()
  if (token.length > MAX_LABEL_LENGTH) {
    return {
      refuse: invalid('malformed', `The label is longer than ${MAX_LABEL_LENGTH} characters.`),
    }
  }
  if (!COMPACT_JWS.test(token)) {
    return {
      refuse: invalid(
        'malformed',
        'This is not a label: a label is a compact JWS (three base64url parts separated by dots).',
      ),
    }
  }
  return { token, signature: token.slice(token.lastIndexOf('.') + 1) }
}

/**
 * The signature and record part of `verifyLabel`: the label's key and record when it is genuine,
 * otherwise the refusal with its reason.
 */
export async function verifyGenuine(
  jws: unknown,
  keys: LabelKeySet,
): Promise<GenuineLabel | { refuse: VerificationResult }> {
  const form = wellFormed(jws)
  if ('refuse' in form) return form
  const { token, signature } = form
  const known = keys.remembered(signature, token)
  if (known) return known
  // The same label asked for by several callers at once (a burst of scans) is checked once.
  const outcome = await keys.checkOnce(signature, token, () => checkGenuine(token, signature, keys))
  return 'refuse' in outcome ? { refuse: copy(outcome.refuse) } : outcome
}

/** `verifyGenuine` with the key set's synchronous signature check (see `verifyLabelSync`). */
function verifyGenuineSync(
  jws: unknown,
  keys: LabelKeySet,
): GenuineLabel | { refuse: VerificationResult } {
  const form = wellFormed(jws)
  if ('refuse' in form) return form
  const { token, signature } = form
  const known = keys.remembered(signature, token)
  if (known) return known
  // Nothing else runs during a synchronous check, so there is no concurrent check to join.
  const signed = signedParts(token, signature, keys)
  if ('refuse' in signed) return { refuse: copy(signed.refuse) }
  let holds: boolean
  try {
    holds = keys.verifySignatureSync(
      signed.kid,
      temporaryAsciiBytes(token, token.lastIndexOf('.')),
      signed.signature,
    )
  } catch {
    holds = false
  }
  const outcome = genuineRecord(token, signature, keys, signed, holds)
  return 'refuse' in outcome ? { refuse: copy(outcome.refuse) } : outcome
}

/** `verifyGenuine` for a well-formed compact JWS the key set does not remember. */
async function checkGenuine(
  token: string,
  signature: string,
  keys: LabelKeySet,
): Promise<GenuineLabel | { refuse: VerificationResult }> {
  const signed = signedParts(token, signature, keys)
  if ('refuse' in signed) return signed
  let holds: boolean
  try {
    holds = await keys.verifySignature(
      signed.kid,
      asciiBytes(token.slice(0, token.lastIndexOf('.'))),
      signed.signature,
    )
  } catch {
    holds = false
  }
  return genuineRecord(token, signature, keys, signed, holds)
}

/** What the signature check needs, once a label's header, key and form are checked. */
interface SignedParts {
  kid: string
  payload: Uint8Array
  signature: Uint8Array
}

/** The checks before the signature: the header, the key, the form of the signature and payload. */
function signedParts(
  token: string,
  signature: string,
  keys: LabelKeySet,
): SignedParts | { refuse: VerificationResult } {
  const firstDot = token.indexOf('.')
  const lastDot = token.lastIndexOf('.')
  const header = headerOutcome(token.slice(0, firstDot))
  if ('refuse' in header) return header
  const { kid } = header
  if (!keys.has(kid)) {
    return {
      refuse: invalid(
        'unknown_key',
        `The label is signed with key ${kid}, which is not in the network’s key set.`,
        { keyId: kid },
      ),
    }
  }
  // 64 bytes are 86 base64url characters whose last carries 2 bits: other spellings of the same
  // signature are refused, so a label has exactly one valid form.
  if (!ED25519_SIGNATURE.test(signature)) {
    return {
      refuse: invalid(
        'bad_signature',
        'The signature is not a well-formed Ed25519 signature (64 bytes, canonical base64url).',
        { keyId: kid },
      ),
    }
  }
  // The token matched COMPACT_JWS: base64url characters only, so ASCII.
  try {
    return {
      kid,
      payload: decodeBase64Url(token.slice(firstDot + 1, lastDot)),
      signature: decodeBase64Url(signature),
    }
  } catch {
    return { refuse: invalid('malformed', 'The label is not a well-formed JWS.', { keyId: kid }) }
  }
}

/** The checks after the signature: whether it holds, and the signed record. */
function genuineRecord(
  token: string,
  signature: string,
  keys: LabelKeySet,
  { kid, payload }: SignedParts,
  holds: boolean,
): GenuineLabel | { refuse: VerificationResult } {
  if (!holds) {
    return {
      refuse: invalid(
        'bad_signature',
        `The signature does not match the label under key ${kid}: the label was changed or signed by someone else.`,
        { keyId: kid },
      ),
    }
  }
  let record: unknown
  try {
    record = JSON.parse(utf8.decode(payload))
  } catch {
    return {
      refuse: invalid('invalid_record', 'The signed payload is not JSON.', {
        genuine: true,
        keyId: kid,
      }),
    }
  }
  if (!isLabelRecord(record)) {
    const first = recordCheck().Errors(record)[0]
    return {
      refuse: invalid(
        'invalid_record',
        `The signed payload is not a label record${first ? ` (${first.instancePath || '/'}: ${first.message})` : ''}.`,
        { genuine: true, keyId: kid },
      ),
    }
  }
  if (record.keyId !== kid) {
    return {
      refuse: invalid('invalid_record', 'The record names another key than the signature.', {
        genuine: true,
        keyId: kid,
      }),
    }
  }
  const genuine = { kid, record }
  keys.remember(signature, token, genuine)
  return genuine
}

/**
 * Validity at `options.now` and status (from the lists) of a genuine record: the rest of
 * `verifyLabel`.
 */
export function judge(
  record: LabelRecord,
  kid: string,
  options: Omit<VerifyLabelOptions, 'jwks'>,
): VerificationResult {
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

/** The product summary of a genuine label's signed record (`LabelSummarySchema`). */
export function summariseLabel(record: LabelRecord): LabelSummary {
  return {
    manufacturer: record.product.manufacturer.name,
    product: record.product.name,
    version: record.product.version,
    tier: record.tier,
    verificationStrength: record.verificationStrength,
    assessor: record.assessor.name,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
  }
}

/**
 * A verification as the API and the CLI answer it (`LabelVerificationSchema`): the verdict and
 * the product's summary, with the whole signed record only when `options.record` asks for it.
 */
export function verificationAnswer(
  result: VerificationResult,
  options: { record?: boolean } = {},
): LabelVerification {
  const answer: LabelVerification = {
    valid: result.valid,
    genuine: result.genuine,
    status: result.status,
    reasons: result.reasons,
    keyId: result.keyId,
    labelId: result.labelId,
    summary: result.record ? summariseLabel(result.record) : null,
  }
  if (options.record) answer.record = result.record
  if (result.warning) answer.warning = result.warning
  return answer
}
