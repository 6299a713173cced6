import {
  isSbomWarning,
  type Sbom,
  type SbomComponent,
  type SbomComponentPage,
  type SbomComponentQuery,
  type SbomUploadResult,
} from '../../../common/api/sboms.ts'
import { AppError } from '../../../common/errors.ts'
import { lockKeyForTransaction } from '../../db/dialect.ts'
import type { Database } from '../../db/schema.ts'
import type { Actor, RequestMeta } from '../../kernel/actor.ts'
import type { Ctx } from '../../kernel/context.ts'
import { newId } from '../../kernel/crypto.ts'
import { recordAudit } from '../audit/audit.service.ts'
import { enqueueVersionEvaluation } from '../findings/findings.jobs.ts'
import { parseCpe } from './cpe.ts'
import { parseSbom } from './sbom-parser.ts'
import { sbomStore } from './sbom-store.ts'
import type { ParsedSbom } from './sbom.types.ts'
import {
  clearCurrent,
  countComponentRows,
  deleteDocument,
  findCurrentComponentsByCpe,
  findCurrentComponentsByPurl,
  findDocument,
  findDocumentBySha256,
  findLatestDocument,
  findVersionOfOrganisation,
  insertComponentCpes,
  insertComponents,
  insertDependencies,
  insertDocument,
  isSha256Referenced,
  listComponentRows,
  listCurrentComponentRowsOfVersion,
  listDocuments,
  lockVersion,
  markCurrent,
  maxRevision,
  type ComponentHitRow,
} from './sboms.repository.ts'
import type { SbomComponentRow, SbomDocumentRow } from './sboms.table.ts'

type Who = { actor: Actor; meta?: RequestMeta }
type Db = Ctx['db']

// ---- mapping

function parseJson<T>(json: string | null, fallback: T): T {
  if (json === null) return fallback
  try {
    return JSON.parse(json) as T
  } catch {
    return fallback
  }
}

function toSbom(row: SbomDocumentRow): Sbom {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    productId: row.product_id,
    productVersionId: row.product_version_id,
    revision: Number(row.revision),
    isCurrent: Number(row.is_current) === 1,
    sha256: row.sha256,
    byteLength: Number(row.byte_length),
    fileName: row.file_name,
    format: row.format as Sbom['format'],
    specVersion: row.spec_version,
    serialNumber: row.serial_number,
    bomVersion: row.bom_version === null ? null : Number(row.bom_version),
    namespace: row.namespace,
    documentName: row.document_name,
    documentCreatedAt: row.document_created_at,
    tools: parseJson(row.tools, []),
    authors: parseJson(row.authors, []),
    rootKey: row.root_key,
    componentCount: Number(row.component_count),
    dependencyCount: Number(row.dependency_count),
    notes: parseJson(row.notes, []),
    uploadedBy: { type: row.uploaded_by_type, id: row.uploaded_by_id, name: row.uploaded_by_name },
    uploadedAt: row.uploaded_at,
  }
}

function toComponent(row: SbomComponentRow): SbomComponent {
  return {
    key: row.component_key,
    parentKey: row.parent_key,
    pointer: row.pointer,
    isRoot: Number(row.is_root) === 1,
    name: row.name,
    group: row.group_name,
    version: row.version,
    type: row.type,
    supplier: row.supplier,
    author: row.author,
    purl: row.purl,
    purlValid: row.purl_valid === null ? null : Number(row.purl_valid) === 1,
    purlParts:
      row.purl_type !== null && row.purl_name !== null
        ? {
            type: row.purl_type,
            namespace: row.purl_namespace,
            name: row.purl_name,
            version: row.purl_version,
          }
        : null,
    cpes: parseJson(row.cpes, []),
    hashes: parseJson(row.hashes, []),
    licenses: parseJson(row.licenses, []),
    mergedKeys: parseJson(row.merged_keys, []),
  }
}

/** A component of a current SBOM, with where it sits: what the matching engine works on. */
export type StoredComponent = SbomComponent & {
  sbomId: string
  ordinal: number
  productVersionId: string
  productId: string
  organisationId: string
}

