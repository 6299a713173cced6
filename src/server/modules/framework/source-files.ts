import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import type * as Yaml from 'yaml'
import type { Node } from 'yaml'
import { PROJECT_ROOT } from '../../kernel/paths.ts'

// yaml is loaded on first use: a start reads the checked framework kept in dist/ and parses the
// YAML only after the sources changed, so loading it at import cost every start ≈ 40 ms of CPU.
const requireModule = createRequire(import.meta.url)
let yamlModule: typeof Yaml | undefined
const yaml = (): typeof Yaml => (yamlModule ??= requireModule('yaml') as typeof Yaml)

/**
 * Reading the framework's YAML sources: every problem is reported with the file, the line and
 * column, and the JSON pointer inside the file's data, so that a reviewer can jump to it.
 */

export const FRAMEWORK_DIR = path.join(PROJECT_ROOT, 'framework')
export const SCHEMA_DIR = path.join(FRAMEWORK_DIR, 'schema')

/** One problem in one file; `text` is the one-line form `<file>:<line>:<col> <pointer>: <message>`. */
export interface SourceProblem {
  file: string
  line?: number
  column?: number
  /** JSON pointer into the file's data, e.g. /items/3/status. */
  pointer?: string
  message: string
  text: string
}

export interface Position {
  line?: number
  column?: number
  pointer?: string
}

export function problem(file: string, message: string, where: Position = {}): SourceProblem {
  const position = where.line === undefined ? '' : `:${where.line}:${where.column ?? 1}`
  const pointer = where.pointer === undefined ? '' : ` ${where.pointer || '/'}:`
  return { file, ...where, message, text: `${file}${position}${pointer} ${message}` }
}

const validators = new Map<string, ValidateFunction>()

/** The compiled validator of one schema in framework/schema/ (compiled once per process). */
export function schemaValidator(schemaFile: string): ValidateFunction {
  let validator = validators.get(schemaFile)
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, schemaFile), 'utf8')) as object
    validator = new Ajv2020({
      allErrors: true,
      strictTypes: false,
      strictTuples: false,
      validateFormats: false,
    }).compile(schema)
    validators.set(schemaFile, validator)
  }
  return validator
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/** The deepest YAML node that the pointer reaches (the node itself, or its nearest ancestor). */
function nodeAt(root: unknown, segments: string[]): Node | undefined {
  const { isCollection, isMap, isSeq } = yaml()
  let node = root as Node | undefined
  for (const segment of segments) {
    let next: unknown
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const key: unknown = p.key
        return (
          (isCollection(key) ? undefined : String((key as { value?: unknown })?.value ?? key)) ===
          segment
        )
      })
      next = pair?.value
    } else if (isSeq(node) && /^\d+$/.test(segment)) {
      next = node.items[Number(segment)]
    }
    if (next === undefined || next === null || typeof next !== 'object' || !('range' in next)) {
      return node
    }
    node = next as Node
  }
  return node
}

function describe(error: ErrorObject): { pointer: string; message: string } {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return {
        pointer: error.instancePath,
        message: `missing required field "${String(params.missingProperty)}"`,
      }
    case 'additionalProperties':
      return {
        pointer: `${error.instancePath}/${String(params.additionalProperty)}`,
        message: `unknown field "${String(params.additionalProperty)}"`,
      }
    case 'unevaluatedProperties':
      return {
        pointer: `${error.instancePath}/${String(params.unevaluatedProperty)}`,
        message: `unknown field "${String(params.unevaluatedProperty)}"`,
      }
    case 'enum':
      return {
        pointer: error.instancePath,
        message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      }
    default:
      return { pointer: error.instancePath, message: error.message ?? error.keyword }
  }
}

/** A parsed source file: its data when it is valid YAML that passes its schema, and its problems. */
export interface SourceFile<T> {
  file: string
  data?: T
  problems: SourceProblem[]
  /** A problem at a JSON pointer of this file, with the line and column it starts at. */
  problemAt(pointer: string, message: string): SourceProblem
}

/**
 * Parses one YAML file and validates it against a schema in framework/schema/. Never throws:
 * YAML syntax errors, duplicate keys and schema violations all come back as problems.
 */
export function parseSourceFile<T>(text: string, file: string, schemaFile: string): SourceFile<T> {
  const { isDocument, LineCounter, parseDocument } = yaml()
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    logLevel: 'error',
  })
  const problemAt = (pointer: string, message: string) => {
    const node = isDocument(doc) ? nodeAt(doc.contents, decodePointer(pointer)) : undefined
    if (!node?.range) return problem(file, message, { pointer })
    const { line, col } = lineCounter.linePos(node.range[0])
    return problem(file, message, { line, column: col, pointer })
  }
  const problems: SourceProblem[] = []
  for (const error of doc.errors) {
    const start = lineCounter.linePos(error.pos[0])
    const message = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')
    problems.push(
      problem(file, `${message ?? 'YAML syntax error'} (${error.code})`, {
        line: start.line,
        column: start.col,
      }),
    )
  }
  if (problems.length > 0) return { file, problems, problemAt }

  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    const message = `cannot read the YAML data: ${(error as Error).message}`
    return { file, problems: [problem(file, message)], problemAt }
  }

  const check = schemaValidator(schemaFile)
  if (!check(data)) {
    for (const error of check.errors ?? []) {
      if (error.keyword === 'if') continue
      const { pointer, message } = describe(error)
      problems.push(problemAt(pointer, message))
    }
    return { file, problems, problemAt }
  }
  return { file, data: data as T, problems, problemAt }
}

/** Reads a file, turning a read error into a problem. */
export function readSource(dir: string, name: string): { text?: string; problem?: SourceProblem } {
  try {
    return { text: fs.readFileSync(path.join(dir, name), 'utf8') }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return {
      problem: problem(name, code === 'ENOENT' ? 'file not found' : (error as Error).message),
    }
  }
}
