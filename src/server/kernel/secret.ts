import fs from 'node:fs'
import path from 'node:path'
import { randomToken } from './crypto.ts'

/**
 * The instance secret: from ISN_SECRET, else from `<dataDir>/secret.key`, generated there (mode
 * 0600) on first start. Losing it makes sealed keys and TOTP secrets unreadable, so back it up.
 */
export function resolveSecret(
  configured: string | undefined,
  dataDir: string,
): { secret: string; generated: boolean } {
  if (configured) return { secret: configured, generated: false }
  const file = path.join(dataDir, 'secret.key')
  if (fs.existsSync(file)) return { secret: fs.readFileSync(file, 'utf8').trim(), generated: false }
  fs.mkdirSync(dataDir, { recursive: true })
  const secret = randomToken(48)
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return { secret, generated: true }
}
