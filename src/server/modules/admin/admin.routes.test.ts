import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OrganisationRole, OrganisationType } from '../../../common/organisations.ts'
import { newId } from '../../kernel/crypto.ts'
import {
  asUser,
  createAdmin,
  createOrganisationOverHttp,
  createTestApp,
  joinOverHttp,
  signInOverHttp,
  TEST_PASSWORD,
  type Session,
  type TestContext,
} from '../../testing/test-app.ts'

interface AuditEntry {
  seq: number
  action: string
  actorId: string | null
  organisationId: string | null
}

describe('network administration over HTTP', () => {
  let t: TestContext
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>

  beforeEach(async () => {
    t = await createTestApp()
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
  })
  afterEach(async () => t.close())

  const createOrg = async (name: string, type: OrganisationType) =>
    (await createOrganisationOverHttp(asAdmin, name, type)).id
  const join = (orgId: string, email: string, role: OrganisationRole) =>
    joinOverHttp(t.app, admin, orgId, email, role)

  async function audit(query: string) {
    const response = await asAdmin('GET', `/api/v1/admin/audit${query}`)
    expect(response.statusCode).toBe(200)
    return response.json<{ entries: AuditEntry[]; nextBefore: number | null }>()
  }

  it('is for network administrators only', async () => {
    const org = await createOrg('Acme', 'manufacturer')
    const owner = await join(org, 'olivia@acme.test', 'owner')
    for (const [method, url] of [
      ['GET', '/api/v1/admin/organisations'],
      ['POST', `/api/v1/admin/organisations/${org}/accreditation`],
      ['GET', '/api/v1/admin/users'],
      ['PATCH', `/api/v1/admin/users/${owner.userId}`],
      ['GET', '/api/v1/admin/audit'],
      ['GET', '/api/v1/admin/audit/verify'],
      ['GET', '/api/v1/admin/settings'],
      ['PATCH', '/api/v1/admin/settings'],
    ] as const) {
      const response = await asUser(t.app, owner)(method, url, method === 'GET' ? undefined : {})
      expect({ url, status: response.statusCode, error: response.json().error }).toEqual({
        url,
        status: 403,
        error: { code: 'forbidden', message: 'Only network administrators can do this.' },
      })
    }
  })

  describe('organisations', () => {
    it('lists, searches and filters every organisation with its member count', async () => {
      const labs = await createOrg('Cobalt Labs', 'assessor')
      await createOrg('Acme Test Labs', 'assessor')
      await createOrg('Bolt Manufacturing', 'manufacturer')
      await createOrg('100% Safe_Ops', 'operator')
      await join(labs, 'lena@cobalt.test', 'member')
      const names = async (query: string) =>
        (await asAdmin('GET', `/api/v1/admin/organisations${query}`))
          .json<{ name: string }[]>()
          .map((o) => o.name)

      const all = await asAdmin('GET', '/api/v1/admin/organisations')
      expect(all.json()).toEqual([
        expect.objectContaining({ name: '100% Safe_Ops', type: 'operator', memberCount: 1 }),
        expect.objectContaining({ name: 'Acme Test Labs', memberCount: 1 }),
        expect.objectContaining({ name: 'Bolt Manufacturing', memberCount: 1 }),
        expect.objectContaining({ id: labs, name: 'Cobalt Labs', memberCount: 2 }),
      ])
      expect(await names('?query=LABS')).toEqual(['Acme Test Labs', 'Cobalt Labs'])
      expect(await names('?type=manufacturer')).toEqual(['Bolt Manufacturing'])
      expect(await names('?query=acme&type=assessor')).toEqual(['Acme Test Labs'])
      expect(await names('?query=acme&type=operator')).toEqual([])
      // LIKE wildcards in a search are plain characters.
      expect(await names('?query=%25')).toEqual(['100% Safe_Ops'])
      expect(await names('?query=_')).toEqual(['100% Safe_Ops'])

      const badType = await asAdmin('GET', '/api/v1/admin/organisations?type=bakery')
      expect(badType.statusCode).toBe(400)
      expect(badType.json().error.details).toEqual([
        expect.objectContaining({ in: 'querystring', pointer: '/type' }),
      ])
    })

    it('accredits an assessor, refuses other types and withdraws the accreditation', async () => {
      const lab = await createOrg('Cobalt Labs', 'assessor')
      const maker = await createOrg('Bolt Manufacturing', 'manufacturer')
      const url = (id: string) => `/api/v1/admin/organisations/${id}/accreditation`

      t.clock.advance(1000)
      const accredited = await asAdmin('POST', url(lab), { note: 'ISO/IEC 17025, scope IEC 62443' })
      expect(accredited.statusCode).toBe(200)
      expect(accredited.json()).toMatchObject({
        id: lab,
        accreditedAt: '2026-06-01T08:00:01.000Z',
        accreditationNote: 'ISO/IEC 17025, scope IEC 62443',
      })
      const notAssessor = await asAdmin('POST', url(maker), { note: 'please' })
      expect(notAssessor.statusCode).toBe(409)
      expect(notAssessor.json().error).toEqual({
        code: 'conflict',
        message: 'Only assessor organisations can be accredited.',
      })
      expect((await asAdmin('POST', url(newId()), { note: 'x' })).statusCode).toBe(404)
      const emptyNote = await asAdmin('POST', url(lab), { note: '' })
      expect(emptyNote.statusCode).toBe(400)

      const withdrawn = await asAdmin('DELETE', url(lab))
      expect(withdrawn.statusCode).toBe(200)
      expect(withdrawn.json()).toMatchObject({ accreditedAt: null, accreditationNote: null })

      const trail = await audit(`?organisationId=${lab}&action=organisation.`)
      expect(trail.entries.map((e) => e.action)).toEqual([
        'organisation.accreditation_withdrawn',
        'organisation.accredited',
        'organisation.created',
      ])
    })
  })

  describe('users', () => {
    it('lists and searches accounts with their organisation counts', async () => {
      const a = await createOrg('Acme', 'manufacturer')
      const b = await createOrg('Bolt', 'operator')
      await join(a, 'mia@acme.test', 'member')
      const ben = await join(b, 'ben@bolt.test', 'viewer')
      await asAdmin('POST', `/api/v1/organisations/${a}/invitations`, {
        email: 'ben@bolt.test',
        role: 'viewer',
      })
      const users = await asAdmin('GET', '/api/v1/admin/users')
      expect(users.json()).toEqual([
        expect.objectContaining({
          email: 'admin@network.test',
          isNetworkAdmin: true,
          disabled: false,
          organisationCount: 2,
        }),
        expect.objectContaining({ id: ben.userId, email: 'ben@bolt.test', organisationCount: 1 }),
        expect.objectContaining({ email: 'mia@acme.test', isNetworkAdmin: false }),
      ])
      const found = await asAdmin('GET', '/api/v1/admin/users?query=BOLT')
      expect(found.json().map((u: { email: string }) => u.email)).toEqual(['ben@bolt.test'])
      expect(users.body).not.toMatch(/password|totp_secret|argon2/i)
    })

    it('grants and withdraws network administration, but never from the last administrator', async () => {
      const org = await createOrg('Acme', 'manufacturer')
      const mia = await join(org, 'mia@acme.test', 'member')
      const url = (id: string) => `/api/v1/admin/users/${id}`

      const last = await asAdmin('PATCH', url(admin.userId), { data: { isNetworkAdmin: false } })
      expect(last.statusCode).toBe(409)
      expect(last.json().error).toEqual({
        code: 'conflict',
        message: 'This is the last network administrator; make someone else one first.',
      })

      const granted = await asAdmin('PATCH', url(mia.userId), { data: { isNetworkAdmin: true } })
      expect(granted.statusCode).toBe(200)
      expect(granted.json()).toMatchObject({ email: 'mia@acme.test', isNetworkAdmin: true })
      const asMia = asUser(t.app, mia)
      expect((await asMia('GET', '/api/v1/admin/users')).statusCode).toBe(200)

      const selfDisable = await asMia('PATCH', url(mia.userId), { data: { disabled: true } })
      expect(selfDisable.statusCode).toBe(409)
      expect(selfDisable.json().error.message).toBe('You cannot disable your own account.')

      const stepDown = await asAdmin('PATCH', url(admin.userId), {
        data: { isNetworkAdmin: false },
      })
      expect(stepDown.statusCode).toBe(200)
      expect((await asAdmin('GET', '/api/v1/admin/users')).statusCode).toBe(403)
      const miaLast = await asMia('PATCH', url(mia.userId), { data: { isNetworkAdmin: false } })
      expect(miaLast.statusCode).toBe(409)

      expect((await asMia('PATCH', url(newId()), { data: { disabled: true } })).statusCode).toBe(
        404,
      )
      const trail = (await asMia('GET', '/api/v1/admin/audit?action=user.')).json()
      expect(trail.entries.map((e: AuditEntry) => e.action)).toEqual([
        'user.network_admin_revoked',
        'user.network_admin_granted',
        'user.created',
      ])
    })

    it('disables an account, ending its sessions, and enables it again', async () => {
      const org = await createOrg('Acme', 'manufacturer')
      const mia = await join(org, 'mia@acme.test', 'member')
      const second = await signInOverHttp(t.app, 'mia@acme.test')
      const url = `/api/v1/admin/users/${mia.userId}`

      const disabled = await asAdmin('PATCH', url, { data: { disabled: true } })
      expect(disabled.statusCode).toBe(200)
      expect(disabled.json()).toMatchObject({ disabled: true })
      for (const session of [mia, second]) {
        const response = await asUser(t.app, session)('GET', '/api/v1/auth/session')
        expect(response.statusCode).toBe(401)
        expect(response.json().error.code).toBe('unauthorized')
      }
      const signIn = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: 'mia@acme.test', password: TEST_PASSWORD },
      })
      expect(signIn.statusCode).toBe(401)
      expect(signIn.json().error.code).toBe('invalid_credentials')
      const sessions = await t.ctx.db
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', mia.userId)
        .execute()
      expect(sessions).toEqual([])

      expect((await asAdmin('PATCH', url, { data: { disabled: false } })).json().disabled).toBe(
        false,
      )
      await signInOverHttp(t.app, 'mia@acme.test')
    })
  })

  describe('the audit log', () => {
    it('filters by action family, actor and organisation, and pages with before/limit', async () => {
      const a = await createOrg('Acme', 'manufacturer')
      const b = await createOrg('Bolt', 'operator')
      const mia = await join(a, 'mia@acme.test', 'member')
      await signInOverHttp(t.app, 'mia@acme.test')
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: 'mia@acme.test', password: 'not the password at all' },
      })

      const sessions = await audit('?action=session.')
      expect(sessions.entries.map((e) => e.action)).toEqual([
        'session.created',
        'session.created',
        'session.created',
      ])
      const failures = await audit('?action=sign_in.')
      expect(failures.entries.map((e) => e.action)).toEqual(['sign_in.failed'])
      expect((await audit('?action=session')).entries).toEqual([])
      expect((await audit('?action=session.created')).entries).toHaveLength(3)

      const byMia = await audit(`?actorId=${mia.userId}`)
      expect(byMia.entries.map((e) => e.action)).toEqual([
        'session.created',
        'session.created',
        'membership.added',
        'invitation.accepted',
        'user.created',
      ])
      const ofB = await audit(`?organisationId=${b}`)
      expect(ofB.entries.map((e) => e.action)).toEqual(['membership.added', 'organisation.created'])
      expect(ofB.entries.every((e) => e.organisationId === b)).toBe(true)

      const everything = await audit('?limit=500')
      expect(everything.nextBefore).toBeNull()
      const seqs = everything.entries.map((e) => e.seq)
      expect(seqs).toEqual([...seqs].sort((x, y) => y - x))
      const paged: number[] = []
      let before: number | null = null
      do {
        const page = await audit(`?limit=3${before === null ? '' : `&before=${before}`}`)
        expect(page.entries.length).toBeLessThanOrEqual(3)
        paged.push(...page.entries.map((e) => e.seq))
        before = page.nextBefore
      } while (before !== null)
      expect(paged).toEqual(seqs)

      for (const bad of ['?limit=0', '?limit=501', '?before=0', '?from=yesterday', '?extra=1']) {
        const response = await asAdmin('GET', `/api/v1/admin/audit${bad}`)
        expect({ bad, status: response.statusCode }).toEqual({ bad, status: 400 })
        expect(response.json().error.code).toBe('validation_failed')
      }
    })

    it('verifies the chain and names a tampered entry', async () => {
      await createOrg('Acme', 'manufacturer')
      const intact = await asAdmin('GET', '/api/v1/admin/audit/verify')
      expect(intact.statusCode).toBe(200)
      const { headSeq } = intact.json<{ headSeq: number }>()
      expect(intact.json()).toEqual({ ok: true, checked: headSeq, headSeq })
      expect(headSeq).toBeGreaterThanOrEqual(4)

      await sql`update audit_log set actor_label = ${'someone@else.test'} where seq = 3`.execute(
        t.ctx.db,
      )
      const tampered = await asAdmin('GET', '/api/v1/admin/audit/verify')
      expect(tampered.statusCode).toBe(200)
      expect(tampered.json()).toEqual({
        ok: false,
        checked: 2,
        headSeq: expect.any(Number),
        broken: { seq: 3, reason: 'the entry was changed after it was written (hash mismatch)' },
      })
    })
  })

  describe('settings', () => {
    it('reads and changes the network settings, and audits the change', async () => {
      const initial = await asAdmin('GET', '/api/v1/admin/settings')
      expect(initial.json()).toEqual({ twoFactorRequiredFor: [], labelValidityMonths: 24 })
      const changed = await asAdmin('PATCH', '/api/v1/admin/settings', {
        data: { twoFactorRequiredFor: ['assessor', 'org_owner'] },
      })
      expect(changed.statusCode).toBe(200)
      expect(changed.json()).toEqual({
        twoFactorRequiredFor: ['assessor', 'org_owner'],
        labelValidityMonths: 24,
      })
      expect((await asAdmin('GET', '/api/v1/admin/settings')).json()).toEqual(changed.json())
      const validity = await asAdmin('PATCH', '/api/v1/admin/settings', {
        data: { labelValidityMonths: 30 },
      })
      expect(validity.json()).toEqual({
        twoFactorRequiredFor: ['assessor', 'org_owner'],
        labelValidityMonths: 30,
      })

      for (const data of [
        { twoFactorRequiredFor: ['nobody'] },
        { twoFactorRequiredFor: ['assessor', 'assessor'] },
        { twoFactorRequiredFor: 'everyone' },
        { labelValidityMonths: 37 },
        { labelValidityMonths: 0 },
        { labelValidityMonths: 12.5 },
        { labelValidityMonths: '24' },
      ]) {
        const bad = await asAdmin('PATCH', '/api/v1/admin/settings', { data })
        expect(bad.statusCode).toBe(400)
        expect(bad.json().error.code).toBe('validation_failed')
        const pointer = `/data/${Object.keys(data)[0]}`
        expect(bad.json().error.details).toContainEqual(
          expect.objectContaining({ in: 'body', pointer: expect.stringContaining(pointer) }),
        )
      }
      const trail = await audit('?action=settings.updated')
      expect(trail.entries).toHaveLength(2)
      expect(trail.entries[0]).toMatchObject({
        actorId: admin.userId,
        details: { before: { labelValidityMonths: 24 }, after: { labelValidityMonths: 30 } },
      })
    })
  })
})
