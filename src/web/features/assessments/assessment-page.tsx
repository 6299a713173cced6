import {
  Accordion,
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  FileInput,
  Group,
  List,
  Progress,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core'
import { IconTrash, IconUpload } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useParams } from 'react-router'
import type {
  Answer,
  Assessment,
  AssessmentRequirement,
  ComplyMany,
  EvidenceFile,
  EvidenceLink,
  GapReport,
} from '../../../common/api/assessments.ts'
import type { FrameworkOverview } from '../../../common/api/framework.ts'
import {
  ANSWER_STATUS_LABELS,
  ANSWER_STATUSES,
  ASSESSMENT_LIMITS,
  type AnswerStatus,
} from '../../../common/assessments.ts'
import { isAppError } from '../../../common/errors.ts'
import { DEVICE_CLASS_LABELS, TIER_LABELS, type Tier } from '../../../common/framework.ts'
import { NotFoundPage } from '../../app/error-pages.tsx'
import { useCurrentSession } from '../../app/guards.tsx'
import { FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { LoadError, Loading, QueryState } from '../../components/query-state.tsx'
import { api, apiUrl, uploadFile } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { productAccess } from '../products/products-api.ts'
import { ReviewPanel } from '../reviews/review-panel.tsx'
import { assessmentKey, assessmentPath, versionPagePath } from './assessments-api.ts'
import { ReportDownloads } from './report-downloads.tsx'

const STATUS_COLORS: Record<AnswerStatus, string> = {
  met: 'teal',
  'partially-met': 'yellow',
  'not-met': 'red',
  'not-applicable': 'gray',
}

function StatusBadge({ answer }: { answer: Answer }) {
  return (
    <Group gap={4} wrap="nowrap">
      {answer.status ? (
        <Badge color={STATUS_COLORS[answer.status]} variant="light">
          {ANSWER_STATUS_LABELS[answer.status]}
        </Badge>
      ) : (
        <Badge color="gray" variant="outline">
          Open
        </Badge>
      )}
      {answer.carriedOver && (
        <Badge color="orange" variant="light">
          To confirm
        </Badge>
      )}
    </Group>
  )
}

function percent(done: number, total: number) {
  return total === 0 ? 0 : Math.round((100 * done) / total)
}

// ---- one requirement's answer

const emptyLink = { url: '', title: '', date: '', expires: '' }

function LinksEditor({
  links,
  onChange,
  idPrefix,
}: {
  links: EvidenceLink[]
  onChange: (links: EvidenceLink[]) => void
  idPrefix: string
}) {
  const [draft, setDraft] = useState(emptyLink)
  const add = () => {
    if (!draft.url || !draft.title || !draft.date) return
    onChange([
      ...links,
      {
        url: draft.url.trim(),
        title: draft.title.trim(),
        date: draft.date,
        ...(draft.expires ? { expires: draft.expires } : {}),
      },
    ])
    setDraft(emptyLink)
  }
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600} id={`${idPrefix}-links`}>
        Evidence links
      </Text>
      {links.length > 0 && (
        <List size="sm" spacing={4} aria-labelledby={`${idPrefix}-links`}>
          {links.map((link, i) => (
            <List.Item key={`${link.url}-${i}`}>
              <Group gap="xs" wrap="nowrap">
                <Anchor href={link.url} target="_blank" rel="noopener noreferrer" size="sm">
                  {link.title}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {formatDate(link.date)}
                  {link.expires && ` · expires ${formatDate(link.expires)}`}
                </Text>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Remove the link ${link.title}`}
                  onClick={() => onChange(links.filter((_, j) => j !== i))}
                >
                  <IconTrash size={16} aria-hidden />
                </ActionIcon>
              </Group>
            </List.Item>
          ))}
        </List>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
        <TextInput
          label="Link (https://)"
          type="url"
          value={draft.url}
          onChange={(e) => setDraft({ ...draft, url: e.currentTarget.value })}
        />
        <TextInput
          label="Link title"
          maxLength={ASSESSMENT_LIMITS.title}
          value={draft.title}
          onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })}
        />
        <TextInput
          label="Document date"
          type="date"
          value={draft.date}
          onChange={(e) => setDraft({ ...draft, date: e.currentTarget.value })}
        />
        <TextInput
          label="Expires (optional)"
          type="date"
          value={draft.expires}
          onChange={(e) => setDraft({ ...draft, expires: e.currentTarget.value })}
        />
      </SimpleGrid>
      <Group>
        <Button
          variant="default"
          size="xs"
          onClick={add}
          disabled={!draft.url || !draft.title || !draft.date}
        >
          Add link
        </Button>
      </Group>
    </Stack>
  )
}

function FilesEditor({
  orgId,
  assessmentId,
  requirementId,
  files,
  canWrite,
}: {
  orgId: string
  assessmentId: string
  requirementId: string
  files: EvidenceFile[]
  canWrite: boolean
}) {
  const [file, setFile] = useState<File | null>(null)
  const [expires, setExpires] = useState('')
  const base = assessmentPath(orgId, assessmentId)
  const upload = useNotifyingMutation({
    mutationFn: (chosen: File) =>
      uploadFile<EvidenceFile>(`${base}/answers/${requirementId}/files`, chosen, {
        expires: expires || undefined,
      }),
    invalidates: [assessmentKey(orgId, assessmentId)],
    success: (added) => `${added.fileName} attached`,
    onSuccess: () => {
      setFile(null)
      setExpires('')
    },
  })
  const remove = useNotifyingMutation({
    mutationFn: (id: string) => api.delete(`${base}/files/${id}`),
    invalidates: [assessmentKey(orgId, assessmentId)],
    success: 'File removed',
    failure: 'Could not remove the file',
  })
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600}>
        Evidence files
      </Text>
      {files.length === 0 ? (
        <Text size="sm" c="dimmed">
          No files yet.
        </Text>
      ) : (
        <List size="sm" spacing={4}>
          {files.map((f) => (
            <List.Item key={f.id}>
              <Group gap="xs" wrap="nowrap">
                <Anchor href={apiUrl(`${base}/files/${f.id}`)} size="sm">
                  {f.fileName}
                </Anchor>
                <Text size="xs" c={f.expired ? 'red' : 'dimmed'}>
                  {Math.ceil(f.size / 1024)} KB · {formatDate(f.date)}
                  {f.expires && ` · ${f.expired ? 'expired' : 'expires'} ${formatDate(f.expires)}`}
                </Text>
                {canWrite && (
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove the file ${f.fileName}`}
                    loading={remove.isPending && remove.variables === f.id}
                    onClick={() => remove.mutate(f.id)}
                  >
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                )}
              </Group>
            </List.Item>
          ))}
        </List>
      )}
      {canWrite && (
        <>
          <FormError error={upload.error} title="The file was not attached" />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <FileInput
              label="Add a file"
              description="PDF, PNG, JPEG, text, CSV, JSON or ZIP"
              placeholder="Choose a file"
              value={file}
              onChange={setFile}
              clearable
            />
            <TextInput
              label="File expires (optional)"
              type="date"
              value={expires}
              onChange={(e) => setExpires(e.currentTarget.value)}
            />
          </SimpleGrid>
          <Group>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconUpload size={16} aria-hidden />}
              disabled={!file}
              loading={upload.isPending}
              onClick={() => file && upload.mutate(file)}
            >
              Upload file
            </Button>
          </Group>
        </>
      )}
    </Stack>
  )
}

