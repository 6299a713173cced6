import path from 'node:path'
import { AppError } from '../common/errors.ts'

/**
 * Every environment variable the platform reads, with its default and meaning. The README's
 * configuration table is checked against this list by a test, so the two cannot drift apart.
 */
export const ENV_VARS = {
  DATABASE_URL: {
    default: 'sqlite:./data/isn.db',
    help: '`sqlite:<file>` (embedded) or `postgres://user@host:port/db`',
  },
  PORT: { default: '8080', help: 'HTTP port of `isn serve`' },
  HOST: {
    default: '127.0.0.1',
    help: 'interface to listen on; `0.0.0.0` behind a proxy or in a container',
  },
  PUBLIC_URL: {
    default: 'http://localhost:<PORT>',
    help: 'the address users reach the platform at; used in setup and invitation links',
  },
  DATA_DIR: { default: './data', help: 'files, keys and the generated secret' },
  ISN_SECRET: {
    default: 'generated into `<DATA_DIR>/secret.key` on first start',
    help: 'at least 32 characters; encrypts signing keys and TOTP secrets at rest',
  },
  LOG_LEVEL: {
    default: 'info',
    help: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
  },
  LOG_PRETTY: { default: 'false', help: 'human-readable logs instead of JSON lines' },
  TRUST_PROXY: {
    default: 'false',
    help: 'trust `X-Forwarded-*` headers (set when behind a reverse proxy)',
  },
  SMTP_URL: {
    default: '(none)',
    help: 'e.g. `smtp://user:pass@mail:587`; without it invitations are links only',
  },
  MAIL_FROM: {
    default: 'IIoT Safety Network <no-reply@localhost>',
    help: 'sender of outgoing mail',
  },
  SESSION_IDLE_MINUTES: { default: '60', help: 'a session ends after this long without use' },
  SESSION_MAX_HOURS: { default: '12', help: 'a session ends this long after sign-in, used or not' },
  LOGIN_MAX_FAILURES: { default: '5', help: 'failed sign-ins before an account is locked' },
  LOGIN_LOCKOUT_MINUTES: { default: '15', help: 'how long a locked account stays locked' },
  RATE_LIMIT_PER_MINUTE: { default: '300', help: 'requests per minute per client address' },
  AUTH_RATE_LIMIT_PER_MINUTE: {
    default: '20',
    help: 'requests per minute per client address to sign-in, set-up and invitation endpoints',
  },
  BODY_LIMIT_BYTES: { default: '1048576', help: 'largest JSON request body accepted' },
  EVIDENCE_MAX_BYTES: {
    default: '10485760',
    help: 'largest evidence file accepted for an assessment (docs/assessments.md)',
  },
  SBOM_MAX_BYTES: {
    default: '67108864',
    help: 'largest SBOM file accepted for a product version (docs/vulnerabilities.md)',
  },
  WEBHOOKS_ALLOW_PRIVATE_NETWORKS: {
    default: 'false',
    help: 'let webhooks reach loopback and private addresses and use http:// (development and tests only; docs/webhooks.md)',
  },
  METRICS_TOKEN: {
    default: '(none)',
    help: 'bearer token for `/metrics`; without it `/metrics` answers loopback clients only',
  },
  JOBS_IN_PROCESS: {
    default: 'true',
    help: '`isn serve` also runs background jobs (`false` when `isn worker` runs them)',
  },
  DB_SKIP_MIGRATIONS: {
    default: 'false',
    help: 'do not migrate at start (run `isn migrate` yourself)',
  },
  ADVISORY_SOURCES: {
    default: '(none)',
    help: 'advisory sources imported every 6 hours and on demand: `[osv:|csaf:|kev:]<path or http(s) URL>`, separated by `;` (docs/vulnerabilities.md#advisories)',
  },
} as const

export type EnvVar = keyof typeof ENV_VARS

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Config {
  databaseUrl: string
  dialect: 'sqlite' | 'postgres'
  port: number
  host: string
  publicUrl: string
  dataDir: string
  secret: string | undefined
  logLevel: LogLevel
  logPretty: boolean
  trustProxy: boolean
  smtpUrl: string | undefined
  mailFrom: string
  sessionIdleMinutes: number
  sessionMaxHours: number
  loginMaxFailures: number
  loginLockoutMinutes: number
  rateLimitPerMinute: number
  authRateLimitPerMinute: number
  bodyLimitBytes: number
  evidenceMaxBytes: number
  sbomMaxBytes: number
  webhooksAllowPrivateNetworks: boolean
  metricsToken: string | undefined
  jobsInProcess: boolean
  skipMigrations: boolean
  /** Advisory sources for the scheduled import (ADVISORY_SOURCES). */
  advisorySources: AdvisorySource[]
}

export interface AdvisorySource {
  format: 'auto' | 'osv' | 'csaf' | 'kev'
  /** A path (made absolute) or an http(s) URL. */
  location: string
}

