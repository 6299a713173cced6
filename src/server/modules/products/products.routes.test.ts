import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Product, ProductVersion } from '../../../common/api/products.ts'
import type { TokenScope } from '../../../common/organisations.ts'
import { newId } from '../../kernel/crypto.ts'
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

const FULL_PRODUCT = {
  name: 'Acme Edge Gateway',
  modelNumbers: ['EG-100', 'EG-100-LTE'],
  deviceClass: 'gateway',
  hardwareVersions: ['rev A', 'rev B'],
  description: 'Connects field buses to the plant network.',
  supportPeriodEnd: '2031-12-31',
  updateMechanism: 'user-initiated',
  updateDescription: 'Signed updates offered in the web console; the operator installs them.',
  defaultPasswordPolicy: 'user-set-at-commissioning',
  defaultPasswordDescription: 'No login works until the operator sets a password.',
  securityContactEmail: 'PSIRT@acme.test',
  securityContactUrl: 'https://acme.test/security',
  vulnerabilityDisclosureUrl: 'https://acme.test/security/cvd-policy',
  sbomAvailability: 'published',
  sbomUrl: 'https://acme.test/sbom/eg-100.cdx.json',
  secureSetupUrl: 'https://acme.test/docs/hardening',
  sensors: ['enclosure temperature'],
  dataCollected: ['device logs', 'connected field-device inventory'],
  dataDisclosure: 'Nothing leaves the site unless remote support is switched on.',
}

