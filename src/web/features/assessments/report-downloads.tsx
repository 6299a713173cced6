import { Button, Group } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { apiUrl } from '../../lib/api.ts'

/**
 * Download links for an assessment's reports (docs/assessments.md, Reports): the assessment
 * report and the gap report as PDF, the answers as CSV. `base` is the API path of the assessment
 * (the manufacturer) or of the review (the assessor of record).
 */
export function ReportDownloads({ base }: { base: string }) {
  const file = (label: string, name: string, description: string) => (
    <Button
      component="a"
      href={apiUrl(`${base}/${name}`)}
      download
      variant="default"
      size="xs"
      leftSection={<IconDownload size={14} aria-hidden />}
      title={description}
    >
      {label}
    </Button>
  )
  return (
    <Group gap="xs" role="group" aria-label="Download reports">
      {file(
        'Report (PDF)',
        'report.pdf',
        'Every requirement with its answer, evidence and verdict',
      )}
      {file('Gap report (PDF)', 'gap-report.pdf', 'What blocks each tier above the one reached')}
      {file('Answers (CSV)', 'answers.csv', 'One row per requirement, for spreadsheets')}
    </Group>
  )
}
