import fc from 'fast-check'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDb, type TestDb } from '../testing/test-db.ts'
import { insertRows } from './dialect.ts'

interface Probe {
  id: number
  label: string
  note: string | null
  count: number
  ratio: number
  blob: Buffer | null
  fallback: string
}
interface ProbeDb {
  probe: Probe
}

describe('insertRows', () => {
  let t: TestDb
  let db: Kysely<ProbeDb>
  let nextId = 1
  const row = (label: string, extra: Partial<Probe> = {}) => ({
    id: nextId++,
    label,
    note: null,
    count: 7,
    ratio: 0.25,
    fallback: 'given',
    ...extra,
  })
  const read = async (ids: number[]) =>
    (
      await db
        .selectFrom('probe')
        .selectAll()
        .where('id', 'in', ids.length > 0 ? ids : [-1])
        .execute()
    ).sort((a, b) => a.id - b.id)

  beforeAll(async () => {
    t = await createTestDb()
    db = t.db as unknown as Kysely<ProbeDb>
    await db.schema
      .createTable('probe')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('ratio', t.dialect === 'postgres' ? 'double precision' : 'real', (c) =>
        c.notNull(),
      )
      .addColumn('blob', t.dialect === 'postgres' ? 'bytea' : 'blob')
      .addColumn('fallback', 'text', (c) => c.notNull().defaultTo('default'))
      .execute()
  })
  afterAll(async () => t.destroy())

  it('stores any text exactly, whatever an array literal would have to escape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), fc.option(fc.string())), {
          minLength: 1,
          maxLength: 20,
        }),
        async (pairs) => {
          const rows = pairs.map(([label, note]) =>
            // PostgreSQL text cannot hold NUL.
            row(label.replaceAll('\0', ''), { note: note?.replaceAll('\0', '') ?? null }),
          )
          await insertRows(db, 'probe', rows)
          const back = await read(rows.map((r) => r.id))
          expect(back.map((r) => [r.label, r.note])).toEqual(rows.map((r) => [r.label, r.note]))
        },
      ),
      { numRuns: 40 },
    )
    const hostile = ['{}', '{"a","b"}', 'NULL', 'null', '"', '\\', "'", ',', ' ', '', 'a\tb\nc']
    const rows = hostile.map((label) => row(label, { note: label }))
    await insertRows(db, 'probe', rows)
    expect((await read(rows.map((r) => r.id))).map((r) => [r.label, r.note])).toEqual(
      hostile.map((h) => [h, h]),
    )
  })

  it('keeps numbers and nulls, and inserts more rows than one statement takes', async () => {
    const rows = Array.from({ length: 12_345 }, (_, i) =>
      row(`row ${i}`, { count: i, ratio: i / 8, note: i % 3 === 0 ? null : `n${i}` }),
    )
    await insertRows(db, 'probe', rows)
    const back = await read([rows[0]!.id, rows[5_000]!.id, rows.at(-1)!.id])
    expect(back.map((r) => [r.count, Number(r.ratio), r.note])).toEqual([
      [0, 0, null],
      [5_000, 625, 'n5000'],
      [12_344, 1543, 'n12344'],
    ])
    const { n } = await db
      .selectFrom('probe')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('label', 'like', 'row %')
      .executeTakeFirstOrThrow()
    expect(Number(n)).toBe(12_345)
  })

  it('leaves an absent column to its default, and takes Buffers, as plain VALUES would', async () => {
    const { fallback: _dropped, ...withoutFallback } = row('defaulted')
    const withBlob = row('blob', { blob: Buffer.from([0, 1, 2, 255]) })
    await insertRows(db, 'probe', [withoutFallback] as never)
    await insertRows(db, 'probe', [withBlob])
    const back = await read([withoutFallback.id, withBlob.id])
    expect(back[0]!.fallback).toBe('default')
    expect(Buffer.from(back[1]!.blob!)).toEqual(Buffer.from([0, 1, 2, 255]))
  })

  it('applies what modify adds (an upsert) and rolls back whole with its transaction', async () => {
    const first = row('before')
    await insertRows(db, 'probe', [first])
    await insertRows(db, 'probe', [{ ...first, label: 'after' }], (insert) =>
      insert.onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({ label: eb.ref('excluded.label') })),
      ),
    )
    expect((await read([first.id]))[0]!.label).toBe('after')

    const doomed = [row('doomed'), row('doomed too')]
    await expect(
      db.transaction().execute(async (trx) => {
        await insertRows<ProbeDb, 'probe'>(trx, 'probe', doomed)
        await insertRows<ProbeDb, 'probe'>(trx, 'probe', [first]) // duplicate key
      }),
    ).rejects.toThrow()
    expect(await read(doomed.map((r) => r.id))).toEqual([])
  })
})
