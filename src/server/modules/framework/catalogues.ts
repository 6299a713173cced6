import fs from 'node:fs'
import path from 'node:path'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import { isCollection, isDocument, isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml'
import { AppError } from '../../../common/errors.ts'
import { PROJECT_ROOT } from '../../kernel/paths.ts'

/**
 * External catalogues: the standards and regulations the framework maps to (ETSI EN 303 645,
 * IEC 62443-4-2 and -4-1, the NIST IoT baselines, the EU CRA, UK PSTI, OWASP ISVS and IoT Top 10),
 * one YAML file each in framework/catalogues/, validated against
 * framework/schema/catalogue.schema.json. They carry IDs, our own short titles and summaries and
 * the attributes that coverage needs (status, security level, component type, levels).
 */

export const CATALOGUES_DIR = path.join(PROJECT_ROOT, 'framework', 'catalogues')
export const CATALOGUE_SCHEMA_FILE = path.join(
  PROJECT_ROOT,
  'framework',
  'schema',
  'catalogue.schema.json',
)

export interface CatalogueItemBase {
  id: string
  title: string
  summary?: string
  group?: string
  caveat?: string
}

export interface EtsiProvision extends CatalogueItemBase {
  group: string
  status: 'mandatory' | 'recommended'
  /** Present when the provision is conditional: it applies only when this holds. */
  condition?: string
}

export type ComponentType = 'SAR' | 'EDR' | 'HDR' | 'NDR'

export interface Iec62443ComponentRequirement extends CatalogueItemBase {
  group: string
  foundationalRequirement: number
  /** The lowest SL-C (1–4) at which it applies. */
  securityLevel: number
  /** Absent for common component requirements (CR). */
  componentType?: ComponentType
  /** For a requirement enhancement: the base requirement's id. */
  enhances?: string
}

export interface IsvsRequirement extends CatalogueItemBase {
  group: string
  section: string
  levels: ('L1' | 'L2' | 'L3')[]
}

export interface PstiRequirement extends CatalogueItemBase {
  reference: string
}

interface CatalogueOf<Id extends string, Item extends CatalogueItemBase> {
  catalogue: Id
  title: string
  version: string
  publisher: string
  url: string
  licence: string
  notes?: string[]
  groups?: { id: string; title: string }[]
  items: Item[]
  /** The file it was loaded from, relative to the catalogue directory. */
  file: string
}

export type Catalogue =
  | CatalogueOf<'etsi-en-303-645', EtsiProvision>
  | CatalogueOf<'iec-62443-4-2', Iec62443ComponentRequirement>
  | CatalogueOf<'owasp-isvs', IsvsRequirement>
  | CatalogueOf<'uk-psti', PstiRequirement>
  | CatalogueOf<
      | 'iec-62443-4-1'
      | 'nistir-8259a'
      | 'nistir-8259b'
      | 'nist-ir-8425'
      | 'eu-cra-annex-i'
      | 'owasp-iot-top-10',
      CatalogueItemBase
    >

export type CatalogueId = Catalogue['catalogue']

/** The catalogue type (with its item type) for one catalogue id. */
export type CatalogueFor<Id extends CatalogueId> = Catalogue extends infer C
  ? C extends { catalogue: infer K }
    ? Id extends K
      ? C
      : never
    : never
  : never

/** One problem in one file; `text` is the one-line form `<file>:<line>:<col> <pointer>: <message>`. */
export interface CatalogueProblem {
  file: string
  line?: number
  column?: number
  /** JSON pointer into the file's data, e.g. /items/3/status. */
  pointer?: string
  message: string
  text: string
}

let validator: ValidateFunction | undefined

function validate(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(CATALOGUE_SCHEMA_FILE, 'utf8')) as object
    validator = new Ajv2020({ allErrors: true, strictTypes: false, strictTuples: false }).compile(
      schema,
    )
  }
  return validator
}

