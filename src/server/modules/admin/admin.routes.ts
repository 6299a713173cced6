import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  AccreditBodySchema,
  AdminOrganisationQuerySchema,
  AdminOrganisationSchema,
  AdminUserQuerySchema,
  AdminUserSchema,
  AuditPageSchema,
  AuditQuerySchema,
  AuditVerificationSchema,
  NetworkSettingsSchema,
  UpdateSettingsBodySchema,
  UpdateUserBodySchema,
  UserParamsSchema,
} from '../../../common/api/admin.ts'
import { OrganisationSchema } from '../../../common/api/organisations.ts'
import { OrgParamsSchema } from '../../../common/api/shared.ts'
import { access, userWho } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import { findUsersForAdmin, updateUserByAdmin } from '../accounts/accounts.service.ts'
import { findAuditLog, verifyAuditChain } from '../audit/audit.service.ts'
import {
  findOrganisationsForAdmin,
  setAccreditation,
} from '../organisations/organisations.service.ts'
import { getNetworkSettings, updateNetworkSettings } from '../settings/settings.service.ts'

/** Network administration: organisations and accreditation, accounts, the audit log, settings. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['administration']
  const config = { access: access.networkAdmin }

  app.get(
    '/admin/organisations',
    {
      config,
      schema: {
        tags,
        summary: 'All organisations',
        querystring: AdminOrganisationQuerySchema,
        response: { 200: Type.Array(AdminOrganisationSchema) },
      },
    },
    async (request) => findOrganisationsForAdmin(ctx, request.query),
  )

  app.post(
    '/admin/organisations/:orgId/accreditation',
    {
      config,
      schema: {
        tags,
        summary: 'Accredit an assessor organisation',
        params: OrgParamsSchema,
        body: AccreditBodySchema,
        response: { 200: OrganisationSchema },
      },
    },
    async (request) =>
      setAccreditation(ctx, userWho(request), request.params.orgId, { note: request.body.note }),
  )

  app.delete(
    '/admin/organisations/:orgId/accreditation',
    {
      config,
      schema: {
        tags,
        summary: 'Withdraw an accreditation',
        params: OrgParamsSchema,
        response: { 200: OrganisationSchema },
      },
    },
    async (request) => setAccreditation(ctx, userWho(request), request.params.orgId, null),
  )

  app.get(
    '/admin/users',
    {
      config,
      schema: {
        tags,
        summary: 'All accounts',
        querystring: AdminUserQuerySchema,
        response: { 200: Type.Array(AdminUserSchema) },
      },
    },
    async (request) => findUsersForAdmin(ctx, request.query),
  )

  app.patch(
    '/admin/users/:userId',
    {
      config,
      schema: {
        tags,
        summary: 'Grant or withdraw network administration; disable or enable an account',
        params: UserParamsSchema,
        body: UpdateUserBodySchema,
        response: { 200: AdminUserSchema },
      },
    },
    async (request) =>
      updateUserByAdmin(ctx, userWho(request), request.params.userId, request.body.data),
  )

  app.get(
    '/admin/audit',
    {
      config,
      schema: {
        tags,
        summary: 'The audit log, newest first, filtered',
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema },
      },
    },
    async (request) => findAuditLog(ctx, request.query),
  )

  app.get(
    '/admin/audit/verify',
    {
      config,
      schema: {
        tags,
        summary: 'Check the audit log’s hash chain end to end',
        response: { 200: AuditVerificationSchema },
      },
    },
    async () => verifyAuditChain(ctx.db),
  )

  app.get(
    '/admin/settings',
    {
      config,
      schema: { tags, summary: 'Network settings', response: { 200: NetworkSettingsSchema } },
    },
    async () => getNetworkSettings(ctx),
  )

  app.patch(
    '/admin/settings',
    {
      config,
      schema: {
        tags,
        summary: 'Change network settings',
        body: UpdateSettingsBodySchema,
        response: { 200: NetworkSettingsSchema },
      },
    },
    async (request) => updateNetworkSettings(ctx, userWho(request), request.body.data),
  )
}
