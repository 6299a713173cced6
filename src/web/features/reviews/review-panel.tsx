import { Alert, Anchor, Button, Group, List, Select, Stack, Text, Textarea } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import type { Assessment } from '../../../common/api/assessments.ts'
import type { Assessor, Review } from '../../../common/api/reviews.ts'
import { REVIEW_LIMITS } from '../../../common/reviews.ts'
import { Panel } from '../../components/panel.tsx'
import { api } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { assessmentKey } from '../assessments/assessments-api.ts'
import {
  assessmentReviewsKey,
  assessmentReviewsPath,
  assessorsKey,
  labelPagePath,
  notificationsKey,
} from './reviews-api.ts'
import { ReviewStatusBadge, VerdictBadge } from './review-status.tsx'

/** The review of an assessment as its manufacturer sees it: submit, resubmit, withdraw, the label. */
export function ReviewPanel({
  assessment,
  canWrite,
}: {
  assessment: Assessment
  canWrite: boolean
}) {
  const orgId = assessment.organisationId
  const reviews = useQuery({
    queryKey: assessmentReviewsKey(orgId, assessment.id),
    queryFn: () => api.get<Review[]>(assessmentReviewsPath(orgId, assessment.id)),
  })
  const assessors = useQuery({
    queryKey: assessorsKey,
    queryFn: () => api.get<Assessor[]>('/assessors'),
    enabled: canWrite,
  })
  const [assessorId, setAssessorId] = useState<string | null>(null)
  const [message, setMessage] = useState('')
  const invalidates = [
    assessmentKey(orgId, assessment.id),
    assessmentReviewsKey(orgId, assessment.id),
    notificationsKey,
  ]
  const body = () => (message.trim() ? { message: message.trim() } : {})
  const submit = useNotifyingMutation({
    mutationFn: () =>
      api.post<Review>(assessmentReviewsPath(orgId, assessment.id), {
        assessorOrganisationId: assessorId,
        ...body(),
      }),
    onSuccess: () => setMessage(''),
    invalidates,
    success: 'Submitted for review',
    failure: 'Could not submit for review',
  })
  const latest = reviews.data?.[0]
  const resubmit = useNotifyingMutation({
    mutationFn: () =>
      api.post<Review>(
        `${assessmentReviewsPath(orgId, assessment.id)}/${latest?.id ?? ''}/resubmit`,
        body(),
      ),
    onSuccess: () => setMessage(''),
    invalidates,
    success: 'Resubmitted for review',
    failure: 'Could not resubmit',
  })
  const withdraw = useNotifyingMutation({
    mutationFn: () =>
      api.post<Review>(
        `${assessmentReviewsPath(orgId, assessment.id)}/${latest?.id ?? ''}/withdraw`,
      ),
    invalidates,
    success: 'Withdrawn from review',
    failure: 'Could not withdraw',
  })
  const status = latest?.status
  const canSubmit = canWrite && (!status || status === 'withdrawn')
  const findings = latest?.verdicts.filter((v) => v.verdict !== 'accepted') ?? []
  return (
    <Panel title="Review">
      {!latest && (
        <Text size="sm" c="dimmed">
          Not submitted yet. When every requirement is answered, submit the assessment to an
          accredited assessor; its answers are frozen while the assessor reviews them.
        </Text>
      )}
      {latest && (
        <Stack gap="xs">
          <Group gap="xs">
            <ReviewStatusBadge status={latest.status} />
            <Text size="sm">
              {latest.assessorName} · round {latest.round} · submitted{' '}
              {formatDateTime(latest.submittedAt)}
            </Text>
          </Group>
          {latest.status === 'changes-requested' && latest.message && (
            <Alert color="orange" title="The assessor requested changes">
              {latest.message}
            </Alert>
          )}
          {latest.status === 'approved' && (
            <Alert color="teal" title={`Approved at tier ${latest.tierGranted ?? ''}`}>
              Verification strength: {latest.verificationStrength}.{' '}
              {latest.labelId && (
                <Anchor component={Link} to={labelPagePath(latest.labelId)}>
                  See the issued label
                </Anchor>
              )}
            </Alert>
          )}
          {findings.length > 0 && (
            <Stack gap={4}>
              <Text size="sm" fw={600}>
                Findings
              </Text>
              <List size="sm" spacing={4}>
                {findings.map((v) => (
                  <List.Item key={v.requirementId}>
                    <Group gap="xs" wrap="nowrap" align="flex-start">
                      <Text size="sm" fw={600}>
                        {v.requirementId}
                      </Text>
                      <VerdictBadge verdict={v.verdict} />
                      <Text size="sm">{v.finding ?? ''}</Text>
                    </Group>
                  </List.Item>
                ))}
              </List>
            </Stack>
          )}
        </Stack>
      )}
      {canSubmit && (
        <Stack gap="xs">
          <Select
            label="Assessor"
            description="Assessor organisations accredited by the network"
            placeholder={assessors.isPending ? 'Loading…' : 'Choose an assessor'}
            data={(assessors.data ?? []).map((a) => ({ value: a.id, label: a.name }))}
            value={assessorId}
            onChange={setAssessorId}
            searchable
            nothingFoundMessage="No accredited assessor"
          />
          <Textarea
            label="Message to the assessor (optional)"
            value={message}
            maxLength={REVIEW_LIMITS.message}
            autosize
            minRows={2}
            onChange={(e) => setMessage(e.currentTarget.value)}
          />
          <Group>
            <Button
              disabled={!assessorId}
              loading={submit.isPending}
              onClick={() => submit.mutate()}
            >
              Submit for review
            </Button>
          </Group>
        </Stack>
      )}
      {canWrite && status === 'changes-requested' && (
        <Stack gap="xs">
          <Textarea
            label="What you changed (optional)"
            value={message}
            maxLength={REVIEW_LIMITS.message}
            autosize
            minRows={2}
            onChange={(e) => setMessage(e.currentTarget.value)}
          />
          <Group>
            <Button loading={resubmit.isPending} onClick={() => resubmit.mutate()}>
              Resubmit for review
            </Button>
          </Group>
        </Stack>
      )}
      {canWrite && (status === 'submitted' || status === 'changes-requested') && (
        <Group>
          <Button variant="default" loading={withdraw.isPending} onClick={() => withdraw.mutate()}>
            Withdraw from review
          </Button>
        </Group>
      )}
    </Panel>
  )
}
