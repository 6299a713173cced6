import { Anchor, Button, Group, List, Paper, Stack, Text, Textarea, Title } from '@mantine/core'
import { IconCircleCheck, IconCircleX, IconShieldCheck } from '@tabler/icons-react'
import { useMutation } from '@tanstack/react-query'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'react-router'
import type { LabelVerification, VerificationReasonCode } from '../../../common/api/labels.ts'
import { TIER_LABELS, VERIFICATION_STRENGTH_LABELS } from '../../../common/framework.ts'
import { FormError } from '../../components/form-error.tsx'
import { Page } from '../../components/page.tsx'
import { formatDate } from '../../lib/format.ts'
import { STATUS_LABELS, STATUS_MEANINGS, verifyLabelText } from './registry-api.ts'
import { StatusBadge } from './registry-ui.tsx'
import { KnownExploitedLine, PolicyWarningAlert } from '../label-policy/policy-notices.tsx'

/** Each reason in plain words; the server's own message follows it. */
const REASON_WORDS: Record<VerificationReasonCode, string> = {
  malformed: 'This is not a label.',
  unsupported_algorithm: 'The label is signed in a way the network never uses.',
  wrong_type: 'This is a signed token, but not a label.',
  unknown_key: 'The label names a signing key the network has never published.',
  bad_signature: 'The signature does not match: the label was changed or forged.',
  invalid_record: 'The signed content is not a label record.',
  expired: 'The label has expired.',
  not_yet_valid: 'The label is not valid yet.',
  revoked: 'The network has revoked this label.',
  suspended: 'The network has suspended this label.',
  status_unknown: 'The network could not tell this label’s status.',
}

/**
 * What the server's message adds to the plain-words headline: for a suspension or revocation
 * the message repeats the headline before the reason, so only the reason is shown.
 */
function detailOf(reason: LabelVerification['reasons'][number]): string {
  const stem = REASON_WORDS[reason.code].replace(/\.$/, '')
  if (!reason.message.startsWith(stem)) return reason.message
  const rest = reason.message.slice(stem.length).replace(/^[:.]\s*/, '')
  return rest === '' ? '' : `Reason given: ${rest}`
}

function Result({ result }: { result: LabelVerification }) {
  const { summary } = result
  const valid = result.valid
  const Icon = valid ? IconCircleCheck : IconCircleX
  const color = valid ? 'green' : 'red'
  return (
    <Paper
      withBorder
      p="lg"
      radius="md"
      style={{ borderLeft: `6px solid var(--mantine-color-${color}-7)` }}
      aria-live="polite"
    >
      <Stack gap="sm">
        <Group gap="sm">
          <Icon size={32} color={`var(--mantine-color-${color}-7)`} aria-hidden />
          <Title order={2} size="h3">
            {valid ? 'Valid label' : 'Not valid'}
          </Title>
          {result.status !== 'unknown' && <StatusBadge status={result.status} size="lg" />}
        </Group>
        {valid ? (
          <Text>
            The network signed this label, it is within its validity, and it is active today.{' '}
            {STATUS_MEANINGS.active}
          </Text>
        ) : (
          <Stack gap={4}>
            <Text>
              {result.genuine
                ? 'The network did sign this label, but you should not rely on it now:'
                : 'The network did not sign this, or it has been changed:'}
            </Text>
            <List spacing={4}>
              {result.reasons.map((reason) => (
                <List.Item key={reason.code}>
                  <Text span fw={600}>
                    {REASON_WORDS[reason.code]}
                  </Text>{' '}
                  {detailOf(reason)}
                </List.Item>
              ))}
            </List>
          </Stack>
        )}
        {result.warning && <PolicyWarningAlert warning={result.warning} />}
        {result.genuine && result.labelId && <KnownExploitedLine labelId={result.labelId} />}
        {summary && (
          <Stack gap={2}>
            <Text fw={600}>
              {summary.manufacturer} {summary.product} {summary.version}
            </Text>
            <Text size="sm">
              Tier {summary.tier} ({TIER_LABELS[summary.tier]}),{' '}
              {VERIFICATION_STRENGTH_LABELS[summary.verificationStrength].toLowerCase()} by{' '}
              {summary.assessor}; issued {formatDate(summary.issuedAt)}, valid until{' '}
              {formatDate(summary.expiresAt)}.
              {result.status !== 'unknown' && ` Status today: ${STATUS_LABELS[result.status]}.`}
            </Text>
            {result.genuine && result.labelId && (
              <Anchor component={Link} to={`/registry/${result.labelId}`}>
                Open the product page
              </Anchor>
            )}
          </Stack>
        )}
      </Stack>
    </Paper>
  )
}

/** /verify: paste a label, or arrive with ?label=<id or JWS> (from a QR code or a link). */
export function VerifyPage() {
  const [params] = useSearchParams()
  const given = params.get('label') ?? ''
  const [text, setText] = useState(given)
  const verify = useMutation({ mutationFn: verifyLabelText })
  const checked = useRef<string | null>(null)

  // Arriving with ?label= verifies at once.
  useEffect(() => {
    if (given && checked.current !== given) {
      checked.current = given
      setText(given)
      verify.mutate(given)
    }
  }, [given, verify])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (text.trim()) verify.mutate(text)
  }

  return (
    <Page
      title="Verify a label"
      description="Paste a label (the long signed text) or a label id to check that the network issued it and whether it is still active. No account needed."
    >
      <Paper withBorder p="lg" radius="md">
        <form onSubmit={submit}>
          <Stack gap="sm">
            <Textarea
              label="Label"
              description="A signed label (eyJ…) or a label id from a product page or QR code"
              placeholder="eyJhbGciOiJFZERTQSIs…"
              autosize
              minRows={3}
              maxRows={10}
              maxLength={16_384}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
            <Group>
              <Button
                type="submit"
                loading={verify.isPending}
                disabled={!text.trim()}
                leftSection={<IconShieldCheck size={18} aria-hidden />}
              >
                Verify
              </Button>
              <Anchor component={Link} to="/registry" size="sm">
                Search the registry instead
              </Anchor>
            </Group>
          </Stack>
        </form>
      </Paper>
      {verify.isError && <FormError error={verify.error} />}
      {verify.data && !verify.isPending && <Result result={verify.data} />}
    </Page>
  )
}