function toStoredComponent(row: ComponentHitRow): StoredComponent {
  return {
    ...toComponent(row),
    sbomId: row.sbom_id,
    ordinal: Number(row.ordinal),
    productVersionId: row.product_version_id,
    productId: row.product_id,
    organisationId: row.organisation_id,
  }
}

function uploader(
  actor: Actor,
): Pick<SbomDocumentRow, 'uploaded_by_type' | 'uploaded_by_id' | 'uploaded_by_name'> {
  switch (actor.type) {
    case 'user':
      return {
        uploaded_by_type: 'user',
        uploaded_by_id: actor.userId,
        uploaded_by_name: actor.email,
      }
    case 'api_token':
      return {
        uploaded_by_type: 'api_token',
        uploaded_by_id: actor.tokenId,
        uploaded_by_name: actor.name,
      }
    case 'system':
      return { uploaded_by_type: 'system', uploaded_by_id: null, uploaded_by_name: actor.name }
    case 'anonymous':
      throw new AppError('unauthorized', 'Sign in to continue.')
  }
}

// ---- checks

async function requireVersion(db: Db, organisationId: string, versionId: string) {
  const version = await findVersionOfOrganisation(db, organisationId, versionId)
  if (!version) throw new AppError('not_found', 'No such product version')
  return version
}

async function requireDocument(db: Db, versionId: string, sbomId: string) {
  const row = await findDocument(db, versionId, sbomId)
  if (!row) throw new AppError('not_found', 'No such SBOM')
  return row
}

const fileLock = (sha256: string) => `sbom-file:${sha256}`

// ---- writing

function documentRow(
  parsed: ParsedSbom,
  ids: { id: string; organisationId: string; productId: string; versionId: string },
  revision: number,
  who: Who,
  now: string,
): SbomDocumentRow {
  const doc = parsed.document
  return {
    id: ids.id,
    organisation_id: ids.organisationId,
    product_id: ids.productId,
    product_version_id: ids.versionId,
    revision,
    is_current: 1,
    sha256: parsed.sha256,
    byte_length: parsed.byteLength,
    file_name: parsed.fileName ?? null,
    format: parsed.format,
    spec_version: parsed.specVersion,
    serial_number: doc.serialNumber ?? null,
    bom_version: doc.bomVersion ?? null,
    namespace: doc.namespace ?? null,
    document_name: doc.name ?? null,
    document_created_at: doc.createdAt ?? null,
    tools: JSON.stringify(doc.tools),
    authors: JSON.stringify(doc.authors),
    root_key: doc.rootKey ?? null,
    component_count: parsed.components.length,
    dependency_count: parsed.dependencies.length,
    notes: JSON.stringify(parsed.notes),
    ...uploader(who.actor),
    uploaded_at: now,
  }
}

async function insertParsedContent(db: Db, sbomId: string, parsed: ParsedSbom): Promise<void> {
  const cpeRows: Parameters<typeof insertComponentCpes>[1] = []
  const componentRows = parsed.components.map((c, ordinal) => {
    c.cpes.forEach((cpe, position) => {
      const parts = parseCpe(cpe)
      cpeRows.push({
        sbom_id: sbomId,
        ordinal,
        position,
        cpe,
        part: parts?.part ?? null,
        vendor: parts?.vendor ?? null,
        product: parts?.product ?? null,
        version: parts?.version ?? null,
      })
    })
    const parts = c.purlValid === false ? undefined : c.purlParts
    return {
      sbom_id: sbomId,
      ordinal,
      component_key: c.key,
      parent_key: c.parentKey ?? null,
      pointer: c.pointer,
      is_root: c.isRoot ? 1 : 0,
      name: c.name,
      group_name: c.group ?? null,
      version: c.version ?? null,
      type: c.type ?? null,
      supplier: c.supplier ?? null,
      author: c.author ?? null,
      purl: c.purl ?? null,
      purl_valid: c.purl === undefined ? null : c.purlValid === false ? 0 : 1,
      purl_type: parts?.type ?? null,
      purl_namespace: parts?.namespace ?? null,
      purl_name: parts?.name ?? null,
      purl_version: parts?.version ?? null,
      cpes: JSON.stringify(c.cpes),
      hashes: JSON.stringify(c.hashes),
      licenses: JSON.stringify(c.licenses),
      pedigree: c.pedigree ? JSON.stringify(c.pedigree) : null,
      merged_keys: c.mergedKeys?.length ? JSON.stringify(c.mergedKeys) : null,
    }
  })
  await insertComponents(db, componentRows)
  await insertComponentCpes(db, cpeRows)
  await insertDependencies(
    db,
    parsed.dependencies.map((d) => ({
      sbom_id: sbomId,
      from_key: d.from,
      to_key: d.to,
      kind: d.kind,
    })),
  )
}

