/**
 * Package URLs (purl-spec): parsing, building and canonical formatting with the type-specific
 * normalisation the official test suite checks.
 *
 * Written here rather than wrapping `packageurl-js` (2.0.1, the latest release): run against the
 * official suite in ../shared/data/package-url-tests it failed 78 of 586 cases — it
 * percent-encodes `:` (the spec keeps it), encodes `+` differently, and lacks the rules of newer
 * types (brew, chrome-extension, cpan, git, otp, vcpkg, vscode-extension, julia).
 */

export interface Purl {
  type: string
  namespace: string | null
  name: string
  version: string | null
  qualifiers: Record<string, string> | null
  subpath: string | null
}

/** Input to {@link buildPurl}: the parts as a caller has them, before normalisation. */
export interface PurlParts {
  type: string | null
  namespace?: string | null
  name: string | null
  version?: string | null
  qualifiers?: Record<string, string> | null
  subpath?: string | null
}

export class PurlError extends Error {
  override name = 'PurlError'
}

const TYPE_PATTERN = /^[a-z.+-][a-z0-9.+-]*$/
const QUALIFIER_KEY_PATTERN = /^[a-z._-][a-z0-9._-]*$/

interface TypeRule {
  /** Lower-case the namespace. */
  lowerNamespace?: boolean
  /** Lower-case the name. */
  lowerName?: boolean
  namespace?: 'required' | 'prohibited'
  requiredQualifiers?: string[]
  /** Extra normalisation or validation; throws PurlError when the purl is invalid. */
  check?: (purl: Purl) => void
}

const LOWER_BOTH: TypeRule = { lowerNamespace: true, lowerName: true }
const NO_RULE: TypeRule = {}

const TYPE_RULES: Record<string, TypeRule> = {
  alpm: LOWER_BOTH,
  apk: LOWER_BOTH,
  bitbucket: LOWER_BOTH,
  bitnami: { lowerName: true },
  brew: LOWER_BOTH,
  composer: LOWER_BOTH,
  deb: LOWER_BOTH,
  git: LOWER_BOTH,
  github: LOWER_BOTH,
  gitlab: LOWER_BOTH,
  hex: LOWER_BOTH,
  qpkg: { lowerNamespace: true },
  oci: { lowerName: true, namespace: 'prohibited' },
  otp: { namespace: 'prohibited' },
  vcpkg: { namespace: 'prohibited' },
  swift: { namespace: 'required' },
  'vscode-extension': { namespace: 'required' },
  julia: { requiredQualifiers: ['uuid'] },
  pypi: {
    lowerName: true,
    check: (purl) => {
      purl.name = purl.name.replace(/_/g, '-')
    },
  },
  cpan: {
    check: (purl) => {
      if (purl.name.includes('::')) throw new PurlError('cpan names use "-", not "::"')
    },
  },
  huggingface: {
    check: (purl) => {
      if (purl.version) purl.version = purl.version.toLowerCase()
    },
  },
  mlflow: {
    check: (purl) => {
      // Databricks model names are case-insensitive; Azure ML ones are not.
      if (purl.qualifiers?.repository_url?.includes('databricks')) {
        purl.name = purl.name.toLowerCase()
      }
    },
  },
  'chrome-extension': {
    check: (purl) => {
      if (!/^[a-p]{32}$/.test(purl.name)) {
        throw new PurlError('a chrome-extension id is 32 letters a–p')
      }
      if (purl.version !== null && !/^\d+(\.\d+){0,3}$/.test(purl.version)) {
        throw new PurlError('a chrome-extension version is one to four dot-separated integers')
      }
    },
  },
}

// Characters kept as they are; everything else is percent-encoded (the spec's unreserved set
// plus ':', which it explicitly leaves unencoded).
const UNENCODED = /[A-Za-z0-9._~:-]/
const ALL_UNENCODED = /^[A-Za-z0-9._~:-]*$/
const ALL_UNENCODED_PATH = /^[A-Za-z0-9._~:/-]*$/
const utf8 = new TextEncoder()

