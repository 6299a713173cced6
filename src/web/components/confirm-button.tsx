import { Button, Group, Modal, Stack, Text, type ButtonProps } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import type { UseMutationResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { useNotifyingMutation, type NotifyingMutationOptions } from '../lib/mutations.ts'
import { FormError } from './form-error.tsx'

interface ConfirmButtonProps extends Omit<ButtonProps, 'children' | 'onClick'> {
  /** The button's text, also the confirm button's. */
  label: string
  /** Accessible name when the visible label alone is ambiguous in a list ("Revoke token ci"). */
  ariaLabel?: string
  title: string
  children: ReactNode
  onConfirm: () => Promise<unknown>
  pending?: boolean
  error?: unknown
  /** Called when the dialog opens, e.g. to clear a previous attempt's error. */
  onOpen?: () => void
}

/** A destructive action behind a dialog that says what will happen. */
export function ConfirmButton({
  label,
  ariaLabel,
  title,
  children,
  onConfirm,
  pending = false,
  error,
  onOpen,
  color = 'red',
  ...buttonProps
}: ConfirmButtonProps) {
  const [opened, { open, close }] = useDisclosure(false)
  return (
    <>
      <Button
        color={color}
        variant="light"
        aria-label={ariaLabel}
        onClick={() => {
          onOpen?.()
          open()
        }}
        {...buttonProps}
      >
        {label}
      </Button>
      <Modal opened={opened} onClose={close} title={title} centered>
        <Stack>
          <Text size="sm" component="div">
            {children}
          </Text>
          {opened && <FormError error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color={color}
              loading={pending}
              onClick={() => {
                onConfirm().then(close, () => undefined)
              }}
            >
              {label}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}

/**
 * ConfirmButton's props that run `mutation` with `variables` on confirming, clear its previous
 * error when the dialog opens, and show its state.
 */
export function confirming<TVariables>(
  mutation: UseMutationResult<unknown, Error, TVariables>,
  variables: TVariables,
) {
  return {
    onConfirm: () => mutation.mutateAsync(variables),
    onOpen: () => mutation.reset(),
    pending: mutation.isPending,
    error: mutation.error,
  }
}

type ConfirmActionProps<TData> = Omit<
  ConfirmButtonProps,
  'onConfirm' | 'pending' | 'error' | 'onOpen'
> &
  NotifyingMutationOptions<TData, void>

/** A ConfirmButton with its own write: e.g. revoke or remove in a table row. */
export function ConfirmAction<TData>({
  mutationFn,
  onSuccess,
  invalidates,
  success,
  failure,
  ...buttonProps
}: ConfirmActionProps<TData>) {
  const action = useNotifyingMutation({ mutationFn, onSuccess, invalidates, success, failure })
  return <ConfirmButton {...buttonProps} {...confirming(action, undefined)} />
}
