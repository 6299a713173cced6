import {
  ActionIcon,
  Alert,
  Anchor,
  AppShell,
  Badge,
  Burger,
  Button,
  Divider,
  Group,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  ThemeIcon,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core'
import { useDisclosure, useMediaQuery } from '@mantine/hooks'
import {
  IconBuildingCommunity,
  IconClipboardCheck,
  IconHome,
  IconLogin2,
  IconLogout2,
  IconMoon,
  IconSettings,
  IconShieldCheck,
  IconShieldLock,
  IconSun,
  IconUserCircle,
} from '@tabler/icons-react'
import { Suspense, useEffect } from 'react'
import { Link, Outlet, useLocation } from 'react-router'
import { Loading } from '../components/query-state.tsx'
import { useSignOut } from '../features/auth/use-sign-out.ts'
import { NotificationBell } from '../features/notifications/notification-bell.tsx'
import { AREAS, COMING_AREAS, isAreaLive } from '../features/home/areas.ts'
import { useSession } from '../lib/session.ts'
import { TWO_FACTOR_PATH } from './guards.tsx'

function Brand() {
  return (
    <Anchor
      component={Link}
      to="/"
      underline="never"
      c="inherit"
      aria-label="IIoT Safety Network home"
    >
      <Group gap="xs" wrap="nowrap">
        <ThemeIcon size="lg" radius="md" variant="filled" aria-hidden>
          <IconShieldCheck size={22} />
        </ThemeIcon>
        <Text fw={700} size="lg" style={{ whiteSpace: 'nowrap' }}>
          IIoT Safety Network
        </Text>
      </Group>
    </Anchor>
  )
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme()
  const scheme = useComputedColorScheme('light')
  const label = scheme === 'dark' ? 'Use light colours' : 'Use dark colours'
  return (
    <Tooltip label={label}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={label}
        onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
      >
        {scheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  )
}

/** Sign-in / account / sign-out: in the header on wide screens, in the navigation on narrow ones. */
function SessionActions({ inNavbar }: { inNavbar: boolean }) {
  const session = useSession()
  const signOut = useSignOut()
  const location = useLocation()
  if (session.isPending) return null
  if (!session.data) {
    if (location.pathname === '/sign-in') return null
    const next = location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname)}`
    return (
      <Button
        component={Link}
        to={`/sign-in${next}`}
        leftSection={<IconLogin2 size={18} aria-hidden />}
        variant={inNavbar ? 'light' : 'filled'}
        fullWidth={inNavbar}
      >
        Sign in
      </Button>
    )
  }
  return (
    <Group gap="sm" wrap="nowrap" justify={inNavbar ? 'space-between' : undefined}>
      <Text size="sm" c="dimmed" truncate maw={220} title={session.data.user.email}>
        {session.data.user.displayName}
      </Text>
      <Button
        variant="default"
        leftSection={<IconLogout2 size={18} aria-hidden />}
        loading={signOut.isPending}
        onClick={() => signOut.mutate()}
      >
        Sign out
      </Button>
    </Group>
  )
}

function MainNavigation() {
  const { pathname } = useLocation()
  const session = useSession().data
  const isActive = (prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`)
  const links = [
    { to: '/', label: 'Home', icon: IconHome, shown: true },
    ...AREAS.flatMap((area) =>
      area.path && isAreaLive(area, session)
        ? [{ to: area.path, label: area.title, icon: area.icon, shown: true }]
        : [],
    ),
    { to: '/organisations', label: 'Organisations', icon: IconBuildingCommunity, shown: !!session },
    {
      to: '/reviews',
      label: 'Reviews',
      icon: IconClipboardCheck,
      shown: !!session?.memberships.some(
        (m) => m.organisationType === 'assessor' && m.role !== 'viewer',
      ),
    },
    {
      to: '/admin',
      label: 'Administration',
      icon: IconShieldLock,
      shown: !!session?.user.isNetworkAdmin,
    },
    { to: '/account', label: 'Account', icon: IconUserCircle, shown: !!session },
  ]
  return (
    <Stack gap={2}>
      {links
        .filter((link) => link.shown)
        .map((link) => (
          <NavLink
            key={link.to}
            component={Link}
            to={link.to}
            label={link.label}
            leftSection={<link.icon size={18} aria-hidden />}
            active={link.to === '/' ? pathname === '/' : isActive(link.to)}
          />
        ))}
      <Divider
        my="sm"
        label="Coming soon"
        labelPosition="left"
        styles={{ label: { color: 'var(--mantine-color-dimmed)', fontSize: 12 } }}
      />
      {COMING_AREAS.map((area) => (
        <NavLink
          key={area.slug}
          component={Link}
          to={`/areas/${area.slug}`}
          label={area.title}
          leftSection={<area.icon size={18} aria-hidden />}
          rightSection={
            <Badge size="xs" variant="light" color="gray">
              Soon
            </Badge>
          }
          active={isActive(`/areas/${area.slug}`)}
          c={isActive(`/areas/${area.slug}`) ? undefined : 'dimmed'}
        />
      ))}
    </Stack>
  )
}

/** Shown while the network requires two-factor sign-in of this user and it is not yet on. */
function TwoFactorRequiredBanner() {
  const session = useSession().data
  const { pathname } = useLocation()
  if (!session?.twoFactorSetupRequired || pathname === TWO_FACTOR_PATH) return null
  return (
    <Alert color="orange" mb="md" icon={<IconSettings aria-hidden />}>
      Your network requires two-factor sign-in for your role. Until you{' '}
      <Anchor component={Link} to={TWO_FACTOR_PATH}>
        set it up
      </Anchor>
      , only your account settings are available.
    </Alert>
  )
}

export function Layout() {
  const [opened, { toggle, close }] = useDisclosure(false)
  const { pathname, hash } = useLocation()
  // The collapsed navigation is only moved off-screen: keep it out of the tab order too.
  const isNarrow = useMediaQuery('(max-width: 47.99em)') ?? false

  // A link in the mobile navigation closes it, and each page starts at the top (or its #anchor).
  useEffect(() => {
    close()
    const target = hash ? document.getElementById(decodeURIComponent(hash.slice(1))) : null
    if (target) target.scrollIntoView()
    else window.scrollTo(0, 0)
  }, [pathname, hash, close])

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell
        header={{ height: 60 }}
        navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !opened } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label={opened ? 'Close navigation' : 'Open navigation'}
                aria-expanded={opened}
                aria-controls="main-navigation"
              />
              <Brand />
            </Group>
            <Group gap="sm" wrap="nowrap">
              <Group visibleFrom="sm">
                <SessionActions inNavbar={false} />
              </Group>
              <NotificationBell />
              <ColorSchemeToggle />
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar
          p="sm"
          id="main-navigation"
          aria-label="Main navigation"
          inert={isNarrow && !opened}
        >
          <AppShell.Section grow component={ScrollArea}>
            <MainNavigation />
          </AppShell.Section>
          <AppShell.Section hiddenFrom="sm" pt="sm">
            <Divider mb="sm" />
            <SessionActions inNavbar />
          </AppShell.Section>
        </AppShell.Navbar>
        <AppShell.Main id="main" tabIndex={-1} style={{ outline: 'none' }}>
          <TwoFactorRequiredBanner />
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </AppShell.Main>
      </AppShell>
    </>
  )
}
