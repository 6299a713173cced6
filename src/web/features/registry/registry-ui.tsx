import { Badge, Group, Text, type BadgeProps } from '@mantine/core'
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconCircleX,
  IconClockOff,
  type Icon,
} from '@tabler/icons-react'
import type { LabelStatus } from '../../../common/api/labels.ts'
import type { StandardReached } from '../../../common/api/registry.ts'
import { STATUS_COLORS, STATUS_LABELS } from './registry-api.ts'

const STATUS_ICONS: Record<LabelStatus, Icon> = {
  active: IconCircleCheck,
  suspended: IconAlertTriangle,
  revoked: IconCircleX,
  expired: IconClockOff,
}

/** A label's status in words, colour and an icon, so colour is never the only signal. */
export function StatusBadge({ status, ...props }: { status: LabelStatus } & BadgeProps) {
  const StatusIcon = STATUS_ICONS[status]
  return (
    <Badge
      color={STATUS_COLORS[status]}
      variant="filled"
      leftSection={<StatusIcon size={14} aria-hidden />}
      {...props}
    >
      {STATUS_LABELS[status]}
    </Badge>
  )
}

/** The highest level reached of each scheme, e.g. "UK PSTI · Statement of compliance". */
export function highestLevels(standards: StandardReached[]): StandardReached[] {
  const byScheme = new Map<string, StandardReached>()
  for (const s of standards) byScheme.set(s.scheme, s)
  return [...byScheme.values()]
}

export function StandardBadges({ standards }: { standards: StandardReached[] }) {
  const shown = highestLevels(standards)
  if (shown.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No scheme level reached through the crosswalk
      </Text>
    )
  }
  return (
    <Group gap={6}>
      {shown.map((s) => (
        <Badge
          key={s.scheme}
          variant="outline"
          color="gray"
          title={`${s.schemeTitle}: ${s.levelTitle}`}
        >
          {s.schemeTitle.split(/[(:,]/)[0]!.trim()} · {s.levelTitle}
        </Badge>
      ))}
    </Group>
  )
}
