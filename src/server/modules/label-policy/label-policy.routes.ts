import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ExposedLabelPageSchema,
  ExposedLabelQuerySchema,
  LabelExposureParamsSchema,
  LabelExposureSchema,
  LabelPolicySchema,
  PublishedLabelPolicySchema,
  UpdateLabelPolicyBodySchema,
} from '../../../common/api/label-policy.ts'
import { access, userWho } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import { updateLabelPolicy } from '../settings/label-policy.service.ts'
import { getLabelExposure, getPublishedPolicy, listExposedLabels } from './label-policy.service.ts'

/**
 * The published label policy, a label's exposure for its public product page, and for network
 * administrators the policy setting and the exposed labels (docs/labels.md, "Label policy").
 */
export const labelPolicyRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get(
    '/label-policy',
    {
      config: { access: access.public },
      schema: {
        tags: ['labels'],
        summary: 'The network’s label policy: when labels are suspended or warned by themselves',
        response: { 200: PublishedLabelPolicySchema },
      },
    },
    async () => getPublishedPolicy(ctx),
  )

  app.get(
    '/registry/labels/:labelId/exposure',
    {
      config: { access: access.public },
      schema: {
        tags: ['registry'],
        summary:
          'A label’s exposure: open known-exploited vulnerabilities of its version, the policy’s warning and suspension',
        params: LabelExposureParamsSchema,
        response: { 200: LabelExposureSchema },
      },
    },
    async (request) => getLabelExposure(ctx, request.params.labelId),
  )

  app.get(
    '/admin/kev-exposure/labels',
    {
      config: { access: access.networkAdmin },
      schema: {
        tags: ['admin'],
        summary:
          'Labelled product versions with open known-exploited vulnerabilities, the longest exposed first',
        querystring: ExposedLabelQuerySchema,
        response: { 200: ExposedLabelPageSchema },
      },
    },
    async (request) => listExposedLabels(ctx, request.query),
  )

  app.put(
    '/admin/label-policy',
    {
      config: { access: access.networkAdmin },
      schema: {
        tags: ['admin'],
        summary: 'Replace the label policy (audited; applies from the next pass)',
        body: UpdateLabelPolicyBodySchema,
        response: { 200: LabelPolicySchema },
      },
    },
    async (request) => updateLabelPolicy(ctx, userWho(request), request.body.data),
  )
}
