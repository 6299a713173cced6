import type {
  CreateProductBody,
  CreateProductVersionBody,
  Product,
  ProductChanges,
  ProductListQuery,
  ProductPage,
  ProductVersion,
  UpdateProductVersionBody,
} from '../../../common/api/products.ts'
import { AppError } from '../../../common/errors.ts'
import { ORGANISATION_TYPE_LABELS } from '../../../common/organisations.ts'
import type { RegistryField } from '../../../common/products.ts'
import type { Db } from '../../db/database.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { normaliseEmail } from '../accounts/accounts.service.ts'
import { getOrganisation } from '../organisations/organisations.service.ts'
import {
  deleteProductRow,
  findProduct,
  findProductIdByName,
  findProductVersion,
  findProductVersionIdByName,
  insertProduct,
  insertProductVersion,
  listProductRows,
  listProductVersionRows,
  updateProductRow,
  updateProductVersionRow,
  type ProductListRow,
} from './products.repository.ts'
import type { ProductRow, ProductVersionRow } from './products.table.ts'

type Who = { actor: Actor; meta?: RequestMeta }
type UserWho = { actor: Extract<Actor, { type: 'user' }>; meta?: RequestMeta }

// ---- mapping

function parseList(json: string): string[] {
  const parsed = JSON.parse(json) as unknown
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []
}

/** Trims each entry; the schema already refused blank and duplicate entries. */
const listJson = (items: readonly string[]) => JSON.stringify(items.map((item) => item.trim()))

/** The registry fields a label will need that this product does not give yet. */
export function missingRegistryFields(row: ProductRow): RegistryField[] {
  const missing: RegistryField[] = []
  if (!row.support_period_end) missing.push('supportPeriodEnd')
  if (!row.update_mechanism) missing.push('updateMechanism')
  if (!row.default_password_policy) missing.push('defaultPasswordPolicy')
  if (!row.security_contact_email && !row.security_contact_url) missing.push('securityContact')
  if (!row.vulnerability_disclosure_url) missing.push('vulnerabilityDisclosureUrl')
  if (!row.sbom_availability) missing.push('sbomAvailability')
  if (!row.secure_setup_url) missing.push('secureSetupUrl')
  if (!row.data_disclosure && row.sensors === '[]' && row.data_collected === '[]') {
    missing.push('dataDisclosure')
  }
  return missing
}

