/**
 * `values` in consecutive slices of at most `size`: for `in (…)` lists and multi-row inserts,
 * which must stay under SQLite's (32,766) and PostgreSQL's (65,535) bound-parameter limits.
 */
export function chunksOf<T>(values: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size ${size}`)
  const out: T[][] = []
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size))
  return out
}
