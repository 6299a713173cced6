import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import {
  CreateProductBodySchema,
  CreateProductVersionBodySchema,
  ProductListQuerySchema,
  ProductPageSchema,
  ProductParamsSchema,
  ProductSchema,
  ProductVersionParamsSchema,
  ProductVersionSchema,
  UpdateProductBodySchema,
  UpdateProductVersionBodySchema,
} from '../../../common/api/products.ts'
import { OrgParamsSchema } from '../../../common/api/shared.ts'
import { access, userWho } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import {
  createProduct,
  createProductVersion,
  deleteProduct,
  getProduct,
  getProductVersion,
  listProducts,
  listProductVersions,
  setProductArchived,
  updateProduct,
  updateProductVersion,
} from './products.service.ts'

/** Products and product versions of manufacturer organisations (docs/products.md). */
export const productsRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['products']
  const who = (request: FastifyRequest) => ({ actor: request.actor, meta: request.meta })
  const read = access.org('viewer', 'products:read')
  const write = access.org('member', 'products:write')
  const base = '/organisations/:orgId/products'

  app.get(
    base,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'The organisation’s products by name, a page at a time',
        params: OrgParamsSchema,
        querystring: ProductListQuerySchema,
        response: { 200: ProductPageSchema },
      },
    },
    async (request) => listProducts(ctx, request.params.orgId, request.query),
  )

  app.post(
    base,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Register a product (manufacturer organisations only)',
        params: OrgParamsSchema,
        body: CreateProductBodySchema,
        response: { 201: ProductSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createProduct(ctx, who(request), request.params.orgId, request.body)),
  )

  app.get(
    `${base}/:productId`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'A product with its registry fields',
        params: ProductParamsSchema,
        response: { 200: ProductSchema },
      },
    },
    async (request) => getProduct(ctx, request.params.orgId, request.params.productId),
  )

  app.patch(
    `${base}/:productId`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Change a product (null clears an optional field)',
        params: ProductParamsSchema,
        body: UpdateProductBodySchema,
        response: { 200: ProductSchema },
      },
    },
    async (request) =>
      updateProduct(
        ctx,
        who(request),
        request.params.orgId,
        request.params.productId,
        request.body.data,
      ),
  )

  app.delete(
    `${base}/:productId`,
    {
      config: { access: access.org('admin') },
      schema: {
        tags,
        summary: 'Delete a product that has no versions yet (otherwise archive it)',
        params: ProductParamsSchema,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteProduct(ctx, userWho(request), request.params.orgId, request.params.productId)
      return reply.status(204).send(null)
    },
  )

  for (const [action, archived] of [
    ['archive', true],
    ['restore', false],
  ] as const) {
    app.post(
      `${base}/:productId/${action}`,
      {
        config: { access: access.org('admin', 'products:write') },
        schema: {
          tags,
          summary: archived
            ? 'Archive a product (kept with its versions, out of the default list)'
            : 'Restore an archived product',
          params: ProductParamsSchema,
          response: { 200: ProductSchema },
        },
      },
      async (request) =>
        setProductArchived(
          ctx,
          who(request),
          request.params.orgId,
          request.params.productId,
          archived,
        ),
    )
  }

  // ---- versions

  app.get(
    `${base}/:productId/versions`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'A product’s firmware/software versions, newest release first',
        params: ProductParamsSchema,
        response: { 200: Type.Array(ProductVersionSchema) },
      },
    },
    async (request) => listProductVersions(ctx, request.params.orgId, request.params.productId),
  )

  app.post(
    `${base}/:productId/versions`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Register a version of a product',
        params: ProductParamsSchema,
        body: CreateProductVersionBodySchema,
        response: { 201: ProductVersionSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await createProductVersion(
            ctx,
            who(request),
            request.params.orgId,
            request.params.productId,
            request.body,
          ),
        ),
  )

  app.get(
    `${base}/:productId/versions/:versionId`,
    {
      config: { access: read },
      schema: {
        tags,
        summary: 'One version of a product',
        params: ProductVersionParamsSchema,
        response: { 200: ProductVersionSchema },
      },
    },
    async (request) =>
      getProductVersion(
        ctx,
        request.params.orgId,
        request.params.productId,
        request.params.versionId,
      ),
  )

  app.patch(
    `${base}/:productId/versions/:versionId`,
    {
      config: { access: write },
      schema: {
        tags,
        summary: 'Change a version’s release date, support period end or notes',
        params: ProductVersionParamsSchema,
        body: UpdateProductVersionBodySchema,
        response: { 200: ProductVersionSchema },
      },
    },
    async (request) =>
      updateProductVersion(
        ctx,
        who(request),
        request.params.orgId,
        request.params.productId,
        request.params.versionId,
        request.body.data,
      ),
  )
}
