import { describe, expect, it } from 'vitest'
import { CLEARED_SESSION_COOKIE, readCookie, sessionCookie } from './access.ts'

describe('the session cookie, read and written without @fastify/cookie', () => {
  it('reads the first cookie of that name as the cookie package does', () => {
    expect(readCookie(undefined, 'isn_session')).toBeUndefined()
    expect(readCookie('', 'isn_session')).toBeUndefined()
    expect(readCookie('isn_session=abc', 'isn_session')).toBe('abc')
    expect(readCookie('a=1; isn_session=abc; b=2', 'isn_session')).toBe('abc')
    expect(readCookie('a=1;isn_session = abc ;b=2', 'isn_session')).toBe('abc')
    expect(readCookie('isn_session=first; isn_session=second', 'isn_session')).toBe('first')
    expect(readCookie('xisn_session=no; isn_sessionx=no', 'isn_session')).toBeUndefined()
    expect(readCookie('isn_session="quoted"', 'isn_session')).toBe('quoted')
    expect(readCookie('isn_session=a%20b', 'isn_session')).toBe('a b')
    expect(readCookie('isn_session=%E0%A4%A', 'isn_session')).toBe('%E0%A4%A')
    expect(readCookie('novalue; isn_session=abc', 'isn_session')).toBe('abc')
  })

  it('writes httpOnly, SameSite=Lax cookies, Secure on https, and clears them', () => {
    const expires = new Date('2026-06-01T20:00:00.000Z')
    expect(sessionCookie('tok-en_1', { secure: false, expires })).toBe(
      'isn_session=tok-en_1; Expires=Mon, 01 Jun 2026 20:00:00 GMT; Path=/; HttpOnly; SameSite=Lax',
    )
    expect(sessionCookie('t', { secure: true, expires })).toContain('; HttpOnly; Secure;')
    expect(CLEARED_SESSION_COOKIE).toBe(
      'isn_session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/',
    )
  })
})
