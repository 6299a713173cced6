import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  buildPurl,
  canonicalisePurl,
  formatPurl,
  parsePurl,
  PurlError,
  type PurlParts,
} from './purl.ts'
import { readJson, SHARED_DATA, sharedDataPresent } from './shared-data.testing.ts'

const SUITE = 'package-url-tests/purl-spec/tests'

interface PurlCase {
  description: string
  test_group: string
  test_type: 'parse' | 'build' | 'validate'
  input: string | PurlParts
  expected_output: unknown
  expected_failure: boolean
}

/**
 * Cases where the suite contradicts itself, so no implementation can pass all of them: the rpm
 * and gem parse cases want an upper-case qualifier key refused, while maven's required parse case
 * (and the rpm and gem validate cases) want it lower-cased. We follow the spec text — keys are
 * case-insensitive and canonically lower-case — and list the two cases we therefore fail.
 */
const KNOWN_CONTRADICTIONS = new Set([
  'types/rpm-test.json parse pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25',
  'types/gem-test.json parse pkg:gem/jruby-launcher@1.1.2?Platform=java',
])

function runCase(c: PurlCase): unknown {
  switch (c.test_type) {
    case 'parse':
      return { ...parsePurl(c.input as string) }
    case 'build':
      return formatPurl(buildPurl(c.input as PurlParts))
    case 'validate':
      return canonicalisePurl(c.input as string)
  }
}

function sortedQualifiers(value: unknown): unknown {
  if (value && typeof value === 'object' && 'qualifiers' in value) {
    const q = (value as { qualifiers: Record<string, string> | null }).qualifiers
    return { ...value, qualifiers: q && Object.fromEntries(Object.entries(q).sort()) }
  }
  return value
}

describe('purl: official purl-spec test suite', () => {
  if (!sharedDataPresent(SUITE, 'the purl-spec conformance suite')) return
  const root = path.join(SHARED_DATA, SUITE)
  const files = ['spec', 'types'].flatMap((dir) =>
    fs.readdirSync(path.join(root, dir)).map((f) => `${dir}/${f}`),
  )

  it('has the 43 files of the suite', () => {
    expect(files).toHaveLength(43)
  })

  const counts: Record<string, { pass: number; total: number }> = {}
  for (const file of files) {
    const { tests } = readJson<{ tests: PurlCase[] }>(path.join(root, file))
    it(`${file}: every parse, build and validate case`, () => {
      const failures: string[] = []
      let pass = 0
      for (const c of tests) {
        const key = `${file} ${c.test_type} ${typeof c.input === 'string' ? c.input : JSON.stringify(c.input)}`
        let ok: boolean
        let got: unknown
        try {
          got = runCase(c)
          ok =
            !c.expected_failure &&
            JSON.stringify(sortedQualifiers(got)) ===
              JSON.stringify(sortedQualifiers(c.expected_output))
        } catch (error) {
          got = String(error)
          ok = c.expected_failure
        }
        if (ok) pass++
        else if (!KNOWN_CONTRADICTIONS.has(key)) {
          failures.push(
            `${key}\n  want ${JSON.stringify(c.expected_output)}\n  got  ${JSON.stringify(got)}`,
          )
        }
      }
      counts[file] = { pass, total: tests.length }
      expect(failures).toEqual([])
    })
  }

  it('reports the totals', () => {
    const all = Object.values(counts)
    const pass = all.reduce((n, c) => n + c.pass, 0)
    const total = all.reduce((n, c) => n + c.total, 0)
    console.info(
      `purl-spec: ${pass}/${total} cases pass (${KNOWN_CONTRADICTIONS.size} contradictory)`,
    )
    expect(total - pass).toBe(KNOWN_CONTRADICTIONS.size)
  })
})

