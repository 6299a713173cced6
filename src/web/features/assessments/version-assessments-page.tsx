import { Anchor, Badge, Button, Group, Progress, Select, Stack, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import type { Assessment, AssessmentSummary } from '../../../common/api/assessments.ts'
import type { Product, ProductVersion } from '../../../common/api/products.ts'
import { isAppError } from '../../../common/errors.ts'
import { DEVICE_CLASS_LABELS, TIER_LABELS, TIERS } from '../../../common/framework.ts'
import { NotFoundPage } from '../../app/error-pages.tsx'
import { useCurrentSession } from '../../app/guards.tsx'
import { FormError } from '../../components/form-error.tsx'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { productAccess, productKey, productPath } from '../products/products-api.ts'
import { SbomPanel } from '../sboms/sbom-panel.tsx'
import {
  assessmentPagePath,
  assessmentsKey,
  assessmentsPath,
  versionAssessmentsKey,
} from './assessments-api.ts'

function StartForm({
  orgId,
  product,
  version,
  previous,
}: {
  orgId: string
  product: Product
  version: ProductVersion
  previous: AssessmentSummary[]
}) {
  const navigate = useNavigate()
  const [tier, setTier] = useState<string | null>('1')
  const [reuseFrom, setReuseFrom] = useState<string | null>(null)
  const start = useNotifyingMutation({
    mutationFn: () =>
      api.post<Assessment>(assessmentsPath(orgId), {
        productId: product.id,
        productVersionId: version.id,
        targetTier: Number(tier),
        ...(reuseFrom ? { reuseFrom } : {}),
      }),
    invalidates: [assessmentsKey(orgId)],
    success: 'Assessment started',
    onSuccess: (created) => void navigate(assessmentPagePath(orgId, created.id)),
  })
  return (
    <Panel title="Start an assessment" onSubmit={() => start.mutate()}>
      <Text size="sm" c="dimmed">
        The requirements come from the framework in service for a{' '}
        {DEVICE_CLASS_LABELS[product.deviceClass].toLowerCase()} at the target tier and below.
      </Text>
      <FormError error={start.error} title="The assessment was not started" />
      <Select
        label="Target tier"
        required
        allowDeselect={false}
        data={TIERS.map((t) => ({ value: String(t), label: `Tier ${t} — ${TIER_LABELS[t]}` }))}
        value={tier}
        onChange={setTier}
      />
      <Select
        label="Start from the answers of"
        description="Answers are copied and marked as carried over until you confirm each one"
        clearable
        placeholder="Nothing: start empty"
        data={previous.map((a) => ({
          value: a.id,
          label: `${a.productName} ${a.productVersion} — tier ${a.targetTier}, framework ${a.frameworkVersion}`,
        }))}
        value={reuseFrom}
        onChange={setReuseFrom}
      />
      <Group>
        <Button type="submit" loading={start.isPending}>
          Start assessment
        </Button>
      </Group>
    </Panel>
  )
}

/** A product version's assessments, and where to start one. */
export function VersionAssessmentsPage() {
  const { orgId = '', productId = '', versionId = '' } = useParams()
  const session = useCurrentSession()
  const access = productAccess(session, orgId)
  const product = useQuery({
    queryKey: productKey(orgId, productId),
    queryFn: () => api.get<Product>(productPath(orgId, productId)),
  })
  const version = useQuery({
    queryKey: [...productKey(orgId, productId), 'version', versionId],
    queryFn: () =>
      api.get<ProductVersion>(`${productPath(orgId, productId)}/versions/${versionId}`),
  })
  const mine = useQuery({
    queryKey: versionAssessmentsKey(orgId, versionId),
    queryFn: () =>
      api.get<AssessmentSummary[]>(assessmentsPath(orgId), { productVersionId: versionId }),
  })
  const all = useQuery({
    queryKey: assessmentsKey(orgId),
    queryFn: () => api.get<AssessmentSummary[]>(assessmentsPath(orgId)),
    enabled: access.canWrite,
  })
  for (const q of [product, version, mine]) {
    if (q.isPending) return <Loading label="Loading the assessments…" />
    if (q.isError) {
      if (isAppError(q.error, 'not_found')) return <NotFoundPage />
      return <LoadError error={q.error} onRetry={() => void q.refetch()} />
    }
  }
  const p = product.data!
  const v = version.data!
  const assessments = mine.data!
  return (
    <Page
      title={`${p.name} ${v.version}`}
      documentTitle={`Assessments of ${p.name} ${v.version}`}
      description={`Released ${formatDate(v.releaseDate)} · ${DEVICE_CLASS_LABELS[p.deviceClass]}`}
    >
      <Anchor component={Link} to={`/products/${orgId}/${productId}`} size="sm">
        ← {p.name}
      </Anchor>
      <Panel title="Assessments">
        {assessments.length === 0 ? (
          <Empty title="No assessment yet">
            Assess this version against the framework to see the tier it reaches and what it
            complies with.
          </Empty>
        ) : (
          <Stack gap="md" component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
            {assessments.map((a) => (
              <li key={a.id}>
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <Anchor component={Link} to={assessmentPagePath(orgId, a.id)} fw={600}>
                    Tier {a.targetTier} ({TIER_LABELS[a.targetTier as 1]}) · framework{' '}
                    {a.frameworkVersion}
                  </Anchor>
                  <Group gap="xs">
                    {a.progress.toConfirm > 0 && (
                      <Badge color="yellow" variant="light">
                        {a.progress.toConfirm} to confirm
                      </Badge>
                    )}
                    <Text size="sm" c="dimmed">
                      {a.progress.answered} of {a.progress.total} answered · started{' '}
                      {formatDate(a.createdAt)}
                    </Text>
                  </Group>
                </Group>
                <Progress
                  mt={4}
                  value={a.progress.total ? (100 * a.progress.answered) / a.progress.total : 0}
                  aria-label={`Progress of the tier ${a.targetTier} assessment`}
                />
              </li>
            ))}
          </Stack>
        )}
      </Panel>
      {access.canWrite && p.status === 'active' && (
        <StartForm orgId={orgId} product={p} version={v} previous={all.data ?? []} />
      )}
      <SbomPanel orgId={orgId} versionId={versionId} canWrite={access.canWrite} />
      <Anchor
        component={Link}
        to={`/products/${orgId}/${productId}/versions/${versionId}/findings`}
        size="sm"
      >
        Findings: vulnerabilities matched against this version →
      </Anchor>
    </Page>
  )
}
