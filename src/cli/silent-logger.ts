import pino, { type Logger } from 'pino'

/** Commands print their results on stdout; the server's log lines go to stderr, warnings only unless LOG_LEVEL asks. */
export function silentLogger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2))
}