function AnswerForm({
  orgId,
  assessmentId,
  requirement,
  canWrite,
}: {
  orgId: string
  assessmentId: string
  requirement: AssessmentRequirement
  canWrite: boolean
}) {
  const queryClient = useQueryClient()
  const answer = requirement.answer
  const idPrefix = `answer-${requirement.id}`
  const [values, setValues] = useState({
    status: answer.status ?? '',
    explanation: answer.explanation ?? '',
    justification: answer.justification ?? '',
    compensatingMeasures: answer.compensatingMeasures ?? '',
    links: answer.links.map(({ expired: _expired, ...link }) => link),
  })
  const set = (patch: Partial<typeof values>) => setValues({ ...values, ...patch })
  const text = (value: string) => (value.trim() === '' ? null : value.trim())
  const save = useNotifyingMutation({
    mutationFn: () =>
      api.patch<Answer>(`${assessmentPath(orgId, assessmentId)}/answers/${requirement.id}`, {
        data: {
          status: values.status === '' ? null : values.status,
          explanation: text(values.explanation),
          justification: values.status === 'not-applicable' ? text(values.justification) : null,
          compensatingMeasures: text(values.compensatingMeasures),
          links: values.links,
        },
        revision: answer.revision,
      }),
    onSuccess: (saved) =>
      queryClient.setQueryData<Assessment>(assessmentKey(orgId, assessmentId), (old) =>
        old
          ? {
              ...old,
              requirements: old.requirements.map((r) =>
                r.id === requirement.id ? { ...r, answer: { ...saved } } : r,
              ),
            }
          : old,
      ),
    invalidates: [assessmentKey(orgId, assessmentId)],
    success: `${requirement.id} saved`,
  })
  const justificationError =
    isAppError(save.error, 'validation_failed') &&
    JSON.stringify(save.error.details ?? '').includes('/data/justification')
      ? 'Say why the requirement does not apply to this product'
      : undefined
  return (
    <Stack gap="md">
      {answer.carriedOver && (
        <Alert color="orange" title="Carried over">
          This answer was taken from{' '}
          {answer.carriedOver === 'reuse'
            ? 'a previous assessment'
            : `requirement ${answer.carriedFrom ?? ''} of the previous framework version`}
          . Check it and save to confirm it.
        </Alert>
      )}
      <Form onSubmit={() => save.mutate()} gap="sm">
        <FormError error={save.error} title="The answer was not saved" />
        <Radio.Group
          label="Status"
          value={values.status}
          onChange={(status) => set({ status: status as AnswerStatus })}
        >
          <Group gap="md" mt={4}>
            {ANSWER_STATUSES.map((status) => (
              <Radio
                key={status}
                value={status}
                label={ANSWER_STATUS_LABELS[status]}
                disabled={!canWrite}
              />
            ))}
          </Group>
        </Radio.Group>
        {values.status === 'not-applicable' && (
          <Textarea
            label="Justification"
            description="Required: why this requirement does not apply to the product"
            required
            autosize
            minRows={2}
            maxLength={ASSESSMENT_LIMITS.text}
            value={values.justification}
            onChange={(e) => set({ justification: e.currentTarget.value })}
            error={justificationError}
            readOnly={!canWrite}
          />
        )}
        <Textarea
          label="Explanation"
          description="How the product meets the requirement, or why it does not"
          autosize
          minRows={2}
          maxLength={ASSESSMENT_LIMITS.text}
          value={values.explanation}
          onChange={(e) => set({ explanation: e.currentTarget.value })}
          readOnly={!canWrite}
        />
        <Textarea
          label="Compensating measures"
          autosize
          minRows={1}
          maxLength={ASSESSMENT_LIMITS.text}
          value={values.compensatingMeasures}
          onChange={(e) => set({ compensatingMeasures: e.currentTarget.value })}
          readOnly={!canWrite}
        />
        {canWrite ? (
          <LinksEditor
            links={values.links}
            onChange={(links) => set({ links })}
            idPrefix={idPrefix}
          />
        ) : null}
        {canWrite && (
          <Group>
            <Button type="submit" loading={save.isPending}>
              {answer.carriedOver ? 'Confirm and save' : 'Save answer'}
            </Button>
            {answer.updatedAt && (
              <Text size="xs" c="dimmed">
                Last saved {formatDate(answer.updatedAt)}
              </Text>
            )}
          </Group>
        )}
      </Form>
      <FilesEditor
        orgId={orgId}
        assessmentId={assessmentId}
        requirementId={requirement.id}
        files={answer.files}
        canWrite={canWrite}
      />
    </Stack>
  )
}

