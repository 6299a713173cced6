import { importJWK } from 'jose'
import type { Jwks } from '../api/labels.ts'

type VerifyKey = Awaited<ReturnType<typeof importJWK>>

/**
 * The keys a verifier trusts, from a JWKS (the network's `/.well-known/jwks.json`, live or
 * saved). Only Ed25519 public keys are taken; each is imported once, on first use.
 */
export class LabelKeySet {
  readonly #jwks = new Map<string, Jwks['keys'][number]>()
  readonly #imported = new Map<string, Promise<VerifyKey | undefined>>()

  constructor(jwks: Jwks) {
    for (const key of jwks.keys) this.#jwks.set(key.kid, key)
  }

  /**
   * Reads a JWKS document from untrusted JSON; keys that are not Ed25519 public keys with a kid
   * are left out (private parts are never read).
   * @throws Error when the document is not a JWKS
   */
  static fromJson(json: unknown): LabelKeySet {
    const keys = (json as { keys?: unknown } | null)?.keys
    if (!Array.isArray(keys)) throw new Error('not a JWKS: no "keys" array')
    const usable = keys.flatMap((k: Record<string, unknown>) =>
      k &&
      k.kty === 'OKP' &&
      k.crv === 'Ed25519' &&
      typeof k.x === 'string' &&
      typeof k.kid === 'string' &&
      (k.alg === undefined || k.alg === 'EdDSA')
        ? [
            {
              kty: 'OKP' as const,
              crv: 'Ed25519' as const,
              x: k.x,
              kid: k.kid,
              alg: 'EdDSA' as const,
              use: 'sig' as const,
            },
          ]
        : [],
    )
    return new LabelKeySet({ keys: usable })
  }

  has(kid: string): boolean {
    return this.#jwks.has(kid)
  }

  get kids(): string[] {
    return [...this.#jwks.keys()]
  }

  /** The key for `kid`, or undefined when the set has none (or it does not import). */
  get(kid: string): Promise<VerifyKey | undefined> {
    let imported = this.#imported.get(kid)
    if (!imported) {
      const jwk = this.#jwks.get(kid)
      imported = jwk
        ? importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'EdDSA').catch(() => undefined)
        : Promise.resolve(undefined)
      this.#imported.set(kid, imported)
    }
    return imported
  }
}
