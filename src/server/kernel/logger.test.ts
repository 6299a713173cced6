import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { newRequestId } from './crypto.ts'
import { LazyRequestLogger } from './logger.ts'

function capture(level: string) {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      done()
    },
  })
  return { logger: pino({ level }, sink), lines }
}

describe('LazyRequestLogger', () => {
  it('writes enabled levels with the request bindings and drops the others', () => {
    const { logger, lines } = capture('warn')
    const log = new LazyRequestLogger(logger, { reqId: 'r-1' }, {})
    log.info('not written')
    log.error({ code: 'x' }, 'written')
    log.warn('also written')
    expect(lines.map((line) => [line.msg, line.reqId, line.code])).toEqual([
      ['written', 'r-1', 'x'],
      ['also written', 'r-1', undefined],
    ])
    expect(log.level).toBe('warn')
    expect(log.isLevelEnabled('info')).toBe(false)
  })

  it('makes children that keep the request bindings', () => {
    const { logger, lines } = capture('info')
    new LazyRequestLogger(logger, { reqId: 'r-2' }, {}).child({ part: 'a' }).info('hello')
    expect(lines[0]).toMatchObject({ msg: 'hello', reqId: 'r-2', part: 'a' })
  })
})

describe('newRequestId', () => {
  it('gives distinct ids that look like request ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newRequestId()))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/)
  })
})
