import { lazy, type ComponentType } from 'react'
import { createBrowserRouter } from 'react-router'
import { SignInPage } from '../features/auth/sign-in-page.tsx'
import { ComingSoonPage } from '../features/home/coming-soon-page.tsx'
import { LandingPage } from '../features/home/landing-page.tsx'
import { NotFoundPage, RouteErrorPage } from './error-pages.tsx'
import { RequireNetworkAdmin, RequireSession } from './guards.tsx'
import { Layout } from './layout.tsx'

// Public pages load with the app; the signed-in areas load when first visited.
const SetupPage = lazy(() =>
  import('../features/setup/setup-page.tsx').then((m) => ({ default: m.SetupPage })),
)
const InvitationPage = lazy(() =>
  import('../features/organisations/invitation-page.tsx').then((m) => ({
    default: m.InvitationPage,
  })),
)
const AccountPage = lazy(() =>
  import('../features/account/account-page.tsx').then((m) => ({ default: m.AccountPage })),
)
const OrganisationsPage = lazy(() =>
  import('../features/organisations/organisations-page.tsx').then((m) => ({
    default: m.OrganisationsPage,
  })),
)
const OrganisationPage = lazy(() =>
  import('../features/organisations/organisation-page.tsx').then((m) => ({
    default: m.OrganisationPage,
  })),
)
// The framework is public but large: it loads when first visited too.
const frameworkPage = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })))
const FrameworkPage = frameworkPage(
  () => import('../features/framework/framework-page.tsx'),
  'FrameworkPage',
)
const RequirementPage = frameworkPage(
  () => import('../features/framework/requirement-page.tsx'),
  'RequirementPage',
)
const CoveragePage = frameworkPage(
  () => import('../features/framework/coverage-page.tsx'),
  'CoveragePage',
)
const CataloguePage = frameworkPage(
  () => import('../features/framework/catalogue-page.tsx'),
  'CataloguePage',
)
const CatalogueItemPage = frameworkPage(
  () => import('../features/framework/catalogue-item-page.tsx'),
  'CatalogueItemPage',
)
const ProfilesPage = frameworkPage(
  () => import('../features/framework/profiles-page.tsx'),
  'ProfilesPage',
)
const SchemesPage = frameworkPage(
  () => import('../features/framework/schemes-page.tsx'),
  'SchemesPage',
)
const SchemePage = frameworkPage(
  () => import('../features/framework/schemes-page.tsx'),
  'SchemePage',
)
const VersionsPage = frameworkPage(
  () => import('../features/framework/versions-page.tsx'),
  'VersionsPage',
)
// The public registry and verification page load when first visited.
const registryPage = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })))
const RegistryPage = registryPage(
  () => import('../features/registry/registry-page.tsx'),
  'RegistryPage',
)
const LabelPage = registryPage(() => import('../features/registry/label-page.tsx'), 'LabelPage')
const VerifyPage = registryPage(() => import('../features/registry/verify-page.tsx'), 'VerifyPage')
const LabelPolicyPage = registryPage(
  () => import('../features/label-policy/label-policy-page.tsx'),
  'LabelPolicyPage',
)
const FindingsPage = registryPage(
  () => import('../features/findings/findings-page.tsx'),
  'FindingsPage',
)
const AdvisoryPage = registryPage(
  () => import('../features/advisories/advisory-page.tsx'),
  'AdvisoryPage',
)
const VulnerabilitiesPage = registryPage(
  () => import('../features/vulnerabilities/vulnerabilities-page.tsx'),
  'VulnerabilitiesPage',
)
const productsPage = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })))
const ProductsPage = productsPage(
  () => import('../features/products/products-page.tsx'),
  'ProductsPage',
)
const ProductPage = productsPage(
  () => import('../features/products/product-page.tsx'),
  'ProductPage',
)
const NewProductPage = productsPage(
  () => import('../features/products/product-form-page.tsx'),
  'NewProductPage',
)
const EditProductPage = productsPage(
  () => import('../features/products/product-form-page.tsx'),
  'EditProductPage',
)
const VersionAssessmentsPage = productsPage(
  () => import('../features/assessments/version-assessments-page.tsx'),
  'VersionAssessmentsPage',
)
const AssessmentPage = productsPage(
  () => import('../features/assessments/assessment-page.tsx'),
  'AssessmentPage',
)
const reviewsPage = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })))
const ReviewsIndexPage = reviewsPage(
  () => import('../features/reviews/reviews-page.tsx'),
  'ReviewsIndexPage',
)
const ReviewsPage = reviewsPage(() => import('../features/reviews/reviews-page.tsx'), 'ReviewsPage')
const ReviewPage = reviewsPage(() => import('../features/reviews/reviews-page.tsx'), 'ReviewPage')
const AdminPage = lazy(() =>
  import('../features/admin/admin-page.tsx').then((m) => ({ default: m.AdminPage })),
)

