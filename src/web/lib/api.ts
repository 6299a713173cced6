import { AppError } from '../../common/errors.ts'

/** Every API route lives under this prefix. */
export const API_PREFIX = '/api/v1'

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue>

// The CSRF token of the current session. The session query sets it whenever it learns a session
// (sign-in, reload) and clears it on sign-out; writes made with the session cookie send it back.
let csrfToken: string | undefined

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token
}

/** Builds `/api/v1<path>?<query>`, leaving out empty query values. */
export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const search = params.toString()
  return `${API_PREFIX}${path}${search ? `?${search}` : ''}`
}

async function request<T>(method: Method, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (WRITE_METHODS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken

  let response: Response
  try {
    response = await fetch(apiUrl(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (cause) {
    throw new AppError('service_unavailable', 'The server could not be reached. Try again.', {
      cause,
    })
  }

  if (response.status === 204) return undefined as T
  const payload: unknown = await response.json().catch(() => undefined)
  if (!response.ok) {
    const error = AppError.parse(payload)
    // A proxy or crash page without our error body: say what happened instead of "unexpected".
    if (error.code === 'internal_error' && payload === undefined) {
      throw new AppError(
        response.status === 429 ? 'rate_limited' : 'internal_error',
        `The server answered ${response.status} ${response.statusText}`.trim(),
      )
    }
    throw error
  }
  return payload as T
}

/** A small typed client: `api.get<Organisation[]>('/organisations')`. Errors are `AppError`s. */
export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T = undefined>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T = undefined>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T = undefined>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  delete: <T = undefined>(path: string) => request<T>('DELETE', path),
}

/**
 * Sends a file as the raw request body (application/octet-stream) with its name in `x-file-name`,
 * as the evidence upload expects (docs/assessments.md).
 */
export async function uploadFile<T>(path: string, file: Blob & { name: string }, query?: Query) {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/octet-stream',
    'x-file-name': encodeURIComponent(file.name),
  }
  if (csrfToken) headers['x-csrf-token'] = csrfToken
  let response: Response
  try {
    response = await fetch(apiUrl(path, query), {
      method: 'POST',
      headers,
      credentials: 'same-origin',
      body: file,
    })
  } catch (cause) {
    throw new AppError('service_unavailable', 'The server could not be reached. Try again.', {
      cause,
    })
  }
  const payload: unknown = await response.json().catch(() => undefined)
  if (!response.ok) throw AppError.parse(payload)
  return payload as T
}

/** The error's user-safe message, for errors from the API or anything else thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof AppError) return error.message
  if (error instanceof Error) return error.message
  return 'Something went wrong'
}

export { AppError }
