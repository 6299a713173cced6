import {
  Anchor,
  Button,
  FileInput,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import {
  TRIAGE_STATES,
  VEX_JUSTIFICATIONS,
  VEX_RESPONSES,
  type TriageInput,
  type VexFinding,
  type VexFindingList,
  type VexPublication,
  type VexUploadResult,
} from '../../../common/api/vex.ts'
import { DataTable } from '../../components/data-table.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { api, apiUrl, errorMessage, uploadFile } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { TriageSummary, vexWords } from './triage-summary.tsx'

function TriageForm({
  base,
  finding,
  onDone,
}: {
  base: string
  finding: VexFinding
  onDone: () => void
}) {
  const [state, setState] = useState<string>(finding.triage?.state ?? 'under_investigation')
  const [justification, setJustification] = useState<string | null>(
    finding.triage?.justification ?? null,
  )
  const [response, setResponse] = useState<string | null>(finding.triage?.response ?? null)
  const [detail, setDetail] = useState(finding.triage?.detail ?? '')
  const [fixedVersion, setFixedVersion] = useState(finding.triage?.fixedVersion ?? '')
  const save = useNotifyingMutation({
    mutationFn: (input: TriageInput) =>
      api.put<VexFinding>(`${base}/findings/${finding.id}/triage`, input),
    invalidates: [['vex', base], ['findings']],
    success: 'Triage saved',
    onSuccess: onDone,
  })
  const submit = () => {
    const input: TriageInput = {
      state: state as TriageInput['state'],
      ...(state === 'not_affected' && justification
        ? { justification: justification as TriageInput['justification'] }
        : {}),
      ...(state === 'affected' && response
        ? { response: response as TriageInput['response'] }
        : {}),
      ...(detail.trim() ? { detail: detail.trim() } : {}),
      ...(state === 'fixed' && fixedVersion.trim() ? { fixedVersion: fixedVersion.trim() } : {}),
    }
    save.mutate(input)
  }
  return (
    <Stack gap="sm">
      <Text size="sm">
        {finding.component.name} {finding.component.version ?? ''} · {finding.advisoryId}{' '}
        {finding.cves.join(', ')}
      </Text>
      <Select
        label="State"
        data={TRIAGE_STATES.map((v) => ({ value: v, label: vexWords(v) }))}
        value={state}
        onChange={(v) => setState(v ?? 'under_investigation')}
        allowDeselect={false}
      />
      {state === 'not_affected' && (
        <Select
          label="Justification"
          required
          data={VEX_JUSTIFICATIONS.map((v) => ({ value: v, label: vexWords(v) }))}
          value={justification}
          onChange={setJustification}
        />
      )}
      {state === 'affected' && (
        <Select
          label="Response"
          data={VEX_RESPONSES.map((v) => ({ value: v, label: vexWords(v) }))}
          value={response}
          onChange={setResponse}
          clearable
        />
      )}
      {state === 'fixed' && (
        <TextInput
          label="Fixed in version"
          required
          value={fixedVersion}
          onChange={(e) => setFixedVersion(e.currentTarget.value)}
        />
      )}
      <Textarea
        label={state === 'affected' ? 'Remediation' : 'Detail'}
        value={detail}
        onChange={(e) => setDetail(e.currentTarget.value)}
        maxLength={4000}
        autosize
        minRows={2}
      />
      {save.isError && (
        <Text c="red" size="sm" role="alert">
          {errorMessage(save.error)}
        </Text>
      )}
      <Group justify="flex-end">
        <Button onClick={submit} loading={save.isPending}>
          Save triage
        </Button>
      </Group>
    </Stack>
  )
}

/**
 * VEX on a product version's findings page (docs/vulnerabilities.md, "VEX"): upload a CycloneDX
 * or CSAF VEX, triage each finding, publish the VEX and the CSAF advisory and download them.
 */
export function VexPanel({ orgId, versionId }: { orgId: string; versionId: string }) {
  const base = `/organisations/${orgId}/product-versions/${versionId}`
  const [file, setFile] = useState<File | null>(null)
  const [editing, setEditing] = useState<VexFinding | null>(null)
  const findings = useQuery({
    queryKey: ['vex', base, 'findings'],
    queryFn: () => api.get<VexFindingList>(`${base}/vex/findings`),
  })
  const publications = useQuery({
    queryKey: ['vex', base, 'publications'],
    queryFn: () => api.get<VexPublication[]>(`${base}/vex/publications`),
  })
  const upload = useNotifyingMutation({
    mutationFn: (chosen: File) => uploadFile<VexUploadResult>(`${base}/vex`, chosen),
    invalidates: [['vex', base], ['findings']],
    success: (result) => result.message,
    failure: 'The VEX document was refused',
    onSuccess: () => setFile(null),
  })
  const publish = useNotifyingMutation({
    mutationFn: (kind: 'cyclonedx' | 'csaf') =>
      api.post<VexPublication>(`${base}/vex/publications`, { kind }),
    invalidates: [['vex', base], ['findings']],
    success: (p) =>
      `Published ${p.kind === 'csaf' ? 'CSAF advisory' : 'CycloneDX VEX'} version ${p.version}`,
    failure: 'Not published',
  })
  return (
    <Panel title="VEX and triage">
      <Stack gap="sm">
        <Group align="flex-end">
          <FileInput
            label="Upload a VEX document (CycloneDX or CSAF JSON)"
            accept="application/json,.json"
            value={file}
            onChange={setFile}
            clearable
            w={360}
          />
          <Button
            disabled={!file}
            loading={upload.isPending}
            onClick={() => file && upload.mutate(file)}
          >
            Upload VEX
          </Button>
        </Group>
        {findings.isPending ? (
          <Loading label="Loading the triage…" />
        ) : findings.isError ? (
          <LoadError error={findings.error} onRetry={() => void findings.refetch()} />
        ) : (
          <>
            <Text size="sm" c="dimmed" role="status">
              {findings.data.open} open, {findings.data.suppressed} not affected (suppressed)
            </Text>
            <DataTable
              rows={findings.data.items}
              rowKey={(f) => f.id}
              minWidth={760}
              columns={['Component', 'Vulnerability', 'Triage', '']}
              empty={<Empty title="No findings">Nothing to triage.</Empty>}
              striped
            >
              {(f) => (
                <>
                  <Table.Td>
                    {f.component.name} {f.component.version ?? ''}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{f.cves[0] ?? f.advisoryId}</Text>
                    <Text size="xs" c="dimmed">
                      {f.advisoryId}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <TriageSummary triage={f.triage} />
                  </Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="default" onClick={() => setEditing(f)}>
                      Triage
                    </Button>
                  </Table.Td>
                </>
              )}
            </DataTable>
          </>
        )}
        <Group>
          <Button
            variant="default"
            loading={publish.isPending && publish.variables === 'csaf'}
            onClick={() => publish.mutate('csaf')}
          >
            Publish CSAF advisory
          </Button>
          <Button
            variant="default"
            loading={publish.isPending && publish.variables === 'cyclonedx'}
            onClick={() => publish.mutate('cyclonedx')}
          >
            Publish CycloneDX VEX
          </Button>
        </Group>
        {publications.data && publications.data.length > 0 && (
          <Stack gap={4}>
            {publications.data.map((p) => (
              <Anchor key={p.id} href={apiUrl(`${base}/vex/publications/${p.id}/file`)} size="sm">
                {p.kind === 'csaf' ? 'CSAF advisory' : 'CycloneDX VEX'} version {p.version} ·{' '}
                {formatDateTime(p.publishedAt)}
              </Anchor>
            ))}
          </Stack>
        )}
      </Stack>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title="Triage">
        {editing && <TriageForm base={base} finding={editing} onDone={() => setEditing(null)} />}
      </Modal>
    </Panel>
  )
}