/**
 * Stores an SBOM file for a product version: validated and normalised by `parseSbom`, the file
 * kept as uploaded by SHA-256, the document and its components written in one transaction, and
 * the new SBOM made the version's current one (the earlier ones stay as history). The same bytes
 * uploaded again to the same version store nothing new (`created: false`); if that SBOM had been
 * superseded it becomes current again. Audited as `sbom.uploaded` / `sbom.made_current`.
 * @throws payload_too_large (over `config.sbomMaxBytes` or too many components),
 *   validation_failed (not a supported SBOM; the details name the file and the JSON pointers of
 *   the problems) — the file is checked first — then not_found (no such version in the
 *   organisation)
 */
export async function uploadSbom(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config'>,
  who: Who,
  organisationId: string,
  versionId: string,
  upload: { bytes: Buffer; fileName?: string },
): Promise<SbomUploadResult> {
  const fileName = upload.fileName?.trim() || undefined
  // The file's problems first: they are what the uploader (already a member) needs to fix.
  const parsed = parseSbom(upload.bytes, fileName, {
    limits: { maxBytes: ctx.config.sbomMaxBytes },
  })
  const version = await requireVersion(ctx.db, organisationId, versionId)
  const store = sbomStore(ctx.config.dataDir)
  const label = `${version.product_name} ${version.version}`

  return ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, fileLock(parsed.sha256))
    await lockVersion(trx, versionId)
    // Written under the file's lock, so that a delete of the last document with these bytes
    // cannot remove the file between this write and the commit (a file left by a failed
    // transaction is harmless and reused by the next upload of the same bytes).
    await store.put(parsed.sha256, upload.bytes)
    const existing = await findDocumentBySha256(trx, versionId, parsed.sha256)
    if (existing) {
      const wasCurrent = Number(existing.is_current) === 1
      if (!wasCurrent) {
        await clearCurrent(trx, versionId)
        await markCurrent(trx, existing.id)
        await enqueueVersionEvaluation(trx, ctx.clock, versionId, 'sbom')
        await recordAudit(trx, ctx.clock, who, {
          action: 'sbom.made_current',
          organisationId,
          targetType: 'sbom',
          targetId: existing.id,
          details: {
            productVersionId: versionId,
            revision: existing.revision,
            sha256: existing.sha256,
          },
        })
      }
      return {
        sbom: toSbom({ ...existing, is_current: 1 }),
        created: false,
        madeCurrent: !wasCurrent,
        message: wasCurrent
          ? `This file is already the current SBOM of ${label} (upload ${existing.revision}); nothing changed.`
          : `This file was already stored for ${label} as upload ${existing.revision}; it is the current SBOM again.`,
      }
    }
    const revision = (await maxRevision(trx, versionId)) + 1
    const now = ctx.clock.now().toISOString()
    const row = documentRow(
      parsed,
      { id: newId(), organisationId, productId: version.product_id, versionId },
      revision,
      who,
      now,
    )
    await clearCurrent(trx, versionId)
    await insertDocument(trx, row)
    await insertParsedContent(trx, row.id, parsed)
    // The findings follow the new current SBOM (a job committed with it).
    await enqueueVersionEvaluation(trx, ctx.clock, versionId, 'sbom')
    await recordAudit(trx, ctx.clock, who, {
      action: 'sbom.uploaded',
      organisationId,
      targetType: 'sbom',
      targetId: row.id,
      details: {
        productId: version.product_id,
        productVersionId: versionId,
        version: version.version,
        revision,
        fileName: row.file_name,
        sha256: row.sha256,
        size: row.byte_length,
        format: `${row.format} ${row.spec_version}`,
        components: row.component_count,
      },
    })
    return {
      sbom: toSbom(row),
      created: true,
      madeCurrent: true,
      message:
        `Stored ${parsed.format === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} ${parsed.specVersion} SBOM with ${parsed.components.length} components as upload ${revision} of ${label}; it is the current SBOM.` +
        warningsSentence(parsed),
    }
  })
}

