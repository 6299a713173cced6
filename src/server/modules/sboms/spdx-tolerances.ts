import type { ErrorObject } from 'ajv'
import type { SbomNote, SpdxVersion } from './sbom.types.ts'

/*
 * The schema deviations of real SPDX generators that are accepted with a warning instead of
 * refused: a short, named list. Each is something the parser does not read or reads the same
 * way either way; anything that matching or the document's structure depends on (SPDXID, name,
 * versionInfo, externalRefs, relationships between elements, types and formats) is never relaxed.
 */

/**
 * Required members that may be missing, by where the object is. trivy 0.x's SPDX 2.2 output
 * leaves out all of these (its issues 3601, 3748 and 10367); SPDX 2.3 made the package licence
 * and copyright fields optional, and 2.3.1 says an omitted field means NOASSERTION.
 */
const TOLERATED_OMISSIONS: Record<'packages' | 'files', Record<string, string>> = {
  packages: {
    downloadLocation: 'read as NOASSERTION',
    copyrightText: 'read as NOASSERTION',
    licenseConcluded: 'read as NOASSERTION',
    licenseDeclared: 'read as NOASSERTION',
  },
  files: {
    checksums: 'files are not read, so nothing is checked against them',
    copyrightText: 'files are not read',
    licenseConcluded: 'files are not read',
    licenseInfoInFiles: 'files are not read',
  },
}

/** Category spellings of the SPDX 2.2 schema, common in real 2.3 files, read with a hyphen. */
const TOLERATED_CATEGORIES = new Set(['PACKAGE_MANAGER', 'PERSISTENT_ID'])

/** trivy 0.x wrote the document's DESCRIBES relationship as DESCRIBE (its issue 3100). */
const TOLERATED_RELATIONSHIP = 'DESCRIBE'

const OMISSION_AT = /^\/(packages|files)\/\d+$/u
const CATEGORY_AT = /^\/packages\/\d+\/externalRefs\/\d+\/referenceCategory$/u
const RELATIONSHIP_AT = /^\/relationships\/\d+\/relationshipType$/u

interface Tally {
  count: number
  /** The first place it was met (JSON pointer). */
  pointer: string
}

/**
 * Collects the tolerated schema errors of one SPDX document and turns them into warnings: one
 * per kind, with how many times and where first, so a file with 100,000 packages that all lack
 * downloadLocation gives one warning, not 100,000.
 */
export class SpdxTolerances {
  private readonly omissions = new Map<string, Tally>()
  private categories: Tally | undefined
  private relationships: Tally | undefined

  constructor(
    private readonly doc: unknown,
    private readonly version: SpdxVersion,
  ) {}

  /** True when the error is on the list (and counted); false when it must refuse the file. */
  tolerate(error: ErrorObject): boolean {
    const at = error.instancePath
    if (error.keyword === 'required') {
      const where = OMISSION_AT.exec(at)?.[1] as 'packages' | 'files' | undefined
      const member = (error.params as { missingProperty?: unknown }).missingProperty
      if (where === undefined || typeof member !== 'string') return false
      if (!Object.hasOwn(TOLERATED_OMISSIONS[where], member)) return false
      count(this.omissions, `${where}\u0000${member}`, at)
      return true
    }
    if (error.keyword !== 'enum') return false
    if (CATEGORY_AT.test(at) && TOLERATED_CATEGORIES.has(String(valueAt(this.doc, at)))) {
      this.categories = bump(this.categories, at)
      return true
    }
    if (RELATIONSHIP_AT.test(at) && valueAt(this.doc, at) === TOLERATED_RELATIONSHIP) {
      this.relationships = bump(this.relationships, at)
      return true
    }
    return false
  }

  /** The warnings, in a stable order: omissions (packages, then files), categories, relationships. */
  warnings(): SbomNote[] {
    const notes: SbomNote[] = []
    for (const where of ['packages', 'files'] as const) {
      for (const [member, effect] of Object.entries(TOLERATED_OMISSIONS[where])) {
        const tally = this.omissions.get(`${where}\u0000${member}`)
        if (!tally) continue
        const things =
          where === 'packages'
            ? plural(tally.count, 'package', 'packages')
            : plural(tally.count, 'file', 'files')
        notes.push({
          code: 'tolerated_omission',
          message: `${things} leave${tally.count === 1 ? 's' : ''} out ${member}, which SPDX ${this.version} requires; ${effect} (the first at ${tally.pointer})`,
          pointer: tally.pointer,
        })
      }
    }
    if (this.categories) {
      notes.push({
        code: 'tolerated_category',
        message: `${plural(this.categories.count, 'external reference uses', 'external references use')} the category spelling PACKAGE_MANAGER or PERSISTENT_ID; read as PACKAGE-MANAGER / PERSISTENT-ID`,
        pointer: '/packages',
      })
    }
    if (this.relationships) {
      notes.push({
        code: 'tolerated_relationship',
        message: `${plural(this.relationships.count, 'relationship has', 'relationships have')} the type DESCRIBE, which SPDX does not define; read as DESCRIBES (the first at ${this.relationships.pointer})`,
        pointer: this.relationships.pointer,
      })
    }
    return notes
  }
}

function count(map: Map<string, Tally>, key: string, pointer: string): void {
  map.set(key, bump(map.get(key), pointer))
}

function bump(tally: Tally | undefined, pointer: string): Tally {
  return tally ? { ...tally, count: tally.count + 1 } : { count: 1, pointer }
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

export function valueAt(doc: unknown, pointer: string): unknown {
  let node = doc
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replace(/~1/gu, '/').replace(/~0/gu, '~')
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}
