import {
  IconAlertTriangle,
  IconBook2,
  IconBuildingFactory2,
  IconCertificate,
  IconMessages,
  IconScale,
  IconSchool,
  IconShieldCheck,
  type Icon,
} from '@tabler/icons-react'
import type { SessionInfo } from '../../../common/api/accounts.ts'
import type { OrganisationType } from '../../../common/organisations.ts'

/**
 * The platform's areas. Those still being built have a page that says what they will do; a live
 * one has a `path` and appears in the navigation like any other page.
 */
export interface Area {
  slug: string
  title: string
  /** Where the area lives once it is available. */
  path?: string
  /**
   * Live only for signed-in members of an organisation of this type; everyone else sees the page
   * that says what the area will do.
   */
  liveFor?: OrganisationType
  icon: Icon
  summary: string
  /** What people will be able to do there, in plain words. */
  plans: string[]
  /** Who it is mainly for. */
  audience: string
}

export const AREAS: Area[] = [
  {
    slug: 'framework',
    title: 'Framework',
    path: '/framework',
    icon: IconBook2,
    summary: 'The network’s security baseline for industrial IoT, readable by people and machines.',
    audience: 'Manufacturers, assessors, regulators and standards bodies',
    plans: [
      'Browse requirements by tier (1 Baseline to 4 Critical) and by device-class profile.',
      'See how each requirement maps to ETSI EN 303 645, IEC 62443-4-1 and 4-2, NIST IR 8259A/B and 8425, the EU Cyber Resilience Act Annex I, UK PSTI and OWASP ISVS.',
      'Compare versions side by side and export them as JSON, CSV or OSCAL.',
      'Propose changes, comment and vote through the network’s governance.',
    ],
  },
  {
    slug: 'products',
    title: 'Products',
    path: '/products',
    liveFor: 'manufacturer',
    icon: IconBuildingFactory2,
    summary: 'Where manufacturers register products and firmware versions and assess them.',
    audience: 'Manufacturers and assessors',
    plans: [
      'Register products, firmware versions and the profile that applies to each.',
      'Answer the framework’s questionnaire once, with evidence, and see coverage of every mapped standard.',
      'Work through gap reports and compensating measures.',
      'Assessors review evidence, record findings and grant a tier with its verification strength.',
    ],
  },
  {
    slug: 'registry',
    title: 'Registry',
    path: '/registry',
    icon: IconCertificate,
    summary: 'The public registry of signed labels, open to anyone without an account.',
    audience: 'Buyers, operators, insurers and the public',
    plans: [
      'Look up a product and see its label: tier, support period, update policy and security contact.',
      'Verify a label offline against the network’s published keys, or by scanning its QR code.',
      'See live status — active, suspended, expired or revoked — with the reason.',
    ],
  },
  {
    slug: 'vulnerabilities',
    title: 'Vulnerabilities',
    path: '/vulnerabilities',
    icon: IconAlertTriangle,
    summary: 'Continuous matching of product SBOMs against public advisories.',
    audience: 'Manufacturers, assessors and operators',
    plans: [
      'Upload CycloneDX or SPDX SBOMs for each firmware version.',
      'Match components against OSV, CSAF 2.0 (including CISA ICS advisories) and the CISA Known Exploited Vulnerabilities catalog.',
      'Answer findings with fixes or VEX statements, and publish advisories.',
      'Label status changes by itself when a product is exposed, and returns when it is fixed.',
    ],
  },
  {
    slug: 'insurance',
    title: 'Insurance',
    icon: IconShieldCheck,
    summary: 'Risk scores and reports that let security be priced.',
    audience: 'Insurers, buyers and operators',
    plans: [
      'Risk scores for products and installed fleets through an API.',
      'Underwriting reports and a portfolio view for insurers.',
      'Procurement requirement checks and evidence packs for liability safe harbours and tax credits.',
    ],
  },
  {
    slug: 'policy-lab',
    title: 'Policy lab',
    icon: IconScale,
    summary: 'A simulator of the IIoT security market for trying policy levers before using them.',
    audience: 'Regulators, policy makers and members',
    plans: [
      'Try labels, minimum standards, liability regimes, tax credits, insurance use of ratings, procurement preference and education budgets.',
      'See the effect over time on secure market share, prices, breaches, harm to others, insurer loss ratios and welfare.',
    ],
  },
  {
    slug: 'learning',
    title: 'Learning',
    icon: IconSchool,
    summary: 'Courses and outreach for business and government leaders.',
    audience: 'Educators, leaders in business and government',
    plans: [
      'Courses with modules, lessons and quizzes that measure what was learnt, and certificates.',
      'An organisational readiness self-assessment with a personal report.',
      'Events and campaigns.',
    ],
  },
  {
    slug: 'forum',
    title: 'Forum',
    icon: IconMessages,
    summary: 'Discussion of regulatory approaches, self-regulation and public–private cooperation.',
    audience: 'Every member',
    plans: [
      'Categories for insurance, liability and tax approaches, industry self-regulation and public–private cooperation.',
      'Threads, replies, mentions and search, with moderation.',
      'Proposals that can change the framework.',
    ],
  },
]

/** The areas still to come, shown with a “Soon” mark. */
export const COMING_AREAS = AREAS.filter((area) => area.path === undefined)

/** Whether the area is live for this visitor (`null`: signed out). */
export function isAreaLive(area: Area, session?: SessionInfo | null): boolean {
  if (area.path === undefined) return false
  if (area.liveFor === undefined) return true
  return !!session?.memberships.some((m) => m.organisationType === area.liveFor)
}

/**
 * The organisations an area that is built but not this visitor's is for ("manufacturers"), or
 * undefined when the area is theirs or not built yet. Such an area is not "coming soon".
 */
export function areaReservedFor(area: Area, session?: SessionInfo | null): string | undefined {
  if (area.path === undefined || area.liveFor === undefined || isAreaLive(area, session)) {
    return undefined
  }
  return `${area.liveFor}s`
}

/** The page of an area: its own once live, else the page that says what it will do. */
export function areaPath(area: Area, session?: SessionInfo | null): string {
  return isAreaLive(area, session) && area.path ? area.path : `/areas/${area.slug}`
}

export function findArea(slug: string | undefined): Area | undefined {
  return AREAS.find((area) => area.slug === slug)
}
