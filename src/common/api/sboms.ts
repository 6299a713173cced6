import { Type, type Static, type TSchema } from 'typebox'
import { IdSchema, pageQuery, PageSchema, StrictObject, TimestampSchema } from './shared.ts'

/*
 * SBOMs uploaded per product version and their normalised components (docs/vulnerabilities.md).
 * The upload itself takes the file as the raw request body, so it has no body schema here.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const SBOM_FORMATS = ['cyclonedx', 'spdx'] as const
export type SbomFormatName = (typeof SBOM_FORMATS)[number]

/** The request body types an SBOM upload may be sent as; the content decides what it is. */
export const SBOM_UPLOAD_CONTENT_TYPES = [
  'application/json',
  'application/vnd.cyclonedx+json',
  'application/spdx+json',
  'application/octet-stream',
] as const

export const SbomVersionParamsSchema = StrictObject({ orgId: IdSchema, versionId: IdSchema })
export type SbomVersionParams = Static<typeof SbomVersionParamsSchema>
export const SbomParamsSchema = StrictObject({
  orgId: IdSchema,
  versionId: IdSchema,
  sbomId: IdSchema,
})
export type SbomParams = Static<typeof SbomParamsSchema>

export const SbomToolSchema = Type.Object({
  name: Type.String(),
  version: Type.Optional(Type.String()),
  vendor: Type.Optional(Type.String()),
})

/**
 * Note codes that are warnings: the file deviates from its schema in one of the few ways real
 * generators are known to (docs/vulnerabilities.md, SBOMs) and was accepted anyway.
 */
export const SBOM_WARNING_CODES: readonly string[] = [
  'tolerated_omission',
  'tolerated_category',
  'tolerated_relationship',
]

export function isSbomWarning(note: { code: string }): boolean {
  return SBOM_WARNING_CODES.includes(note.code)
}

export const SbomNoteSchema = Type.Object({
  code: Type.String({
    description:
      'invalid_purl, duplicate_merged, duplicate_key, …; the warnings are tolerated_omission, tolerated_category and tolerated_relationship',
  }),
  message: Type.String(),
  pointer: Type.Optional(Type.String({ description: 'JSON pointer into the uploaded document' })),
})

export const SbomUploaderSchema = Type.Object({
  type: Type.Enum(['user', 'api_token', 'system']),
  id: Nullable(Type.String()),
  name: Type.String({ description: 'The person’s email or the API token’s name at upload' }),
})

/** One stored SBOM document of a product version. */
export const SbomSchema = Type.Object({
  id: IdSchema,
  organisationId: IdSchema,
  productId: IdSchema,
  productVersionId: IdSchema,
  revision: Type.Integer({ description: 'Upload number within the product version: 1, 2, 3…' }),
  isCurrent: Type.Boolean({ description: 'The SBOM that stands for the version now' }),
  sha256: Type.String({ description: 'SHA-256 of the file as uploaded (hex)' }),
  byteLength: Type.Integer(),
  fileName: Nullable(Type.String()),
  format: Type.Enum(SBOM_FORMATS),
  specVersion: Type.String({ description: 'CycloneDX 1.4–1.6 or SPDX 2.2/2.3' }),
  serialNumber: Nullable(Type.String()),
  bomVersion: Nullable(Type.Integer()),
  namespace: Nullable(Type.String({ description: 'SPDX documentNamespace' })),
  documentName: Nullable(Type.String()),
  documentCreatedAt: Nullable(Type.String({ description: 'Creation time the document gives' })),
  tools: Type.Array(SbomToolSchema),
  authors: Type.Array(Type.String()),
  rootKey: Nullable(Type.String()),
  componentCount: Type.Integer(),
  dependencyCount: Type.Integer(),
  notes: Type.Array(SbomNoteSchema, { description: 'What the parser accepted with a remark' }),
  uploadedBy: SbomUploaderSchema,
  uploadedAt: TimestampSchema,
})
export type Sbom = Static<typeof SbomSchema>

export const SbomUploadResultSchema = Type.Object({
  sbom: SbomSchema,
  /** False when the same bytes were already stored for this version (nothing new was stored). */
  created: Type.Boolean(),
  /** True when the upload made this SBOM the version's current one. */
  madeCurrent: Type.Boolean(),
  message: Type.String(),
})
export type SbomUploadResult = Static<typeof SbomUploadResultSchema>

export const SbomUploadQuerySchema = StrictObject({
  fileName: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Name of the file (or x-file-name)' }),
  ),
})

export const PurlPartsSchema = Type.Object({
  type: Type.String(),
  namespace: Nullable(Type.String()),
  name: Type.String(),
  version: Nullable(Type.String()),
})

export const SbomComponentSchema = Type.Object({
  key: Type.String({ description: 'bom-ref or SPDXID (unique in the document)' }),
  parentKey: Nullable(Type.String()),
  pointer: Type.String({ description: 'Where the component is in the document (JSON pointer)' }),
  isRoot: Type.Boolean(),
  name: Type.String(),
  group: Nullable(Type.String()),
  version: Nullable(Type.String()),
  type: Nullable(Type.String()),
  supplier: Nullable(Type.String()),
  author: Nullable(Type.String()),
  purl: Nullable(Type.String({ description: 'Canonical purl, or the text as found when invalid' })),
  purlValid: Nullable(Type.Boolean()),
  purlParts: Nullable(PurlPartsSchema),
  cpes: Type.Array(Type.String()),
  hashes: Type.Array(Type.Object({ algorithm: Type.String(), value: Type.String() })),
  licenses: Type.Array(Type.String()),
  mergedKeys: Type.Array(Type.String()),
})
export type SbomComponent = Static<typeof SbomComponentSchema>

export const SBOM_COMPONENT_PAGE_MAX = 500

export const SbomComponentQuerySchema = StrictObject({
  q: Type.Optional(
    Type.String({ maxLength: 200, description: 'Part of the name (case-insensitive)' }),
  ),
  purl: Type.Optional(Type.String({ maxLength: 2000, description: 'Start of the purl' })),
  type: Type.Optional(Type.String({ maxLength: 100, description: 'Component type, exactly' })),
  ...pageQuery(SBOM_COMPONENT_PAGE_MAX),
})
export type SbomComponentQuery = Static<typeof SbomComponentQuerySchema>

export const SbomComponentPageSchema = PageSchema(
  SbomComponentSchema,
  Type.Integer({ description: 'Components that match the filters' }),
)
export type SbomComponentPage = Static<typeof SbomComponentPageSchema>
