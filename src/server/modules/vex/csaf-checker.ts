import * as mandatoryTests from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
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

/** The mandatory tests by number, in the standard's order. */
export const MANDATORY_TESTS: readonly { id: string; run: mandatoryTests.MandatoryTest }[] =
  Object.entries(mandatoryTests)
    .filter(([name]) => name.startsWith('mandatoryTest_'))
    .map(([name, run]) => ({ id: name.slice('mandatoryTest_'.length).replace(/_/g, '.'), run }))
    .sort((a, b) => compareTestIds(a.id, b.id))

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
export function checkCsaf(doc: unknown): CsafProblem[] {
  const problems: CsafProblem[] = validateAgainst('csaf', doc, '', 50).map((p) => ({
    test: 'schema',
    pointer: p.pointer,
    message: p.message,
  }))
  const schemaValid = problems.length === 0
  for (const { id, run } of MANDATORY_TESTS) {
    let result: ReturnType<mandatoryTests.MandatoryTest>
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
