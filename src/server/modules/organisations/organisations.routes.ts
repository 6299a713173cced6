import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AuditPageSchema, AuditQuerySchema } from '../../../common/api/admin.ts'
import {
  AcceptInvitationBodySchema,
  AcceptInvitationResultSchema,
  ChangeRoleBodySchema,
  CreateOrganisationBodySchema,
  InvitationParamsSchema,
  InvitationPreviewSchema,
  InvitationSchema,
  InviteBodySchema,
  InviteResultSchema,
  MemberParamsSchema,
  MemberSchema,
  OrganisationSchema,
  UpdateOrganisationBodySchema,
} from '../../../common/api/organisations.ts'
import { TokenParamsSchema } from '../../../common/api/accounts.ts'
import { OrgParamsSchema } from '../../../common/api/shared.ts'
import { access, userWho } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import { findAuditLog } from '../audit/audit.service.ts'
import {
  acceptInvitation,
  cachedOrganisation,
  changeMemberRole,
  createOrganisation,
  getOrganisation,
  inviteMember,
  listMembers,
  listMyOrganisations,
  listOrganisationInvitations,
  previewInvitation,
  removeMember,
  revokeInvitation,
  updateOrganisation,
} from './organisations.service.ts'

export const organisationsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (
  app,
  { ctx },
) => {
  const tags = ['organisations']
  const STRICT_RATE_LIMIT = { max: ctx.config.authRateLimitPerMinute, timeWindow: '1 minute' }
  const who = (request: FastifyRequest) => ({ actor: request.actor, meta: request.meta })

  app.get(
    '/organisations',
    {
      config: { access: access.user },
      schema: {
        tags,
        summary: 'Organisations I belong to',
        response: { 200: Type.Array(OrganisationSchema) },
      },
    },
    async (request) => listMyOrganisations(ctx, request.actor),
  )

  app.post(
    '/organisations',
    {
      config: { access: access.networkAdmin },
      schema: {
        tags,
        summary: 'Create a member organisation (its creator becomes owner)',
        body: CreateOrganisationBodySchema,
        response: { 201: OrganisationSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createOrganisation(ctx, userWho(request), request.body)),
  )

  app.get(
    '/organisations/:orgId',
    {
      config: { access: access.org('viewer', 'organisation:read') },
      schema: {
        tags,
        summary: 'An organisation I belong to',
        params: OrgParamsSchema,
        response: { 200: OrganisationSchema },
      },
    },
    // Not async: a cached record is sent without a promise.
    (request) =>
      cachedOrganisation(request.params.orgId) ?? getOrganisation(ctx, request.params.orgId),
  )

  app.patch(
    '/organisations/:orgId',
    {
      config: { access: access.org('admin', 'organisation:write') },
      schema: {
        tags,
        summary: 'Update an organisation',
        params: OrgParamsSchema,
        body: UpdateOrganisationBodySchema,
        response: { 200: OrganisationSchema },
      },
    },
    async (request) =>
      updateOrganisation(ctx, who(request), request.params.orgId, request.body.data),
  )

  // ---- members

  app.get(
    '/organisations/:orgId/members',
    {
      config: { access: access.org('viewer', 'organisation:read') },
      schema: {
        tags,
        summary: 'Members and their roles',
        params: OrgParamsSchema,
        response: { 200: Type.Array(MemberSchema) },
      },
    },
    async (request) => listMembers(ctx, request.params.orgId),
  )

  app.patch(
    '/organisations/:orgId/members/:userId',
    {
      config: { access: access.org('admin') },
      schema: {
        tags,
        summary: 'Change a member’s role',
        params: MemberParamsSchema,
        body: ChangeRoleBodySchema,
        response: { 200: MemberSchema },
      },
    },
    async (request) =>
      changeMemberRole(
        ctx,
        userWho(request),
        request.params.orgId,
        request.params.userId,
        request.body.data.role,
      ),
  )

  app.delete(
    '/organisations/:orgId/members/:userId',
    {
      config: { access: access.org('admin') },
      schema: {
        tags,
        summary: 'Remove a member',
        params: MemberParamsSchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await removeMember(ctx, userWho(request), request.params.orgId, request.params.userId)
      return reply.status(204).send(null)
    },
  )

  app.delete(
    '/organisations/:orgId/membership',
    {
      config: { access: access.org('viewer') },
      schema: {
        tags,
        summary: 'Leave the organisation (the last owner cannot)',
        params: OrgParamsSchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const who = userWho(request)
      await removeMember(ctx, who, request.params.orgId, who.actor.userId)
      return reply.status(204).send(null)
    },
  )

  // ---- invitations

  app.get(
    '/organisations/:orgId/invitations',
    {
      config: { access: access.org('admin') },
      schema: {
        tags,
        summary: 'Invitations sent',
        params: OrgParamsSchema,
        response: { 200: Type.Array(InvitationSchema) },
      },
    },
    async (request) => listOrganisationInvitations(ctx, request.params.orgId),
  )

  app.post(
    '/organisations/:orgId/invitations',
    {
      config: { access: access.org('admin') },
      schema: {
        tags,
        summary: 'Invite someone by email',
        params: OrgParamsSchema,
        body: InviteBodySchema,
        response: { 201: InviteResultSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await inviteMember(ctx, userWho(request), request.params.orgId, request.body)),
  )

  app.delete(
    '/organisations/:orgId/invitations/:invitationId',
    {
      config: { access: access.org('admin') },
      schema: {
        tags,
        summary: 'Revoke an invitation',
        params: InvitationParamsSchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await revokeInvitation(
        ctx,
        userWho(request),
        request.params.orgId,
        request.params.invitationId,
      )
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/invitations/:token',
    {
      config: { access: access.public, rateLimit: STRICT_RATE_LIMIT },
      schema: {
        tags,
        summary: 'What an invitation link offers',
        params: TokenParamsSchema,
        response: { 200: InvitationPreviewSchema },
      },
    },
    async (request) => previewInvitation(ctx, request.params.token),
  )

  app.post(
    '/invitations/:token/accept',
    {
      config: { access: access.public, rateLimit: STRICT_RATE_LIMIT },
      schema: {
        tags,
        summary: 'Accept an invitation (creating an account, or as the signed-in invitee)',
        params: TokenParamsSchema,
        body: AcceptInvitationBodySchema,
        response: { 200: AcceptInvitationResultSchema },
      },
    },
    async (request) => {
      const signedIn =
        request.actor.type === 'user'
          ? { userId: request.actor.userId, email: request.actor.email }
          : undefined
      return acceptInvitation(ctx, request.params.token, request.body, signedIn, request.meta)
    },
  )

  // ---- the organisation's own audit trail

  app.get(
    '/organisations/:orgId/audit',
    {
      config: { access: access.org('admin', 'audit:read') },
      schema: {
        tags,
        summary: 'Audit entries about this organisation, newest first',
        params: OrgParamsSchema,
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema },
      },
    },
    async (request) =>
      findAuditLog(ctx, { ...request.query, organisationId: request.params.orgId }),
  )
}
