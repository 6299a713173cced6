import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../common/errors.ts'
import { ENV_VARS, loadConfig } from './config.ts'
import { PROJECT_ROOT } from './kernel/paths.ts'

describe('configuration', () => {
  it('has safe defaults with an empty environment', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      dialect: 'sqlite',
      port: 8080,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:8080',
      secret: undefined,
      jobsInProcess: true,
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads PostgreSQL URLs and trims a trailing slash from PUBLIC_URL', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://isn@db:5432/isn',
      PUBLIC_URL: 'https://isn.example/',
    })
    expect(config.dialect).toBe('postgres')
    expect(config.publicUrl).toBe('https://isn.example')
  })

  it('reports every invalid setting at once, in plain words', () => {
    try {
      loadConfig({
        PORT: '99999',
        DATABASE_URL: 'mysql://x',
        ISN_SECRET: 'short',
        LOG_PRETTY: 'maybe',
        SMTP_URL: 'mail.example',
      })
      expect.unreachable()
    } catch (error) {
      expect(isAppError(error, 'invalid_config')).toBe(true)
      const variables = ((error as { details: { variable: string }[] }).details ?? []).map(
        (d) => d.variable,
      )
      expect(variables.sort()).toEqual([
        'DATABASE_URL',
        'ISN_SECRET',
        'LOG_PRETTY',
        'PORT',
        'SMTP_URL',
      ])
      expect((error as Error).message).toContain(
        'PORT: must be a whole number from 0 to 65535, got "99999"',
      )
    }
  })

  it('documents every variable, with its default, in the README', () => {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8')
    for (const [name, { default: fallback }] of Object.entries(ENV_VARS)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`))
      expect(row, name).toBeDefined()
      expect(row!.replaceAll('`', ''), name).toContain(fallback.replaceAll('`', ''))
    }
  })

  it('reads no environment variable that is not documented', () => {
    const sources = fs.readdirSync(path.join(PROJECT_ROOT, 'src/server'), {
      recursive: true,
      encoding: 'utf8',
    })
    const used = new Set<string>()
    for (const file of sources.filter(
      (f) => f.endsWith('.ts') && !f.includes('test') && !f.includes('testing'),
    )) {
      const text = fs.readFileSync(path.join(PROJECT_ROOT, 'src/server', file), 'utf8')
      for (const match of text.matchAll(/process\.env\.([A-Z_]+)/g)) used.add(match[1]!)
    }
    for (const name of used) expect(Object.keys(ENV_VARS), name).toContain(name)
  })
})
