import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { platformTasks } from '../../jobs/tasks.ts'
import { systemActor } from '../../kernel/actor.ts'
import { changeLabelStatus, expireLabels, issueLabel } from '../labels/labels.service.ts'
import { sampleLabelInput } from '../labels/testing.ts'
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
import { postSignedJson } from './delivery.ts'
import { DELIVER_TASK, emitWebhookEvent, WEBHOOK_MAX_ATTEMPTS } from './webhooks.service.ts'

interface Received {
  headers: http.IncomingHttpHeaders
  body: string
}

/** A receiver on loopback that answers with the status the test sets. */
async function startReceiver() {
  const received: Received[] = []
  const state = { status: 204 }
  const server = http.createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      received.push({ headers: request.headers, body })
      response.statusCode = state.status
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/isn`
  return {
    url,
    received,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe('webhooks', () => {
  let t: TestContext
  let admin: Session
  let orgId: string
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  const api = () => `/api/v1/organisations/${orgId}/webhooks`

  beforeEach(async () => {
    t = await createTestApp({ webhooksAllowPrivateNetworks: true })
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    orgId = (await createOrganisationOverHttp(asUser(t.app, admin), 'Acme Controls')).id
    receiver = await startReceiver()
  })
  afterEach(async () => {
    await receiver.close()
    await t.close()
  })

  async function create(eventTypes: string[] = ['label.status_changed', 'webhook.test']) {
    const response = await asUser(t.app, admin)('POST', api(), {
      url: receiver.url,
      description: 'SIEM',
      eventTypes,
    })
    expect(response.statusCode, response.body).toBe(201)
    return response.json<{ id: string; secret: string }>()
  }

  /** Runs the queued delivery jobs the way the worker does, attempt by attempt. */
  async function runDeliveries(attempt = 1) {
    const jobs = await t.ctx.db
      .selectFrom('jobs')
      .select(['id', 'payload'])
      .where('task', '=', DELIVER_TASK)
      .execute()
    const handler = platformTasks(t.ctx)[DELIVER_TASK]!
    for (const job of jobs) {
      await handler(JSON.parse(job.payload), {
        jobId: job.id,
        attempt,
        signal: new AbortController().signal,
      })
    }
    return jobs.length
  }

  it('shows the secret once, signs test deliveries per Standard Webhooks, and records them', async () => {
    const created = await create()
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    const listed = await asUser(t.app, admin)('GET', api())
    expect(listed.statusCode).toBe(200)
    expect(listed.body).not.toContain(created.secret)
    expect(listed.json()).toEqual([
      expect.objectContaining({
        url: receiver.url,
        description: 'SIEM',
        eventTypes: ['label.status_changed', 'webhook.test'],
        enabled: true,
        lastDelivery: null,
      }),
    ])

    const test = await asUser(t.app, admin)('POST', `${api()}/${created.id}/test`)
    expect(test.statusCode).toBe(202)
    expect(await runDeliveries()).toBe(1)
    expect(receiver.received).toHaveLength(1)
    const [delivery] = receiver.received
    const headers = {
      'webhook-id': String(delivery!.headers['webhook-id']),
      'webhook-timestamp': String(delivery!.headers['webhook-timestamp']),
      'webhook-signature': String(delivery!.headers['webhook-signature']),
    }
    // The receiver's check, with the reference implementation (the timestamp must be recent:
    // the test clock is in the past, so the check runs against that moment).
    expect(headers['webhook-id']).toBe(test.json<{ deliveryId: string }>().deliveryId)
    expect(Number(headers['webhook-timestamp'])).toBe(Math.floor(t.clock.now().getTime() / 1000))
    const expected = new Webhook(created.secret).sign(
      headers['webhook-id'],
      t.clock.now(),
      delivery!.body,
    )
    expect(headers['webhook-signature']).toBe(expected)
    expect(JSON.parse(delivery!.body)).toEqual({
      type: 'webhook.test',
      timestamp: t.clock.now().toISOString(),
      data: { message: expect.any(String), webhookId: created.id },
    })
    expect(delivery!.headers['content-type']).toBe('application/json')

    const deliveries = await asUser(t.app, admin)('GET', `${api()}/${created.id}/deliveries`)
    expect(deliveries.json()).toEqual([
      expect.objectContaining({
        id: headers['webhook-id'],
        eventType: 'webhook.test',
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 204,
      }),
    ])
    const actions = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'webhook.%')
      .orderBy('seq')
      .execute()
    expect(actions.map((a) => a.action)).toEqual(['webhook.created', 'webhook.test_sent'])
  })

  it('verifies with the receiver library when the timestamp is current', async () => {
    const created = await create()
    t.clock.set(new Date())
    admin = await signInOverHttp(t.app, 'admin@network.test')
    await asUser(t.app, admin)('POST', `${api()}/${created.id}/test`)
    await runDeliveries()
    const [delivery] = receiver.received
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [
        h,
        String(delivery!.headers[h]),
      ]),
    )
    expect(new Webhook(created.secret).verify(delivery!.body, headers)).toMatchObject({
      type: 'webhook.test',
    })
    expect(() => new Webhook(created.secret).verify(`${delivery!.body} `, headers)).toThrow()
  })

  it('delivers only subscribed events, to enabled endpoints of the organisations concerned', async () => {
    const subscribed = await create(['label.status_changed'])
    const other = await create(['findings.changed'])
    await asUser(t.app, admin)('PATCH', `${api()}/${other.id}`, { data: { enabled: false } })
    const elsewhere = (await createOrganisationOverHttp(asUser(t.app, admin), 'Bolt')).id
    const ids = await emitWebhookEvent(t.ctx.db, t.clock, {
      organisationIds: [orgId, elsewhere],
      type: 'label.status_changed',
      data: { labelId: 'L1', status: 'suspended' },
    })
    expect(ids).toHaveLength(1)
    await runDeliveries()
    expect(receiver.received.map((r) => JSON.parse(r.body) as { type: string })).toEqual([
      expect.objectContaining({ type: 'label.status_changed' }),
    ])
    const rows = await t.ctx.db.selectFrom('webhook_deliveries').selectAll().execute()
    expect(rows.map((r) => r.endpoint_id)).toEqual([subscribed.id])
  })

  it('announces a label’s issue, suspension and expiry to its manufacturer and assessor', async () => {
    const created = await create(['label.issued', 'label.status_changed'])
    const lab = (await createOrganisationOverHttp(asUser(t.app, admin), 'Trusted Lab', 'assessor'))
      .id
    const labHook = await asUser(t.app, admin)('POST', `/api/v1/organisations/${lab}/webhooks`, {
      url: receiver.url,
      eventTypes: ['label.status_changed'],
    })
    expect(labHook.statusCode).toBe(201)
    const base = sampleLabelInput()
    const system = { actor: systemActor('test') }
    const label = await issueLabel(t.ctx, system, {
      ...base,
      product: { ...base.product, manufacturer: { id: orgId, name: 'Acme Controls' } },
      assessor: { id: lab, name: 'Trusted Lab' },
    })
    await changeLabelStatus(t.ctx, system, label.id, 'suspend', 'Under investigation')
    t.clock.set('2031-01-02T00:00:00.000Z')
    expect(await expireLabels(t.ctx)).toBe(1)
    const rows = await t.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['endpoint_id', 'event_type', 'payload', 'created_at'])
      .orderBy('created_at')
      .execute()
    // One event's deliveries share a time: by time, then manufacturer before assessor.
    const seen = rows
      .map((r) => {
        const body = JSON.parse(r.payload) as {
          data: { status: string; previousStatus: string | null }
        }
        const who = r.endpoint_id === created.id ? 'acme' : 'lab'
        return {
          key: `${r.created_at} ${who}`,
          seen: [who, r.event_type, body.data.previousStatus, body.data.status],
        }
      })
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((r) => r.seen)
    expect(seen).toEqual([
      ['acme', 'label.issued', null, 'active'],
      ['acme', 'label.status_changed', 'active', 'suspended'],
      ['lab', 'label.status_changed', 'active', 'suspended'],
      ['acme', 'label.status_changed', 'suspended', 'expired'],
      ['lab', 'label.status_changed', 'suspended', 'expired'],
    ])
    expect(JSON.parse(rows[1]!.payload)).toMatchObject({
      type: 'label.status_changed',
      data: {
        labelId: label.id,
        reason: 'Under investigation',
        url: `http://isn.test/registry/${label.id}`,
        product: { name: base.product.name, version: base.product.version },
      },
    })
  })

  it('retries failed deliveries and marks the last attempt failed', async () => {
    const created = await create()
    receiver.state.status = 500
    await asUser(t.app, admin)('POST', `${api()}/${created.id}/test`)
    await expect(runDeliveries(1)).rejects.toThrow(/failed: the receiver answered 500/)
    let [row] = await t.ctx.db.selectFrom('webhook_deliveries').selectAll().execute()
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500 })
    await runDeliveries(WEBHOOK_MAX_ATTEMPTS)
    ;[row] = await t.ctx.db.selectFrom('webhook_deliveries').selectAll().execute()
    expect(row).toMatchObject({ status: 'failed', attempts: 2, last_status_code: 500 })
    // A delivery that has ended is not sent again.
    receiver.state.status = 204
    await runDeliveries(1)
    expect(receiver.received).toHaveLength(2)
  })

  it('rotates the secret: later deliveries are signed with the new one', async () => {
    const created = await create()
    const rotated = await asUser(t.app, admin)('POST', `${api()}/${created.id}/rotate-secret`)
    expect(rotated.statusCode).toBe(200)
    const { secret } = rotated.json<{ secret: string }>()
    expect(secret).not.toBe(created.secret)
    t.clock.set(new Date())
    admin = await signInOverHttp(t.app, 'admin@network.test')
    await asUser(t.app, admin)('POST', `${api()}/${created.id}/test`)
    await runDeliveries()
    const [delivery] = receiver.received
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [
        h,
        String(delivery!.headers[h]),
      ]),
    )
    expect(() => new Webhook(secret).verify(delivery!.body, headers)).not.toThrow()
    expect(() => new Webhook(created.secret).verify(delivery!.body, headers)).toThrow()
  })

  it('keeps webhooks to the organisation’s admins', async () => {
    const created = await create()
    const member = await joinOverHttp(t.app, admin, orgId, 'mia@acme.test', 'member')
    expect((await asUser(t.app, member)('GET', api())).statusCode).toBe(403)
    expect(
      (
        await asUser(t.app, member)('POST', api(), {
          url: receiver.url,
          eventTypes: ['webhook.test'],
        })
      ).statusCode,
    ).toBe(403)
    const bolt = (await createOrganisationOverHttp(asUser(t.app, admin), 'Bolt')).id
    const boltAdmin = await joinOverHttp(t.app, admin, bolt, 'bo@bolt.test', 'admin')
    const foreign = `/api/v1/organisations/${bolt}/webhooks/${created.id}`
    expect((await asUser(t.app, boltAdmin)('DELETE', foreign)).statusCode).toBe(404)
    expect((await asUser(t.app, boltAdmin)('GET', `${foreign}/deliveries`)).statusCode).toBe(404)
    const deleted = await asUser(t.app, admin)('DELETE', `${api()}/${created.id}`)
    expect(deleted.statusCode).toBe(204)
    expect((await asUser(t.app, admin)('GET', api())).json()).toEqual([])
  })
})

