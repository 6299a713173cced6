import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config.ts'
import { newId } from '../../kernel/crypto.ts'
import { startPlatform } from '../../main.ts'
import { TEST_DIALECT, TEST_POSTGRES_URL } from '../../testing/test-db.ts'
import { listSigningKeys } from './keys.service.ts'

describe(`the first start on ${TEST_DIALECT}`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-first-start-'))
  const database = `isn_keys_${newId().replaceAll('-', '').slice(0, 12)}`
  const admin = () => new pg.Client({ connectionString: TEST_POSTGRES_URL })
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true })
    if (TEST_DIALECT !== 'postgres') return
    const client = admin()
    await client.connect()
    await client.query(`drop database if exists ${database} with (force)`)
    await client.end()
  })

  it('generates the label signing key once; later starts keep it', async () => {
    if (TEST_DIALECT === 'postgres') {
      const client = admin()
      await client.connect()
      await client.query(`create database ${database}`)
      await client.end()
    }
    const config = loadConfig({
      DATA_DIR: dir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      JOBS_IN_PROCESS: 'false',
      DATABASE_URL:
        TEST_DIALECT === 'postgres'
          ? TEST_POSTGRES_URL.replace(/\/test$/, `/${database}`)
          : `sqlite:${path.join(dir, 'isn.db')}`,
    })
    const kids: string[][] = []
    for (let start = 0; start < 2; start++) {
      const platform = await startPlatform(config, () => {})
      try {
        kids.push((await listSigningKeys(platform.ctx)).map((k) => `${k.kid} ${k.state}`))
        const jwks = await fetch(`${platform.url}/.well-known/jwks.json`)
        expect((await jwks.json()) as unknown).toMatchObject({
          keys: [{ kid: kids[0]![0]!.split(' ')[0] }],
        })
      } finally {
        await platform.close()
      }
    }
    expect(kids[0]).toEqual([expect.stringMatching(/ active$/)])
    expect(kids[1]).toEqual(kids[0])
  }, 60_000)
})
