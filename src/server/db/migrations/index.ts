import type { Migration } from 'kysely'
import * as foundation from './2026_11_27_1100_foundation.ts'
import * as framework from './2026_11_27_1400_framework.ts'
import * as products from './2026_11_27_1500_products.ts'
import * as labels from './2026_11_27_1510_labels.ts'
import * as assessments from './2026_11_27_1600_assessments.ts'
import * as labelRegistry from './2026_11_27_1700_label_registry.ts'
import * as reviews from './2026_11_27_1710_reviews.ts'
import * as registrySearch from './2026_11_27_1730_registry_search.ts'
import * as sboms from './2026_11_27_1800_sboms.ts'
import * as advisories from './2026_11_27_1810_advisories.ts'
import * as findings from './2026_11_27_1820_findings.ts'
import * as webhooks from './2026_11_27_1830_webhooks.ts'
import * as vex from './2026_11_27_1840_vex.ts'
import * as labelPolicy from './2026_11_27_1850_label_policy.ts'
import * as sbomPurlNameIndex from './2026_11_27_2030_sbom_purl_name_index.ts'
import * as dropLabelsStatusIndex from './2026_11_28_0300_drop_labels_status_index.ts'

/** Every migration, in order. Imported statically so the list is the same however the code is run. */
export const migrations: Record<string, Migration> = {
  '2026_11_27_1100_foundation': foundation,
  '2026_11_27_1400_framework': framework,
  '2026_11_27_1500_products': products,
  '2026_11_27_1510_labels': labels,
  '2026_11_27_1600_assessments': assessments,
  '2026_11_27_1700_label_registry': labelRegistry,
  '2026_11_27_1710_reviews': reviews,
  '2026_11_27_1730_registry_search': registrySearch,
  '2026_11_27_1800_sboms': sboms,
  '2026_11_27_1810_advisories': advisories,
  '2026_11_27_1820_findings': findings,
  '2026_11_27_1830_webhooks': webhooks,
  '2026_11_27_1840_vex': vex,
  '2026_11_27_1850_label_policy': labelPolicy,
  '2026_11_27_2030_sbom_purl_name_index': sbomPurlNameIndex,
  '2026_11_28_0300_drop_labels_status_index': dropLabelsStatusIndex,
}
