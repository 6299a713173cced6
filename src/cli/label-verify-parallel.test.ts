import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { Format } from 'typebox/format'
import { LABEL_JWS_TYPE } from '../common/api/labels.ts'
import { LabelKeySet } from '../common/labels/keys.ts'
import { decodeEncodedList } from '../common/labels/status-list.ts'
import { sampleLabelRecord } from '../common/labels/testing.ts'
import { verifyLabel, verifyLabelSync } from '../common/labels/verify.ts'
import {
  isUri,
  keySetOf,
  nodeGunzip,
  labelAt,
  labelLines,
  piecesOf,
  renderResults,
} from './commands/label-verify-parallel.ts'

// A large file is read by byte ranges in every thread (FilePieces); together the pieces must hold
// exactly the labels, in order, that reading the file whole finds (labelLines).
describe('label files read in pieces', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-pieces-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  const whole = (bytes: Buffer) => {
    const lines = labelLines(bytes)
    return Array.from({ length: lines.count }, (_, i) => labelAt(lines, i))
  }
  const inPieces = (bytes: Buffer, size = bytes.length) => {
    const file = path.join(dir, `input-${Math.random().toString(36).slice(2)}.txt`)
    fs.writeFileSync(file, bytes)
    const pieces = piecesOf({ file, size })
    try {
      // Out of order, as threads take them.
      const order = Array.from({ length: pieces.count }, (_, i) => i).reverse()
      const byPiece = new Map(order.map((piece) => [piece, [...pieces.labels(piece)]]))
      return Array.from({ length: pieces.count }, (_, i) => byPiece.get(i)!).flat()
    } finally {
      pieces.close()
    }
  }

  it('finds the same labels as the whole file, across every piece boundary', () => {
    // Lines of every length around the 256 KiB piece size, blank and white-space lines, CRLF,
    // a byte-order mark, non-ASCII text and lines much longer than a piece.
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const parts: string[] = ['\uFEFFfirst.label.here']
    for (let i = 0; i < 3000; i++) {
      const kind = random(20)
      if (kind === 0) parts.push('')
      else if (kind === 1) parts.push(' \t\u00a0 ')
      else if (kind === 2) parts.push(`x${'y'.repeat(random(600_000))}`)
      else if (kind === 3) parts.push(`  padded ${i} ünïcode\r`)
      else parts.push(`${'a'.repeat(random(3000) + 1)}.${i}.${'b'.repeat(random(90))}`)
    }
    const text = parts.join('\n')
    for (const ending of ['', '\n', '\r\n', '\n\n  \n']) {
      const bytes = Buffer.from(text + ending)
      const expected = whole(bytes)
      expect(expected.length).toBeGreaterThan(2000)
      expect(inPieces(bytes)).toEqual(expected)
    }
  })

  it('handles a newline exactly at a piece boundary and a file of one long line', () => {
    const piece = 256 * 1024
    for (const at of [piece - 2, piece - 1, piece, piece + 1]) {
      const bytes = Buffer.from(`${'a'.repeat(at)}\n${'b'.repeat(piece)}\nc\n`)
      expect(inPieces(bytes)).toEqual(whole(bytes))
    }
    const long = Buffer.from('z'.repeat(3 * piece + 5))
    expect(inPieces(long)).toEqual([long.toString()])
    const blank = Buffer.from(`${' \n'.repeat(piece)}`)
    expect(inPieces(blank)).toEqual([])
  })

  it('reads no further than the size it was given', () => {
    const bytes = Buffer.from(`${'a'.repeat(300_000)}\n${'b'.repeat(300_000)}\nmore\n`)
    expect(inPieces(bytes, 400_000)).toEqual(whole(bytes.subarray(0, 400_000)))
  })
})

describe('answers rendered by piece for --json', () => {
  it('are the elements of the results array of JSON.stringify(…, null, 2), piece after piece', () => {
    const answers = [
      { valid: true, reasons: [], summary: { manufacturer: 'Acme “Industrial” ünï', tier: 2 } },
      { valid: false, reasons: [{ code: 'malformed', message: 'a\nb\t"c"' }], summary: null },
      { record: { list: [1, [], {}, [{ deep: ['x'] }]], empty: '' }, warning: { at: null } },
      'a string',
      null,
    ]
    const document = { count: 7, valid: 3, invalid: 4, results: [...answers, ...answers] }
    const pieces = [renderResults(answers), renderResults(answers)]
    const text =
      `{\n  "count": 7,\n  "valid": 3,\n  "invalid": 4,\n  "results": [\n` +
      `${pieces.map((piece) => Buffer.from(piece).toString('utf8')).join(',\n')}\n  ]\n}`
    expect(text).toBe(JSON.stringify(document, null, 2))
  })
})

