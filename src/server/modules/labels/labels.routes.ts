import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import {
  JOSE_MEDIA_TYPE,
  JwksSchema,
  LabelParamsSchema,
  LabelRecordSchema,
  LabelSchema,
  LabelStatusChangeBodySchema,
  LabelSummarySchema,
  LabelVerificationSchema,
  MAX_LABEL_LENGTH,
  PublicLabelStatusSchema,
  SigningKeySchema,
  StatusListParamsSchema,
  VerifyLabelBodySchema,
  VerifyLabelJoseBodySchema,
  VerifyLabelQuerySchema,
  type LabelVerification,
  type VerifyLabelQuery,
} from '../../../common/api/labels.ts'
import { AppError } from '../../../common/errors.ts'
import { verificationAnswer } from '../../../common/labels/verify.ts'
import { access } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import { labelArtefactRoutes } from './artefacts.routes.ts'
import { listSigningKeys, publishedKeys, rotateSigningKey } from './keys.service.ts'
import {
  changeLabelStatus,
  getLabel,
  getPublicLabelStatus,
  listAllLabels,
  verifyLabelLive,
  type LabelStatusAction,
} from './labels.service.ts'
import { signedStatusList, STATUS_LIST_MAX_AGE_SECONDS } from './status-lists.ts'
import { withPolicyWarning } from '../label-policy/label-policy.service.ts'

/** How long verifiers may cache the JWKS (seconds); a rotation shows within this time. */
const JWKS_MAX_AGE_SECONDS = 300

/** Published for anyone, from any origin: keys and status lists are meant to be fetched. */
function shareable(reply: FastifyReply, maxAge: number): FastifyReply {
  return reply.headers({
    'cache-control': `public, max-age=${maxAge}`,
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
  })
}

/** `object` as `type: ['object', 'null']`, with the description of `declared`. */
const nullable = (object: object, declared: object) => ({
  ...object,
  type: ['object', 'null'],
  description: (declared as { description?: string }).description,
})

/**
 * The verification answer's schema with `summary` and `record` as `type: ['object', 'null']`
 * instead of `anyOf: [object, null]`: the same JSON Schema (OpenAPI 3.1) and the same output, but
 * fast-json-stringify picks an `anyOf` branch by validating the whole object with Ajv on every
 * answer, which cost a third as much again as writing it (docs/performance.md).
 */
const VerificationAnswerSchema = Type.Unsafe<LabelVerification>({
  ...LabelVerificationSchema,
  properties: {
    ...LabelVerificationSchema.properties,
    summary: nullable(LabelSummarySchema, LabelVerificationSchema.properties.summary),
    record: nullable(LabelRecordSchema, LabelVerificationSchema.properties.record),
  },
})

/** Largest `application/jose` body: a label of MAX_LABEL_LENGTH with room for white space. */
const JOSE_BODY_LIMIT = 2 * MAX_LABEL_LENGTH

/** `GET /.well-known/jwks.json`, registered at the root. */
export const jwksRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  app.get(
    '/.well-known/jwks.json',
    {
      config: { access: access.public },
      schema: {
        tags: ['labels'],
        summary: 'The keys that sign labels and status lists (active and retired)',
        response: { 200: JwksSchema },
      },
    },
    async (_request, reply) => {
      const { jwks } = await publishedKeys(ctx)
      return shareable(reply, JWKS_MAX_AGE_SECONDS).send(jwks)
    },
  )
}

