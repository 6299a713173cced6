import {
  Accordion,
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  List,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, Navigate, useParams } from 'react-router'
import type { AssessmentRequirement } from '../../../common/api/assessments.ts'
import type { Label } from '../../../common/api/labels.ts'
import type { ReviewDetail, ReviewSummary, ReviewVerdict } from '../../../common/api/reviews.ts'
import { ANSWER_STATUS_LABELS } from '../../../common/assessments.ts'
import { isAppError } from '../../../common/errors.ts'
import {
  TIERS,
  VERIFICATION_STRENGTH_LABELS,
  VERIFICATION_STRENGTHS,
  type VerificationStrength,
} from '../../../common/framework.ts'
import { REVIEW_LIMITS, VERDICT_LABELS, VERDICTS, type Verdict } from '../../../common/reviews.ts'
import { NotFoundPage } from '../../app/error-pages.tsx'
import { useCurrentSession } from '../../app/guards.tsx'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading, QueryState } from '../../components/query-state.tsx'
import { api, apiUrl } from '../../lib/api.ts'
import { formatDate, formatDateTime } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { ReportDownloads } from '../assessments/report-downloads.tsx'
import {
  assessorReviewsKey,
  assessorReviewsPath,
  labelPagePath,
  notificationsKey,
  reviewKey,
  reviewPagePath,
  reviewPath,
  reviewsPagePath,
} from './reviews-api.ts'
import { ReviewStatusBadge, VerdictBadge } from './review-status.tsx'

/** The assessor organisations the person is a member (or more) of. */
function useAssessorOrganisations() {
  const session = useCurrentSession()
  return session.memberships.filter((m) => m.organisationType === 'assessor' && m.role !== 'viewer')
}

/** /reviews: the first assessor organisation's reviews (or the choice between several). */
export function ReviewsIndexPage() {
  const organisations = useAssessorOrganisations()
  if (organisations.length === 1) {
    return <Navigate to={reviewsPagePath(organisations[0]!.organisationId)} replace />
  }
  return (
    <Page title="Reviews" description="Submissions addressed to your assessor organisations.">
      {organisations.length === 0 ? (
        <Empty title="No assessor organisation">
          Reviews are done by members of accredited assessor organisations.
        </Empty>
      ) : (
        <List>
          {organisations.map((m) => (
            <List.Item key={m.organisationId}>
              <Anchor component={Link} to={reviewsPagePath(m.organisationId)}>
                {m.organisationName}
              </Anchor>
            </List.Item>
          ))}
        </List>
      )}
    </Page>
  )
}

