import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  CatalogueCoverageSchema,
  CatalogueItemParamsSchema,
  CatalogueParamsSchema,
  CatalogueSummarySchema,
  ChangeLogSchema,
  DiffQuerySchema,
  ExportQuerySchema,
  FrameworkDiffSchema,
  FrameworkOverviewSchema,
  FrameworkVersionSchema,
  ItemCoverageSchema,
  MappingSetSchema,
  ProfileQuerySchema,
  ProfileSchema,
  RequirementListQuerySchema,
  RequirementListSchema,
  RequirementParamsSchema,
  RequirementSchema,
  SchemeParamsSchema,
  SchemeQuerySchema,
  SchemeSummarySchema,
  SchemeViewSchema,
  VersionQuerySchema,
} from '../../../common/api/framework.ts'
import { access } from '../../http/access.ts'
import type { Ctx } from '../../kernel/context.ts'
import { changeEntries } from './analysis.ts'
import { exportFramework } from './export.ts'
import {
  catalogueCoverage,
  catalogueItem,
  frameworkOverview,
  listCatalogues,
  listRequirements,
  listSchemes,
  mappingSet,
  profile,
  requirementDetail,
  schemeView,
} from './framework.queries.ts'
import { changeLog, diffVersions, listVersions } from './framework.service.ts'

/** The framework is public: anyone may read requirements, crosswalks, coverage and exports. */
export const frameworkRoutes: FastifyPluginAsyncTypebox<{ ctx: Ctx }> = async (app, { ctx }) => {
  const tags = ['framework']
  const config = { access: access.public }

  app.get(
    '/framework',
    {
      config,
      schema: {
        tags,
        summary:
          'The framework in service (or a named version): categories, catalogues with coverage, schemes',
        querystring: VersionQuerySchema,
        response: { 200: FrameworkOverviewSchema },
      },
    },
    async (request) => frameworkOverview(ctx, request.query.version),
  )

  app.get(
    '/framework/versions',
    {
      config,
      schema: {
        tags,
        summary: 'Every framework version loaded, newest first',
        response: { 200: Type.Array(FrameworkVersionSchema) },
      },
    },
    async () => listVersions(ctx),
  )

  app.get(
    '/framework/changelog',
    {
      config,
      schema: {
        tags,
        summary: 'Machine-readable change log: per version, the changes since the previous one',
        response: { 200: ChangeLogSchema },
      },
    },
    async () => changeLog(ctx),
  )

  app.get(
    '/framework/diff',
    {
      config,
      schema: {
        tags,
        summary: 'Differences between two versions, with the old→new requirement id mapping',
        querystring: DiffQuerySchema,
        response: { 200: FrameworkDiffSchema },
      },
    },
    async (request) => {
      const diff = await diffVersions(ctx, request.query.from, request.query.to)
      return { ...diff, changes: changeEntries(diff) }
    },
  )

  app.get(
    '/framework/requirements',
    {
      config,
      schema: {
        tags,
        summary:
          'Search and filter requirements (by text, tier, device class, category, kind, standard)',
        querystring: RequirementListQuerySchema,
        response: { 200: RequirementListSchema },
      },
    },
    async (request) => listRequirements(ctx, request.query),
  )

  app.get(
    '/framework/requirements/:id',
    {
      config,
      schema: {
        tags,
        summary: 'One requirement with its crosswalk links',
        params: RequirementParamsSchema,
        querystring: VersionQuerySchema,
        response: { 200: RequirementSchema },
      },
    },
    async (request) => requirementDetail(ctx, request.params.id, request.query.version),
  )

  app.get(
    '/framework/catalogues',
    {
      config,
      schema: {
        tags,
        summary: 'The external catalogues with coverage counts and goals',
        querystring: VersionQuerySchema,
        response: { 200: Type.Array(CatalogueSummarySchema) },
      },
    },
    async (request) => listCatalogues(ctx, request.query.version),
  )

  app.get(
    '/framework/catalogues/:catalogue',
    {
      config,
      schema: {
        tags,
        summary:
          'Coverage of one external catalogue: every item, the requirements covering it, gaps',
        params: CatalogueParamsSchema,
        querystring: VersionQuerySchema,
        response: { 200: CatalogueCoverageSchema },
      },
    },
    async (request) => catalogueCoverage(ctx, request.params.catalogue, request.query.version),
  )

  app.get(
    '/framework/catalogues/:catalogue/items/:item',
    {
      config,
      schema: {
        tags,
        summary: 'Everything that covers one external item (e.g. eu-cra-annex-i / I.2(d))',
        params: CatalogueItemParamsSchema,
        querystring: VersionQuerySchema,
        response: { 200: ItemCoverageSchema },
      },
    },
    async (request) =>
      catalogueItem(ctx, request.params.catalogue, request.params.item, request.query.version),
  )

  app.get(
    '/framework/mapping-sets/:catalogue',
    {
      config,
      schema: {
        tags,
        summary: 'The mapping set from the framework to one external catalogue, with declared gaps',
        params: CatalogueParamsSchema,
        querystring: VersionQuerySchema,
        response: { 200: MappingSetSchema },
      },
    },
    async (request) => mappingSet(ctx, request.params.catalogue, request.query.version),
  )

  app.get(
    '/framework/profiles',
    {
      config,
      schema: {
        tags,
        summary: 'The requirement set of a device class at a tier, with the verification asked',
        querystring: ProfileQuerySchema,
        response: { 200: ProfileSchema },
      },
    },
    async (request) =>
      profile(ctx, request.query.tier as 1, request.query.deviceClass, request.query.version),
  )

  app.get(
    '/framework/schemes',
    {
      config,
      schema: {
        tags,
        summary: 'Label schemes, regulations and target levels the framework answers',
        querystring: VersionQuerySchema,
        response: { 200: Type.Array(SchemeSummarySchema) },
      },
    },
    async (request) => listSchemes(ctx, request.query.version),
  )

  app.get(
    '/framework/schemes/:scheme/:level',
    {
      config,
      schema: {
        tags,
        summary: 'What a product needs for one scheme level, computed from the crosswalk',
        params: SchemeParamsSchema,
        querystring: SchemeQuerySchema,
        response: { 200: SchemeViewSchema },
      },
    },
    async (request) =>
      schemeView(
        ctx,
        request.params.scheme,
        request.params.level,
        request.query.deviceClass,
        request.query.version,
      ),
  )

  app.get(
    '/framework/export',
    {
      config,
      schema: {
        tags,
        summary: 'Download the framework as JSON, CSV, an OSCAL 1.1 catalog or an OSCAL profile',
        querystring: ExportQuerySchema,
        response: { 200: Type.String({ description: 'The file' }) },
      },
    },
    async (request, reply) => {
      const file = await exportFramework(ctx, request.query)
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'public, max-age=300')
        .send(file.body)
    },
  )
}