describe('purl: our own cases', () => {
  it.each([
    ['pkg:pypi/Flask_SQLAlchemy@2.0', 'pkg:pypi/flask-sqlalchemy@2.0'],
    ['pkg:npm/%40scope/name@1.0.0?b=2&a=1', 'pkg:npm/%40scope/name@1.0.0?a=1&b=2'],
    ['pkg:golang/github.com/Foo/Bar@v1.2.3', 'pkg:golang/github.com/Foo/Bar@v1.2.3'],
    [
      'pkg:deb/Debian/OpenSSL@1.1.1n-0%2Bdeb11u3?distro=debian-11',
      'pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?distro=debian-11',
    ],
    ['pkg:maven/org.a/b@1.0?empty=', 'pkg:maven/org.a/b@1.0'],
    // git: the host, then the repository path segment by segment, however it was written.
    ['pkg:git/github.com/Org/Repo@v1', 'pkg:git/github.com/org/repo@v1'],
    ['pkg:git/github.com//org%2Frepo/', 'pkg:git/github.com/org/repo'],
  ])('%s → %s', (input, canonical) => {
    expect(canonicalisePurl(input)).toBe(canonical)
  })

  it.each([
    ...['', 'npm/foo', 'pkg:', 'pkg:npm', 'pkg:npm/foo@1?a', 'pkg:npm/%zz', 'pkg:1x/y'],
    // A namespace or subpath segment that decodes to a "/" (the spec forbids it).
    ...['pkg:npm/a%2Fb/c', 'pkg:generic/x#a%2Fb'],
  ])('refuses %j', (input) => {
    expect(() => parsePurl(input)).toThrow()
  })

  it('refuses garbage with a PurlError only, and canonicalises once and for all', () => {
    // Pieces that reach every branch: slashes to trim, empty and dot segments, percent signs
    // (valid and not), qualifiers, subpaths, upper case, and types with their own rules.
    const piece = fc.constantFrom(
      ...['pkg:', 'PKG:', '/', '//', 'npm', 'git', 'pypi', 'deb', 'swift', 'vcpkg', 'a', 'B'],
      ...['.', '..', '%', '%2F', '%41', '%zz', '@', '?', '&', '=', '#', ' ', ':', '_', '-', 'é'],
    )
    let valid = 0
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.constantFrom('npm', 'git', 'pypi', 'deb', 'swift', 'vcpkg', 'generic'),
        fc.array(piece, { minLength: 1, maxLength: 12 }),
        (start, type, pieces) => {
          // Half of them start as a purl of a real type would; the rest is garbage from the start.
          const input = (start ? `pkg:${type}/` : '') + pieces.join('')
          let canonical: string
          try {
            canonical = canonicalisePurl(input)
          } catch (error) {
            expect(error).toBeInstanceOf(PurlError)
            return
          }
          valid++
          expect(canonicalisePurl(canonical)).toBe(canonical)
          expect(parsePurl(canonical)).toEqual(parsePurl(input))
        },
      ),
      { numRuns: 20_000 },
    )
    // Enough of them must be purls for the second half to mean something.
    expect(valid).toBeGreaterThan(2_000)
  })

  it('format ∘ parse is the identity on canonical purls', () => {
    const segment = fc
      .stringMatching(/^[A-Za-z0-9._~:@+/ %-]{1,12}$/)
      .filter((s) => s.trim() !== '')
    fc.assert(
      fc.property(
        fc.constantFrom('generic', 'npm', 'maven', 'golang', 'cargo'),
        fc.option(segment, { nil: null }),
        segment,
        fc.option(segment, { nil: null }),
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), segment, { maxKeys: 3 }),
        (type, namespace, name, version, qualifiers) => {
          let purl
          try {
            purl = buildPurl({ type, namespace, name, version, qualifiers })
          } catch {
            return // parts that no purl can carry (e.g. a name of only slashes)
          }
          const text = formatPurl(purl)
          expect(formatPurl(parsePurl(text))).toBe(text)
          expect(canonicalisePurl(text)).toBe(text)
        },
      ),
    )
  })
})
