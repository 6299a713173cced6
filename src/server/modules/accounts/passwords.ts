import { AppError } from '../../../common/errors.ts'

export const MIN_PASSWORD_LENGTH = 12

// zxcvbn-ts ships a list of ~49,000 passwords seen most in breaches; we refuse all of them.
// Loaded on first use (like argon2 below) so that starting the server stays quick.
let commonPasswords: Promise<Set<string>> | undefined
const loadCommonPasswords = () =>
  (commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary.passwords.map((p) => p.toLowerCase())),
  ))
const argon2 = () => import('@node-rs/argon2')

/**
 * Checks a new password against the policy: at least 12 characters, not a commonly used
 * password, not built from the email address, not one repeated character.
 * @throws weak_password with `details.reasons`
 */
export async function assertPasswordPolicy(password: string, email?: string): Promise<void> {
  const reasons: string[] = []
  const lower = password.toLowerCase()
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    reasons.push(`must be at least ${MIN_PASSWORD_LENGTH} characters long`)
  }
  if ((await loadCommonPasswords()).has(lower)) reasons.push('is a commonly used password')
  const local = email?.split('@')[0]?.toLowerCase()
  if (local && local.length >= 4 && lower.includes(local)) {
    reasons.push('must not contain your email address')
  }
  if (/^(.)\1*$/u.test(password)) reasons.push('must not be one character repeated')
  if (reasons.length > 0) {
    throw new AppError('weak_password', `The password ${reasons.join(' and ')}.`, {
      details: { reasons },
    })
  }
}

// OWASP's recommended argon2id parameters (19 MiB, 2 iterations, 1 lane).
const ARGON2_OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum we cannot import) */ as const,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
}

export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, ARGON2_OPTIONS)
}

// Verified against when the email is unknown, so both cases take the same time.
let dummyHash: Promise<string> | undefined

/** Checks a password against a stored hash; with no hash it still spends the same time and says no. */
export async function verifyPassword(
  storedHash: string | null | undefined,
  password: string,
): Promise<boolean> {
  const { verify } = await argon2()
  if (!storedHash) {
    dummyHash ??= hashPassword('not-a-real-password-only-for-timing')
    await verify(await dummyHash, password).catch(() => false)
    return false
  }
  return verify(storedHash, password).catch(() => false)
}
