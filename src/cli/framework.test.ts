import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { FRAMEWORK_DIR } from '../server/modules/framework/source-files.ts'
import { TEST_DIALECT } from '../server/testing/test-db.ts'
import { cliWorkspace, isn } from './testing.ts'

describe(`isn framework on ${TEST_DIALECT}`, { timeout: 90_000 }, () => {
  const workspace = cliWorkspace('framework-cli')
  const { dir, env } = workspace

  /** A copy of the shipped framework with one file changed. */
  function brokenCopy(name: string, file: string, change: (text: string) => string): string {
    const target = path.join(dir, name)
    fs.cpSync(FRAMEWORK_DIR, target, { recursive: true })
    const full = path.join(target, file)
    const before = fs.readFileSync(full, 'utf8')
    const after = change(before)
    expect(after, `${name}: the change applies`).not.toBe(before)
    fs.writeFileSync(full, after)
    return target
  }

  beforeAll(() => workspace.create())
  afterAll(() => workspace.destroy())

  it('prints help for every framework command and exits 0', async () => {
    for (const command of ['validate', 'coverage', 'export', 'diff', 'load']) {
      const result = await isn(['framework', command, '--help'], env)
      expect(result.code, command).toBe(0)
      expect(result.stdout).toContain(`Usage: isn framework ${command}`)
    }
    expect((await isn(['framework', '--help'], env)).stdout).toContain('validate')
  })

  it('validates the shipped framework without a database', async () => {
    const human = await isn(['framework', 'validate'], env)
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(
      /^Framework \d+\.\d+\.\d+ \(\w+\) in .* is valid: \d+ requirements, \d+ links/,
    )
    const json = await isn(['framework', 'validate', '--json'], env)
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, requirements: expect.any(Number) })
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false)
  })

  it('names the file, line and pointer of each problem in a malformed framework, with exit code 2', async () => {
    const cases = [
      {
        name: 'duplicate-id',
        file: 'requirements/upd.yaml',
        change: (t: string) => t.replace('- id: ISN-UPD-02', '- id: ISN-UPD-01'),
        expected:
          /requirements\/upd\.yaml:\d+:\d+ \/requirements\/1\/id: duplicate id "ISN-UPD-01"/,
      },
      {
        name: 'dangling-target',
        file: 'crosswalk/upd.yaml',
        change: (t: string) => t.replace('to: owasp-isvs:1.2.9', 'to: owasp-isvs:9.9.99'),
        expected:
          /crosswalk\/upd\.yaml:\d+:\d+ \/mappings\/0\/links\/0\/to: "9\.9\.99" is not an item of owasp-isvs/,
      },
      {
        name: 'unknown-tier',
        file: 'requirements/upd.yaml',
        change: (t: string) => t.replace('    tier: 1\n', '    tier: 7\n'),
        expected: /requirements\/upd\.yaml:\d+:\d+ \/requirements\/0\/tier: /,
      },
      {
        name: 'missing-field',
        file: 'requirements/upd.yaml',
        change: (t: string) => t.replace(/\n {4}rationale: A component that cannot[^\n]*/, ''),
        expected:
          /requirements\/upd\.yaml:\d+:\d+ \/requirements\/0: missing required field "rationale"/,
      },
    ]
    for (const c of cases) {
      const broken = brokenCopy(c.name, c.file, c.change)
      const human = await isn(['framework', 'validate', '--dir', broken], env)
      expect(human.code, c.name).toBe(2)
      expect(human.stdout, c.name).toMatch(c.expected)
      expect(human.stdout).toContain(path.join(broken, c.file))
      const json = await isn(['framework', 'validate', '--dir', broken, '--json'], env)
      expect(json.code).toBe(2)
      const result = JSON.parse(json.stdout) as { ok: boolean; problems: { file: string }[] }
      expect(result.ok).toBe(false)
      expect(result.problems.map((p) => p.file)).toContain(c.file)
    }
  })

  it('reports coverage per catalogue and per item, and exits 1 when a goal is not met', async () => {
    const all = await isn(['framework', 'coverage', '--json'], env)
    const summary = JSON.parse(all.stdout) as {
      goalsMet: boolean
      catalogues: { catalogue: string; counts: { items: number } }[]
    }
    expect(all.code).toBe(summary.goalsMet ? 0 : 1)
    expect(summary.catalogues.map((c) => c.catalogue)).toContain('uk-psti')

    const one = await isn(['framework', 'coverage', '--standard', 'etsi-en-303-645'], env)
    expect(one.stdout).toContain('5.3-1')
    expect(one.stdout).toContain('Declared gaps')
    expect((await isn(['framework', 'coverage', '--standard', 'nonesuch'], env)).code).toBe(5)

    // Downgrade every link to UK PSTI to "subset": no item is covered any more.
    const weakened = path.join(dir, 'weakened')
    fs.cpSync(FRAMEWORK_DIR, weakened, { recursive: true })
    for (const name of fs.readdirSync(path.join(weakened, 'crosswalk'))) {
      const file = path.join(weakened, 'crosswalk', name)
      const data = YAML.parse(fs.readFileSync(file, 'utf8')) as {
        mappings: { links: { to: string; relation: string }[] }[]
      }
      for (const link of data.mappings.flatMap((m) => m.links)) {
        if (link.to.startsWith('uk-psti:')) link.relation = 'subset'
      }
      fs.writeFileSync(file, YAML.stringify(data))
    }
    const unmet = await isn(
      ['framework', 'coverage', '--dir', weakened, '--standard', 'uk-psti'],
      env,
    )
    expect(unmet.code, unmet.stderr).toBe(1)
    expect(unmet.stdout).toContain('goal not met')
    expect(unmet.stdout).toContain('Items without full coverage')
    const json = await isn(
      ['framework', 'coverage', '--dir', weakened, '--standard', 'uk-psti', '--json'],
      env,
    )
    expect(JSON.parse(json.stdout)).toMatchObject({ goalMet: false, counts: { covered: 0 } })
    const overall = await isn(['framework', 'coverage', '--dir', weakened], env)
    expect(overall.code).toBe(1)
    expect(overall.stdout).toMatch(/Coverage goal NOT met for .*uk-psti/)
  })

  it('exports from the files to stdout or a file', async () => {
    const csv = await isn(['framework', 'export', '--format', 'csv'], env)
    expect(csv.code, csv.stderr).toBe(0)
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^id,category,title/)

    const out = path.join(dir, 'profile.json')
    const profile = await isn(
      [
        'framework',
        'export',
        '--format',
        'oscal-profile',
        '--tier',
        '2',
        '--device-class',
        'gateway',
        '--out',
        out,
      ],
      env,
    )
    expect(profile.code, profile.stderr).toBe(0)
    expect(profile.stdout).toBe('')
    const document = JSON.parse(fs.readFileSync(out, 'utf8')) as { profile: { imports: unknown[] } }
    expect(document.profile.imports).toHaveLength(1)

    expect((await isn(['framework', 'export', '--format', 'pdf'], env)).code).toBe(2)
    expect((await isn(['framework', 'export', '--format', 'json', '--tier', '9'], env)).code).toBe(
      2,
    )
  })

  it('loads the framework on migrate, exports and diffs stored versions, and rejects a broken one', async () => {
    const migrate = await isn(['migrate', '--json'], env)
    expect(migrate.code, migrate.stderr).toBe(0)
    const migrated = JSON.parse(migrate.stdout) as {
      framework: { status: string; version: string }
    }
    expect(migrated.framework.status).toBe('loaded')
    const { version } = migrated.framework

    const load = await isn(['framework', 'load', '--json'], env)
    expect(load.code, load.stderr).toBe(0)
    expect(JSON.parse(load.stdout)).toEqual({ status: 'unchanged', version })

    const stored = await isn(
      ['framework', 'export', '--format', 'oscal-catalog', '--version', version],
      env,
    )
    expect(stored.code, stored.stderr).toBe(0)
    const fromFiles = await isn(['framework', 'export', '--format', 'oscal-catalog'], env)
    expect(stored.stdout).toBe(fromFiles.stdout)
    const missing = await isn(
      ['framework', 'export', '--format', 'json', '--version', '9.9.9'],
      env,
    )
    expect(missing.code).toBe(5)

    const diff = await isn(['framework', 'diff', version, version], env)
    expect(diff.code, diff.stderr).toBe(0)
    expect(diff.stdout).toContain('No changes.')
    const diffJson = await isn(['framework', 'diff', version, version, '--json'], env)
    expect(JSON.parse(diffJson.stdout)).toMatchObject({ from: version, to: version, changes: [] })
    expect((await isn(['framework', 'diff', version, '9.9.9'], env)).code).toBe(5)

    const broken = brokenCopy('load-broken', 'requirements/upd.yaml', (t) =>
      t.replace('- id: ISN-UPD-02', '- id: ISN-UPD-01'),
    )
    const rejected = await isn(['framework', 'load', '--dir', broken], env)
    expect(rejected.code).toBe(2)
    expect(rejected.stdout).toContain('REJECTED')
    expect(rejected.stdout).toMatch(
      /requirements\/upd\.yaml:\d+:\d+ \/requirements\/1\/id: duplicate id/,
    )
    // The version in service stays in service.
    expect(JSON.parse((await isn(['framework', 'load', '--json'], env)).stdout)).toEqual({
      status: 'unchanged',
      version,
    })
  })
})
