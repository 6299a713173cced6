import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Ajv, type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { canonicalJson } from '../../../common/canonical-json.ts'
import { PROJECT_ROOT } from '../../kernel/paths.ts'
import type { SbomProblem } from './sbom-error.ts'
import type { CycloneDxVersion, SbomFormat, SpdxVersion } from './sbom.types.ts'

/**
 * The official JSON schemas, compiled once per process on first use. CycloneDX's come from
 * @cyclonedx/cyclonedx-library (res/schema, with the SPDX licence-id and JSF schemas they
 * reference); SPDX's are vendored in ./schemas (see the README there).
 */

const SPDX_SCHEMA_DIR = path.join(PROJECT_ROOT, 'src', 'server', 'modules', 'sboms', 'schemas')

function cycloneDxSchemaDir(): string {
  const require = createRequire(import.meta.url)
  const pkg = require.resolve('@cyclonedx/cyclonedx-library/package.json')
  return path.join(path.dirname(pkg), 'res', 'schema')
}

// ajv-formats is CommonJS: the ESM default import is module.exports, whose .default is the plugin.
const addFormats = addFormatsModule.default

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
}

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false })
  addFormats(ajv)
  // Formats that ajv-formats lacks. IRIs allow any non-ASCII, so only whitespace and the
  // characters RFC 3987 excludes are refused; an internationalised address needs one @.
  ajv.addFormat('iri-reference', /^[^\s<>"{}|\\^`]*$/u)
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u)
  return ajv
}

/**
 * `uniqueItems` made linear. Ajv checks `uniqueItems` on arrays of objects by comparing every
 * pair of items with fast-deep-equal: 13–15 s for a 10,000-component CycloneDX 1.6 document,
 * whose schema marks `components` (at every depth), `services`, `dependencies`, `dependsOn` and
 * 40-odd other arrays unique. The CycloneDX schemas are compiled with each `uniqueItems: true`
 * replaced by this keyword, which Ajv applies at exactly the same schema locations (so inside
 * oneOf branches and $refs the verdict is unchanged), and which keys each item by its canonical
 * JSON (sorted keys: equal strings exactly when fast-deep-equal finds the JSON values equal).
 * Every repeated item is reported at its own pointer, naming the first occurrence.
 */
export const LINEAR_UNIQUE_ITEMS = 'x-isn-unique-items'

/** Members that usually tell the items of a unique array apart, in the order they are tried. */
const IDENTITY_MEMBERS = ['bom-ref', 'ref', 'purl', 'name', 'url', 'content', 'value', 'id']

/**
 * A cheap key of a JSON value that deep-equal values always share: the value itself for a
 * scalar; an array's length; for an object, the first of IDENTITY_MEMBERS that holds a string,
 * with that string (deep-equal objects have the same members, so they pick the same one), or
 * else its number of members. Items whose fingerprints differ cannot be equal, so only items that
 * share one are compared by canonical JSON (a 10,000-component SBOM: none). Short on purpose:
 * every item's fingerprint is hashed into a map, and sorting and joining all members cost more
 * than the comparisons they spared.
 */
function fingerprint(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' ? `s${value}` : `p${String(value)}`
  }
  if (Array.isArray(value)) return `a${value.length}`
  const record = value as Record<string, unknown>
  for (const member of IDENTITY_MEMBERS) {
    const held = record[member]
    if (typeof held === 'string') return `o${member}\u0000${held}`
  }
  return `o${Object.keys(record).length}`
}

const linearUniqueItems: SchemaValidateFunction = (
  _schema: boolean,
  data: unknown[],
  _parentSchema,
  dataCxt,
): boolean => {
  const at = dataCxt?.instancePath ?? ''
  // Per fingerprint: its first item, and once a second item shares it, the first index of each
  // canonical JSON among them.
  const groups = new Map<string, { first: number; byCanonical?: Map<string, number> }>()
  const errors: Partial<ErrorObject>[] = []
  for (let i = 0; i < data.length; i++) {
    const print = fingerprint(data[i])
    const group = groups.get(print)
    if (!group) {
      groups.set(print, { first: i })
      continue
    }
    group.byCanonical ??= new Map([[canonicalJson(data[group.first]), group.first]])
    const key = canonicalJson(data[i])
    const earlier = group.byCanonical.get(key)
    if (earlier === undefined) {
      group.byCanonical.set(key, i)
      continue
    }
    errors.push({
      keyword: 'uniqueItems',
      instancePath: `${at}/${i}`,
      params: { i: earlier, j: i, first: `${at}/${earlier}` },
      message: `must NOT have duplicate items (items ## ${earlier} and ${i} are identical)`,
    })
  }
  linearUniqueItems.errors = errors.length > 0 ? errors : undefined
  return errors.length === 0
}

/** Members whose values are maps of names to schemas, where a key is a name, not a keyword. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs'])

/**
 * A copy of `schema` with every `uniqueItems: true` replaced by the linear keyword, and the
 * schema pointers where that was done.
 */