function toProduct(row: ProductListRow): Product {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    name: row.name,
    modelNumbers: parseList(row.model_numbers),
    deviceClass: row.device_class,
    hardwareVersions: parseList(row.hardware_versions),
    description: row.description,
    supportPeriodEnd: row.support_period_end,
    updateMechanism: row.update_mechanism,
    updateDescription: row.update_description,
    defaultPasswordPolicy: row.default_password_policy,
    defaultPasswordDescription: row.default_password_description,
    securityContactEmail: row.security_contact_email,
    securityContactUrl: row.security_contact_url,
    vulnerabilityDisclosureUrl: row.vulnerability_disclosure_url,
    sbomAvailability: row.sbom_availability,
    sbomUrl: row.sbom_url,
    secureSetupUrl: row.secure_setup_url,
    sensors: parseList(row.sensors),
    dataCollected: parseList(row.data_collected),
    dataDisclosure: row.data_disclosure,
    status: row.archived_at ? 'archived' : 'active',
    archivedAt: row.archived_at,
    versionCount: Number(row.version_count ?? 0),
    latestVersion: row.latest_version,
    missingRegistryFields: missingRegistryFields(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function toProductVersion(row: ProductVersionRow, product: ProductRow): ProductVersion {
  return {
    id: row.id,
    productId: row.product_id,
    version: row.version,
    releaseDate: row.release_date,
    supportPeriodEnd: row.support_period_end,
    effectiveSupportPeriodEnd: row.support_period_end ?? product.support_period_end,
    notes: row.notes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

// ---- rules shared by create and update

interface Issue {
  in: 'body' | 'querystring'
  pointer: string
  message: string
}

function invalid(message: string, issues: Issue[]): AppError {
  return new AppError('validation_failed', message, { details: issues })
}

/**
 * Rules across fields that a schema cannot say clearly: a published SBOM needs its URL, and only
 * a published one has one. `prefix` is where the fields sit in the body (`/data` on updates).
 */
function checkSbom(row: Pick<ProductRow, 'sbom_availability' | 'sbom_url'>, prefix: string) {
  if (row.sbom_availability === 'published' && !row.sbom_url) {
    throw invalid('A published SBOM needs the URL where it is published.', [
      {
        in: 'body',
        pointer: `${prefix}/sbomUrl`,
        message: 'is required when the SBOM is published',
      },
    ])
  }
  if (row.sbom_url && row.sbom_availability !== 'published') {
    throw invalid('An SBOM URL is only given when the SBOM is published.', [
      {
        in: 'body',
        pointer: `${prefix}/sbomUrl`,
        message: 'is only allowed when sbomAvailability is published',
      },
    ])
  }
}

function checkVersionDates(
  version: Pick<ProductVersionRow, 'release_date' | 'support_period_end'>,
  prefix: string,
) {
  if (version.support_period_end && version.support_period_end < version.release_date) {
    throw invalid('The support period cannot end before the version is released.', [
      {
        in: 'body',
        pointer: `${prefix}/supportPeriodEnd`,
        message: 'must not be before the release date',
      },
    ])
  }
}

/**
 * Products belong to manufacturer organisations only.
 * @throws not_found, forbidden (another type of organisation)
 */
async function assertManufacturer(db: Db, organisationId: string): Promise<void> {
  const organisation = await getOrganisation({ db }, organisationId)
  if (organisation.type !== 'manufacturer') {
    throw new AppError(
      'forbidden',
      `Only manufacturer organisations have products; ${organisation.name} is registered as ${ORGANISATION_TYPE_LABELS[organisation.type]}.`,
    )
  }
}

async function requireProduct(
  db: Db,
  organisationId: string,
  productId: string,
): Promise<ProductListRow> {
  const row = await findProduct(db, organisationId, productId)
  if (!row) throw new AppError('not_found', 'No such product')
  return row
}

function assertActive(row: ProductRow): void {
  if (row.archived_at) {
    throw new AppError('conflict', `${row.name} is archived; restore it before changing it.`)
  }
}

async function assertNameFree(db: Db, organisationId: string, name: string, except?: string) {
  const existing = await findProductIdByName(db, organisationId, name)
  if (existing && existing !== except) {
    throw new AppError('conflict', `The organisation already has a product named ${name}.`, {
      details: [{ in: 'body', pointer: except ? '/data/name' : '/name', message: 'is taken' }],
    })
  }
}

// ---- cursors

function encodeCursor(row: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.name, row.id])).toString('base64url')
}

function decodeCursor(cursor: string): { name: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      return { name: parsed[0], id: parsed[1] }
    }
  } catch {
    // answered below
  }
  throw invalid('The cursor is not one this list gave out.', [
    { in: 'querystring', pointer: '/cursor', message: 'is not a cursor from this list' },
  ])
}

// ---- products

/**
 * One page of the organisation's products, by name. Archived products only when asked for.
 * @throws not_found, forbidden (not a manufacturer), validation_failed (bad cursor)
 */
export async function listProducts(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  query: ProductListQuery,
): Promise<ProductPage> {
  await assertManufacturer(ctx.db, organisationId)
  const limit = query.limit ?? 25
  const after = query.cursor ? decodeCursor(query.cursor) : undefined
  const rows = await listProductRows(
    ctx.db,
    organisationId,
    { query: query.q?.trim() || undefined, status: query.status ?? 'active' },
    after,
    limit + 1,
  )
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(toProduct),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  }
}

/** @throws not_found, forbidden (not a manufacturer) */
export async function getProduct(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  productId: string,
): Promise<Product> {
  await assertManufacturer(ctx.db, organisationId)
  return toProduct(await requireProduct(ctx.db, organisationId, productId))
}

/**
 * Registers a product of a manufacturer organisation. Registry fields may follow later;
 * `missingRegistryFields` says which are still open.
 * @throws not_found, forbidden (not a manufacturer), conflict (name taken), validation_failed
 */
export async function createProduct(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  input: CreateProductBody,
): Promise<Product> {
  return ctx.db.transaction().execute(async (trx) => {
    await assertManufacturer(trx, organisationId)
    const name = input.name.trim()
    await assertNameFree(trx, organisationId, name)
    const now = ctx.clock.now().toISOString()
    const row: ProductRow = {
      id: newId(),
      organisation_id: organisationId,
      name,
      model_numbers: listJson(input.modelNumbers),
      device_class: input.deviceClass,
      hardware_versions: listJson(input.hardwareVersions ?? []),
      description: input.description?.trim() ?? null,
      support_period_end: input.supportPeriodEnd ?? null,
      update_mechanism: input.updateMechanism ?? null,
      update_description: input.updateDescription?.trim() ?? null,
      default_password_policy: input.defaultPasswordPolicy ?? null,
      default_password_description: input.defaultPasswordDescription?.trim() ?? null,
      security_contact_email: input.securityContactEmail
        ? normaliseEmail(input.securityContactEmail)
        : null,
      security_contact_url: input.securityContactUrl ?? null,
      vulnerability_disclosure_url: input.vulnerabilityDisclosureUrl ?? null,
      sbom_availability: input.sbomAvailability ?? null,
      sbom_url: input.sbomUrl ?? null,
      secure_setup_url: input.secureSetupUrl ?? null,
      sensors: listJson(input.sensors ?? []),
      data_collected: listJson(input.dataCollected ?? []),
      data_disclosure: input.dataDisclosure?.trim() ?? null,
      archived_at: null,
      created_at: now,
      updated_at: now,
    }
    checkSbom(row, '')
    await insertProduct(trx, row)
    await recordAudit(trx, ctx.clock, who, {
      action: 'product.created',
      organisationId,
      targetType: 'product',
      targetId: row.id,
      details: { name: row.name, deviceClass: row.device_class },
    })
    return toProduct({ ...row, version_count: 0, latest_version: null })
  })
}

