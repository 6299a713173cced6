import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assessment } from '../../../common/api/assessments.ts'
import { isAppError } from '../../../common/errors.ts'
import type { ManualClock } from '../../kernel/clock.ts'
import type { Ctx } from '../../kernel/context.ts'
import { createAdmin, createTestContext } from '../../testing/test-app.ts'
import type { TestDb } from '../../testing/test-db.ts'
import { findAuditLog, verifyAuditChain } from '../audit/audit.service.ts'
import { loadFrameworkFromFiles } from '../framework/framework.service.ts'
import { createOrganisation } from '../organisations/organisations.service.ts'
import { createProduct, createProductVersion } from '../products/products.service.ts'
import {
  addEvidenceFile,
  createAssessment,
  getComplyMany,
  getGapReport,
  migrateAssessment,
  saveAnswer,
} from './assessments.service.ts'

describe('assessments service', () => {
  let ctx: Ctx
  let clock: ManualClock
  let testDb: TestDb
  let dataDir: string
  let orgId: string
  let owner: { actor: { type: 'user'; userId: string; email: string; isNetworkAdmin: boolean } }
  let assessment: Assessment

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-data-'))
    ;({ ctx, clock, testDb } = await createTestContext({ dataDir, evidenceMaxBytes: 1024 }))
    await loadFrameworkFromFiles(ctx)
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
    const product = await createProduct(ctx, owner, orgId, {
      name: 'Gateway',
      modelNumbers: ['G-1'],
      deviceClass: 'gateway',
    })
    const version = await createProductVersion(ctx, owner, orgId, product.id, {
      version: '1.0.0',
      releaseDate: '2026-05-01',
    })
    assessment = await createAssessment(ctx, owner, orgId, {
      productId: product.id,
      productVersionId: version.id,
      targetTier: 1,
    })
  })
  afterAll(async () => {
    await testDb.destroy()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  async function refusal(promise: Promise<unknown>) {
    try {
      await promise
    } catch (error) {
      if (isAppError(error)) return error.code
      throw error
    }
    throw new Error('expected a refusal')
  }

  const answerRows = async () =>
    Number(
      (
        await ctx.db
          .selectFrom('assessment_answers')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('saves an answer and its audit entry together; a refusal leaves neither', async () => {
    const audited = (await findAuditLog(ctx, { action: 'assessment.answer_saved' })).entries.length
    expect(
      await refusal(
        saveAnswer(ctx, owner, orgId, assessment.id, 'ISN-GOV-01', { status: 'not-applicable' }),
      ),
    ).toBe('validation_failed')
    expect(await answerRows()).toBe(0)
    await saveAnswer(ctx, owner, orgId, assessment.id, 'ISN-GOV-01', { status: 'met' })
    expect(await answerRows()).toBe(1)
    const entries = (await findAuditLog(ctx, { action: 'assessment.answer_saved' })).entries
    expect(entries).toHaveLength(audited + 1)
    expect(entries[0]).toMatchObject({
      targetId: assessment.id,
      details: { requirementId: 'ISN-GOV-01', status: 'met', revision: 1 },
    })
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true)
    // Another organisation's id never finds it.
    const other = (await createOrganisation(ctx, owner, { name: 'Bolt', type: 'manufacturer' })).id
    expect(
      await refusal(saveAnswer(ctx, owner, other, assessment.id, 'ISN-GOV-01', { status: 'met' })),
    ).toBe('not_found')
  })

  it('satisfies an item covered only in part once every linked requirement is done', async () => {
    // OWASP IoT Top 10 I4 is only partly covered, by ISN-UPD-01, -02 and -05 (all tier 1).
    const item = async () =>
      (await getComplyMany(ctx, orgId, assessment.id)).catalogues
        .find((c) => c.catalogue === 'owasp-iot-top-10')!
        .entries.find((e) => e.itemId === 'I4')!
    const before = await item()
    expect(before.requirements.map((r) => [r.requirementId, r.covering])).toEqual([
      ['ISN-UPD-01', false],
      ['ISN-UPD-02', false],
      ['ISN-UPD-05', false],
    ])
    await saveAnswer(ctx, owner, orgId, assessment.id, 'ISN-UPD-01', { status: 'met' })
    await saveAnswer(ctx, owner, orgId, assessment.id, 'ISN-UPD-02', {
      status: 'not-applicable',
      justification: 'Updates are applied by the operator’s own tooling only.',
    })
    const partly = await item()
    expect(partly.satisfied).toBe(false)
    expect(partly.reason).toBe('Needs all of ISN-UPD-05 (unanswered) met.')
    await saveAnswer(ctx, owner, orgId, assessment.id, 'ISN-UPD-05', { status: 'met' })
    const done = await item()
    expect(done).toMatchObject({ satisfied: true })
    expect(done.reason).toBe('Covered together by ISN-UPD-01, ISN-UPD-02, ISN-UPD-05, all done.')
  })

  it('refuses evidence over the limit or of another type without writing anything', async () => {
    const upload = (bytes: Buffer, fileName = 'a.txt') =>
      addEvidenceFile(ctx, owner, orgId, assessment.id, 'ISN-GOV-01', { bytes, fileName })
    expect(await refusal(upload(Buffer.alloc(1025, 0x41)))).toBe('payload_too_large')
    expect(await refusal(upload(Buffer.from('GIF89a\u0001\u0000')))).toBe('unsupported_file_type')
    expect(await refusal(upload(Buffer.from('plain'), '../etc/passwd'))).toBe('validation_failed')
    expect(fs.existsSync(path.join(dataDir, 'evidence'))).toBe(false)
  })

  it('lists evidence as expired once its expiry has passed', async () => {
    await addEvidenceFile(ctx, owner, orgId, assessment.id, 'ISN-GOV-01', {
      bytes: Buffer.from('id,result\n1,pass\n'),
      fileName: 'tests.csv',
      expires: '2026-07-01',
    })
    expect((await getGapReport(ctx, orgId, assessment.id)).expiredEvidence).toEqual([])
    clock.advance(60 * 24 * 60 * 60 * 1000)
    expect((await getGapReport(ctx, orgId, assessment.id)).expiredEvidence).toEqual([
      { requirementId: 'ISN-GOV-01', kind: 'file', title: 'tests.csv', expires: '2026-07-01' },
    ])
  })

  it('moves only to a newer framework version that exists', async () => {
    expect(await refusal(migrateAssessment(ctx, owner, orgId, assessment.id, '1.0.0'))).toBe(
      'conflict',
    )
    expect(await refusal(migrateAssessment(ctx, owner, orgId, assessment.id, '2.0.0'))).toBe(
      'not_found',
    )
  })
})
