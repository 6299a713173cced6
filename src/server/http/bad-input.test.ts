import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TObject } from 'typebox'
import { Value } from 'typebox/value'
import {
  ChangePasswordBodySchema,
  CompleteSetupBodySchema,
  ConfirmTwoFactorBodySchema,
  DisableTwoFactorBodySchema,
  SignInBodySchema,
  TwoFactorSignInBodySchema,
  UpdateAccountBodySchema,
} from '../../common/api/accounts.ts'
import {
  AccreditBodySchema,
  UpdateSettingsBodySchema,
  UpdateUserBodySchema,
} from '../../common/api/admin.ts'
import {
  AcceptInvitationBodySchema,
  ChangeRoleBodySchema,
  CreateOrganisationBodySchema,
  CreateTokenBodySchema,
  InviteBodySchema,
  UpdateOrganisationBodySchema,
} from '../../common/api/organisations.ts'
import {
  CreateProductBodySchema,
  CreateProductVersionBodySchema,
  UpdateProductBodySchema,
  UpdateProductVersionBodySchema,
} from '../../common/api/products.ts'
import { UpdateLabelPolicyBodySchema } from '../../common/api/label-policy.ts'
import { LabelStatusChangeBodySchema, VerifyLabelBodySchema } from '../../common/api/labels.ts'
import {
  CreateAssessmentBodySchema,
  MigrateAssessmentBodySchema,
  SaveAnswerBodySchema,
} from '../../common/api/assessments.ts'
import {
  ApproveReviewBodySchema,
  RecordVerdictBodySchema,
  RequestChangesBodySchema,
  ResubmitReviewBodySchema,
  SubmitReviewBodySchema,
} from '../../common/api/reviews.ts'
import { TriageInputSchema, VexPublishInputSchema } from '../../common/api/vex.ts'
import { CreateWebhookBodySchema, UpdateWebhookBodySchema } from '../../common/api/webhooks.ts'
import { ERROR_CODES, type ErrorCode } from '../../common/errors.ts'
import type { Database } from '../db/schema.ts'
import { newId } from '../kernel/crypto.ts'
import {
  asUser,
  createAdmin,
  createTestApp,
  signInOverHttp,
  TEST_PASSWORD,
  type Session,
  type TestContext,
} from '../testing/test-app.ts'

const BODY_LIMIT = 4096
const LINK_TOKEN = 'not-a-real-token-0123456789'

/**
 * Every write route and the body it takes: its schema and a body that schema accepts (the
 * handler may still refuse it), or `null` for routes that read no body; those meet only the
 * cases a body parser decides (malformed, oversized, wrong content type). `empty` says what `{}`
 * gets where the schema has no required field.
 */
const WRITE_ROUTES: Record<
  string,
  { schema: TObject; valid: object; empty?: { status: number; code: ErrorCode } } | null
