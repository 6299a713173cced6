import { Badge, Button, Group, List, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core'
import { IconArrowLeft } from '@tabler/icons-react'
import { Link, Navigate, useParams } from 'react-router'
import { NotFoundPage } from '../../app/error-pages.tsx'
import { Page } from '../../components/page.tsx'
import { findArea } from './areas.ts'

/** A part of the platform still to come: what it will do, without pretending it exists. */
export function ComingSoonPage() {
  const area = findArea(useParams().slug)
  if (!area) return <NotFoundPage />
  if (area.path) return <Navigate to={area.path} replace />
  return (
    <Page
      title={area.title}
      size="md"
      description={area.summary}
      actions={
        <Badge size="lg" variant="light" color="gray">
          Coming soon
        </Badge>
      }
    >
      <Paper withBorder p="lg" radius="md">
        <Stack gap="md">
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon size={40} radius="md" variant="light" aria-hidden>
              <area.icon size={22} />
            </ThemeIcon>
            <Title order={2} size="h4">
              What you will be able to do here
            </Title>
          </Group>
          <List spacing="xs">
            {area.plans.map((plan) => (
              <List.Item key={plan}>{plan}</List.Item>
            ))}
          </List>
          <Text size="sm" c="dimmed">
            Mainly for: {area.audience}.
          </Text>
        </Stack>
      </Paper>
      <Text>
        This part of the platform is not available yet. Nothing on this page is live data: when it
        opens, it will appear in the navigation without the “Coming soon” mark.
      </Text>
      <Group>
        <Button component={Link} to="/" variant="default" leftSection={<IconArrowLeft size={18} />}>
          Back to the overview
        </Button>
      </Group>
    </Page>
  )
}
