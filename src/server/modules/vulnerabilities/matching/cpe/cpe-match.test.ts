import { describe, expect, it } from 'vitest'
import { CpeIndex, type CpeMatchCriteria, evaluateCpeConfiguration, matchCpe } from './cpe-match.ts'

// CVE-2022-0778 (OpenSSL BN_mod_sqrt loop), as NVD's configuration lists it.
const OPENSSL_102: CpeMatchCriteria = {
  criteria: 'cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*',
  vulnerable: true,
  versionStartIncluding: '1.0.2',
  versionEndExcluding: '1.0.2zd',
}
const OPENSSL_111: CpeMatchCriteria = {
  criteria: 'cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*',
  vulnerable: true,
  versionStartIncluding: '1.1.0',
  versionEndExcluding: '1.1.1n',
}

// A Siemens PLC as NVD writes it: the firmware is vulnerable, the hardware is the platform.
const FIRMWARE: CpeMatchCriteria = {
  criteria: 'cpe:2.3:o:siemens:simatic_s7-1500_cpu_1518-4_pn\\/dp_firmware:*:*:*:*:*:*:*:*',
  vulnerable: true,
  versionEndExcluding: '2.9.2',
}
const HARDWARE: CpeMatchCriteria = {
  criteria: 'cpe:2.3:h:siemens:simatic_s7-1500_cpu_1518-4_pn\\/dp:-:*:*:*:*:*:*:*',
  vulnerable: false,
}

describe('matchCpe', () => {
  it.each([
    ['cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*', OPENSSL_111, 'generic', 'affected'],
    ['cpe:2.3:a:openssl:openssl:1.1.1n:*:*:*:*:*:*:*', OPENSSL_111, 'generic', 'not_affected'],
    ['cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*', OPENSSL_102, 'generic', 'affected'],
    ['cpe:2.3:a:openssl:openssl:1.0.2zd:*:*:*:*:*:*:*', OPENSSL_102, 'generic', 'not_affected'],
    ['cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*', OPENSSL_111, 'generic', 'not_affected'],
    // The vendor ordering reads one letter after the release, not OpenSSL's "zd": unknown.
    ['cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*', OPENSSL_102, undefined, 'unknown'],
    ['cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*', OPENSSL_111, undefined, 'affected'],
    ['cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*', OPENSSL_111, 'generic', 'unknown'],
    ['cpe:2.3:a:libressl:libressl:2.0:*:*:*:*:*:*:*', OPENSSL_111, 'generic', 'not_affected'],
    ['cpe:2.3:a:openssl:openssl:1.1.1-beta:*:*:*:*:*:*:*', OPENSSL_111, 'generic', 'unknown'],
  ])('%s against %o with %s → %s', (component, criterion, scheme, status) => {
    const verdict = matchCpe(component, criterion, scheme ? { scheme } : {})
    expect(verdict.status, verdict.reason).toBe(status)
  })

  it('takes the version from the component when its CPE has none', () => {
    expect(
      matchCpe('cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*', OPENSSL_111, {
        scheme: 'generic',
        version: '1.1.1m',
      }),
    ).toMatchObject({
      status: 'affected',
      rule: 'range',
      reason: expect.stringContaining('1.1.1m is within >= 1.1.0, < 1.1.1n') as string,
    })
  })

  it('firmware decides; a hardware CPE alone never makes the device affected', () => {
    const firmware =
      'cpe:2.3:o:siemens:simatic_s7-1500_cpu_1518-4_pn\\/dp_firmware:2.9.1:*:*:*:*:*:*:*'
    const hardware = 'cpe:2.3:h:siemens:simatic_s7-1500_cpu_1518-4_pn\\/dp:-:*:*:*:*:*:*:*'
    expect(matchCpe(firmware, FIRMWARE).status).toBe('affected')
    expect(matchCpe(firmware, HARDWARE).status).toBe('not_affected')
    expect(matchCpe(hardware, FIRMWARE)).toMatchObject({
      status: 'not_affected',
      reason:
        'part differs from cpe:2.3:o:siemens:simatic_s7-1500_cpu_1518-4_pn\\/dp_firmware:*:*:*:*:*:*:*:*',
    })
    expect(matchCpe(hardware, HARDWARE)).toMatchObject({ status: 'not_affected', rule: 'platform' })
    expect(matchCpe(hardware, { ...HARDWARE, vulnerable: true })).toMatchObject({
      status: 'unknown',
      rule: 'hardware',
    })
  })

  it('says unknown for a component CPE that cannot be read', () => {
    expect(matchCpe('cpe:nonsense', OPENSSL_111)).toMatchObject({
      status: 'unknown',
      rule: 'invalid',
    })
  })
})

