/**
 * The normalised form of one uploaded SBOM, shaped for storage: one document row (keyed by the
 * SHA-256 of the uploaded bytes), one row per component and one per dependency edge. Keys are
 * unique within the document, so edges and parents can refer to them directly.
 */

export type SbomFormat = 'cyclonedx' | 'spdx'
export type CycloneDxVersion = '1.4' | '1.5' | '1.6'
export type SpdxVersion = '2.2' | '2.3'

export interface ParsedSbom {
  /** Hex SHA-256 of the bytes as uploaded: the address of the stored file. */
  sha256: string
  byteLength: number
  fileName?: string
  format: SbomFormat
  specVersion: CycloneDxVersion | SpdxVersion
  document: SbomDocument
  /** Every component, nested ones flattened after their parent, the described root included. */
  components: SbomComponent[]
  dependencies: SbomDependency[]
  /**
   * Things the parser accepted but that a reviewer may want to know (never fatal); the warnings
   * among them (schema deviations accepted) come first and are never cut.
   */
  notes: SbomNote[]
  /** Milliseconds spent in JSON.parse, schema validation and normalisation. */
  timings: { parseMs: number; validateMs: number; normaliseMs: number }
}

export interface SbomDocument {
  /** CycloneDX `serialNumber` (urn:uuid:…). */
  serialNumber?: string
  /** CycloneDX BOM `version` (an integer counting revisions of the same BOM). */
  bomVersion?: number
  /** SPDX `documentNamespace`. */
  namespace?: string
  /** SPDX document `name`. */
  name?: string
  /** Creation time as ISO-8601 UTC, when the document gives one that parses. */
  createdAt?: string
  tools: SbomTool[]
  /** People and organisations named as authors (SPDX creators that are not tools). */
  authors: string[]
  /** Key of the component the document describes (CycloneDX metadata.component, SPDX DESCRIBES). */
  rootKey?: string
}

export interface SbomTool {
  name: string
  version?: string
  vendor?: string
}

export interface SbomComponent {
  /** bom-ref or SPDXID; a JSON pointer when the document gives neither. Unique per document. */
  key: string
  /** Where the component is in the uploaded document (JSON pointer). */
  pointer: string
  /** Key of the component this one is nested in (CycloneDX `components[].components`). */
  parentKey?: string
  isRoot: boolean
  name: string
  /** CycloneDX `group` (e.g. a Maven groupId or npm scope). */
  group?: string
  version?: string
  /** CycloneDX `type`, or SPDX `primaryPackagePurpose` in the same spelling (`operating-system`). */
  type?: string
  supplier?: string
  author?: string
  /** Canonical purl when `purlValid`; otherwise the text as found. */
  purl?: string
  purlValid?: boolean
  /** Why the purl could not be parsed. */
  purlError?: string
  purlParts?: PurlParts
  /** CPE 2.2 URIs and 2.3 formatted strings, as found, without duplicates. */
  cpes: string[]
  hashes: SbomHash[]
  /** SPDX ids, licence names or expressions, without duplicates (NOASSERTION and NONE left out). */
  licenses: string[]
  pedigree?: SbomPedigree
  /** Keys of duplicate components (same purl and version) merged into this one. */
  mergedKeys?: string[]
}

export interface PurlParts {
  type: string
  namespace?: string
  name: string
  version?: string
  qualifiers?: Record<string, string>
  subpath?: string
}

export interface SbomHash {
  /** CycloneDX spelling (`SHA-256`, `SHA-1`, `MD5`, `SHA3-256`, `BLAKE2b-256`…), also for SPDX. */
  algorithm: string
  /** Lower-case hex. */
  value: string
}

export interface SbomPedigree {
  ancestors: { name?: string; version?: string; purl?: string }[]
  patches: { type?: string; diffUrl?: string; resolves: string[] }[]
  notes?: string
}

export interface SbomDependency {
  from: string
  to: string
  kind: 'depends_on' | 'contains'
}

export interface SbomNote {
  /** The `tolerated_*` codes are warnings (`SBOM_WARNING_CODES`): deviations from the schema. */
  code:
    | 'invalid_purl'
    | 'duplicate_merged'
    | 'duplicate_key'
    | 'dangling_reference'
    | 'tolerated_category'
    | 'tolerated_omission'
    | 'tolerated_relationship'
    | 'unparsed_time'
  message: string
  pointer?: string
}

export interface SbomLimits {
  /** Largest accepted upload in bytes; checked before anything is parsed. */
  maxBytes: number
  /** Most components (CycloneDX components at any depth, SPDX packages). */
  maxComponents: number
  /** Deepest JSON nesting accepted (objects and arrays). */
  maxDepth: number
  /** Most schema problems listed in an error (the total is always given). */
  maxProblems: number
}

export const DEFAULT_SBOM_LIMITS: SbomLimits = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxComponents: 100_000,
  maxDepth: 256,
  maxProblems: 100,
})
