import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Label } from '../common/api/labels.ts'
import { systemActor } from '../server/kernel/actor.ts'
import { ManualClock } from '../server/kernel/clock.ts'
import { changeLabelStatus, issueLabel } from '../server/modules/labels/labels.service.ts'
import { offlineMaterial, sampleLabelInput } from '../server/modules/labels/testing.ts'
import { createTestContext } from '../server/testing/test-app.ts'
import { TEST_DIALECT } from '../server/testing/test-db.ts'
import { cliWorkspace, isn } from './testing.ts'

describe(`isn label verify and isn keys on ${TEST_DIALECT}`, () => {
  const workspace = cliWorkspace('labels')
  const { dir, env } = workspace
  const file = (name: string, content: string) => {
    const at = path.join(dir, name)
    fs.writeFileSync(at, content)
    return at
  }

  beforeAll(() => workspace.create())
  afterAll(() => workspace.destroy())

  it('lists and rotates signing keys, audited', async () => {
    const empty = await isn(['keys', 'list', '--json'], env)
    expect(empty.code).toBe(0)
    expect(JSON.parse(empty.stdout)).toEqual([])
    const first = await isn(['keys', 'rotate', '--json'], env)
    expect(first.code).toBe(0)
    const created = JSON.parse(first.stdout) as { active: { kid: string }; retired: null }
    expect(created.retired).toBeNull()
    const second = await isn(['keys', 'rotate'], env)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain(`Retired (still published): ${created.active.kid}`)
    const listed = await isn(['keys', 'list'], env)
    expect(listed.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^active {3}\S{43} {2}created /),
      expect.stringMatching(new RegExp(`^retired  ${created.active.kid}`)),
    ])
    expect((await isn(['audit', 'verify'], env)).code).toBe(0)
  }, 60_000)

  describe('offline verification with saved files', () => {
    let labels: Label[]
    let paths: { jwks: string; revocation: string; suspension: string; label: string }
    const offline = () => [
      '--jwks',
      paths.jwks,
      '--status-list',
      paths.revocation,
      '--status-list',
      paths.suspension,
    ]

    beforeAll(async () => {
      // A network in this process, on the real clock (the CLI verifies at the real time).
      const base = await createTestContext({ publicUrl: 'https://isn.example' })
      const ctx = { ...base.ctx, clock: new ManualClock(new Date()) }
      try {
        labels = []
        for (let i = 0; i < 3; i++) {
          labels.push(await issueLabel(ctx, { actor: systemActor('test') }, sampleLabelInput()))
        }
        await changeLabelStatus(
          ctx,
          { actor: systemActor('test') },
          labels[1]!.id,
          'suspend',
          'Report received',
        )
        await changeLabelStatus(
          ctx,
          { actor: systemActor('test') },
          labels[2]!.id,
          'revoke',
          'Withdrawn',
        )
        const material = await offlineMaterial(ctx)
        paths = {
          jwks: file('jwks.json', JSON.stringify(material.jwks)),
          revocation: file('revocation.jwt', material.jwts.revocation),
          suspension: file('suspension.jwt', material.jwts.suspension),
          label: file('label.jws', `${labels[0]!.jws}\n`),
        }
      } finally {
        await base.testDb.destroy()
      }
    })

    it('exits 0 for a valid, active label and says so', async () => {
      const result = await isn(['label', 'verify', paths.label, ...offline()], {})
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(
        'VALID (active): Acme Industrial Acme FieldSense 200 2.4.1, tier 2',
      )
      const json = await isn(['label', 'verify', paths.label, ...offline(), '--json'], {})
      expect(JSON.parse(json.stdout)).toMatchObject({
        valid: true,
        status: 'active',
        labelId: labels[0]!.id,
        statusListProblems: [],
      })
    })

    it('exits 1 for suspended, revoked, tampered and garbage labels, with the reason', async () => {
      const [h, , s] = labels[0]!.jws.split('.')
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...labels[0]!.record, tier: 4 })).toString('base64url')}.${s}`
      for (const [content, code] of [
        [labels[1]!.jws, 'suspended'],
        [labels[2]!.jws, 'revoked'],
        [tampered, 'bad_signature'],
        ['this is not a label', 'malformed'],
      ] as const) {
        const result = await isn(['label', 'verify', '-', ...offline(), '--json'], {}, content)
        expect({ code, exit: result.code }).toEqual({ code, exit: 1 })
        expect(JSON.parse(result.stdout).reasons[0].code).toBe(code)
      }
      const human = await isn(['label', 'verify', '-', ...offline()], {}, labels[2]!.jws)
      expect(human.stdout).toContain('INVALID (revoked)')
      expect(human.stdout).toContain('revoked: The network has revoked this label.')
    })

    it('verifies many labels in one run and counts them', async () => {
      const many = file('many.txt', `${labels.map((l) => l.jws).join('\n')}\n\n`)
      const result = await isn(['label', 'verify', many, ...offline(), '--json'], {})
      expect(result.code).toBe(1)
      expect(JSON.parse(result.stdout)).toMatchObject({ count: 3, valid: 1, invalid: 2 })
    })

    it('answers every line of a long file in its order, whatever finishes first', async () => {
      // Verified many at a time: the answers must still line up with the input lines.
      const lines = Array.from({ length: 600 }, (_, i) =>
        i % 100 === 99 ? 'not a label' : labels[i % 3]!.jws,
      )
      const many = file('long.txt', `${lines.join('\r\n')}\r\n`)
      const result = await isn(['label', 'verify', many, ...offline(), '--json'], {})
      expect(result.code).toBe(1)
      const json = JSON.parse(result.stdout) as {
        count: number
        valid: number
        results: { labelId: string | null; status: string }[]
      }
      expect(json).toMatchObject({ count: 600, valid: 198 })
      expect(json.results.map((r) => r.labelId)).toEqual(
        lines.map((line, i) => (line === 'not a label' ? null : labels[i % 3]!.id)),
      )
      const human = await isn(['label', 'verify', many, ...offline()], {})
      expect(human.stdout.trim().split('\n').at(-1)).toBe('198 of 600 labels valid and active.')
      const allValid = file('valid.txt', `${labels[0]!.jws}\n`.repeat(50))
      expect((await isn(['label', 'verify', allValid, ...offline()], {})).code).toBe(0)
    })

    it('prints its help from the small bundle like every command', async () => {
      const help = await isn(['label', 'verify', '--help'], {})
      expect(help.code).toBe(0)
      expect(help.stdout).toContain('Usage: isn label verify [options] <file>')
      expect(help.stdout).toContain('--status-list <file|url>')
      const unknown = await isn(['label', 'verify', paths.label, '--no-such-option'], {})
      expect(unknown.code).toBe(2)
    })

    it('needs a JWKS (offline by default) and reports unknown keys and missing status', async () => {
      const noKeys = await isn(['label', 'verify', paths.label], {})
      expect(noKeys.code).toBe(2)
      expect(noKeys.stderr).toContain('Give --jwks FILE (offline) or --fetch')

      const otherJwks = file('other.json', JSON.stringify({ keys: [] }))
      const unknown = await isn(['label', 'verify', paths.label, '--jwks', otherJwks, '--json'], {})
      expect(unknown.code).toBe(1)
      expect(JSON.parse(unknown.stdout).reasons[0].code).toBe('unknown_key')

      const noStatus = await isn(['label', 'verify', paths.label, '--jwks', paths.jwks], {})
      expect(noStatus.code).toBe(1)
      expect(noStatus.stdout).toContain('status_unknown')
      const skipped = await isn(
        ['label', 'verify', paths.label, '--jwks', paths.jwks, '--skip-status'],
        {},
      )
      expect(skipped.code).toBe(0)

      const forged = file(
        'forged.jwt',
        fs.readFileSync(paths.revocation, 'utf8').slice(0, -4) + 'AAAA',
      )
      const withForged = await isn(
        [
          'label',
          'verify',
          paths.label,
          '--jwks',
          paths.jwks,
          '--status-list',
          forged,
          '--status-list',
          paths.suspension,
        ],
        {},
      )
      expect(withForged.code).toBe(1)
      expect(withForged.stderr).toContain('ignored: the signature does not hold')

      const notJwks = await isn(['label', 'verify', paths.label, '--jwks', paths.label], {})
      expect(notJwks.code).toBe(2)
      const missing = await isn(['label', 'verify', path.join(dir, 'nope.jws'), ...offline()], {})
      expect(missing.code).toBe(5)
    })
  })
})
