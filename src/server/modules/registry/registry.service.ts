import type { Label, LabelRecord } from '../../../common/api/labels.ts'
import {
  REGISTRY_COUNT_LIMIT,
  REGISTRY_PAGE_LIMIT,
  type Countdown,
  type Cta2120Record,
  type RegistryEntry,
  type RegistryLinks,
  type RegistryPage,
  type RegistryQuery,
  type RegistryRecord,
  type StandardReached,
} from '../../../common/api/registry.ts'
import { AppError } from '../../../common/errors.ts'
import {
  DEVICE_CLASS_LABELS,
  DEVICE_CLASSES,
  isAtLeastAsStrong,
  TIERS,
  VERIFICATION_STRENGTHS,
  type DeviceClass,
  type Tier,
  type VerificationStrength,
} from '../../../common/framework.ts'
import { DAY } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import type { FrameworkIndex } from '../framework/analysis.ts'
import { getFramework, listVersions } from '../framework/framework.service.ts'
import { labelPageUrl } from '../labels/artefacts.ts'
import {
  effectiveStatus,
  getLabel,
  getPublicLabelStatus,
  type IssuedProfile,
} from '../labels/labels.service.ts'
import { searchRegistryLabels } from './registry.repository.ts'
import { searchWords } from './search-words.ts'

type ReadCtx = Pick<Ctx, 'db' | 'clock' | 'config'>

// ---- standard coverage

/** Reached scheme levels per framework index and tier/profile; versions never change. */
const reachedCache = new WeakMap<FrameworkIndex, Map<string, StandardReached[]>>()

/**
 * The scheme levels a label's tier and profile reach through the framework's crosswalk: the
 * label says every requirement of its profile up to its tier is met, so an external item is
 * satisfied when a requirement covering it alone is in that set, or when every requirement
 * covering part of it is; a level is reached when every item it selects is satisfied (the same
 * rule as an assessment's comply-many view), and the label was checked at least as strongly as
 * the level asks (e.g. lab-tested for Singapore CLS level 4).
 */
export function standardsReached(
  index: FrameworkIndex,
  tier: Tier,
  profile: DeviceClass,
  strength: VerificationStrength,
): StandardReached[] {
  let byProfile = reachedCache.get(index)
  if (!byProfile) reachedCache.set(index, (byProfile = new Map()))
  const key = `${tier}:${profile}:${strength}`
  const known = byProfile.get(key)
  if (known) return known
  const met = new Set(index.profile(tier, profile).map((p) => p.requirement.id))
  const applies = (id: string) =>
    index.requirementsById.get(id)?.deviceClasses.includes(profile) ?? false
  const reached: StandardReached[] = []
  for (const scheme of index.document.schemes) {
    for (const level of scheme.levels) {
      if (level.verification && !isAtLeastAsStrong(strength, level.verification)) continue
      const view = index.schemeView(scheme.scheme, level.id, profile)
      if (!view || view.items.length === 0) continue
      const satisfied = view.items.every((entry) => {
        const links = entry.links.filter((l) => applies(l.requirement))
        const covering = links.filter((l) => l.covering)
        const partial = links.filter((l) => !l.covering)
        return (
          covering.some((l) => met.has(l.requirement)) ||
          (partial.length > 0 && partial.every((l) => met.has(l.requirement)))
        )
      })
      if (satisfied) {
        reached.push({
          scheme: scheme.scheme,
          schemeTitle: scheme.title,
          level: level.id,
          levelTitle: level.title,
        })
      }
    }
  }
  byProfile.set(key, reached)
  return reached
}

/** The standards a label reaches; none when its framework version is not stored here. */
async function standardsOf(
  ctx: Ctx,
  label: {
    frameworkVersion: string
    tier: Tier
    profile: DeviceClass
    strength: VerificationStrength
  },
): Promise<StandardReached[]> {
  try {
    const index = await getFramework(ctx, label.frameworkVersion)
    return standardsReached(index, label.tier, label.profile, label.strength)
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return []
    throw error
  }
}

/**
 * `standardsOf` for many labels: each framework version looked up once (a page of a search would
 * otherwise ask the database for it once per entry, a round trip each).
 */
function standardsOfEach(ctx: Ctx) {
  const byVersion = new Map<string, Promise<FrameworkIndex | undefined>>()
  return async (label: Parameters<typeof standardsOf>[1]): Promise<StandardReached[]> => {
    let index = byVersion.get(label.frameworkVersion)
    if (!index) {
      index = getFramework(ctx, label.frameworkVersion).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'not_found') return undefined
        throw error
      })
      byVersion.set(label.frameworkVersion, index)
    }
    const found = await index
    return found ? standardsReached(found, label.tier, label.profile, label.strength) : []
  }
}

const labelProfile = (record: LabelRecord) => ({
  frameworkVersion: record.frameworkVersion,
  tier: record.tier,
  profile: record.profile,
  strength: record.verificationStrength,
})

