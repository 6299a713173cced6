import fs from 'node:fs'
import path from 'node:path'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { PROJECT_ROOT } from '../../kernel/paths.ts'
import type { AdvisoryProblem } from './advisory.types.ts'

/**
 * The vendored OSV 1.7, CSAF 2.0 (with the FIRST CVSS schemas it references) and KEV schemas
 * (./schemas, see the README there), compiled once per process on first use.
 */

const SCHEMA_DIR = path.join(PROJECT_ROOT, 'src', 'server', 'modules', 'advisories', 'schemas')

// ajv-formats is CommonJS: the ESM default import is module.exports, whose .default is the plugin.
const addFormats = addFormatsModule.default

function readSchema(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>
}

export type AdvisorySchema = 'osv' | 'csaf' | 'kev'

let ajv: Ajv2020 | undefined
const validators = new Map<AdvisorySchema, ValidateFunction>()

function newAjv(): Ajv2020 {
  const instance = new Ajv2020({ allErrors: true, strict: false, validateSchema: false })
  addFormats(instance)
  // CSAF refers to the CVSS schemas by these addresses; the files' own ids carry a date suffix
  // (draft-04 `id`), so they are registered under the addresses CSAF uses.
  for (const [file, id] of [
    ['cvss-v2.0.schema.json', 'https://www.first.org/cvss/cvss-v2.0.json'],
    ['cvss-v3.0.schema.json', 'https://www.first.org/cvss/cvss-v3.0.json'],
    ['cvss-v3.1.schema.json', 'https://www.first.org/cvss/cvss-v3.1.json'],
  ] as const) {
    const { id: _draft4Id, $schema: _dialect, ...schema } = readSchema(file)
    instance.addSchema({ ...schema, $id: id })
  }
  return instance
}

const FILES: Record<AdvisorySchema, string> = {
  osv: 'osv-1.7.schema.json',
  csaf: 'csaf-2.0.schema.json',
  kev: 'kev.schema.json',
}

/** The compiled validator of one format. */
export function advisoryValidator(kind: AdvisorySchema): ValidateFunction {
  let validator = validators.get(kind)
  if (!validator) {
    ajv ??= newAjv()
    const { $schema: _dialect, ...schema } = readSchema(FILES[kind])
    validator = ajv.compile(schema)
    validators.set(kind, validator)
  }
  return validator
}

function listed(values: unknown): string {
  if (!Array.isArray(values)) return ''
  const shown = values.slice(0, 8).map((v) => JSON.stringify(v))
  return shown.join(', ') + (values.length > 8 ? `, … (${values.length} in all)` : '')
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')

/** One Ajv error as a JSON pointer (under `base`) and a plain sentence. */
export function describeSchemaError(error: ErrorObject, base = ''): Omit<AdvisoryProblem, 'path'> {
  const params = error.params as Record<string, unknown>
  const at = base + error.instancePath
  switch (error.keyword) {
    case 'required':
      return {
        pointer: at,
        message: `missing required property "${String(params.missingProperty)}"`,
      }
    case 'additionalProperties':
      return {
        pointer: `${at}/${escapePointer(String(params.additionalProperty))}`,
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

/**
 * Validates `value` and returns its problems (empty when valid). Only the errors that say most
 * are kept: an `anyOf`/`oneOf` failure is reported once rather than with every branch's errors.
 */
export function validateAgainst(
  kind: AdvisorySchema,
  value: unknown,
  base = '',
  max = 20,
): Omit<AdvisoryProblem, 'path'>[] {
  const validate = advisoryValidator(kind)
  if (validate(value)) return []
  const errors = validate.errors ?? []
  const branchPaths = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .map((e) => e.instancePath)
  const kept = errors.filter(
    (e) =>
      e.keyword === 'oneOf' ||
      e.keyword === 'anyOf' ||
      !branchPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`)),
  )
  const seen = new Set<string>()
  const problems: Omit<AdvisoryProblem, 'path'>[] = []
  for (const error of kept) {
    const problem = describeSchemaError(error, base)
    const key = `${problem.pointer}\0${problem.message}`
    if (seen.has(key)) continue
    seen.add(key)
    problems.push(problem)
    if (problems.length >= max) break
  }
  return problems
}
