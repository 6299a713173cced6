import { IconDevices, IconKey, IconLock, IconShieldLock, IconUser } from '@tabler/icons-react'
import { Page } from '../../components/page.tsx'
import { RouteTabs } from '../../components/route-tabs.tsx'
import { useCurrentSession } from '../../app/guards.tsx'
import { PasswordTab } from './password-tab.tsx'
import { ProfileTab } from './profile-tab.tsx'
import { SessionsTab } from './sessions-tab.tsx'
import { AccountTokensTab } from './tokens-tab.tsx'
import { TwoFactorTab } from './two-factor-tab.tsx'

export function AccountPage() {
  const session = useCurrentSession()
  return (
    <Page title="Account" description={`Signed in as ${session.user.email}`}>
      <RouteTabs
        base="/account"
        tabs={[
          {
            value: 'profile',
            label: 'Profile',
            icon: <IconUser size={16} />,
            render: () => <ProfileTab />,
          },
          {
            value: 'password',
            label: 'Password',
            icon: <IconLock size={16} />,
            render: () => <PasswordTab />,
          },
          {
            value: 'two-factor',
            label: 'Two-factor',
            icon: <IconShieldLock size={16} />,
            render: () => <TwoFactorTab />,
          },
          {
            value: 'sessions',
            label: 'Sessions',
            icon: <IconDevices size={16} />,
            render: () => <SessionsTab />,
          },
          {
            value: 'tokens',
            label: 'API tokens',
            icon: <IconKey size={16} />,
            render: () => <AccountTokensTab />,
          },
        ]}
      />
    </Page>
  )
}
