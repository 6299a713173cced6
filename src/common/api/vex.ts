import { Type, type Static, type TSchema } from 'typebox'
import { IdSchema, StrictObject, TimestampSchema } from './shared.ts'

/*
 * VEX (docs/vulnerabilities.md, "VEX"): uploaded CycloneDX / CSAF VEX documents applied to a
 * product version's findings, manual triage, and the VEX documents and CSAF advisories the
 * manufacturer publishes.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const TRIAGE_STATES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const
export const VEX_JUSTIFICATIONS = [
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'vulnerable_code_not_in_execute_path',
  'inline_mitigations_already_exist',
] as const
export const VEX_RESPONSES = [
  'can_not_fix',
  'will_not_fix',
  'update',
  'rollback',
  'workaround_available',
  'vendor_fix',
  'mitigation',
  'workaround',
  'none_available',
  'no_fix_planned',
] as const
export const VEX_PUBLICATION_KINDS = ['cyclonedx', 'csaf'] as const
export const VEX_UPLOAD_CONTENT_TYPES = [
  'application/json',
  'application/vnd.cyclonedx+json',
  'application/csaf+json',
  'application/octet-stream',
] as const

export const VexVersionParamsSchema = StrictObject({ orgId: IdSchema, versionId: IdSchema })
export const VexFindingParamsSchema = StrictObject({
  orgId: IdSchema,
  versionId: IdSchema,
  findingId: IdSchema,
})
export const VexPublicationParamsSchema = StrictObject({
  orgId: IdSchema,
  versionId: IdSchema,
  publicationId: IdSchema,
})
export const VexUploadQuerySchema = StrictObject({
  fileName: Type.Optional(Type.String({ maxLength: 200 })),
})

export const TriageInputSchema = StrictObject({
  state: Type.Enum(TRIAGE_STATES),
  justification: Type.Optional(
    Type.Enum(VEX_JUSTIFICATIONS, {
      description: 'Required for not_affected: a CycloneDX or CSAF justification',
    }),
  ),
  response: Type.Optional(
    Type.Enum(VEX_RESPONSES, {
      description: 'For affected: the response (CycloneDX) or remediation category (CSAF)',
    }),
  ),
  detail: Type.Optional(
    Type.String({
      maxLength: 4000,
      description: 'Why (not_affected), the remediation (affected), notes',
    }),
  ),
  fixedVersion: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Required for fixed' }),
  ),
})
export type TriageInput = Static<typeof TriageInputSchema>

export const TriageSchema = Type.Object({
  state: Type.Enum(TRIAGE_STATES),
  justification: Nullable(Type.String()),
  response: Nullable(Type.String()),
  detail: Nullable(Type.String()),
  fixedVersion: Nullable(Type.String()),
  source: Type.Enum(['manual', 'vex']),
  by: Nullable(Type.String({ description: 'Who triaged it, or the VEX document id' })),
  at: Nullable(TimestampSchema),
})
export type Triage = Static<typeof TriageSchema>

export const VexFindingSchema = Type.Object({
  id: IdSchema,
  component: Type.Object({
    key: Type.String(),
    name: Type.String(),
    version: Nullable(Type.String()),
    purl: Nullable(Type.String()),
  }),
  advisoryId: Type.String(),
  cves: Type.Array(Type.String()),
  status: Type.String({ description: 'What the matcher says: affected or unknown' }),
  severity: Nullable(Type.String()),
  cvssScore: Nullable(Type.Number()),
  kev: Type.Boolean(),
  fixedVersion: Nullable(Type.String()),
  resolvedAt: Nullable(TimestampSchema),
  suppressed: Type.Boolean({
    description: 'not_affected with a justification: kept visible, not counted as open',
  }),
  triage: Nullable(TriageSchema),
})
export type VexFinding = Static<typeof VexFindingSchema>

export const VexFindingListSchema = Type.Object({
  items: Type.Array(VexFindingSchema),
  open: Type.Integer({ description: 'Unresolved and not suppressed' }),
  suppressed: Type.Integer(),
})
export type VexFindingList = Static<typeof VexFindingListSchema>

export const VexDocumentSchema = Type.Object({
  id: IdSchema,
  productVersionId: IdSchema,
  sha256: Type.String(),
  byteLength: Type.Integer(),
  fileName: Nullable(Type.String()),
  format: Type.Enum(['cyclonedx', 'csaf']),
  specVersion: Type.String(),
  documentRef: Nullable(Type.String()),
  statementCount: Type.Integer(),
  unresolvedCount: Type.Integer(),
  uploadedBy: Nullable(Type.String()),
  uploadedAt: TimestampSchema,
})
export type VexDocument = Static<typeof VexDocumentSchema>

export const VexUploadResultSchema = Type.Object({
  document: VexDocumentSchema,
  created: Type.Boolean(),
  applied: Type.Integer({ description: 'Findings whose triage the statements set' }),
  unresolved: Type.Array(
    Type.Object({ subject: Type.String(), vulnerabilityId: Type.String(), pointer: Type.String() }),
    { description: 'Statements about nothing in the version’s SBOM (kept; applied by purl later)' },
  ),
  notes: Type.Array(Type.Object({ pointer: Type.String(), message: Type.String() })),
  message: Type.String(),
})
export type VexUploadResult = Static<typeof VexUploadResultSchema>

export const VexPublishInputSchema = StrictObject({
  kind: Type.Enum(VEX_PUBLICATION_KINDS, {
    description: 'cyclonedx: CycloneDX 1.6 VEX; csaf: CSAF 2.0 advisory (csaf_vex)',
  }),
  summary: Type.Optional(
    Type.String({ maxLength: 2000, description: 'The revision history entry (CSAF)' }),
  ),
})

export const VexPublicationSchema = Type.Object({
  id: IdSchema,
  productId: IdSchema,
  productVersionId: IdSchema,
  kind: Type.Enum(VEX_PUBLICATION_KINDS),
  version: Type.Integer(),
  trackingId: Type.String(),
  sha256: Type.String(),
  statementCount: Type.Integer(),
  publishedBy: Nullable(Type.String()),
  publishedAt: TimestampSchema,
})
export type VexPublication = Static<typeof VexPublicationSchema>

export const PublicAdvisoryParamsSchema = StrictObject({ productId: IdSchema })
export const PublicAdvisoryFileParamsSchema = StrictObject({
  productId: IdSchema,
  publicationId: IdSchema,
})
export const PublicAdvisorySchema = Type.Object({
  id: IdSchema,
  kind: Type.Enum(VEX_PUBLICATION_KINDS),
  productVersion: Type.String(),
  version: Type.Integer(),
  trackingId: Type.String(),
  publishedAt: TimestampSchema,
})
export type PublicAdvisory = Static<typeof PublicAdvisorySchema>