/** /reviews/:orgId: the submissions addressed to one assessor organisation. */
export function ReviewsPage() {
  const { orgId = '' } = useParams()
  const session = useCurrentSession()
  const membership = session.memberships.find((m) => m.organisationId === orgId)
  const query = useQuery({
    queryKey: assessorReviewsKey(orgId),
    queryFn: () => api.get<ReviewSummary[]>(assessorReviewsPath(orgId)),
  })
  return (
    <Page
      title={`Reviews${membership ? ` · ${membership.organisationName}` : ''}`}
      description="Assessments manufacturers submitted to your organisation, most recently changed first."
    >
      <QueryState
        query={query}
        loadingLabel="Loading the reviews…"
        empty={<Empty title="No submissions yet">Nothing has been submitted to you.</Empty>}
      >
        {(reviews) => (
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="sm" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Product</Table.Th>
                  <Table.Th>Manufacturer</Table.Th>
                  <Table.Th>Target tier</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Submitted</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {reviews.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Anchor component={Link} to={reviewPagePath(orgId, r.id)}>
                        {r.productName} {r.productVersion}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{r.organisationName}</Table.Td>
                    <Table.Td>{r.targetTier}</Table.Td>
                    <Table.Td>
                      <ReviewStatusBadge status={r.status} />
                    </Table.Td>
                    <Table.Td>
                      {formatDateTime(r.submittedAt)} (round {r.round})
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Page>
  )
}

function VerdictForm({
  orgId,
  review,
  requirement,
  verdict,
  editable,
}: {
  orgId: string
  review: ReviewDetail
  requirement: AssessmentRequirement
  verdict: ReviewVerdict | undefined
  editable: boolean
}) {
  const [choice, setChoice] = useState<Verdict | null>(verdict?.verdict ?? null)
  const [finding, setFinding] = useState(verdict?.finding ?? '')
  const save = useNotifyingMutation({
    mutationFn: () =>
      api.put<ReviewVerdict>(`${reviewPath(orgId, review.id)}/verdicts/${requirement.id}`, {
        verdict: choice,
        finding: finding.trim() ? finding.trim() : null,
      }),
    invalidates: [reviewKey(orgId, review.id)],
    success: `Verdict on ${requirement.id} saved`,
    failure: `Could not save the verdict on ${requirement.id}`,
  })
  if (!editable) {
    return verdict ? (
      <Group gap="xs">
        <VerdictBadge verdict={verdict.verdict} />
        <Text size="sm">{verdict.finding}</Text>
      </Group>
    ) : (
      <Text size="sm" c="dimmed">
        No verdict
      </Text>
    )
  }
  return (
    <Stack gap="xs">
      <Select
        label={`Verdict on ${requirement.id}`}
        data={VERDICTS.map((v) => ({ value: v, label: VERDICT_LABELS[v] }))}
        value={choice}
        onChange={(value) => setChoice(value as Verdict | null)}
        allowDeselect={false}
      />
      <Textarea
        label="Finding"
        value={finding}
        maxLength={REVIEW_LIMITS.finding}
        autosize
        minRows={2}
        onChange={(e) => setFinding(e.currentTarget.value)}
      />
      <Group>
        <Button size="xs" disabled={!choice} loading={save.isPending} onClick={() => save.mutate()}>
          Save verdict
        </Button>
      </Group>
    </Stack>
  )
}

function RequirementReview({
  orgId,
  review,
  requirement,
  editable,
}: {
  orgId: string
  review: ReviewDetail
  requirement: AssessmentRequirement
  editable: boolean
}) {
  const { answer } = requirement
  const verdict = review.verdicts.find((v) => v.requirementId === requirement.id)
  return (
    <Accordion.Item value={requirement.id}>
      <Accordion.Control>
        <Group gap="xs" wrap="wrap">
          <Text size="sm" fw={600}>
            {requirement.id}
          </Text>
          <Text size="sm">{requirement.title}</Text>
          <Badge variant="light" color="gray">
            Tier {requirement.tier}
          </Badge>
          {answer.status && <Badge variant="light">{ANSWER_STATUS_LABELS[answer.status]}</Badge>}
          {verdict && <VerdictBadge verdict={verdict.verdict} />}
        </Group>
      </Accordion.Control>
      <Accordion.Panel>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap="xs">
            <Text size="sm">{requirement.statement}</Text>
            <Text size="sm" c="dimmed">
              Assessor guidance: {requirement.assessorGuidance}
            </Text>
            {answer.explanation && (
              <Text size="sm">
                <Text span fw={600}>
                  Explanation:{' '}
                </Text>
                {answer.explanation}
              </Text>
            )}
            {answer.justification && (
              <Text size="sm">
                <Text span fw={600}>
                  Justification:{' '}
                </Text>
                {answer.justification}
              </Text>
            )}
            {answer.compensatingMeasures && (
              <Text size="sm">
                <Text span fw={600}>
                  Compensating measures:{' '}
                </Text>
                {answer.compensatingMeasures}
              </Text>
            )}
            {(answer.links.length > 0 || answer.files.length > 0) && (
              <List size="sm" spacing={4}>
                {answer.links.map((link) => (
                  <List.Item key={link.url}>
                    <Anchor href={link.url} target="_blank" rel="noreferrer">
                      {link.title}
                    </Anchor>{' '}
                    ({formatDate(link.date)}
                    {link.expires ? `, expires ${formatDate(link.expires)}` : ''})
                    {link.expired && (
                      <Badge ml="xs" color="red" variant="light">
                        Expired
                      </Badge>
                    )}
                  </List.Item>
                ))}
                {answer.files.map((file) => (
                  <List.Item key={file.id}>
                    <Anchor href={apiUrl(`${reviewPath(orgId, review.id)}/files/${file.id}`)}>
                      {file.fileName}
                    </Anchor>{' '}
                    ({formatDate(file.date)})
                    {file.expired && (
                      <Badge ml="xs" color="red" variant="light">
                        Expired
                      </Badge>
                    )}
                  </List.Item>
                ))}
              </List>
            )}
          </Stack>
          <VerdictForm
            key={`${verdict?.updatedAt ?? ''}`}
            orgId={orgId}
            review={review}
            requirement={requirement}
            verdict={verdict}
            editable={editable}
          />
        </SimpleGrid>
      </Accordion.Panel>
    </Accordion.Item>
  )
}

function Decision({ orgId, review }: { orgId: string; review: ReviewDetail }) {
  const [message, setMessage] = useState('')
  const supported = review.gapReport.tierReached
  const [tier, setTier] = useState<string | null>(supported > 0 ? String(supported) : null)
  const [strength, setStrength] = useState<VerificationStrength | null>('document-reviewed')
  const invalidates = [reviewKey(orgId, review.id), assessorReviewsKey(orgId), notificationsKey]
  const requestChanges = useNotifyingMutation({
    mutationFn: () =>
      api.post(`${reviewPath(orgId, review.id)}/request-changes`, { message: message.trim() }),
    invalidates,
    success: 'Changes requested',
    failure: 'Could not request changes',
  })
  const approve = useNotifyingMutation({
    mutationFn: () =>
      api.post(`${reviewPath(orgId, review.id)}/approve`, {
        tierGranted: Number(tier),
        verificationStrength: strength,
        ...(message.trim() ? { message: message.trim() } : {}),
      }),
    invalidates,
    success: 'Approved; the label is issued',
    failure: 'Could not approve',
  })
  return (
    <Panel title="Decision">
      <Text size="sm">
        The answers support tier {supported} at most (gap report). Approval needs every requirement
        of the tier granted accepted, and issues the label.
      </Text>
      <Textarea
        label="Message to the manufacturer"
        description="Required to request changes"
        value={message}
        maxLength={REVIEW_LIMITS.message}
        autosize
        minRows={2}
        onChange={(e) => setMessage(e.currentTarget.value)}
      />
      <Group align="flex-end">
        <Button
          variant="default"
          disabled={!message.trim()}
          loading={requestChanges.isPending}
          onClick={() => requestChanges.mutate()}
        >
          Request changes
        </Button>
      </Group>
      <Group align="flex-end">
        <Select
          label="Tier granted"
          data={TIERS.filter((t) => t <= supported).map((t) => ({
            value: String(t),
            label: `Tier ${t}`,
          }))}
          value={tier}
          onChange={setTier}
          allowDeselect={false}
        />
        <Select
          label="Verification strength"
          data={VERIFICATION_STRENGTHS.map((s) => ({
            value: s,
            label: VERIFICATION_STRENGTH_LABELS[s],
          }))}
          value={strength}
          onChange={(value) => setStrength(value as VerificationStrength | null)}
          allowDeselect={false}
        />
        <Button
          disabled={!tier || !strength}
          loading={approve.isPending}
          onClick={() => approve.mutate()}
        >
          Approve and issue the label
        </Button>
      </Group>
    </Panel>
  )
}

/** The assessor of record's hold on the label its approval issued: suspend, reinstate, revoke. */
function LabelStatusPanel({ orgId, labelId }: { orgId: string; labelId: string }) {
  const [reason, setReason] = useState('')
  const label = useQuery({
    queryKey: ['labels', labelId],
    queryFn: () => api.get<Label>(`/labels/${labelId}`),
  })
  const change = useNotifyingMutation({
    mutationFn: (action: 'suspend' | 'reinstate' | 'revoke') =>
      api.post<Label>(`/organisations/${orgId}/labels/${labelId}/${action}`, {
        reason: reason.trim(),
      }),
    onSuccess: () => setReason(''),
    invalidates: [['labels', labelId], notificationsKey],
    success: (result) => `The label is ${result.status}`,
    failure: 'Could not change the label',
  })
  const status = label.data?.status
  return (
    <Panel title="Label status">
      <Group gap="xs">
        <Text size="sm">Status: {status ?? '…'}</Text>
        <Anchor component={Link} to={labelPagePath(labelId)} size="sm">
          See the issued label
        </Anchor>
      </Group>
      {status && status !== 'revoked' && status !== 'expired' && (
        <>
          <Textarea
            label="Reason"
            description="Shown on the label's public page and in its history"
            value={reason}
            maxLength={1000}
            autosize
            minRows={2}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Group>
            {status === 'active' && (
              <Button
                variant="default"
                disabled={!reason.trim()}
                loading={change.isPending}
                onClick={() => change.mutate('suspend')}
              >
                Suspend
              </Button>
            )}
            {status === 'suspended' && (
              <Button
                variant="default"
                disabled={!reason.trim()}
                loading={change.isPending}
                onClick={() => change.mutate('reinstate')}
              >
                Reinstate
              </Button>
            )}
            <Button
              color="red"
              variant="light"
              disabled={!reason.trim()}
              loading={change.isPending}
              onClick={() => change.mutate('revoke')}
            >
              Revoke for good
            </Button>
          </Group>
        </>
      )}
    </Panel>
  )
}

/** /reviews/:orgId/:reviewId: the manufacturer's answers and evidence, verdicts, the decision. */
export function ReviewPage() {
  const { orgId = '', reviewId = '' } = useParams()
  const query = useQuery({
    queryKey: reviewKey(orgId, reviewId),
    queryFn: () => api.get<ReviewDetail>(reviewPath(orgId, reviewId)),
  })
  if (query.isPending) return <Loading label="Loading the review…" />
  if (query.isError) {
    if (isAppError(query.error, 'not_found')) return <NotFoundPage />
    return <LoadError error={query.error} onRetry={() => void query.refetch()} />
  }
  const review = query.data
  const { assessment, gapReport } = review
  const editable = review.status === 'submitted'
  return (
    <Page
      title={`Review: ${review.productName} ${review.productVersion}`}
      actions={<ReportDownloads base={reviewPath(orgId, review.id)} />}
      description={
        <Group gap="xs">
          <ReviewStatusBadge status={review.status} />
          <Text span size="sm">
            {review.organisationName} · target tier {review.targetTier} · framework{' '}
            {review.frameworkVersion} · round {review.round}
          </Text>
        </Group>
      }
    >
      <Anchor component={Link} to={reviewsPagePath(orgId)} size="sm">
        ← All reviews
      </Anchor>
      {review.message && (
        <Alert
          color="blue"
          title={review.status === 'submitted' ? 'From the manufacturer' : 'Message'}
        >
          {review.message}
        </Alert>
      )}
      {review.status === 'approved' && (
        <Alert color="teal" title={`Approved at tier ${review.tierGranted ?? ''}`}>
          {review.verificationStrength && VERIFICATION_STRENGTH_LABELS[review.verificationStrength]}
        </Alert>
      )}
      {review.status === 'approved' && review.labelId && (
        <LabelStatusPanel orgId={orgId} labelId={review.labelId} />
      )}
      <Panel title="Gap report">
        <Text size="sm">
          Tier reached: {gapReport.tierReached}
          {gapReport.nextTier &&
            ` · blocking tier ${gapReport.nextTier}: ${gapReport.blocking.length}`}
          {gapReport.expiredEvidence.length > 0 &&
            ` · expired evidence: ${gapReport.expiredEvidence.map((e) => e.title).join(', ')}`}
        </Text>
      </Panel>
      <Accordion variant="separated" multiple>
        {assessment.requirements.map((requirement) => (
          <RequirementReview
            key={requirement.id}
            orgId={orgId}
            review={review}
            requirement={requirement}
            editable={editable}
          />
        ))}
      </Accordion>
      {editable && <Decision orgId={orgId} review={review} />}
    </Page>
  )
}
