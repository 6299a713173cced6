import { useQuery } from '@tanstack/react-query'
import { useSearchParams } from 'react-router'
import type {
  CatalogueSummary,
  ExportFormat,
  FrameworkOverview,
} from '../../../common/api/framework.ts'
import {
  DEVICE_CLASSES,
  REQUIREMENT_KINDS,
  TIERS,
  type DeviceClass,
  type RequirementKind,
  type Tier,
} from '../../../common/framework.ts'
import { api, apiUrl } from '../../lib/api.ts'

/** Every framework query key starts with this, so one invalidation refreshes them all. */
export const FRAMEWORK_KEY = ['framework'] as const

/** The framework changes only when a new version is loaded: keep answers for a while. */
export const FRAMEWORK_STALE_TIME = 5 * 60_000

export function useFrameworkOverview(version?: string) {
  return useQuery({
    queryKey: [...FRAMEWORK_KEY, 'overview', version ?? null],
    queryFn: () => api.get<FrameworkOverview>('/framework', { version }),
    staleTime: FRAMEWORK_STALE_TIME,
  })
}

/** Parsers for values read from the address bar: anything unexpected becomes "not given". */
export function parseTier(value: string | null | undefined): Tier | undefined {
  const tier = Number(value)
  return (TIERS as readonly number[]).includes(tier) ? (tier as Tier) : undefined
}

export function parseDeviceClass(value: string | null | undefined): DeviceClass | undefined {
  return (DEVICE_CLASSES as readonly string[]).includes(value ?? '')
    ? (value as DeviceClass)
    : undefined
}

export function parseKind(value: string | null | undefined): RequirementKind | undefined {
  return (REQUIREMENT_KINDS as readonly string[]).includes(value ?? '')
    ? (value as RequirementKind)
    : undefined
}

const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/

export function parseVersion(value: string | null | undefined): string | undefined {
  return value && SEMVER.test(value) ? value : undefined
}

/** `?version=` of the current address, when it names a version. */
export function useVersionParam(): string | undefined {
  const [params] = useSearchParams()
  return parseVersion(params.get('version'))
}

/** Adds `?version=` to an in-app link when a version other than the current one is shown. */
export function withVersion(path: string, version: string | undefined): string {
  return version ? `${path}?version=${encodeURIComponent(version)}` : path
}

export function requirementPath(id: string, version?: string): string {
  return withVersion(`/framework/requirements/${encodeURIComponent(id)}`, version)
}

export function cataloguePath(catalogue: string): string {
  return `/framework/coverage/${encodeURIComponent(catalogue)}`
}

/** Item ids contain spaces, dots and parentheses ("CR 1.1 RE 1", "I.2(d)"). */
export function itemPath(catalogue: string, item: string, version?: string): string {
  return withVersion(`${cataloguePath(catalogue)}/${encodeURIComponent(item)}`, version)
}

export function schemePath(scheme: string, level: string): string {
  return `/framework/schemes/${encodeURIComponent(scheme)}/${encodeURIComponent(level)}`
}

export function exportUrl(
  format: ExportFormat,
  options: { version?: string; tier?: Tier; deviceClass?: DeviceClass } = {},
): string {
  return apiUrl('/framework/export', { format, ...options })
}

/**
 * Short names of the catalogues for badges and headings; a catalogue not listed here shows its
 * title up to the first colon.
 */
const SHORT_NAMES: Record<string, string> = {
  'etsi-en-303-645': 'EN 303 645',
  'eu-cra-annex-i': 'CRA Annex I',
  'iec-62443-4-1': 'IEC 62443-4-1',
  'iec-62443-4-2': 'IEC 62443-4-2',
  'nist-ir-8425': 'NIST IR 8425',
  'nistir-8259a': 'NISTIR 8259A',
  'nistir-8259b': 'NISTIR 8259B',
  'owasp-iot-top-10': 'OWASP IoT Top 10',
  'owasp-isvs': 'OWASP ISVS',
  'uk-psti': 'UK PSTI',
}

export function catalogueShortName(
  catalogue: string,
  catalogues?: readonly Pick<CatalogueSummary, 'catalogue' | 'title'>[],
): string {
  const known = SHORT_NAMES[catalogue]
  if (known) return known
  const title = catalogues?.find((c) => c.catalogue === catalogue)?.title
  return title ? (title.split(':')[0] ?? title) : catalogue
}
