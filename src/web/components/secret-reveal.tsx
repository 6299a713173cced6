import { ActionIcon, Alert, CopyButton, Group, Stack, Text, Textarea, Tooltip } from '@mantine/core'
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react'
import { useEffect, useRef, type ReactNode } from 'react'

interface SecretRevealProps {
  /** Labels the read-only field that holds the value, e.g. "Token secret". */
  label: string
  value: string
  children?: ReactNode
  warning?: boolean
}

/** A value shown once (token secret, invitation link) in a read-only field with a copy button. */
export function SecretReveal({ label, value, children, warning = false }: SecretRevealProps) {
  // The value appears above the form that produced it: bring it into view and focus it, so that
  // keyboard and screen-reader users land on it too.
  const field = useRef<HTMLTextAreaElement>(null)
  useEffect(() => {
    field.current?.focus()
  }, [value])
  return (
    <Alert
      color={warning ? 'orange' : 'teal'}
      variant="light"
      icon={warning ? <IconAlertTriangle aria-hidden /> : undefined}
    >
      <Stack gap="xs">
        {children && (
          <Text size="sm" component="div">
            {children}
          </Text>
        )}
        <Group gap="xs" wrap="nowrap" align="flex-end">
          <Textarea
            ref={field}
            label={label}
            value={value}
            readOnly
            autosize
            minRows={1}
            onFocus={(e) => e.currentTarget.select()}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            style={{ flex: 1, minWidth: 0 }}
          />
          <CopyButton value={value} timeout={2000}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy to clipboard'} withArrow>
                <ActionIcon
                  variant="filled"
                  color={copied ? 'teal' : 'gray'}
                  size={36}
                  onClick={copy}
                  aria-label={copied ? 'Copied' : 'Copy to clipboard'}
                >
                  {copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  )
}
