import type { Insertable, Selectable } from 'kysely'
import type { DeviceClass } from '../../../common/framework.ts'
import type {
  DefaultPasswordPolicy,
  SbomAvailability,
  UpdateMechanism,
} from '../../../common/products.ts'

/** A manufacturer's product. Lists are JSON arrays of strings in text columns. */
export interface ProductTable {
  id: string
  organisation_id: string
  name: string
  model_numbers: string
  device_class: DeviceClass
  hardware_versions: string
  description: string | null
  /** YYYY-MM-DD; a version may set its own. */
  support_period_end: string | null
  update_mechanism: UpdateMechanism | null
  update_description: string | null
  default_password_policy: DefaultPasswordPolicy | null
  default_password_description: string | null
  security_contact_email: string | null
  security_contact_url: string | null
  vulnerability_disclosure_url: string | null
  sbom_availability: SbomAvailability | null
  sbom_url: string | null
  secure_setup_url: string | null
  sensors: string
  data_collected: string
  data_disclosure: string | null
  archived_at: string | null
  created_at: string
  updated_at: string
}
export type ProductRow = Selectable<ProductTable>
export type NewProductRow = Insertable<ProductTable>

/** A firmware or software version of a product. */
export interface ProductVersionTable {
  id: string
  product_id: string
  version: string
  /** YYYY-MM-DD */
  release_date: string
  /** Overrides the product's support period end for this version when set. */
  support_period_end: string | null
  notes: string | null
  created_at: string
  updated_at: string
}
export type ProductVersionRow = Selectable<ProductVersionTable>