/** " Accepted with 9 warnings: …" when the parser let schema deviations through; "" otherwise. */
function warningsSentence(parsed: ParsedSbom): string {
  const warnings = parsed.notes.filter(isSbomWarning)
  if (warnings.length === 0) return ''
  const what = `${parsed.format === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} ${parsed.specVersion}`
  return ` Accepted with ${warnings.length} warning${warnings.length === 1 ? '' : 's'} about what the file leaves out or misspells of ${what} (listed in its notes).`
}

/**
 * Deletes one SBOM of a version with its components. When it was the current one, the newest
 * remaining upload becomes current. The file goes too unless another document has the same
 * bytes. Audited as `sbom.deleted`.
 * @throws not_found
 */
export async function deleteSbom(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config'>,
  who: Who,
  organisationId: string,
  versionId: string,
  sbomId: string,
): Promise<{ newCurrent: Sbom | null }> {
  await requireVersion(ctx.db, organisationId, versionId)
  const existing = await requireDocument(ctx.db, versionId, sbomId)
  const store = sbomStore(ctx.config.dataDir)
  return ctx.db.transaction().execute(async (trx) => {
    await lockKeyForTransaction<Database>(trx, fileLock(existing.sha256))
    await lockVersion(trx, versionId)
    const row = await requireDocument(trx, versionId, sbomId)
    const wasCurrent = Number(row.is_current) === 1
    await deleteDocument(trx, sbomId)
    let newCurrent: SbomDocumentRow | undefined
    if (wasCurrent) {
      newCurrent = await findLatestDocument(trx, versionId, sbomId)
      if (newCurrent) await markCurrent(trx, newCurrent.id)
      await enqueueVersionEvaluation(trx, ctx.clock, versionId, 'sbom')
    }
    await recordAudit(trx, ctx.clock, who, {
      action: 'sbom.deleted',
      organisationId,
      targetType: 'sbom',
      targetId: sbomId,
      details: {
        productVersionId: versionId,
        revision: row.revision,
        fileName: row.file_name,
        sha256: row.sha256,
        wasCurrent,
        newCurrentId: newCurrent?.id ?? null,
      },
    })
    // Last, under the file's lock: an upload of the same bytes waits for this commit and then
    // writes the file afresh.
    if (!(await isSha256Referenced(trx, row.sha256))) await store.remove(row.sha256)
    return { newCurrent: newCurrent ? toSbom({ ...newCurrent, is_current: 1 }) : null }
  })
}

// ---- reading

/** A version's SBOMs: the current one first, then the earlier uploads, newest first. @throws not_found */
export async function listSboms(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  versionId: string,
): Promise<Sbom[]> {
  await requireVersion(ctx.db, organisationId, versionId)
  return (await listDocuments(ctx.db, versionId)).map(toSbom)
}

/** One SBOM's document metadata. @throws not_found */
export async function getSbom(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  versionId: string,
  sbomId: string,
): Promise<Sbom> {
  await requireVersion(ctx.db, organisationId, versionId)
  return toSbom(await requireDocument(ctx.db, versionId, sbomId))
}

