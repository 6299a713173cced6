import { Alert, Anchor, Badge, Group, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import {
  IconInfoCircle,
  IconKey,
  IconListDetails,
  IconMail,
  IconUsers,
  IconWebhook,
} from '@tabler/icons-react'
import { Link, useParams } from 'react-router'
import type { Organisation } from '../../../common/api/organisations.ts'
import { isAppError } from '../../../common/errors.ts'
import { ORGANISATION_TYPE_LABELS } from '../../../common/organisations.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { NotFoundPage } from '../../app/error-pages.tsx'
import { AuditLog } from '../../components/audit-log.tsx'
import { Page } from '../../components/page.tsx'
import { LoadError, Loading } from '../../components/query-state.tsx'
import { RouteTabs, type RouteTab } from '../../components/route-tabs.tsx'
import { api } from '../../lib/api.ts'
import { ROLE_LABELS } from '../../lib/labels.ts'
import { roleIn } from '../../lib/session.ts'
import { InvitationsTab } from './invitations-tab.tsx'
import { MembersTab } from './members-tab.tsx'
import { OrganisationTokensTab } from './tokens-tab.tsx'
import { WebhooksTab } from './webhooks-tab.tsx'
import { AccreditationBadge } from './organisations-page.tsx'
import { OverviewTab } from './overview-tab.tsx'
import { useOrganisationAccess } from './access.ts'

export function OrganisationPage() {
  const { orgId = '' } = useParams()
  const session = useCurrentSession()
  const access = useOrganisationAccess(orgId)
  const organisation = useQuery({
    queryKey: ['organisations', orgId],
    queryFn: () => api.get<Organisation>(`/organisations/${orgId}`),
  })

  if (organisation.isPending) return <Loading label="Loading the organisation…" />
  if (organisation.isError) {
    if (isAppError(organisation.error, 'not_found')) return <NotFoundPage />
    if (isAppError(organisation.error, 'forbidden')) {
      return (
        <Page title="Not a member">
          <Alert color="gray">
            {organisation.error.message} Only its members can open an organisation’s page; an owner
            or administrator of the organisation can invite you.
          </Alert>
        </Page>
      )
    }
    return <LoadError error={organisation.error} onRetry={() => void organisation.refetch()} />
  }

  const org = organisation.data
  const role = roleIn(session, org.id)
  const base = `/organisations/${org.id}`
  const tabs: RouteTab[] = [
    {
      value: 'overview',
      label: 'Overview',
      icon: <IconInfoCircle size={16} />,
      render: () => <OverviewTab organisation={org} />,
    },
    {
      value: 'members',
      label: 'Members',
      icon: <IconUsers size={16} />,
      render: () => <MembersTab organisation={org} />,
    },
  ]
  if (access.canManage) {
    tabs.push(
      {
        value: 'invitations',
        label: 'Invitations',
        icon: <IconMail size={16} />,
        render: () => <InvitationsTab organisation={org} />,
      },
      {
        value: 'tokens',
        label: 'API tokens',
        icon: <IconKey size={16} />,
        render: () => <OrganisationTokensTab organisation={org} />,
      },
      {
        value: 'webhooks',
        label: 'Webhooks',
        icon: <IconWebhook size={16} />,
        render: () => <WebhooksTab organisation={org} />,
      },
      {
        value: 'audit',
        label: 'Audit',
        icon: <IconListDetails size={16} />,
        render: () => (
          <AuditLog path={`${base}/audit`} queryKey={['organisations', org.id, 'audit']} />
        ),
      },
    )
  }

  return (
    <Page
      title={org.name}
      description={
        <Group gap="xs">
          <Anchor component={Link} to="/organisations" size="sm">
            Organisations
          </Anchor>
          <Text size="sm" aria-hidden>
            ·
          </Text>
          <Text size="sm">{ORGANISATION_TYPE_LABELS[org.type]}</Text>
          {role && <Badge variant="light">Your role: {ROLE_LABELS[role]}</Badge>}
          <AccreditationBadge organisation={org} />
        </Group>
      }
    >
      <RouteTabs base={base} tabs={tabs} />
    </Page>
  )
}
