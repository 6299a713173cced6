import type {
  DeviceClass,
  LinkStrength,
  Relation,
  RequirementKind,
  Tier,
  VerificationStrength,
} from '../../../common/framework.ts'
import type { Catalogue } from './catalogues.ts'

/** One framework requirement, as written in framework/requirements/<category>.yaml. */
export interface Requirement {
  id: string
  category: string
  title: string
  statement: string
  rationale: string
  kind: RequirementKind
  tier: Tier
  deviceClasses: DeviceClass[]
  /** Minimum verification strength per tier, from the requirement's tier up to 4. */
  verification: Partial<Record<'1' | '2' | '3' | '4', VerificationStrength>>
  evidence: string[]
  assessorGuidance: string
  replaces?: string[]
}

export interface Category {
  id: string
  title: string
  description: string
}

/** One crosswalk link: our requirement → one external catalogue item. */
export interface Link {
  requirement: string
  catalogue: string
  item: string
  relation: Relation
  strength: LinkStrength
  rationale: string
  /** "network" or the id of a published source in the manifest. */
  provenance: string
}

/** An external item the framework deliberately leaves uncovered. */
export interface Gap {
  catalogue: string
  item: string
  reason: string
  category: string
}

export interface SchemeSelection {
  catalogue: string
  items?: string[]
  status?: 'mandatory' | 'recommended'
  maxSecurityLevel?: number
}

export interface SchemeLevel {
  id: string
  title: string
  summary?: string
  includes?: string
  verification?: VerificationStrength
  select: SchemeSelection[]
}

/** A label scheme, regulation or target level, as a selection of external items. */
export interface Scheme {
  scheme: string
  title: string
  summary: string
  url?: string
  notes?: string[]
  levels: SchemeLevel[]
}

export interface FrameworkSource {
  id: string
  title: string
  url?: string
}

/** Everything one framework version holds; stored whole per version, never changed once published. */
export interface FrameworkDocument {
  framework: 'isn'
  title: string
  version: string
  status: 'published' | 'draft'
  released?: string
  summary: string
  sources: FrameworkSource[]
  categories: Category[]
  requirements: Requirement[]
  links: Link[]
  gaps: Gap[]
  catalogues: Catalogue[]
  schemes: Scheme[]
}

/** `<catalogue>:<item id>`, the key of an external item across the framework. */
export function itemKey(catalogue: string, item: string): string {
  return `${catalogue}:${item}`
}

export function splitItemKey(key: string): { catalogue: string; item: string } {
  const colon = key.indexOf(':')
  return { catalogue: key.slice(0, colon), item: key.slice(colon + 1) }
}
