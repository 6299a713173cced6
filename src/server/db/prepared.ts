import { CompiledQuery, type Kysely } from 'kysely'

const PLACEHOLDER = '\u0000isn-prepared-argument-'

/**
 * A query that Kysely builds and compiles once per database handle instead of on every call.
 * The builder is called with placeholder values; each call then swaps the real arguments into
 * the compiled parameters. For the few queries on every authenticated request only: building
 * and compiling them was about 15 % of a read's CPU (docs/performance.md).
 */
export function preparedQuery<DB, A extends string[], R>(
  build: (db: Kysely<DB>, ...args: A) => { compile(): CompiledQuery<R> },
): (db: Kysely<DB>, ...args: A) => Promise<R | undefined> {
  const compiled = new WeakMap<Kysely<DB>, CompiledQuery<R>>()
  const placeholder = (index: number) => `${PLACEHOLDER}${index}\u0000`
  return async (db, ...args) => {
    let query = compiled.get(db)
    if (!query) {
      query = build(db, ...(args.map((_, index) => placeholder(index)) as A)).compile()
      compiled.set(db, query)
    }
    const parameters = query.parameters.map((value) => {
      const index =
        typeof value === 'string' && value.startsWith(PLACEHOLDER)
          ? Number(value.slice(PLACEHOLDER.length, -1))
          : -1
      return index >= 0 ? args[index] : value
    })
    const result = await db.executeQuery<R>(CompiledQuery.raw(query.sql, parameters))
    return result.rows[0]
  }
}
