import { createHash } from 'node:crypto'
import {
  TIER_LABELS,
  TIERS,
  type DeviceClass,
  type Tier,
  type VerificationStrength,
} from '../../../common/framework.ts'
import { AppError } from '../../../common/errors.ts'
import type { FrameworkIndex } from './analysis.ts'
import { itemKey, type Requirement } from './model.ts'

/**
 * OSCAL 1.1 JSON exports of one framework version: the whole framework as a catalog (one group
 * per category, one control per requirement, crosswalk targets as back-matter resources) and the
 * requirement set of a tier and device class as a profile that imports the catalog.
 *
 * Everything is derived from the version alone: UUIDs are UUIDv5 over the version and ids, and
 * `last-modified` is the release date, so a published version always exports byte for byte the
 * same. Validated against the NIST OSCAL JSON schemas in testdata/oscal/ by the tests.
 */

export const OSCAL_VERSION = '1.1.2'
/** Namespace of the properties and parts this framework defines beyond OSCAL's own. */
export const ISN_NS = 'https://iiot-safety.network/ns/oscal'
/** UUIDv5 namespace of every UUID in the exports (itself the UUIDv5 of ISN_NS in the URL namespace). */
const UUID_NAMESPACE = uuidV5(ISN_NS, '6ba7b811-9dad-11d1-80b4-00c04fd430c8')
/** Drafts carry no release date; a fixed one keeps their exports reproducible too. */
const DRAFT_TIMESTAMP = '2000-01-01T00:00:00Z'

