import { Secret, TOTP } from 'otpauth'

const ISSUER = 'IIoT Safety Network'
const PERIOD_SECONDS = 30

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

function totpFor(secret: string, email: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label: email,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  })
}

export async function describeTotp(
  secret: string,
  email: string,
): Promise<{ otpauthUrl: string; qrSvg: string }> {
  const otpauthUrl = totpFor(secret, email).toString()
  return {
    otpauthUrl,
    qrSvg: await (await import('qrcode')).default.toString(otpauthUrl, { type: 'svg', margin: 1 }),
  }
}

/**
 * Checks a code, allowing one step of clock drift either way. Returns the time step the code
 * belongs to, or undefined. Callers refuse steps at or before the last accepted one (replay).
 */
export function matchTotpStep(
  secret: string,
  email: string,
  code: string,
  at: Date,
): number | undefined {
  const delta = totpFor(secret, email).validate({ token: code, timestamp: at.getTime(), window: 1 })
  if (delta === null) return undefined
  return Math.floor(at.getTime() / 1000 / PERIOD_SECONDS) + delta
}

/** The current code for a secret (tests and the CLI's self-check). */
export function currentTotpCode(secret: string, at: Date): string {
  return new TOTP({ secret: Secret.fromBase32(secret), period: PERIOD_SECONDS }).generate({
    timestamp: at.getTime(),
  })
}
