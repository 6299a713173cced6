import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  ExposedLabelPage,
  LabelExposure,
  LabelPolicy,
  PublishedLabelPolicy,
} from '../../../common/api/label-policy.ts'
import type { Label, VerificationResult } from '../../../common/api/labels.ts'
import { DAY } from '../../kernel/clock.ts'
import { newId } from '../../kernel/crypto.ts'
import {
  asUser,
  createAdmin,
  createOrganisationOverHttp,
  createTestApp,
  signInOverHttp,
  type TestContext,
} from '../../testing/test-app.ts'
import { findAuditLog } from '../audit/audit.service.ts'
import { issueLabel } from '../labels/labels.service.ts'
import { sampleLabelInput } from '../labels/testing.ts'
import { evaluateLabelPolicy } from './label-policy.service.ts'

describe('label policy over HTTP', () => {
  let t: TestContext
  let asAdmin: ReturnType<typeof asUser>
  let label: Label
  let versionId: string

  beforeAll(async () => {
    t = await createTestApp()
    await createAdmin(t.ctx)
    asAdmin = asUser(t.app, await signInOverHttp(t.app, 'admin@network.test'))
    const orgId = (await createOrganisationOverHttp(asAdmin, 'Acme', 'manufacturer')).id
    const product = await asAdmin('POST', `/api/v1/organisations/${orgId}/products`, {
      name: 'Gateway',
      modelNumbers: ['G-1'],
      deviceClass: 'gateway',
    })
    const productId = product.json<{ id: string }>().id
    const version = await asAdmin(
      'POST',
      `/api/v1/organisations/${orgId}/products/${productId}/versions`,
      { version: '1.0.0', releaseDate: '2026-05-01', supportPeriodEnd: '2031-05-01' },
    )
    versionId = version.json<{ id: string }>().id
    const sample = sampleLabelInput()
    label = await issueLabel(
      t.ctx,
      { actor: { type: 'system', name: 'test' } },
      {
        ...sample,
        product: {
          ...sample.product,
          productId,
          productVersionId: versionId,
          manufacturer: { id: orgId, name: 'Acme' },
          deviceClass: 'gateway',
          version: '1.0.0',
          supportPeriodEnd: '2031-05-01',
        },
      },
    )
    const seen = new Date(t.clock.now().getTime() - 40 * DAY).toISOString()
    await t.ctx.db
      .insertInto('findings')
      .values({
        id: newId(),
        organisation_id: orgId,
        product_id: productId,
        product_version_id: versionId,
        component_key: '@product',
        component_name: 'Gateway',
        component_version: '1.0.0',
        component_purl: null,
        advisory_source: 'csaf',
        advisory_id: 'ICSA-24-011-01',
        cves: JSON.stringify(['CVE-2023-6448']),
        status: 'affected',
        confidence: 'high',
        matched_by: 'vendor_product',
        match_key: 'acme | gateway',
        rule: 'vendor+model_number',
        reason: '{}',
        fixed_version: null,
        severity: 'critical',
        cvss_score: 9.8,
        kev: 0,
        kev_cve: null,
        kev_date_added: null,
        kev_due_date: null,
        kev_ransomware: null,
        first_seen_at: seen,
        changed_at: seen,
        last_evaluated_at: seen,
        resolved_at: null,
      })
      .execute()
  })
  afterAll(async () => t.close())

  it('publishes the policy to anyone', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/label-policy' })
    expect(res.statusCode).toBe(200)
    const body = res.json<PublishedLabelPolicy>()
    expect(body.policy.kevSuspendAfterDays).toBe(14)
    expect(body.rules.length).toBeGreaterThan(2)
  })

  it('lets only network administrators change it, validly, audited', async () => {
    const policy: LabelPolicy = {
      enabled: true,
      kevSuspendAfterDays: 21,
      criticalWarningAfterDays: 30,
      minConfidence: 'high',
    }
    const anonymous = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/label-policy',
      payload: { data: policy },
    })
    expect(anonymous.statusCode).toBe(401)
    const bad = await asAdmin('PUT', '/api/v1/admin/label-policy', {
      data: { ...policy, kevSuspendAfterDays: -1 },
    })
    expect(bad.statusCode).toBe(400)
    const ok = await asAdmin('PUT', '/api/v1/admin/label-policy', { data: policy })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json<LabelPolicy>()).toEqual(policy)
    const [entry] = (await findAuditLog(t.ctx, { action: 'settings.label_policy_updated' })).entries
    expect(entry?.details).toMatchObject({ after: { kevSuspendAfterDays: 21 } })
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/label-policy' })
    expect(read.json<PublishedLabelPolicy>().policy).toEqual(policy)
  })

  it('shows the warning on the product page’s exposure and in the verification answer', async () => {
    const unknown = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registry/labels/${newId()}/exposure`,
    })
    expect(unknown.statusCode).toBe(404)
    const malformed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/registry/labels/not-an-id/exposure',
    })
    expect(malformed.statusCode).toBe(400)

    await evaluateLabelPolicy(t.ctx, [versionId])
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registry/labels/${label.id}/exposure`,
    })
    expect(res.statusCode).toBe(200)
    const exposure = res.json<LabelExposure>()
    expect(exposure).toMatchObject({
      labelId: label.id,
      knownExploited: { open: 0, cves: [], nextSuspensionAt: null },
      policySuspension: null,
      warning: { cves: ['CVE-2023-6448'], advisories: ['ICSA-24-011-01'] },
    })

    const verified = await t.app.inject({
      method: 'POST',
      url: '/api/v1/labels/verify',
      payload: { label: label.jws },
    })
    const result = verified.json<VerificationResult>()
    expect(result).toMatchObject({ valid: true, status: 'active' })
    expect(result.warning?.message).toContain('without a fix or a VEX statement')
    expect(result.warning?.cves).toEqual(['CVE-2023-6448'])
  })

  it('lists the exposed labels to network administrators only', async () => {
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/kev-exposure/labels',
    })
    expect(anonymous.statusCode).toBe(401)
    const tooMany = await asAdmin('GET', '/api/v1/admin/kev-exposure/labels?limit=201')
    expect(tooMany.statusCode).toBe(400)

    const before = await asAdmin('GET', '/api/v1/admin/kev-exposure/labels')
    expect(before.json<ExposedLabelPage>()).toMatchObject({ items: [], total: 0 })
    await t.ctx.db
      .updateTable('findings')
      .set({
        kev: 1,
        kev_cve: 'CVE-2023-6448',
        kev_date_added: '2023-12-11',
        kev_due_date: '2024-01-01',
      })
      .where('product_version_id', '=', versionId)
      .execute()
    const res = await asAdmin('GET', '/api/v1/admin/kev-exposure/labels?limit=10')
    expect(res.statusCode).toBe(200)
    expect(res.json<ExposedLabelPage>()).toMatchObject({
      total: 1,
      limit: 10,
      offset: 0,
      items: [
        {
          labelId: label.id,
          version: '1.0.0',
          manufacturer: { name: 'Acme' },
          deviceClass: 'gateway',
          status: 'active',
          knownExploited: { open: 1, cves: ['CVE-2023-6448'] },
          kevDueDate: '2024-01-01',
        },
      ],
    })
  })
})
