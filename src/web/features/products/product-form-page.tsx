import { Anchor, Paper } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { notifications } from '@mantine/notifications'
import { Link, useNavigate, useParams } from 'react-router'
import type { Product } from '../../../common/api/products.ts'
import { isAppError } from '../../../common/errors.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { NotFoundPage } from '../../app/error-pages.tsx'
import { Page } from '../../components/page.tsx'
import { LoadError, Loading } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { changesOf, createBodyOf, EMPTY_PRODUCT, ProductForm, valuesOf } from './product-form.tsx'
import { productKey, productPath, productsKey, productsPath } from './products-api.ts'

function Back({ to, children }: { to: string; children: string }) {
  return (
    <Anchor component={Link} to={to} size="sm">
      ← {children}
    </Anchor>
  )
}

/** Registering a product of one of the person's manufacturer organisations. */
export function NewProductPage() {
  const { orgId = '' } = useParams()
  const session = useCurrentSession()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const organisation = session.memberships.find((m) => m.organisationId === orgId)
  const create = useMutation({
    mutationFn: (body: ReturnType<typeof createBodyOf>) =>
      api.post<Product>(productsPath(orgId), body),
    onSuccess: async (product) => {
      queryClient.setQueryData(productKey(orgId, product.id), product)
      await queryClient.invalidateQueries({ queryKey: productsKey(orgId) })
      notifications.show({ color: 'teal', message: `${product.name} registered` })
      void navigate(`/products/${orgId}/${product.id}`)
    },
  })
  if (!organisation) return <NotFoundPage />
  return (
    <Page
      title="Register a product"
      description={
        <>
          For {organisation.organisationName}. Only the name, a model number and the device class
          are needed now; the label fields can follow, but a label needs all of them.
        </>
      }
      size="md"
    >
      <Back to="/products">All products</Back>
      <Paper withBorder p={{ base: 'sm', sm: 'lg' }} radius="md">
        <ProductForm
          initial={EMPTY_PRODUCT}
          submitLabel="Register product"
          onSubmit={(values) => create.mutate(createBodyOf(values))}
          onCancel={() => void navigate('/products')}
          pending={create.isPending}
          error={create.error}
        />
      </Paper>
    </Page>
  )
}

/** Editing a product's details and label fields. */
export function EditProductPage() {
  const { orgId = '', productId = '' } = useParams()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const product = useQuery({
    queryKey: productKey(orgId, productId),
    queryFn: () => api.get<Product>(productPath(orgId, productId)),
  })
  const save = useMutation({
    mutationFn: (data: ReturnType<typeof changesOf>) =>
      api.patch<Product>(productPath(orgId, productId), { data }),
    onSuccess: async (updated) => {
      queryClient.setQueryData(productKey(orgId, productId), updated)
      await queryClient.invalidateQueries({ queryKey: productsKey(orgId) })
      notifications.show({ color: 'teal', message: `${updated.name} saved` })
      void navigate(`/products/${orgId}/${productId}`)
    },
  })
  if (product.isPending) return <Loading label="Loading the product…" />
  if (product.isError) {
    if (isAppError(product.error, 'not_found')) return <NotFoundPage />
    return <LoadError error={product.error} onRetry={() => void product.refetch()} />
  }
  const current = product.data
  return (
    <Page title={`Edit ${current.name}`} size="md">
      <Back to={`/products/${orgId}/${productId}`}>{current.name}</Back>
      <Paper withBorder p={{ base: 'sm', sm: 'lg' }} radius="md">
        <ProductForm
          initial={valuesOf(current)}
          submitLabel="Save changes"
          cannotSubmit={(values) => Object.keys(changesOf(current, values)).length === 0}
          onSubmit={(values) => save.mutate(changesOf(current, values))}
          onCancel={() => void navigate(`/products/${orgId}/${productId}`)}
          pending={save.isPending}
          error={save.error}
        />
      </Paper>
    </Page>
  )
}
