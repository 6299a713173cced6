import { Type, type Static } from 'typebox'
import { DEVICE_CLASSES, TIERS, VERIFICATION_STRENGTHS } from '../framework.ts'
import { IdSchema, StrictObject, TimestampSchema } from './shared.ts'

/**
 * Signed labels: the record a label's JWS carries, the signing keys that publish it, and the
 * answers of verification. The format is documented in docs/labels.md; a change to
 * `LabelRecordSchema` is a change to a public format and needs a new `format` version.
 */

/** The `typ` header of a label JWS. */
export const LABEL_JWS_TYPE = 'isn-label+jwt'
/** The `format` field of the label record this code writes and reads. */
export const LABEL_FORMAT = 'isn-label/1'
/** The longest compact JWS the platform accepts for verification (labels are ~2 KB). */
export const MAX_LABEL_LENGTH = 16_384

export const LABEL_STATUSES = ['active', 'suspended', 'revoked', 'expired'] as const
export type LabelStatus = (typeof LABEL_STATUSES)[number]
export const LabelStatusSchema = Type.Enum(LABEL_STATUSES)

/** What a status list says about a label: W3C Bitstring Status List purposes. */
export const STATUS_PURPOSES = ['revocation', 'suspension'] as const
export type StatusPurpose = (typeof STATUS_PURPOSES)[number]
export const StatusPurposeSchema = Type.Enum(STATUS_PURPOSES)

export const SIGNING_KEY_STATES = ['active', 'retired'] as const
export type SigningKeyState = (typeof SIGNING_KEY_STATES)[number]

export const UPDATE_MECHANISMS = ['automatic', 'user-initiated', 'manual', 'none'] as const
export const DEFAULT_PASSWORD_POLICIES = [
  /** The product has no passwords (certificates, physical pairing, …). */
  'no-passwords',
  /** A password unique to each device, printed or provisioned at the factory. */
  'unique-per-device',
  /** The user must set a password before the product works. */
  'set-on-first-use',
] as const

const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) })
const Url = (description: string) =>
  Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://', description })
const DateOnly = (description: string) =>
  Type.String({ format: 'date', description: `${description} (YYYY-MM-DD)` })

/** The registry fields of a product version that label schemes share (CTA-2120, CLS, BSI). */
export const LabelProductSchema = StrictObject({
  productId: Text(100, 'Registry id of the product'),
  productVersionId: Type.Optional(Text(100, 'Registry id of the product version')),
  manufacturer: StrictObject({
    id: Type.Optional(Text(100, 'Organisation id of the manufacturer')),
    name: Text(200),
  }),
  name: Text(200, 'Product name'),
  modelNumbers: Type.Array(Text(100), { maxItems: 50 }),
  version: Text(100, 'Firmware or software version the label covers'),
  deviceClass: Type.Enum(DEVICE_CLASSES),
  supportPeriodEnd: DateOnly('Security updates are provided until this date'),
  updateMechanism: Type.Enum(UPDATE_MECHANISMS),
  defaultPasswordPolicy: Type.Enum(DEFAULT_PASSWORD_POLICIES),
  securityContact: Text(300, 'Email address or URL to report vulnerabilities to'),
  disclosurePolicyUrl: Url('Vulnerability disclosure policy'),
  sbomAvailable: Type.Boolean({ description: 'An SBOM is available to customers' }),
  secureSetupGuidanceUrl: Type.Optional(Url('Secure set-up guidance')),
  sensorDisclosures: Type.Array(Text(200), {
    maxItems: 50,
    description: 'Sensors the product has (camera, microphone, location, …)',
  }),
  dataDisclosures: Type.Array(Text(300), {
    maxItems: 50,
    description: 'Data the product collects or sends, and where to',
  }),
})
export type LabelProduct = Static<typeof LabelProductSchema>

/** One W3C Bitstring Status List entry: where to look up the label's bit for one purpose. */
export const StatusListEntrySchema = StrictObject({
  type: Type.Literal('BitstringStatusListEntry'),
  statusPurpose: StatusPurposeSchema,
  statusListIndex: Type.String({ pattern: '^(0|[1-9][0-9]{0,8})$' }),
  statusListCredential: Url('URL of the signed status list'),
})

/**
 * The payload of a label JWS. It is a JWT claims set (`iss`, `jti`, `iat`, `nbf`, `exp`) so that
 * generic JWT tools understand its validity, plus the label record itself.
 */