/** The column changes for the given API changes: `undefined` leaves a field as it is. */
function productColumns(changes: ProductChanges): Partial<ProductRow> {
  const columns: Partial<ProductRow> = {}
  const text = (value: string | null | undefined) =>
    value === undefined ? undefined : (value?.trim() ?? null)
  const set = <K extends keyof ProductRow>(key: K, value: ProductRow[K] | undefined) => {
    if (value !== undefined) columns[key] = value
  }
  set('name', changes.name?.trim())
  set('model_numbers', changes.modelNumbers && listJson(changes.modelNumbers))
  set('device_class', changes.deviceClass)
  set('hardware_versions', changes.hardwareVersions && listJson(changes.hardwareVersions))
  set('description', text(changes.description))
  set('support_period_end', changes.supportPeriodEnd)
  set('update_mechanism', changes.updateMechanism)
  set('update_description', text(changes.updateDescription))
  set('default_password_policy', changes.defaultPasswordPolicy)
  set('default_password_description', text(changes.defaultPasswordDescription))
  set(
    'security_contact_email',
    changes.securityContactEmail === undefined || changes.securityContactEmail === null
      ? changes.securityContactEmail
      : normaliseEmail(changes.securityContactEmail),
  )
  set('security_contact_url', changes.securityContactUrl)
  set('vulnerability_disclosure_url', changes.vulnerabilityDisclosureUrl)
  set('sbom_availability', changes.sbomAvailability)
  set('sbom_url', changes.sbomUrl)
  set('secure_setup_url', changes.secureSetupUrl)
  set('sensors', changes.sensors && listJson(changes.sensors))
  set('data_collected', changes.dataCollected && listJson(changes.dataCollected))
  set('data_disclosure', text(changes.dataDisclosure))
  return columns
}

/**
 * Changes a product's details and registry fields; archived products must be restored first.
 * @throws not_found, forbidden (not a manufacturer), conflict (archived, name taken), validation_failed
 */
export async function updateProduct(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  productId: string,
  changes: ProductChanges,
): Promise<Product> {
  return ctx.db.transaction().execute(async (trx) => {
    await assertManufacturer(trx, organisationId)
    const existing = await requireProduct(trx, organisationId, productId)
    assertActive(existing)
    const columns = productColumns(changes)
    if (columns.name !== undefined) {
      await assertNameFree(trx, organisationId, columns.name, productId)
    }
    checkSbom({ ...existing, ...columns }, '/data')
    await updateProductRow(trx, productId, {
      ...columns,
      updated_at: ctx.clock.now().toISOString(),
    })
    await recordAudit(trx, ctx.clock, who, {
      action: 'product.updated',
      organisationId,
      targetType: 'product',
      targetId: productId,
      details: { changes },
    })
    return toProduct(await requireProduct(trx, organisationId, productId))
  })
}

/**
 * Archives a product (it leaves the default list and takes no changes) or restores it.
 * @throws not_found, forbidden (not a manufacturer), conflict (already in that state)
 */
export async function setProductArchived(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  productId: string,
  archived: boolean,
): Promise<Product> {
  return ctx.db.transaction().execute(async (trx) => {
    await assertManufacturer(trx, organisationId)
    const existing = await requireProduct(trx, organisationId, productId)
    if (Boolean(existing.archived_at) === archived) {
      throw new AppError(
        'conflict',
        `${existing.name} is ${archived ? 'already archived' : 'not archived'}.`,
      )
    }
    const now = ctx.clock.now().toISOString()
    await updateProductRow(trx, productId, { archived_at: archived ? now : null, updated_at: now })
    await recordAudit(trx, ctx.clock, who, {
      action: archived ? 'product.archived' : 'product.restored',
      organisationId,
      targetType: 'product',
      targetId: productId,
      details: { name: existing.name },
    })
    return toProduct(await requireProduct(trx, organisationId, productId))
  })
}

