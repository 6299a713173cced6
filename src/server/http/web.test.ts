import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../app.ts'
import { createTestContext } from '../testing/test-app.ts'

describe('the web app is served by the platform', () => {
  const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-web-'))
  let app: App
  let destroy: () => Promise<void>

  beforeAll(async () => {
    fs.mkdirSync(path.join(webRoot, 'assets'))
    fs.writeFileSync(
      path.join(webRoot, 'index.html'),
      '<!doctype html><title>ISN</title><div id="root"></div>',
    )
    fs.writeFileSync(path.join(webRoot, 'assets/app-1234.js'), 'console.log(1)')
    const base = await createTestContext()
    app = await buildApp({ ctx: base.ctx, webRoot })
    destroy = base.testDb.destroy
  })
  afterAll(async () => {
    await app.close()
    await destroy()
    fs.rmSync(webRoot, { recursive: true, force: true })
  })

  it('answers app paths with index.html, so client-side routes survive a reload', async () => {
    for (const url of ['/', '/organisations/123', '/admin?tab=audit']) {
      const response = await app.inject({ url, headers: { accept: 'text/html' } })
      expect(response.statusCode, url).toBe(200)
      expect(response.body).toContain('<div id="root">')
      expect(response.headers['cache-control']).toBe('no-cache')
    }
  })

  it('serves hashed assets with a long cache life', async () => {
    const response = await app.inject({ url: '/assets/app-1234.js' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toContain('immutable')
  })

  it('keeps JSON errors for API paths and non-HTML clients', async () => {
    const api = await app.inject({ url: '/api/v1/unknown', headers: { accept: 'text/html' } })
    expect(api.statusCode).toBe(404)
    expect(api.json().error.code).toBe('not_found')
    const json = await app.inject({ url: '/unknown' })
    expect(json.json().error.code).toBe('not_found')
  })
})
