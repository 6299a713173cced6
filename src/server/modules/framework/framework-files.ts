import fs from 'node:fs'
import path from 'node:path'
import { COVERING_RELATIONS, NETWORK_PROVENANCE, TIERS } from '../../../common/framework.ts'
import { AppError } from '../../../common/errors.ts'
import { readCatalogues, type Catalogue } from './catalogues.ts'
import {
  itemKey,
  splitItemKey,
  type Category,
  type FrameworkDocument,
  type FrameworkSource,
  type Gap,
  type Link,
  type Requirement,
  type Scheme,
} from './model.ts'
import {
  FRAMEWORK_DIR,
  parseSourceFile,
  problem,
  readSource,
  type SourceFile,
  type SourceProblem,
} from './source-files.ts'

/**
 * Reads the whole framework from its YAML sources:
 *
 *   framework/framework.yaml              version, status, categories, published sources
 *   framework/requirements/<cat>.yaml     the requirements of one category
 *   framework/crosswalk/<cat>.yaml        their links to external items, and declared gaps
 *   framework/catalogues/<id>.yaml        the external catalogues
 *   framework/schemes/<id>.yaml           label schemes and target levels as item selections
 *
 * Each file is checked against its schema in framework/schema/, then the files are checked
 * against each other (unique ids, links that reach a real item, gaps that are really gaps). Every
 * problem names the file, line and JSON pointer; nothing is half-loaded.
 */

interface Manifest {
  framework: 'isn'
  title: string
  version: string
  status: 'published' | 'draft'
  released?: string
  summary: string
  categories: string[]
  sources: FrameworkSource[]
}

interface RequirementsFile extends Category {
  category: string
  requirements: Omit<Requirement, 'category'>[]
}

interface CrosswalkFile {
  category: string
  mappings: {
    requirement: string
    links: {
      to: string
      relation: Link['relation']
      strength: Link['strength']
      rationale: string
      provenance?: string
    }[]
  }[]
  gaps?: { item: string; reason: string }[]
}

export interface FrameworkReadResult {
  document?: FrameworkDocument
  problems: SourceProblem[]
}

/** Parses `<dir>/<folder>/<name>`; its problems name the file as `<folder>/<name>`. */
function parse<T>(
  dir: string,
  folder: string,
  name: string,
  schema: string,
  problems: SourceProblem[],
) {
  const file = folder ? `${folder}/${name}` : name
  const { text, problem: unreadable } = readSource(path.join(dir, folder), name)
  if (text === undefined) {
    if (unreadable) problems.push({ ...unreadable, file, text: `${file} ${unreadable.message}` })
    return undefined
  }
  const source = parseSourceFile<T>(text, file, schema)
  problems.push(...source.problems)
  return source
}

function yamlFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
  } catch {
    return []
  }
}

