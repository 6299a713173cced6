import dns from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import net, { type LookupFunction } from 'node:net'
import { VERSION } from '../../kernel/paths.ts'
import { isBlockedAddress } from './url-policy.ts'

export type DeliveryOutcome =
  { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string }

/** A receiver has this long to answer; Standard Webhooks asks receivers to answer quickly. */
const TIMEOUT_MS = 10_000
/** What is read of an answer before it is dropped (it is never stored). */
const MAX_ANSWER_BYTES = 64 * 1024

/**
 * A DNS lookup that refuses private and local addresses. It runs as the connection is made, so a
 * name that resolved to a public address at registration cannot be re-pointed inside the network
 * later (DNS rebinding).
 */
function guardedLookup(allowPrivateNetworks: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: false }, (error, address, family) => {
      if (error) return callback(error, '', 0)
      if (!allowPrivateNetworks && isBlockedAddress(address)) {
        return callback(
          Object.assign(new Error(`${hostname} resolves to a private address (${address})`), {
            code: 'EBLOCKED',
          }),
          '',
          0,
        )
      }
      callback(null, address, family)
    })
  }
}

/**
 * POSTs a signed JSON body. Redirects are not followed (a 3xx is a failed attempt): a receiver
 * that moved must be updated by its owner, and following would bypass the address check.
 */
export function postSignedJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { allowPrivateNetworks: boolean; signal?: AbortSignal },
): Promise<DeliveryOutcome> {
  const target = new URL(url)
  const client = target.protocol === 'https:' ? https : http
  // Node connects to an address literal without a lookup, so such hosts are checked here.
  const literal = target.hostname.replace(/^\[|\]$/g, '')
  if (net.isIP(literal) && !options.allowPrivateNetworks && isBlockedAddress(literal)) {
    return Promise.resolve({
      ok: false,
      statusCode: null,
      error: `${literal} is a private or local address`,
    })
  }
  return new Promise((resolve) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': `iiot-safety-network-webhooks/${VERSION}`,
        },
        lookup: guardedLookup(options.allowPrivateNetworks),
        timeout: TIMEOUT_MS,
        signal: options.signal,
      },
      (response) => {
        const statusCode = response.statusCode ?? 0
        let read = 0
        response.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (read > MAX_ANSWER_BYTES) response.destroy()
        })
        response.on('close', () => {
          resolve(
            statusCode >= 200 && statusCode < 300
              ? { ok: true, statusCode }
              : { ok: false, statusCode, error: `the receiver answered ${statusCode}` },
          )
        })
      },
    )
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)))
    request.on('error', (error) => resolve({ ok: false, statusCode: null, error: error.message }))
    request.end(body)
  })
}
