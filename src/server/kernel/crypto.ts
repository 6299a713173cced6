import crypto from 'node:crypto'

/** A new random identifier for rows. */
export function newId(): string {
  return crypto.randomUUID()
}

/** 256 bits of randomness as base64url: session cookies, one-time links, API token secrets. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url')
}

/**
 * Tokens are random and high-entropy, so a plain SHA-256 is the right way to store them: it is
 * one-way, and lookups by hash stay indexable (unlike a salted password hash). `crypto.hash` is
 * the one-shot form: it runs on every authenticated request, and costs a third of a Hash object.
 */
export function hashToken(token: string): string {
  return crypto.hash('sha256', token, 'hex')
}

/** SHA-256 as hex, one-shot (audit chains hash one entry per change, thousands per batch). */
export function sha256Hex(data: string | Buffer): string {
  return crypto.hash('sha256', data, 'hex')
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && crypto.timingSafeEqual(left, right)
}

/**
 * Secrets at rest (signing keys, TOTP secrets) are sealed with AES-256-GCM under a key derived
 * from the instance secret. Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
 */
export class SecretBox {
  readonly #key: Buffer
  constructor(secret: string) {
    this.#key = Buffer.from(crypto.hkdfSync('sha256', secret, 'isn-secret-box', 'aes-256-gcm', 32))
  }
  seal(plaintext: string): string {
    const iv = crypto.randomBytes(12)
    const cipher = crypto.createCipheriv('aes-256-gcm', this.#key, iv)
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return ['v1', iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.')
  }
  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.')
    if (version !== 'v1' || !iv || !tag || data === undefined) {
      throw new Error('Not a sealed secret')
    }
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8')
  }
}

const processTag = crypto.randomBytes(6).toString('hex')
let requestCounter = 0

/**
 * A request id unique across processes: a random tag drawn once per process and a counter. It
 * needs no secrecy, only uniqueness, and is made for every request, where a UUID's randomness
 * showed in profiles.
 */
export function newRequestId(): string {
  requestCounter += 1
  return `${processTag}-${requestCounter.toString(36)}`
}
