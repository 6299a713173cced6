import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assessment, GapReport } from '../../../common/api/assessments.ts'
import type { Label } from '../../../common/api/labels.ts'
import type {
  NotificationList,
  Review,
  ReviewDetail,
  ReviewSummary,
} from '../../../common/api/reviews.ts'
import { verifyLabel } from '../../../common/labels/verify.ts'
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
import { offlineMaterial } from '../labels/testing.ts'

const PDF = Buffer.concat([
  Buffer.from('%PDF-1.7\n'),
  Buffer.alloc(200, 0x20),
  Buffer.from('%%EOF'),
])

/** Every registry field a label needs. */
const REGISTRY_FIELDS = {
  supportPeriodEnd: '2030-12-31',
  updateMechanism: 'automatic',
  defaultPasswordPolicy: 'user-set-at-commissioning',
  securityContactEmail: 'psirt@acme.test',
  vulnerabilityDisclosureUrl: 'https://acme.test/security',
  sbomAvailability: 'available-on-request',
  secureSetupUrl: 'https://acme.test/hardening',
  sensors: ['temperature'],
  dataCollected: ['Telemetry to the operator’s historian'],
}

/** Requests as a person, the clock moving a second after each write so that changes have an order. */
function ticking(t: TestContext, session: Session): ReturnType<typeof asUser> {
  const as = asUser(t.app, session)
  return async (method, url, payload) => {
    const response = await as(method, url, payload)
    if (method !== 'GET') t.clock.advance(1000)
    return response
  }
}

