import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../server/kernel/paths.ts'

// bin/isn-label-verify.js runs the bundle of `isn label verify` with V8's code cache. V8 checks
// only the source's length against a cache, so the cache must follow the bundle's content.
describe('the code cache of the label verifier’s bundle', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-loader-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, 'bin'))
  fs.mkdirSync(path.join(dir, 'dist'))
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }')
  fs.copyFileSync(
    path.join(PROJECT_ROOT, 'bin/isn-label-verify.js'),
    path.join(dir, 'bin/isn-label-verify.js'),
  )
  const bundle = (word: string) =>
    fs.writeFileSync(
      path.join(dir, 'dist/isn-label-verify.cjs'),
      `exports.main = async (url) => { console.log('${word}', url.href.endsWith('/bin/isn-label-verify.js')) }\n`,
    )
  const run = () =>
    spawnSync(process.execPath, [path.join(dir, 'bin/isn-label-verify.js')], { encoding: 'utf8' })
  const caches = () => fs.readdirSync(path.join(dir, 'dist')).filter((f) => f.endsWith('.v8cache'))

  it('is made by the first run, used by the next, and never used for another bundle', () => {
    bundle('first')
    expect(run().stdout).toBe('first true\n')
    const [made] = caches()
    expect(made).toMatch(/^isn-label-verify\.[0-9a-f]{24}\.v8cache$/)
    const written = fs.statSync(path.join(dir, 'dist', made!)).mtimeMs
    expect(run().stdout).toBe('first true\n')
    // Accepted, so not written again.
    expect(caches()).toEqual([made])
    expect(fs.statSync(path.join(dir, 'dist', made!)).mtimeMs).toBe(written)
    // Another bundle of the same length: its own cache, the old one removed.
    bundle('other')
    expect(run().stdout).toBe('other true\n')
    expect(caches()).toHaveLength(1)
    expect(caches()[0]).not.toBe(made)
    // A damaged cache is not used, and made again.
    fs.writeFileSync(path.join(dir, 'dist', caches()[0]!), 'not a cache')
    expect(run().stdout).toBe('other true\n')
    expect(fs.statSync(path.join(dir, 'dist', caches()[0]!)).size).toBeGreaterThan(100)
  })
})
