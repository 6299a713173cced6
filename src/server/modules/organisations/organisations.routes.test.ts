import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OrganisationRole, OrganisationType } from '../../../common/organisations.ts'
import { ORGANISATION_TYPES } from '../../../common/organisations.ts'
import { JobRunner } from '../../jobs/runner.ts'
import { platformTasks } from '../../jobs/tasks.ts'
import { DAY } from '../../kernel/clock.ts'
import { newId } from '../../kernel/crypto.ts'
import { createMailer } from '../../kernel/mailer.ts'
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

const NOT_A_MEMBER = 'You are not a member of this organisation.'

/** The token at the end of an invitation link. */
function tokenOf(link: string): string {
  return new URL(link).pathname.split('/').at(-1)!
}

describe('organisations over HTTP', () => {
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

  const createOrg = (name: string, type: OrganisationType = 'manufacturer') =>
    createOrganisationOverHttp(asAdmin, name, type)

  async function invite(inviter: Session, orgId: string, email: string, role: OrganisationRole) {
    return asUser(t.app, inviter)('POST', `/api/v1/organisations/${orgId}/invitations`, {
      email,
      role,
    })
  }

  const join = (orgId: string, email: string, role: OrganisationRole, inviter = admin) =>
    joinOverHttp(t.app, inviter, orgId, email, role)

  describe('creating and reading organisations', () => {
    it('lets a network administrator create organisations of every type, as their owner', async () => {
      for (const type of ORGANISATION_TYPES) {
        const org = await createOrg(`Örg ${type} GmbH`, type)
        expect(org).toMatchObject({ type, name: `Örg ${type} GmbH`, slug: `org-${type}-gmbh` })
        const members = await asAdmin('GET', `/api/v1/organisations/${org.id}/members`)
        expect(members.json()).toEqual([
          expect.objectContaining({ email: 'admin@network.test', role: 'owner' }),
        ])
      }
      const mine = await asAdmin('GET', '/api/v1/organisations')
      expect(mine.json()).toHaveLength(ORGANISATION_TYPES.length)
      const again = await createOrg('Örg manufacturer GmbH')
      expect(again.slug).toBe('org-manufacturer-gmbh-2')
    })

    it('refuses to create organisations for anyone else', async () => {
      const org = await createOrg('Acme')
      const owner = await join(org.id, 'olivia@acme.test', 'owner')
      const refused = await asUser(t.app, owner)('POST', '/api/v1/organisations', {
        name: 'Rogue',
        type: 'manufacturer',
      })
      expect(refused.statusCode).toBe(403)
      expect(refused.json().error).toMatchObject({
        code: 'forbidden',
        message: 'Only network administrators can do this.',
      })
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/api/v1/organisations',
        payload: { name: 'Rogue', type: 'manufacturer' },
      })
      expect(anonymous.statusCode).toBe(401)
      expect(anonymous.json().error.code).toBe('unauthorized')
    })

    it('shows members and lets admins update the organisation, not members', async () => {
      const org = await createOrg('Acme')
      const member = await join(org.id, 'mia@acme.test', 'member')
      const members = await asUser(t.app, member)('GET', `/api/v1/organisations/${org.id}/members`)
      expect(members.json().map((m: { email: string; role: string }) => [m.email, m.role])).toEqual(
        [
          ['admin@network.test', 'owner'],
          ['mia@acme.test', 'member'],
        ],
      )
      const refused = await asUser(t.app, member)('PATCH', `/api/v1/organisations/${org.id}`, {
        data: { name: 'Mia Corp' },
      })
      expect(refused.statusCode).toBe(403)
      expect(refused.json().error.message).toBe(
        'This needs the admin role or above in the organisation; you are member.',
      )
      const updated = await asAdmin('PATCH', `/api/v1/organisations/${org.id}`, {
        data: { name: 'Acme Industrial', website: 'https://acme.test', country: 'DE' },
      })
      expect(updated.statusCode).toBe(200)
      expect(updated.json()).toMatchObject({
        name: 'Acme Industrial',
        website: 'https://acme.test',
        country: 'DE',
        slug: 'acme',
      })
      const mine = await asUser(t.app, member)('GET', '/api/v1/organisations')
      expect(mine.json()).toEqual([
        expect.objectContaining({ id: org.id, name: 'Acme Industrial' }),
      ])
    })
  })

  describe('invitations', () => {
    it('lets admins invite up to admin and only owners invite owners', async () => {
      const org = await createOrg('Acme')
      const orgAdmin = await join(org.id, 'adam@acme.test', 'admin')
      for (const role of ['admin', 'member', 'viewer'] as const) {
        expect((await invite(orgAdmin, org.id, `${role}-x@acme.test`, role)).statusCode).toBe(201)
      }
      const owner = await invite(orgAdmin, org.id, 'boss@acme.test', 'owner')
      expect(owner.statusCode).toBe(403)
      expect(owner.json().error).toMatchObject({
        code: 'forbidden',
        message: 'Only owners can grant, change or remove the owner role.',
      })
      expect((await invite(admin, org.id, 'boss@acme.test', 'owner')).statusCode).toBe(201)

      const member = await join(org.id, 'mia@acme.test', 'member')
      const byMember = await invite(member, org.id, 'friend@acme.test', 'viewer')
      expect(byMember.statusCode).toBe(403)
      expect(byMember.json().error.code).toBe('forbidden')
    })

    it('refuses a second pending invitation and inviting a member, whatever the case of the email', async () => {
      const org = await createOrg('Acme')
      expect((await invite(admin, org.id, 'bob@acme.test', 'member')).statusCode).toBe(201)
      const duplicate = await invite(admin, org.id, 'Bob@ACME.test', 'viewer')
      expect(duplicate.statusCode).toBe(409)
      expect(duplicate.json().error).toMatchObject({
        code: 'conflict',
        message: 'bob@acme.test already has a pending invitation; revoke it to send a new one.',
      })
      const member = await invite(admin, org.id, 'ADMIN@network.test', 'member')
      expect(member.statusCode).toBe(409)
      expect(member.json().error.message).toBe('admin@network.test is already a member of Acme.')
    })

    it('previews and accepts an invitation for a newcomer, once', async () => {
      const org = await createOrg('Acme', 'assessor')
      const invited = await invite(admin, org.id, 'nina@acme.test', 'admin')
      expect(invited.json()).toMatchObject({
        invitation: { email: 'nina@acme.test', role: 'admin', status: 'pending' },
        emailed: false,
      })
      const { link } = invited.json<{ link: string }>()
      expect(link).toMatch(/^http:\/\/isn\.test\/invitations\//)
      const token = tokenOf(link)

      const preview = await t.app.inject({ url: `/api/v1/invitations/${token}` })
      expect(preview.statusCode).toBe(200)
      expect(preview.json()).toEqual({
        organisationName: 'Acme',
        organisationType: 'assessor',
        email: 'nina@acme.test',
        role: 'admin',
        expiresAt: '2026-06-08T08:00:00.000Z',
        accountExists: false,
      })

      const accept = (payload: object) =>
        t.app.inject({ method: 'POST', url: `/api/v1/invitations/${token}/accept`, payload })
      const incomplete = await accept({})
      expect(incomplete.statusCode).toBe(400)
      expect(incomplete.json().error).toMatchObject({
        code: 'validation_failed',
        details: [
          { pointer: '/displayName', message: 'is required to create your account' },
          { pointer: '/password', message: 'is required to create your account' },
        ],
      })
      const weak = await accept({ displayName: 'Nina', password: 'password1234' })
      expect(weak.json().error.code).toBe('weak_password')

      const accepted = await accept({ displayName: 'Nina', password: TEST_PASSWORD })
      expect(accepted.statusCode).toBe(200)
      expect(accepted.json()).toEqual({ organisationId: org.id, userId: expect.any(String) })

      const nina = await signInOverHttp(t.app, 'nina@acme.test')
      expect(nina.userId).toBe(accepted.json().userId)
      const members = await asAdmin('GET', `/api/v1/organisations/${org.id}/members`)
      expect(members.json()).toContainEqual(
        expect.objectContaining({ email: 'nina@acme.test', displayName: 'Nina', role: 'admin' }),
      )
      const listed = await asAdmin('GET', `/api/v1/organisations/${org.id}/invitations`)
      expect(listed.json()).toEqual([expect.objectContaining({ status: 'accepted' })])

      for (const used of [
        await t.app.inject({ url: `/api/v1/invitations/${token}` }),
        await accept({ displayName: 'Nina', password: TEST_PASSWORD }),
      ]) {
        expect(used.statusCode).toBe(410)
        expect(used.json().error.code).toBe('invalid_or_expired_link')
      }
      const unknown = await t.app.inject({ url: '/api/v1/invitations/not-a-real-token-at-all' })
      expect(unknown.statusCode).toBe(410)
    })

    it('makes an existing account accept while signed in as the invited email', async () => {
      const a = await createOrg('Acme')
      const b = await createOrg('Bolt')
      await join(b.id, 'erin@bolt.test', 'member')
      const other = await join(b.id, 'oscar@bolt.test', 'member')
      const token = tokenOf((await invite(admin, a.id, 'erin@bolt.test', 'viewer')).json().link)

      const preview = await t.app.inject({ url: `/api/v1/invitations/${token}` })
      expect(preview.json().accountExists).toBe(true)

      const url = `/api/v1/invitations/${token}/accept`
      const anonymous = await t.app.inject({ method: 'POST', url, payload: {} })
      expect(anonymous.statusCode).toBe(401)
      expect(anonymous.json().error).toMatchObject({
        code: 'unauthorized',
        message: 'Sign in as erin@bolt.test to accept this invitation.',
      })
      // Giving a password does not stand in for signing in.
      const withPassword = await t.app.inject({
        method: 'POST',
        url,
        payload: { displayName: 'Erin', password: TEST_PASSWORD },
      })
      expect(withPassword.statusCode).toBe(401)

      const wrongPerson = await asUser(t.app, other)('POST', url, {})
      expect(wrongPerson.statusCode).toBe(403)
      expect(wrongPerson.json().error).toMatchObject({
        code: 'forbidden',
        message: 'This invitation is for erin@bolt.test; you are signed in as oscar@bolt.test.',
      })

      const erin = await signInOverHttp(t.app, 'erin@bolt.test')
      const accepted = await asUser(t.app, erin)('POST', url, {})
      expect(accepted.statusCode).toBe(200)
      expect(accepted.json()).toEqual({ organisationId: a.id, userId: erin.userId })
      const mine = await asUser(t.app, erin)('GET', '/api/v1/organisations')
      expect(mine.json().map((o: { name: string }) => o.name)).toEqual(['Acme', 'Bolt'])
    })

    it('expires invitations after seven days, and then allows a new one', async () => {
      const org = await createOrg('Acme')
      const token = tokenOf((await invite(admin, org.id, 'late@acme.test', 'member')).json().link)
      t.clock.advance(7 * DAY - 1)
      expect((await t.app.inject({ url: `/api/v1/invitations/${token}` })).statusCode).toBe(200)
      t.clock.advance(1)
      const expired = await t.app.inject({
        method: 'POST',
        url: `/api/v1/invitations/${token}/accept`,
        payload: { displayName: 'Late', password: TEST_PASSWORD },
      })
      expect(expired.statusCode).toBe(410)
      expect(expired.json().error.code).toBe('invalid_or_expired_link')
      // A week later the administrator's session has ended too.
      const again = await signInOverHttp(t.app, 'admin@network.test')
      const listed = await asUser(t.app, again)(
        'GET',
        `/api/v1/organisations/${org.id}/invitations`,
      )
      expect(listed.json()).toEqual([expect.objectContaining({ status: 'expired' })])
      expect((await invite(again, org.id, 'late@acme.test', 'member')).statusCode).toBe(201)
    })

    it('revokes an invitation, once; admins cannot revoke an owner invitation', async () => {
      const org = await createOrg('Acme')
      const orgAdmin = await join(org.id, 'adam@acme.test', 'admin')
      const invited = (await invite(admin, org.id, 'rita@acme.test', 'member')).json()
      const ownerInvite = (await invite(admin, org.id, 'olga@acme.test', 'owner')).json()
      const url = (id: string) => `/api/v1/organisations/${org.id}/invitations/${id}`

      const notAllowed = await asUser(t.app, orgAdmin)('DELETE', url(ownerInvite.invitation.id))
      expect(notAllowed.statusCode).toBe(403)
      expect(notAllowed.json().error.code).toBe('forbidden')

      expect((await asUser(t.app, orgAdmin)('DELETE', url(invited.invitation.id))).statusCode).toBe(
        204,
      )
      const again = await asAdmin('DELETE', url(invited.invitation.id))
      expect(again.statusCode).toBe(409)
      expect(again.json().error.code).toBe('conflict')
      expect((await asAdmin('DELETE', url(newId()))).statusCode).toBe(404)

      const link = await t.app.inject({ url: `/api/v1/invitations/${tokenOf(invited.link)}` })
      expect(link.statusCode).toBe(410)
      const listed = await asAdmin('GET', `/api/v1/organisations/${org.id}/invitations`)
      expect(
        listed.json().map((i: { email: string; status: string }) => [i.email, i.status]),
      ).toEqual(
        expect.arrayContaining([
          ['rita@acme.test', 'revoked'],
          ['olga@acme.test', 'pending'],
        ]),
      )
    })
  })

  describe('roles', () => {
    it('changes roles and removes members within the rules', async () => {
      const org = await createOrg('Acme')
      const orgAdmin = await join(org.id, 'adam@acme.test', 'admin')
      const member = await join(org.id, 'mia@acme.test', 'member')
      const url = (userId: string) => `/api/v1/organisations/${org.id}/members/${userId}`
      const asOrgAdmin = asUser(t.app, orgAdmin)

      const promoted = await asOrgAdmin('PATCH', url(member.userId), { data: { role: 'admin' } })
      expect(promoted.statusCode).toBe(200)
      expect(promoted.json()).toMatchObject({ email: 'mia@acme.test', role: 'admin' })
      expect(
        (await asOrgAdmin('PATCH', url(member.userId), { data: { role: 'viewer' } })).json().role,
      ).toBe('viewer')

      const toOwner = await asOrgAdmin('PATCH', url(member.userId), { data: { role: 'owner' } })
      expect(toOwner.statusCode).toBe(403)
      const demoteOwner = await asOrgAdmin('PATCH', url(admin.userId), { data: { role: 'member' } })
      expect(demoteOwner.statusCode).toBe(403)
      expect(demoteOwner.json().error.message).toBe(
        'Only owners can grant, change or remove the owner role.',
      )
      const removeOwner = await asOrgAdmin('DELETE', url(admin.userId))
      expect(removeOwner.statusCode).toBe(403)

      const byViewer = await asUser(t.app, member)('PATCH', url(orgAdmin.userId), {
        data: { role: 'viewer' },
      })
      expect(byViewer.statusCode).toBe(403)
      expect(byViewer.json().error.message).toBe(
        'This needs the admin role or above in the organisation; you are viewer.',
      )

      const unknown = await asAdmin('PATCH', url(newId()), { data: { role: 'viewer' } })
      expect(unknown.statusCode).toBe(404)

      expect((await asOrgAdmin('DELETE', url(member.userId))).statusCode).toBe(204)
      const gone = await asUser(t.app, member)('GET', `/api/v1/organisations/${org.id}`)
      expect(gone.statusCode).toBe(403)
      expect(gone.json().error.message).toBe(NOT_A_MEMBER)
    })

    it('keeps the last owner', async () => {
      const org = await createOrg('Acme')
      const url = (userId: string) => `/api/v1/organisations/${org.id}/members/${userId}`
      const demote = await asAdmin('PATCH', url(admin.userId), { data: { role: 'admin' } })
      expect(demote.statusCode).toBe(409)
      expect(demote.json().error).toMatchObject({
        code: 'conflict',
        message: 'An organisation needs at least one owner; make someone else owner first.',
      })
      const remove = await asAdmin('DELETE', url(admin.userId))
      expect(remove.statusCode).toBe(409)
      expect(remove.json().error.code).toBe('conflict')

      const second = await join(org.id, 'olga@acme.test', 'owner')
      expect(
        (await asAdmin('PATCH', url(admin.userId), { data: { role: 'admin' } })).statusCode,
      ).toBe(200)
      const last = await asUser(t.app, second)('DELETE', url(second.userId))
      expect(last.statusCode).toBe(409)
    })
  })

  describe('cross-organisation isolation', () => {
    it('refuses members and owners of one organisation everything of another', async () => {
      const a = await createOrg('Acme')
      const b = await createOrg('Bolt')
      const ownerA = await join(a.id, 'olivia@acme.test', 'owner')
      const memberA = await join(a.id, 'mia@acme.test', 'member')
      const memberB = await join(b.id, 'ben@bolt.test', 'member')
      const invitationB = (await invite(admin, b.id, 'pat@bolt.test', 'viewer')).json()
      const tokenB = (
        await asAdmin('POST', `/api/v1/organisations/${b.id}/tokens`, {
          name: 'ci',
          scopes: ['organisation:read'],
        })
      ).json()
      const ids: Record<string, string> = {
        orgId: b.id,
        userId: memberB.userId,
        invitationId: invitationB.invitation.id,
        tokenId: tokenB.token.id,
      }
      const orgRoutes = t.app.registeredRoutes.filter((r) =>
        r.url.startsWith('/api/v1/organisations/:orgId'),
      )
      expect(orgRoutes.length).toBeGreaterThanOrEqual(12)
      const bodies: Record<string, object> = {
        'PATCH /api/v1/organisations/:orgId': { data: { name: 'Taken over' } },
        'PATCH /api/v1/organisations/:orgId/members/:userId': { data: { role: 'owner' } },
        'POST /api/v1/organisations/:orgId/invitations': { email: 'spy@acme.test', role: 'owner' },
        'POST /api/v1/organisations/:orgId/tokens': { name: 'spy', scopes: ['audit:read'] },
      }
      const before = await asAdmin('GET', `/api/v1/organisations/${b.id}/audit?limit=500`)

      for (const session of [ownerA, memberA]) {
        for (const route of orgRoutes) {
          const url = route.url.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? newId())
          const key = `${route.method} ${route.url}`
          const response = await asUser(t.app, session)(
            route.method as 'GET',
            url,
            bodies[key] ?? (route.method === 'GET' || route.method === 'DELETE' ? undefined : {}),
          )
          expect({ key, status: response.statusCode, error: response.json().error }).toEqual({
            key,
            status: 403,
            error: { code: 'forbidden', message: NOT_A_MEMBER },
          })
        }
      }
      // Nothing of B changed: the same audit trail, members and open invitation.
      const after = await asAdmin('GET', `/api/v1/organisations/${b.id}/audit?limit=500`)
      expect(after.json()).toEqual(before.json())
      const members = await asAdmin('GET', `/api/v1/organisations/${b.id}/members`)
      expect(members.json()).toHaveLength(2)
    })

    it('refuses an organisation token on another organisation, and B’s ids under A’s path', async () => {
      const a = await createOrg('Acme')
      const b = await createOrg('Bolt')
      const memberB = await join(b.id, 'ben@bolt.test', 'member')
      const secretA = (
        await asAdmin('POST', `/api/v1/organisations/${a.id}/tokens`, {
          name: 'all',
          scopes: ['organisation:read', 'organisation:write', 'audit:read'],
        })
      ).json().secret
      const tokenB = (
        await asAdmin('POST', `/api/v1/organisations/${b.id}/tokens`, {
          name: 'ci',
          scopes: ['organisation:read'],
        })
      ).json()
      const invitationB = (await invite(admin, b.id, 'pat@bolt.test', 'viewer')).json()

      for (const [method, path, payload] of [
        ['GET', '', undefined],
        ['PATCH', '', { data: { name: 'Taken over' } }],
        ['GET', '/members', undefined],
        ['GET', '/audit', undefined],
      ] as const) {
        const response = await t.app.inject({
          method,
          url: `/api/v1/organisations/${b.id}${path}`,
          headers: { authorization: `Bearer ${secretA}` },
          ...(payload ? { payload } : {}),
        })
        expect(response.statusCode).toBe(403)
        expect(response.json().error).toEqual({
          code: 'forbidden',
          message: 'This API token belongs to another organisation.',
        })
      }

      // As owner of A, B's member, invitation and token do not exist under A.
      const underA = (path: string) => `/api/v1/organisations/${a.id}${path}`
      for (const [method, url] of [
        ['PATCH', underA(`/members/${memberB.userId}`)],
        ['DELETE', underA(`/members/${memberB.userId}`)],
        ['DELETE', underA(`/invitations/${invitationB.invitation.id}`)],
        ['DELETE', underA(`/tokens/${tokenB.token.id}`)],
      ] as const) {
        const response = await asAdmin(
          method,
          url,
          method === 'PATCH' ? { data: { role: 'viewer' } } : undefined,
        )
        expect({ url, status: response.statusCode }).toEqual({ url, status: 404 })
      }
      const members = await asAdmin('GET', `/api/v1/organisations/${b.id}/members`)
      expect(members.json()).toContainEqual(
        expect.objectContaining({ userId: memberB.userId, role: 'member' }),
      )
    })
  })

  describe('the organisation audit trail', () => {
    it('shows admins what happened in their organisation only', async () => {
      const a = await createOrg('Acme')
      const b = await createOrg('Bolt')
      await join(a.id, 'mia@acme.test', 'member')
      await invite(admin, b.id, 'ben@bolt.test', 'member')
      const trail = await asAdmin('GET', `/api/v1/organisations/${a.id}/audit`)
      expect(trail.statusCode).toBe(200)
      const { entries } = trail.json<{ entries: { action: string; organisationId: string }[] }>()
      expect(entries.map((e) => e.action)).toEqual([
        'membership.added',
        'invitation.accepted',
        'invitation.created',
        'membership.added',
        'organisation.created',
      ])
      expect(entries.every((e) => e.organisationId === a.id)).toBe(true)
      // The path decides the organisation, not the query.
      const sneaky = await asAdmin(
        'GET',
        `/api/v1/organisations/${a.id}/audit?organisationId=${b.id}`,
      )
      expect(sneaky.json().entries).toEqual(trail.json().entries)
    })
  })

  it('lets any member leave, but not the last owner', async () => {
    const org = await createOrg('Leavers Ltd')
    const viewer = await join(org.id, 'viewer@leavers.test', 'viewer')
    expect(
      (await asUser(t.app, viewer)('DELETE', `/api/v1/organisations/${org.id}/membership`))
        .statusCode,
    ).toBe(204)
    expect((await asUser(t.app, viewer)('GET', `/api/v1/organisations/${org.id}`)).statusCode).toBe(
      403,
    )
    const last = await asAdmin('DELETE', `/api/v1/organisations/${org.id}/membership`)
    expect(last.statusCode).toBe(409)
    const actions = await asAdmin(
      'GET',
      `/api/v1/organisations/${org.id}/audit?action=membership.left`,
    )
    expect(actions.json().entries).toHaveLength(1)
  })
})

