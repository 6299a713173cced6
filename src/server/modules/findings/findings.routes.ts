import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  FindingOverviewParamsSchema,
  FindingOverviewSchema,
  FindingPageSchema,
  FindingParamsSchema,
  FindingQuerySchema,
  FindingSchema,
  FindingVersionParamsSchema,
  KevExposureSchema,
} from '../../../common/api/findings.ts'
import { access } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import { getFindingOverview } from './findings.overview.ts'
import { getFinding, getKevExposure, listFindings } from './findings.service.ts'

/**
 * Findings of product versions (docs/vulnerabilities.md, "Findings"): the manufacturer's own,
 * read with `sboms:read` or `products:read`; network administrators see the KEV exposure counts.
 */
export const findingsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['findings']
  const read = access.org('viewer', 'sboms:read', 'products:read')
  const base = '/organisations/:orgId/product-versions/:versionId/findings'

  app.get(
    base,
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          'A product version’s findings (open by default), KEV first; filter by status, severity, KEV, confidence and text',
        params: FindingVersionParamsSchema,
        querystring: FindingQuerySchema,
        response: { 200: FindingPageSchema },
      },
    },
    async (request) =>
      listFindings(ctx, request.params.orgId, request.params.versionId, request.query),
  )

  app.get(
    `${base}/:findingId`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'One finding with why it matched (key, rule, details) and its confidence',
        params: FindingParamsSchema,
        response: { 200: FindingSchema },
      },
    },
    async (request) =>
      getFinding(ctx, request.params.orgId, request.params.versionId, request.params.findingId),
  )

  app.get(
    '/organisations/:orgId/findings/overview',
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          'The organisation’s product versions with unresolved findings: open by severity, known-exploited, awaiting review, last evaluation',
        params: FindingOverviewParamsSchema,
        response: { 200: FindingOverviewSchema },
      },
    },
    async (request) => getFindingOverview(ctx, request.params.orgId),
  )

  app.get(
    '/admin/kev-exposure',
    {
      config: { access: access.networkAdmin },
      schema: {
        tags,
        summary:
          'Products exposed to known-exploited vulnerabilities: totals, by manufacturer and by device class (counts only)',
        response: { 200: KevExposureSchema },
      },
    },
    async () => getKevExposure(ctx),
  )
}
