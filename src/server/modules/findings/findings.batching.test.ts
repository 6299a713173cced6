import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../kernel/actor.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import { mulberry32 } from '../../testing/random.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { importAdvisories } from '../advisories/advisories.service.ts'
import { bytesOf, kevCatalogue, osvGoRecord } from '../advisories/testing.ts'
import { evaluateLabelPolicy } from '../label-policy/label-policy.service.ts'
import { getPublicLabelStatus, issueLabel } from '../labels/labels.service.ts'
import { sampleLabelInput } from '../labels/testing.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import { createProduct, createProductVersion } from '../products/products.service.ts'
import { uploadSbom } from '../sboms/sboms.service.ts'
import { updateLabelPolicy } from '../settings/label-policy.service.ts'
import { evaluateProductVersion, reevaluateForAdvisoryChanges } from './findings.service.ts'
import {
  cycloneDx,
  DJANGO_3_2_0,
  djangoRecord,
  LODASH,
  XNET_FIXED,
  XNET_OLD,
  type FixtureComponent,
} from './findings.testing.ts'

// The re-evaluation after an advisory change syncs the versions it reaches in batches (several
// versions per transaction, a few statements per batch) and only on the components the change
// reaches. Property: whatever the batch size, the findings are exactly those a full evaluation
// of each version alone gives, and the label policy applied to the lot leaves each label where
// applying it to that version alone would.

let ctx: Ctx
let clock: ManualClock
let testDb: TestDb
let dir: string
let owner: { actor: Extract<Actor, { type: 'user' }> }
let acmeId: string
let labId: string
const versions: { id: string; labelId: string; components: FixtureComponent[] }[] = []

const DJANGO_3_2_1: FixtureComponent = {
  ...DJANGO_3_2_0,
  version: '3.2.1',
  purl: 'pkg:pypi/django@3.2.1',
}
const DJANGO_2_2_5: FixtureComponent = {
  ...DJANGO_3_2_0,
  version: '2.2.5',
  purl: 'pkg:pypi/django@2.2.5',
}
/** Components a version's SBOM draws from: affected, fixed and unrelated ones. */
const POOL = [DJANGO_3_2_0, DJANGO_3_2_1, DJANGO_2_2_5, XNET_OLD, XNET_FIXED, LODASH]

async function importJson(name: string, value: unknown) {
  const file = path.join(dir, name)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, bytesOf(value))
  await importAdvisories(ctx, { location: file, format: 'auto', triggeredBy: 'test' })
}

/** Every finding of every version, as the matcher wrote it (times of evaluation aside). */
async function snapshot() {
  const rows = await ctx.db
    .selectFrom('findings')
    .select([
      'product_version_id',
      'component_key',
      'advisory_id',
      'status',
      'confidence',
      'rule',
      'fixed_version',
      'kev',
      'kev_cve',
      'resolved_at',
    ])
    .orderBy('product_version_id')
    .orderBy('component_key')
    .orderBy('advisory_id')
    .execute()
  return rows.map((r) => ({ ...r, kev: Number(r.kev), resolved: r.resolved_at !== null }))
}

/** A full evaluation of each version alone changes nothing: the batched path got there already. */
async function expectSameAsAlone() {
  const before = await snapshot()
  for (const v of versions) {
    const alone = await evaluateProductVersion(ctx, v.id, { trigger: 'manual' })
    expect(alone, `version with ${v.components.map((c) => c.purl).join(', ')}`).toMatchObject({
      created: 0,
      changed: 0,
      resolved: 0,
    })
  }
  expect((await snapshot()).map(({ resolved_at: _at, ...r }) => r)).toEqual(
    before.map(({ resolved_at: _at, ...r }) => r),
  )
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-findings-batching-'))
  ;({ ctx, clock, testDb } = await createTestContext({ dataDir: path.join(dir, 'data') }))
  const user = await createAdmin(ctx)
  owner = { actor: { type: 'user', userId: user.id, email: user.email, isNetworkAdmin: true } }
  acmeId = (await createOrganisation(ctx, owner, { name: 'Acme', type: 'manufacturer' })).id
  labId = (await createOrganisation(ctx, owner, { name: 'Trusted Lab', type: 'assessor' })).id
  const product = await createProduct(ctx, owner, acmeId, {
    name: 'Gateway',
    modelNumbers: ['G-1'],
    deviceClass: 'gateway',
  })
  // mulberry32: the same versions on every run and both databases.
  const random = mulberry32(5)
  for (let i = 0; i < 23; i++) {
    const components = POOL.filter(() => random() < 0.5)
    const id = (
      await createProductVersion(ctx, owner, acmeId, product.id, {
        version: `1.0.${i}`,
        releaseDate: '2026-05-01',
      })
    ).id
    // No evaluation here: the advisory changes below are the first to reach these versions.
    if (components.length > 0) {
      await uploadSbom(ctx, owner, acmeId, id, { bytes: cycloneDx(components, i + 1) })
    }
    const sample = sampleLabelInput()
    const label = await issueLabel(ctx, owner, {
      ...sample,
      product: {
        ...sample.product,
        productId: product.id,
        productVersionId: id,
        manufacturer: { id: acmeId, name: 'Acme' },
        name: 'Gateway',
        version: `1.0.${i}`,
      },
      assessor: { id: labId, name: 'Trusted Lab' },
    })
    versions.push({ id, labelId: label.id, components })
  }
  // The change set so far (SBOM uploads add none) is behind us.
  await reevaluateForAdvisoryChanges(ctx)
  await updateLabelPolicy(ctx, owner, {
    enabled: true,
    kevSuspendAfterDays: 0,
    criticalWarningAfterDays: 30,
    minConfidence: 'medium',
  })
})

