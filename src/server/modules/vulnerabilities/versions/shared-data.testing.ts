import fs from 'node:fs'
import path from 'node:path'
import { it } from 'vitest'
import { PROJECT_ROOT } from '../../../kernel/paths.ts'

/** Where ../shared/data is, seen from the checkout. */
export const SHARED_DATA = path.join(PROJECT_ROOT, '..', 'shared', 'data')

/**
 * Whether a folder of ../shared/data is there. When it is missing the suite fails under CI=true
 * (CI must run the conformance suites) and is skipped with a printed reason elsewhere.
 */
export function sharedDataPresent(relative: string, what: string): boolean {
  const full = path.join(SHARED_DATA, relative)
  if (fs.existsSync(full)) return true
  if (process.env.CI === 'true') {
    it(`finds ${relative} for ${what}`, () => {
      throw new Error(`${full} is missing; CI needs ../shared/data`)
    })
  } else {
    console.warn(`Skipping ${what}: ${full} is missing`)
  }
  return false
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T
}
