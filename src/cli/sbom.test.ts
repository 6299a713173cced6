import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SbomUploadResult } from '../common/api/sboms.ts'
import {
  schemaInvalidCycloneDx,
  smallCycloneDx,
  trivyStyleSpdx,
} from '../server/modules/sboms/sbom-fixtures.ts'
import {
  asUser,
  createAdmin,
  createOrganisationOverHttp,
  createTestApp,
  signInOverHttp,
  type TestContext,
} from '../server/testing/test-app.ts'
import { TEST_DIALECT } from '../server/testing/test-db.ts'
import { isn } from './testing.ts'

describe(`isn sbom upload against a listening server on ${TEST_DIALECT}`, () => {
  let t: TestContext
  let dir: string
  let url: string
  let orgId: string
  let versionId: string
  let env: Record<string, string>

  const file = (name: string, bytes: Buffer) => {
    const at = path.join(dir, name)
    fs.writeFileSync(at, bytes)
    return at
  }
  const upload = (at: string, extra: string[] = [], environment = env) =>
    isn(['sbom', 'upload', at, '--product-version', versionId, ...extra], environment)

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-cli-sbom-'))
    t = await createTestApp({ dataDir: path.join(dir, 'data') })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const address = t.app.server.address()
    if (!address || typeof address === 'string') throw new Error('not listening')
    url = `http://127.0.0.1:${address.port}`
    await createAdmin(t.ctx)
    const asAdmin = asUser(t.app, await signInOverHttp(t.app, 'admin@network.test'))
    orgId = (await createOrganisationOverHttp(asAdmin, 'Acme', 'manufacturer')).id
    const product = await asAdmin('POST', `/api/v1/organisations/${orgId}/products`, {
      name: 'Gateway',
      modelNumbers: ['G-1'],
      deviceClass: 'gateway',
    })
    const version = await asAdmin(
      'POST',
      `/api/v1/organisations/${orgId}/products/${product.json<{ id: string }>().id}/versions`,
      { version: '1.0.0', releaseDate: '2026-05-01' },
    )
    versionId = version.json<{ id: string }>().id
    const token = await asAdmin('POST', `/api/v1/organisations/${orgId}/tokens`, {
      name: 'build pipeline',
      scopes: ['sboms:write'],
    })
    env = {
      ISN_URL: url,
      ISN_TOKEN: token.json<{ secret: string }>().secret,
      ISN_ORGANISATION: orgId,
    }
  })
  afterAll(async () => {
    await t.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('stores the file (exit 0), then says it already has it (exit 0)', async () => {
    const at = file('fw.cdx.json', smallCycloneDx(1))
    const first = await upload(at)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(
      /^Stored CycloneDX 1\.5 SBOM with 5 components as upload 1 of Gateway 1\.0\.0; it is the current SBOM\.\n {2}id \S+, sha256 [0-9a-f]{64}\n {2}5 components, 3 dependencies, made by cdxgen 10\.0\.0\n$/,
    )
    const again = await upload(at, ['--json'])
    expect(again.code).toBe(0)
    const result = JSON.parse(again.stdout) as SbomUploadResult
    expect(result).toMatchObject({ created: false, madeCurrent: false })
    expect(result.sbom).toMatchObject({
      fileName: 'fw.cdx.json',
      uploadedBy: { type: 'api_token', name: 'build pipeline' },
    })
  }, 60_000)

  it('takes the URL, token and organisation as options too', async () => {
    const at = file('fw2.cdx.json', smallCycloneDx(2))
    const options = ['--url', url, '--token', env.ISN_TOKEN!, '--organisation', orgId]
    const result = await upload(at, options, {})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('as upload 2 of Gateway 1.0.0')
  }, 60_000)

  // The build-pipeline example of docs/vulnerabilities.md and docs/api.md, as written there.
  const hasCurl = (() => {
    try {
      execFileSync('curl', ['--version'])
      return true
    } catch {
      console.warn('Skipping the curl upload: curl is not installed')
      return false
    }
  })()
  it.skipIf(!hasCurl)('takes the documented curl upload', async () => {
    const at = file('bom.json', smallCycloneDx(5))
    // Not execFileSync: the server answers from this very process.
    const { stdout } = await promisify(execFile)(
      'curl',
      [
        '-s',
        '--data-binary',
        `@${at}`,
        '-H',
        'content-type: application/json',
        '-H',
        `Authorization: Bearer ${env.ISN_TOKEN}`,
        '-H',
        'x-file-name: bom.json',
        `${url}/api/v1/organisations/${orgId}/product-versions/${versionId}/sboms`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    )
    const result = JSON.parse(stdout) as SbomUploadResult
    expect(result).toMatchObject({ created: true, sbom: { fileName: 'bom.json' } })
  })

  it('exits 2 with the server’s error and JSON pointer for an invalid SBOM', async () => {
    const result = await upload(file('bad.cdx.json', schemaInvalidCycloneDx))
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('error: bad.cdx.json is not valid CycloneDX 1.5 JSON')
    expect(result.stderr).toContain('/components/1/type')
    expect(result.stderr).toContain('(validation_failed)')
    const json = await upload(file('bad.cdx.json', schemaInvalidCycloneDx), ['--json'])
    expect(json.code).toBe(2)
    const body = JSON.parse(json.stdout) as {
      error: { details: { problems: { pointer: string }[] } }
    }
    expect(body.error.details.problems[0]!.pointer).toBe('/components/1/type')
  }, 60_000)

  it('exits 5, 7, 2 and 4 for an unknown version, a bad token, no token and no server', async () => {
    const at = file('fw3.cdx.json', smallCycloneDx(3))
    const unknown = await isn(
      ['sbom', 'upload', at, '--product-version', '00000000-0000-4000-8000-000000000000'],
      env,
    )
    expect(unknown.code).toBe(5)
    expect(unknown.stderr).toBe('error: No such product version (not_found)\n')
    const badToken = await upload(at, [], { ...env, ISN_TOKEN: 'isn_not-a-token' })
    expect(badToken.code).toBe(7)
    expect(badToken.stderr).toContain('(unauthorized)')
    const noToken = await upload(at, [], { ISN_URL: url, ISN_ORGANISATION: orgId, ISN_TOKEN: '' })
    expect(noToken.code).toBe(2)
    expect(noToken.stderr).toContain('--token or ISN_TOKEN')
    const missing = await upload(path.join(dir, 'nope.json'))
    expect(missing.code).toBe(5)
    const down = await upload(at, ['--url', 'http://127.0.0.1:9'])
    expect(down.code).toBe(4)
  }, 60_000)

  it('prints each warning of a file accepted with warnings (trivy-style SPDX 2.2)', async () => {
    const result = await upload(file('image.spdx.json', trivyStyleSpdx(4)))
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(
      /^Stored SPDX 2\.2 SBOM with 2 components as upload \d+ of Gateway 1\.0\.0; it is the current SBOM\. Accepted with 9 warnings about/,
    )
    expect(lines[2]).toBe('  2 components, 1 dependencies, made by trivy')
    expect(lines.slice(3)).toEqual([
      '  warning: 2 packages leave out downloadLocation, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
      '  warning: 2 packages leave out copyrightText, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
      '  warning: 1 package leaves out licenseConcluded, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
      '  warning: 1 package leaves out licenseDeclared, which SPDX 2.2 requires; read as NOASSERTION (the first at /packages/0)',
      '  warning: 1 file leaves out checksums, which SPDX 2.2 requires; files are not read, so nothing is checked against them (the first at /files/0)',
      '  warning: 1 file leaves out copyrightText, which SPDX 2.2 requires; files are not read (the first at /files/0)',
      '  warning: 1 file leaves out licenseConcluded, which SPDX 2.2 requires; files are not read (the first at /files/0)',
      '  warning: 1 file leaves out licenseInfoInFiles, which SPDX 2.2 requires; files are not read (the first at /files/0)',
      '  warning: 1 relationship has the type DESCRIBE, which SPDX does not define; read as DESCRIBES (the first at /relationships/0/relationshipType)',
    ])
  }, 60_000)
})
