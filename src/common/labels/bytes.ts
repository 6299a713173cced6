import { base64url } from 'jose'

// Text to bytes on the verifier's hot path (`verify.ts`). Where Node's Buffer exists (the server,
// the CLI) it does both natively, several times faster than the portable code and with one
// allocation instead of several; the browser gets the portable code. Same results either way.

interface BufferLike {
  from(text: string, encoding: 'base64url' | 'latin1'): Uint8Array
  allocUnsafe(size: number): Uint8Array & {
    write(text: string, offset: number, length: number, encoding: 'latin1'): number
  }
}
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer

const encoder = new TextEncoder()

/**
 * The bytes of base64url text that the caller has already checked holds only base64url
 * characters (`[A-Za-z0-9_-]`). Like jose's decoder, a length of 1 modulo 4 cannot be base64.
 * @throws TypeError when it cannot be base64url
 */
export function decodeBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new TypeError('not base64url')
  return NodeBuffer ? NodeBuffer.from(text, 'base64url') : base64url.decode(text)
}

/** The bytes of text the caller has already checked is ASCII (as JWS signing input is). */
export function asciiBytes(text: string): Uint8Array {
  return NodeBuffer ? NodeBuffer.from(text, 'latin1') : encoder.encode(text)
}

let scratch: ReturnType<BufferLike['allocUnsafe']> | Uint8Array | undefined

/**
 * `asciiBytes(text.slice(0, end))` in a buffer that the next call overwrites: only for a use that
 * is over before the caller returns (a synchronous signature check), never kept or awaited.
 */
export function temporaryAsciiBytes(text: string, end: number): Uint8Array {
  if (!scratch || scratch.length < end) {
    const size = Math.max(end, 16_384)
    scratch = NodeBuffer ? NodeBuffer.allocUnsafe(size) : new Uint8Array(size)
  }
  if ('write' in scratch) scratch.write(text, 0, end, 'latin1')
  else encoder.encodeInto(text.slice(0, end), scratch)
  return scratch.subarray(0, end)
}