/**
 * Which labels reach `standard`, by their framework version, tier, profile and strength, over
 * the framework versions stored here (a few dozen combinations per version, found without
 * reading the labels): those that reach it, or, when fewer, those that do not.
 */
async function coverageReaching(ctx: Ctx, standard: string) {
  const [scheme, level] = standard.split(':') as [string, string | undefined]
  const reaching: IssuedProfile[] = []
  const missing: IssuedProfile[] = []
  const versions = (await listVersions(ctx)).map((v) => v.version)
  for (const version of versions) {
    const index = await getFramework(ctx, version)
    for (const tier of TIERS) {
      for (const profile of DEVICE_CLASSES) {
        for (const strength of VERIFICATION_STRENGTHS) {
          const reached = standardsReached(index, tier, profile, strength).some(
            (r) => r.scheme === scheme && (level ?? r.level) === r.level,
          )
          const combination = {
            frameworkVersion: version,
            tier,
            profile,
            verificationStrength: strength,
          }
          if (reached) reaching.push(combination)
          else missing.push(combination)
        }
      }
    }
  }
  const exclude = missing.length < reaching.length
  return { versions, profiles: exclude ? missing : reaching, exclude }
}

// ---- search

function entryOf(
  label: Pick<Label, 'id' | 'status' | 'statusReason' | 'record'>,
  standards: StandardReached[],
): RegistryEntry {
  const { record } = label
  return {
    labelId: label.id,
    status: label.status,
    statusReason: label.statusReason,
    productName: record.product.name,
    manufacturer: record.product.manufacturer.name,
    modelNumbers: record.product.modelNumbers,
    version: record.product.version,
    deviceClass: record.product.deviceClass,
    tier: record.tier,
    frameworkVersion: record.frameworkVersion,
    verificationStrength: record.verificationStrength,
    assessor: record.assessor.name,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    supportPeriodEnd: record.product.supportPeriodEnd,
    standards,
  }
}

/**
 * Searches the public registry: every label issued, narrowed by words, the manufacturer, device
 * class, tier, status as a reader sees it now, and standard coverage. Labels in which every word
 * searched is a whole word come first, then the others; newest first within each.
 */