/**
 * Parses and validates the environment once. Reports every invalid setting together, in plain
 * words, as one `invalid_config` error whose details list `{ variable, problem }`.
 * @throws invalid_config
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): Readonly<Config> {
  const problems: { variable: string; problem: string }[] = []
  const read = (name: EnvVar): string | undefined => {
    const value = env[name]?.trim()
    return value === '' ? undefined : value
  }
  const int = (name: EnvVar, fallback: number, min: number, max: number): number => {
    const raw = read(name)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push({
        variable: name,
        problem: `must be a whole number from ${min} to ${max}, got "${raw}"`,
      })
      return fallback
    }
    return value
  }
  const bool = (name: EnvVar, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase()
    if (raw === undefined) return fallback
    if (['true', '1', 'yes'].includes(raw)) return true
    if (['false', '0', 'no'].includes(raw)) return false
    problems.push({ variable: name, problem: `must be true or false, got "${raw}"` })
    return fallback
  }

  const databaseUrl = read('DATABASE_URL') ?? ENV_VARS.DATABASE_URL.default
  const dialect = dialectOf(databaseUrl)
  if (dialect === 'sqlite' && !databaseUrl.startsWith('sqlite:')) {
    problems.push({
      variable: 'DATABASE_URL',
      problem: `must start with "sqlite:" or "postgres://", got "${databaseUrl}"`,
    })
  }

  const port = int('PORT', 8080, 0, 65535)
  const publicUrl = (read('PUBLIC_URL') ?? `http://localhost:${port}`).replace(/\/+$/, '')
  if (!/^https?:\/\/[^/\s]+/.test(publicUrl)) {
    problems.push({
      variable: 'PUBLIC_URL',
      problem: `must be an http(s) address, got "${publicUrl}"`,
    })
  }

  const secret = read('ISN_SECRET')
  if (secret !== undefined && secret.length < 32) {
    problems.push({ variable: 'ISN_SECRET', problem: 'must be at least 32 characters long' })
  }

  const logLevel = (read('LOG_LEVEL') ?? 'info') as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push({
      variable: 'LOG_LEVEL',
      problem: `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`,
    })
  }

  const smtpUrl = read('SMTP_URL')
  if (smtpUrl !== undefined && !/^smtps?:\/\//.test(smtpUrl)) {
    problems.push({ variable: 'SMTP_URL', problem: 'must start with "smtp://" or "smtps://"' })
  }

  const config: Config = {
    databaseUrl,
    dialect,
    port,
    host: read('HOST') ?? '127.0.0.1',
    publicUrl,
    dataDir: path.resolve(read('DATA_DIR') ?? './data'),
    secret,
    logLevel,
    logPretty: bool('LOG_PRETTY', false),
    trustProxy: bool('TRUST_PROXY', false),
    smtpUrl,
    mailFrom: read('MAIL_FROM') ?? ENV_VARS.MAIL_FROM.default,
    sessionIdleMinutes: int('SESSION_IDLE_MINUTES', 60, 1, 60 * 24 * 30),
    sessionMaxHours: int('SESSION_MAX_HOURS', 12, 1, 24 * 90),
    loginMaxFailures: int('LOGIN_MAX_FAILURES', 5, 1, 100),
    loginLockoutMinutes: int('LOGIN_LOCKOUT_MINUTES', 15, 1, 60 * 24),
    rateLimitPerMinute: int('RATE_LIMIT_PER_MINUTE', 300, 1, 100_000_000),
    authRateLimitPerMinute: int('AUTH_RATE_LIMIT_PER_MINUTE', 20, 1, 100_000_000),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    evidenceMaxBytes: int('EVIDENCE_MAX_BYTES', 10_485_760, 1024, 1024 * 1_048_576),
    sbomMaxBytes: int('SBOM_MAX_BYTES', 67_108_864, 1024, 1024 * 1_048_576),
    webhooksAllowPrivateNetworks: bool('WEBHOOKS_ALLOW_PRIVATE_NETWORKS', false),
    metricsToken: read('METRICS_TOKEN'),
    jobsInProcess: bool('JOBS_IN_PROCESS', true),
    skipMigrations: bool('DB_SKIP_MIGRATIONS', false),
    advisorySources: parseAdvisorySources(read('ADVISORY_SOURCES'), problems),
  }

  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n')
    throw new AppError('invalid_config', `Invalid configuration:\n${lines}`, { details: problems })
  }
  return Object.freeze(config)
}

/** The database kind a `DATABASE_URL` names; anything not PostgreSQL is SQLite. */
export function dialectOf(databaseUrl: string): 'sqlite' | 'postgres' {
  return /^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgres' : 'sqlite'
}

/** The SQLite file path of a `sqlite:` URL (`:memory:` stays as it is). */
export function sqliteFilename(databaseUrl: string): string {
  const file = databaseUrl.replace(/^sqlite:(\/\/)?/, '')
  return file === ':memory:' ? file : path.resolve(file)
}

/**
 * `ADVISORY_SOURCES`: entries separated by `;` (or new lines), each a path or http(s) URL with an
 * optional `osv:`, `csaf:`, `kev:` or `auto:` prefix naming the format (auto-detected otherwise).
 */
export function parseAdvisorySources(
  raw: string | undefined,
  problems: { variable: string; problem: string }[],
): AdvisorySource[] {
  if (raw === undefined) return []
  const sources: AdvisorySource[] = []
  for (const entry of raw
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const prefix = /^(auto|osv|csaf|kev):(?!\/\/)/i.exec(entry)
    const format = (prefix?.[1]?.toLowerCase() ?? 'auto') as AdvisorySource['format']
    const location = prefix ? entry.slice(prefix[0].length).trim() : entry
    if (
      location === '' ||
      (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^https?:\/\//i.test(location))
    ) {
      problems.push({
        variable: 'ADVISORY_SOURCES',
        problem: `"${entry}" is not a path or an http(s) URL`,
      })
      continue
    }
    sources.push({
      format,
      location: /^https?:\/\//i.test(location) ? location : path.resolve(location),
    })
  }
  return sources
}
