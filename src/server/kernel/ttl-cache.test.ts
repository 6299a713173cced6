import { describe, expect, it } from 'vitest'
import { TtlCache } from './ttl-cache.ts'

/** A cache of 1,000 entries stored together at time 0, with a TTL of 1,000. */
function storedTogether() {
  const cache = new TtlCache<number>(1_000, 10_000)
  for (let i = 0; i < 1_000; i++) cache.set(`k${i}`, i, 0, cache.epoch())
  // Expired entries are dropped as they are read, so later counts see only survivors.
  const alive = (now: number) =>
    Array.from({ length: 1_000 }, (_, i) => cache.get(`k${i}`, now)).filter((v) => v !== undefined)
      .length
  return alive
}

describe('TtlCache', () => {
  it('keeps an entry for at least three quarters of the TTL and never beyond it', () => {
    const alive = storedTogether()
    expect(alive(0)).toBe(1_000)
    expect(alive(749)).toBe(1_000)
    expect(alive(1_000)).toBe(0)
  })

  it('spreads the expiry of entries stored together over the last quarter of the TTL', () => {
    const survivorsAt = storedTogether()
    const atSeventhEighth = survivorsAt(875)
    // Uniform over [750, 1000): about half are gone at 875 (10 standard deviations of room).
    expect(atSeventhEighth).toBeGreaterThan(340)
    expect(atSeventhEighth).toBeLessThan(660)
    expect(survivorsAt(990)).toBeLessThan(atSeventhEighth)
  })

  it('drops a load that raced an invalidation, and ages by the caller’s clock', () => {
    const cache = new TtlCache<string>(1_000, 10)
    const epoch = cache.epoch()
    cache.delete('a') // a writer invalidates while the load runs
    cache.set('a', 'stale', 0, epoch)
    expect(cache.get('a', 1)).toBeUndefined()
    cache.set('a', 'fresh', 100, cache.epoch())
    expect(cache.get('a', 50)).toBeUndefined() // a clock that went back
    cache.set('a', 'fresh', 100, cache.epoch())
    expect(cache.get('a', 200)).toBe('fresh')
    cache.update('a', 'updated')
    expect(cache.get('a', 300)).toBe('updated')
  })

  it('evicts the oldest entry when full, and deletes by predicate', () => {
    const cache = new TtlCache<number>(1_000, 3)
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) cache.set(key, i, 0, cache.epoch())
    expect(cache.size).toBe(3)
    expect(cache.get('a', 1)).toBeUndefined()
    expect(cache.get('d', 1)).toBe(3)
    cache.deleteWhere((value) => value >= 2)
    expect([cache.get('b', 1), cache.get('c', 1), cache.get('d', 1)]).toEqual([
      1,
      undefined,
      undefined,
    ])
    cache.clear()
    expect(cache.size).toBe(0)
  })
})