describe('webhook addresses', () => {
  let t: TestContext
  let admin: Session
  let orgId: string

  beforeEach(async () => {
    t = await createTestApp()
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    orgId = (await createOrganisationOverHttp(asUser(t.app, admin), 'Acme Controls')).id
  })
  afterEach(async () => t.close())

  it.each([
    ['http://hooks.acme.example/isn', 'must be an https:// URL'],
    ['https://127.0.0.1/isn', 'points to a private or local network address'],
    ['https://10.1.2.3/isn', 'points to a private or local network address'],
    ['https://169.254.169.254/latest/meta-data', 'points to a private or local network address'],
    ['https://[::1]/isn', 'points to a private or local network address'],
    ['https://[::ffff:192.168.1.10]/isn', 'points to a private or local network address'],
    ['https://localhost/isn', 'points to a local host name'],
    ['https://user:pw@hooks.acme.example/isn', 'must not carry a user name or password'],
  ])('refuses %s', async (url, message) => {
    const response = await asUser(t.app, admin)('POST', `/api/v1/organisations/${orgId}/webhooks`, {
      url,
      eventTypes: ['webhook.test'],
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({
      error: { code: 'validation_failed', details: [{ pointer: '/url', message }] },
    })
    expect(await t.ctx.db.selectFrom('webhook_endpoints').selectAll().execute()).toEqual([])
  })

  it('accepts a public https address', async () => {
    const response = await asUser(t.app, admin)('POST', `/api/v1/organisations/${orgId}/webhooks`, {
      url: 'https://hooks.acme.example/isn',
      eventTypes: ['label.status_changed'],
    })
    expect(response.statusCode).toBe(201)
  })

  it('does not connect to private addresses at delivery time, by literal or by name', async () => {
    const options = { allowPrivateNetworks: false }
    expect(await postSignedJson('https://127.0.0.1:9/x', '{}', {}, options)).toEqual({
      ok: false,
      statusCode: null,
      error: '127.0.0.1 is a private or local address',
    })
    const byName = await postSignedJson('http://localhost:9/x', '{}', {}, options)
    expect(byName).toMatchObject({ ok: false, statusCode: null })
    expect(byName.ok || byName.error).toMatch(/resolves to a private address/)
  })
})