describe('products over HTTP', () => {
  let t: TestContext
  let admin: Session
  let asAdmin: ReturnType<typeof asUser>
  let orgA: string
  let products: string

  beforeEach(async () => {
    t = await createTestApp()
    await createAdmin(t.ctx)
    admin = await signInOverHttp(t.app, 'admin@network.test')
    asAdmin = asUser(t.app, admin)
    orgA = (await createOrganisationOverHttp(asAdmin, 'Acme', 'manufacturer')).id
    products = `/api/v1/organisations/${orgA}/products`
  })
  afterEach(async () => t.close())

  const join = (orgId: string, email: string, role: 'owner' | 'admin' | 'member' | 'viewer') =>
    joinOverHttp(t.app, admin, orgId, email, role)

  async function create(body: object = FULL_PRODUCT, as = asAdmin): Promise<Product> {
    const response = await as('POST', products, body)
    expect(response.statusCode, response.body).toBe(201)
    return response.json<Product>()
  }

  async function addVersion(productId: string, body: object): Promise<ProductVersion> {
    const response = await asAdmin('POST', `${products}/${productId}/versions`, body)
    expect(response.statusCode, response.body).toBe(201)
    return response.json<ProductVersion>()
  }

  async function count(table: 'products' | 'product_versions'): Promise<number> {
    const row = await t.ctx.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async function auditActions(family: string): Promise<string[]> {
    const audit = await asAdmin('GET', `/api/v1/organisations/${orgA}/audit?action=${family}`)
    expect(audit.statusCode).toBe(200)
    return audit.json<{ entries: { action: string }[] }>().entries.map((e) => e.action)
  }

  async function tokenWith(scopes: TokenScope[]) {
    const created = await asAdmin('POST', `/api/v1/organisations/${orgA}/tokens`, {
      name: scopes.join(' '),
      scopes,
    })
    expect(created.statusCode, created.body).toBe(201)
    const secret = created.json<{ secret: string }>().secret
    return (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${secret}` },
        ...(payload ? { payload } : {}),
      })
  }

  describe('registering and reading', () => {
    it('creates a product with every registry field and reads it back', async () => {
      const product = await create()
      expect(product).toEqual({
        ...FULL_PRODUCT,
        securityContactEmail: 'psirt@acme.test',
        id: expect.any(String),
        organisationId: orgA,
        status: 'active',
        archivedAt: null,
        versionCount: 0,
        latestVersion: null,
        missingRegistryFields: [],
        createdAt: '2026-06-01T08:00:00.000Z',
        updatedAt: '2026-06-01T08:00:00.000Z',
      })
      const read = await asAdmin('GET', `${products}/${product.id}`)
      expect(read.statusCode).toBe(200)
      expect(read.json()).toEqual(product)
      const list = await asAdmin('GET', products)
      expect(list.json()).toEqual({ items: [product], nextCursor: null })
    })

    it('registers a product with the least it needs and lists the registry fields still open', async () => {
      const product = await create({
        name: 'Flow sensor',
        modelNumbers: ['FS-1'],
        deviceClass: 'field-device',
      })
      expect(product).toMatchObject({
        hardwareVersions: [],
        sensors: [],
        dataCollected: [],
        description: null,
        supportPeriodEnd: null,
        missingRegistryFields: [
          'supportPeriodEnd',
          'updateMechanism',
          'defaultPasswordPolicy',
          'securityContact',
          'vulnerabilityDisclosureUrl',
          'sbomAvailability',
          'secureSetupUrl',
          'dataDisclosure',
        ],
      })
    })

    it('updates fields, clears optional ones with null and audits every change', async () => {
      const product = await create()
      t.clock.advance(60_000)
      const updated = await asAdmin('PATCH', `${products}/${product.id}`, {
        data: {
          name: 'Acme Edge Gateway 2',
          modelNumbers: ['EG-200'],
          sbomAvailability: 'available-on-request',
          sbomUrl: null,
          securityContactUrl: null,
          description: null,
          sensors: [],
        },
      })
      expect(updated.statusCode, updated.body).toBe(200)
      expect(updated.json()).toMatchObject({
        name: 'Acme Edge Gateway 2',
        modelNumbers: ['EG-200'],
        sbomAvailability: 'available-on-request',
        sbomUrl: null,
        securityContactUrl: null,
        securityContactEmail: 'psirt@acme.test',
        description: null,
        sensors: [],
        missingRegistryFields: [],
        updatedAt: '2026-06-01T08:01:00.000Z',
      })
      expect(await auditActions('product.')).toEqual(['product.updated', 'product.created'])
    })

    it('pages through the list by name with a cursor, searches and filters archived ones', async () => {
      for (const name of ['Delta', 'Alpha', 'Echo', 'Charlie', 'Bravo']) {
        await create({ name, modelNumbers: [`M-${name.toUpperCase()}`], deviceClass: 'controller' })
      }
      const names: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const response = await asAdmin(
          'GET',
          `${products}?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        )
        expect(response.statusCode).toBe(200)
        const page = response.json<{ items: Product[]; nextCursor: string | null }>()
        names.push(...page.items.map((p) => p.name))
        cursor = page.nextCursor
        pages += 1
      } while (cursor)
      expect(names).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'])
      expect(pages).toBe(3)

      const found = await asAdmin('GET', `${products}?q=m-char`)
      expect(found.json().items.map((p: Product) => p.name)).toEqual(['Charlie'])

      const echo = (await asAdmin('GET', `${products}?q=echo`)).json().items[0] as Product
      expect((await asAdmin('POST', `${products}/${echo.id}/archive`)).statusCode).toBe(200)
      const active = await asAdmin('GET', products)
      expect(active.json().items).toHaveLength(4)
      const archived = await asAdmin('GET', `${products}?status=archived`)
      expect(archived.json().items.map((p: Product) => [p.name, p.status])).toEqual([
        ['Echo', 'archived'],
      ])
      expect((await asAdmin('GET', `${products}?status=all`)).json().items).toHaveLength(5)

      const bad = await asAdmin('GET', `${products}?cursor=not-a-cursor`)
      expect(bad.statusCode).toBe(400)
      expect(bad.json().error).toMatchObject({
        code: 'validation_failed',
        details: [{ in: 'querystring', pointer: '/cursor' }],
      })
    })
  })

  describe('versions', () => {
    it('adds versions, inherits or overrides the support period end and audits them', async () => {
      const product = await create()
      const first = await addVersion(product.id, { version: '1.0.0', releaseDate: '2026-01-15' })
      expect(first).toMatchObject({
        version: '1.0.0',
        releaseDate: '2026-01-15',
        supportPeriodEnd: null,
        effectiveSupportPeriodEnd: '2031-12-31',
        notes: null,
      })
      const second = await addVersion(product.id, {
        version: '1.1.0',
        releaseDate: '2026-05-01',
        supportPeriodEnd: '2032-06-30',
        notes: 'Adds TLS 1.3 only mode.',
      })
      expect(second.effectiveSupportPeriodEnd).toBe('2032-06-30')

      const list = await asAdmin('GET', `${products}/${product.id}/versions`)
      expect(list.json().map((v: ProductVersion) => v.version)).toEqual(['1.1.0', '1.0.0'])
      const read = await asAdmin('GET', `${products}/${product.id}`)
      expect(read.json()).toMatchObject({ versionCount: 2, latestVersion: '1.1.0' })

      const one = await asAdmin('GET', `${products}/${product.id}/versions/${first.id}`)
      expect(one.json()).toEqual(first)
      const changed = await asAdmin('PATCH', `${products}/${product.id}/versions/${first.id}`, {
        data: { supportPeriodEnd: '2030-01-01', notes: 'First release.' },
      })
      expect(changed.statusCode, changed.body).toBe(200)
      expect(changed.json()).toMatchObject({
        supportPeriodEnd: '2030-01-01',
        effectiveSupportPeriodEnd: '2030-01-01',
        notes: 'First release.',
      })
      expect(await auditActions('product_version.')).toEqual([
        'product_version.updated',
        'product_version.created',
        'product_version.created',
      ])

      const duplicate = await asAdmin('POST', `${products}/${product.id}/versions`, {
        version: '1.0.0',
        releaseDate: '2026-02-01',
      })
      expect(duplicate.statusCode).toBe(409)
      expect(duplicate.json().error.message).toBe('Acme Edge Gateway already has a version 1.0.0.')
    })

    it('deletes only products without versions; the others are archived and restored', async () => {
      const empty = await create({ name: 'Mistake', modelNumbers: ['X'], deviceClass: 'gateway' })
      expect((await asAdmin('DELETE', `${products}/${empty.id}`)).statusCode).toBe(204)
      expect((await asAdmin('GET', `${products}/${empty.id}`)).statusCode).toBe(404)

      const product = await create()
      await addVersion(product.id, { version: '1.0.0', releaseDate: '2026-01-15' })
      const refused = await asAdmin('DELETE', `${products}/${product.id}`)
      expect(refused.statusCode).toBe(409)
      expect(refused.json().error.message).toBe(
        'Acme Edge Gateway has 1 version and cannot be deleted; archive it instead.',
      )

      const archived = await asAdmin('POST', `${products}/${product.id}/archive`)
      expect(archived.json()).toMatchObject({ status: 'archived', versionCount: 1 })
      for (const [method, url, body] of [
        ['PATCH', `${products}/${product.id}`, { data: { name: 'New' } }],
        ['POST', `${products}/${product.id}/versions`, { version: '2', releaseDate: '2026-06-01' }],
      ] as const) {
        const response = await asAdmin(method, url, body)
        expect(response.statusCode).toBe(409)
        expect(response.json().error.message).toBe(
          'Acme Edge Gateway is archived; restore it before changing it.',
        )
      }
      expect((await asAdmin('POST', `${products}/${product.id}/archive`)).statusCode).toBe(409)
      const restored = await asAdmin('POST', `${products}/${product.id}/restore`)
      expect(restored.json()).toMatchObject({ status: 'active', archivedAt: null })
      expect(await auditActions('product.')).toEqual([
        'product.restored',
        'product.archived',
        'product.created',
        'product.deleted',
        'product.created',
      ])
    })
  })

  describe('bad input', () => {
    it('refuses invalid fields with pointers and writes nothing', async () => {
      const before = await count('products')
      for (const [body, pointer] of [
        [
          { ...FULL_PRODUCT, securityContactUrl: 'http://acme.test/security' },
          '/securityContactUrl',
        ],
        [{ ...FULL_PRODUCT, secureSetupUrl: 'https://' }, '/secureSetupUrl'],
        [{ ...FULL_PRODUCT, securityContactEmail: 'psirt at acme' }, '/securityContactEmail'],
        [{ ...FULL_PRODUCT, supportPeriodEnd: '2031-02-30' }, '/supportPeriodEnd'],
        [{ ...FULL_PRODUCT, supportPeriodEnd: '31.12.2031' }, '/supportPeriodEnd'],
        [{ ...FULL_PRODUCT, deviceClass: 'toaster' }, '/deviceClass'],
        [{ ...FULL_PRODUCT, updateMechanism: 'carrier pigeon' }, '/updateMechanism'],
        [{ ...FULL_PRODUCT, modelNumbers: [] }, '/modelNumbers'],
        [{ ...FULL_PRODUCT, modelNumbers: ['A', 'A'] }, '/modelNumbers'],
        [
          { ...FULL_PRODUCT, hardwareVersions: Array.from({ length: 51 }, (_, i) => `r${i}`) },
          '/hardwareVersions',
        ],
        [{ ...FULL_PRODUCT, sensors: ['   '] }, '/sensors/0'],
        [{ ...FULL_PRODUCT, name: ' ' }, '/name'],
        [{ ...FULL_PRODUCT, sbomUrl: undefined }, '/sbomUrl'],
        [{ ...FULL_PRODUCT, sbomAvailability: 'not-available' }, '/sbomUrl'],
      ] as const) {
        const response = await asAdmin('POST', products, body)
        expect({ pointer, status: response.statusCode }).toEqual({ pointer, status: 400 })
        expect(response.json().error.code).toBe('validation_failed')
        expect(response.json().error.details).toContainEqual(
          expect.objectContaining({ in: 'body', pointer }),
        )
      }
      expect(await count('products')).toBe(before)
    })

    it('refuses bad updates and version dates with pointers, leaving the data as it was', async () => {
      const product = await create()
      const bad = await asAdmin('PATCH', `${products}/${product.id}`, {
        data: { name: 'Renamed', sbomUrl: null },
      })
      expect(bad.statusCode).toBe(400)
      expect(bad.json().error.details).toEqual([
        { in: 'body', pointer: '/data/sbomUrl', message: 'is required when the SBOM is published' },
      ])
      expect((await asAdmin('GET', `${products}/${product.id}`)).json()).toEqual(product)

      const early = await asAdmin('POST', `${products}/${product.id}/versions`, {
        version: '1.0.0',
        releaseDate: '2026-05-01',
        supportPeriodEnd: '2026-04-30',
      })
      expect(early.statusCode).toBe(400)
      expect(early.json().error).toMatchObject({
        message: 'The support period cannot end before the version is released.',
        details: [{ in: 'body', pointer: '/supportPeriodEnd' }],
      })
      const badVersion = await asAdmin('POST', `${products}/${product.id}/versions`, {
        version: ' 1.0',
        releaseDate: '2026-5-1',
      })
      expect(
        badVersion
          .json()
          .error.details.map((d: { pointer: string }) => d.pointer)
          .sort(),
      ).toEqual(['/releaseDate', '/version'])
      expect(await count('product_versions')).toBe(0)

      const taken = await create({ name: 'Other', modelNumbers: ['O'], deviceClass: 'gateway' })
      const clash = await asAdmin('PATCH', `${products}/${taken.id}`, {
        data: { name: FULL_PRODUCT.name },
      })
      expect(clash.statusCode).toBe(409)
      expect(clash.json().error.message).toBe(
        'The organisation already has a product named Acme Edge Gateway.',
      )
      expect((await asAdmin('POST', products, FULL_PRODUCT)).statusCode).toBe(409)
    })
  })

  describe('who may do what', () => {
    it('refuses products to organisations that are not manufacturers', async () => {
      const lab = await createOrganisationOverHttp(asAdmin, 'Test Lab', 'assessor')
      for (const [method, url, body] of [
        ['GET', `/api/v1/organisations/${lab.id}/products`, undefined],
        ['POST', `/api/v1/organisations/${lab.id}/products`, FULL_PRODUCT],
        ['GET', `/api/v1/organisations/${lab.id}/products/${newId()}`, undefined],
      ] as const) {
        const response = await asAdmin(method, url, body)
        expect(response.statusCode).toBe(403)
        expect(response.json().error).toEqual({
          code: 'forbidden',
          message:
            'Only manufacturer organisations have products; Test Lab is registered as Assessor (test lab / certification body).',
        })
      }
      expect(await count('products')).toBe(0)
    })

    it('lets viewers read, members write and only admins delete or archive', async () => {
      const viewer = asUser(t.app, await join(orgA, 'vera@acme.test', 'viewer'))
      const member = asUser(t.app, await join(orgA, 'mia@acme.test', 'member'))
      const product = await create(FULL_PRODUCT, member)
      expect((await viewer('GET', `${products}/${product.id}`)).statusCode).toBe(200)
      expect((await viewer('GET', `${products}/${product.id}/versions`)).statusCode).toBe(200)

      const refused = await viewer('POST', products, { ...FULL_PRODUCT, name: 'By viewer' })
      expect(refused.statusCode).toBe(403)
      expect(refused.json().error.message).toBe(
        'This needs the member role or above in the organisation; you are viewer.',
      )
      expect(
        (await member('PATCH', `${products}/${product.id}`, { data: { description: 'x' } }))
          .statusCode,
      ).toBe(200)
      expect(
        (
          await member('POST', `${products}/${product.id}/versions`, {
            version: '1.0',
            releaseDate: '2026-05-01',
          })
        ).statusCode,
      ).toBe(201)
      for (const [method, url] of [
        ['DELETE', `${products}/${product.id}`],
        ['POST', `${products}/${product.id}/archive`],
      ] as const) {
        const response = await member(method, url)
        expect(response.statusCode).toBe(403)
        expect(response.json().error.message).toBe(
          'This needs the admin role or above in the organisation; you are member.',
        )
      }
    })

    it('lets API tokens read with products:read and write with products:write, and audits the token', async () => {
      const product = await create()
      const reader = await tokenWith(['products:read'])
      expect((await reader('GET', products)).statusCode).toBe(200)
      expect((await reader('GET', `${products}/${product.id}/versions`)).statusCode).toBe(200)
      const write = await reader('POST', products, { ...FULL_PRODUCT, name: 'By token' })
      expect(write.statusCode).toBe(403)
      expect(write.json().error.message).toBe('This API token lacks the scope products:write.')

      const organisationOnly = await tokenWith(['organisation:read'])
      expect((await organisationOnly('GET', products)).json().error.message).toBe(
        'This API token lacks the scope products:read.',
      )

      const writer = await tokenWith(['products:write'])
      const created = await writer('POST', products, { ...FULL_PRODUCT, name: 'By token' })
      expect(created.statusCode, created.body).toBe(201)
      const version = await writer('POST', `${products}/${created.json().id}/versions`, {
        version: '0.9',
        releaseDate: '2026-04-01',
      })
      expect(version.statusCode).toBe(201)
      const deleted = await writer('DELETE', `${products}/${product.id}`)
      expect(deleted.statusCode).toBe(403)
      expect(deleted.json().error.message).toBe('API tokens cannot use this endpoint.')

      const audit = await asAdmin(
        'GET',
        `/api/v1/organisations/${orgA}/audit?action=product.created&limit=1`,
      )
      expect(audit.json().entries[0]).toMatchObject({
        actorType: 'api_token',
        actorLabel: 'products:write',
        targetId: created.json().id,
      })
    })

    it('keeps each organisation’s products to itself', async () => {
      const product = await create()
      const version = await addVersion(product.id, { version: '1.0', releaseDate: '2026-05-01' })
      const orgB = (await createOrganisationOverHttp(asAdmin, 'Bolt', 'manufacturer')).id
      const boltAdmin = asUser(t.app, await join(orgB, 'bo@bolt.test', 'admin'))
      const boltProducts = `/api/v1/organisations/${orgB}/products`

      // Through Acme's path: not a member.
      for (const [method, url, body] of [
        ['GET', products, undefined],
        ['GET', `${products}/${product.id}`, undefined],
        ['PATCH', `${products}/${product.id}`, { data: { name: 'Stolen' } }],
        ['POST', `${products}/${product.id}/versions`, { version: '6', releaseDate: '2026-06-01' }],
        ['DELETE', `${products}/${product.id}`, undefined],
      ] as const) {
        const response = await boltAdmin(method, url, body)
        expect({ method, url, status: response.statusCode }).toEqual({ method, url, status: 403 })
        expect(response.json().error.message).toBe('You are not a member of this organisation.')
      }
      // Through Bolt's own path with Acme's ids: no such product.
      for (const [method, url, body] of [
        ['GET', `${boltProducts}/${product.id}`, undefined],
        ['GET', `${boltProducts}/${product.id}/versions`, undefined],
        ['GET', `${boltProducts}/${product.id}/versions/${version.id}`, undefined],
        ['PATCH', `${boltProducts}/${product.id}`, { data: { name: 'Stolen' } }],
        ['PATCH', `${boltProducts}/${product.id}/versions/${version.id}`, { data: { notes: 'x' } }],
        ['POST', `${boltProducts}/${product.id}/archive`, undefined],
        ['DELETE', `${boltProducts}/${product.id}`, undefined],
      ] as const) {
        const response = await boltAdmin(method, url, body)
        expect({ method, url, status: response.statusCode }).toEqual({ method, url, status: 404 })
      }
      expect((await boltAdmin('GET', boltProducts)).json().items).toEqual([])
      // Another product's version id is not found under this product either.
      const other = await create({ name: 'Other', modelNumbers: ['O'], deviceClass: 'gateway' })
      expect(
        (await asAdmin('GET', `${products}/${other.id}/versions/${version.id}`)).statusCode,
      ).toBe(404)
      expect((await asAdmin('GET', `${products}/${product.id}`)).json().name).toBe(
        'Acme Edge Gateway',
      )
    })
  })
})