export async function searchRegistry(ctx: Ctx, query: RegistryQuery): Promise<RegistryPage> {
  const limit = Math.min(query.limit ?? 20, REGISTRY_PAGE_LIMIT)
  const offset = query.offset ?? 0
  const words = searchWords(query.q)
  const manufacturer = searchWords(query.manufacturer)
  // Text with no letters or digits in it matches nothing (as the framework's search).
  if (
    (query.q?.trim() && words.length === 0) ||
    (query.manufacturer?.trim() && manufacturer.length === 0)
  ) {
    return { items: [], total: 0, totalExact: true, limit, offset }
  }
  const coverage = query.standard ? await coverageReaching(ctx, query.standard) : undefined
  const { rows, total: counted } = await searchRegistryLabels(ctx.db, {
    words,
    manufacturer,
    ...(query.deviceClass ? { deviceClass: query.deviceClass } : {}),
    ...(query.tier !== undefined ? { tier: query.tier } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(coverage ? { coverage } : {}),
    now: ctx.clock.now().toISOString(),
    limit,
    offset,
    countLimit: REGISTRY_COUNT_LIMIT,
  })
  const now = ctx.clock.now()
  const standardsOfLabel = standardsOfEach(ctx)
  const items = []
  for (const row of rows) {
    const status = effectiveStatus(row, now)
    // A label past its expiry that the expiry job has not recorded yet (rare): as the labels module says it.
    const label =
      status === row.status
        ? {
            id: row.id,
            status,
            statusReason: row.status_reason,
            record: JSON.parse(row.record) as LabelRecord,
          }
        : await getLabel(ctx, row.id)
    items.push(entryOf(label, await standardsOfLabel(labelProfile(label.record))))
  }
  const totalExact = counted <= REGISTRY_COUNT_LIMIT
  return { items, total: Math.min(counted, REGISTRY_COUNT_LIMIT), totalExact, limit, offset }
}

// ---- one record

/** Whole days from `now`'s UTC date to `date` (YYYY-MM-DD); 0 on the day itself. */
export function countdown(date: string, now: Date): Countdown {
  const end = Date.parse(`${date.slice(0, 10)}T00:00:00Z`)
  const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`)
  const daysLeft = Math.round((end - today) / DAY)
  return { endsOn: date.slice(0, 10), daysLeft, ended: daysLeft < 0 }
}

export function registryLinks(publicUrl: string, labelId: string): RegistryLinks {
  const api = `${publicUrl}/api/v1`
  return {
    page: labelPageUrl(publicUrl, labelId),
    verify: `${publicUrl}/verify?label=${labelId}`,
    status: `${api}/labels/${labelId}/status`,
    badgeSvg: `${api}/labels/${labelId}/badge.svg`,
    qrSvg: `${api}/labels/${labelId}/qr.svg`,
    qrPng: `${api}/labels/${labelId}/qr.png`,
    certificatePdf: `${api}/labels/${labelId}/certificate.pdf`,
    cta2120: `${api}/registry/labels/${labelId}/cta-2120`,
  }
}

/**
 * A label's product record: the label, its live status with the reason and history, the support
 * period countdown, the security contact, verification strength, assessor and standards reached.
 * @throws not_found
 */
export async function getRegistryRecord(ctx: Ctx, labelId: string): Promise<RegistryRecord> {
  const label = await getLabel(ctx, labelId)
  const status = await getPublicLabelStatus(ctx, labelId)
  const { record } = label
  const now = ctx.clock.now()
  // Validity ends at an instant; count days to the day it ends (its last moment is the day before).
  const lastValidDay = new Date(Date.parse(record.expiresAt) - 1).toISOString().slice(0, 10)
  return {
    labelId: label.id,
    status: status.status,
    statusReason: status.reason,
    statusChangedAt: status.changedAt,
    history: status.history,
    support: countdown(record.product.supportPeriodEnd, now),
    validity: countdown(lastValidDay, now),
    securityContact: record.product.securityContact,
    disclosurePolicyUrl: record.product.disclosurePolicyUrl,
    verificationStrength: record.verificationStrength,
    assessor: record.assessor,
    standards: await standardsOf(ctx, labelProfile(record)),
    keyId: label.keyId,
    jws: label.jws,
    record,
    links: registryLinks(ctx.config.publicUrl, label.id),
  }
}

// ---- CTA-2120 export

const UPDATE_DESCRIPTIONS = {
  automatic: 'Security updates install automatically.',
  'user-initiated': 'Security updates are offered; the user starts the installation.',
  manual: 'Security updates are downloaded and installed by hand.',
  none: 'The product receives no software updates.',
} as const

const PASSWORD_DESCRIPTIONS = {
  'no-passwords': 'The product has no passwords (certificates, physical pairing or similar).',
  'unique-per-device': 'Each device has its own password, set at the factory.',
  'set-on-first-use': 'The user must set a password before the product works.',
} as const

/** CTA-2120 label data fields the network has no value for (docs/registry.md). */
export const CTA_2120_NOT_PROVIDED = [
  'fccId',
  'hbomMaintained',
  'labelAdministratorContact',
  'testingLaboratoryContact',
  'manufacturerSupportContact',
  'productIdentifier (UPC/GTIN)',
] as const

/**
 * One label as a CTA-2120-style label data record, with its live status.
 * @throws not_found
 */
export async function getCta2120Record(ctx: ReadCtx, labelId: string): Promise<Cta2120Record> {
  const label = await getLabel(ctx, labelId)
  const { record } = label
  const { product } = record
  return {
    recordType: 'cta-2120-label-data',
    recordFormat: 'isn-cta-2120/1',
    labelIdentifier: label.id,
    labelStatus: label.status,
    labelStatusReason: label.statusReason,
    registryUrl: labelPageUrl(ctx.config.publicUrl, label.id),
    productName: product.name,
    manufacturerName: product.manufacturer.name,
    modelNumbers: product.modelNumbers,
    softwareVersion: product.version,
    productCategory: DEVICE_CLASS_LABELS[product.deviceClass],
    dateOfLabelGrant: record.issuedAt.slice(0, 10),
    labelExpirationDate: record.expiresAt.slice(0, 10),
    labelAdministrator: { name: 'IIoT Safety Network', url: record.iss },
    testingLaboratory:
      record.verificationStrength === 'lab-tested' ? { name: record.assessor.name } : null,
    conformityAssessment: {
      method: record.verificationStrength,
      assessor: record.assessor.name,
      programme: `ISN framework ${record.frameworkVersion}, profile ${record.profile}`,
      level: `Tier ${record.tier}`,
    },
    manufacturerContact: {
      vulnerabilityReporting: product.securityContact,
      vulnerabilityDisclosurePolicyUrl: product.disclosurePolicyUrl,
    },
    supportPeriod: {
      endDate: product.supportPeriodEnd,
      daysRemaining: countdown(product.supportPeriodEnd, ctx.clock.now()).daysLeft,
    },
    softwareUpdates: {
      mechanism: product.updateMechanism,
      automatic: product.updateMechanism === 'automatic',
      description: UPDATE_DESCRIPTIONS[product.updateMechanism],
    },
    defaultPasswords: {
      policy: product.defaultPasswordPolicy,
      description: PASSWORD_DESCRIPTIONS[product.defaultPasswordPolicy],
    },
    secureConfigurationUrl: product.secureSetupGuidanceUrl ?? null,
    sbomMaintained: product.sbomAvailable,
    hbomMaintained: null,
    sensors: product.sensorDisclosures,
    dataCollection: product.dataDisclosures,
    fccId: null,
    notProvided: [...CTA_2120_NOT_PROVIDED],
  }
}
