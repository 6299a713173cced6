import type { MandatoryTest } from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import { validateAgainst } from '../advisories/advisory-schemas.ts'

/**
 * The CSAF 2.0 checker run on every published advisory: the CSAF 2.0 JSON schema (the advisories
 * module's vendored copy) and every mandatory test of the standard's section 6.1 (6.1.1 – 6.1.33,
 * with 6.1.27.1 – 6.1.27.11), taken from the BSI's @secvisogram/csaf-validator-lib.
 */

export interface CsafProblem {
  /** `schema`, or the mandatory test's number, e.g. `6.1.27.9`. */
  test: string
  pointer: string
  message: string
}

type TestList = readonly { id: string; run: MandatoryTest }[]
let loaded: Promise<TestList> | undefined

/**
 * The mandatory tests by number, in the standard's order. The library compiles schemas when it is
 * imported, so it is loaded on first use, not with the server (or the CLI, which bundles it).
 */
export function mandatoryTests(): Promise<TestList> {
  loaded ??= import('@secvisogram/csaf-validator-lib/mandatoryTests.js').then((module) =>
    Object.entries(module as unknown as Record<string, MandatoryTest>)
      .filter(([name]) => name.startsWith('mandatoryTest_'))
      .map(([name, run]) => ({ id: name.slice('mandatoryTest_'.length).replace(/_/g, '.'), run }))
      .sort((a, b) => compareTestIds(a.id, b.id)),
  )
  return loaded
}

function compareTestIds(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1)
    if (d !== 0) return d
  }
  return 0
}

/**
 * All problems of a CSAF 2.0 document: the schema's first, then each mandatory test's. Empty when
 * the document passes. A test that throws on a schema-invalid document (the tests assume the
 * schema's shape) adds nothing; on a schema-valid one it is a problem of that test.
 */
export async function checkCsaf(doc: unknown): Promise<CsafProblem[]> {
  const problems: CsafProblem[] = validateAgainst('csaf', doc, '', 50).map((p) => ({
    test: 'schema',
    pointer: p.pointer,
    message: p.message,
  }))
  const schemaValid = problems.length === 0
  for (const { id, run } of await mandatoryTests()) {
    let result: ReturnType<MandatoryTest>
    try {
      result = run(doc)
    } catch (error) {
      if (schemaValid) {
        problems.push({ test: id, pointer: '', message: `the test failed: ${String(error)}` })
      }
      continue
    }
    if (result.isValid === false) {
      const errors = result.errors ?? []
      if (errors.length === 0) problems.push({ test: id, pointer: '', message: 'failed' })
      for (const e of errors) {
        problems.push({ test: id, pointer: e.instancePath, message: e.message })
      }
    }
  }
  return problems
}