function problem(
  file: string,
  message: string,
  where: { line?: number; column?: number; pointer?: string } = {},
): CatalogueProblem {
  const position = where.line === undefined ? '' : `:${where.line}:${where.column ?? 1}`
  const pointer = where.pointer === undefined ? '' : ` ${where.pointer || '/'}:`
  return { file, ...where, message, text: `${file}${position}${pointer} ${message}` }
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

/**
 * Parses and validates one catalogue file's text. Never throws: every problem (YAML syntax,
 * schema, duplicate IDs, dangling group or base-requirement references) is returned.
 */
export function parseCatalogue(
  text: string,
  file: string,
): { catalogue?: Catalogue; problems: CatalogueProblem[] } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    logLevel: 'error',
  })
  const problems: CatalogueProblem[] = []
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
  if (problems.length > 0) return { problems }

  const locate = (pointer: string) => {
    const node = isDocument(doc) ? nodeAt(doc.contents, decodePointer(pointer)) : undefined
    if (!node?.range) return { pointer }
    const { line, col } = lineCounter.linePos(node.range[0])
    return { line, column: col, pointer }
  }

  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    return { problems: [problem(file, `cannot read the YAML data: ${(error as Error).message}`)] }
  }

  const check = validate()
  if (!check(data)) {
    for (const error of check.errors ?? []) {
      if (error.keyword === 'if') continue
      const { pointer, message } = describe(error)
      problems.push(problem(file, message, locate(pointer)))
    }
    return { problems }
  }

  const catalogue = { ...(data as Omit<Catalogue, 'file'>), file } as Catalogue
  const expectedFile = `${catalogue.catalogue}.yaml`
  if (path.basename(file) !== expectedFile) {
    problems.push(
      problem(file, `catalogue "${catalogue.catalogue}" must be in a file named ${expectedFile}`, {
        ...locate('/catalogue'),
      }),
    )
  }

  const groups = new Set<string>()
  catalogue.groups?.forEach((group, index) => {
    if (groups.has(group.id)) {
      problems.push(
        problem(file, `duplicate group id "${group.id}"`, locate(`/groups/${index}/id`)),
      )
    }
    groups.add(group.id)
  })

  const items = catalogue.items as (CatalogueItemBase & Partial<Iec62443ComponentRequirement>)[]
  const seen = new Map<string, number>()
  items.forEach((item, index) => {
    const first = seen.get(item.id)
    if (first !== undefined) {
      problems.push(
        problem(
          file,
          `duplicate id "${item.id}" (first at /items/${first})`,
          locate(`/items/${index}/id`),
        ),
      )
    } else {
      seen.set(item.id, index)
    }
    if (catalogue.groups && item.group === undefined) {
      problems.push(problem(file, 'must name one of the header groups', locate(`/items/${index}`)))
    }
    if (item.group !== undefined && !groups.has(item.group)) {
      problems.push(problem(file, `unknown group "${item.group}"`, locate(`/items/${index}/group`)))
    }
  })

  if (catalogue.catalogue === 'iec-62443-4-2') {
    const byId = new Map(catalogue.items.map((item) => [item.id, item]))
    catalogue.items.forEach((item, index) => {
      const at = `/items/${index}`
      const base = / RE \d+$/.test(item.id) ? item.id.replace(/ RE \d+$/, '') : undefined
      if (base !== item.enhances) {
        problems.push(
          problem(
            file,
            base
              ? `a requirement enhancement must name its base requirement: enhances: ${base}`
              : '"enhances" is only for requirement enhancements (ids ending in RE <n>)',
            locate(item.enhances === undefined ? at : `${at}/enhances`),
          ),
        )
        return
      }
      const parent = base === undefined ? undefined : byId.get(base)
      if (base !== undefined && !parent) {
        problems.push(
          problem(file, `base requirement "${base}" is missing`, locate(`${at}/enhances`)),
        )
      } else if (parent && parent.securityLevel > item.securityLevel) {
        problems.push(
          problem(
            file,
            `an enhancement cannot start below its base requirement's SL${parent.securityLevel}`,
            locate(`${at}/securityLevel`),
          ),
        )
      }
      const prefix = item.id.split(' ')[0]
      const expectedType = prefix === 'CR' ? undefined : prefix
      if (item.componentType !== expectedType) {
        problems.push(
          problem(
            file,
            expectedType
              ? `componentType must be ${expectedType} for ${item.id}`
              : `a common requirement (CR) has no componentType`,
            locate(`${at}/componentType`),
          ),
        )
      }
      if (`FR ${item.foundationalRequirement}` !== item.group) {
        problems.push(
          problem(
            file,
            `group must be "FR ${item.foundationalRequirement}"`,
            locate(`${at}/group`),
          ),
        )
      }
    })
  }

  return problems.length > 0 ? { problems } : { catalogue, problems }
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

/**
 * Loads every catalogue (*.yaml) in `dir`. Throws one `validation_failed` AppError whose
 * `details.problems` lists every problem in every file, each naming the file and the line or
 * JSON pointer; returns the catalogues sorted by id when all are valid.
 */
export function loadCatalogues(dir: string = CATALOGUES_DIR): Catalogue[] {
  let files: string[]
  try {
    files = fs
      .readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
  } catch (error) {
    throw new AppError('validation_failed', `Cannot read the catalogue directory ${dir}`, {
      details: { problems: [problem(dir, (error as Error).message)] },
    })
  }
  const catalogues: Catalogue[] = []
  const problems: CatalogueProblem[] = []
  for (const name of files) {
    let text: string
    try {
      text = fs.readFileSync(path.join(dir, name), 'utf8')
    } catch (error) {
      problems.push(problem(name, (error as Error).message))
      continue
    }
    const result = parseCatalogue(text, name)
    problems.push(...result.problems)
    if (result.catalogue) catalogues.push(result.catalogue)
  }
  if (problems.length > 0) {
    throw new AppError(
      'validation_failed',
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the catalogues in ${dir}:\n` +
        problems.map((p) => `  ${p.text}`).join('\n'),
      { details: { problems } },
    )
  }
  return catalogues.sort((a, b) => a.catalogue.localeCompare(b.catalogue))
}
