import { Table, type TableProps } from '@mantine/core'
import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { QueryState } from './query-state.tsx'

interface DataTableProps<T> extends Omit<TableProps, 'children'> {
  rows: T[]
  rowKey: (row: T) => string
  /** The column headings: `null` for a column without one, `false` leaves the column out. */
  columns: ReactNode[]
  /** One row's cells (`<Table.Td>`s), in the order of `columns`. */
  children: (row: T) => ReactNode
  /** Narrower than this, the table scrolls sideways instead of squeezing its columns. */
  minWidth: number
  /** Shown instead of the table when there are no rows. */
  empty?: ReactNode
}

/** A list as a table that scrolls sideways on narrow screens. */
export function DataTable<T>({
  rows,
  rowKey,
  columns,
  children,
  minWidth,
  empty,
  ...tableProps
}: DataTableProps<T>) {
  if (empty !== undefined && rows.length === 0) return empty
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table {...tableProps}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((heading, index) =>
              heading === false ? null : <Table.Th key={index}>{heading}</Table.Th>,
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={rowKey(row)}>{children(row)}</Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

interface QueryTableProps<T> extends Omit<DataTableProps<T>, 'rows'> {
  query: UseQueryResult<T[]>
  loadingLabel: string
}

/** A DataTable of a query's list, with its loading, error and empty states. */
export function QueryTable<T>({ query, loadingLabel, empty, ...table }: QueryTableProps<T>) {
  return (
    <QueryState query={query} loadingLabel={loadingLabel} empty={empty}>
      {(rows) => <DataTable rows={rows} {...table} />}
    </QueryState>
  )
}