afterAll(async () => {
  await testDb.destroy()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('a change that reaches many versions, synced in batches', () => {
  it.each([
    ['new advisories and a KEV entry, 4 versions per transaction', 4],
    ['the Django record narrowed to the 2.2 branch, 1 version per transaction', 1],
    ['the Django record back to all three branches, 250 per transaction', 250],
    ['the Go record withdrawn, 7 per transaction', 7],
  ])('%s: the findings of evaluating each version alone', async (name, perTransaction) => {
    clock.advance(60_000)
    if (name.startsWith('new')) {
      await importJson('osv/PYSEC-2021-98.json', djangoRecord())
      await importJson('osv/GO-2022-0969.json', osvGoRecord())
      await importJson(
        'kev/kev.json',
        kevCatalogue('2026.06.01', '2026-06-01T00:00:00.000Z', [
          { cveID: 'CVE-2021-31542', vendorProject: 'Django', product: 'Django' },
        ]),
      )
    } else if (name.includes('narrowed')) {
      await importJson(
        'osv/PYSEC-2021-98.json',
        djangoRecord({
          modified: '2022-01-01T00:00:00Z',
          affected: [
            {
              package: { name: 'Django', ecosystem: 'PyPI', purl: 'pkg:pypi/django' },
              ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.2' }, { fixed: '2.2.21' }] }],
            },
          ],
        }),
      )
    } else if (name.includes('back')) {
      await importJson('osv/PYSEC-2021-98.json', djangoRecord({ modified: '2022-02-01T00:00:00Z' }))
    } else {
      await importJson(
        'osv/GO-2022-0969.json',
        osvGoRecord({ modified: '2025-01-01T00:00:00Z', withdrawn: '2025-01-01T00:00:00Z' }),
      )
    }
    const summary = await reevaluateForAdvisoryChanges(ctx, undefined, {
      versionsPerTransaction: perTransaction,
    })
    expect(summary.versions.length).toBeGreaterThan(0)
    await expectSameAsAlone()
  })

  it('found what the fixtures hold, so the comparison above compared something', async () => {
    const open = (await snapshot()).filter((f) => !f.resolved)
    const withDjango = versions.filter((v) =>
      v.components.some((c) => c === DJANGO_3_2_0 || c === DJANGO_2_2_5),
    )
    expect(new Set(open.map((f) => f.product_version_id))).toEqual(
      new Set(withDjango.map((v) => v.id)),
    )
    expect(open.every((f) => f.advisory_id === 'PYSEC-2021-98' && f.kev === 1)).toBe(true)
    expect(open.length).toBeGreaterThan(4)
  })

  it('applies the label policy to the lot as to each version alone', async () => {
    const summary = await evaluateLabelPolicy(
      ctx,
      versions.map((v) => v.id),
    )
    const open = new Set(
      (await snapshot()).filter((f) => !f.resolved && f.kev === 1).map((f) => f.product_version_id),
    )
    expect(summary.suspended).toBe(open.size)
    for (const v of versions) {
      const status = (await getPublicLabelStatus(ctx, v.labelId)).status
      expect(status).toBe(open.has(v.id) ? 'suspended' : 'active')
      // Alone, the policy has nothing left to do for it.
      expect(await evaluateLabelPolicy(ctx, [v.id])).toMatchObject({
        suspended: 0,
        reinstated: 0,
      })
    }
  })
})
