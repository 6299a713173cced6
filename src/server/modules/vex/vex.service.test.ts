import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../common/errors.ts'
import type { Actor } from '../../kernel/actor.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { importAdvisories } from '../advisories/advisories.service.ts'
import { bytesOf, osvGoRecord } from '../advisories/testing.ts'
import { platformTasks } from '../../jobs/tasks.ts'
import { EVALUATE_VERSION_TASK } from '../findings/findings.jobs.ts'
import { evaluateProductVersion } from '../findings/findings.service.ts'
import {
  cycloneDx,
  DJANGO_3_2_0,
  djangoRecord,
  LODASH,
  XNET_OLD,
} from '../findings/findings.testing.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import { createProduct, createProductVersion } from '../products/products.service.ts'
import { schemaValidator } from '../sboms/sbom-schemas.ts'
import { uploadSbom } from '../sboms/sboms.service.ts'
import { checkCsaf } from './csaf-checker.ts'
import {
  getPublicAdvisoryFile,
  getVexPublicationFile,
  listPublicAdvisories,
  listTriagedFindings,
  listVexDocuments,
  publishVex,
  setTriage,
  uploadVex,
} from './vex.service.ts'
import { cdxVex, csafVex } from './vex.testing.ts'

let ctx: Ctx
let clock: ManualClock
let testDb: TestDb
let dir: string
let owner: { actor: Extract<Actor, { type: 'user' }> }
let acmeId: string
let otherId: string
let productId: string
const v = { one: '', two: '', three: '' }

const DJANGO_NOT_AFFECTED = {
  id: 'CVE-2021-31542',
  analysis: {
    state: 'not_affected',
    justification: 'code_not_reachable',
    detail: 'The upload handler is not used.',
  },
  affects: [{ ref: 'django' }],
}

async function findingsOf(versionId: string) {
  return listTriagedFindings(ctx, acmeId, versionId)
}
async function byAdvisory(versionId: string, advisoryId: string) {
  const found = (await findingsOf(versionId)).items.find((f) => f.advisoryId === advisoryId)
  if (!found) throw new Error(`no finding ${advisoryId}`)
  return found
}
async function refusal(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    if (isAppError(error)) return error
    throw error
  }
  throw new Error('expected a refusal')
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-vex-'))
  ;({ ctx, clock, testDb } = await createTestContext({ dataDir: path.join(dir, 'data') }))
  await createAdmin(ctx)
  const user = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'admin@network.test')
    .executeTakeFirstOrThrow()
  owner = {
    actor: { type: 'user', userId: user.id, email: 'admin@network.test', isNetworkAdmin: true },
  }
  acmeId = (await createOrganisation(ctx, owner, { name: 'Acme', type: 'manufacturer' })).id
  otherId = (await createOrganisation(ctx, owner, { name: 'Other', type: 'manufacturer' })).id
  const product = await createProduct(ctx, owner, acmeId, {
    name: 'Gateway',
    modelNumbers: ['G-1'],
    deviceClass: 'gateway',
  })
  productId = product.id
  for (const [key, value] of [
    ['one', '1.0.0'],
    ['two', '2.0.0'],
    ['three', '3.0.0'],
  ] as const) {
    v[key] = (
      await createProductVersion(ctx, owner, acmeId, product.id, {
        version: value,
        releaseDate: '2026-05-01',
      })
    ).id
  }
  for (const [name, value] of [
    ['osv/PYSEC-2021-98.json', djangoRecord()],
    ['osv/GO-2022-0969.json', osvGoRecord()],
  ] as const) {
    const file = path.join(dir, name)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, bytesOf(value))
    await importAdvisories(ctx, { location: file, format: 'auto', triggeredBy: 'test' })
  }
  for (const id of [v.one, v.three]) {
    await uploadSbom(ctx, owner, acmeId, id, { bytes: cycloneDx([DJANGO_3_2_0, XNET_OLD, LODASH]) })
    await evaluateProductVersion(ctx, id, { trigger: 'sbom' })
  }
})

