import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
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

let cycloneDxAjv: Ajv | undefined
const validators = new Map<string, ValidateFunction>()

function cycloneDxValidator(version: CycloneDxVersion): ValidateFunction {
  if (!cycloneDxAjv) {
    const dir = cycloneDxSchemaDir()
    cycloneDxAjv = newAjv()
    // The bom schemas refer to these by the file names the library gave them.
    for (const [file, id] of [
      ['spdx.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json'],
      [
        'jsf-0.82.SNAPSHOT.schema.json',
        'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json',
      ],
      [
        'cryptography-defs.SNAPSHOT.schema.json',
        'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json',
      ],
    ] as const) {
      if (fs.existsSync(path.join(dir, file))) {
        cycloneDxAjv.addSchema({ ...readJson(path.join(dir, file)), $id: id })
      }
    }
  }
  const schema = readJson(path.join(cycloneDxSchemaDir(), `bom-${version}.SNAPSHOT.schema.json`))
  return cycloneDxAjv.compile(schema)
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
    case 'oneOf':
    case 'anyOf':
      return { pointer: at, message: 'matches none of the allowed forms' }
    default:
      return { pointer: at, message: error.message ?? `fails the ${error.keyword} rule` }
  }
}
