import { Type, type Static, type TSchema } from 'typebox'
import {
  DEFAULT_PASSWORD_POLICIES,
  PRODUCT_LIMITS,
  PRODUCT_STATUSES,
  REGISTRY_FIELDS,
  SBOM_AVAILABILITIES,
  UPDATE_MECHANISMS,
} from '../products.ts'
import { DeviceClassSchema } from './framework.ts'
import { EmailSchema, IdSchema, StrictObject, TimestampSchema } from './shared.ts'

/*
 * Products of manufacturer organisations and their versions, with the registry fields that label
 * schemes share (../shared/docs/standards.md §1.13). Which field lives where: docs/products.md.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** A calendar day, `YYYY-MM-DD` (ISO 8601). */
export const DateSchema = Type.String({ format: 'date', description: 'ISO-8601 date, YYYY-MM-DD' })
/** Registry links are public and shown on labels: https only, with a host. */
export const HttpsUrlSchema = Type.String({
  format: 'uri',
  pattern: '^https://[^\\s/?#]+([/?#]\\S*)?$',
  maxLength: PRODUCT_LIMITS.url,
  description: 'An https:// URL',
})
const Text = (maxLength: number = PRODUCT_LIMITS.text) =>
  Type.String({ maxLength, pattern: '\\S', description: 'Not blank' })
const List = (itemLength: number, description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: itemLength, pattern: '\\S' }), {
    maxItems: PRODUCT_LIMITS.listItems,
    uniqueItems: true,
    description,
  })

export const UpdateMechanismSchema = Type.Enum(UPDATE_MECHANISMS)
export const DefaultPasswordPolicySchema = Type.Enum(DEFAULT_PASSWORD_POLICIES)
export const SbomAvailabilitySchema = Type.Enum(SBOM_AVAILABILITIES)
export const ProductStatusSchema = Type.Enum(PRODUCT_STATUSES)
export const RegistryFieldSchema = Type.Enum(REGISTRY_FIELDS)

const ProductNameSchema = Type.String({
  minLength: 1,
  maxLength: PRODUCT_LIMITS.name,
  pattern: '\\S',
  description: 'The product’s market name; unique within the organisation',
})
const ModelNumbersSchema = List(PRODUCT_LIMITS.listItem, 'Model numbers (order codes, SKUs)')
const HardwareVersionsSchema = List(PRODUCT_LIMITS.listItem, 'Hardware revisions covered')
const SensorsSchema = List(PRODUCT_LIMITS.sensorItem, 'Sensors the product has')
const DataCollectedSchema = List(PRODUCT_LIMITS.sensorItem, 'Kinds of data the product collects')

/** The optional descriptive and registry fields, as a create body takes them. */
const optionalFields = {
  hardwareVersions: Type.Optional(HardwareVersionsSchema),
  description: Type.Optional(Text()),
  supportPeriodEnd: Type.Optional(DateSchema),
  updateMechanism: Type.Optional(UpdateMechanismSchema),
  updateDescription: Type.Optional(Text(2000)),
  defaultPasswordPolicy: Type.Optional(DefaultPasswordPolicySchema),
  defaultPasswordDescription: Type.Optional(Text(2000)),
  securityContactEmail: Type.Optional(EmailSchema),
  securityContactUrl: Type.Optional(HttpsUrlSchema),
  vulnerabilityDisclosureUrl: Type.Optional(HttpsUrlSchema),
  sbomAvailability: Type.Optional(SbomAvailabilitySchema),
  sbomUrl: Type.Optional(HttpsUrlSchema),
  secureSetupUrl: Type.Optional(HttpsUrlSchema),
  sensors: Type.Optional(SensorsSchema),
  dataCollected: Type.Optional(DataCollectedSchema),
  dataDisclosure: Type.Optional(Text()),
}

