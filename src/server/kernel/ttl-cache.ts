/**
 * A small per-process cache whose entries live `ttlMs` (measured on the caller's clock, so tests
 * that move a ManualClock also age the cache). Used for what every authenticated request reads:
 * sessions, memberships and organisation records (docs/performance.md).
 *
 * Writers invalidate after their transaction commits. A load that was already running when an
 * invalidation happened may have read the old row, so `set()` drops its result: loaders take
 * `epoch()` before reading and pass it to `set()`.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; storedAt: number }>()
  #epoch = 0

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  /** The cached value, or undefined when absent or older than the TTL. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    const age = now - entry.storedAt
    if (age >= this.ttlMs || age < 0) {
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
    this.#entries.set(key, { value, storedAt: now })
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