export function createRouter() {
  return createBrowserRouter([
    {
      element: <Layout />,
      errorElement: <RouteErrorPage />,
      children: [
        { index: true, element: <LandingPage /> },
        { path: 'setup', element: <SetupPage /> },
        { path: 'sign-in', element: <SignInPage /> },
        { path: 'invitations/:token', element: <InvitationPage /> },
        { path: 'areas/:slug', element: <ComingSoonPage /> },
        {
          path: 'framework',
          children: [
            { index: true, element: <FrameworkPage /> },
            { path: 'requirements/:id', element: <RequirementPage /> },
            { path: 'coverage', element: <CoveragePage /> },
            { path: 'coverage/:catalogue', element: <CataloguePage /> },
            { path: 'coverage/:catalogue/:item', element: <CatalogueItemPage /> },
            { path: 'profiles', element: <ProfilesPage /> },
            { path: 'schemes', element: <SchemesPage /> },
            { path: 'schemes/:scheme/:level', element: <SchemePage /> },
            { path: 'versions', element: <VersionsPage /> },
          ],
        },
        { path: 'registry', element: <RegistryPage /> },
        { path: 'registry/:labelId', element: <LabelPage /> },
        { path: 'verify', element: <VerifyPage /> },
        { path: 'label-policy', element: <LabelPolicyPage /> },
        // Public: each person sees the views that are theirs (see the page).
        { path: 'vulnerabilities/:tab?', element: <VulnerabilitiesPage /> },
        // Public: advisories are public data.
        { path: 'advisories/:source/:advisoryId', element: <AdvisoryPage /> },
        {
          element: <RequireSession />,
          children: [
            { path: 'account/:tab?', element: <AccountPage /> },
            { path: 'organisations', element: <OrganisationsPage /> },
            { path: 'organisations/:orgId/:tab?', element: <OrganisationPage /> },
            { path: 'products', element: <ProductsPage /> },
            { path: 'products/:orgId/new', element: <NewProductPage /> },
            { path: 'products/:orgId/:productId', element: <ProductPage /> },
            { path: 'products/:orgId/:productId/edit', element: <EditProductPage /> },
            {
              path: 'products/:orgId/:productId/versions/:versionId',
              element: <VersionAssessmentsPage />,
            },
            {
              path: 'products/:orgId/:productId/versions/:versionId/findings',
              element: <FindingsPage />,
            },
            { path: 'assessments/:orgId/:assessmentId', element: <AssessmentPage /> },
            { path: 'reviews', element: <ReviewsIndexPage /> },
            { path: 'reviews/:orgId', element: <ReviewsPage /> },
            { path: 'reviews/:orgId/:reviewId', element: <ReviewPage /> },
            {
              element: <RequireNetworkAdmin />,
              children: [{ path: 'admin/:tab?', element: <AdminPage /> }],
            },
          ],
        },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ])
}