export const ProductSchema = Type.Object({
  id: IdSchema,
  organisationId: IdSchema,
  name: Type.String(),
  modelNumbers: Type.Array(Type.String()),
  deviceClass: DeviceClassSchema,
  hardwareVersions: Type.Array(Type.String()),
  description: Nullable(Type.String()),
  /** When security updates end, unless a version says otherwise. */
  supportPeriodEnd: Nullable(DateSchema),
  updateMechanism: Nullable(UpdateMechanismSchema),
  updateDescription: Nullable(Type.String()),
  defaultPasswordPolicy: Nullable(DefaultPasswordPolicySchema),
  defaultPasswordDescription: Nullable(Type.String()),
  securityContactEmail: Nullable(Type.String()),
  securityContactUrl: Nullable(Type.String()),
  vulnerabilityDisclosureUrl: Nullable(Type.String()),
  sbomAvailability: Nullable(SbomAvailabilitySchema),
  /** Where the SBOM is published, when `sbomAvailability` is `published`. */
  sbomUrl: Nullable(Type.String()),
  secureSetupUrl: Nullable(Type.String()),
  sensors: Type.Array(Type.String()),
  dataCollected: Type.Array(Type.String()),
  dataDisclosure: Nullable(Type.String()),
  status: ProductStatusSchema,
  archivedAt: Nullable(TimestampSchema),
  versionCount: Type.Integer({ minimum: 0 }),
  /** The most recently released version's name, if any. */
  latestVersion: Nullable(Type.String()),
  /** Registry fields not yet given; a label will need every one of them. */
  missingRegistryFields: Type.Array(RegistryFieldSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type Product = Static<typeof ProductSchema>

export const CreateProductBodySchema = StrictObject({
  name: ProductNameSchema,
  modelNumbers: Type.Array(ModelNumbersSchema.items, {
    minItems: 1,
    maxItems: PRODUCT_LIMITS.listItems,
    uniqueItems: true,
    description: 'At least one model number',
  }),
  deviceClass: DeviceClassSchema,
  ...optionalFields,
})
export type CreateProductBody = Static<typeof CreateProductBodySchema>

/** Fields to change; `null` clears an optional field, lists are replaced whole. */
export const UpdateProductBodySchema = StrictObject({
  data: StrictObject({
    name: Type.Optional(ProductNameSchema),
    modelNumbers: Type.Optional(CreateProductBodySchema.properties.modelNumbers),
    deviceClass: Type.Optional(DeviceClassSchema),
    hardwareVersions: Type.Optional(HardwareVersionsSchema),
    description: Type.Optional(Nullable(Text())),
    supportPeriodEnd: Type.Optional(Nullable(DateSchema)),
    updateMechanism: Type.Optional(Nullable(UpdateMechanismSchema)),
    updateDescription: Type.Optional(Nullable(Text(2000))),
    defaultPasswordPolicy: Type.Optional(Nullable(DefaultPasswordPolicySchema)),
    defaultPasswordDescription: Type.Optional(Nullable(Text(2000))),
    securityContactEmail: Type.Optional(Nullable(EmailSchema)),
    securityContactUrl: Type.Optional(Nullable(HttpsUrlSchema)),
    vulnerabilityDisclosureUrl: Type.Optional(Nullable(HttpsUrlSchema)),
    sbomAvailability: Type.Optional(Nullable(SbomAvailabilitySchema)),
    sbomUrl: Type.Optional(Nullable(HttpsUrlSchema)),
    secureSetupUrl: Type.Optional(Nullable(HttpsUrlSchema)),
    sensors: Type.Optional(SensorsSchema),
    dataCollected: Type.Optional(DataCollectedSchema),
    dataDisclosure: Type.Optional(Nullable(Text())),
  }),
})
export type UpdateProductBody = Static<typeof UpdateProductBodySchema>
export type ProductChanges = UpdateProductBody['data']

export const ProductParamsSchema = StrictObject({ orgId: IdSchema, productId: IdSchema })

export const ProductListQuerySchema = StrictObject({
  q: Type.Optional(
    Type.String({ maxLength: 100, description: 'Part of the name or of a model number' }),
  ),
  status: Type.Optional(
    Type.Enum(['active', 'archived', 'all'], { default: 'active', description: 'Default active' }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: 400, description: 'The `nextCursor` of the previous page' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
})
export type ProductListQuery = Static<typeof ProductListQuerySchema>

export const ProductPageSchema = Type.Object({
  items: Type.Array(ProductSchema),
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: Nullable(Type.String()),
})
export type ProductPage = Static<typeof ProductPageSchema>

// ---- versions

const VersionNameSchema = Type.String({
  minLength: 1,
  maxLength: PRODUCT_LIMITS.version,
  pattern: '^\\S(.*\\S)?$',
  description: 'Firmware or software version, e.g. 2.4.1; unique within the product',
})

export const ProductVersionSchema = Type.Object({
  id: IdSchema,
  productId: IdSchema,
  version: Type.String(),
  releaseDate: DateSchema,
  /** This version's own support period end, when it differs from the product's. */
  supportPeriodEnd: Nullable(DateSchema),
  /** The version's end if set, else the product's. */
  effectiveSupportPeriodEnd: Nullable(DateSchema),
  notes: Nullable(Type.String()),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type ProductVersion = Static<typeof ProductVersionSchema>

export const CreateProductVersionBodySchema = StrictObject({
  version: VersionNameSchema,
  releaseDate: DateSchema,
  supportPeriodEnd: Type.Optional(DateSchema),
  notes: Type.Optional(Text(2000)),
})
export type CreateProductVersionBody = Static<typeof CreateProductVersionBodySchema>

/** The version name stays as registered (assessments and labels will refer to it). */
export const UpdateProductVersionBodySchema = StrictObject({
  data: StrictObject({
    releaseDate: Type.Optional(DateSchema),
    supportPeriodEnd: Type.Optional(Nullable(DateSchema)),
    notes: Type.Optional(Nullable(Text(2000))),
  }),
})
export type UpdateProductVersionBody = Static<typeof UpdateProductVersionBodySchema>

export const ProductVersionParamsSchema = StrictObject({
  orgId: IdSchema,
  productId: IdSchema,
  versionId: IdSchema,
})
