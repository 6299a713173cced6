import pino, { type Logger } from 'pino'
import type { Config } from '../config.ts'

/** The process logger: JSON lines by default (what log shippers expect), pretty when asked. */
export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]'],
      remove: true,
    },
    ...(config.logPretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  })
}

type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type LogArgs = Parameters<Logger['info']>

/**
 * The per-request logger Fastify hands out as `request.log`. Fastify builds a pino child with the
 * request id for every request; pino serialises the bindings as it does so, which showed up as a
 * measurable share of a cached read (docs/performance.md). Almost no request logs anything at the
 * configured level, so the child is built on the first line that would be written.
 */
export class LazyRequestLogger {
  #child: Logger | undefined
  readonly #parent: Logger
  readonly #bindings: Record<string, unknown>
  readonly #options: object

  constructor(parent: Logger, bindings: Record<string, unknown>, options: object) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }

  get level(): string {
    return this.#parent.level
  }

  isLevelEnabled(level: string): boolean {
    return this.#parent.isLevelEnabled(level)
  }

  child(bindings: Record<string, unknown>, options?: object): Logger {
    return this.#logger().child(bindings, options)
  }

  fatal(...args: LogArgs): void {
    this.#write('fatal', args)
  }
  error(...args: LogArgs): void {
    this.#write('error', args)
  }
  warn(...args: LogArgs): void {
    this.#write('warn', args)
  }
  info(...args: LogArgs): void {
    this.#write('info', args)
  }
  debug(...args: LogArgs): void {
    this.#write('debug', args)
  }
  trace(...args: LogArgs): void {
    this.#write('trace', args)
  }
  silent(): void {}

  #write(level: LevelName, args: LogArgs): void {
    if (this.#parent.isLevelEnabled(level)) this.#logger()[level](...args)
  }

  #logger(): Logger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options)
    return this.#child
  }
}
