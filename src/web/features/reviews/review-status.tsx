import { Badge } from '@mantine/core'
import {
  REVIEW_STATUS_LABELS,
  VERDICT_LABELS,
  type ReviewStatus,
  type Verdict,
} from '../../../common/reviews.ts'

const STATUS_COLORS: Record<ReviewStatus, string> = {
  submitted: 'blue',
  'changes-requested': 'orange',
  approved: 'teal',
  withdrawn: 'gray',
}

export function ReviewStatusBadge({ status }: { status: ReviewStatus }) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="light">
      {REVIEW_STATUS_LABELS[status]}
    </Badge>
  )
}

const VERDICT_COLORS: Record<Verdict, string> = {
  accepted: 'teal',
  rejected: 'red',
  'needs-info': 'orange',
}

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <Badge color={VERDICT_COLORS[verdict]} variant="light">
      {VERDICT_LABELS[verdict]}
    </Badge>
  )
}