/**
 * Deletes a product registered by mistake. Once it has versions it can only be archived, so that
 * what assessments and labels refer to stays.
 * @throws not_found, forbidden (not a manufacturer), conflict (has versions)
 */
export async function deleteProduct(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: UserWho,
  organisationId: string,
  productId: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await assertManufacturer(trx, organisationId)
    const existing = await requireProduct(trx, organisationId, productId)
    const versions = Number(existing.version_count ?? 0)
    if (versions > 0) {
      throw new AppError(
        'conflict',
        `${existing.name} has ${versions} version${versions === 1 ? '' : 's'} and cannot be deleted; archive it instead.`,
      )
    }
    await deleteProductRow(trx, productId)
    await recordAudit(trx, ctx.clock, who, {
      action: 'product.deleted',
      organisationId,
      targetType: 'product',
      targetId: productId,
      details: { name: existing.name },
    })
  })
}

// ---- versions

/** A product's versions, newest release first. @throws not_found, forbidden */
export async function listProductVersions(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  productId: string,
): Promise<ProductVersion[]> {
  await assertManufacturer(ctx.db, organisationId)
  const product = await requireProduct(ctx.db, organisationId, productId)
  const rows = await listProductVersionRows(ctx.db, productId)
  return rows.map((row) => toProductVersion(row, product))
}

/** @throws not_found, forbidden */
export async function getProductVersion(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  productId: string,
  versionId: string,
): Promise<ProductVersion> {
  await assertManufacturer(ctx.db, organisationId)
  const product = await requireProduct(ctx.db, organisationId, productId)
  const row = await findProductVersion(ctx.db, productId, versionId)
  if (!row) throw new AppError('not_found', 'No such product version')
  return toProductVersion(row, product)
}

/**
 * Registers a firmware or software version of an active product.
 * @throws not_found, forbidden, conflict (archived, version exists), validation_failed (dates)
 */
export async function createProductVersion(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  productId: string,
  input: CreateProductVersionBody,
): Promise<ProductVersion> {
  return ctx.db.transaction().execute(async (trx) => {
    await assertManufacturer(trx, organisationId)
    const product = await requireProduct(trx, organisationId, productId)
    assertActive(product)
    if (await findProductVersionIdByName(trx, productId, input.version)) {
      throw new AppError('conflict', `${product.name} already has a version ${input.version}.`, {
        details: [{ in: 'body', pointer: '/version', message: 'already exists' }],
      })
    }
    const now = ctx.clock.now().toISOString()
    const row: ProductVersionRow = {
      id: newId(),
      product_id: productId,
      version: input.version,
      release_date: input.releaseDate,
      support_period_end: input.supportPeriodEnd ?? null,
      notes: input.notes?.trim() ?? null,
      created_at: now,
      updated_at: now,
    }
    checkVersionDates(row, '')
    await insertProductVersion(trx, row)
    await updateProductRow(trx, productId, { updated_at: now })
    await recordAudit(trx, ctx.clock, who, {
      action: 'product_version.created',
      organisationId,
      targetType: 'product_version',
      targetId: row.id,
      details: { productId, product: product.name, version: row.version },
    })
    return toProductVersion(row, product)
  })
}

/**
 * Changes a version's release date, support period end or notes (its name stays).
 * @throws not_found, forbidden, conflict (archived product), validation_failed (dates)
 */
export async function updateProductVersion(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  who: Who,
  organisationId: string,
  productId: string,
  versionId: string,
  changes: UpdateProductVersionBody['data'],
): Promise<ProductVersion> {
  return ctx.db.transaction().execute(async (trx) => {
    await assertManufacturer(trx, organisationId)
    const product = await requireProduct(trx, organisationId, productId)
    assertActive(product)
    const existing = await findProductVersion(trx, productId, versionId)
    if (!existing) throw new AppError('not_found', 'No such product version')
    const columns = {
      ...(changes.releaseDate === undefined ? {} : { release_date: changes.releaseDate }),
      ...(changes.supportPeriodEnd === undefined
        ? {}
        : { support_period_end: changes.supportPeriodEnd }),
      ...(changes.notes === undefined ? {} : { notes: changes.notes?.trim() ?? null }),
    }
    const updated: ProductVersionRow = {
      ...existing,
      ...columns,
      updated_at: ctx.clock.now().toISOString(),
    }
    checkVersionDates(updated, '/data')
    await updateProductVersionRow(trx, versionId, { ...columns, updated_at: updated.updated_at })
    await recordAudit(trx, ctx.clock, who, {
      action: 'product_version.updated',
      organisationId,
      targetType: 'product_version',
      targetId: versionId,
      details: { productId, version: existing.version, changes },
    })
    return toProductVersion(updated, product)
  })
}