/** Reads and checks the framework in `dir`; never throws. */
export function readFramework(dir: string = FRAMEWORK_DIR): FrameworkReadResult {
  const problems: SourceProblem[] = []
  const manifestFile = parse<Manifest>(dir, '', 'framework.yaml', 'framework.schema.json', problems)
  const { catalogues, problems: catalogueProblems } = readCatalogues(path.join(dir, 'catalogues'))
  problems.push(...catalogueProblems.map((p) => prefixed('catalogues', p)))
  const manifest = manifestFile?.data
  if (!manifest) return { problems }

  const items = new Map<string, Record<string, unknown>>()
  for (const catalogue of catalogues) {
    for (const item of catalogue.items) {
      items.set(itemKey(catalogue.catalogue, item.id), { ...item })
    }
  }

  // Requirements, one file per category, in manifest order.
  const categories: Category[] = []
  const requirements: Requirement[] = []
  const where = new Map<string, string>()
  const requirementsDir = path.join(dir, 'requirements')
  const expectedFiles = new Set(manifest.categories.map((code) => `${code.toLowerCase()}.yaml`))
  for (const name of yamlFiles(requirementsDir)) {
    if (!expectedFiles.has(name)) {
      problems.push(
        problem(
          `requirements/${name}`,
          'this category is not listed under "categories" in framework.yaml',
        ),
      )
    }
  }
  manifest.categories.forEach((code, index) => {
    const name = `${code.toLowerCase()}.yaml`
    const source = parse<RequirementsFile>(
      dir,
      'requirements',
      name,
      'requirements.schema.json',
      problems,
    )
    const data = source?.data
    if (!source || !data) {
      if (!source && manifestFile) {
        problems.push(
          manifestFile.problemAt(
            `/categories/${index}`,
            `requirements/${name} is missing for category ${code}`,
          ),
        )
      }
      return
    }
    const located = relocate(source)
    if (data.category !== code) {
      problems.push(located('/category', `must be "${code}", the category of this file's name`))
    }
    categories.push({ id: code, title: data.title, description: data.description })
    data.requirements.forEach((requirement, i) => {
      const at = `/requirements/${i}`
      const here = `requirements/${name} ${at}`
      if (!requirement.id.startsWith(`ISN-${code}-`)) {
        problems.push(located(`${at}/id`, `must start with ISN-${code}- in category ${code}`))
      }
      const first = where.get(requirement.id)
      if (first) {
        problems.push(located(`${at}/id`, `duplicate id "${requirement.id}" (first at ${first})`))
        return
      }
      where.set(requirement.id, here)
      problems.push(...checkVerification(requirement, (p, m) => located(`${at}${p}`, m)))
      if (requirement.replaces?.includes(requirement.id)) {
        problems.push(located(`${at}/replaces`, 'a requirement cannot replace itself'))
      }
      requirements.push({ ...requirement, category: code })
    })
  })

  // Crosswalk links and declared gaps.
  const sources = new Set([NETWORK_PROVENANCE, ...manifest.sources.map((s) => s.id)])
  const byId = new Map(requirements.map((r) => [r.id, r]))
  const links: Link[] = []
  const gaps: Gap[] = []
  const linkSeen = new Set<string>()
  const gapAt = new Map<string, { located: ReturnType<typeof relocate>; pointer: string }>()
  const crosswalkDir = path.join(dir, 'crosswalk')
  for (const name of yamlFiles(crosswalkDir)) {
    const code = name.replace(/\.ya?ml$/, '').toUpperCase()
    const source = parse<CrosswalkFile>(dir, 'crosswalk', name, 'crosswalk.schema.json', problems)
    const data = source?.data
    if (!source || !data) continue
    const located = relocate(source)
    if (data.category !== code || !manifest.categories.includes(code)) {
      problems.push(located('/category', `must be "${code}", a category listed in framework.yaml`))
      continue
    }
    data.mappings.forEach((mapping, m) => {
      const requirement = byId.get(mapping.requirement)
      if (!requirement) {
        problems.push(
          located(`/mappings/${m}/requirement`, `unknown requirement "${mapping.requirement}"`),
        )
        return
      }
      if (requirement.category !== code) {
        problems.push(
          located(
            `/mappings/${m}/requirement`,
            `${mapping.requirement} belongs to category ${requirement.category}; map it in crosswalk/${requirement.category.toLowerCase()}.yaml`,
          ),
        )
      }
      mapping.links.forEach((link, l) => {
        const at = `/mappings/${m}/links/${l}`
        const { catalogue, item } = splitItemKey(link.to)
        if (!catalogues.some((c) => c.catalogue === catalogue)) {
          problems.push(located(`${at}/to`, `unknown catalogue "${catalogue}"`))
          return
        }
        if (!items.has(link.to)) {
          problems.push(located(`${at}/to`, `"${item}" is not an item of ${catalogue}`))
          return
        }
        const provenance = link.provenance ?? NETWORK_PROVENANCE
        if (!sources.has(provenance)) {
          problems.push(
            located(
              `${at}/provenance`,
              `unknown provenance "${provenance}": use "network" or a source listed in framework.yaml`,
            ),
          )
        }
        const key = `${mapping.requirement}→${link.to}`
        if (linkSeen.has(key)) {
          problems.push(located(`${at}/to`, `duplicate link from ${mapping.requirement}`))
          return
        }
        linkSeen.add(key)
        links.push({
          requirement: mapping.requirement,
          catalogue,
          item,
          relation: link.relation,
          strength: link.strength,
          rationale: link.rationale,
          provenance,
        })
      })
    })
    data.gaps?.forEach((gap, g) => {
      const pointer = `/gaps/${g}/item`
      const { catalogue, item } = splitItemKey(gap.item)
      if (!items.has(gap.item)) {
        problems.push(located(pointer, `"${item}" is not an item of ${catalogue}`))
        return
      }
      if (gapAt.has(gap.item)) {
        problems.push(located(pointer, `gap ${gap.item} is declared twice`))
        return
      }
      gapAt.set(gap.item, { located, pointer })
      gaps.push({ catalogue, item, reason: gap.reason, category: code })
    })
  }
  const covered = new Set(
    links
      .filter((l) => COVERING_RELATIONS.includes(l.relation))
      .map((l) => itemKey(l.catalogue, l.item)),
  )
  for (const [key, { located, pointer }] of gapAt) {
    if (covered.has(key)) {
      problems.push(located(pointer, `${key} is covered by a link, so it is not a gap`))
    }
  }

  const schemes = readSchemes(dir, catalogues, items, problems)

  if (problems.length > 0) return { problems }
  const document: FrameworkDocument = {
    framework: manifest.framework,
    title: manifest.title,
    version: manifest.version,
    status: manifest.status,
    ...(manifest.released ? { released: manifest.released } : {}),
    summary: manifest.summary,
    sources: manifest.sources,
    categories,
    requirements,
    links,
    gaps,
    catalogues,
    schemes,
  }
  return { document, problems }
}