> = {
  'POST /api/v1/setup/admin': {
    schema: CompleteSetupBodySchema,
    valid: { token: LINK_TOKEN, email: 'new@x.test', displayName: 'New', password: TEST_PASSWORD },
  },
  'POST /api/v1/auth/sign-in': {
    schema: SignInBodySchema,
    valid: { email: 'admin@network.test', password: TEST_PASSWORD },
  },
  'POST /api/v1/auth/sign-in/two-factor': {
    schema: TwoFactorSignInBodySchema,
    valid: { challenge: LINK_TOKEN, code: '123456' },
  },
  'POST /api/v1/auth/sign-out': null,
  'PATCH /api/v1/account': {
    schema: UpdateAccountBodySchema,
    valid: { data: { displayName: 'A' } },
  },
  'POST /api/v1/account/password': {
    schema: ChangePasswordBodySchema,
    valid: { currentPassword: TEST_PASSWORD, newPassword: 'another long passphrase 7' },
  },
  'DELETE /api/v1/account/sessions/:sessionId': null,
  'POST /api/v1/account/sessions/sign-out-everywhere': null,
  'POST /api/v1/account/two-factor/setup': null,
  'POST /api/v1/account/two-factor/confirm': {
    schema: ConfirmTwoFactorBodySchema,
    valid: { code: '123456' },
  },
  'POST /api/v1/account/two-factor/disable': {
    schema: DisableTwoFactorBodySchema,
    valid: { password: TEST_PASSWORD, code: '123456' },
  },
  'POST /api/v1/organisations': {
    schema: CreateOrganisationBodySchema,
    valid: { name: 'Bolt', type: 'operator', website: 'https://bolt.test', country: 'NL' },
  },
  'PATCH /api/v1/organisations/:orgId': {
    schema: UpdateOrganisationBodySchema,
    valid: { data: { name: 'Acme', website: 'https://acme.test', country: 'DE' } },
  },
  'PATCH /api/v1/organisations/:orgId/members/:userId': {
    schema: ChangeRoleBodySchema,
    valid: { data: { role: 'viewer' } },
  },
  'DELETE /api/v1/organisations/:orgId/members/:userId': null,
  'DELETE /api/v1/organisations/:orgId/membership': null,
  'POST /api/v1/organisations/:orgId/invitations': {
    schema: InviteBodySchema,
    valid: { email: 'new@acme.test', role: 'member' },
  },
  'DELETE /api/v1/organisations/:orgId/invitations/:invitationId': null,
  'POST /api/v1/invitations/:token/accept': {
    schema: AcceptInvitationBodySchema,
    valid: { displayName: 'New', password: TEST_PASSWORD },
    // Both fields are optional (an existing account accepts signed in); the link decides.
    empty: { status: 410, code: 'invalid_or_expired_link' },
  },
  'POST /api/v1/organisations/:orgId/tokens': {
    schema: CreateTokenBodySchema,
    valid: { name: 'ci', scopes: ['organisation:read'], expiresInDays: 30 },
  },
  'DELETE /api/v1/organisations/:orgId/tokens/:tokenId': null,
  'POST /api/v1/admin/organisations/:orgId/accreditation': {
    schema: AccreditBodySchema,
    valid: { note: 'ISO/IEC 17025' },
  },
  'DELETE /api/v1/admin/organisations/:orgId/accreditation': null,
  'PATCH /api/v1/admin/users/:userId': {
    schema: UpdateUserBodySchema,
    valid: { data: { isNetworkAdmin: true, disabled: false } },
  },
  'POST /api/v1/organisations/:orgId/products': {
    schema: CreateProductBodySchema,
    valid: {
      name: 'Sensor',
      modelNumbers: ['S-1'],
      deviceClass: 'field-device',
      // At most eight leaves: the validator reports the first eight problems.
      supportPeriodEnd: '2030-12-31',
      updateMechanism: 'automatic',
      securityContactUrl: 'https://acme.test/psirt',
      sbomAvailability: 'available-on-request',
      sensors: ['temperature'],
    },
  },
  'PATCH /api/v1/organisations/:orgId/products/:productId': {
    schema: UpdateProductBodySchema,
    valid: { data: { name: 'Sensor 2', supportPeriodEnd: null, sensors: ['humidity'] } },
  },
  'DELETE /api/v1/organisations/:orgId/products/:productId': null,
  'POST /api/v1/organisations/:orgId/products/:productId/archive': null,
  'POST /api/v1/organisations/:orgId/products/:productId/restore': null,
  'POST /api/v1/organisations/:orgId/products/:productId/versions': {
    schema: CreateProductVersionBodySchema,
    valid: { version: '1.0.0', releaseDate: '2026-05-01', supportPeriodEnd: '2031-05-01' },
  },
  'PATCH /api/v1/organisations/:orgId/products/:productId/versions/:versionId': {
    schema: UpdateProductVersionBodySchema,
    valid: { data: { releaseDate: '2026-05-02', notes: 'Fixes' } },
  },
  'PATCH /api/v1/admin/settings': {
    schema: UpdateSettingsBodySchema,
    valid: { data: { twoFactorRequiredFor: ['assessor'] } },
  },
  'PUT /api/v1/admin/label-policy': {
    schema: UpdateLabelPolicyBodySchema,
    valid: {
      data: {
        enabled: true,
        kevSuspendAfterDays: 14,
        criticalWarningAfterDays: 30,
        minConfidence: 'medium',
      },
    },
  },
  'POST /api/v1/labels/verify': {
    schema: VerifyLabelBodySchema,
    valid: { label: 'eyJhbGciOiJFZERTQSJ9.e30.c2ln' },
  },
  'POST /api/v1/labels/:labelId/suspend': {
    schema: LabelStatusChangeBodySchema,
    valid: { reason: 'Under investigation' },
  },
  'POST /api/v1/labels/:labelId/reinstate': {
    schema: LabelStatusChangeBodySchema,
    valid: { reason: 'Cleared' },
  },
  'POST /api/v1/labels/:labelId/revoke': {
    schema: LabelStatusChangeBodySchema,
    valid: { reason: 'Withdrawn' },
  },
  'POST /api/v1/admin/label-keys/rotate': null,
  'POST /api/v1/admin/advisory-imports': null,
  'POST /api/v1/organisations/:orgId/assessments': {
    schema: CreateAssessmentBodySchema,
    valid: {
      productId: '0b6f7c1e-5d2a-4c1b-9a37-1f0e2d3c4b5a',
      productVersionId: '1c7f8d2e-6e3b-4d2c-8b48-2f1e3d4c5b6a',
      targetTier: 2,
    },
  },
  'PATCH /api/v1/organisations/:orgId/assessments/:assessmentId/answers/:requirementId': {
    schema: SaveAnswerBodySchema,
    valid: { data: { status: 'met', explanation: 'Per-device passwords' }, revision: 1 },
  },
  // The body is the file itself; JSON, forms and XML are refused like everywhere else.
  'POST /api/v1/organisations/:orgId/assessments/:assessmentId/answers/:requirementId/files': null,
  'DELETE /api/v1/organisations/:orgId/assessments/:assessmentId/files/:fileId': null,
  'POST /api/v1/organisations/:orgId/assessments/:assessmentId/migrate': {
    schema: MigrateAssessmentBodySchema,
    valid: { frameworkVersion: '1.1.0' },
  },
  'POST /api/v1/organisations/:orgId/assessments/:assessmentId/reviews': {
    schema: SubmitReviewBodySchema,
    valid: { assessorOrganisationId: '0b6f7c1e-5d2a-4c1b-9a37-1f0e2d3c4b5a', message: 'Please' },
  },
  'POST /api/v1/organisations/:orgId/assessments/:assessmentId/reviews/:reviewId/resubmit': {
    schema: ResubmitReviewBodySchema,
    valid: { message: 'Fixed the update policy' },
    // The message is optional; the review decides.
    empty: { status: 404, code: 'not_found' },
  },
  'POST /api/v1/organisations/:orgId/assessments/:assessmentId/reviews/:reviewId/withdraw': null,
  'PUT /api/v1/organisations/:orgId/reviews/:reviewId/verdicts/:requirementId': {
    schema: RecordVerdictBodySchema,
    valid: { verdict: 'accepted', finding: 'Design note reviewed' },
  },
  'POST /api/v1/organisations/:orgId/reviews/:reviewId/request-changes': {
    schema: RequestChangesBodySchema,
    valid: { message: 'Add the update policy' },
  },
  'POST /api/v1/organisations/:orgId/reviews/:reviewId/approve': {
    schema: ApproveReviewBodySchema,
    valid: { tierGranted: 2, verificationStrength: 'document-reviewed' },
  },
  'POST /api/v1/organisations/:orgId/labels/:labelId/suspend': {
    schema: LabelStatusChangeBodySchema,
    valid: { reason: 'Under investigation' },
  },
  'POST /api/v1/organisations/:orgId/labels/:labelId/reinstate': {
    schema: LabelStatusChangeBodySchema,
    valid: { reason: 'Cleared' },
  },
  'POST /api/v1/organisations/:orgId/labels/:labelId/revoke': {
    schema: LabelStatusChangeBodySchema,
    valid: { reason: 'Withdrawn' },
  },
  'POST /api/v1/notifications/:notificationId/read': null,
  'POST /api/v1/notifications/read-all': null,
  // The body is the SBOM file itself, read by the SBOM parser (FILE_BODY_ANSWERS).
  'POST /api/v1/organisations/:orgId/product-versions/:versionId/sboms': null,
  'DELETE /api/v1/organisations/:orgId/product-versions/:versionId/sboms/:sbomId': null,
  'POST /api/v1/organisations/:orgId/webhooks': {
    schema: CreateWebhookBodySchema,
    valid: { url: 'https://hooks.acme.test/isn', eventTypes: ['label.status_changed'] },
  },
  'PATCH /api/v1/organisations/:orgId/webhooks/:webhookId': {
    schema: UpdateWebhookBodySchema,
    valid: { data: { description: 'SIEM', enabled: false } },
  },
  'DELETE /api/v1/organisations/:orgId/webhooks/:webhookId': null,
  'POST /api/v1/organisations/:orgId/webhooks/:webhookId/rotate-secret': null,
  'POST /api/v1/organisations/:orgId/webhooks/:webhookId/test': null,
  // The body is the VEX file itself, read by the VEX parser (FILE_BODY_ANSWERS).
  'POST /api/v1/organisations/:orgId/product-versions/:versionId/vex': null,
  'PUT /api/v1/organisations/:orgId/product-versions/:versionId/findings/:findingId/triage': {
    schema: TriageInputSchema,
    valid: { state: 'under_investigation' },
  },
  'POST /api/v1/organisations/:orgId/product-versions/:versionId/vex/publications': {
    schema: VexPublishInputSchema,
    valid: { kind: 'csaf' },
  },
}

