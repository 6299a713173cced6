import type { TokenScope } from '../../common/organisations.ts'

/** Who is doing something: passed from routes, jobs and CLI commands into services. */
export type Actor =
  | { type: 'user'; userId: string; email: string; isNetworkAdmin: boolean }
  | {
      type: 'api_token'
      tokenId: string
      name: string
      organisationId: string
      scopes: readonly TokenScope[]
      createdBy: string
    }
  | { type: 'system'; name: string }
  | { type: 'anonymous' }

/** Where a request came from; written into the audit log. */
export interface RequestMeta {
  requestId?: string
  ip?: string
  userAgent?: string
}

export const systemActor = (name: string): Actor => ({ type: 'system', name })
