/**
 * The parts of a CPE the matching engine looks components up by: part, vendor, product and
 * version, from a CPE 2.3 formatted string (`cpe:2.3:a:vendor:product:1.0:*:…`, backslash
 * quoting) or a CPE 2.2 URI (`cpe:/a:vendor:product:1.0`, percent-encoding). Values are unquoted
 * and lower-cased (CPE matching is case-insensitive); `*` (ANY) and `-` (NA) stay as written.
 * Anything else gives `undefined`: the CPE is still stored, only not indexed.
 */
export interface CpeParts {
  part: string
  vendor: string
  product: string
  version?: string
}

/** Splits on colons that are not quoted with a backslash. */
function splitFormatted(text: string): string[] {
  const fields: string[] = []
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\\' && i + 1 < text.length) {
      current += text[i + 1]
      i++
    } else if (c === ':') {
      fields.push(current)
      current = ''
    } else {
      current += c
    }
  }
  fields.push(current)
  return fields
}

function decodeUri(value: string): string | undefined {
  try {
    return decodeURIComponent(value)
  } catch {
    return undefined
  }
}

export function parseCpe(cpe: string): CpeParts | undefined {
  const text = cpe.trim()
  let fields: (string | undefined)[]
  if (/^cpe:2\.3:/i.test(text)) {
    fields = splitFormatted(text.slice('cpe:2.3:'.length))
    if (fields.length !== 11) return undefined
  } else if (/^cpe:\/[aho]?(:|$)/i.test(text)) {
    fields = text.slice('cpe:/'.length).split(':').map(decodeUri)
    if (fields.length > 7) return undefined
  } else {
    return undefined
  }
  const [part, vendor, product, version] = fields.map((f) => f?.toLowerCase())
  if (!part || !/^[aho*-]$/.test(part) || !vendor || !product) return undefined
  return { part, vendor, product, ...(version && version !== '*' ? { version } : {}) }
}
