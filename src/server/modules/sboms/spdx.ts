import type { Normalised } from './cyclonedx.ts'
import {
  applyPurl,
  asArray,
  asString,
  isObject,
  isoTime,
  type Json,
  KeyRegistry,
  newComponent,
  pushHash,
  pushUnique,
} from './normalise.ts'
import type {
  SbomComponent,
  SbomDependency,
  SbomDocument,
  SbomNote,
  SbomTool,
} from './sbom.types.ts'

/** SPDX checksum algorithms in CycloneDX spelling, so both formats store the same names. */
const HASH_ALGORITHMS: Record<string, string> = {
  SHA1: 'SHA-1',
  SHA224: 'SHA-224',
  SHA256: 'SHA-256',
  SHA384: 'SHA-384',
  SHA512: 'SHA-512',
}

const NO_VALUE = new Set(['NOASSERTION', 'NONE'])

/** "Organization: Acme (a@b)" → "Acme (a@b)"; NOASSERTION → undefined. */
function agent(value: unknown): string | undefined {
  const text = asString(value)?.trim()
  if (!text || NO_VALUE.has(text)) return undefined
  return text.replace(/^(Organization|Person|Tool):\s*/u, '') || undefined
}

function license(value: unknown): string | undefined {
  const text = asString(value)?.trim()
  return text && !NO_VALUE.has(text) ? text : undefined
}

/** "syft-0.80.0" → { name: syft, version: 0.80.0 }; "bom-v0.4.1" likewise. */
function tool(text: string): SbomTool {
  const match = /^(.*?)[-\s]v?(\d[\w.+-]*)$/u.exec(text)
  return match?.[1] && match[2] ? { name: match[1], version: match[2] } : { name: text }
}

const CATEGORY_SPELLINGS: Record<string, string> = {
  PACKAGE_MANAGER: 'PACKAGE-MANAGER',
  PERSISTENT_ID: 'PERSISTENT-ID',
}

/** Reads a schema-valid SPDX 2.2 / 2.3 JSON document into the normalised form. */
export function readSpdx(doc: Json, notes: SbomNote[]): Normalised {
  const keys = new KeyRegistry(notes)
  const idToKey = new Map<string, string>()
  const components: SbomComponent[] = []

  asArray(doc.packages).forEach((value, i) => {
    if (!isObject(value)) return
    const pointer = `/packages/${i}`
    const id = asString(value.SPDXID)
    const key = keys.claim(id ?? pointer, pointer)
    if (id && !idToKey.has(id)) idToKey.set(id, key)
    const component = newComponent(key, pointer, asString(value.name) ?? '')
    const version = asString(value.versionInfo)
    if (version && !NO_VALUE.has(version)) component.version = version
    const purpose = asString(value.primaryPackagePurpose)
    if (purpose) component.type = purpose.toLowerCase().replace(/_/g, '-')
    const supplier = agent(value.supplier)
    if (supplier) component.supplier = supplier
    const originator = agent(value.originator)
    if (originator) component.author = originator
    for (const checksum of asArray(value.checksums)) {
      if (!isObject(checksum)) continue
      const algorithm = String(checksum.algorithm)
      pushHash(
        component.hashes,
        HASH_ALGORITHMS[algorithm] ?? algorithm,
        String(checksum.checksumValue),
      )
    }
    pushUnique(component.licenses, license(value.licenseConcluded))
    pushUnique(component.licenses, license(value.licenseDeclared))
    for (const ref of asArray(value.externalRefs)) {
      if (!isObject(ref)) continue
      const category = String(ref.referenceCategory)
      const type = String(ref.referenceType)
      const locator = String(ref.referenceLocator).trim()
      const normalisedCategory = CATEGORY_SPELLINGS[category] ?? category
      if (
        type === 'purl' &&
        normalisedCategory === 'PACKAGE-MANAGER' &&
        component.purl === undefined
      ) {
        applyPurl(component, locator, notes)
      } else if (
        (type === 'cpe22Type' || type === 'cpe23Type') &&
        normalisedCategory === 'SECURITY'
      ) {
        pushUnique(component.cpes, locator)
      }
    }
    if (!component.version && component.purlParts?.version) {
      component.version = component.purlParts.version
    }
    components.push(component)
  })

  const byKey = new Map(components.map((c) => [c.key, c]))
  const described = new Set<string>(asArray(doc.documentDescribes).map(String))
  const documentId = asString(doc.SPDXID) ?? 'SPDXRef-DOCUMENT'
  const dependencies: SbomDependency[] = []
  const seen = new Set<string>()
  let ignored = 0
  const edge = (fromId: string, toId: string, kind: SbomDependency['kind']): void => {
    const from = idToKey.get(fromId)
    const to = idToKey.get(toId)
    // Relationships to files, snippets and other documents are not component edges.
    if (!from || !to) {
      ignored++
      return
    }
    const id = `${kind}\u0000${from}\u0000${to}`
    if (seen.has(id)) return
    seen.add(id)
    dependencies.push({ from, to, kind })
  }
  for (const rel of asArray(doc.relationships)) {
    if (!isObject(rel)) continue
    const a = String(rel.spdxElementId)
    const b = String(rel.relatedSpdxElement)
    switch (rel.relationshipType) {
      case 'DEPENDS_ON':
        edge(a, b, 'depends_on')
        break
      case 'DEPENDENCY_OF':
        edge(b, a, 'depends_on')
        break
      case 'CONTAINS':
        edge(a, b, 'contains')
        break
      case 'CONTAINED_BY':
        edge(b, a, 'contains')
        break
      // DESCRIBE is trivy 0.x's misspelling, let through with a warning (spdx-tolerances.ts).
      case 'DESCRIBES':
      case 'DESCRIBE':
        if (a === documentId) described.add(b)
        break
      case 'DESCRIBED_BY':
        if (b === documentId) described.add(a)
        break
      default:
        break
    }
  }
  if (ignored > 0) {
    notes.push({
      code: 'dangling_reference',
      message: `${ignored} relationship${ignored === 1 ? '' : 's'} between a package and a file, snippet or unknown element were left out`,
      pointer: '/relationships',
    })
  }

  const document: SbomDocument = { tools: [], authors: [] }
  const namespace = asString(doc.documentNamespace)
  if (namespace) document.namespace = namespace
  const name = asString(doc.name)
  if (name) document.name = name
  const creationInfo = isObject(doc.creationInfo) ? doc.creationInfo : {}
  const created = isoTime(asString(creationInfo.created), '/creationInfo/created', notes)
  if (created) document.createdAt = created
  for (const creator of asArray(creationInfo.creators)) {
    const text = asString(creator)?.trim()
    if (!text) continue
    if (text.startsWith('Tool:')) document.tools.push(tool(text.slice(5).trim()))
    else pushUnique(document.authors, agent(text))
  }
  // The root is the one described package; with several, the first that is a package.
  for (const id of described) {
    const key = idToKey.get(id)
    const component = key === undefined ? undefined : byKey.get(key)
    if (component) {
      component.isRoot = true
      document.rootKey ??= component.key
    }
  }
  return { document, components, dependencies }
}
