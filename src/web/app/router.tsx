import { lazy } from 'react'
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
          element: <RequireSession />,
          children: [
            { path: 'account/:tab?', element: <AccountPage /> },
            { path: 'organisations', element: <OrganisationsPage /> },
            { path: 'organisations/:orgId/:tab?', element: <OrganisationPage /> },
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
