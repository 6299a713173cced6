import nodemailer from 'nodemailer'

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
  const transport = nodemailer.createTransport(smtpUrl)
  return {
    async send(message) {
      await transport.sendMail({ from, ...message })
    },
  }
}
