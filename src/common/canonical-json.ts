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
  // Built by concatenation rather than map/join: the audit log canonicalises every entry it
  // appends, a thousand at a time when a batch of labels changes.
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  let out = '{'
  for (const key of Object.keys(record).sort()) {
    const item = record[key]
    if (item === undefined) continue
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`
  }
  return `${out}}`
}
