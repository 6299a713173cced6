import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  FileInput,
  Group,
  List,
  Pagination,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import { IconAlertCircle, IconAlertTriangle, IconUpload } from '@tabler/icons-react'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import {
  isSbomWarning,
  type Sbom,
  type SbomComponentPage,
  type SbomUploadResult,
} from '../../../common/api/sboms.ts'
import { AppError } from '../../../common/errors.ts'
import { ConfirmButton } from '../../components/confirm-button.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { SearchInput, useSearch } from '../../components/search-input.tsx'
import { api, apiUrl, uploadFile } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'

const PAGE_SIZE = 25

export const sbomsPath = (orgId: string, versionId: string) =>
  `/organisations/${orgId}/product-versions/${versionId}/sboms`
export const sbomsKey = (orgId: string, versionId: string) => ['sboms', orgId, versionId] as const

const FORMAT_LABELS = { cyclonedx: 'CycloneDX', spdx: 'SPDX' } as const

type SbomNote = Sbom['notes'][number]

function formatName(sbom: Sbom): string {
  return `${FORMAT_LABELS[sbom.format]} ${sbom.specVersion}`
}

function toolNames(sbom: Sbom): string {
  return sbom.tools.length === 0
    ? '—'
    : sbom.tools.map((t) => (t.version ? `${t.name} ${t.version}` : t.name)).join(', ')
}

function sizeText(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.ceil(bytes / 1024)} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** The server's refusal of a file: its first line, then every problem with its JSON pointer. */
function UploadError({ error }: { error: unknown }) {
  if (!error) return null
  const appError = error instanceof AppError ? error : undefined
  const details = appError?.details as
    { problems?: { pointer: string; message: string }[]; problemCount?: number } | undefined
  const problems = details?.problems ?? []
  const message = (appError?.message ?? (error as Error).message).split('\n')[0]
  return (
    <Alert color="red" icon={<IconAlertCircle aria-hidden />} title="The SBOM was not stored">
      <Stack gap={4}>
        <Text size="sm">{message}</Text>
        {problems.length > 0 && (
          <List size="sm" spacing={2}>
            {problems.map((p, index) => (
              <List.Item key={index}>
                <Code>{p.pointer || '/'}</Code> {p.message}
              </List.Item>
            ))}
          </List>
        )}
        {details?.problemCount !== undefined && details.problemCount > problems.length && (
          <Text size="xs" c="dimmed">
            {details.problemCount - problems.length} more problems not listed.
          </Text>
        )}
      </Stack>
    </Alert>
  )
}

/**
 * The schema deviations the platform accepted (trivy 0.x's left-out SPDX fields and the like),
 * each with where it was first met, so the uploader can fix the generator.
 */
function SbomWarnings({ notes, title }: { notes: SbomNote[]; title: string }) {
  const warnings = notes.filter(isSbomWarning)
  if (warnings.length === 0) return null
  return (
    <Alert color="yellow" icon={<IconAlertTriangle aria-hidden />} title={title}>
      <List size="sm" spacing={2}>
        {warnings.map((w, index) => (
          <List.Item key={index}>
            {w.pointer !== undefined && <Code>{w.pointer || '/'}</Code>} {w.message}
          </List.Item>
        ))}
      </List>
    </Alert>
  )
}

function warningsTitle(notes: SbomNote[], stored: string): string {
  const count = notes.filter(isSbomWarning).length
  return `${stored} with ${count} warning${count === 1 ? '' : 's'}: the file departs from its schema`
}

