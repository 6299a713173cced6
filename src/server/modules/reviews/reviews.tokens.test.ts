import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assessment } from '../../../common/api/assessments.ts'
import type { AuditPage } from '../../../common/api/admin.ts'
import type { Label } from '../../../common/api/labels.ts'
import type { Review, ReviewDetail, ReviewSummary } from '../../../common/api/reviews.ts'
import type { TokenScope } from '../../../common/organisations.ts'
import {
  asUser,
  createAdmin,
  createOrganisationOverHttp,
  createTestApp,
  joinOverHttp,
  signInOverHttp,
  type Session,
  type TestContext,
} from '../../testing/test-app.ts'
import { loadFrameworkFromFiles } from '../framework/framework.service.ts'

type Call = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
) => ReturnType<ReturnType<typeof asUser>>

/**
 * An assessor organisation's system acting with API tokens: reviews:read, reviews:write and
 * labels:write reach only what is addressed to (or was issued by) the token's organisation.
 */
describe('assessor API tokens', () => {
  let t: TestContext
  let dataDir: string
  let admin: Session
  let acme: string
  let lab: string
  let otherLab: string
  let asMaker: ReturnType<typeof asUser>
  let asLab: ReturnType<typeof asUser>
  let asLabViewer: ReturnType<typeof asUser>
  let asOtherLab: ReturnType<typeof asUser>
  let assessment: Assessment

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-data-'))
    t = await createTestApp({ dataDir })
    expect((await loadFrameworkFromFiles(t.ctx)).status).toBe('loaded')
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    const asAdmin = asUser(t.app, admin)
    acme = (await createOrganisationOverHttp(asAdmin, 'Acme', 'manufacturer')).id
    lab = (await createOrganisationOverHttp(asAdmin, 'Trusted Lab', 'assessor')).id
    otherLab = (await createOrganisationOverHttp(asAdmin, 'Other Lab', 'assessor')).id
    for (const org of [lab, otherLab]) {
      const accredited = await asAdmin('POST', `/api/v1/admin/organisations/${org}/accreditation`, {
        note: 'ISO/IEC 17025',
      })
      expect(accredited.statusCode, accredited.body).toBe(200)
    }
    asMaker = asUser(t.app, await joinOverHttp(t.app, admin, acme, 'mia@acme.test', 'member'))
    asLab = asUser(t.app, await joinOverHttp(t.app, admin, lab, 'lara@lab.test', 'member'))
    asLabViewer = asUser(t.app, await joinOverHttp(t.app, admin, lab, 'vic@lab.test', 'viewer'))
    asOtherLab = asUser(t.app, await joinOverHttp(t.app, admin, otherLab, 'o@other.test', 'admin'))

    const product = await asMaker('POST', `/api/v1/organisations/${acme}/products`, {
      name: 'Edge Gateway',
      modelNumbers: ['EG-1'],
      deviceClass: 'gateway',
      supportPeriodEnd: '2030-12-31',
      updateMechanism: 'automatic',
      defaultPasswordPolicy: 'user-set-at-commissioning',
      securityContactEmail: 'psirt@acme.test',
      vulnerabilityDisclosureUrl: 'https://acme.test/security',
      sbomAvailability: 'available-on-request',
      secureSetupUrl: 'https://acme.test/hardening',
      sensors: ['temperature'],
      dataCollected: ['Telemetry to the operator’s historian'],
    })
    expect(product.statusCode, product.body).toBe(201)
    const productId = product.json<{ id: string }>().id
    const version = await asMaker(
      'POST',
      `/api/v1/organisations/${acme}/products/${productId}/versions`,
      { version: '1.0.0', releaseDate: '2026-05-01' },
    )
    const started = await asMaker('POST', `/api/v1/organisations/${acme}/assessments`, {
      productId,
      productVersionId: version.json<{ id: string }>().id,
      targetTier: 2,
    })
    expect(started.statusCode, started.body).toBe(201)
    assessment = started.json<Assessment>()
    for (const requirement of assessment.requirements) {
      const saved = await asMaker(
        'PATCH',
        `/api/v1/organisations/${acme}/assessments/${assessment.id}/answers/${requirement.id}`,
        { data: { status: 'met', explanation: `How ${requirement.id} is met` } },
      )
      expect(saved.statusCode, saved.body).toBe(200)
    }
    const submitted = await asMaker(
      'POST',
      `/api/v1/organisations/${acme}/assessments/${assessment.id}/reviews`,
      { assessorOrganisationId: lab },
    )
    expect(submitted.statusCode, submitted.body).toBe(201)
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  /** Creates a token of `orgId` as `as` and returns a caller that uses it. */
  async function tokenOf(
    as: ReturnType<typeof asUser>,
    orgId: string,
    scopes: TokenScope[],
  ): Promise<Call> {
    const created = await as('POST', `/api/v1/organisations/${orgId}/tokens`, {
      name: `system ${scopes.join(' ')}`,
      scopes,
    })
    expect(created.statusCode, created.body).toBe(201)
    const secret = created.json<{ secret: string }>().secret
    return (method, url, payload) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${secret}` },
        ...(payload ? { payload } : {}),
      })
  }

  it('refuses scopes that do not fit the organisation, or the creator’s role', async () => {
    const forManufacturer = await asMaker('POST', `/api/v1/organisations/${acme}/tokens`, {
      name: 'wrong kind',
      scopes: ['products:read', 'reviews:write', 'labels:write'],
    })
    expect(forManufacturer.statusCode).toBe(400)
    expect(forManufacturer.json().error).toEqual({
      code: 'validation_failed',
      message: 'reviews:write, labels:write cannot be used by Acme, registered as Manufacturer.',
      details: [
        {
          in: 'body',
          pointer: '/scopes/1',
          message: 'reviews:write is for assessor organisations',
        },
        { in: 'body', pointer: '/scopes/2', message: 'labels:write is for assessor organisations' },
      ],
    })
    const forLab = await asLab('POST', `/api/v1/organisations/${lab}/tokens`, {
      name: 'wrong kind',
      scopes: ['products:write'],
    })
    expect(forLab.statusCode).toBe(400)
    expect(forLab.json().error.details).toEqual([
      {
        in: 'body',
        pointer: '/scopes/0',
        message: 'products:write is for manufacturer organisations',
      },
    ])
    // People read reviews as members: a viewer's token may not either.
    const byViewer = await asLabViewer('POST', `/api/v1/organisations/${lab}/tokens`, {
      name: 'viewer',
      scopes: ['reviews:read'],
    })
    expect(byViewer.statusCode).toBe(403)
    expect(byViewer.json().error.message).toBe(
      'A token with reviews:read needs the member role or above; you are viewer.',
    )
    const tokens = await asUser(t.app, admin)('GET', `/api/v1/organisations/${lab}/tokens`)
    expect(tokens.json()).toEqual([])
  })

  it('lets the assessor’s system review, approve and change the label it issued', async () => {
    const reader = await tokenOf(asLab, lab, ['reviews:read'])
    const system = await tokenOf(asLab, lab, ['reviews:read', 'reviews:write', 'labels:write'])
    const reviews = `/api/v1/organisations/${lab}/reviews`

    const listed = await reader('GET', reviews)
    expect(listed.statusCode, listed.body).toBe(200)
    const [summary] = listed.json<ReviewSummary[]>()
    expect(summary).toMatchObject({ assessmentId: assessment.id, status: 'submitted' })
    const detail = await reader('GET', `${reviews}/${summary!.id}`)
    expect(detail.json<ReviewDetail>().assessment.id).toBe(assessment.id)
    const refused = await reader('POST', `${reviews}/${summary!.id}/approve`, {
      tierGranted: 1,
      verificationStrength: 'self-declared',
    })
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.message).toBe('This API token lacks the scope reviews:write.')

    // The token of the organisation the review is addressed to only: another lab's sees nothing,
    // and a token never reaches another organisation's paths.
    const stranger = await tokenOf(asOtherLab, otherLab, ['reviews:read', 'reviews:write'])
    expect((await stranger('GET', `/api/v1/organisations/${otherLab}/reviews`)).json()).toEqual([])
    expect(
      (await stranger('GET', `/api/v1/organisations/${otherLab}/reviews/${summary!.id}`))
        .statusCode,
    ).toBe(404)
    expect((await stranger('GET', `${reviews}/${summary!.id}`)).json().error.message).toBe(
      'This API token belongs to another organisation.',
    )
    // Only the manufacturer changes its assessment.
    const answer = await system(
      'PATCH',
      `/api/v1/organisations/${acme}/assessments/${assessment.id}/answers/${assessment.requirements[0]!.id}`,
      { data: { status: 'not-met', explanation: 'Changed by the assessor' } },
    )
    expect(answer.statusCode).toBe(403)

    for (const requirement of assessment.requirements) {
      const verdict = await system('PUT', `${reviews}/${summary!.id}/verdicts/${requirement.id}`, {
        verdict: 'accepted',
        finding: 'Checked',
      })
      expect(verdict.statusCode, verdict.body).toBe(200)
    }
    // The label issued on approval is valid for the network's setting (support ends 2030-12-31).
    const setting = await asUser(t.app, admin)('PATCH', '/api/v1/admin/settings', {
      data: { labelValidityMonths: 18 },
    })
    expect(setting.statusCode, setting.body).toBe(200)
    const approved = await system('POST', `${reviews}/${summary!.id}/approve`, {
      tierGranted: 2,
      verificationStrength: 'document-reviewed',
    })
    expect(approved.statusCode, approved.body).toBe(200)
    const labelId = approved.json<Review>().labelId!
    expect(labelId).toEqual(expect.any(String))
    const issued = (await t.app.inject({ url: `/api/v1/labels/${labelId}` })).json<Label>()
    expect(issued.issuedAt).toBe(t.clock.now().toISOString())
    expect(issued.expiresAt).toBe('2027-12-01T08:00:00.000Z')

    const labels = `/api/v1/organisations/${lab}/labels/${labelId}`
    const notAllowed = await reader('POST', `${labels}/suspend`, { reason: 'Report received' })
    expect(notAllowed.json().error.message).toBe('This API token lacks the scope labels:write.')
    const otherLabels = await tokenOf(asOtherLab, otherLab, ['labels:write'])
    const notTheirs = await otherLabels(
      'POST',
      `/api/v1/organisations/${otherLab}/labels/${labelId}/revoke`,
      { reason: 'Not ours to revoke' },
    )
    expect(notTheirs.statusCode).toBe(404)

    const suspended = await system('POST', `${labels}/suspend`, { reason: 'Report received' })
    expect(suspended.statusCode, suspended.body).toBe(200)
    expect(suspended.json<Label>()).toMatchObject({
      status: 'suspended',
      statusReason: 'Report received',
    })
    const history = await t.app.inject({ url: `/api/v1/labels/${labelId}/status` })
    expect(history.json().history.at(-1)).toMatchObject({
      toStatus: 'suspended',
      actor: 'system reviews:read reviews:write labels:write',
    })

    const trail = await asUser(t.app, admin)(
      'GET',
      `/api/v1/admin/audit?organisationId=${lab}&action=review.`,
    )
    expect(
      trail.json<AuditPage>().entries.find((e) => e.action === 'review.approved'),
    ).toMatchObject({
      actorType: 'api_token',
      actorLabel: 'system reviews:read reviews:write labels:write',
    })
    const labelTrail = await asUser(t.app, admin)(
      'GET',
      `/api/v1/admin/audit?targetId=${labelId}&action=label.suspended`,
    )
    expect(labelTrail.json<AuditPage>().entries).toEqual([
      expect.objectContaining({ actorType: 'api_token' }),
    ])
  })
})