function encode(text: string): string {
  // Most names need no encoding at all: one test instead of one per character.
  if (ALL_UNENCODED.test(text)) return text
  let out = ''
  for (const char of text) {
    if (UNENCODED.test(char)) out += char
    else {
      for (const byte of utf8.encode(char)) {
        out += '%' + byte.toString(16).toUpperCase().padStart(2, '0')
      }
    }
  }
  return out
}

/** Each '/'-separated segment encoded; a path that needs no encoding is returned as it is. */
function encodePath(path: string): string {
  return ALL_UNENCODED_PATH.test(path) ? path : path.split('/').map(encode).join('/')
}

function decode(text: string): string {
  // Without a percent sign there is nothing to decode (and nothing decodeURIComponent refuses).
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    throw new PurlError(`invalid percent-encoding in "${text}"`)
  }
}

/** Non-empty segments without a percent sign: a namespace that cleanSegments would keep as it is. */
const PLAIN_NAMESPACE = /^[^/%]+(?:\/[^/%]+)*$/

function cleanSegments(path: string, isSubpath: boolean): string[] {
  return path
    .split('/')
    .filter((s) => s !== '' && !(isSubpath && (s === '.' || s === '..')))
    .map((s) => {
      const decoded = decode(s)
      // The spec forbids it, and joined with the others it would read as two segments.
      if (decoded.includes('/')) throw new PurlError(`segment "${s}" decodes to a "/"`)
      return decoded
    })
}

/** Parses a purl string and normalises it; throws {@link PurlError} when it is not a valid purl. */
export function parsePurl(input: string): Purl {
  let rest = input.trim()
  let subpath: string | null = null
  const hash = rest.indexOf('#')
  if (hash >= 0) {
    subpath = cleanSegments(rest.slice(hash + 1), true).join('/') || null
    rest = rest.slice(0, hash)
  }
  let qualifiers: Record<string, string> | null = null
  const question = rest.indexOf('?')
  if (question >= 0) {
    qualifiers = parseQualifiers(rest.slice(question + 1))
    rest = rest.slice(0, question)
  }
  const colon = rest.indexOf(':')
  if (colon < 0 || rest.slice(0, colon).toLowerCase() !== 'pkg') {
    throw new PurlError('a purl starts with "pkg:"')
  }
  rest = rest.slice(colon + 1)
  if (rest.startsWith('/')) rest = rest.replace(/^\/+/, '')
  const slash = rest.indexOf('/')
  const type = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase()
  rest = slash < 0 ? '' : rest.slice(slash + 1)
  if (rest.endsWith('/')) rest = rest.replace(/\/+$/, '')
  const lastSlash = rest.lastIndexOf('/')
  let nameAndVersion = rest.slice(lastSlash + 1)
  const namespacePart = lastSlash < 0 ? '' : rest.slice(0, lastSlash)
  let version: string | null = null
  const at = nameAndVersion.lastIndexOf('@')
  if (at >= 0) {
    version = decode(nameAndVersion.slice(at + 1)) || null
    nameAndVersion = nameAndVersion.slice(0, at)
  }
  // Most namespaces are one or a few plain segments, already in their clean form.
  const namespace = PLAIN_NAMESPACE.test(namespacePart)
    ? namespacePart
    : cleanSegments(namespacePart, false).join('/')
  return normalise({
    type,
    namespace: namespace || null,
    name: decode(nameAndVersion),
    version,
    qualifiers,
    subpath,
  })
}

function parseQualifiers(text: string): Record<string, string> | null {
  const result: Record<string, string> = {}
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    if (eq < 0) throw new PurlError(`qualifier "${pair}" has no "="`)
    const key = pair.slice(0, eq).toLowerCase()
    const value = decode(pair.slice(eq + 1))
    if (key in result) throw new PurlError(`qualifier "${key}" appears twice`)
    if (value !== '') result[key] = value
  }
  return result
}

