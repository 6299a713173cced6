// `npx tsx bench/registry-search.ts [--labels 100000] [--runs 20]`, with TEST_DIALECT=sqlite
// (default, in memory) or TEST_DIALECT=postgres (a fresh schema of TEST_POSTGRES_URL).
// Seeds a registry of generated labels and prints the p50/p95 of registry searches as JSON.
// One label is issued and signed for real; the others copy its row with generated registry
// columns (signing 100,000 labels would measure signing, not search).
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { DEVICE_CLASSES, VERIFICATION_STRENGTHS } from '../src/common/framework.ts'
import type { RegistryQuery } from '../src/common/api/registry.ts'
import { systemActor } from '../src/server/kernel/actor.ts'
import { loadFrameworkFromFiles } from '../src/server/modules/framework/framework.service.ts'
import { issueLabel } from '../src/server/modules/labels/labels.service.ts'
import { sampleLabelInput } from '../src/server/modules/labels/testing.ts'
import { searchRegistry } from '../src/server/modules/registry/registry.service.ts'
import { createTestContext } from '../src/server/testing/test-app.ts'

const { values } = parseArgs({
  options: {
    labels: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '20' },
  },
})
const LABELS = Number(values.labels)
const RUNS = Number(values.runs)

const QUERIES: Record<string, RegistryQuery> = {
  'no filter': {},
  'device class and tier': { deviceClass: 'gateway', tier: 3 },
  status: { status: 'suspended' },
  'standard, reached by most': { standard: 'uk-psti' },
  'standard level, reached by few': { standard: 'sg-cls:4' },
  'one word': { q: 'valve' },
  manufacturer: { manufacturer: 'maker 42 ' },
  'model number, one match': { q: 'm-4242' },
  'page 250': { offset: 5000 },
}

/** A small deterministic generator, so every run seeds the same registry. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

async function main() {
  const { ctx, testDb } = await createTestContext()
  try {
    await loadFrameworkFromFiles(ctx)
    const template = await issueLabel(ctx, { actor: systemActor('bench') }, sampleLabelInput())
    const row = await ctx.db
      .selectFrom('labels')
      .selectAll()
      .where('id', '=', template.id)
      .executeTakeFirstOrThrow()
    const next = random(42)
    const words = ['Sensor', 'Gateway', 'Logic', 'Edge', 'Pump', 'Valve', 'Meter', 'Drive']
    const started = performance.now()
    for (let first = 1; first <= LABELS; first += 500) {
      const rows = []
      for (let i = first; i < first + 500 && i <= LABELS; i++) {
        const name = `${words[i % words.length]} ${i}`
        const maker = `Maker ${Math.floor(next() * 500)} Industrial`
        const tier = 1 + Math.floor(next() * 4)
        const deviceClass = DEVICE_CLASSES[Math.floor(next() * DEVICE_CLASSES.length)]!
        const strength = VERIFICATION_STRENGTHS[Math.floor(next() * VERIFICATION_STRENGTHS.length)]!
        rows.push({
          ...row,
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          status_index: i,
          product_name: name,
          manufacturer_name: maker,
          tier,
          device_class: deviceClass,
          profile: deviceClass,
          verification_strength: strength,
          status: next() < 0.02 ? ('suspended' as const) : ('active' as const),
          issued_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
          search_text: `${name} ${maker} M-${i} 1.${i % 10}.0`.toLowerCase(),
          coverage_key: [row.framework_version, tier, deviceClass, strength].join('|'),
        })
      }
      await ctx.db.insertInto('labels').values(rows).execute()
    }
    const seedMs = performance.now() - started
    if (testDb.dialect === 'postgres') await sql`analyze labels`.execute(ctx.db)

    const results: Record<string, { p50: number; p95: number; total: number }> = {}
    for (const [name, query] of Object.entries(QUERIES)) {
      const times: number[] = []
      // The first search of a standard works out the framework's coverage once per process.
      let total = (await searchRegistry(ctx, query)).total
      for (let run = 0; run < RUNS; run++) {
        const t0 = performance.now()
        total = (await searchRegistry(ctx, query)).total
        times.push(performance.now() - t0)
      }
      times.sort((a, b) => a - b)
      const at = (q: number) =>
        Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10
      results[name] = { p50: at(0.5), p95: at(0.95), total }
    }
    process.stdout.write(
      `${JSON.stringify({ dialect: testDb.dialect, labels: LABELS + 1, runs: RUNS, seedMs: Math.round(seedMs), results }, null, 2)}\n`,
    )
  } finally {
    await testDb.destroy()
  }
}

await main()