/**
 * Routes whose body is a file they read themselves, or that take other media types than JSON: what
 * a bad body gets there instead, where it differs (the SBOM parser answers a file that is not JSON
 * with validation_failed and its reason).
 */
const FILE_BODY_ANSWERS: Record<string, Record<string, BadRequest['expect']>> = {
  // JSON or the label itself as application/jose; any other media type is refused as such.
  'POST /api/v1/labels/verify': {
    'text/plain': { status: 400, code: 'malformed_request' },
  },
  'POST /api/v1/organisations/:orgId/product-versions/:versionId/sboms': {
    'malformed JSON': { status: 400, code: 'validation_failed' },
    'an empty JSON body': { status: 400, code: 'validation_failed' },
  },
  'POST /api/v1/organisations/:orgId/product-versions/:versionId/vex': {
    'malformed JSON': { status: 400, code: 'validation_failed' },
    'an empty JSON body': { status: 400, code: 'validation_failed' },
  },
}

/** The schema's required top-level fields. */
const requiredOf = (schema: TObject): string[] => (schema as { required?: string[] }).required ?? []

/** Every leaf of a JSON value with its pointer, the value swapped for one of another type. */
function withWrongTypes(value: unknown, pointer = ''): { body: unknown; pointers: string[] } {
  if (Array.isArray(value) || (typeof value === 'object' && value !== null)) {
    const pointers: string[] = []
    const entries = Object.entries(value).map(([key, child]) => {
      const swapped = withWrongTypes(child, `${pointer}/${key}`)
      pointers.push(...swapped.pointers)
      return [key, swapped.body] as const
    })
    const body = Array.isArray(value)
      ? entries.map(([, child]) => child)
      : Object.fromEntries(entries)
    return { body, pointers }
  }
  return { body: typeof value === 'string' ? 12345 : 'not-the-right-type', pointers: [pointer] }
}

