import { Type, type Static } from 'typebox'
import { DEVICE_CLASSES, TIERS, VERIFICATION_STRENGTHS } from '../framework.ts'
import { IdSchema, StrictObject, TimestampSchema } from './shared.ts'
import {
  LabelRecordSchema,
  LabelStatusChangeSchema,
  LabelStatusSchema,
  UPDATE_MECHANISMS,
  DEFAULT_PASSWORD_POLICIES,
} from './labels.ts'

/**
 * The public registry of labels (docs/registry.md): search, one product record with its live
 * status, and the CTA-2120-shaped export. Everything here is public and needs no account.
 */

/** The most results one page of a search returns. */
export const REGISTRY_PAGE_LIMIT = 100
/**
 * Matches are counted up to this many; a search that finds more says "more than" (counting stops
 * at the limit, so a common word's count costs what its first thousand matches cost). Paging
 * goes further, up to `REGISTRY_MAX_OFFSET`.
 */
export const REGISTRY_COUNT_LIMIT = 1_000
/** The furthest a search pages (offset); narrow the search to go beyond it. */
export const REGISTRY_MAX_OFFSET = 10_000

/** `scheme` or `scheme:level`, as the framework names them (e.g. `uk-psti`, `sg-cls:2`). */
export const STANDARD_FILTER_PATTERN =
  '^[a-z0-9][a-z0-9-]{0,60}(:[A-Za-z0-9][A-Za-z0-9._-]{0,40})?$'

export const RegistryQuerySchema = StrictObject({
  q: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Words that must each start a word of the product name, manufacturer, model numbers or version (case and accents ignored; FS-200 matches those words in a row)',
    }),
  ),
  manufacturer: Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'Words that must each start a word of the manufacturer’s name',
    }),
  ),
  deviceClass: Type.Optional(Type.Enum(DEVICE_CLASSES)),
  tier: Type.Optional(Type.Enum(TIERS, { description: 'Exactly this tier' })),
  status: Type.Optional(LabelStatusSchema),
  standard: Type.Optional(
    Type.String({
      pattern: STANDARD_FILTER_PATTERN,
      description:
        'Labels whose profile reaches this scheme (any level) or scheme level (`scheme:level`) through the framework’s crosswalk',
    }),
  ),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: REGISTRY_PAGE_LIMIT, description: 'Default 20' }),
  ),
  offset: Type.Optional(
    Type.Integer({ minimum: 0, maximum: REGISTRY_MAX_OFFSET, description: 'Default 0' }),
  ),
})
export type RegistryQuery = Static<typeof RegistryQuerySchema>

/** A scheme level a label's tier and profile reach through the framework's crosswalk. */
export const StandardReachedSchema = Type.Object({
  scheme: Type.String(),
  schemeTitle: Type.String(),
  level: Type.String(),
  levelTitle: Type.String(),
})
export type StandardReached = Static<typeof StandardReachedSchema>

export const RegistryEntrySchema = Type.Object({
  labelId: IdSchema,
  status: LabelStatusSchema,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  productName: Type.String(),
  manufacturer: Type.String(),
  modelNumbers: Type.Array(Type.String()),
  version: Type.String(),
  deviceClass: Type.Enum(DEVICE_CLASSES),
  tier: Type.Enum(TIERS),
  frameworkVersion: Type.String(),
  verificationStrength: Type.Enum(VERIFICATION_STRENGTHS),
  assessor: Type.String(),
  issuedAt: TimestampSchema,
  expiresAt: TimestampSchema,
  supportPeriodEnd: Type.String({ format: 'date' }),
  standards: Type.Array(StandardReachedSchema),
})
export type RegistryEntry = Static<typeof RegistryEntrySchema>

export const RegistryPageSchema = Type.Object({
  items: Type.Array(RegistryEntrySchema),
  total: Type.Integer({
    description: `Matching labels in all pages, counted up to ${REGISTRY_COUNT_LIMIT}`,
  }),
  totalExact: Type.Boolean({
    description: `False when more than ${REGISTRY_COUNT_LIMIT} labels match (then \`total\` is ${REGISTRY_COUNT_LIMIT})`,
  }),
  limit: Type.Integer(),
  offset: Type.Integer(),
})
export type RegistryPage = Static<typeof RegistryPageSchema>

