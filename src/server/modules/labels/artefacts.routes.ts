import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { LabelParamsSchema } from '../../../common/api/labels.ts'
import { access } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import { badgeSvg, certificatePdf, labelPageUrl, qrPng, qrSvg } from './artefacts.ts'
import { getLabel } from './labels.service.ts'

/**
 * How long each artefact may be cached (seconds). The QR code only holds the page's address,
 * which never changes; the badge and the certificate show the live status, so they are short.
 */
export const ARTEFACT_MAX_AGE = { qr: 86_400, badge: 60, certificate: 300 } as const

/** Embeddable anywhere: any origin may load it, and it may be cached for `maxAge` seconds. */
function embeddable(reply: FastifyReply, maxAge: number): FastifyReply {
  return reply.headers({
    'cache-control': `public, max-age=${maxAge}`,
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
  })
}

const binary = (description: string) => ({ 200: Type.String({ description }) })

/** `GET /api/v1/labels/:labelId/{qr.svg,qr.png,badge.svg,certificate.pdf}`, all public. */
export const labelArtefactRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (
  app,
  { ctx },
) => {
  const tags = ['labels']
  const pageOf = (id: string) => labelPageUrl(ctx.config.publicUrl, id)

  app.get(
    '/labels/:labelId/qr.svg',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'QR code (SVG) that opens the label’s public page',
        params: LabelParamsSchema,
        response: binary('image/svg+xml'),
      },
    },
    async (request, reply) => {
      const label = await getLabel(ctx, request.params.labelId)
      const svg = await qrSvg(pageOf(label.id))
      return embeddable(reply, ARTEFACT_MAX_AGE.qr).type('image/svg+xml').send(svg)
    },
  )

  app.get(
    '/labels/:labelId/qr.png',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'QR code (PNG, 512 px) that opens the label’s public page',
        params: LabelParamsSchema,
        response: binary('image/png'),
      },
    },
    async (request, reply) => {
      const label = await getLabel(ctx, request.params.labelId)
      const png = await qrPng(pageOf(label.id))
      return embeddable(reply, ARTEFACT_MAX_AGE.qr).type('image/png').send(png)
    },
  )

  app.get(
    '/labels/:labelId/badge.svg',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'Embeddable badge (SVG): tier and live status, colour-coded',
        params: LabelParamsSchema,
        response: binary('image/svg+xml'),
      },
    },
    async (request, reply) => {
      const label = await getLabel(ctx, request.params.labelId)
      return embeddable(reply, ARTEFACT_MAX_AGE.badge).type('image/svg+xml').send(badgeSvg(label))
    },
  )

  app.get(
    '/labels/:labelId/certificate.pdf',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'PDF certificate: the record, status today, QR code, key id and JWS',
        params: LabelParamsSchema,
        response: binary('application/pdf'),
      },
    },
    async (request, reply) => {
      const label = await getLabel(ctx, request.params.labelId)
      const pdf = await certificatePdf({ label, pageUrl: pageOf(label.id), now: ctx.clock.now() })
      return embeddable(reply, ARTEFACT_MAX_AGE.certificate)
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="label-${label.id}.pdf"`)
        .send(pdf)
    },
  )
}
