import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { compareVersions, getScheme } from './schemes.ts'
import { readJson, SHARED_DATA, sharedDataPresent } from './shared-data.testing.ts'
import { canonicaliseVers, parseVers, versContains, versFromNative } from './vers.ts'

const SUITE = 'package-url-tests/vers-spec/tests'

interface VersCase {
  description: string
  test_group: string
  test_type: 'comparison' | 'equality' | 'containment' | 'from_native' | 'validate' | 'parse'
  input: unknown
  expected_output?: unknown
  expected_failure?: boolean
  expected_message?: string
}

type Outcome = 'pass' | 'fail' | 'unsupported'

/** Runs one case; "unsupported" when it concerns a scheme or conversion we do not offer. */
function runCase(c: VersCase): { outcome: Outcome; got?: unknown } {
  try {
    switch (c.test_type) {
      case 'comparison':
      case 'equality': {
        const { input_scheme, versions } = c.input as { input_scheme: string; versions: string[] }
        const scheme = getScheme(input_scheme)
        if (!scheme) return { outcome: 'unsupported' }
        const results = versions.slice(1).map((v) => compareVersions(scheme, versions[0] ?? '', v))
        const invalid = results.find((r) => typeof r === 'object')
        if (invalid) return { outcome: 'fail', got: invalid }
        if (c.test_type === 'equality') {
          const equal = results.every((r) => r === 0)
          return { outcome: equal === c.expected_output ? 'pass' : 'fail', got: results }
        }
        const sorted = [...versions].sort((a, b) => compareVersions(scheme, a, b) as number)
        const ok = JSON.stringify(sorted) === JSON.stringify(c.expected_output)
        return { outcome: ok ? 'pass' : 'fail', got: sorted }
      }
      case 'containment': {
        const { vers, version } = c.input as { vers: string; version: string }
        const got = versContains(canonicaliseVers(vers), version)
        return { outcome: got === c.expected_output ? 'pass' : 'fail', got }
      }
      case 'from_native': {
        const { scheme, native_range } = c.input as { scheme: string; native_range: string }
        if (scheme !== 'npm' && scheme !== 'pypi') return { outcome: 'unsupported' }
        const got = versFromNative(scheme, native_range)
        return { outcome: got === c.expected_output ? 'pass' : 'fail', got }
      }
      case 'validate': {
        const got = canonicaliseVers(c.input as string)
        return { outcome: got === c.expected_output ? 'pass' : 'fail', got }
      }
      case 'parse': {
        const vers = parseVers(c.input as string)
        const got = {
          scheme: vers.scheme,
          version_constraints: (vers.constraints ?? []).map((k) => [k.comparator, k.version]),
        }
        const ok = !c.expected_failure && JSON.stringify(got) === JSON.stringify(c.expected_output)
        return { outcome: ok ? 'pass' : 'fail', got }
      }
    }
  } catch (error) {
    const message = (error as Error).message
    if (c.expected_failure) {
      const ok = c.expected_message === undefined || message === c.expected_message
      return { outcome: ok ? 'pass' : 'fail', got: message }
    }
    return { outcome: 'fail', got: message }
  }
}

/**
 * Cases we knowingly fail, with the reason. Every entry is checked to still fail, so the list
 * cannot go stale silently.
 */
const NPM_PARTIAL =
  'node-semver reads a partial version as an x-range ("2.1" is 2.1.x, "<= 1.0" is <1.1.0-0, ' +
  '"~0.8.0-pre" is >=0.8.0-pre <0.9.0-0, ">= 2.2.x" is >=2.2.0); the suite expects other ' +
  "readings. We keep npm's own semantics, since that is what npm installs."
const KNOWN_FAILURES: Record<string, string> = {
  'npm_range_from_native_test.json {"native_range":"<= 1.0","scheme":"npm"}': NPM_PARTIAL,
  'npm_range_from_native_test.json {"native_range":">= 0.2.0 <= 0.9.6 || ~0.8.0-pre","scheme":"npm"}':
    NPM_PARTIAL,
  'npm_range_from_native_test.json {"native_range":">= 2.2.x","scheme":"npm"}': NPM_PARTIAL,
  'npm_range_from_native_test.json {"native_range":">= 1.x","scheme":"npm"}': NPM_PARTIAL,
  'npm_range_from_native_test.json {"native_range":"2.1 || 2.6","scheme":"npm"}': NPM_PARTIAL,
  'npm_range_from_native_test.json {"native_range":"<=2.1 >=1.1","scheme":"npm"}': NPM_PARTIAL,
}

describe('vers: official vers-spec test suite', () => {
  if (!sharedDataPresent(SUITE, 'the vers-spec conformance suite')) return
  const root = path.join(SHARED_DATA, SUITE)
  const files = fs.readdirSync(root).filter((f) => f.endsWith('.json'))
  const report: string[] = []

  for (const file of files) {
    const { tests } = readJson<{ tests: VersCase[] }>(path.join(root, file))
    it(`${file}`, () => {
      const counts = { pass: 0, fail: 0, unsupported: 0 }
      const failures: string[] = []
      const unsupported: string[] = []
      for (const c of tests) {
        const { outcome, got } = runCase(c)
        counts[outcome]++
        const key = `${file} ${JSON.stringify(c.input)}`
        if (outcome === 'unsupported') unsupported.push(key)
        if (outcome !== 'fail' && key in KNOWN_FAILURES) {
          failures.push(`${key} is listed as a known failure but now ${outcome}s`)
        }
        if (outcome === 'fail' && !(key in KNOWN_FAILURES)) {
          failures.push(
            `${key}\n  want ${JSON.stringify(c.expected_output ?? c.expected_message)}\n  got  ${JSON.stringify(got)}`,
          )
        }
      }
      report.push(
        `${file}: ${counts.pass}/${tests.length} pass` +
          (counts.fail ? `, ${counts.fail} fail` : '') +
          (counts.unsupported ? `, ${counts.unsupported} unsupported scheme` : ''),
      )
      // Cases of schemes we do not order are listed, never silently skipped.
      if (unsupported.length > 0) {
        console.info(`${file}: unsupported (scheme not offered):\n  ${unsupported.join('\n  ')}`)
      }
      expect(failures).toEqual([])
    })
  }

  it('reports the counts per file', () => {
    console.info(`vers-spec:\n  ${report.sort().join('\n  ')}`)
  })
})