afterAll(async () => {
  await testDb.destroy()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('consuming VEX', () => {
  it('a CycloneDX not_affected statement with a justification suppresses the finding, which stays visible', async () => {
    const before = await findingsOf(v.one)
    expect(before.open).toBe(2)
    const result = await uploadVex(ctx, owner, acmeId, v.one, {
      bytes: cdxVex([DJANGO_NOT_AFFECTED]),
      fileName: 'vex.cdx.json',
    })
    expect(result).toMatchObject({ created: true, applied: 1, unresolved: [] })
    expect(result.document).toMatchObject({
      format: 'cyclonedx',
      specVersion: '1.5',
      statementCount: 1,
    })
    const django = await byAdvisory(v.one, 'PYSEC-2021-98')
    expect(django.suppressed).toBe(true)
    expect(django.triage).toMatchObject({
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: 'The upload handler is not used.',
      source: 'vex',
      by: result.document.id,
    })
    const after = await findingsOf(v.one)
    expect({ open: after.open, suppressed: after.suppressed }).toEqual({ open: 1, suppressed: 1 })
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'target_id'])
      .where('action', '=', 'vex.uploaded')
      .execute()
    expect(audit).toEqual([{ action: 'vex.uploaded', target_id: result.document.id }])
  })

  it('keeps the file once by hash: the same bytes again change nothing', async () => {
    const again = await uploadVex(ctx, owner, acmeId, v.one, {
      bytes: cdxVex([DJANGO_NOT_AFFECTED]),
    })
    expect(again.created).toBe(false)
    expect(await listVexDocuments(ctx, acmeId, v.one)).toHaveLength(1)
  })

  it('a CSAF VEX matches by CVE alias and purl: known_affected with its remediation', async () => {
    const result = await uploadVex(ctx, owner, acmeId, v.one, {
      bytes: csafVex({
        cve: 'CVE-2022-27664',
        product: { name: 'x/net', version: 'any', purl: 'pkg:golang/golang.org/x/net' },
        vulnerability: {
          notes: [{ category: 'description', text: 'HTTP/2 DoS.', title: 'Description' }],
          product_status: { known_affected: ['CSAFPID-0001'] },
          remediations: [
            {
              category: 'vendor_fix',
              details: 'Update to firmware 2.0.',
              product_ids: ['CSAFPID-0001'],
            },
          ],
        },
      }),
    })
    expect(result).toMatchObject({ created: true, applied: 1 })
    const xnet = await byAdvisory(v.one, 'GO-2022-0969')
    expect(xnet.suppressed).toBe(false)
    expect(xnet.triage).toMatchObject({
      state: 'affected',
      response: 'vendor_fix',
      detail: 'Update to firmware 2.0.',
    })
  })

  it('refuses a document that fails its schema with pointers and stores nothing', async () => {
    const bad = cdxVex([{ ...DJANGO_NOT_AFFECTED, analysis: { state: 'maybe' } }])
    const error = await refusal(uploadVex(ctx, owner, acmeId, v.one, { bytes: bad }))
    expect(error.code).toBe('validation_failed')
    const details = error.details as { problems: { pointer: string }[] }
    expect(details.problems.map((p) => p.pointer)).toContain('/vulnerabilities/0/analysis/state')
    const notJson = await refusal(uploadVex(ctx, owner, acmeId, v.one, { bytes: Buffer.from('{') }))
    expect(notJson.code).toBe('validation_failed')
    const csafBad = await refusal(
      uploadVex(ctx, owner, acmeId, v.one, {
        bytes: Buffer.from(JSON.stringify({ document: { csaf_version: '2.0' } })),
      }),
    )
    expect((csafBad.details as { problems: { pointer: string }[] }).problems[0]?.pointer).toBe(
      '/document',
    )
    expect(await listVexDocuments(ctx, acmeId, v.one)).toHaveLength(2)
  })

  it('statements reach findings that appear later', async () => {
    const result = await uploadVex(ctx, owner, acmeId, v.two, {
      bytes: cdxVex([{ ...DJANGO_NOT_AFFECTED, affects: [{ ref: 'pkg:pypi/django@3.2.0' }] }]),
    })
    expect(result.applied).toBe(0)
    await uploadSbom(ctx, owner, acmeId, v.two, { bytes: cycloneDx([DJANGO_3_2_0]) })
    await evaluateProductVersion(ctx, v.two, { trigger: 'sbom' })
    const django = await byAdvisory(v.two, 'PYSEC-2021-98')
    expect(django.suppressed).toBe(true)
    expect(django.triage?.source).toBe('vex')
    // A re-evaluation keeps the triage.
    await evaluateProductVersion(ctx, v.two, { trigger: 'manual' })
    expect((await byAdvisory(v.two, 'PYSEC-2021-98')).suppressed).toBe(true)
  })

  it('the evaluation job applies stored statements to the findings it creates', async () => {
    const version = (
      await createProductVersion(ctx, owner, acmeId, productId, {
        version: '5.0.0',
        releaseDate: '2026-06-01',
      })
    ).id
    await uploadVex(ctx, owner, acmeId, version, {
      bytes: cdxVex([{ ...DJANGO_NOT_AFFECTED, affects: [{ ref: 'pkg:pypi/django' }] }], {
        version: 5,
      }),
    })
    await uploadSbom(ctx, owner, acmeId, version, { bytes: cycloneDx([DJANGO_3_2_0], 5) })
    await platformTasks(ctx)[EVALUATE_VERSION_TASK]?.(
      { productVersionId: version, trigger: 'sbom' },
      undefined as never,
    )
    const row = await ctx.db
      .selectFrom('findings')
      .select(['triage_state', 'triage_justification', 'triaged_by'])
      .where('product_version_id', '=', version)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      triage_state: 'not_affected',
      triage_justification: 'code_not_reachable',
    })
    expect(row.triaged_by).toMatch(/^vex:/)
  })

  it('never shows another organisation’s version', async () => {
    const error = await refusal(
      uploadVex(ctx, owner, otherId, v.one, {
        bytes: cdxVex([DJANGO_NOT_AFFECTED], { version: 9 }),
      }),
    )
    expect(error.code).toBe('not_found')
    expect((await refusal(listTriagedFindings(ctx, otherId, v.one))).code).toBe('not_found')
  })
})

