import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../../common/errors.ts'
import { systemActor } from '../../kernel/actor.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { verifyAuditChain } from '../audit/audit.service.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import {
  createProduct,
  createProductVersion,
  deleteProduct,
  getProduct,
  listProductVersions,
  updateProduct,
  updateProductVersion,
} from './products.service.ts'

const system = { actor: systemActor('test') }

describe('products service', () => {
  let ctx: Ctx
  let clock: ManualClock
  let testDb: TestDb
  let orgId: string
  let owner: { actor: { type: 'user'; userId: string; email: string; isNetworkAdmin: boolean } }

  beforeEach(async () => {
    ;({ ctx, clock, testDb } = await createTestContext())
    await createAdmin(ctx)
    const user = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'admin@network.test')
      .executeTakeFirstOrThrow()
    owner = {
      actor: { type: 'user', userId: user.id, email: 'admin@network.test', isNetworkAdmin: true },
    }
    orgId = (await createOrganisation(ctx, owner, { name: 'Acme', type: 'manufacturer' })).id
  })
  afterEach(async () => testDb.destroy())

  const rows = async (table: 'products' | 'product_versions' | 'audit_log') =>
    Number(
      (
        await ctx.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  async function refusal(promise: Promise<unknown>) {
    try {
      await promise
    } catch (error) {
      if (isAppError(error)) return { code: error.code, message: error.message }
      throw error
    }
    throw new Error('expected a refusal')
  }

  it('writes the product and its audit entry together, and the chain stays intact', async () => {
    const before = await rows('audit_log')
    const product = await createProduct(ctx, system, orgId, {
      name: ' Flow sensor ',
      modelNumbers: [' FS-1 '],
      deviceClass: 'field-device',
      securityContactEmail: 'PSIRT@Acme.test',
    })
    expect(product).toMatchObject({
      name: 'Flow sensor',
      modelNumbers: ['FS-1'],
      securityContactEmail: 'psirt@acme.test',
    })
    const entry = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow()
    expect(entry).toMatchObject({
      action: 'product.created',
      organisation_id: orgId,
      target_type: 'product',
      target_id: product.id,
      actor_type: 'system',
    })
    expect(await rows('audit_log')).toBe(before + 1)
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true)
  })

  it('leaves nothing behind when a rule refuses the change', async () => {
    const product = await createProduct(ctx, system, orgId, {
      name: 'Gateway',
      modelNumbers: ['G-1'],
      deviceClass: 'gateway',
      sbomAvailability: 'published',
      sbomUrl: 'https://acme.test/sbom.json',
    })
    const audit = await rows('audit_log')
    expect(
      await refusal(
        createProduct(ctx, system, orgId, {
          name: 'Other',
          modelNumbers: ['O-1'],
          deviceClass: 'gateway',
          sbomAvailability: 'published',
        }),
      ),
    ).toEqual({
      code: 'validation_failed',
      message: 'A published SBOM needs the URL where it is published.',
    })
    expect(
      await refusal(
        updateProduct(ctx, system, orgId, product.id, { name: 'Renamed', sbomUrl: null }),
      ),
    ).toMatchObject({ code: 'validation_failed' })
    expect((await getProduct(ctx, orgId, product.id)).name).toBe('Gateway')
    const version = await createProductVersion(ctx, system, orgId, product.id, {
      version: '1.0',
      releaseDate: '2026-05-01',
    })
    expect(
      await refusal(
        updateProductVersion(ctx, system, orgId, product.id, version.id, {
          releaseDate: '2027-01-01',
          supportPeriodEnd: '2026-12-31',
        }),
      ),
    ).toEqual({
      code: 'validation_failed',
      message: 'The support period cannot end before the version is released.',
    })
    expect(await listProductVersions(ctx, orgId, product.id)).toEqual([version])
    expect(await refusal(deleteProduct(ctx, owner, orgId, product.id))).toMatchObject({
      code: 'conflict',
    })
    expect(await rows('products')).toBe(1)
    // One entry for the version; none for the refusals.
    expect(await rows('audit_log')).toBe(audit + 1)
  })

  it('takes the product’s support period end for versions without their own, as it changes', async () => {
    const product = await createProduct(ctx, system, orgId, {
      name: 'Controller',
      modelNumbers: ['C-1'],
      deviceClass: 'controller',
      supportPeriodEnd: '2030-12-31',
    })
    await createProductVersion(ctx, system, orgId, product.id, {
      version: '1.0',
      releaseDate: '2026-01-01',
    })
    clock.advance(1000)
    await updateProduct(ctx, system, orgId, product.id, { supportPeriodEnd: '2032-06-30' })
    const [version] = await listProductVersions(ctx, orgId, product.id)
    expect(version).toMatchObject({
      supportPeriodEnd: null,
      effectiveSupportPeriodEnd: '2032-06-30',
    })
  })

  it('refuses another type of organisation and another organisation’s product ids', async () => {
    const lab = await createOrganisation(ctx, owner, { name: 'Lab', type: 'assessor' })
    expect(
      await refusal(
        createProduct(ctx, system, lab.id, {
          name: 'X',
          modelNumbers: ['X'],
          deviceClass: 'gateway',
        }),
      ),
    ).toEqual({
      code: 'forbidden',
      message:
        'Only manufacturer organisations have products; Lab is registered as Assessor (test lab / certification body).',
    })
    const other = await createOrganisation(ctx, owner, { name: 'Bolt', type: 'manufacturer' })
    const product = await createProduct(ctx, system, orgId, {
      name: 'Mine',
      modelNumbers: ['M'],
      deviceClass: 'gateway',
    })
    expect(await refusal(getProduct(ctx, other.id, product.id))).toEqual({
      code: 'not_found',
      message: 'No such product',
    })
    expect(
      await refusal(updateProduct(ctx, system, other.id, product.id, { name: 'Taken' })),
    ).toMatchObject({ code: 'not_found' })
    expect((await getProduct(ctx, orgId, product.id)).name).toBe('Mine')
  })
})
