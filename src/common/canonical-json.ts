/**
 * RFC 8785 (JSON Canonicalization Scheme) for plain JSON values: object keys sorted by UTF-16
 * code units, no white space, numbers and strings as ECMAScript's JSON.stringify writes them
 * (which is what RFC 8785 specifies). Written here rather than imported because it is a dozen
 * lines, must run unchanged in the browser and the CLI, and the npm package ships CommonJS only.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError('Non-finite number')
    }
    if (value === undefined || typeof value === 'function' || typeof value === 'bigint') {
      throw new TypeError(`Cannot canonicalise ${typeof value}`)
    }
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map(
      (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
    )
  return `{${entries.join(',')}}`
}