export function withLinearUniqueItems(schema: Record<string, unknown>): {
  schema: Record<string, unknown>
  locations: string[]
} {
  const locations: string[] = []
  const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')
  const copy = (node: unknown, pointer: string, isMap: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => copy(item, `${pointer}/${i}`, false))
    if (typeof node !== 'object' || node === null) return node
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(node)) {
      if (!isMap && key === 'uniqueItems' && value === true) {
        out[LINEAR_UNIQUE_ITEMS] = true
        locations.push(pointer)
        continue
      }
      out[key] = copy(value, `${pointer}/${escape(key)}`, !isMap && SCHEMA_MAPS.has(key))
    }
    return out
  }
  return { schema: copy(schema, '', false) as Record<string, unknown>, locations }
}

function newCycloneDxAjv(linear: boolean): Ajv {
  const dir = cycloneDxSchemaDir()
  const ajv = newAjv()
  if (linear) {
    ajv.addKeyword({
      keyword: LINEAR_UNIQUE_ITEMS,
      type: 'array',
      schemaType: 'boolean',
      validate: linearUniqueItems,
    })
  }
  // The bom schemas refer to these by the file names the library gave them.
  for (const [file, id] of [
    ['spdx.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json'],
    ['jsf-0.82.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json'],
    [
      'cryptography-defs.SNAPSHOT.schema.json',
      'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json',
    ],
  ] as const) {
    if (fs.existsSync(path.join(dir, file))) {
      const referenced = { ...readJson(path.join(dir, file)), $id: id }
      ajv.addSchema(linear ? withLinearUniqueItems(referenced).schema : referenced)
    }
  }
  return ajv
}

/** The CycloneDX schema of one version as published (with `uniqueItems`). */
export function cycloneDxSchema(version: CycloneDxVersion): Record<string, unknown> {
  return readJson(path.join(cycloneDxSchemaDir(), `bom-${version}.SNAPSHOT.schema.json`))
}

/**
 * The schema exactly as published, compiled by a fresh Ajv that checks `uniqueItems` itself
 * (quadratic): for tests that compare verdicts with the validator the parser uses.
 */
export function publishedCycloneDxValidator(version: CycloneDxVersion): ValidateFunction {
  return newCycloneDxAjv(false).compile(cycloneDxSchema(version))
}

let cycloneDxAjv: Ajv | undefined
const validators = new Map<string, ValidateFunction>()

function cycloneDxValidator(version: CycloneDxVersion): ValidateFunction {
  cycloneDxAjv ??= newCycloneDxAjv(true)
  return cycloneDxAjv.compile(withLinearUniqueItems(cycloneDxSchema(version)).schema)
}

function spdxValidator(version: SpdxVersion): ValidateFunction {
  return newAjv().compile(readJson(path.join(SPDX_SCHEMA_DIR, `spdx-${version}.schema.json`)))
}

/** The compiled validator for one format and version. */
export function schemaValidator(
  format: SbomFormat,
  version: CycloneDxVersion | SpdxVersion,
): ValidateFunction {
  const key = `${format}@${version}`
  let validator = validators.get(key)
  if (!validator) {
    validator =
      format === 'cyclonedx'
        ? cycloneDxValidator(version as CycloneDxVersion)
        : spdxValidator(version as SpdxVersion)
    validators.set(key, validator)
  }
  return validator
}

function listed(values: unknown): string {
  if (!Array.isArray(values)) return ''
  const shown = values.slice(0, 12).map((v) => JSON.stringify(v))
  return shown.join(', ') + (values.length > 12 ? `, … (${values.length} in all)` : '')
}

/** One Ajv error as a pointer and a plain sentence. */
export function describeSchemaError(error: ErrorObject): SbomProblem {
  const params = error.params as Record<string, unknown>
  const at = error.instancePath
  switch (error.keyword) {
    case 'required':
      return {
        pointer: at,
        message: `missing required property "${String(params.missingProperty)}"`,
      }
    case 'additionalProperties':
      return {
        pointer: `${at}/${String(params.additionalProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`,
        message: 'property not allowed here',
      }
    case 'enum':
      return { pointer: at, message: `must be one of ${listed(params.allowedValues)}` }
    case 'const':
      return { pointer: at, message: `must be ${JSON.stringify(params.allowedValue)}` }
    case 'type':
      return { pointer: at, message: `must be of type ${String(params.type)}` }
    case 'format':
      return { pointer: at, message: `must be a valid ${String(params.format)}` }
    case 'pattern':
      return { pointer: at, message: `must match the pattern ${String(params.pattern)}` }
    case 'uniqueItems':
      return {
        pointer: at,
        message:
          typeof params.first === 'string'
            ? `repeats ${params.first || '/'}; the items of this array must be unique`
            : (error.message ?? 'the items of this array must be unique'),
      }
    case 'oneOf':
    case 'anyOf':
      return { pointer: at, message: 'matches none of the allowed forms' }
    default:
      return { pointer: at, message: error.message ?? `fails the ${error.keyword} rule` }
  }
}