describe('triage in the app', () => {
  it('needs a justification for not_affected and a version for fixed', async () => {
    const django = await byAdvisory(v.three, 'PYSEC-2021-98')
    const missing = await refusal(
      setTriage(ctx, owner, acmeId, v.three, django.id, { state: 'not_affected' }),
    )
    expect(missing.details).toEqual({
      problems: [{ pointer: '/justification', message: 'required when the state is not_affected' }],
    })
    const noVersion = await refusal(
      setTriage(ctx, owner, acmeId, v.three, django.id, { state: 'fixed' }),
    )
    expect(noVersion.code).toBe('validation_failed')
    expect((await byAdvisory(v.three, 'PYSEC-2021-98')).triage).toBeNull()
  })

  it('sets each state, audited with before and after', async () => {
    const django = await byAdvisory(v.three, 'PYSEC-2021-98')
    const xnet = await byAdvisory(v.three, 'GO-2022-0969')
    clock.advance(60_000)
    const fixed = await setTriage(ctx, owner, acmeId, v.three, django.id, {
      state: 'fixed',
      fixedVersion: '3.0.0',
      detail: 'Patched Django bundled.',
    })
    expect(fixed.triage).toMatchObject({
      state: 'fixed',
      fixedVersion: '3.0.0',
      source: 'manual',
      by: 'admin@network.test',
    })
    const notAffected = await setTriage(ctx, owner, acmeId, v.three, xnet.id, {
      state: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      detail: 'HTTP/2 is disabled in the firmware.',
    })
    expect(notAffected.suppressed).toBe(true)
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['target_id', 'details'])
      .where('action', '=', 'finding.triaged')
      .execute()
    expect(audit.map((a) => a.target_id)).toEqual([django.id, xnet.id])
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({
      before: null,
      after: { state: 'fixed', fixedVersion: '3.0.0' },
    })
  })
})

