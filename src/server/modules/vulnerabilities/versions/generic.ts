/**
 * Schemes without a package ecosystem of their own.
 *
 * generic: dotted numbers ("1.2.10"), compared numerically with missing components as zero
 * ("1.2" = "1.2.0"), optionally followed by one run of letters as in OpenSSL's "1.0.2k", which
 * sorts after the bare number ("1.0.2" < "1.0.2a" < "1.0.2k" < "1.0.3"). Anything else — "rc1",
 * "-beta", build metadata, vendor strings — is invalid for this scheme rather than guessed at.
 */

export interface GenericVersion {
  numbers: bigint[]
  letters: string
}

const GENERIC = /^v?(\d+(?:\.\d+)*)([a-z]*)$/i

export function parseGenericVersion(version: string): GenericVersion | undefined {
  const match = GENERIC.exec(version)
  if (!match) return undefined
  return {
    numbers: (match[1] ?? '').split('.').map((n) => BigInt(n)),
    letters: (match[2] ?? '').toLowerCase(),
  }
}

export function compareGenericVersions(a: GenericVersion, b: GenericVersion): number {
  for (let i = 0; i < Math.max(a.numbers.length, b.numbers.length); i++) {
    const x = a.numbers[i] ?? 0n
    const y = b.numbers[i] ?? 0n
    if (x !== y) return x < y ? -1 : 1
  }
  if (a.letters.length !== b.letters.length) return a.letters.length < b.letters.length ? -1 : 1
  return a.letters < b.letters ? -1 : a.letters > b.letters ? 1 : 0
}

/** RFC 3339 timestamps with a time zone, compared as instants (vers "datetime"). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

export function parseDatetime(version: string): number | undefined {
  if (!RFC3339.test(version)) return undefined
  const ms = Date.parse(version)
  return Number.isNaN(ms) ? undefined : ms
}
