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
  SbomPedigree,
  SbomTool,
} from './sbom.types.ts'

export interface Normalised {
  document: SbomDocument
  components: SbomComponent[]
  dependencies: SbomDependency[]
}

/** Counts components at every depth without recursion (checked against the limit early). */
export function countCycloneDxComponents(bom: Json): number {
  const stack: unknown[] = [...asArray(bom.components)]
  const metadata = bom.metadata
  if (isObject(metadata) && isObject(metadata.component)) stack.push(metadata.component)
  let count = 0
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    count++
    if (isObject(item)) for (const child of asArray(item.components)) stack.push(child)
  }
  return count
}

function organisation(value: unknown): string | undefined {
  return isObject(value) ? asString(value.name) : undefined
}

/** CycloneDX 1.6 `authors`: their names, comma-separated. */
function authors(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined
  const names: string[] = []
  for (const a of value) {
    const name = isObject(a) ? asString(a.name) : undefined
    if (name !== undefined) names.push(name)
  }
  return names.join(', ')
}

function licenses(value: unknown, into: string[]): void {
  for (const entry of asArray(value)) {
    if (!isObject(entry)) continue
    pushUnique(into, asString(entry.expression))
    if (isObject(entry.license)) {
      pushUnique(into, asString(entry.license.id) ?? asString(entry.license.name))
    }
  }
}

function pedigree(value: unknown): SbomPedigree | undefined {
  if (!isObject(value)) return undefined
  const result: SbomPedigree = {
    ancestors: asArray(value.ancestors)
      .filter(isObject)
      .map((a) => ({
        ...(asString(a.name) ? { name: asString(a.name) } : {}),
        ...(asString(a.version) ? { version: asString(a.version) } : {}),
        ...(asString(a.purl) ? { purl: asString(a.purl) } : {}),
      })),
    patches: asArray(value.patches)
      .filter(isObject)
      .map((p) => {
        const diffUrl = isObject(p.diff) ? asString(p.diff.url) : undefined
        const resolves: string[] = []
        for (const issue of asArray(p.resolves)) {
          if (isObject(issue)) pushUnique(resolves, asString(issue.id) ?? asString(issue.name))
        }
        return {
          ...(asString(p.type) ? { type: asString(p.type) } : {}),
          ...(diffUrl ? { diffUrl } : {}),
          resolves,
        }
      }),
  }
  const notes = asString(value.notes)
  if (notes) result.notes = notes
  return result.ancestors.length > 0 || result.patches.length > 0 || notes ? result : undefined
}

function tools(metadata: Json): SbomTool[] {
  const result: SbomTool[] = []
  const add = (tool: unknown): void => {
    if (!isObject(tool)) return
    const name = asString(tool.name)
    if (!name) return
    const version = asString(tool.version)
    const vendor =
      asString(tool.vendor) ?? organisation(tool.manufacturer) ?? organisation(tool.supplier)
    result.push({ name, ...(version ? { version } : {}), ...(vendor ? { vendor } : {}) })
  }
  // 1.4: an array of tools; 1.5+: { components, services } (the array form is deprecated).
  if (Array.isArray(metadata.tools)) metadata.tools.forEach(add)
  else if (isObject(metadata.tools)) {
    asArray(metadata.tools.components).forEach(add)
    asArray(metadata.tools.services).forEach(add)
  }
  return result
}

/** Reads a schema-valid CycloneDX 1.4–1.6 BOM into the normalised form. */
export function readCycloneDx(bom: Json, notes: SbomNote[]): Normalised {
  const metadata = isObject(bom.metadata) ? bom.metadata : {}
  const keys = new KeyRegistry(notes)
  const refToKey = new Map<string, string>()
  const components: SbomComponent[] = []

  // Depth-first in document order, without recursion: a parent comes before its children.
  type Pending = { value: unknown; pointer: string; parentKey?: string; isRoot: boolean }
  const stack: Pending[] = []
  const rootValue = metadata.component
  const top = asArray(bom.components)
  for (let i = top.length - 1; i >= 0; i--) {
    stack.push({ value: top[i], pointer: `/components/${i}`, isRoot: false })
  }
  if (isObject(rootValue)) {
    stack.push({ value: rootValue, pointer: '/metadata/component', isRoot: true })
  }

  let rootKey: string | undefined
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (!isObject(item.value)) continue
    const c = item.value
    const ref = asString(c['bom-ref'])
    const key = keys.claim(ref ?? item.pointer, item.pointer)
    if (ref && !refToKey.has(ref)) refToKey.set(ref, key)
    const component = newComponent(key, item.pointer, asString(c.name) ?? '')
    component.isRoot = item.isRoot
    if (item.isRoot) rootKey = key
    if (item.parentKey) component.parentKey = item.parentKey
    const group = asString(c.group)
    if (group) component.group = group
    const version = asString(c.version)
    if (version) component.version = version
    const type = asString(c.type)
    if (type) component.type = type
    const supplier = organisation(c.supplier) ?? organisation(c.manufacturer)
    if (supplier) component.supplier = supplier
    const author = asString(c.author) ?? authors(c.authors)
    if (author) component.author = author
    const purl = asString(c.purl)
    if (purl) applyPurl(component, purl, notes)
    pushUnique(component.cpes, asString(c.cpe)?.trim())
    for (const hash of asArray(c.hashes)) {
      if (isObject(hash) && asString(hash.alg) && asString(hash.content)) {
        pushHash(component.hashes, String(hash.alg), String(hash.content))
      }
    }
    licenses(c.licenses, component.licenses)
    const ped = pedigree(c.pedigree)
    if (ped) component.pedigree = ped
    if (!component.version && component.purlParts?.version) {
      component.version = component.purlParts.version
    }
    components.push(component)

    const children = asArray(c.components)
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({
        value: children[i],
        pointer: `${item.pointer}/components/${i}`,
        parentKey: key,
        isRoot: false,
      })
    }
  }

  const dependencies: SbomDependency[] = []
  const seen = new Set<string>()
  let dangling = 0
  for (const entry of asArray(bom.dependencies)) {
    if (!isObject(entry)) continue
    const from = refToKey.get(String(entry.ref))
    for (const target of asArray(entry.dependsOn)) {
      const to = refToKey.get(String(target))
      if (!from || !to) {
        dangling++
        continue
      }
      const id = `${from}\u0000${to}`
      if (seen.has(id)) continue
      seen.add(id)
      dependencies.push({ from, to, kind: 'depends_on' })
    }
    if (!from && asArray(entry.dependsOn).length === 0) dangling++
  }
  if (dangling > 0) {
    notes.push({
      code: 'dangling_reference',
      message: `${dangling} dependency reference${dangling === 1 ? '' : 's'} name no component in the BOM and were left out`,
      pointer: '/dependencies',
    })
  }

  const document: SbomDocument = { tools: tools(metadata), authors: [] }
  const serial = asString(bom.serialNumber)
  if (serial) document.serialNumber = serial
  if (typeof bom.version === 'number') document.bomVersion = bom.version
  const created = isoTime(asString(metadata.timestamp), '/metadata/timestamp', notes)
  if (created) document.createdAt = created
  for (const author of asArray(metadata.authors)) {
    if (isObject(author)) pushUnique(document.authors, asString(author.name))
  }
  if (rootKey) document.rootKey = rootKey
  return { document, components, dependencies }
}
