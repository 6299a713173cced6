import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { blobPath, detectEvidenceType, sha256Of, writeBlob } from './evidence-store.ts'

describe('evidence types by content', () => {
  const cases: [string, Buffer, string, string | undefined][] = [
    ['PDF', Buffer.from('%PDF-1.4\n...'), 'a.bin', 'application/pdf'],
    ['PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'a', 'image/png'],
    ['JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'a.jpg', 'image/jpeg'],
    ['ZIP', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0]), 'a.zip', 'application/zip'],
    ['empty ZIP', Buffer.from([0x50, 0x4b, 0x05, 0x06, 0, 0]), 'a.zip', 'application/zip'],
    ['JSON', Buffer.from(' {"a": [1, 2]}\n'), 'a.txt', 'application/json'],
    ['CSV by name', Buffer.from('id,status\nISN-AUTH-01,met\n'), 'answers.CSV', 'text/csv'],
    ['text', Buffer.from('Ünïcode notes\r\n\twith tabs'), 'notes', 'text/plain'],
    ['broken JSON is text', Buffer.from('{not json'), 'a.json', 'text/plain'],
    ['a Windows executable', Buffer.from('MZ\x90\x00\x03'), 'report.pdf', undefined],
    ['an ELF binary', Buffer.from('\x7fELF\x02\x01'), 'a.txt', undefined],
    ['invalid UTF-8', Buffer.from([0x61, 0xc3, 0x28]), 'a.txt', undefined],
    ['text with NUL', Buffer.from('abc\u0000def'), 'a.txt', undefined],
    ['GIF (not accepted)', Buffer.from('GIF89a\x01\x00\x01\x00\x80'), 'a.gif', undefined],
    ['nothing', Buffer.alloc(0), 'a.txt', undefined],
  ]
  it.each(cases)('%s', (_name, bytes, fileName, expected) => {
    expect(detectEvidenceType(bytes, fileName)).toBe(expected)
  })
})

describe('stored once by hash', () => {
  it('writes through a temporary file and leaves only the complete file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-blobs-'))
    try {
      const bytes = Buffer.from('%PDF-1.7 evidence')
      const sha = sha256Of(bytes)
      await writeBlob(dir, sha, bytes)
      await writeBlob(dir, sha, bytes)
      const folder = path.dirname(blobPath(dir, sha))
      expect(fs.readdirSync(folder)).toEqual([sha])
      expect(fs.readFileSync(blobPath(dir, sha))).toEqual(bytes)
      expect(path.relative(dir, blobPath(dir, sha))).toBe(
        path.join('evidence', sha.slice(0, 2), sha),
      )
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
