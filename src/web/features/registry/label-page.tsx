import {
  Anchor,
  Button,
  Code,
  Group,
  Image,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core'
import {
  IconCertificate,
  IconFileTypeSvg,
  IconJson,
  IconQrcode,
  IconShieldCheck,
} from '@tabler/icons-react'
import type { ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import type { LabelStatus } from '../../../common/api/labels.ts'
import type { Countdown, RegistryRecord } from '../../../common/api/registry.ts'
import { isAppError } from '../../../common/errors.ts'
import { DEVICE_CLASS_LABELS, VERIFICATION_STRENGTH_LABELS } from '../../../common/framework.ts'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { formatDate, formatDateTime } from '../../lib/format.ts'
import { TierBadge } from '../framework/framework-ui.tsx'
import {
  artefactUrl,
  isLabelId,
  STATUS_COLORS,
  STATUS_LABELS,
  STATUS_MEANINGS,
  useRegistryRecord,
} from './registry-api.ts'
import { StandardBadges, StatusBadge } from './registry-ui.tsx'
import { ExposurePanel } from '../label-policy/exposure-panel.tsx'
import { AdvisoriesPanel } from './advisories-panel.tsx'

const UPDATE_WORDS = {
  automatic: 'Security updates install automatically',
  'user-initiated': 'Updates are offered; the user starts them',
  manual: 'Updates are installed by hand',
  none: 'No software updates',
} as const

const PASSWORD_WORDS = {
  'no-passwords': 'No passwords (certificates or physical pairing)',
  'unique-per-device': 'A unique password per device',
  'set-on-first-use': 'The user sets a password before first use',
} as const

/** "1676 days left: support until 30 Jun 2031", "Support ended on … (3 days ago)". */
function countdownText(c: Countdown, words: { noun: string; until: string }): string {
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`
  if (c.ended) return `${words.noun} ended on ${formatDate(c.endsOn)} (${days(-c.daysLeft)} ago)`
  if (c.daysLeft === 0) return `${words.noun} ends today, ${formatDate(c.endsOn)}`
  return `${days(c.daysLeft)} left: ${words.until} ${formatDate(c.endsOn)}`
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="sm" c="dimmed" component="dt">
        {term}
      </Text>
      <Text component="dd" m={0}>
        {children}
      </Text>
    </Stack>
  )
}

/** An email address as a mailto link, a URL as a link, anything else as text. */
function Contact({ value }: { value: string }) {
  if (/^https?:\/\//.test(value)) {
    return (
      <Anchor href={value} target="_blank" rel="noopener noreferrer">
        {value}
      </Anchor>
    )
  }
  if (/^[^@\s]+@[^@\s]+$/.test(value)) return <Anchor href={`mailto:${value}`}>{value}</Anchor>
  return <>{value}</>
}

function StatusPanel({ record }: { record: RegistryRecord }) {
  const status: LabelStatus = record.status
  return (
    <Paper
      withBorder
      p="lg"
      radius="md"
      style={{ borderLeft: `6px solid ${STATUS_COLORS[status]}` }}
      aria-labelledby="label-status-heading"
    >
      <Stack gap="xs">
        <Group gap="sm">
          <Text id="label-status-heading" fw={700} size="lg" component="h2" m={0}>
            Status today: {STATUS_LABELS[status]}
          </Text>
          <StatusBadge status={status} size="lg" />
        </Group>
        <Text>{STATUS_MEANINGS[status]}</Text>
        {status !== 'active' && record.statusReason && (
          <Text>
            <Text span fw={600}>
              Reason:
            </Text>{' '}
            {record.statusReason}
          </Text>
        )}
        <Text size="sm" c="dimmed">
          Since {formatDateTime(record.statusChangedAt)}.{' '}
          {countdownText(record.validity, { noun: 'Validity', until: 'label valid until' })}.
        </Text>
      </Stack>
    </Paper>
  )
}

function Downloads({ record }: { record: RegistryRecord }) {
  const id = record.labelId
  const product = `${record.record.product.name} ${record.record.product.version}`
  const embed = `<a href="${record.links.page}"><img src="${record.links.badgeSvg}" alt="IIoT Safety Network label for ${product}: see its status"></a>`
  return (
    <Panel title="Badge, QR code and certificate">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
        <Stack gap="xs" align="flex-start">
          <Text size="sm" c="dimmed">
            Badge (shows the status now)
          </Text>
          <img
            src={artefactUrl(id, 'badge.svg')}
            alt={`Badge: tier ${record.record.tier}, ${STATUS_LABELS[record.status].toLowerCase()}`}
            height={20}
          />
          <Text size="sm" c="dimmed" mt="sm">
            QR code to this page
          </Text>
          <Image
            src={artefactUrl(id, 'qr.svg')}
            alt="QR code that opens this page"
            w={140}
            h={140}
            fit="contain"
          />
        </Stack>
        <Stack gap="xs" align="stretch">
          <Button
            component="a"
            href={artefactUrl(id, 'badge.svg')}
            download={`label-${id}-badge.svg`}
            variant="default"
            leftSection={<IconFileTypeSvg size={18} aria-hidden />}
          >
            Download the badge (SVG)
          </Button>
          <Button
            component="a"
            href={artefactUrl(id, 'qr.svg')}
            download={`label-${id}-qr.svg`}
            variant="default"
            leftSection={<IconQrcode size={18} aria-hidden />}
          >
            Download the QR code (SVG)
          </Button>
          <Button
            component="a"
            href={artefactUrl(id, 'qr.png')}
            download={`label-${id}-qr.png`}
            variant="default"
            leftSection={<IconQrcode size={18} aria-hidden />}
          >
            Download the QR code (PNG)
          </Button>
          <Button
            component="a"
            href={artefactUrl(id, 'certificate.pdf')}
            download={`label-${id}.pdf`}
            variant="default"
            leftSection={<IconCertificate size={18} aria-hidden />}
          >
            Download the certificate (PDF)
          </Button>
          <Button
            component="a"
            href={record.links.cta2120}
            variant="default"
            leftSection={<IconJson size={18} aria-hidden />}
          >
            CTA-2120 label data (JSON)
          </Button>
        </Stack>
      </SimpleGrid>
      <Stack gap={4}>
        <Text size="sm" c="dimmed">
          Embed the badge on a web page:
        </Text>
        <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
          {embed}
        </Code>
      </Stack>
    </Panel>
  )
}

function History({ record }: { record: RegistryRecord }) {
  return (
    <Panel title="History">
      <Table.ScrollContainer minWidth={520}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...record.history].reverse().map((change, index) => (
              <Table.Tr key={`${change.at}-${index}`}>
                <Table.Td>{formatDateTime(change.at)}</Table.Td>
                <Table.Td>
                  {change.fromStatus
                    ? `${STATUS_LABELS[change.fromStatus]} → ${STATUS_LABELS[change.toStatus]}`
                    : STATUS_LABELS[change.toStatus]}
                </Table.Td>
                <Table.Td>{change.reason ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Panel>
  )
}

function LabelRecordView({ record }: { record: RegistryRecord }) {
  const { product } = record.record
  return (
    <Page
      title={`${product.name} ${product.version}`}
      documentTitle={`${product.name} ${product.version} · Registry`}
      description={`${product.manufacturer.name}${product.modelNumbers.length ? ` · models ${product.modelNumbers.join(', ')}` : ''}`}
      actions={
        <Button
          component={Link}
          to={`/verify?label=${record.labelId}`}
          leftSection={<IconShieldCheck size={18} aria-hidden />}
        >
          Verify this label
        </Button>
      }
    >
      <StatusPanel record={record} />
      <ExposurePanel labelId={record.labelId} />
      <AdvisoriesPanel productId={product.productId} version={product.version} />
      <Panel title="The label">
        <Group gap="xs">
          <TierBadge tier={record.record.tier} size="lg" />
          <Text size="sm" c="dimmed">
            framework {record.record.frameworkVersion}, profile{' '}
            {DEVICE_CLASS_LABELS[record.record.profile]}
          </Text>
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" component="dl" m={0}>
          <Fact term="Security updates">
            {countdownText(record.support, { noun: 'Support', until: 'support until' })}
          </Fact>
          <Fact term="Report a vulnerability to">
            <Contact value={record.securityContact} />
          </Fact>
          <Fact term="Vulnerability disclosure policy">
            <Contact value={record.disclosurePolicyUrl} />
          </Fact>
          <Fact term="Verification">
            {VERIFICATION_STRENGTH_LABELS[record.verificationStrength]} by {record.assessor.name}
          </Fact>
          <Fact term="Device class">{DEVICE_CLASS_LABELS[product.deviceClass]}</Fact>
          <Fact term="How updates arrive">{UPDATE_WORDS[product.updateMechanism]}</Fact>
          <Fact term="Default passwords">{PASSWORD_WORDS[product.defaultPasswordPolicy]}</Fact>
          <Fact term="SBOM">
            {product.sbomAvailable ? 'Available to customers' : 'Not available'}
          </Fact>
          {product.secureSetupGuidanceUrl && (
            <Fact term="Secure set-up guidance">
              <Contact value={product.secureSetupGuidanceUrl} />
            </Fact>
          )}
          <Fact term="Issued">{formatDate(record.record.issuedAt)}</Fact>
          {product.sensorDisclosures.length > 0 && (
            <Fact term="Sensors">{product.sensorDisclosures.join(', ')}</Fact>
          )}
          {product.dataDisclosures.length > 0 && (
            <Fact term="Data">{product.dataDisclosures.join('; ')}</Fact>
          )}
        </SimpleGrid>
        <Stack gap={4}>
          <Text size="sm" c="dimmed">
            Standards reached through the framework’s crosswalk
          </Text>
          <StandardBadges standards={record.standards} />
        </Stack>
      </Panel>
      <Downloads record={record} />
      <History record={record} />
      <Panel title="Check it yourself">
        <Text size="sm">
          The label is signed by the network (key <Code>{record.keyId}</Code>). Anyone can verify it
          with the network’s public keys, online or offline, and see its status at{' '}
          <Anchor href={record.links.status} underline="always">
            its status address
          </Anchor>
          .
        </Text>
        <Group>
          <Button
            component={Link}
            to={`/verify?label=${record.labelId}`}
            variant="light"
            leftSection={<IconShieldCheck size={18} aria-hidden />}
          >
            Verify this label
          </Button>
        </Group>
        <Textarea
          label="Signed label (JWS)"
          description="Save it as label.jws to verify offline with isn label verify"
          value={record.jws}
          readOnly
          autosize
          minRows={3}
          maxRows={8}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        />
      </Panel>
    </Page>
  )
}

/** /registry/:labelId — the public product page of a label (what its QR code opens). */
export function LabelPage() {
  const { labelId } = useParams()
  const valid = !!labelId && isLabelId(labelId)
  const record = useRegistryRecord(valid ? labelId : undefined)
  if (!valid || (record.isError && isAppError(record.error, 'not_found'))) {
    return (
      <Page title="Label not found">
        <Empty title="There is no label with this address">
          Check the link or the QR code, or{' '}
          <Anchor component={Link} to="/registry" underline="always">
            search the registry
          </Anchor>
          .
        </Empty>
      </Page>
    )
  }
  if (record.isPending) return <Loading label="Loading the label…" />
  if (record.isError) {
    return <LoadError error={record.error} onRetry={() => void record.refetch()} />
  }
  return <LabelRecordView record={record.data} />
}