/** Builds a purl from its parts, applying the same normalisation and checks as parsing. */
export function buildPurl(parts: PurlParts): Purl {
  if (!parts.type) throw new PurlError('a purl needs a type')
  if (!parts.name) throw new PurlError('a purl needs a name')
  let qualifiers: Record<string, string> | null = null
  if (parts.qualifiers) {
    qualifiers = {}
    for (const [key, value] of Object.entries(parts.qualifiers)) {
      if (value !== '') qualifiers[key.toLowerCase()] = value
    }
  }
  const subpath = parts.subpath ? cleanSegments(parts.subpath, true).join('/') : null
  return normalise({
    type: parts.type.toLowerCase(),
    namespace: parts.namespace ? parts.namespace.split('/').filter(Boolean).join('/') : null,
    name: parts.name,
    version: parts.version || null,
    qualifiers,
    subpath: subpath || null,
  })
}

/** Types already checked against TYPE_PATTERN (a handful in any SBOM). */
const validTypes = new Set<string>()

function normalise(purl: Purl): Purl {
  if (!validTypes.has(purl.type)) {
    if (!TYPE_PATTERN.test(purl.type)) throw new PurlError(`invalid purl type "${purl.type}"`)
    if (validTypes.size < 1000) validTypes.add(purl.type)
  }
  if (purl.qualifiers) {
    for (const key of Object.keys(purl.qualifiers)) {
      if (!QUALIFIER_KEY_PATTERN.test(key)) throw new PurlError(`invalid qualifier key "${key}"`)
    }
    if (Object.keys(purl.qualifiers).length === 0) purl.qualifiers = null
  }
  const rule = TYPE_RULES[purl.type] ?? NO_RULE
  if (rule.lowerNamespace && purl.namespace) purl.namespace = purl.namespace.toLowerCase()
  if (rule.lowerName) purl.name = purl.name.toLowerCase()
  if (purl.type === 'git' && (purl.namespace?.includes('/') || purl.name.includes('/'))) {
    // The git type's namespace is the host alone; the repository path is the name, written
    // segment by segment (so a decoded "/" in it separates segments, and empty ones go).
    const [host, ...path] = `${purl.namespace ?? ''}/${purl.name}`.split('/').filter(Boolean)
    purl.namespace = path.length > 0 ? (host ?? null) : null
    purl.name = path.length > 0 ? path.join('/') : (host ?? '')
  }
  rule.check?.(purl)
  if (purl.name === '') throw new PurlError('a purl needs a name')
  if (rule.namespace === 'required' && !purl.namespace) {
    throw new PurlError(`${purl.type} purls need a namespace`)
  }
  if (rule.namespace === 'prohibited' && purl.namespace) {
    throw new PurlError(`${purl.type} purls have no namespace`)
  }
  for (const key of rule.requiredQualifiers ?? []) {
    if (!purl.qualifiers?.[key]) {
      throw new PurlError(`${purl.type} purls need the "${key}" qualifier`)
    }
  }
  return purl
}

/** The canonical string form of a purl. */
export function formatPurl(purl: Purl): string {
  let out = `pkg:${purl.type}/`
  if (purl.namespace) out += encodePath(purl.namespace) + '/'
  out += purl.type === 'git' ? encodePath(purl.name) : encode(purl.name)
  if (purl.version) out += '@' + encode(purl.version)
  const qualifiers = purl.qualifiers
  if (qualifiers) {
    const keys = Object.keys(qualifiers).sort()
    if (keys.length > 0) {
      out += '?' + keys.map((k) => `${k}=${encode(qualifiers[k] ?? '')}`).join('&')
    }
  }
  if (purl.subpath) out += '#' + encodePath(purl.subpath)
  return out
}

/** Parses and re-formats: the canonical form of a purl string. */
export function canonicalisePurl(input: string): string {
  return formatPurl(parsePurl(input))
}
