import fs from 'node:fs'
import path from 'node:path'
import { zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bytesOf,
  csafIcsDocument,
  kevCatalogue,
  osvGoRecord,
  osvPypiRecord,
} from '../server/modules/advisories/testing.ts'
import { TEST_DIALECT } from '../server/testing/test-db.ts'
import { cliWorkspace, isn } from './testing.ts'

describe(`isn advisories import on ${TEST_DIALECT}`, () => {
  const workspace = cliWorkspace('advisories')
  const { dir, env } = workspace
  const write = (name: string, content: Buffer | string) => {
    const at = path.join(dir, name)
    fs.mkdirSync(path.dirname(at), { recursive: true })
    fs.writeFileSync(at, content)
    return at
  }

  beforeAll(() => workspace.create())
  afterAll(() => workspace.destroy())

  it('imports a directory, prints a summary table, and finds nothing new the second time', async () => {
    write('feeds/go.json', bytesOf(osvGoRecord()))
    write('feeds/icsa.json', bytesOf(csafIcsDocument()))
    write('feeds/kev.json', bytesOf(kevCatalogue('2025.08.25', '2025-08-25T12:00:00Z')))
    const first = await isn(['advisories', 'import', path.join(dir, 'feeds')], env)
    expect(first.stderr).not.toContain('error')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^Import #1 of .*feeds \(directory\): succeeded/)
    expect(first.stdout).toMatch(/ {2}new +5\n/)
    const again = await isn(['advisories', 'import', path.join(dir, 'feeds'), '--json'], env)
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({
      importId: 2,
      status: 'succeeded',
      counts: { new: 0, changed: 0, unchanged: 5 },
    })
  })

  it('exits 1 and names the file and pointer when records are refused, importing the rest', async () => {
    const zip = zipSync({
      'PYSEC-2021-98.json': bytesOf(osvPypiRecord()),
      'bad.json': bytesOf({ ...osvGoRecord({ id: 'GO-2099-0002' }), modified: 42 }),
    })
    const result = await isn(
      ['advisories', 'import', write('pypi.zip', Buffer.from(zip)), '--format', 'osv'],
      env,
    )
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('(zip): partial')
    expect(result.stdout).toContain('  bad.json /modified: must be of type string')
    expect(result.stdout).toMatch(/ {2}new +1\n/)
  })

  it('exits 2 for a corrupt zip or a bad --format, 5 for a missing path', async () => {
    const corrupt = await isn(
      ['advisories', 'import', write('corrupt.zip', Buffer.from('PK\u0003\u0004 truncated'))],
      env,
    )
    expect(corrupt.code).toBe(2)
    expect(corrupt.stderr).toMatch(/^error: .*corrupt\.zip is not a readable zip archive/)
    const format = await isn(['advisories', 'import', dir, '--format', 'yaml'], env)
    expect(format.code).toBe(2)
    const missing = await isn(['advisories', 'import', path.join(dir, 'nope')], env)
    expect(missing.code).toBe(5)
    expect(missing.stderr).toContain('does not exist')
  })
})
