import { ActionIcon, Alert, Code, CopyButton, Group, Stack, Text, Tooltip } from '@mantine/core'
import { IconCheck, IconCopy, IconAlertTriangle } from '@tabler/icons-react'
import type { ReactNode } from 'react'

interface SecretRevealProps {
  label: string
  value: string
  children?: ReactNode
  warning?: boolean
}

/** A value shown once (token secret, invitation link), with a copy button. */
export function SecretReveal({ label, value, children, warning = false }: SecretRevealProps) {
  return (
    <Alert
      color={warning ? 'orange' : 'teal'}
      variant="light"
      icon={warning ? <IconAlertTriangle aria-hidden /> : undefined}
      title={label}
    >
      <Stack gap="xs">
        {children && (
          <Text size="sm" component="div">
            {children}
          </Text>
        )}
        <Group gap="xs" wrap="nowrap" align="center">
          <Code
            block
            style={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}
            aria-label={label}
          >
            {value}
          </Code>
          <CopyButton value={value} timeout={2000}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
                <ActionIcon
                  variant="filled"
                  color={copied ? 'teal' : 'gray'}
                  size="lg"
                  onClick={copy}
                  aria-label={copied ? 'Copied' : `Copy ${label.toLowerCase()}`}
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
