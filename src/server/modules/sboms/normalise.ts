import { canonicalPurl } from './purl.ts'
import type { SbomComponent, SbomHash, SbomNote } from './sbom.types.ts'

/** Helpers shared by the CycloneDX and SPDX readers, which see schema-valid documents. */

export type Json = Record<string, unknown>

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Shared by every absent array: a scan asks for several per component, most of them absent. */
const NONE: readonly unknown[] = Object.freeze([])

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : NONE
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1')
}

export function pushUnique(list: string[], value: string | undefined): void {
  if (value !== undefined && !list.includes(value)) list.push(value)
}

export function pushHash(list: SbomHash[], algorithm: string, value: string): void {
  const hash = { algorithm, value: value.trim().toLowerCase() }
  if (!list.some((h) => h.algorithm === hash.algorithm && h.value === hash.value)) list.push(hash)
}

/** Sets purl, purlValid, purlParts (or purlError with a note) on a component. */
export function applyPurl(component: SbomComponent, text: string, notes: SbomNote[]): void {
  const result = canonicalPurl(text)
  component.purl = result.purl
  component.purlValid = result.valid
  if (result.valid) {
    component.purlParts = result.parts
  } else {
    component.purlError = result.error
    notes.push({
      code: 'invalid_purl',
      message: `"${text.slice(0, 200)}" is not a valid purl (${result.error}); kept as text`,
      pointer: component.pointer,
    })
  }
}

/** ISO-8601 UTC for a parseable time; undefined (with a note) otherwise. */
export function isoTime(text: string | undefined, pointer: string, notes: SbomNote[]) {
  if (text === undefined) return undefined
  const time = Date.parse(text)
  if (Number.isNaN(time)) {
    notes.push({ code: 'unparsed_time', message: `"${text.slice(0, 100)}" is not a time`, pointer })
    return undefined
  }
  return new Date(time).toISOString()
}

export function newComponent(key: string, pointer: string, name: string): SbomComponent {
  return { key, pointer, isRoot: false, name, cpes: [], hashes: [], licenses: [] }
}

/** Hands out unique keys: a repeated bom-ref or SPDXID gets `#2`, `#3`… and a note. */
export class KeyRegistry {
  private readonly used = new Set<string>()

  constructor(private readonly notes: SbomNote[]) {}

  claim(wanted: string, pointer: string): string {
    if (!this.used.has(wanted)) {
      this.used.add(wanted)
      return wanted
    }
    let n = 2
    while (this.used.has(`${wanted}#${n}`)) n++
    const key = `${wanted}#${n}`
    this.used.add(key)
    this.notes.push({
      code: 'duplicate_key',
      message: `"${wanted.slice(0, 200)}" is used by more than one component; this one is "${key.slice(0, 200)}"`,
      pointer,
    })
    return key
  }
}