function UploadForm({ orgId, versionId }: { orgId: string; versionId: string }) {
  const [file, setFile] = useState<File | null>(null)
  const [dragging, setDragging] = useState(false)
  const upload = useNotifyingMutation({
    mutationFn: (chosen: File) => uploadFile<SbomUploadResult>(sbomsPath(orgId, versionId), chosen),
    invalidates: [sbomsKey(orgId, versionId)],
    success: (result) => result.message,
    // The warnings of the stored file are listed with the current SBOM, which it now is.
    onSuccess: () => setFile(null),
  })
  const choose = (chosen: File | null) => {
    setFile(chosen)
    upload.reset()
  }
  return (
    <Stack
      gap="xs"
      p="sm"
      style={{
        border: `2px dashed var(--mantine-color-${dragging ? 'blue-5' : 'gray-4'})`,
        borderRadius: 'var(--mantine-radius-md)',
      }}
      onDragOver={(event) => {
        event.preventDefault()
        setDragging(true)
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault()
        setDragging(false)
        const dropped = event.dataTransfer.files[0]
        if (dropped) choose(dropped)
      }}
    >
      <Group align="flex-end" wrap="wrap">
        <FileInput
          label="Upload an SBOM"
          description="CycloneDX 1.4–1.6 or SPDX 2.2/2.3 JSON; choose a file or drop it here"
          placeholder="Choose a file"
          accept=".json,application/json"
          value={file}
          onChange={choose}
          clearable
          style={{ flex: 1, minWidth: 240 }}
        />
        <Button
          leftSection={<IconUpload size={16} aria-hidden />}
          disabled={!file}
          loading={upload.isPending}
          onClick={() => file && upload.mutate(file)}
        >
          Upload
        </Button>
      </Group>
      <UploadError error={upload.error} />
    </Stack>
  )
}