/** RFC 4122 name-based UUID, version 5 (SHA-1). */
export function uuidV5(name: string, namespace: string = UUID_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

interface Prop {
  name: string
  value: string
  ns?: string
  class?: string
  remarks?: string
}

interface Part {
  id?: string
  name: string
  ns?: string
  class?: string
  title?: string
  props?: Prop[]
  prose?: string
  parts?: Part[]
}

interface Link {
  href: string
  rel?: string
  text?: string
}

interface Resource {
  uuid: string
  title: string
  description?: string
  props?: Prop[]
  citation?: { text: string }
  rlinks?: { href: string; 'media-type'?: string }[]
}

/** OSCAL strings may not start or end with white space (YAML block scalars end with a newline). */
function text(value: string): string {
  return value.trim()
}

function isnProp(name: string, value: string, extra: Partial<Prop> = {}): Prop {
  return { name, ns: ISN_NS, value: text(value), ...extra }
}

/** Control id in the catalog: the requirement id in lower case (ISN-UPD-01 → isn-upd-01). */
export function controlId(requirementId: string): string {
  return requirementId.toLowerCase()
}

export function oscalCatalogFilename(version: string): string {
  return `isn-framework-${version}-oscal-catalog.json`
}

export function oscalProfileFilename(version: string, tier: Tier, deviceClass?: DeviceClass) {
  return `isn-framework-${version}-tier-${tier}${deviceClass ? `-${deviceClass}` : ''}-oscal-profile.json`
}

function lastModified(index: FrameworkIndex): string {
  const { released } = index.document
  return released ? `${released}T00:00:00Z` : DRAFT_TIMESTAMP
}

/** The metadata both documents share: the network as creator, version, status. */
function metadata(index: FrameworkIndex, title: string, props: Prop[], remarks: string) {
  const { document } = index
  const party = uuidV5('party:iiot-safety-network')
  return {
    title,
    ...(document.released ? { published: `${document.released}T00:00:00Z` } : {}),
    'last-modified': lastModified(index),
    version: document.version,
    'oscal-version': OSCAL_VERSION,
    props: [isnProp('status', document.status), ...props],
    roles: [{ id: 'creator', title: 'Document Creator' }],
    parties: [
      {
        uuid: party,
        type: 'organization',
        name: 'IIoT Safety Network',
        'short-name': 'ISN',
      },
    ],
    'responsible-parties': [{ 'role-id': 'creator', 'party-uuids': [party] }],
    remarks: text(remarks),
  }
}

function crosswalkResourceUuid(version: string, catalogue: string, item: string): string {
  return uuidV5(`${version}:resource:${itemKey(catalogue, item)}`)
}

function requirementControl(index: FrameworkIndex, r: Requirement) {
  const id = controlId(r.id)
  const version = index.document.version
  const strengths = new Set(Object.values(r.verification))
  const verification = TIERS.flatMap((tier) => {
    const strength: VerificationStrength | undefined = r.verification[String(tier) as '1']
    return strength ? [isnProp('verification', strength, { class: `tier-${tier}` })] : []
  })
  const links = index.linksOf(r.id)
  return {
    id,
    class: 'requirement',
    title: text(r.title),
    props: [
      { name: 'label', value: r.id },
      { name: 'sort-id', value: id },
      isnProp('tier', String(r.tier), { remarks: TIER_LABELS[r.tier] }),
      isnProp('kind', r.kind),
      ...r.deviceClasses.map((c) => isnProp('device-class', c)),
      ...verification,
      ...(r.replaces ?? []).map((old) => isnProp('replaces', controlId(old))),
      // The crosswalk, machine-readable: the relation is the class ("ours is <relation> theirs").
      ...links.map((l) =>
        isnProp('crosswalk', itemKey(l.catalogue, l.item), {
          class: l.relation,
          remarks: text(`Strength ${l.strength}; provenance ${l.provenance}. ${text(l.rationale)}`),
        }),
      ),
    ],
    ...(links.length
      ? {
          links: links.map((l) => ({
            href: `#${crosswalkResourceUuid(version, l.catalogue, l.item)}`,
            rel: 'reference',
            text: `${l.relation} (${l.strength}): ${index.catalogues.get(l.catalogue)?.title ?? l.catalogue} ${l.item}`,
          })) satisfies Link[],
        }
      : {}),
    parts: [
      { id: `${id}_smt`, name: 'statement', prose: text(r.statement) },
      { id: `${id}_gdn`, name: 'guidance', prose: text(r.rationale) },
      {
        id: `${id}_obj`,
        name: 'assessment-objective',
        prose: `Determine if: ${text(r.statement)}`,
      },
      {
        id: `${id}_asm`,
        name: 'assessment-method',
        props: [
          { name: 'method', value: 'EXAMINE' },
          ...(strengths.has('lab-tested') ? [{ name: 'method', value: 'TEST' }] : []),
        ],
        prose: text(r.assessorGuidance),
        ...(r.evidence.length
          ? {
              parts: [
                {
                  id: `${id}_asm-obj`,
                  name: 'assessment-objects',
                  title: 'Evidence',
                  prose: r.evidence.map((e) => `- ${text(e)}`).join('\n'),
                },
              ],
            }
          : {}),
      },
    ] satisfies Part[],
  }
}

/** The whole framework version as an OSCAL catalog. */
export function oscalCatalog(index: FrameworkIndex): object {
  const { document } = index
  const version = document.version
  const groups = document.categories.map((category) => {
    const id = category.id.toLowerCase()
    const controls = document.requirements
      .filter((r) => r.category === category.id)
      .map((r) => requirementControl(index, r))
    return {
      id,
      class: 'category',
      title: text(category.title),
      props: [{ name: 'label', value: category.id }],
      parts: [{ id: `${id}_ovw`, name: 'overview', prose: text(category.description) }],
      ...(controls.length ? { controls } : {}),
    }
  })
  // One resource per external item the crosswalk reaches, in catalogue and item order.
  const resources: Resource[] = []
  for (const catalogue of document.catalogues) {
    const linked = new Set(
      document.links.filter((l) => l.catalogue === catalogue.catalogue).map((l) => l.item),
    )
    for (const item of catalogue.items) {
      if (!linked.has(item.id)) continue
      resources.push({
        uuid: crosswalkResourceUuid(version, catalogue.catalogue, item.id),
        title: text(`${catalogue.title} ${item.id}: ${item.title}`),
        ...(item.summary ? { description: text(item.summary) } : {}),
        props: [
          isnProp('catalogue', catalogue.catalogue),
          isnProp('catalogue-version', catalogue.version),
          isnProp('item', item.id),
        ],
        citation: {
          text: text(
            `${catalogue.publisher}, ${catalogue.title} (${catalogue.version}), ${item.id}`,
          ),
        },
        rlinks: [{ href: catalogue.url }],
      })
    }
  }
  return {
    catalog: {
      uuid: uuidV5(`${version}:catalog`),
      metadata: metadata(
        index,
        text(document.title),
        [isnProp('requirements', String(document.requirements.length))],
        document.summary,
      ),
      groups,
      ...(resources.length ? { 'back-matter': { resources } } : {}),
    },
  }
}

/** The requirements of a tier (and device class) as an OSCAL profile that imports the catalog. */
export function oscalProfile(index: FrameworkIndex, tier: Tier, deviceClass?: DeviceClass): object {
  const { document } = index
  const version = document.version
  const requirements = index.profile(tier, deviceClass)
  if (requirements.length === 0) {
    throw new AppError(
      'not_found',
      `No requirement applies at tier ${tier}${deviceClass ? ` to ${deviceClass}` : ''}.`,
    )
  }
  const catalogResource = uuidV5(`${version}:catalog-resource`)
  const scope = `tier ${tier} (${TIER_LABELS[tier]})${deviceClass ? `, ${deviceClass}` : ', all device classes'}`
  return {
    profile: {
      uuid: uuidV5(`${version}:profile:tier-${tier}:${deviceClass ?? 'all'}`),
      metadata: metadata(
        index,
        text(`${document.title}: ${scope}`),
        [
          isnProp('tier', String(tier)),
          ...(deviceClass ? [isnProp('device-class', deviceClass)] : []),
          isnProp('requirements', String(requirements.length)),
        ],
        `The requirements a product${deviceClass ? ` of class ${deviceClass}` : ''} must meet at ${scope}. The verification strength asked at this tier is the catalog's "verification" property of class tier-${tier}.`,
      ),
      imports: [
        {
          href: `#${catalogResource}`,
          'include-controls': [
            { 'with-ids': requirements.map((p) => controlId(p.requirement.id)) },
          ],
        },
      ],
      merge: { 'as-is': true },
      'back-matter': {
        resources: [
          {
            uuid: catalogResource,
            title: text(`${document.title} ${version}, OSCAL catalog`),
            rlinks: [
              { href: oscalCatalogFilename(version), 'media-type': 'application/json' },
              {
                href: `/api/v1/framework/export?format=oscal-catalog&version=${version}`,
                'media-type': 'application/json',
              },
            ],
          },
        ],
      },
    },
  }
}
