import type { Transporter } from 'nodemailer'

export interface MailMessage {
  to: string
  subject: string
  text: string
}

/** Outgoing mail. `undefined` when SMTP is not configured: links are then shown, not mailed. */
export interface Mailer {
  send(message: MailMessage): Promise<void>
}

export function createMailer(smtpUrl: string | undefined, from: string): Mailer | undefined {
  if (!smtpUrl) return undefined
  // nodemailer is loaded on the first message, not at start-up.
  let transport: Promise<Transporter> | undefined
  return {
    async send(message) {
      transport ??= import('nodemailer').then(({ default: nodemailer }) =>
        nodemailer.createTransport(smtpUrl),
      )
      await (await transport).sendMail({ from, ...message })
    },
  }
}
