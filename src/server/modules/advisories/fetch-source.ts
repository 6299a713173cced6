import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AppError } from '../../../common/errors.ts'

/** Limits on fetching a configured advisory source from a URL. */
export interface FetchLimits {
  /** The whole download, headers to last byte. */
  timeoutMs: number
  maxBytes: number
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  timeoutMs: 120_000,
  maxBytes: 512 * 1024 * 1024,
}

/**
 * Downloads `url` (http or https only) into a temporary file and returns its path; the caller
 * deletes it. Refused when the answer is not 2xx, announces or reaches more than `maxBytes`, or
 * takes longer than `timeoutMs`.
 * @throws validation_failed (not http(s), too large), service_unavailable (no answer, error status, timeout)
 */
export async function fetchToTempFile(url: string, limits: FetchLimits): Promise<string> {
  if (!/^https?:\/\//i.test(url)) {
    throw new AppError('validation_failed', `${url} is not an http(s) address`)
  }
  const signal = AbortSignal.timeout(limits.timeoutMs)
  let response: Response
  try {
    response = await fetch(url, { signal, redirect: 'follow' })
  } catch (error) {
    throw new AppError('service_unavailable', `could not fetch ${url}: ${describe(error)}`, {
      cause: error,
    })
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel()
    throw new AppError('service_unavailable', `${url} answered ${response.status}`)
  }
  const announced = Number(response.headers.get('content-length') ?? 'NaN')
  if (announced > limits.maxBytes) {
    await response.body.cancel()
    throw new AppError(
      'validation_failed',
      `${url} is ${announced} bytes, over the limit of ${limits.maxBytes}`,
    )
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isn-advisories-'))
  const file = path.join(dir, 'download')
  const out = fs.openSync(file, 'w', 0o600)
  let received = 0
  try {
    const reader = response.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      received += value.byteLength
      if (received > limits.maxBytes) {
        await reader.cancel()
        throw new AppError(
          'validation_failed',
          `${url} sent more than the limit of ${limits.maxBytes} bytes`,
        )
      }
      fs.writeSync(out, value)
    }
  } catch (error) {
    fs.closeSync(out)
    fs.rmSync(dir, { recursive: true, force: true })
    if (error instanceof AppError) throw error
    throw new AppError('service_unavailable', `could not fetch ${url}: ${describe(error)}`, {
      cause: error,
    })
  }
  fs.closeSync(out)
  return file
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out'
  return error instanceof Error ? error.message : String(error)
}

/** Deletes a file made by fetchToTempFile, and its folder. */
export function removeTempFile(file: string): void {
  fs.rmSync(path.dirname(file), { recursive: true, force: true })
}
