import net from 'node:net'
import { AppError } from '../../../common/errors.ts'

/**
 * Addresses a webhook must never reach unless the operator allows it (WEBHOOKS_ALLOW_PRIVATE_NETWORKS):
 * loopback, private, link-local (cloud metadata services live there), carrier-grade NAT, unspecified
 * and multicast. Otherwise anyone who can register a webhook could make the platform call into
 * the network it runs in.
 */
const BLOCKED = new net.BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6')
}

/** True when the address is one a webhook may not reach by default. */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4')
  const family = net.isIP(address)
  if (family === 4) return BLOCKED.check(address, 'ipv4')
  if (family === 6) return BLOCKED.check(address, 'ipv6')
  return true
}

function refuse(message: string): never {
  throw new AppError('validation_failed', message, {
    details: [{ in: 'body', pointer: '/url', message }],
  })
}

/**
 * Checks a webhook URL when it is registered: https, no credentials, and not an address on a
 * private network. The address a name resolves to is checked again at every delivery.
 * @throws validation_failed
 */
export function checkWebhookUrl(raw: string, allowPrivateNetworks: boolean): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return refuse('is not a URL')
  }
  if (url.protocol !== 'https:' && !(allowPrivateNetworks && url.protocol === 'http:')) {
    refuse('must be an https:// URL')
  }
  if (url.username || url.password) refuse('must not carry a user name or password')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (net.isIP(host) && isBlockedAddress(host) && !allowPrivateNetworks) {
    refuse('points to a private or local network address')
  }
  if (!net.isIP(host) && /^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host)) {
    if (!allowPrivateNetworks) refuse('points to a local host name')
  }
  return url
}
