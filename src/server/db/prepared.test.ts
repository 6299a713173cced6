import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDb, type TestDb } from '../testing/test-db.ts'
import type { Db } from './database.ts'
import { preparedQuery } from './prepared.ts'

describe('preparedQuery', () => {
  let t: TestDb
  const findSetting = preparedQuery((db: Db, key: string, prefix: string) =>
    db
      .selectFrom('settings')
      .select(['key', 'value'])
      .where('key', '=', key)
      .where('value', 'like', prefix),
  )

  beforeAll(async () => {
    t = await createTestDb()
    await t.db
      .insertInto('settings')
      .values(
        ['a', 'b', 'c'].map((key) => ({
          key,
          value: `value-${key}`,
          updated_at: '2026-01-01T00:00:00.000Z',
          updated_by: null,
        })),
      )
      .execute()
  })
  afterAll(async () => t.destroy())

  it('compiles once and answers each call with its own arguments', async () => {
    expect(await findSetting(t.db, 'a', 'value-%')).toEqual({ key: 'a', value: 'value-a' })
    expect(await findSetting(t.db, 'c', 'value-%')).toEqual({ key: 'c', value: 'value-c' })
    expect(await findSetting(t.db, 'c', 'other-%')).toBeUndefined()
    expect(await findSetting(t.db, 'zzz', 'value-%')).toBeUndefined()
  })

  it('works inside a transaction and with hostile argument text', async () => {
    await t.db.transaction().execute(async (trx) => {
      expect(await findSetting(trx, 'b', 'value-%')).toEqual({ key: 'b', value: 'value-b' })
    })
    expect(await findSetting(t.db, "a' or '1'='1", '%')).toBeUndefined()
  })
})
