import { Button, Group } from '@mantine/core'
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react'

interface PagerProps {
  offset: number
  pageSize: number
  total: number
  onChange: (offset: number) => void
  /** Whether a next page exists, where `total` alone cannot tell (a capped count). */
  hasNext?: boolean
}

/** Previous and next buttons under a paged list; nothing when everything fits on one page. */
export function Pager({ offset, pageSize, total, onChange, hasNext }: PagerProps) {
  if (total <= pageSize && offset === 0) return null
  return (
    <Group justify="space-between">
      <Button
        variant="default"
        leftSection={<IconChevronLeft size={16} aria-hidden />}
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - pageSize))}
      >
        Previous
      </Button>
      <Button
        variant="default"
        rightSection={<IconChevronRight size={16} aria-hidden />}
        disabled={!(hasNext ?? offset + pageSize < total)}
        onClick={() => onChange(offset + pageSize)}
      >
        Next
      </Button>
    </Group>
  )
}