export const LabelRecordSchema = StrictObject({
  format: Type.Literal(LABEL_FORMAT),
  iss: Url('The issuing network (its PUBLIC_URL)'),
  jti: IdSchema,
  iat: Type.Integer({ minimum: 0, description: 'Issued at, seconds since the epoch' }),
  nbf: Type.Integer({ minimum: 0, description: 'Not valid before, seconds since the epoch' }),
  exp: Type.Integer({ minimum: 0, description: 'Expires at, seconds since the epoch' }),
  labelId: IdSchema,
  keyId: Text(100, 'RFC 7638 thumbprint of the signing key (also the JWS kid)'),
  issuedAt: TimestampSchema,
  expiresAt: TimestampSchema,
  tier: Type.Enum(TIERS),
  frameworkVersion: Text(50),
  profile: Type.Enum(DEVICE_CLASSES, { description: 'Device profile assessed against' }),
  verificationStrength: Type.Enum(VERIFICATION_STRENGTHS),
  assessor: StrictObject({ id: Type.Optional(Text(100)), name: Text(200) }),
  product: LabelProductSchema,
  statusUrl: Url('Live status of this label'),
  statusListIndex: Type.Integer({ minimum: 0 }),
  credentialStatus: Type.Array(StatusListEntrySchema, { minItems: 2, maxItems: 2 }),
})
export type LabelRecord = Static<typeof LabelRecordSchema>

/** What the network knows about an issued label now. */
export const LabelSchema = Type.Object({
  id: IdSchema,
  status: LabelStatusSchema,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  statusChangedAt: TimestampSchema,
  keyId: Type.String(),
  issuedAt: TimestampSchema,
  expiresAt: TimestampSchema,
  statusListIndex: Type.Integer(),
  record: LabelRecordSchema,
  jws: Type.String(),
})
export type Label = Static<typeof LabelSchema>

export const LabelStatusChangeSchema = Type.Object({
  at: TimestampSchema,
  fromStatus: Type.Union([LabelStatusSchema, Type.Null()]),
  toStatus: LabelStatusSchema,
  reason: Type.Union([Type.String(), Type.Null()]),
  actor: Type.Union([Type.String(), Type.Null()]),
})
export type LabelStatusChange = Static<typeof LabelStatusChangeSchema>

/** The public answer of a label's status URL. */
export const PublicLabelStatusSchema = Type.Object({
  labelId: IdSchema,
  status: LabelStatusSchema,
  reason: Type.Union([Type.String(), Type.Null()]),
  changedAt: TimestampSchema,
  expiresAt: TimestampSchema,
  history: Type.Array(LabelStatusChangeSchema),
})
export type PublicLabelStatus = Static<typeof PublicLabelStatusSchema>

export const LabelParamsSchema = StrictObject({ labelId: IdSchema })
export const StatusListParamsSchema = StrictObject({ purpose: StatusPurposeSchema })
export const LabelStatusChangeBodySchema = StrictObject({
  reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S' }),
})

export const SigningKeySchema = Type.Object({
  kid: Type.String(),
  algorithm: Type.Literal('EdDSA'),
  state: Type.Enum(SIGNING_KEY_STATES),
  createdAt: TimestampSchema,
  retiredAt: Type.Union([TimestampSchema, Type.Null()]),
  publicJwk: Type.Object({
    kty: Type.Literal('OKP'),
    crv: Type.Literal('Ed25519'),
    x: Type.String(),
  }),
})
export type SigningKey = Static<typeof SigningKeySchema>

export const JwkSchema = Type.Object({
  kty: Type.Literal('OKP'),
  crv: Type.Literal('Ed25519'),
  x: Type.String(),
  kid: Type.String(),
  alg: Type.Literal('EdDSA'),
  use: Type.Literal('sig'),
})
export const JwksSchema = Type.Object({ keys: Type.Array(JwkSchema) })
export type Jwks = Static<typeof JwksSchema>

export const VerifyLabelBodySchema = StrictObject({
  label: Type.String({
    minLength: 1,
    maxLength: MAX_LABEL_LENGTH,
    description: 'The label as a compact JWS',
  }),
})

/** The media type of a compact JWS (RFC 7515 §9.2.1): the label itself as the body. */
export const JOSE_MEDIA_TYPE = 'application/jose'