describe('publishing', () => {
  it('refuses when nothing is triaged', async () => {
    const empty = (
      await createProductVersion(ctx, owner, acmeId, productId, {
        version: '4.0.0',
        releaseDate: '2026-06-01',
      })
    ).id
    const error = await refusal(publishVex(ctx, owner, acmeId, empty, { kind: 'csaf' }))
    expect(error.code).toBe('validation_failed')
  })

  it('publishes a CSAF advisory that passes the schema and every mandatory test, versioned', async () => {
    const first = await publishVex(ctx, owner, acmeId, v.three, { kind: 'csaf' })
    expect(first).toMatchObject({ kind: 'csaf', version: 1, statementCount: 2 })
    clock.advance(3_600_000)
    await setTriage(ctx, owner, acmeId, v.three, (await byAdvisory(v.three, 'PYSEC-2021-98')).id, {
      state: 'affected',
      response: 'update',
      detail: 'Update to 3.0.1.',
    })
    const second = await publishVex(ctx, owner, acmeId, v.three, {
      kind: 'csaf',
      summary: 'Django status corrected.',
    })
    expect(second.version).toBe(2)
    const file = await getVexPublicationFile(ctx, acmeId, v.three, second.id)
    const doc = JSON.parse(file.content) as {
      document: {
        tracking: { version: string; revision_history: { number: string; summary: string }[] }
      }
      vulnerabilities: {
        cve: string
        product_status: Record<string, string[]>
        flags?: unknown[]
      }[]
    }
    expect(await checkCsaf(doc)).toEqual([])
    expect(doc.document.tracking.version).toBe('2')
    expect(doc.document.tracking.revision_history.map((r) => [r.number, r.summary])).toEqual([
      ['1', 'Initial version.'],
      ['2', 'Django status corrected.'],
    ])
    expect(doc.vulnerabilities.map((x) => [x.cve, Object.keys(x.product_status)])).toEqual([
      ['CVE-2021-31542', ['known_affected']],
      ['CVE-2022-27664', ['known_not_affected']],
    ])
    const first_ = JSON.parse(
      (await getVexPublicationFile(ctx, acmeId, v.three, first.id)).content,
    ) as unknown
    expect(await checkCsaf(first_)).toEqual([])
  })

  it('publishes a CycloneDX 1.6 VEX valid against its schema', async () => {
    const published = await publishVex(ctx, owner, acmeId, v.three, { kind: 'cyclonedx' })
    const file = await getVexPublicationFile(ctx, acmeId, v.three, published.id)
    expect(file.mediaType).toBe('application/vnd.cyclonedx+json')
    const doc = JSON.parse(file.content) as { vulnerabilities: { id: string; analysis: unknown }[] }
    expect(schemaValidator('cyclonedx', '1.6')(doc)).toBe(true)
    expect(
      doc.vulnerabilities
        .map((x) => [x.id, x.analysis])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['CVE-2021-31542', expect.objectContaining({ state: 'exploitable', response: ['update'] })],
      [
        'CVE-2022-27664',
        expect.objectContaining({ state: 'not_affected', justification: 'code_not_reachable' }),
      ],
    ])
  })

  it('publishes the suppressed statement from an uploaded VEX too, and the public can download it', async () => {
    const published = await publishVex(ctx, owner, acmeId, v.one, { kind: 'csaf' })
    const listed = await listPublicAdvisories(ctx, productId)
    expect(listed.map((p) => p.id)).toContain(published.id)
    const file = await getPublicAdvisoryFile(ctx, productId, published.id)
    expect(await checkCsaf(JSON.parse(file.content))).toEqual([])
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'vex.published')
      .execute()
    expect(audit).toHaveLength(4)
  })
})
