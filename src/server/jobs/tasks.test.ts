import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DAY, HOUR } from '../kernel/clock.ts'
import { findAuditLog } from '../modules/audit/audit.service.ts'
import { inviteMember, createOrganisation } from '../modules/organisations/organisations.service.ts'
import { signIn, userActor } from '../modules/accounts/accounts.service.ts'
import { createAdmin, createTestContext, TEST_PASSWORD } from '../testing/test-app.ts'
import { JobRunner } from './runner.ts'
import { PLATFORM_SCHEDULES, platformTasks } from './tasks.ts'

describe('the platform’s scheduled jobs', () => {
  let t: Awaited<ReturnType<typeof createTestContext>>
  let runner: JobRunner
  beforeEach(async () => {
    t = await createTestContext()
    runner = new JobRunner({
      db: t.ctx.db,
      clock: t.clock,
      logger: t.ctx.logger,
      tasks: platformTasks(t.ctx),
      schedules: PLATFORM_SCHEDULES,
    })
  })
  afterEach(async () => {
    await runner.stop()
    await t.testDb.destroy()
  })

  /** Lets the schedules fire and runs what they enqueued. */
  async function tick() {
    await runner.syncSchedules()
    await runner.enqueueDueSchedules()
    return runner.runDue()
  }

  it('expires invitations that ran out unused, once, with an audit entry each', async () => {
    const admin = await createAdmin(t.ctx)
    const who = { actor: userActor({ id: admin.id, email: admin.email, isNetworkAdmin: true }) }
    const org = await createOrganisation(t.ctx, who, {
      name: 'Acme',
      type: 'manufacturer',
    })
    await inviteMember(t.ctx, who, org.id, { email: 'late@acme.test', role: 'member' })
    await inviteMember(t.ctx, who, org.id, { email: 'later@acme.test', role: 'viewer' })

    expect(await tick()).toBeGreaterThan(0)
    expect((await findAuditLog(t.ctx, { action: 'invitation.expired' })).entries).toHaveLength(0)

    t.clock.advance(7 * DAY + HOUR)
    await tick()
    const expired = (await findAuditLog(t.ctx, { action: 'invitation.expired' })).entries
    expect(expired.map((e) => e.details.email).sort()).toEqual([
      'late@acme.test',
      'later@acme.test',
    ])
    expect(expired.every((e) => e.actorType === 'system' && e.organisationId === org.id)).toBe(true)

    t.clock.advance(HOUR)
    await tick()
    expect((await findAuditLog(t.ctx, { action: 'invitation.expired' })).entries).toHaveLength(2)
  })

  it('deletes expired sessions', async () => {
    const admin = await createAdmin(t.ctx)
    await signIn(t.ctx, { email: admin.email, password: TEST_PASSWORD }, {})
    const count = async () =>
      Number(
        (
          await t.ctx.db
            .selectFrom('sessions')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    expect(await count()).toBe(1)
    t.clock.advance(13 * HOUR)
    await tick()
    expect(await count()).toBe(0)
  })
})
