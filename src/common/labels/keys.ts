import { importJWK } from 'jose'
import type { Jwks, LabelRecord } from '../api/labels.ts'

type VerifyKey = Awaited<ReturnType<typeof importJWK>>

/** What a genuine label verified to: its key and signed record (see `LabelKeySet.remembered`). */
export interface GenuineLabel {
  kid: string
  record: LabelRecord
}

/** How many genuine labels a key set remembers by default (about 5 KB each). */
const DEFAULT_REMEMBERED = 4096

/** An Ed25519 public key as a JWK (the parts a verifier needs). */
export interface Ed25519PublicJwk {
  kty: 'OKP'
  crv: 'Ed25519'
  x: string
}

/** Checks Ed25519 signatures under one public key. */
export type SignatureCheck = (data: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean>

export interface LabelKeySetOptions {
  /** How many genuine labels to remember (0: none); see the class comment. */
  remember?: number
  /**
   * Makes the signature check of one key; undefined when the key cannot be used. Default: Web
   * Crypto (`crypto.subtle.verify`). The CLI passes Node's synchronous `crypto.verify`, which
   * costs less CPU per label than Web Crypto's round trip through the thread pool and lets each
   * of its worker threads keep one core busy (docs/performance.md, "Label verification").
   */
  signatureCheck?: (jwk: Ed25519PublicJwk) => SignatureCheck | undefined
}

/** The default signature check: Web Crypto, in the browser and in Node alike. */
async function webCryptoCheck(jwk: Ed25519PublicJwk): Promise<SignatureCheck | undefined> {
  const key = await importJWK({ ...jwk }, 'EdDSA').catch(() => undefined)
  if (!key || !(key instanceof CryptoKey) || key.algorithm.name !== 'Ed25519') return undefined
  return (data, signature) =>
    crypto.subtle.verify(
      'Ed25519',
      key,
      signature as Uint8Array<ArrayBuffer>,
      data as Uint8Array<ArrayBuffer>,
    )
}

/**
 * The keys a verifier trusts, from a JWKS (the network's `/.well-known/jwks.json`, live or
 * saved). Only Ed25519 public keys are taken; each is imported once, on first use.
 *
 * A key set is immutable, so a label whose signature and record held under it holds again: the
 * set remembers the last `remember` genuine labels by their exact text, and `verifyLabel` then
 * skips the signature check (≈ 100 µs of CPU for Ed25519, most of a verification) and the record
 * check. Only genuine labels are remembered, so the memory is bounded by labels someone issued.
 */
export class LabelKeySet {
  readonly #jwks = new Map<string, Jwks['keys'][number]>()
  readonly #imported = new Map<string, Promise<VerifyKey | undefined>>()
  readonly #checks = new Map<string, SignatureCheck | null | Promise<SignatureCheck | undefined>>()
  readonly #signatureCheck: LabelKeySetOptions['signatureCheck']
  readonly #genuine = new Map<string, GenuineLabel & { token: string }>()
  readonly #checking = new Map<string, { token: string; outcome: Promise<unknown> }>()
  readonly #remember: number

  constructor(jwks: Jwks, options: LabelKeySetOptions = {}) {
    for (const key of jwks.keys) this.#jwks.set(key.kid, key)
    this.#remember = options.remember ?? DEFAULT_REMEMBERED
    this.#signatureCheck = options.signatureCheck
  }

  /**
   * Reads a JWKS document from untrusted JSON; keys that are not Ed25519 public keys with a kid
   * are left out (private parts are never read).
   * @throws Error when the document is not a JWKS
   */
  static fromJson(json: unknown, options: LabelKeySetOptions = {}): LabelKeySet {
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
    return new LabelKeySet({ keys: usable }, options)
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

  /**
   * Checks an Ed25519 signature under the key `kid`, with the set's `signatureCheck` (by default
   * Web Crypto: in Node it runs on the thread pool, so many checks in flight use every core).
   * False when the key is unknown or unusable.
   */
  async verifySignature(kid: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    const check = this.#checkOf(kid)
    const ready = typeof check === 'function' || check === null ? check : await check
    return ready ? ready(data, signature) : false
  }

  /**
   * `verifySignature` for a set whose `signatureCheck` answers synchronously: the answer at once.
   * False when the key is unknown or unusable.
   * @throws Error when the check is not synchronous (the default Web Crypto one is not)
   */
  verifySignatureSync(kid: string, data: Uint8Array, signature: Uint8Array): boolean {
    const check = this.#checkOf(kid)
    if (check === null) return false
    const asynchronous = () => new Error('this key set checks signatures asynchronously')
    if (typeof check !== 'function') throw asynchronous()
    const answer = check(data, signature)
    if (typeof answer !== 'boolean') {
      // Nobody waits for it; a rejection must not go unhandled.
      answer.catch(() => {})
      throw asynchronous()
    }
    return answer
  }

  /** The signature check of `kid`, made on first use: null when the key is unknown or unusable. */
  #checkOf(kid: string): SignatureCheck | null | Promise<SignatureCheck | undefined> {
    let check = this.#checks.get(kid)
    if (check === undefined) {
      const jwk = this.#jwks.get(kid)
      const publicJwk = jwk && { kty: jwk.kty, crv: jwk.crv, x: jwk.x }
      const make = this.#signatureCheck
      if (!publicJwk) check = null
      else if (make) check = safely(() => make(publicJwk)) ?? null
      else check = webCryptoCheck(publicJwk)
      this.#checks.set(kid, check)
    }
    return check
  }

  /** A genuine label seen before under this set, when `token` is exactly its text. */
  remembered(signature: string, token: string): GenuineLabel | undefined {
    const entry = this.#genuine.get(signature)
    return entry && entry.token === token ? entry : undefined
  }

  /**
   * Runs `check` for `token`, or joins the check of the same token already in flight, so that a
   * burst of requests for one label verifies its signature once. Callers must not change what
   * they get.
   */
  checkOnce<T>(signature: string, token: string, check: () => Promise<T>): Promise<T> {
    const running = this.#checking.get(signature)
    if (running && running.token === token) return running.outcome as Promise<T>
    const outcome = check().finally(() => {
      if (this.#checking.get(signature)?.outcome === outcome) this.#checking.delete(signature)
    })
    this.#checking.set(signature, { token, outcome })
    return outcome
  }

  /** Remembers a label whose signature and record held (see the class comment). */
  remember(signature: string, token: string, genuine: GenuineLabel): void {
    if (this.#remember <= 0) return
    if (this.#genuine.size >= this.#remember) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = this.#genuine.keys().next()
      if (!oldest.done) this.#genuine.delete(oldest.value)
    }
    this.#genuine.set(signature, { ...genuine, token })
  }
}

/** `make()`, or undefined when it throws (a key that does not import verifies nothing). */
function safely<T>(make: () => T): T | undefined {
  try {
    return make()
  } catch {
    return undefined
  }
}
