import fs from 'node:fs'
import path from 'node:path'
import type { ComponentType } from '../../../common/framework.ts'
import { AppError } from '../../../common/errors.ts'
import {
  FRAMEWORK_DIR,
  parseSourceFile,
  problem,
  readSource,
  type SourceProblem,
} from './source-files.ts'

/**
 * External catalogues: the standards and regulations the framework maps to (ETSI EN 303 645,
 * IEC 62443-4-2 and -4-1, the NIST IoT baselines, the EU CRA, UK PSTI, OWASP ISVS and IoT Top 10),
 * one YAML file each in framework/catalogues/, validated against
 * framework/schema/catalogue.schema.json. They carry IDs, our own short titles and summaries and
 * the attributes that coverage needs (status, security level, component type, levels).
 */

export const CATALOGUES_DIR = path.join(FRAMEWORK_DIR, 'catalogues')

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

/**
 * Parses and validates one catalogue file's text. Never throws: every problem (YAML syntax,
 * schema, duplicate IDs, dangling group or base-requirement references) is returned.
 */
export function parseCatalogue(
  text: string,
  file: string,
): { catalogue?: Catalogue; problems: SourceProblem[] } {
  const source = parseSourceFile<Omit<Catalogue, 'file'>>(text, file, 'catalogue.schema.json')
  const { data, problems } = source
  if (!data) return { problems }
  const locate = (pointer: string, message: string) => source.problemAt(pointer, message)

  const catalogue = { ...data, file } as Catalogue
  const expectedFile = `${catalogue.catalogue}.yaml`
  if (path.basename(file) !== expectedFile) {
    problems.push(
      locate(
        '/catalogue',
        `catalogue "${catalogue.catalogue}" must be in a file named ${expectedFile}`,
      ),
    )
  }

  const groups = new Set<string>()
  catalogue.groups?.forEach((group, index) => {
    if (groups.has(group.id)) {
      problems.push(locate(`/groups/${index}/id`, `duplicate group id "${group.id}"`))
    }
    groups.add(group.id)
  })

  const items = catalogue.items as (CatalogueItemBase & Partial<Iec62443ComponentRequirement>)[]
  const seen = new Map<string, number>()
  items.forEach((item, index) => {
    const first = seen.get(item.id)
    if (first !== undefined) {
      problems.push(
        locate(`/items/${index}/id`, `duplicate id "${item.id}" (first at /items/${first})`),
      )
    } else {
      seen.set(item.id, index)
    }
    if (catalogue.groups && item.group === undefined) {
      problems.push(locate(`/items/${index}`, 'must name one of the header groups'))
    }
    if (item.group !== undefined && !groups.has(item.group)) {
      problems.push(locate(`/items/${index}/group`, `unknown group "${item.group}"`))
    }
  })

  if (catalogue.catalogue === 'iec-62443-4-2') {
    const byId = new Map(catalogue.items.map((item) => [item.id, item]))
    catalogue.items.forEach((item, index) => {
      const at = `/items/${index}`
      const base = / RE \d+$/.test(item.id) ? item.id.replace(/ RE \d+$/, '') : undefined
      if (base !== item.enhances) {
        problems.push(
          locate(
            item.enhances === undefined ? at : `${at}/enhances`,
            base
              ? `a requirement enhancement must name its base requirement: enhances: ${base}`
              : '"enhances" is only for requirement enhancements (ids ending in RE <n>)',
          ),
        )
        return
      }
      const parent = base === undefined ? undefined : byId.get(base)
      if (base !== undefined && !parent) {
        problems.push(locate(`${at}/enhances`, `base requirement "${base}" is missing`))
      } else if (parent && parent.securityLevel > item.securityLevel) {
        problems.push(
          locate(
            `${at}/securityLevel`,
            `an enhancement cannot start below its base requirement's SL${parent.securityLevel}`,
          ),
        )
      }
      const prefix = item.id.split(' ')[0]
      const expectedType = prefix === 'CR' ? undefined : prefix
      if (item.componentType !== expectedType) {
        problems.push(
          locate(
            `${at}/componentType`,
            expectedType
              ? `componentType must be ${expectedType} for ${item.id}`
              : `a common requirement (CR) has no componentType`,
          ),
        )
      }
      if (`FR ${item.foundationalRequirement}` !== item.group) {
        problems.push(locate(`${at}/group`, `group must be "FR ${item.foundationalRequirement}"`))
      }
    })
  }

  return problems.length > 0 ? { problems } : { catalogue, problems }
}

/** Reads and checks every catalogue (*.yaml) in `dir`; never throws. */
export function readCatalogues(dir: string = CATALOGUES_DIR): {
  catalogues: Catalogue[]
  problems: SourceProblem[]
} {
  let files: string[]
  try {
    files = fs
      .readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
  } catch (error) {
    return { catalogues: [], problems: [problem(dir, (error as Error).message)] }
  }
  const catalogues: Catalogue[] = []
  const problems: SourceProblem[] = []
  for (const name of files) {
    const { text, problem: unreadable } = readSource(dir, name)
    if (text === undefined) {
      if (unreadable) problems.push(unreadable)
      continue
    }
    const result = parseCatalogue(text, name)
    problems.push(...result.problems)
    if (result.catalogue) catalogues.push(result.catalogue)
  }
  catalogues.sort((a, b) => a.catalogue.localeCompare(b.catalogue))
  return { catalogues, problems }
}

/**
 * Loads every catalogue in `dir`. Throws one `validation_failed` AppError whose
 * `details.problems` lists every problem in every file, each naming the file and the line or
 * JSON pointer; returns the catalogues sorted by id when all are valid.
 */
export function loadCatalogues(dir: string = CATALOGUES_DIR): Catalogue[] {
  const { catalogues, problems } = readCatalogues(dir)
  if (problems.length > 0) {
    throw new AppError(
      'validation_failed',
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the catalogues in ${dir}:\n` +
        problems.map((p) => `  ${p.text}`).join('\n'),
      { details: { problems } },
    )
  }
  return catalogues
}
