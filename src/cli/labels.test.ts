import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { CompactSign } from 'jose'
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
    /** Labels that are not valid now, each with the reason it must be refused for. */
    let bad: [name: string, jws: string, code: string][]
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
        // Genuine labels of the same key that are out of their validity now.
        const at = (ms: number) => ({ ...base.ctx, clock: new ManualClock(new Date(ms)) })
        const year = 365 * 86_400_000
        const expired = await issueLabel(
          at(Date.now() - 5 * year),
          { actor: systemActor('test') },
          sampleLabelInput(),
        )
        const future = await issueLabel(
          at(Date.now() + 86_400_000),
          { actor: systemActor('test') },
          sampleLabelInput(),
        )
        const material = await offlineMaterial(ctx)
        const genuine = labels[0]!
        const [h, p, s] = genuine.jws.split('.') as [string, string, string]
        const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
        const payload = new TextEncoder().encode(JSON.stringify(genuine.record))
        const otherKey = crypto.generateKeyPairSync('ed25519').privateKey
        const signedBy = (kid: string) =>
          new CompactSign(payload)
            .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'isn-label+jwt' })
            .sign(otherKey)
        const publicKey = Buffer.from(material.jwks.keys[0]!.x, 'base64url')
        const hsInput = `${encode({ alg: 'HS256', typ: 'isn-label+jwt', kid: genuine.keyId })}.${p}`
        bad = [
          [
            'tampered payload',
            `${h}.${encode({ ...genuine.record, tier: 4 })}.${s}`,
            'bad_signature',
          ],
          ['wrong key', await signedBy(genuine.keyId), 'bad_signature'],
          ['unknown kid', await signedBy('someone-else'), 'unknown_key'],
          [
            'alg none',
            `${encode({ alg: 'none', typ: 'isn-label+jwt' })}.${p}.`,
            'unsupported_algorithm',
          ],
          [
            'HS256 with the public key as the secret',
            `${hsInput}.${crypto.createHmac('sha256', publicKey).update(hsInput).digest('base64url')}`,
            'unsupported_algorithm',
          ],
          ['expired', expired.jws, 'expired'],
          ['not yet valid', future.jws, 'not_yet_valid'],
          ['truncated', genuine.jws.slice(0, -20), 'bad_signature'],
          ['random text', 'hello, is this a label?', 'malformed'],
        ]
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
      expect(JSON.parse(json.stdout)).toEqual({
        valid: true,
        genuine: true,
        status: 'active',
        reasons: [],
        keyId: labels[0]!.keyId,
        labelId: labels[0]!.id,
        summary: {
          manufacturer: 'Acme Industrial',
          product: 'Acme FieldSense 200',
          version: '2.4.1',
          tier: 2,
          verificationStrength: 'document-reviewed',
          assessor: 'Trusted Lab',
          issuedAt: labels[0]!.record.issuedAt,
          expiresAt: labels[0]!.record.expiresAt,
        },
        statusListProblems: [],
      })
      const withRecord = await isn(
        ['label', 'verify', paths.label, ...offline(), '--json', '--include-record'],
        {},
      )
      expect(JSON.parse(withRecord.stdout).record).toEqual(labels[0]!.record)
    })

    it('refuses each kind of bad label with its own reason, also among many', async () => {
      const singles = await Promise.all(
        bad.map(([, jws]) => isn(['label', 'verify', '-', ...offline(), '--json'], {}, jws)),
      )
      bad.forEach(([name, , code], i) => {
        const one = singles[i]!
        expect({ name, exit: one.code, code: JSON.parse(one.stdout).reasons[0]?.code }).toEqual({
          name,
          exit: 1,
          code,
        })
      })
      // 1,200 labels: verified in pieces by several threads, the bad ones spread among them.
      const lines: string[] = []
      const expected: (string | null)[] = []
      for (let i = 0; i < 1_200; i++) {
        const wrong = i % 130 === 7 ? bad[Math.floor(i / 130) % bad.length]! : undefined
        lines.push(wrong ? wrong[1] : labels[0]!.jws)
        expected.push(wrong ? wrong[2] : null)
        // Blank and white-space lines are not labels, wherever they are.
        if (i % 97 === 0) lines.push('', '   ', '\t')
      }
      const many = file('bad-among-many.txt', `\uFEFF${lines.join('\r\n')}\r\n`)
      const json = await isn(['label', 'verify', many, ...offline(), '--json'], {})
      expect(json.code).toBe(1)
      const parsed = JSON.parse(json.stdout) as {
        count: number
        valid: number
        invalid: number
        results: { valid: boolean; reasons: { code: string }[]; summary: unknown }[]
      }
      // The same text as JSON.stringify(…, null, 2), though written by several threads.
      expect(json.stdout).toBe(`${JSON.stringify(parsed, null, 2)}\n`)
      const invalid = expected.filter(Boolean).length
      expect(parsed).toMatchObject({ count: 1_200, valid: 1_200 - invalid, invalid })
      expect(parsed.results.map((r) => r.reasons[0]?.code ?? null)).toEqual(expected)
      expect(parsed.results.every((r) => r.valid === (r.reasons.length === 0))).toBe(true)
      expect(new Set(expected)).toEqual(new Set([null, ...bad.map(([, , code]) => code)]))

      const human = await isn(['label', 'verify', many, ...offline()], {})
      expect(human.code).toBe(1)
      const out = human.stdout.trim().split('\n')
      expect(out.at(-1)).toBe(`${1_200 - invalid} of 1200 labels valid and active.`)
      expect(out.filter((line) => line.startsWith('INVALID'))).toHaveLength(invalid)
      for (const [, , code] of bad) expect(human.stdout).toContain(`  ${code}: `)
    }, 120_000)

    it('answers a large file read in pieces by every thread as the same input from stdin', async () => {
      // A file of 1 MiB or more is read by byte ranges in each thread; stdin is read whole.
      const lines = Array.from({ length: 700 }, (_, i) =>
        i % 50 === 3 ? bad[Math.floor(i / 50) % bad.length]![1] : labels[i % 3]!.jws,
      )
      const text = `\uFEFF${lines.join('\r\n')}\n\n \t\n`
      expect(Buffer.byteLength(text)).toBeGreaterThan(1024 * 1024)
      const large = file('large.txt', text)
      for (const mode of [[], ['--json']]) {
        const [fromFile, fromStdin] = await Promise.all([
          isn(['label', 'verify', large, ...offline(), ...mode], {}),
          isn(['label', 'verify', '-', ...offline(), ...mode], {}, text),
        ])
        expect(fromFile.code).toBe(1)
        expect(fromFile.stdout).toBe(fromStdin.stdout)
        expect(fromFile.stderr).toBe(fromStdin.stderr)
      }
      // One label in a large file answers as one label; only white space is no label at all.
      const one = file('one-large.txt', `${' \n'.repeat(600_000)}${labels[0]!.jws}\n`)
      const single = await isn(['label', 'verify', one, ...offline()], {})
      expect(single.code).toBe(0)
      expect(single.stdout).toContain('VALID (active): ')
      expect(single.stdout).toContain(`label ${labels[0]!.id}`)
      const empty = await isn(
        ['label', 'verify', file('empty.txt', '\n'.repeat(2_000_000)), ...offline()],
        {},
      )
      expect(empty.code).toBe(2)
      expect(empty.stderr).toContain('holds no label')
    }, 120_000)

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
