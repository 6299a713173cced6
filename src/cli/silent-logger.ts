import pino, { type Logger } from 'pino'

/** Commands print their own results; the server's logger stays quiet unless LOG_LEVEL asks. */
export function silentLogger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'warn' })
}
