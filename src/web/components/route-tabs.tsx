import { Tabs } from '@mantine/core'
import type { ReactNode } from 'react'
import { Navigate, useNavigate, useParams } from 'react-router'

export interface RouteTab {
  value: string
  label: string
  icon?: ReactNode
  render: () => ReactNode
}

/**
 * Tabs whose selection is the last path segment (`/account/sessions`), so every tab has a link
 * that can be bookmarked and the back button moves between tabs.
 */
export function RouteTabs({ base, tabs }: { base: string; tabs: RouteTab[] }) {
  const { tab } = useParams()
  const navigate = useNavigate()
  const first = tabs[0]
  const current = tabs.find((t) => t.value === tab)
  if (!current) return first ? <Navigate to={`${base}/${first.value}`} replace /> : null
  return (
    <Tabs
      value={current.value}
      onChange={(value) => {
        if (value) void navigate(`${base}/${value}`)
      }}
      keepMounted={false}
    >
      <Tabs.List mb="lg">
        {tabs.map((t) => (
          <Tabs.Tab key={t.value} value={t.value} leftSection={t.icon}>
            {t.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {tabs.map((t) => (
        <Tabs.Panel key={t.value} value={t.value}>
          {t.value === current.value && t.render()}
        </Tabs.Panel>
      ))}
    </Tabs>
  )
}