/**
 * A page of an SBOM's components in document order, filtered by part of the name, the start of
 * the purl and the exact type. @throws not_found
 */
export async function listSbomComponents(
  ctx: Pick<Ctx, 'db'>,
  organisationId: string,
  versionId: string,
  sbomId: string,
  query: SbomComponentQuery,
): Promise<SbomComponentPage> {
  await requireVersion(ctx.db, organisationId, versionId)
  await requireDocument(ctx.db, versionId, sbomId)
  const filter = {
    ...(query.q?.trim() ? { name: query.q.trim() } : {}),
    ...(query.purl?.trim() ? { purlPrefix: query.purl.trim() } : {}),
    ...(query.type?.trim() ? { type: query.type.trim() } : {}),
  }
  const limit = query.limit ?? 50
  const offset = query.offset ?? 0
  const [rows, total] = await Promise.all([
    listComponentRows(ctx.db, sbomId, filter, { limit, offset }),
    countComponentRows(ctx.db, sbomId, filter),
  ])
  return { items: rows.map(toComponent), total, limit, offset }
}

export const SBOM_MEDIA_TYPES = {
  cyclonedx: 'application/vnd.cyclonedx+json',
  spdx: 'application/spdx+json',
} as const

/** The file exactly as uploaded, with its media type and a name to save it under. @throws not_found */
export async function getSbomFile(
  ctx: Pick<Ctx, 'db' | 'config'>,
  organisationId: string,
  versionId: string,
  sbomId: string,
): Promise<{ file: { mediaType: string; fileName: string }; bytes: Buffer }> {
  await requireVersion(ctx.db, organisationId, versionId)
  const row = await requireDocument(ctx.db, versionId, sbomId)
  const bytes = await sbomStore(ctx.config.dataDir).get(row.sha256)
  if (!bytes) {
    throw new AppError('not_found', 'The stored SBOM file is missing from the data directory.')
  }
  const format = row.format as keyof typeof SBOM_MEDIA_TYPES
  return {
    file: {
      mediaType: SBOM_MEDIA_TYPES[format] ?? 'application/json',
      fileName: row.file_name ?? `sbom-${row.revision}.${format}.json`,
    },
    bytes,
  }
}

// ---- for the matching engine

/**
 * Every component of the version's current SBOM, in document order (empty when the version has
 * none). No organisation check: for the matching engine and other services, not for routes.
 */
export async function currentComponentsOfVersion(
  ctx: Pick<Ctx, 'db'>,
  versionId: string,
): Promise<StoredComponent[]> {
  return (await listCurrentComponentRowsOfVersion(ctx.db, versionId)).map(toStoredComponent)
}

/**
 * Components of every product version's current SBOM with this package: purl type, namespace
 * (`undefined` or `null`: none) and name, as the canonical purl gives them (`parsePurl`).
 * Answered from the (type, namespace, name) index.
 */
export async function componentsByPackage(
  ctx: Pick<Ctx, 'db'>,
  key: { type: string; namespace?: string | null; name: string },
): Promise<StoredComponent[]> {
  const rows = await findCurrentComponentsByPurl(ctx.db, {
    type: key.type,
    namespace: key.namespace ?? null,
    name: key.name,
  })
  return rows.map(toStoredComponent)
}

/**
 * Components of every product version's current SBOM that carry a CPE (2.2 or 2.3) of this
 * vendor and product, compared case-insensitively; `matchedCpe` is the CPE that matched.
 * Answered from the (vendor, product) index.
 */
export async function componentsByCpe(
  ctx: Pick<Ctx, 'db'>,
  key: { vendor: string; product: string },
): Promise<(StoredComponent & { matchedCpe: string })[]> {
  const rows = await findCurrentComponentsByCpe(ctx.db, {
    vendor: key.vendor.toLowerCase(),
    product: key.product.toLowerCase(),
  })
  return rows.map((row) => ({ ...toStoredComponent(row), matchedCpe: row.matched_cpe }))
}
