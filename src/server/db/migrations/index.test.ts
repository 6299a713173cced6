import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { migrations } from './index.ts'

describe('the migration list', () => {
  it('is in name order, so that a new migration always runs after the ones before it', () => {
    // Kysely runs migrations sorted by name and refuses a database that ran a later one first.
    const names = Object.keys(migrations)
    expect(names).toEqual([...names].sort())
    for (const name of names) expect(name).toMatch(/^\d{4}_\d{2}_\d{2}_\d{4}_[a-z_]+$/)
  })

  it('lists every migration file, under the file name', () => {
    const dir = path.dirname(fileURLToPath(import.meta.url))
    const files = fs
      .readdirSync(dir)
      .filter((name) => /^\d{4}_.*\.ts$/.test(name) && !name.endsWith('.test.ts'))
      .map((name) => name.replace(/\.ts$/, ''))
    expect(Object.keys(migrations).sort()).toEqual(files.sort())
  })
})
