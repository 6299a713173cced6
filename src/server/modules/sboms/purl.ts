import { formatPurl, parsePurl } from '../vulnerabilities/versions/purl.ts'
import type { PurlParts } from './sbom.types.ts'

/** Longer purls are refused unparsed (no real purl comes close). */
const MAX_PURL_LENGTH = 4096

export type CanonicalPurl =
  { valid: true; purl: string; parts: PurlParts } | { valid: false; purl: string; error: string }

/**
 * Parses a purl and returns its canonical string (the project's purl-spec implementation:
 * type-specific normalisation, qualifiers sorted); an invalid purl is returned as found, with
 * the reason.
 */
export function canonicalPurl(text: string): CanonicalPurl {
  const trimmed = text.trim()
  if (trimmed.length > MAX_PURL_LENGTH) {
    return { valid: false, purl: text, error: `longer than ${MAX_PURL_LENGTH} characters` }
  }
  try {
    const parsed = parsePurl(trimmed)
    const parts: PurlParts = { type: parsed.type, name: parsed.name }
    if (parsed.namespace) parts.namespace = parsed.namespace
    if (parsed.version) parts.version = parsed.version
    if (parsed.qualifiers && Object.keys(parsed.qualifiers).length > 0) {
      parts.qualifiers = { ...parsed.qualifiers }
    }
    if (parsed.subpath) parts.subpath = parsed.subpath
    const canonical = formatPurl(parsed)
    // Most purls arrive canonical: keep the parsed document's flat string rather than the one
    // just assembled piece by piece, which every later map lookup would first have to flatten.
    return { valid: true, purl: canonical === trimmed ? trimmed : canonical, parts }
  } catch (error) {
    return {
      valid: false,
      purl: text,
      error: error instanceof Error ? error.message : String(error),
    }
  }
}