function ComponentTable({
  orgId,
  versionId,
  sbom,
}: {
  orgId: string
  versionId: string
  sbom: Sbom
}) {
  const search = useSearch()
  const [type, setType] = useState<string | null>(null)
  const [page, setPage] = useState(1)
  const query = useQuery({
    queryKey: [...sbomsKey(orgId, versionId), sbom.id, 'components', search.query, type, page],
    queryFn: () =>
      api.get<SbomComponentPage>(`${sbomsPath(orgId, versionId)}/${sbom.id}/components`, {
        q: search.query,
        type,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      }),
    placeholderData: keepPreviousData,
  })
  const pages = query.data ? Math.max(1, Math.ceil(query.data.total / PAGE_SIZE)) : 1
  return (
    <Stack gap="xs">
      <Group align="flex-end" wrap="wrap">
        <SearchInput
          label="Search components"
          placeholder="Name"
          search={{
            ...search,
            setText: (text) => {
              search.setText(text)
              setPage(1)
            },
          }}
          style={{ flex: 1, minWidth: 200 }}
        />
        <Select
          label="Type"
          placeholder="Any type"
          clearable
          data={[
            'application',
            'framework',
            'library',
            'container',
            'operating-system',
            'device',
            'firmware',
            'file',
            'install',
            'archive',
          ]}
          value={type}
          onChange={(value) => {
            setType(value)
            setPage(1)
          }}
          w={180}
        />
      </Group>
      {query.isPending ? (
        <Loading label="Loading the components…" />
      ) : query.isError ? (
        <LoadError error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <Text size="sm" c="dimmed" aria-live="polite">
            {query.data.total} component{query.data.total === 1 ? '' : 's'}
            {search.query || type ? ' match' : ''}
          </Text>
          <DataTable
            rows={query.data.items}
            rowKey={(c) => c.key}
            minWidth={720}
            striped
            columns={['Name', 'Version', 'Type', 'purl', 'CPE', 'Licences']}
            empty={<Empty title="No component matches" />}
          >
            {(c) => (
              <>
                {/* Image names and digests run to 100 characters without a space: they may
                    break anywhere, and the identifiers keep room, so no column collapses. */}
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  {c.group ? `${c.group}/` : ''}
                  {c.name}
                </Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{c.version ?? '—'}</Table.Td>
                <Table.Td>{c.type ?? '—'}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-all', minWidth: 200 }}>
                  {c.purl ? (
                    <Text size="xs" c={c.purlValid === false ? 'red' : undefined}>
                      {c.purl}
                    </Text>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td style={{ wordBreak: 'break-all', minWidth: 160 }}>
                  <Text size="xs">{c.cpes[0] ?? '—'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{c.licenses.join(', ') || '—'}</Text>
                </Table.Td>
              </>
            )}
          </DataTable>
          {pages > 1 && (
            <Pagination
              total={pages}
              value={page}
              onChange={setPage}
              size="sm"
              getControlProps={(control) => ({
                'aria-label': `${control} page`,
              })}
            />
          )}
        </>
      )}
    </Stack>
  )
}

function Summary({ sbom }: { sbom: Sbom }) {
  const rows: [string, string][] = [
    ['Format', formatName(sbom)],
    ['Made by', toolNames(sbom)],
    ['Components', String(sbom.componentCount)],
    ['File', `${sbom.fileName ?? 'unnamed'} · ${sizeText(sbom.byteLength)}`],
    ['Uploaded', `${formatDateTime(sbom.uploadedAt)} by ${sbom.uploadedBy.name}`],
  ]
  return (
    <Table variant="vertical" layout="fixed" withTableBorder>
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w={140}>{label}</Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  )
}

/**
 * A product version's SBOMs: upload (members), the current one's summary and components, and the
 * earlier uploads.
 */
export function SbomPanel({
  orgId,
  versionId,
  canWrite,
}: {
  orgId: string
  versionId: string
  canWrite: boolean
}) {
  const list = useQuery({
    queryKey: sbomsKey(orgId, versionId),
    queryFn: () => api.get<Sbom[]>(sbomsPath(orgId, versionId)),
  })
  const remove = useNotifyingMutation({
    mutationFn: (id: string) => api.delete(`${sbomsPath(orgId, versionId)}/${id}`),
    invalidates: [sbomsKey(orgId, versionId)],
    success: 'SBOM deleted',
  })
  const content = () => {
    if (list.isPending) return <Loading label="Loading the SBOMs…" />
    if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />
    const current = list.data.find((s) => s.isCurrent)
    const history = list.data.filter((s) => !s.isCurrent)
    if (!current) {
      return (
        <Empty title="No SBOM yet">
          Upload the version’s software bill of materials so its components can be watched for known
          vulnerabilities.
        </Empty>
      )
    }
    const otherNotes = current.notes.filter((n) => !isSbomWarning(n))
    return (
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            <Title order={3} size="h5">
              Current SBOM
            </Title>
            <Badge variant="light">Upload {current.revision}</Badge>
          </Group>
          <Group gap="xs">
            <Button
              component="a"
              href={apiUrl(`${sbomsPath(orgId, versionId)}/${current.id}/file`)}
              variant="default"
              size="xs"
            >
              Download file
            </Button>
            {canWrite && (
              <ConfirmButton
                label="Delete"
                ariaLabel={`Delete upload ${current.revision}`}
                size="xs"
                title="Delete the current SBOM?"
                onConfirm={() => remove.mutateAsync(current.id)}
                pending={remove.isPending}
                error={remove.error}
                onOpen={() => remove.reset()}
              >
                Upload {current.revision} and its components are deleted
                {history[0]
                  ? `; upload ${history[0].revision} becomes the current SBOM again.`
                  : '; the version will have no SBOM.'}{' '}
                The deletion is recorded in the audit log.
              </ConfirmButton>
            )}
          </Group>
        </Group>
        <Summary sbom={current} />
        <SbomWarnings
          notes={current.notes}
          title={warningsTitle(current.notes, `Upload ${current.revision} was accepted`)}
        />
        {otherNotes.length > 0 && (
          <Text size="sm" c="dimmed">
            {otherNotes.length} note{otherNotes.length === 1 ? '' : 's'} from reading it, e.g.{' '}
            {otherNotes[0]!.message}
          </Text>
        )}
        <ComponentTable key={current.id} orgId={orgId} versionId={versionId} sbom={current} />
        {history.length > 0 && (
          <Stack gap="xs">
            <Title order={3} size="h5">
              Earlier uploads
            </Title>
            <DataTable
              rows={history}
              rowKey={(s) => s.id}
              minWidth={560}
              columns={['Upload', 'Format', 'Components', 'Uploaded', null]}
            >
              {(s) => (
                <>
                  <Table.Td>{s.revision}</Table.Td>
                  <Table.Td>{formatName(s)}</Table.Td>
                  <Table.Td>{s.componentCount}</Table.Td>
                  <Table.Td>
                    {formatDateTime(s.uploadedAt)} by {s.uploadedBy.name}
                  </Table.Td>
                  <Table.Td>
                    <Anchor href={apiUrl(`${sbomsPath(orgId, versionId)}/${s.id}/file`)} size="sm">
                      Download
                    </Anchor>
                  </Table.Td>
                </>
              )}
            </DataTable>
          </Stack>
        )}
      </Stack>
    )
  }
  return (
    <Panel title="SBOM">
      {canWrite && <UploadForm orgId={orgId} versionId={versionId} />}
      {content()}
      <Text size="xs" c="dimmed">
        Build pipelines upload with an API token that has the sboms:write scope:{' '}
        <Code>
          isn sbom upload bom.json --organisation {orgId} --product-version {versionId}
        </Code>
      </Text>
    </Panel>
  )
}