describe('CpeIndex', () => {
  it('looks up by part:vendor:product and never expands wide criteria or wide queries', () => {
    const index = new CpeIndex<string>({ maxWide: 2 })
    index.add(OPENSSL_102, 'CVE-2022-0778#0')
    index.add(OPENSSL_111, 'CVE-2022-0778#1')
    index.add({ criteria: 'cpe:2.3:a:*:openssl:1.0.1:*:*:*:*:*:*:*' }, 'any-vendor-openssl')
    index.add({ criteria: 'cpe:2.3:*:openssl:*:*:*:*:*:*:*:*:*' }, 'any-part-any-product')
    for (let i = 0; i < 3; i++) {
      index.add({ criteria: 'cpe:2.3:a:*:*:1.0:*:*:*:*:*:*:*' }, `wide-${i}`)
    }
    index.add({ criteria: 'not a cpe' }, 'broken')
    expect(index.stats).toEqual({ criteria: 8, invalid: 1, keyed: 4, wide: 3 })

    const hit = index.lookup('cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*', {
      scheme: 'generic',
    })
    expect(hit.matches.map((m) => [m.ref, m.verdict.status])).toEqual([
      ['CVE-2022-0778#1', 'affected'],
      ['any-part-any-product', 'affected'],
    ])
    expect(hit.examined).toBe(4)
    expect(hit.skipped).toEqual([
      { reason: 'criteria without vendor and product (over the cap of 2)', count: 3 },
    ])

    const wideQuery = index.lookup('cpe:2.3:a:*:openssl:1.0.1:*:*:*:*:*:*:*')
    expect(wideQuery.examined).toBe(0)
    expect(wideQuery.skipped[0]?.reason).toContain('not expanded')
  })

  it('stays fast with many keys (fan-out bounded by the three keys read)', () => {
    const index = new CpeIndex<number>()
    for (let i = 0; i < 20_000; i++) {
      index.add(
        {
          criteria: `cpe:2.3:a:vendor${i % 500}:product${i}:*:*:*:*:*:*:*:*`,
          versionEndExcluding: '2.0',
        },
        i,
      )
    }
    const started = performance.now()
    let found = 0
    for (let i = 0; i < 2_000; i++) {
      found += index.lookup(`cpe:2.3:a:vendor${i % 500}:product${i}:1.${i % 3}:*:*:*:*:*:*:*`)
        .matches.length
    }
    expect(found).toBe(2_000)
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})

describe('evaluateCpeConfiguration', () => {
  // The shape NVD gives PLC advisories: (vulnerable firmware) AND (hardware platform).
  const config = {
    operator: 'AND' as const,
    nodes: [
      { operator: 'OR' as const, cpeMatch: [FIRMWARE] },
      { operator: 'OR' as const, cpeMatch: [HARDWARE] },
    ],
  }
  const firmware = (v: string) =>
    `cpe:2.3:o:siemens:simatic_s7-1500_cpu_1518-4_pn\\/dp_firmware:${v}:*:*:*:*:*:*:*`
  const hardware = 'cpe:2.3:h:siemens:simatic_s7-1500_cpu_1518-4_pn\\/dp:-:*:*:*:*:*:*:*'

  it.each([
    [[firmware('2.9.1'), hardware], 'affected'],
    [[firmware('2.9.2'), hardware], 'not_affected'],
    [[hardware], 'not_affected'], // no firmware CPE: the configuration does not hold
    [[firmware('2.9.1')], 'not_affected'], // the firmware of another device
    [
      ['cpe:2.3:o:siemens:simatic_s7-1500_cpu_1518-4_pn\\/dp_firmware:*:*:*:*:*:*:*:*', hardware],
      'unknown',
    ],
  ])('%o → %s', (cpes, status) => {
    const verdict = evaluateCpeConfiguration(config, cpes)
    expect(verdict.status, verdict.reason).toBe(status)
  })

  it('a vulnerable hardware criterion alone gives unknown, not affected', () => {
    const hardwareOnly = { nodes: [{ cpeMatch: [{ ...HARDWARE, vulnerable: true }] }] }
    expect(evaluateCpeConfiguration(hardwareOnly, [hardware])).toMatchObject({
      status: 'unknown',
      rule: 'hardware',
    })
  })

  it('negated nodes', () => {
    const notHardware = {
      operator: 'AND' as const,
      nodes: [{ cpeMatch: [FIRMWARE] }, { negate: true, cpeMatch: [HARDWARE] }],
    }
    expect(evaluateCpeConfiguration(notHardware, [firmware('2.0'), hardware]).status).toBe(
      'not_affected',
    )
    expect(evaluateCpeConfiguration(notHardware, [firmware('2.0')]).status).toBe('affected')
  })
})