function RequirementDetails({ requirement }: { requirement: AssessmentRequirement }) {
  return (
    <Stack gap="xs">
      <Text size="sm">{requirement.statement}</Text>
      <Text size="xs" c="dimmed">
        Tier {requirement.tier} · {requirement.kind} · verification at this tier:{' '}
        {requirement.verification}
      </Text>
      <Text size="sm" fw={600}>
        Evidence expected
      </Text>
      <List size="sm" spacing={2}>
        {requirement.evidence.map((item) => (
          <List.Item key={item}>{item}</List.Item>
        ))}
      </List>
      <Text size="sm" fw={600}>
        Assessor guidance
      </Text>
      <Text size="sm" c="dimmed">
        {requirement.assessorGuidance}
      </Text>
    </Stack>
  )
}

// ---- tabs

function Questionnaire({ assessment, canWrite }: { assessment: Assessment; canWrite: boolean }) {
  const [category, setCategory] = useState<string | null>(assessment.categories[0]?.id ?? null)
  const progress = assessment.progress.byCategory.find((c) => c.category === category)
  const requirements = assessment.requirements.filter((r) => r.category === category)
  return (
    <Stack gap="md">
      <Select
        label="Category"
        allowDeselect={false}
        data={assessment.progress.byCategory.map((c) => ({
          value: c.category,
          label: `${c.title} (${c.answered}/${c.total})`,
        }))}
        value={category}
        onChange={setCategory}
        maw={480}
      />
      {progress && (
        <Progress
          value={percent(progress.answered, progress.total)}
          aria-label={`${progress.title}: ${progress.answered} of ${progress.total} answered`}
        />
      )}
      <Accordion variant="separated" multiple>
        {requirements.map((r) => (
          <Accordion.Item key={r.id} value={r.id}>
            <Accordion.Control>
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Text size="sm">
                  <Text span fw={600}>
                    {r.id}
                  </Text>{' '}
                  {r.title}
                </Text>
                <StatusBadge answer={r.answer} />
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="lg">
                <RequirementDetails requirement={r} />
                <AnswerForm
                  key={`${r.id}-${r.answer.revision}`}
                  orgId={assessment.organisationId}
                  assessmentId={assessment.id}
                  requirement={r}
                  canWrite={canWrite}
                />
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Stack>
  )
}

const BLOCKER_LABELS: Record<GapReport['blocking'][number]['reason'], string> = {
  'not-met': 'Not met',
  'partially-met': 'Partially met',
  unanswered: 'Not answered',
  unconfirmed: 'Carried over, not confirmed',
  'beyond-target': 'Above the target tier',
}

function GapReportPanel({ orgId, assessmentId }: { orgId: string; assessmentId: string }) {
  const report = useQuery({
    queryKey: [...assessmentKey(orgId, assessmentId), 'gap-report'],
    queryFn: () => api.get<GapReport>(`${assessmentPath(orgId, assessmentId)}/gap-report`),
  })
  return (
    <QueryState query={report} loadingLabel="Computing the gap report…">
      {(r) => (
        <Stack gap="md">
          <Panel title="Tier reached">
            <Text size="xl" fw={700}>
              {r.tierReached === 0
                ? 'Not yet tier 1'
                : `Tier ${r.tierReached} — ${TIER_LABELS[r.tierReached as Tier]}`}
            </Text>
            <Text size="sm" c="dimmed">
              Target: tier {r.targetTier} · {r.progress.answered} of {r.progress.total} answered
              {r.progress.toConfirm > 0 && ` · ${r.progress.toConfirm} to confirm`}
            </Text>
          </Panel>
          {r.nextTier && (
            <Panel title={`What blocks tier ${r.nextTier}`}>
              {r.blocking.length === 0 ? (
                <Text size="sm">Nothing.</Text>
              ) : (
                <Table.ScrollContainer minWidth={320}>
                  <Table verticalSpacing="xs">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Requirement</Table.Th>
                        <Table.Th>Why</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {r.blocking.map((b) => (
                        <Table.Tr key={b.requirementId}>
                          <Table.Td>
                            <Text size="sm">
                              <Text span fw={600}>
                                {b.requirementId}
                              </Text>{' '}
                              {b.title}
                            </Text>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm">{BLOCKER_LABELS[b.reason]}</Text>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </Panel>
          )}
          <Panel title="Expired evidence">
            {r.expiredEvidence.length === 0 ? (
              <Text size="sm">None.</Text>
            ) : (
              <List size="sm">
                {r.expiredEvidence.map((e) => (
                  <List.Item key={`${e.requirementId}-${e.kind}-${e.title}`}>
                    {e.requirementId}: {e.kind} “{e.title}” expired {formatDate(e.expires)}
                  </List.Item>
                ))}
              </List>
            )}
          </Panel>
        </Stack>
      )}
    </QueryState>
  )
}

function ComplyManyPanel({ orgId, assessmentId }: { orgId: string; assessmentId: string }) {
  const view = useQuery({
    queryKey: [...assessmentKey(orgId, assessmentId), 'comply-many'],
    queryFn: () => api.get<ComplyMany>(`${assessmentPath(orgId, assessmentId)}/comply-many`),
  })
  return (
    <QueryState query={view} loadingLabel="Reading the answers through the crosswalk…">
      {(c) => (
        <Stack gap="md">
          <Panel title="Schemes and levels">
            <Stack gap="sm">
              {c.schemes.map((scheme) => (
                <Stack key={scheme.scheme} gap={4}>
                  <Title order={3} size="h6">
                    {scheme.title}
                  </Title>
                  <Group gap="xs">
                    {scheme.levels.map((level) => (
                      <Badge
                        key={level.level}
                        color={level.reached ? 'teal' : 'gray'}
                        variant={level.reached ? 'filled' : 'outline'}
                        title={`${level.satisfied} of ${level.items} items satisfied`}
                      >
                        {level.title}:{' '}
                        {level.reached ? 'reached' : `${level.satisfied}/${level.items}`}
                      </Badge>
                    ))}
                  </Group>
                </Stack>
              ))}
            </Stack>
          </Panel>
          <Panel title="Catalogues">
            <Accordion variant="separated">
              {c.catalogues.map((catalogue) => (
                <Accordion.Item key={catalogue.catalogue} value={catalogue.catalogue}>
                  <Accordion.Control>
                    <Group justify="space-between" wrap="wrap" gap="xs">
                      <Text size="sm" fw={600}>
                        {catalogue.title}
                      </Text>
                      <Text size="sm" c="dimmed">
                        {catalogue.satisfied} of {catalogue.items} satisfied
                      </Text>
                    </Group>
                  </Accordion.Control>
                  <Accordion.Panel>
                    <Table.ScrollContainer minWidth={320}>
                      <Table verticalSpacing="xs">
                        <Table.Thead>
                          <Table.Tr>
                            <Table.Th>Item</Table.Th>
                            <Table.Th>Satisfied</Table.Th>
                            <Table.Th>Why</Table.Th>
                          </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                          {catalogue.entries.map((e) => (
                            <Table.Tr key={e.itemId}>
                              <Table.Td>
                                <Text size="sm">
                                  <Text span fw={600}>
                                    {e.itemId}
                                  </Text>{' '}
                                  {e.title}
                                </Text>
                              </Table.Td>
                              <Table.Td>
                                <Badge color={e.satisfied ? 'teal' : 'gray'} variant="light">
                                  {e.satisfied ? 'Yes' : 'No'}
                                </Badge>
                              </Table.Td>
                              <Table.Td>
                                <Text size="sm">{e.reason}</Text>
                              </Table.Td>
                            </Table.Tr>
                          ))}
                        </Table.Tbody>
                      </Table>
                    </Table.ScrollContainer>
                  </Accordion.Panel>
                </Accordion.Item>
              ))}
            </Accordion>
          </Panel>
        </Stack>
      )}
    </QueryState>
  )
}

function MigrateButton({ assessment }: { assessment: Assessment }) {
  const framework = useQuery({
    queryKey: ['framework', 'overview'],
    queryFn: () => api.get<FrameworkOverview>('/framework'),
  })
  const target = framework.data?.version
  const migrate = useNotifyingMutation({
    mutationFn: () =>
      api.post<Assessment>(`${assessmentPath(assessment.organisationId, assessment.id)}/migrate`, {
        frameworkVersion: target,
      }),
    invalidates: [assessmentKey(assessment.organisationId, assessment.id)],
    success: `Moved to framework ${target ?? ''}`,
    failure: 'Could not move the assessment',
  })
  if (!target || target === assessment.frameworkVersion) return null
  const newer = target.localeCompare(assessment.frameworkVersion, undefined, { numeric: true }) > 0
  if (!newer) return null
  return (
    <Button variant="default" loading={migrate.isPending} onClick={() => migrate.mutate()}>
      Move to framework {target}
    </Button>
  )
}

/** One assessment: the questionnaire by category, the gap report and the comply-many view. */
export function AssessmentPage() {
  const { orgId = '', assessmentId = '' } = useParams()
  const session = useCurrentSession()
  const access = productAccess(session, orgId)
  const [tab, setTab] = useState<string | null>('questionnaire')
  const query = useQuery({
    queryKey: assessmentKey(orgId, assessmentId),
    queryFn: () => api.get<Assessment>(assessmentPath(orgId, assessmentId)),
  })
  if (query.isPending) return <Loading label="Loading the assessment…" />
  if (query.isError) {
    if (isAppError(query.error, 'not_found')) return <NotFoundPage />
    return <LoadError error={query.error} onRetry={() => void query.refetch()} />
  }
  const a = query.data
  const { progress } = a
  // Submitted or approved: the answers are frozen until the assessor requests changes.
  const frozen = a.reviewStatus === 'submitted' || a.reviewStatus === 'approved'
  const canWrite = access.canWrite && !frozen
  return (
    <Page
      title={`${a.productName} ${a.productVersion}: tier ${a.targetTier} assessment`}
      description={
        <Group gap="xs">
          <Badge variant="light">{DEVICE_CLASS_LABELS[a.deviceClass]}</Badge>
          <Badge variant="light" color="gray">
            Framework {a.frameworkVersion}
          </Badge>
          <Text span size="sm" c="dimmed">
            Target tier {a.targetTier} — {TIER_LABELS[a.targetTier as Tier]}
          </Text>
        </Group>
      }
      actions={
        <Group gap="xs">
          <ReportDownloads base={assessmentPath(orgId, a.id)} />
          {canWrite && <MigrateButton assessment={a} />}
        </Group>
      }
    >
      <Anchor
        component={Link}
        to={versionPagePath(orgId, a.productId, a.productVersionId)}
        size="sm"
      >
        ← Assessments of {a.productName} {a.productVersion}
      </Anchor>
      <Stack gap={4}>
        <Text size="sm">
          {progress.answered} of {progress.total} requirements answered
          {progress.toConfirm > 0 && ` · ${progress.toConfirm} carried over to confirm`}
        </Text>
        <Progress
          size="lg"
          value={percent(progress.answered, progress.total)}
          aria-label={`Progress: ${progress.answered} of ${progress.total} answered`}
        />
      </Stack>
      <ReviewPanel assessment={a} canWrite={access.canWrite} />
      {a.migration && (
        <Alert color="blue" title={`Moved from framework ${a.migration.from} to ${a.migration.to}`}>
          {a.migration.replaced.length} replaced requirement
          {a.migration.replaced.length === 1 ? '' : 's'} carried to their successors (marked to
          confirm).
          {a.migration.dropped.length > 0 &&
            ` Dropped: ${a.migration.dropped.map((d) => d.requirementId).join(', ')}.`}
        </Alert>
      )}
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="questionnaire">Questionnaire</Tabs.Tab>
          <Tabs.Tab value="gaps">Gap report</Tabs.Tab>
          <Tabs.Tab value="comply">Comply many</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="questionnaire" pt="md">
          <Questionnaire assessment={a} canWrite={canWrite} />
        </Tabs.Panel>
        <Tabs.Panel value="gaps" pt="md">
          <GapReportPanel orgId={orgId} assessmentId={a.id} />
        </Tabs.Panel>
        <Tabs.Panel value="comply" pt="md">
          <ComplyManyPanel orgId={orgId} assessmentId={a.id} />
        </Tabs.Panel>
      </Tabs>
    </Page>
  )
}
