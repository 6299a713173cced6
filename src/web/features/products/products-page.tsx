import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Switch,
  Table,
  Text,
} from '@mantine/core'
import { useMediaQuery } from '@mantine/hooks'
import { IconPlus } from '@tabler/icons-react'
import { useInfiniteQuery } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import type { Product, ProductPage } from '../../../common/api/products.ts'
import { DEVICE_CLASS_LABELS } from '../../../common/framework.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { Page } from '../../components/page.tsx'
import { Empty, LoadError, Loading } from '../../components/query-state.tsx'
import { SearchInput, useSearch } from '../../components/search-input.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import {
  manufacturerMemberships,
  productAccess,
  productsKey,
  productsPath,
} from './products-api.ts'

const PAGE_SIZE = 25

function ArchivedBadge({ product }: { product: Product }) {
  return product.status === 'archived' ? (
    <Badge color="gray" variant="light">
      Archived
    </Badge>
  ) : null
}

function LabelFieldsBadge({ product }: { product: Product }) {
  const missing = product.missingRegistryFields.length
  return missing === 0 ? (
    <Badge color="teal" variant="light">
      Complete
    </Badge>
  ) : (
    <Badge color="orange" variant="light">
      {missing} missing
    </Badge>
  )
}

/** On a phone, one card per product instead of a table to scroll sideways. */
function ProductCards({ orgId, rows }: { orgId: string; rows: Product[] }) {
  return (
    <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
      {rows.map((product) => (
        <Paper component="li" key={product.id} withBorder radius="md" p="md">
          <Stack gap={4}>
            <Group gap="xs" justify="space-between">
              <Anchor component={Link} to={`/products/${orgId}/${product.id}`} fw={600}>
                {product.name}
              </Anchor>
              <Group gap={4}>
                <ArchivedBadge product={product} />
                <LabelFieldsBadge product={product} />
              </Group>
            </Group>
            <Text size="sm">{product.modelNumbers.join(', ')}</Text>
            <Text size="sm" c="dimmed">
              {DEVICE_CLASS_LABELS[product.deviceClass]}
              {product.latestVersion ? ` · version ${product.latestVersion}` : ''}
              {product.supportPeriodEnd
                ? ` · supported until ${formatDate(product.supportPeriodEnd)}`
                : ''}
            </Text>
          </Stack>
        </Paper>
      ))}
    </Stack>
  )
}

function ProductList({ orgId }: { orgId: string }) {
  const search = useSearch()
  const [params, setParams] = useSearchParams()
  const archived = params.get('archived') === '1'
  const isNarrow = useMediaQuery('(max-width: 47.99em)') ?? false
  const products = useInfiniteQuery({
    queryKey: [...productsKey(orgId), 'list', search.query, archived],
    queryFn: ({ pageParam }) =>
      api.get<ProductPage>(productsPath(orgId), {
        q: search.query,
        status: archived ? 'all' : 'active',
        cursor: pageParam,
        limit: PAGE_SIZE,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })

  const filters = (
    <Group align="flex-end" gap="md">
      <SearchInput
        label="Search products"
        description="Name or model number"
        search={search}
        style={{ flex: '1 1 16rem' }}
      />
      <Switch
        label="Show archived"
        checked={archived}
        onChange={(e) => {
          const next = new URLSearchParams(params)
          if (e.currentTarget.checked) next.set('archived', '1')
          else next.delete('archived')
          setParams(next, { replace: true })
        }}
        mb={8}
      />
    </Group>
  )

  if (products.isPending) {
    return (
      <Stack>
        {filters}
        <Loading label="Loading products…" />
      </Stack>
    )
  }
  if (products.isError) {
    return <LoadError error={products.error} onRetry={() => void products.refetch()} />
  }
  const rows = products.data.pages.flatMap((page) => page.items)
  return (
    <Stack>
      {filters}
      {isNarrow && rows.length > 0 ? (
        <ProductCards orgId={orgId} rows={rows} />
      ) : (
        <DataTable
          rows={rows}
          rowKey={(p) => p.id}
          minWidth={760}
          striped
          verticalSpacing="sm"
          columns={[
            'Product',
            'Model numbers',
            'Device class',
            'Latest version',
            'Support ends',
            'Label fields',
          ]}
          empty={
            <Empty title={search.query ? 'No product matches' : 'No products yet'}>
              {search.query
                ? 'Try another name or model number.'
                : 'Register the first product to add its versions and, later, assess it.'}
            </Empty>
          }
        >
          {(product) => (
            <>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Anchor component={Link} to={`/products/${orgId}/${product.id}`} fw={600}>
                    {product.name}
                  </Anchor>
                  <ArchivedBadge product={product} />
                </Group>
              </Table.Td>
              <Table.Td>{product.modelNumbers.join(', ')}</Table.Td>
              <Table.Td>{DEVICE_CLASS_LABELS[product.deviceClass]}</Table.Td>
              <Table.Td>{product.latestVersion ?? '—'}</Table.Td>
              <Table.Td>{formatDate(product.supportPeriodEnd)}</Table.Td>
              <Table.Td>
                <LabelFieldsBadge product={product} />
              </Table.Td>
            </>
          )}
        </DataTable>
      )}
      {products.hasNextPage && (
        <Button
          variant="default"
          w="fit-content"
          loading={products.isFetchingNextPage}
          onClick={() => void products.fetchNextPage()}
        >
          Show more products
        </Button>
      )}
    </Stack>
  )
}

/** The products of the person's manufacturer organisation (a choice when there are several). */
export function ProductsPage() {
  const session = useCurrentSession()
  const manufacturers = manufacturerMemberships(session)
  const [params, setParams] = useSearchParams()
  const chosen =
    manufacturers.find((m) => m.organisationId === params.get('org')) ?? manufacturers[0]

  if (!chosen) {
    return (
      <Page title="Products">
        <Alert color="gray">
          Products belong to manufacturer organisations, and you are not a member of one. An
          administrator of a manufacturer organisation can invite you.
        </Alert>
      </Page>
    )
  }
  const access = productAccess(session, chosen.organisationId)
  return (
    <Page
      title="Products"
      description={`The products and firmware versions ${chosen.organisationName} registers, with the fields its labels will show.`}
      actions={
        access.canWrite && (
          <Button
            component={Link}
            to={`/products/${chosen.organisationId}/new`}
            leftSection={<IconPlus size={18} aria-hidden />}
          >
            Register a product
          </Button>
        )
      }
    >
      {manufacturers.length > 1 && (
        <NativeSelect
          label="Organisation"
          maw={360}
          value={chosen.organisationId}
          onChange={(e) => setParams({ org: e.currentTarget.value })}
          data={manufacturers.map((m) => ({ value: m.organisationId, label: m.organisationName }))}
        />
      )}
      {!access.canWrite && (
        <Text size="sm" c="dimmed">
          As a viewer you can read the products; members register and change them.
        </Text>
      )}
      <ProductList key={chosen.organisationId} orgId={chosen.organisationId} />
    </Page>
  )
}