interface BadRequest {
  name: string
  payload: string
  contentType: string
  /** What must come back; undefined: any 4xx with a stable code. */
  expect?: { status: number; code: ErrorCode; pointers?: string[] }
}

function badRequestsFor(route: (typeof WRITE_ROUTES)[string]): BadRequest[] {
  const json = 'application/json'
  const cases: BadRequest[] = [
    {
      name: 'malformed JSON',
      payload: '{"a":',
      contentType: json,
      expect: { status: 400, code: 'malformed_request' },
    },
    {
      name: 'an empty JSON body',
      payload: '',
      contentType: json,
      expect: { status: 400, code: 'malformed_request' },
    },
    {
      name: 'a body over the limit',
      payload: JSON.stringify({ a: 'x'.repeat(BODY_LIMIT) }),
      contentType: json,
      expect: { status: 413, code: 'payload_too_large' },
    },
    {
      name: 'a form post',
      payload: 'email=a%40b.test&password=x',
      contentType: 'application/x-www-form-urlencoded',
      expect: { status: 400, code: 'malformed_request' },
    },
    {
      name: 'XML',
      payload: '<email>a@b.test</email>',
      contentType: 'application/xml',
      expect: { status: 400, code: 'malformed_request' },
    },
  ]
  if (!route) return cases
  const { schema, valid, empty } = route
  const wrong = withWrongTypes(valid)
  const required = requiredOf(schema)
  cases.push(
    {
      name: 'a JSON array',
      payload: JSON.stringify([valid]),
      contentType: json,
      expect: { status: 400, code: 'validation_failed', pointers: [''] },
    },
    {
      name: 'a JSON string',
      payload: JSON.stringify('hello'),
      contentType: json,
      expect: { status: 400, code: 'validation_failed', pointers: [''] },
    },
    {
      name: 'text/plain',
      payload: JSON.stringify(valid),
      contentType: 'text/plain',
      expect: { status: 400, code: 'validation_failed', pointers: [''] },
    },
    {
      name: 'wrong types in every field',
      payload: JSON.stringify(wrong.body),
      contentType: json,
      expect: { status: 400, code: 'validation_failed', pointers: wrong.pointers },
    },
    {
      name: 'an unknown extra field',
      payload: JSON.stringify({ ...valid, isAdmin: true }),
      contentType: json,
      expect: { status: 400, code: 'validation_failed', pointers: ['/isAdmin'] },
    },
    {
      name: 'missing fields ({})',
      payload: '{}',
      contentType: json,
      expect:
        required.length > 0
          ? { status: 400, code: 'validation_failed', pointers: required.map((n) => `/${n}`) }
          : empty,
    },
  )
  return cases
}