/** Whole days from today (UTC) to a date; negative once it has passed. */
export const CountdownSchema = Type.Object({
  endsOn: Type.String({ format: 'date' }),
  daysLeft: Type.Integer({ description: 'Whole days from today (UTC) to the end date; 0 on it' }),
  ended: Type.Boolean(),
})
export type Countdown = Static<typeof CountdownSchema>

/** Where a label's artefacts and verification live. */
export const RegistryLinksSchema = Type.Object({
  page: Type.String({ description: 'The public product page (what the QR code opens)' }),
  verify: Type.String({ description: 'The public verification page for this label' }),
  status: Type.String(),
  badgeSvg: Type.String(),
  qrSvg: Type.String(),
  qrPng: Type.String(),
  certificatePdf: Type.String(),
  cta2120: Type.String(),
})
export type RegistryLinks = Static<typeof RegistryLinksSchema>

export const RegistryRecordSchema = Type.Object({
  labelId: IdSchema,
  status: LabelStatusSchema,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  statusChangedAt: TimestampSchema,
  history: Type.Array(LabelStatusChangeSchema),
  support: CountdownSchema,
  validity: CountdownSchema,
  securityContact: Type.String(),
  disclosurePolicyUrl: Type.String(),
  verificationStrength: Type.Enum(VERIFICATION_STRENGTHS),
  assessor: Type.Object({ id: Type.Optional(Type.String()), name: Type.String() }),
  standards: Type.Array(StandardReachedSchema),
  keyId: Type.String(),
  jws: Type.String({ description: 'The label (compact JWS), for offline verification' }),
  record: LabelRecordSchema,
  links: RegistryLinksSchema,
})
export type RegistryRecord = Static<typeof RegistryRecordSchema>

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

/**
 * One label as a CTA-2120-style label data record (docs/registry.md has the mapping and what
 * the network does not hold). Fields the network has no value for are `null`, never invented.
 */
export const Cta2120RecordSchema = Type.Object({
  recordType: Type.Literal('cta-2120-label-data'),
  recordFormat: Type.Literal('isn-cta-2120/1'),
  labelIdentifier: IdSchema,
  labelStatus: LabelStatusSchema,
  labelStatusReason: Nullable(Type.String()),
  registryUrl: Type.String(),
  productName: Type.String(),
  manufacturerName: Type.String(),
  modelNumbers: Type.Array(Type.String()),
  softwareVersion: Type.String(),
  productCategory: Type.String(),
  dateOfLabelGrant: Type.String({ format: 'date' }),
  labelExpirationDate: Type.String({ format: 'date' }),
  labelAdministrator: Type.Object({ name: Type.String(), url: Type.String() }),
  testingLaboratory: Nullable(Type.Object({ name: Type.String() })),
  conformityAssessment: Type.Object({
    method: Type.Enum(VERIFICATION_STRENGTHS),
    assessor: Type.String(),
    programme: Type.String(),
    level: Type.String(),
  }),
  manufacturerContact: Type.Object({
    vulnerabilityReporting: Type.String(),
    vulnerabilityDisclosurePolicyUrl: Type.String(),
  }),
  supportPeriod: Type.Object({
    endDate: Type.String({ format: 'date' }),
    daysRemaining: Type.Integer(),
  }),
  softwareUpdates: Type.Object({
    mechanism: Type.Enum(UPDATE_MECHANISMS),
    automatic: Type.Boolean(),
    description: Type.String(),
  }),
  defaultPasswords: Type.Object({
    policy: Type.Enum(DEFAULT_PASSWORD_POLICIES),
    description: Type.String(),
  }),
  secureConfigurationUrl: Nullable(Type.String()),
  sbomMaintained: Type.Boolean(),
  hbomMaintained: Type.Null(),
  sensors: Type.Array(Type.String()),
  dataCollection: Type.Array(Type.String()),
  fccId: Type.Null(),
  /** CTA-2120 fields this network does not hold, by name. */
  notProvided: Type.Array(Type.String()),
})
export type Cta2120Record = Static<typeof Cta2120RecordSchema>

export const RegistryParamsSchema = StrictObject({ labelId: IdSchema })
