import {
  IconAlertTriangle,
  IconBug,
  IconBuildingCommunity,
  IconListDetails,
  IconSettings,
  IconUsers,
} from '@tabler/icons-react'
import { AuditLog } from '../../components/audit-log.tsx'
import { Page } from '../../components/page.tsx'
import { RouteTabs } from '../../components/route-tabs.tsx'
import { AdvisoriesTab } from '../advisories/advisories-tab.tsx'
import { KevExposureTab } from '../findings/kev-exposure-tab.tsx'
import { AdminOrganisationsTab } from './organisations-tab.tsx'
import { SettingsTab } from './settings-tab.tsx'
import { AdminUsersTab } from './users-tab.tsx'

export function AdminPage() {
  return (
    <Page
      title="Administration"
      description="Run the network: admit and accredit organisations, manage accounts, read the audit log and set security rules."
      size="xl"
    >
      <RouteTabs
        base="/admin"
        tabs={[
          {
            value: 'organisations',
            label: 'Organisations',
            icon: <IconBuildingCommunity size={16} />,
            render: () => <AdminOrganisationsTab />,
          },
          {
            value: 'users',
            label: 'Users',
            icon: <IconUsers size={16} />,
            render: () => <AdminUsersTab />,
          },
          {
            value: 'audit',
            label: 'Audit log',
            icon: <IconListDetails size={16} />,
            render: () => (
              <AuditLog
                path="/admin/audit"
                queryKey={['admin', 'audit']}
                withOrganisationFilter
                withVerify
              />
            ),
          },
          {
            value: 'advisories',
            label: 'Advisories',
            icon: <IconBug size={16} />,
            render: () => <AdvisoriesTab />,
          },
          {
            value: 'kev-exposure',
            label: 'KEV exposure',
            icon: <IconAlertTriangle size={16} />,
            render: () => <KevExposureTab />,
          },
          {
            value: 'settings',
            label: 'Settings',
            icon: <IconSettings size={16} />,
            render: () => <SettingsTab />,
          },
        ]}
      />
    </Page>
  )
}
