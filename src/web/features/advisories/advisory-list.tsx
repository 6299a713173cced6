import { Anchor, Table } from '@mantine/core'
import { Link } from 'react-router'
import type { AdvisorySummary } from '../../../common/api/advisories.ts'
import { DataTable } from '../../components/data-table.tsx'
import { formatDate } from '../../lib/format.ts'
import { advisoryPath } from './advisory-text.ts'

/** Advisories as a table, each id linked to its page (the lookup's results, related records). */
export function AdvisoryList({ advisories }: { advisories: AdvisorySummary[] }) {
  return (
    <DataTable
      rows={advisories}
      rowKey={(a) => `${a.source}/${a.id}`}
      columns={['Source', 'Id', 'Title', 'Severity', 'State', 'Modified']}
      minWidth={720}
    >
      {(a) => (
        <>
          <Table.Td>{a.source.toUpperCase()}</Table.Td>
          <Table.Td>
            <Anchor component={Link} to={advisoryPath(a.source, a.id)} size="sm">
              {a.id}
            </Anchor>
          </Table.Td>
          <Table.Td>{a.title ?? '—'}</Table.Td>
          <Table.Td>
            {a.severity ?? '—'}
            {a.cvssScore !== null && ` (${a.cvssScore})`}
          </Table.Td>
          <Table.Td>{a.state}</Table.Td>
          <Table.Td>{formatDate(a.modified)}</Table.Td>
        </>
      )}
    </DataTable>
  )
}
