/** The share of the TTL an entry's lifetime may fall short of it by (see TtlCache). */
const LIFETIME_JITTER = 0.25

/**
 * A small per-process cache whose entries live at most `ttlMs` (measured on the caller's clock, so tests
 * that move a ManualClock also age the cache). Used for what every authenticated request reads:
 * sessions, memberships and organisation records (docs/performance.md).
 *
 * Writers invalidate after their transaction commits. A load that was already running when an
 * invalidation happened may have read the old row, so `set()` drops its result: loaders take
 * `epoch()` before reading and pass it to `set()`.
 *
 * Each entry lives between 75 % and 100 % of `ttlMs`, drawn when it is stored: entries loaded
 * together (a burst of verifications after a start) would otherwise all expire together and be
 * reloaded in one burst of database reads every `ttlMs`, a latency spike for every request
 * waiting behind it (docs/performance.md, "Label verification").
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; storedAt: number; lifetime: number }>()
  #epoch = 0

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  /** The cached value, or undefined when absent or older than its lifetime. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    const age = now - entry.storedAt
    if (age >= entry.lifetime || age < 0) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  /** Taken before loading a value from the database; see `set()`. */
  epoch(): number {
    return this.#epoch
  }

  /** Stores a loaded value, unless an invalidation happened since `loadedAtEpoch`. */
  set(key: string, value: V, now: number, loadedAtEpoch: number): void {
    if (loadedAtEpoch !== this.#epoch) return
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(key)) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    const lifetime = this.ttlMs * (1 - LIFETIME_JITTER * Math.random())
    this.#entries.set(key, { value, storedAt: now, lifetime })
  }

  /** Updates a cached value in place without changing its age (e.g. a new last-seen time). */
  update(key: string, value: V): void {
    const entry = this.#entries.get(key)
    if (entry) entry.value = value
  }

  delete(key: string): void {
    this.#epoch += 1
    this.#entries.delete(key)
  }

  /** Drops every entry the predicate selects. Invalidation is rare, so a scan is fine. */
  deleteWhere(predicate: (value: V, key: string) => boolean): void {
    this.#epoch += 1
    for (const [key, entry] of this.#entries) {
      if (predicate(entry.value, key)) this.#entries.delete(key)
    }
  }

  clear(): void {
    this.#epoch += 1
    this.#entries.clear()
  }

  get size(): number {
    return this.#entries.size
  }
}