describe('invitation mail', () => {
  let t: TestContext
  let smtp: SMTPServer
  const received: { to: string[]; raw: string }[] = []

  beforeEach(async () => {
    received.length = 0
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          })
          callback()
        })
      },
    })
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  })
  afterEach(async () => {
    await t.close()
    await new Promise<void>((resolve) => smtp.close(resolve))
  })

  it('queues the invitation as a mail job that delivers the link over SMTP', async () => {
    const { port } = smtp.server.address() as AddressInfo
    const mailer = createMailer(`smtp://127.0.0.1:${port}`, 'ISN <no-reply@isn.test>')!
    t = await createTestApp({}, { mailer })
    await createAdmin(t.ctx)
    const call = asUser(t.app, await signInOverHttp(t.app, 'admin@network.test'))
    const org = (
      await call('POST', '/api/v1/organisations', { name: 'Acme', type: 'operator' })
    ).json<{ id: string }>()
    const invited = await call('POST', `/api/v1/organisations/${org.id}/invitations`, {
      email: 'nina@acme.test',
      role: 'member',
    })
    expect(invited.statusCode).toBe(201)
    expect(invited.json().emailed).toBe(true)
    expect(received).toHaveLength(0)

    const runner = new JobRunner({
      db: t.ctx.db,
      clock: t.clock,
      logger: t.ctx.logger,
      tasks: platformTasks(t.ctx),
    })
    expect(await runner.runDue()).toBe(1)
    expect(received).toHaveLength(1)
    const [mail] = received
    expect(mail!.to).toEqual(['nina@acme.test'])
    // Undo quoted-printable soft line breaks before looking for the link.
    const text = mail!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=')
    expect(text).toContain('From: ISN <no-reply@isn.test>')
    expect(text).toContain('Subject: You are invited to join Acme on the IIoT Safety Network')
    expect(text).toContain(invited.json().link)
    const job = await t.ctx.db.selectFrom('jobs').select(['task', 'status']).executeTakeFirst()
    expect(job).toEqual({ task: 'mail.send', status: 'done' })
  })
})
