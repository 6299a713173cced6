import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../../../common/errors.ts'
import { SHARED_DATA, sharedDataPresent } from '../vulnerabilities/versions/shared-data.testing.ts'
import { parseVex } from './vex-parser.ts'
import { cdxVex, csafVex } from './vex.testing.ts'

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? walk(path.join(dir, e.name))
        : e.name.endsWith('.json')
          ? [path.join(dir, e.name)]
          : [],
    )
    .sort()
}

const read = (relative: string) => parseVex(fs.readFileSync(path.join(SHARED_DATA, relative)))

describe('parseVex on the published examples', () => {
  if (sharedDataPresent('CycloneDX-bom-examples/VEX', 'the CycloneDX VEX examples')) {
    it('reads every CycloneDX 1.4 VEX example (CISA use cases and others)', () => {
      const files = walk(path.join(SHARED_DATA, 'CycloneDX-bom-examples/VEX')).filter(
        (f) => path.basename(f) === 'vex.json' || /vex-[a-z_]+\.json$/.test(f),
      )
      expect(files.length).toBeGreaterThan(20)
      for (const file of files) {
        const parsed = parseVex(fs.readFileSync(file))
        expect(parsed.format).toBe('cyclonedx')
      }
    })
    it('maps CycloneDX analysis states, justifications and responses', () => {
      const notAffected = read(
        'CycloneDX-bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json',
      )
      expect(notAffected.statements).toEqual([
        expect.objectContaining({
          subject: expect.objectContaining({ ref: 'product-ABC', isProduct: true }),
          vulnerabilityId: 'CVE-2021-44228',
          state: 'not_affected',
          justification: 'code_not_present',
          responses: ['will_not_fix'],
        }),
      ])
      const linked = read('CycloneDX-bom-examples/VEX/vex.json').statements[0]
      expect(linked?.subject).toMatchObject({
        ref: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar',
        purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar',
      })
      expect(linked?.aliases).toEqual(['SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302'])
    })
    it('refuses CycloneDX 1.3 with a pointer', () => {
      try {
        read('CycloneDX-bom-examples/VEX/bom.json')
        expect.unreachable()
      } catch (error) {
        expect(isAppError(error) && error.code).toBe('validation_failed')
      }
    })
  }

  if (
    sharedDataPresent(
      'oasis-csaf-examples/csaf_2.0/examples/csaf/csaf_vex',
      'the CSAF VEX examples',
    )
  ) {
    it('reads every OASIS CSAF VEX example with each product status', () => {
      const dir = path.join(SHARED_DATA, 'oasis-csaf-examples/csaf_2.0/examples/csaf/csaf_vex')
      const states = new Set<string>()
      for (const file of walk(dir)) {
        const parsed = parseVex(fs.readFileSync(file))
        expect(parsed.format).toBe('csaf')
        for (const s of parsed.statements) states.add(s.state)
      }
      expect([...states].sort()).toEqual([
        'affected',
        'fixed',
        'not_affected',
        'under_investigation',
      ])
      const na = read(
        'oasis-csaf-examples/csaf_2.0/examples/csaf/csaf_vex/2022-evd-uc-01-na-001.json',
      )
      expect(na.statements[0]).toMatchObject({
        subject: { label: 'Example Company ABC 4.2', name: 'ABC', version: '4.2' },
        state: 'not_affected',
        detail: 'Class with vulnerable code was removed before shipping.',
      })
    })
  }

  if (sharedDataPresent('cisagov-CSAF/csaf_files/IT/white/2024', 'CISA’s CSAF VEX files')) {
    it('reads CISA’s va-24 CSAF VEX files: affected with remediations, fixed with the version', () => {
      const parsed = read('cisagov-CSAF/csaf_files/IT/white/2024/va-24-201-01.json')
      expect(parsed.documentRef).toBe('VA-24-201-01')
      const fixed = parsed.statements.find((s) => s.state === 'fixed')
      expect(fixed).toMatchObject({ vulnerabilityId: 'CVE-2023-45195', fixedVersion: '4.8.4' })
      const affected = parsed.statements.find(
        (s) => s.state === 'affected' && s.subject.label === 'AdminerEvo 4.8.2',
      )
      expect(affected).toMatchObject({
        responses: ['vendor_fix'],
        detail: 'Fixed in AdminerEvo 4.8.4.',
      })
    })
  }
})

describe('parseVex on bad input', () => {
  it('answers anything with a statement list or an AppError (property test)', () => {
    const good = [
      JSON.parse(
        cdxVex([
          {
            id: 'CVE-2024-1',
            analysis: { state: 'not_affected', justification: 'code_not_present' },
            affects: [{ ref: 'a' }],
          },
        ]).toString(),
      ) as unknown,
      JSON.parse(
        csafVex({
          cve: 'CVE-2024-1',
          product: { name: 'P', version: '1' },
          vulnerability: { product_status: { known_affected: ['CSAFPID-0001'] } },
        }).toString(),
      ) as unknown,
    ]
    const mutate = (value: unknown, path: number[], replacement: unknown): unknown => {
      if (path.length === 0 || value === null || typeof value !== 'object') return replacement
      const entries = Object.entries(value)
      if (entries.length === 0) return replacement
      const [head, ...rest] = path
      const index = (head ?? 0) % entries.length
      const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
        ? [...value]
        : { ...value }
      const [key, child] = entries[index] as [string, unknown]
      ;(copy as Record<string, unknown>)[key] = mutate(child, rest, replacement)
      return copy
    }
    fc.assert(
      fc.property(
        fc.constantFrom(...good),
        fc.array(fc.nat(20), { maxLength: 6 }),
        fc.jsonValue({ maxDepth: 3 }),
        (doc, at, replacement) => {
          const bytes = Buffer.from(JSON.stringify(mutate(doc, at, replacement)))
          try {
            expect(Array.isArray(parseVex(bytes).statements)).toBe(true)
          } catch (error) {
            if (!isAppError(error)) throw error
            expect(['validation_failed', 'payload_too_large']).toContain(error.code)
          }
        },
      ),
      { numRuns: 300, seed: 5 },
    )
  })

  it('refuses bytes that are not JSON, truncated JSON and deep nesting without crashing', () => {
    const full = cdxVex([])
    for (const bytes of [
      Buffer.from([0xff, 0xfe, 0x00]),
      full.subarray(0, full.length - 3),
      Buffer.from('['.repeat(10_000) + ']'.repeat(10_000)),
      Buffer.from(''),
    ]) {
      expect(() => parseVex(bytes)).toThrow()
      try {
        parseVex(bytes)
      } catch (error) {
        expect(isAppError(error)).toBe(true)
      }
    }
  })
})