describe('the uri format of the record check', () => {
  it('answers as TypeBox’s own check, for plain URLs and every other string', () => {
    const samples = [
      'https://acme.test/security/disclosure',
      'http://isn.example/api/v1/labels/status-lists/revocation',
      'HTTPS://Example.COM/A/B/',
      'https://',
      'https://a..b/%zz',
      'https://a.b/%41?q=1#f',
      'https://[::1]:8080/x',
      'https://user@host/x',
      'https://host:99999',
      'https://ho st/',
      'https://host/ü',
      'mailto:security@acme.test',
      'urn:isbn:123',
      'not a url',
      '',
      'https://host/a b',
      'https://host\n/x',
    ]
    // And many made of the characters URLs are made of.
    const alphabet = "htps:/aAzZ09.-_~!$&'()*+,;=@%?#[] ü"
    let seed = 11
    for (let i = 0; i < 20_000; i++) {
      let text = i % 2 === 0 ? 'https://' : ''
      const length = (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 30
      for (let j = 0; j < length; j++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        text += alphabet[seed % alphabet.length]
      }
      samples.push(text)
    }
    const disagree = samples.filter((text) => isUri(text) !== Format.IsUri(text))
    expect(disagree).toEqual([])
    expect(samples.filter((text) => isUri(text)).length).toBeGreaterThan(1000)
    expect(Format.Get('uri')).toBe(isUri)
  })
})

describe('verifyLabelSync, as the CLI verifies', () => {
  it('answers every label as verifyLabel does, with Node’s synchronous check', async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519')
    const jwk = publicKey.export({ format: 'jwk' })
    const kid = 'test-key'
    const jwks = JSON.stringify({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' }],
    })
    const now = new Date('2026-06-01T08:00:00.000Z')
    const id = '0b6f2a55-8d3c-4a4e-9d7e-2f1f0c3b9a10'
    const record = sampleLabelRecord(id, kid, now)
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const sign = (header: Record<string, unknown>, body: unknown = record) => {
      const input = `${encode({ alg: 'EdDSA', kid, typ: LABEL_JWS_TYPE, ...header })}.${encode(body)}`
      return `${input}.${crypto.sign(null, Buffer.from(input), privateKey).toString('base64url')}`
    }
    const genuine = sign({})
    const [h, p, s] = genuine.split('.') as [string, string, string]
    const labels: unknown[] = [
      genuine,
      ` \t${genuine}\r\n`,
      sign({}, { ...record, tier: 9 }),
      sign({}, { ...record, keyId: 'other' }),
      sign({ kid: 'unknown' }),
      sign({ alg: 'none' }),
      sign({ typ: 'JWT' }),
      sign({ crit: ['exp'] }),
      `${h}.${encode({ ...record, tier: 4 })}.${s}`,
      `${h}.${p}.${s.slice(0, -1)}B`,
      `${h}.${p}.`,
      `${h}.${p}`,
      `${h}.!.${s}`,
      'random text',
      '',
      42,
      null,
      { label: genuine },
    ]
    for (let i = 0; i < genuine.length; i += 7) {
      labels.push(`${genuine.slice(0, i)}${genuine[i] === 'A' ? 'B' : 'A'}${genuine.slice(i + 1)}`)
    }
    const sync = keySetOf(jwks)
    const webCrypto = LabelKeySet.fromJson(JSON.parse(jwks), { remember: 0 })
    for (const at of [now, new Date(now.getTime() + 2 * 86_400_000)]) {
      for (const label of labels) {
        const options = { now: at, requireStatus: false }
        expect(verifyLabelSync(label, { ...options, jwks: sync })).toEqual(
          await verifyLabel(label, { ...options, jwks: webCrypto }),
        )
      }
    }
    expect(verifyLabelSync(genuine, { now, requireStatus: false, jwks: sync })).toMatchObject({
      valid: true,
    })
    // A key set whose check answers with a promise cannot say yes synchronously.
    expect(verifyLabelSync(genuine, { now, requireStatus: false, jwks: webCrypto })).toMatchObject({
      valid: false,
      reasons: [{ code: 'bad_signature' }],
    })
    expect(() => webCrypto.verifySignatureSync(kid, new Uint8Array(1), new Uint8Array(64))).toThrow(
      'asynchronously',
    )
  })
})

describe('status lists decompressed by zlib', () => {
  it('decode as with a DecompressionStream, within the same limit', async () => {
    const bits = new Uint8Array(16 * 1024)
    bits[0] = 0x80
    bits[100] = 0x05
    const encode = (bytes: Uint8Array) => `u${Buffer.from(bytes).toString('base64url')}`
    const gzip = (bytes: Uint8Array) => zlib.gzipSync(bytes)
    const samples = [
      encode(gzip(bits)),
      encode(gzip(new Uint8Array(16 * 1024 * 1024))),
      encode(gzip(new Uint8Array(16 * 1024 * 1024 + 1))),
      encode(Buffer.concat([gzip(bits), gzip(bits)])),
      encode(Buffer.concat([gzip(bits), Buffer.from('trailing')])),
      encode(gzip(bits).subarray(0, 100)),
      encode(Buffer.from('not gzip at all')),
      encode(new Uint8Array(0)),
    ]
    const outcome = (promise: Promise<Uint8Array>) =>
      promise.then(
        (decoded) => ({ length: decoded.length, sum: decoded.reduce((a, b) => a + b, 0) }),
        (error: Error) => ({ error: `${error.name}: ${error.message}` }),
      )
    for (const encoded of samples) {
      expect(await outcome(decodeEncodedList(encoded, nodeGunzip))).toEqual(
        await outcome(decodeEncodedList(encoded)),
      )
    }
    expect(await outcome(decodeEncodedList(samples[0]!, nodeGunzip))).toEqual({
      length: 16 * 1024,
      sum: 0x85,
    })
  }, 60_000)
})