/** Reads the framework or throws one `validation_failed` error listing every problem. */
export function loadFramework(dir: string = FRAMEWORK_DIR): FrameworkDocument {
  const { document, problems } = readFramework(dir)
  if (!document) throw frameworkProblemsError(dir, problems)
  return document
}

export function frameworkProblemsError(dir: string, problems: SourceProblem[]): AppError {
  return new AppError(
    'validation_failed',
    `${problems.length} problem${problems.length === 1 ? '' : 's'} in the framework in ${dir}:\n` +
      problems.map((p) => `  ${p.text}`).join('\n'),
    { details: { problems } },
  )
}

function prefixed(folder: string, p: SourceProblem): SourceProblem {
  return problem(`${folder}/${p.file}`, p.message, p)
}

function relocate<T>(source: SourceFile<T>) {
  return (pointer: string, message: string) => source.problemAt(pointer, message)
}

function checkVerification(
  requirement: Omit<Requirement, 'category'>,
  at: (pointer: string, message: string) => SourceProblem,
): SourceProblem[] {
  const problems: SourceProblem[] = []
  const order = ['self-declared', 'document-reviewed', 'lab-tested']
  let previous = -1
  for (const tier of TIERS) {
    const strength = requirement.verification[String(tier) as '1']
    if (tier < requirement.tier) {
      if (strength !== undefined) {
        problems.push(
          at(
            `/verification/${tier}`,
            `the requirement starts at tier ${requirement.tier}; remove tier ${tier}`,
          ),
        )
      }
      continue
    }
    if (strength === undefined) {
      problems.push(
        at('/verification', `missing the minimum verification strength for tier ${tier}`),
      )
      continue
    }
    const rank = order.indexOf(strength)
    if (rank < previous) {
      problems.push(
        at(`/verification/${tier}`, `cannot be weaker at tier ${tier} than at a lower tier`),
      )
    }
    previous = Math.max(previous, rank)
  }
  return problems
}

function readSchemes(
  dir: string,
  catalogues: Catalogue[],
  items: Map<string, Record<string, unknown>>,
  problems: SourceProblem[],
): Scheme[] {
  const schemes: Scheme[] = []
  for (const name of yamlFiles(path.join(dir, 'schemes'))) {
    const source = parse<Scheme>(dir, 'schemes', name, 'scheme.schema.json', problems)
    const data = source?.data
    if (!source || !data) continue
    const located = relocate(source)
    if (`${data.scheme}.yaml` !== name) {
      problems.push(located('/scheme', `scheme "${data.scheme}" must be in ${data.scheme}.yaml`))
    }
    const levels = new Set<string>()
    data.levels.forEach((level, l) => {
      if (level.includes !== undefined && !levels.has(level.includes)) {
        problems.push(
          located(`/levels/${l}/includes`, `"${level.includes}" is not an earlier level`),
        )
      }
      if (levels.has(level.id)) {
        problems.push(located(`/levels/${l}/id`, `duplicate level "${level.id}"`))
      }
      levels.add(level.id)
      level.select.forEach((selection, s) => {
        const at = `/levels/${l}/select/${s}`
        if (!catalogues.some((c) => c.catalogue === selection.catalogue)) {
          problems.push(located(`${at}/catalogue`, `unknown catalogue "${selection.catalogue}"`))
          return
        }
        selection.items?.forEach((item, i) => {
          if (!items.has(itemKey(selection.catalogue, item))) {
            problems.push(
              located(`${at}/items/${i}`, `"${item}" is not an item of ${selection.catalogue}`),
            )
          }
        })
      })
    })
    schemes.push(data)
  }
  return schemes
}