describe('bad input on every write route', () => {
  let t: TestContext
  let superUser: Session
  let orgA: string

  beforeAll(async () => {
    t = await createTestApp({ bodyLimitBytes: BODY_LIMIT, sbomMaxBytes: BODY_LIMIT })
    await createAdmin(t.ctx)
    superUser = await signInOverHttp(t.app, 'admin@network.test')
    const created = await asUser(t.app, superUser)('POST', '/api/v1/organisations', {
      name: 'Acme',
      type: 'assessor',
    })
    orgA = created.json<{ id: string }>().id
  })
  afterAll(async () => t.close())

  async function countRows(): Promise<Record<string, number>> {
    const tables: (keyof Database)[] = [
      'users',
      'sessions',
      'login_challenges',
      'login_attempts',
      'one_time_links',
      'organisations',
      'memberships',
      'invitations',
      'api_tokens',
      'audit_log',
      'audit_head',
      'settings',
      'jobs',
      'job_schedules',
      'products',
      'product_versions',
      'label_signing_keys',
      'labels',
      'label_status_changes',
      'assessments',
      'assessment_answers',
      'evidence_blobs',
      'assessment_files',
      'reviews',
      'review_verdicts',
      'notifications',
      'sbom_documents',
      'sbom_components',
      'sbom_component_cpes',
      'webhook_endpoints',
      'webhook_deliveries',
    ]
    const counts: Record<string, number> = {}
    for (const table of tables) {
      const row = await t.ctx.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      counts[table] = Number(row.n)
    }
    return counts
  }

  it('has a row in the table for every write route, with a body its schema accepts', () => {
    const writes = t.app.registeredRoutes
      .filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'GET')
      .map((r) => `${r.method} ${r.url}`)
    expect(Object.keys(WRITE_ROUTES).sort()).toEqual([...writes].sort())
    for (const [key, route] of Object.entries(WRITE_ROUTES)) {
      if (!route) continue
      expect({ key, valid: Value.Check(route.schema, route.valid) }).toEqual({ key, valid: true })
      // Only a schema without required fields may take {}; the table must say what happens.
      expect({ key, acceptsEmpty: requiredOf(route.schema).length === 0 }).toEqual({
        key,
        acceptsEmpty: route.empty !== undefined,
      })
    }
  })

  it('answers each bad body with a 4xx and a stable code, and writes nothing', async () => {
    const before = await countRows()
    const problems: string[] = []
    let sent = 0
    for (const [key, route] of Object.entries(WRITE_ROUTES)) {
      const [method, path] = key.split(' ') as [string, string]
      const url = path.replace(/:(\w+)/g, (_, name: string) =>
        name === 'orgId' ? orgA : name === 'token' ? LINK_TOKEN : newId(),
      )
      const isPublic =
        t.app.registeredRoutes.find((r) => r.method === method && r.url === path)?.access?.kind ===
        'public'
      for (const bad of badRequestsFor(route)) {
        const response = await t.app.inject({
          method: method as 'POST',
          url,
          payload: bad.payload,
          headers: {
            'content-type': bad.contentType,
            ...(isPublic ? {} : { cookie: superUser.cookie, 'x-csrf-token': superUser.csrf }),
          },
        })
        sent += 1
        const where = `${key} with ${bad.name}`
        const error = (response.json() as { error?: { code: ErrorCode; details?: unknown } }).error
        if (response.statusCode < 400 || response.statusCode >= 500) {
          problems.push(`${where}: ${response.statusCode} ${response.body.slice(0, 200)}`)
          continue
        }
        if (!error || !ERROR_CODES.includes(error.code)) {
          problems.push(`${where}: no stable error code in ${response.body.slice(0, 200)}`)
          continue
        }
        const wanted = FILE_BODY_ANSWERS[key]?.[bad.name] ?? bad.expect
        if (!wanted) continue
        if (response.statusCode !== wanted.status || error.code !== wanted.code) {
          problems.push(
            `${where}: expected ${wanted.status} ${wanted.code}, got ${response.statusCode} ${error.code}`,
          )
          continue
        }
        if (wanted.pointers) {
          const details = (error.details ?? []) as { in?: string; pointer?: string }[]
          const pointers = details.filter((d) => d.in === 'body').map((d) => d.pointer)
          const missing = wanted.pointers.filter((p) => !pointers.includes(p))
          if (missing.length > 0 || pointers.length === 0) {
            problems.push(
              `${where}: details lack body pointers ${missing.join(', ')}: ${JSON.stringify(details)}`,
            )
          }
        }
      }
    }
    expect(problems).toEqual([])
    expect(sent).toBeGreaterThan(150)

    const after = await countRows()
    // Failed sign-ins are audited and counted by design; sessions are not ours to judge here.
    for (const table of ['audit_log', 'audit_head', 'login_attempts', 'sessions']) {
      delete before[table]
      delete after[table]
    }
    expect(after).toEqual(before)
  })

  it('refuses bad path parameters and query strings with pointers into them', async () => {
    const call = asUser(t.app, superUser)
    const org = `/api/v1/organisations/${orgA}`
    for (const [method, url, payload, part, pointer] of [
      ['PATCH', `${org}/members/not-a-uuid`, { data: { role: 'viewer' } }, 'params', '/userId'],
      ['DELETE', `${org}/tokens/123`, undefined, 'params', '/tokenId'],
      ['DELETE', `${org}/invitations/%00`, undefined, 'params', '/invitationId'],
      ['GET', '/api/v1/invitations/short', undefined, 'params', '/token'],
      ['GET', '/api/v1/admin/audit?limit=many', undefined, 'querystring', '/limit'],
      ['GET', '/api/v1/admin/audit?from=yesterday', undefined, 'querystring', '/from'],
      ['GET', '/api/v1/admin/users?unknown=1', undefined, 'querystring', '/unknown'],
      ['GET', '/api/v1/admin/organisations?type=bakery', undefined, 'querystring', '/type'],
    ] as const) {
      const response = await call(method, url, payload)
      expect({ url, status: response.statusCode, code: response.json().error.code }).toEqual({
        url,
        status: 400,
        code: 'validation_failed',
      })
      expect(response.json().error.details).toContainEqual(
        expect.objectContaining({ in: part, pointer }),
      )
    }
    // The router refuses these before any hook runs; they still get the error shape.
    for (const url of [`${org}/members/${'a'.repeat(300)}`, `${org}/members/%E0%A4%A`]) {
      const response = await call('DELETE', url)
      expect(response.statusCode).toBe(400)
      expect(response.json().error.code).toBe('malformed_request')
      expect(response.body).not.toContain('aaaa')
    }
  })

  it('names the offending field in the message and the details', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: 'not-an-email', password: TEST_PASSWORD, remember: true },
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().error).toEqual({
      code: 'validation_failed',
      message: expect.stringMatching(/^The request is invalid: body\/(email|remember) /),
      details: expect.arrayContaining([
        { in: 'body', pointer: '/email', message: expect.any(String) },
        { in: 'body', pointer: '/remember', message: 'is not an allowed field' },
      ]),
    })
    const details = response.json().error.details as { pointer: string }[]
    expect(details.filter((d) => d.pointer === '/remember')).toHaveLength(1)
  })
})