/** Labels under `/api/v1`: public verification and status, network-administrator changes. */
export const labelsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['labels']
  await app.register(labelArtefactRoutes, { ctx })

  app.get(
    '/labels/status-lists/:purpose',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'The signed W3C Bitstring Status List (vc+jwt) for revocation or suspension',
        params: StatusListParamsSchema,
        response: {
          200: Type.String({ description: 'Compact JWS (application/vc+jwt)' }),
          304: Type.Null({ description: 'Not modified (If-None-Match)' }),
        },
      },
    },
    async (request, reply) => {
      const list = await signedStatusList(ctx, request.params.purpose)
      shareable(reply, STATUS_LIST_MAX_AGE_SECONDS).header('etag', list.etag)
      if (request.headers['if-none-match'] === list.etag) return reply.status(304).send(null)
      return reply.type('application/vc+jwt').send(list.jwt)
    },
  )

  // Its own scope: the label may also be the whole body, as `application/jose` (RFC 7515 §9.2.1),
  // so that a verifier sends the text it scanned without a JSON wrapper. Each media type has its
  // own body schema; only these two are parsed here (anything else is refused, 400).
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string' },
      scope.getDefaultJsonParser('error', 'error'),
    )
    scope.addContentTypeParser(
      JOSE_MEDIA_TYPE,
      { parseAs: 'string', bodyLimit: JOSE_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    )
    scope.addContentTypeParser('*', (request, _payload, done) =>
      done(
        new AppError(
          'malformed_request',
          `Send the label as application/json ({ "label": "…" }) or as ${JOSE_MEDIA_TYPE}; got ${request.headers['content-type'] ?? 'none'}.`,
        ),
      ),
    )
    scope.post(
      '/labels/verify',
      {
        config: { access: access.public },
        schema: {
          tags,
          summary: 'Verify a label: signature, validity and its status now',
          description:
            'Send `{ "label": "<compact JWS>" }` as JSON, or the compact JWS itself as `application/jose`. ' +
            'The answer gives the verdict and a summary of the product; add `?include=record` for the whole signed record.',
          querystring: VerifyLabelQuerySchema,
          body: {
            content: {
              'application/json': { schema: VerifyLabelBodySchema },
              [JOSE_MEDIA_TYPE]: { schema: VerifyLabelJoseBodySchema },
            },
          },
          response: { 200: VerificationAnswerSchema },
        },
      },
      async (request) => {
        const body = request.body as string | { label: string }
        const label = typeof body === 'string' ? body : body.label
        const result = await withPolicyWarning(ctx, await verifyLabelLive(ctx, label))
        const { include } = request.query as VerifyLabelQuery
        return verificationAnswer(result, { record: include === 'record' })
      },
    )
  })

  app.get(
    '/labels/:labelId',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'A label: its signed form, record and status',
        params: LabelParamsSchema,
        response: { 200: LabelSchema },
      },
    },
    async (request) => getLabel(ctx, request.params.labelId),
  )

  app.get(
    '/labels/:labelId/status',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: 'A label’s status now, with the reason and its history (the label’s status URL)',
        params: LabelParamsSchema,
        response: { 200: PublicLabelStatusSchema },
      },
    },
    async (request) => getPublicLabelStatus(ctx, request.params.labelId),
  )

  const statusRoute = (action: LabelStatusAction, summary: string) =>
    app.post(
      `/labels/:labelId/${action}`,
      {
        config: { access: access.networkAdmin },
        schema: {
          tags,
          summary,
          params: LabelParamsSchema,
          body: LabelStatusChangeBodySchema,
          response: { 200: LabelSchema },
        },
      },
      async (request) =>
        changeLabelStatus(
          ctx,
          { actor: request.actor, meta: request.meta },
          request.params.labelId,
          action,
          request.body.reason,
        ),
    )
  statusRoute('suspend', 'Suspend a label (reversible), with a reason')
  statusRoute('reinstate', 'Reinstate a suspended label, with a reason')
  statusRoute('revoke', 'Revoke a label for good, with a reason')

  app.get(
    '/admin/labels',
    {
      config: { access: access.networkAdmin },
      schema: {
        tags,
        summary: 'The latest labels issued (up to 100)',
        response: { 200: Type.Array(LabelSchema) },
      },
    },
    async () => listAllLabels(ctx),
  )

  app.get(
    '/admin/label-keys',
    {
      config: { access: access.networkAdmin },
      schema: {
        tags,
        summary: 'Label signing keys, newest first (public halves)',
        response: { 200: Type.Array(SigningKeySchema) },
      },
    },
    async () => listSigningKeys(ctx),
  )

  app.post(
    '/admin/label-keys/rotate',
    {
      config: { access: access.networkAdmin },
      schema: {
        tags,
        summary: 'Generate a new signing key and retire the active one (it stays published)',
        response: {
          200: Type.Object({
            active: SigningKeySchema,
            retired: Type.Union([SigningKeySchema, Type.Null()]),
          }),
        },
      },
    },
    async (request) => rotateSigningKey(ctx, { actor: request.actor, meta: request.meta }),
  )
}