/** The label as the whole body, sent as `application/jose`. */
export const VerifyLabelJoseBodySchema = Type.String({
  minLength: 1,
  maxLength: MAX_LABEL_LENGTH,
  description: 'The label as a compact JWS (surrounding white space is ignored)',
})

/** What a verification answer may carry besides its verdict and summary, when asked. */
export const VERIFY_INCLUDES = ['record'] as const
export const VerifyLabelQuerySchema = StrictObject({
  include: Type.Optional(
    Type.Enum(VERIFY_INCLUDES, {
      description: '`record`: add the whole signed label record to the answer',
    }),
  ),
})
export type VerifyLabelQuery = Static<typeof VerifyLabelQuerySchema>

export const VERIFICATION_REASONS = [
  /** Not a compact JWS: random text, a truncated token, bad base64url or JSON. */
  'malformed',
  /** `alg` is not EdDSA (`none`, HS256, …): refused before any key is looked at. */
  'unsupported_algorithm',
  /** The `typ` header is not a label's. */
  'wrong_type',
  /** No key with the header's `kid` is in the key set. */
  'unknown_key',
  /** The signature does not match the header and payload under the named key. */
  'bad_signature',
  /** The payload is not a label record of a known format. */
  'invalid_record',
  'expired',
  'not_yet_valid',
  'revoked',
  'suspended',
  /** No (valid, current) status list was available, so suspension and revocation are unknown. */
  'status_unknown',
] as const
export type VerificationReasonCode = (typeof VERIFICATION_REASONS)[number]

export const VerificationResultSchema = Type.Object({
  valid: Type.Boolean({ description: 'Genuine, within its validity and active' }),
  genuine: Type.Boolean({ description: 'The signature holds under a published key' }),
  status: Type.Union([LabelStatusSchema, Type.Literal('unknown')]),
  reasons: Type.Array(
    Type.Object({ code: Type.Enum(VERIFICATION_REASONS), message: Type.String() }),
  ),
  keyId: Type.Union([Type.String(), Type.Null()]),
  labelId: Type.Union([Type.String(), Type.Null()]),
  record: Type.Union([LabelRecordSchema, Type.Null()]),
  /**
   * The label policy's security warning for a genuine label (docs/labels.md, "Label policy"):
   * shown beside the status, which it does not change. Absent when there is none.
   */
  warning: Type.Optional(
    Type.Object({
      message: Type.String(),
      since: Type.String(),
      cves: Type.Array(Type.String()),
    }),
  ),
})
export type VerificationResult = Static<typeof VerificationResultSchema>

/**
 * What a verification answer says about the product by default: the few signed fields a person
 * scanning a label, or a system checking many, needs to see that it is the label they expect.
 * Taken from the signed record only when the label is genuine.
 */
export const LabelSummarySchema = Type.Object({
  manufacturer: Type.String({ description: 'The manufacturer’s name' }),
  product: Type.String({ description: 'The product’s name' }),
  version: Type.String({ description: 'Firmware or software version the label covers' }),
  tier: Type.Enum(TIERS),
  verificationStrength: Type.Enum(VERIFICATION_STRENGTHS),
  assessor: Type.String({ description: 'The assessor organisation’s name' }),
  issuedAt: TimestampSchema,
  expiresAt: TimestampSchema,
})
export type LabelSummary = Static<typeof LabelSummarySchema>

/**
 * The answer of `POST /labels/verify` (and of `isn label verify --json`): the verdict, the
 * product's summary, and the whole signed record only when asked (`?include=record`).
 */
export const LabelVerificationSchema = Type.Object({
  valid: VerificationResultSchema.properties.valid,
  genuine: VerificationResultSchema.properties.genuine,
  status: VerificationResultSchema.properties.status,
  reasons: VerificationResultSchema.properties.reasons,
  keyId: VerificationResultSchema.properties.keyId,
  labelId: VerificationResultSchema.properties.labelId,
  summary: Type.Union([LabelSummarySchema, Type.Null()], {
    description: 'The product the label is for; null unless the label is genuine',
  }),
  record: Type.Optional(
    Type.Union([LabelRecordSchema, Type.Null()], {
      description: 'The whole signed record, with `?include=record` (null unless genuine)',
    }),
  ),
  warning: VerificationResultSchema.properties.warning,
})
export type LabelVerification = Static<typeof LabelVerificationSchema>