describe('reviews over HTTP: submit → request changes → resubmit → approve → label', () => {
  let t: TestContext
  let dataDir: string
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let acme: string
  let bolt: string
  let lab: string
  let otherLab: string
  let unaccredited: string
  let operator: string
  let asMaker: ReturnType<typeof asUser>
  let asBoltMaker: ReturnType<typeof asUser>
  let asLab: ReturnType<typeof asUser>
  let asOtherLab: ReturnType<typeof asUser>
  let asLabViewer: ReturnType<typeof asUser>
  let productId: string
  let versionId: string
  let bareProductId: string
  let bareVersionId: string

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-data-'))
    t = await createTestApp({ dataDir })
    expect((await loadFrameworkFromFiles(t.ctx)).status).toBe('loaded')
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    acme = (await createOrganisationOverHttp(asAdmin, 'Acme', 'manufacturer')).id
    bolt = (await createOrganisationOverHttp(asAdmin, 'Bolt', 'manufacturer')).id
    lab = (await createOrganisationOverHttp(asAdmin, 'Trusted Lab', 'assessor')).id
    otherLab = (await createOrganisationOverHttp(asAdmin, 'Other Lab', 'assessor')).id
    unaccredited = (await createOrganisationOverHttp(asAdmin, 'New Lab', 'assessor')).id
    operator = (await createOrganisationOverHttp(asAdmin, 'Plant Operator', 'operator')).id
    for (const org of [lab, otherLab]) {
      const accredited = await asAdmin('POST', `/api/v1/admin/organisations/${org}/accreditation`, {
        note: 'ISO/IEC 17025',
      })
      expect(accredited.statusCode, accredited.body).toBe(200)
    }
    asMaker = ticking(t, await joinOverHttp(t.app, admin, acme, 'mia@acme.test', 'member'))
    asBoltMaker = ticking(t, await joinOverHttp(t.app, admin, bolt, 'bo@bolt.test', 'owner'))
    asLab = ticking(t, await joinOverHttp(t.app, admin, lab, 'lara@lab.test', 'member'))
    asLabViewer = ticking(t, await joinOverHttp(t.app, admin, lab, 'vic@lab.test', 'viewer'))
    asOtherLab = asUser(
      t.app,
      await joinOverHttp(t.app, admin, otherLab, 'otto@other.test', 'member'),
    )

    const create = async (name: string, fields: object) => {
      const product = await asMaker('POST', `/api/v1/organisations/${acme}/products`, {
        name,
        modelNumbers: [`${name}-1`],
        deviceClass: 'gateway',
        ...fields,
      })
      expect(product.statusCode, product.body).toBe(201)
      const id = product.json<{ id: string }>().id
      const version = await asMaker(
        'POST',
        `/api/v1/organisations/${acme}/products/${id}/versions`,
        {
          version: '1.0.0',
          releaseDate: '2026-05-01',
        },
      )
      expect(version.statusCode, version.body).toBe(201)
      return [id, version.json<{ id: string }>().id] as const
    }
    ;[productId, versionId] = await create('Edge Gateway', REGISTRY_FIELDS)
    const { secureSetupUrl: _s, ...lacking } = REGISTRY_FIELDS
    ;[bareProductId, bareVersionId] = await create('Bare Gateway', lacking)
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const assessments = `/api/v1/organisations/${'ORG'}/assessments`
  const acmePath = (rest = '') => `${assessments.replace('ORG', acme)}${rest}`
  const labPath = (rest = '') => `/api/v1/organisations/${lab}/reviews${rest}`

  async function start(product: string, version: string): Promise<Assessment> {
    const response = await asMaker('POST', acmePath(), {
      productId: product,
      productVersionId: version,
      targetTier: 2,
    })
    expect(response.statusCode, response.body).toBe(201)
    return response.json<Assessment>()
  }

  async function answerAll(assessment: Assessment, except?: { id: string; status: string }) {
    for (const requirement of assessment.requirements) {
      const status = requirement.id === except?.id ? except.status : 'met'
      const saved = await asMaker(
        'PATCH',
        acmePath(`/${assessment.id}/answers/${requirement.id}`),
        {
          data: { status, explanation: `How ${requirement.id} is met` },
        },
      )
      expect(saved.statusCode, saved.body).toBe(200)
    }
  }

  async function acceptAll(reviewId: string, requirementIds: string[]) {
    for (const id of requirementIds) {
      const recorded = await asLab('PUT', labPath(`/${reviewId}/verdicts/${id}`), {
        verdict: 'accepted',
        finding: `Evidence for ${id} reviewed`,
      })
      expect(recorded.statusCode, recorded.body).toBe(200)
    }
  }

  const notificationsOf = async (as: ReturnType<typeof asUser>) =>
    (await as('GET', '/api/v1/notifications')).json<NotificationList>()

  it('runs the whole loop, audits and notifies both sides, and issues a verifiable label', async () => {
    const assessment = await start(productId, versionId)
    const tier2 = assessment.requirements.find((r) => r.tier === 2)!
    const tier1Ids = assessment.requirements.filter((r) => r.tier === 1).map((r) => r.id)
    const allIds = assessment.requirements.map((r) => r.id)

    // Incomplete: the open requirement ids are listed.
    const incomplete = await asMaker('POST', acmePath(`/${assessment.id}/reviews`), {
      assessorOrganisationId: lab,
    })
    expect(incomplete.statusCode).toBe(409)
    expect(incomplete.json().error.details.openRequirements).toEqual(allIds)

    await answerAll(assessment, { id: tier2.id, status: 'partially-met' })
    const assessors = await asMaker('GET', '/api/v1/assessors')
    expect(assessors.json<{ name: string }[]>().map((a) => a.name)).toEqual([
      'Other Lab',
      'Trusted Lab',
    ])

    // Submit.
    const submitted = await asMaker('POST', acmePath(`/${assessment.id}/reviews`), {
      assessorOrganisationId: lab,
      message: 'Please review our gateway',
    })
    expect(submitted.statusCode, submitted.body).toBe(201)
    const review = submitted.json<Review>()
    expect(review).toMatchObject({ status: 'submitted', round: 1, assessorName: 'Trusted Lab' })

    // Frozen for the manufacturer: answers and files.
    const frozen = await asMaker('PATCH', acmePath(`/${assessment.id}/answers/${tier2.id}`), {
      data: { status: 'met' },
    })
    expect(frozen.statusCode).toBe(409)
    expect(frozen.json().error.message).toMatch(/with its assessor/)
    const upload = await t.app.inject({
      method: 'POST',
      url: acmePath(`/${assessment.id}/answers/${tier2.id}/files`),
      headers: {
        ...(await sessionHeaders('mia@acme.test')),
        'content-type': 'application/octet-stream',
        'x-file-name': 'note.pdf',
      },
      payload: PDF,
    })
    expect(upload.statusCode).toBe(409)
    const again = await asMaker('POST', acmePath(`/${assessment.id}/reviews`), {
      assessorOrganisationId: otherLab,
    })
    expect(again.statusCode).toBe(409)
    expect((await asMaker('GET', acmePath(`/${assessment.id}`))).json()).toMatchObject({
      reviewStatus: 'submitted',
      labelId: null,
    })

    // The assessor sees it with the answers and the gap report; others do not.
    const listed = await asLab('GET', labPath())
    expect(listed.json<ReviewSummary[]>().map((r) => r.id)).toEqual([review.id])
    const detail = (await asLab('GET', labPath(`/${review.id}`))).json<ReviewDetail>()
    expect(detail.assessment.requirements.find((r) => r.id === tier2.id)?.answer.status).toBe(
      'partially-met',
    )
    expect(detail.gapReport.tierReached).toBe(1)

    // Verdicts; tier 2 cannot be granted while the answers reach tier 1 only.
    await acceptAll(review.id, tier1Ids)
    const needsInfo = await asLab('PUT', labPath(`/${review.id}/verdicts/${tier2.id}`), {
      verdict: 'needs-info',
      finding: 'Only partly met: how are updates signed?',
    })
    expect(needsInfo.statusCode).toBe(200)
    const tooHigh = await asLab('POST', labPath(`/${review.id}/approve`), {
      tierGranted: 2,
      verificationStrength: 'document-reviewed',
    })
    expect(tooHigh.statusCode).toBe(400)
    expect(tooHigh.json().error.details).toEqual([
      { in: 'body', pointer: '/tierGranted', message: 'must be at most 1' },
    ])

    // Request changes: back to the manufacturer, answers unfreeze.
    const changes = await asLab('POST', labPath(`/${review.id}/request-changes`), {
      message: 'Explain how updates are signed.',
    })
    expect(changes.statusCode, changes.body).toBe(200)
    expect(changes.json<Review>()).toMatchObject({
      status: 'changes-requested',
      message: 'Explain how updates are signed.',
    })
    const lateVerdict = await asLab('PUT', labPath(`/${review.id}/verdicts/${tier2.id}`), {
      verdict: 'accepted',
    })
    expect(lateVerdict.statusCode).toBe(409)
    const mine = (await asMaker('GET', acmePath(`/${assessment.id}/reviews`))).json<Review[]>()
    expect(mine[0]!.verdicts).toContainEqual(
      expect.objectContaining({ requirementId: tier2.id, verdict: 'needs-info' }),
    )
    const fixed = await asMaker('PATCH', acmePath(`/${assessment.id}/answers/${tier2.id}`), {
      data: { status: 'met', explanation: 'Updates are signed with Ed25519' },
    })
    expect(fixed.statusCode, fixed.body).toBe(200)

    // Resubmit.
    const resubmitted = await asMaker(
      'POST',
      acmePath(`/${assessment.id}/reviews/${review.id}/resubmit`),
      { message: 'Added the signing explanation' },
    )
    expect(resubmitted.statusCode, resubmitted.body).toBe(200)
    expect(resubmitted.json<Review>()).toMatchObject({ status: 'submitted', round: 2 })
    expect(
      (await asMaker('PATCH', acmePath(`/${assessment.id}/answers/${tier2.id}`), { data: {} }))
        .statusCode,
    ).toBe(409)

    // Approval needs every tier-2 requirement accepted, and no more than the gap report.
    const notAccepted = await asLab('POST', labPath(`/${review.id}/approve`), {
      tierGranted: 2,
      verificationStrength: 'document-reviewed',
    })
    expect(notAccepted.statusCode).toBe(409)
    expect(notAccepted.json().error.message).toContain(`${tier2.id} (needs-info)`)
    await acceptAll(
      review.id,
      assessment.requirements.filter((r) => r.tier === 2).map((r) => r.id),
    )
    const aboveGap = await asLab('POST', labPath(`/${review.id}/approve`), {
      tierGranted: 3,
      verificationStrength: 'lab-tested',
    })
    expect(aboveGap.statusCode).toBe(400)
    expect(aboveGap.json().error.message).toMatch(/support tier 2 at most/)
    expect(await t.ctx.db.selectFrom('labels').selectAll().execute()).toEqual([])

    const tooWeak = await asLab('POST', labPath(`/${review.id}/approve`), {
      tierGranted: 2,
      verificationStrength: 'self-declared',
    })
    expect(tooWeak.statusCode).toBe(400)
    expect(tooWeak.json().error.details).toEqual([
      {
        in: 'body',
        pointer: '/verificationStrength',
        message: 'must be at least document-reviewed',
      },
    ])
    const viewerApproves = await asLabViewer('POST', labPath(`/${review.id}/approve`), {
      tierGranted: 2,
      verificationStrength: 'document-reviewed',
    })
    expect(viewerApproves.statusCode).toBe(403)

    const approved = await asLab('POST', labPath(`/${review.id}/approve`), {
      tierGranted: 2,
      verificationStrength: 'document-reviewed',
      message: 'Well documented.',
    })
    expect(approved.statusCode, approved.body).toBe(200)
    const final = approved.json<Review>()
    expect(final).toMatchObject({
      status: 'approved',
      tierGranted: 2,
      verificationStrength: 'document-reviewed',
      labelId: expect.any(String),
    })
    const after = (await asMaker('GET', acmePath(`/${assessment.id}`))).json<Assessment>()
    expect(after).toMatchObject({ reviewStatus: 'approved', labelId: final.labelId })
    const stillFrozen = await asMaker('PATCH', acmePath(`/${assessment.id}/answers/${tier2.id}`), {
      data: { status: 'not-met' },
    })
    expect(stillFrozen.statusCode).toBe(409)

    // The label: built from the product, version, assessment and assessor; it verifies.
    const label = (await t.app.inject({ url: `/api/v1/labels/${final.labelId}` })).json<Label>()
    expect(label.record).toMatchObject({
      tier: 2,
      frameworkVersion: assessment.frameworkVersion,
      profile: 'gateway',
      verificationStrength: 'document-reviewed',
      assessor: { id: lab, name: 'Trusted Lab' },
      product: {
        productId,
        productVersionId: versionId,
        manufacturer: { id: acme, name: 'Acme' },
        name: 'Edge Gateway',
        version: '1.0.0',
        supportPeriodEnd: '2030-12-31',
        defaultPasswordPolicy: 'set-on-first-use',
        securityContact: 'psirt@acme.test',
        sbomAvailable: true,
        secureSetupGuidanceUrl: 'https://acme.test/hardening',
      },
    })
    const { keys, statusLists } = await offlineMaterial(t.ctx)
    const verified = await verifyLabel(label.jws, {
      jwks: keys,
      statusLists,
      now: t.clock.now(),
    })
    expect(verified).toMatchObject({ valid: true, status: 'active', labelId: final.labelId })

    // Audit: every transition, in order, in the acting organisation's log.
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'organisation_id'])
      .where('target_id', '=', review.id)
      .where('action', 'not like', 'review.verdict%')
      .orderBy('seq')
      .execute()
    expect(audit).toEqual([
      { action: 'review.submitted', organisation_id: acme },
      { action: 'review.changes_requested', organisation_id: lab },
      { action: 'review.resubmitted', organisation_id: acme },
      { action: 'review.approved', organisation_id: lab },
    ])
    const labelAudit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'label.issued')
      .execute()
    expect(labelAudit).toHaveLength(1)

    // Notifications to both sides, with links to each side's page.
    const makerNotes = await notificationsOf(asMaker)
    const labNotes = await notificationsOf(asLab)
    const kinds = [
      'review.approved',
      'review.resubmitted',
      'review.changes_requested',
      'review.submitted',
    ]
    expect(makerNotes.items.map((n) => n.kind)).toEqual(kinds)
    expect(labNotes.items.map((n) => n.kind)).toEqual(kinds)
    expect(makerNotes.unread).toBe(4)
    expect(makerNotes.items[0]!.link).toBe(`/assessments/${acme}/${assessment.id}`)
    expect(labNotes.items[0]!.link).toBe(`/reviews/${lab}/${review.id}`)
    expect(labNotes.items[2]!.text).toContain('Explain how updates are signed.')
    // Other organisations hear nothing.
    expect((await notificationsOf(asOtherLab)).items).toEqual([])
    expect((await notificationsOf(asBoltMaker)).items).toEqual([])

    // Mark read: one, then all; someone else's notification is not found.
    const first = makerNotes.items[0]!
    expect((await asOtherLab('POST', `/api/v1/notifications/${first.id}/read`)).statusCode).toBe(
      404,
    )
    const read = await asMaker('POST', `/api/v1/notifications/${first.id}/read`)
    expect(read.statusCode).toBe(200)
    expect(read.json().readAt).toEqual(expect.any(String))
    expect((await notificationsOf(asMaker)).unread).toBe(3)
    expect((await notificationsOf(asLab)).unread).toBe(4)
    const all = await asMaker('POST', '/api/v1/notifications/read-all')
    expect(all.json()).toEqual({ marked: 3 })
    expect((await notificationsOf(asMaker)).unread).toBe(0)

    // The assessor of record suspends and reinstates its label; no one else may.
    const labelUrl = (org: string, action: string) =>
      `/api/v1/organisations/${org}/labels/${final.labelId}/${action}`
    const reason = { reason: 'Vulnerability under investigation' }
    expect((await asOtherLab('POST', labelUrl(otherLab, 'suspend'), reason)).statusCode).toBe(404)
    expect((await asLabViewer('POST', labelUrl(lab, 'suspend'), reason)).statusCode).toBe(403)
    expect((await asMaker('POST', labelUrl(acme, 'suspend'), reason)).statusCode).toBe(404)
    const suspended = await asLab('POST', labelUrl(lab, 'suspend'), reason)
    expect(suspended.statusCode, suspended.body).toBe(200)
    expect(suspended.json<Label>()).toMatchObject({
      status: 'suspended',
      statusReason: reason.reason,
    })
    const offline = await offlineMaterial(t.ctx)
    expect(
      await verifyLabel(label.jws, {
        jwks: offline.keys,
        statusLists: offline.statusLists,
        now: t.clock.now(),
      }),
    ).toMatchObject({ valid: false, status: 'suspended' })
    expect((await notificationsOf(asMaker)).items[0]).toMatchObject({
      kind: 'label.suspended',
      text: expect.stringContaining('Vulnerability under investigation'),
    })
    const reinstated = await asLab('POST', labelUrl(lab, 'reinstate'), { reason: 'Fixed in 1.0.1' })
    expect(reinstated.json<Label>().status).toBe('active')
    const labelChanges = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', final.labelId)
      .orderBy('seq')
      .execute()
    expect(labelChanges.map((a) => a.action)).toEqual([
      'label.issued',
      'label.suspended',
      'label.reinstated',
    ])
  })

  async function sessionHeaders(email: string) {
    const session = await signInOverHttp(t.app, email)
    return { cookie: session.cookie, 'x-csrf-token': session.csrf }
  }

  it('refuses unaccredited assessors, non-assessors and other organisations', async () => {
    const assessment = await start(productId, versionId)
    await answerAll(assessment)
    const submit = (as: ReturnType<typeof asUser>, assessorOrganisationId: string, org = acme) =>
      as('POST', `/api/v1/organisations/${org}/assessments/${assessment.id}/reviews`, {
        assessorOrganisationId,
      })
    const notAccredited = await submit(asMaker, unaccredited)
    expect(notAccredited.statusCode).toBe(409)
    expect(notAccredited.json().error.message).toBe(
      'New Lab is not accredited by the network; submit to an accredited assessor.',
    )
    const notAssessor = await submit(asMaker, operator)
    expect(notAssessor.statusCode).toBe(409)
    expect(notAssessor.json().error.message).toMatch(/not an assessor organisation/)
    expect((await submit(asMaker, '0b6f7c1e-5d2a-4c1b-9a37-1f0e2d3c4b5a')).statusCode).toBe(404)
    // Another manufacturer: not a member of Acme, and the assessment is not Bolt's.
    expect((await submit(asBoltMaker, lab)).statusCode).toBe(403)
    expect((await submit(asBoltMaker, lab, bolt)).statusCode).toBe(404)
    // An assessor cannot submit the manufacturer's assessment.
    expect((await submit(asLab, lab)).statusCode).toBe(403)
    expect(
      await t.ctx.db
        .selectFrom('reviews')
        .select('id')
        .where('assessment_id', '=', assessment.id)
        .execute(),
    ).toEqual([])
  })

  it('keeps each assessor to the submissions addressed to it', async () => {
    const assessment = await start(productId, versionId)
    await answerAll(assessment)
    const submitted = await asMaker('POST', acmePath(`/${assessment.id}/reviews`), {
      assessorOrganisationId: otherLab,
    })
    expect(submitted.statusCode, submitted.body).toBe(201)
    const reviewId = submitted.json<Review>().id
    // Trusted Lab neither lists nor opens nor acts on Other Lab's review.
    expect((await asLab('GET', labPath())).json<ReviewSummary[]>().map((r) => r.id)).not.toContain(
      reviewId,
    )
    expect((await asLab('GET', labPath(`/${reviewId}`))).statusCode).toBe(404)
    const foreign = await asLab(
      'PUT',
      labPath(`/${reviewId}/verdicts/${assessment.requirements[0]!.id}`),
      {
        verdict: 'rejected',
      },
    )
    expect(foreign.statusCode).toBe(404)
    expect(
      (await asLab('POST', labPath(`/${reviewId}/request-changes`), { message: 'No' })).statusCode,
    ).toBe(404)
    // Nor through its own organisation path with Other Lab's id: not a member.
    expect(
      (await asLab('GET', `/api/v1/organisations/${otherLab}/reviews/${reviewId}`)).statusCode,
    ).toBe(403)
    // The manufacturer cannot act as the assessor of its own submission.
    expect(
      (await asMaker('GET', `/api/v1/organisations/${acme}/reviews/${reviewId}`)).statusCode,
    ).toBe(404)
    // Other Lab sees it, with the evidence files of the assessment.
    const detail = await asOtherLab('GET', `/api/v1/organisations/${otherLab}/reviews/${reviewId}`)
    expect(detail.statusCode).toBe(200)
    expect(detail.json<ReviewDetail>().gapReport).toMatchObject<Partial<GapReport>>({
      tierReached: 2,
    })

    // Withdrawal unfreezes the answers and notifies both sides.
    const withdrawn = await asMaker(
      'POST',
      acmePath(`/${assessment.id}/reviews/${reviewId}/withdraw`),
    )
    expect(withdrawn.statusCode, withdrawn.body).toBe(200)
    expect(withdrawn.json<Review>().status).toBe('withdrawn')
    const edited = await asMaker(
      'PATCH',
      acmePath(`/${assessment.id}/answers/${assessment.requirements[0]!.id}`),
      { data: { explanation: 'Reworded' } },
    )
    expect(edited.statusCode).toBe(200)
    expect((await notificationsOf(asOtherLab)).items[0]).toMatchObject({
      kind: 'review.withdrawn',
      link: `/reviews/${otherLab}/${reviewId}`,
    })
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', reviewId)
      .orderBy('seq')
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['review.submitted', 'review.withdrawn'])
  })

  it('refuses approval while the product lacks registry fields, and issues nothing', async () => {
    const assessment = await start(bareProductId, bareVersionId)
    await answerAll(assessment)
    const submitted = await asMaker('POST', acmePath(`/${assessment.id}/reviews`), {
      assessorOrganisationId: lab,
    })
    const reviewId = submitted.json<Review>().id
    await acceptAll(
      reviewId,
      assessment.requirements.map((r) => r.id),
    )
    const labels = async () => (await t.ctx.db.selectFrom('labels').select('id').execute()).length
    const before = await labels()
    const refused = await asLab('POST', labPath(`/${reviewId}/approve`), {
      tierGranted: 1,
      verificationStrength: 'self-declared',
    })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().error.details).toEqual({ missingRegistryFields: ['secureSetupUrl'] })
    expect(refused.json().error.message).toContain('secureSetupUrl')
    expect(await labels()).toBe(before)
    const review = (await asLab('GET', labPath(`/${reviewId}`))).json<ReviewDetail>()
    expect(review).toMatchObject({ status: 'submitted', labelId: null })
  })

  it('rolls the whole approval back when the label cannot be issued', async () => {
    const version = await asMaker(
      'POST',
      `/api/v1/organisations/${acme}/products/${productId}/versions`,
      {
        version: '0.9.0',
        releaseDate: '2026-01-01',
        supportPeriodEnd: '2026-02-01',
      },
    )
    expect(version.statusCode, version.body).toBe(201)
    const assessment = await start(productId, version.json<{ id: string }>().id)
    await answerAll(assessment)
    const reviewId = (
      await asMaker('POST', acmePath(`/${assessment.id}/reviews`), { assessorOrganisationId: lab })
    ).json<Review>().id
    await acceptAll(
      reviewId,
      assessment.requirements.map((r) => r.id),
    )
    const count = async (table: 'labels' | 'notifications' | 'audit_log') =>
      Number(
        (
          await t.ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const before = [await count('labels'), await count('notifications'), await count('audit_log')]
    const refused = await asLab('POST', labPath(`/${reviewId}/approve`), {
      tierGranted: 2,
      verificationStrength: 'lab-tested',
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().error.message).toMatch(/support period/)
    expect([await count('labels'), await count('notifications'), await count('audit_log')]).toEqual(
      before,
    )
    const review = (await asLab('GET', labPath(`/${reviewId}`))).json<ReviewDetail>()
    expect(review).toMatchObject({ status: 'submitted', labelId: null })
    expect(review.assessment).toMatchObject({ reviewStatus: 'submitted', labelId: null })
  })
})
