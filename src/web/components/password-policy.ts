/** The minimum the server enforces; it also refuses passwords found in breach lists. */
export const MIN_PASSWORD_LENGTH = 12

export const PASSWORD_POLICY =
  `At least ${MIN_PASSWORD_LENGTH} characters, not a common password and not your email address. ` +
  'A passphrase of a few unrelated words is easy to remember and hard to guess.'

/** Checked in the browser before sending, so the obvious case needs no round trip. */
export function passwordTooShort(password: string): string | undefined {
  return password.length > 0 && password.length < MIN_PASSWORD_LENGTH
    ? `Use at least ${MIN_PASSWORD_LENGTH} characters (${password.length} so far).`
    : undefined
}
