import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core'
import { IconPencil } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import type {
  CreateProductVersionBody,
  Product,
  ProductVersion,
} from '../../../common/api/products.ts'
import { isAppError } from '../../../common/errors.ts'
import { DEVICE_CLASS_LABELS } from '../../../common/framework.ts'
import {
  DEFAULT_PASSWORD_POLICY_LABELS,
  PRODUCT_LIMITS,
  REGISTRY_FIELD_LABELS,
  SBOM_AVAILABILITY_LABELS,
  UPDATE_MECHANISM_LABELS,
} from '../../../common/products.ts'
import { useCurrentSession } from '../../app/guards.tsx'
import { NotFoundPage } from '../../app/error-pages.tsx'
import { ConfirmButton } from '../../components/confirm-button.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { FormError } from '../../components/form-error.tsx'
import { Page } from '../../components/page.tsx'
import { Panel } from '../../components/panel.tsx'
import { Empty, LoadError, Loading, QueryState } from '../../components/query-state.tsx'
import { api } from '../../lib/api.ts'
import { formatDate } from '../../lib/format.ts'
import { useNotifyingMutation } from '../../lib/mutations.ts'
import { versionPagePath } from '../assessments/assessments-api.ts'
import {
  friendlyError,
  productAccess,
  productFieldError,
  productKey,
  productPath,
  productsKey,
  versionsKey,
} from './products-api.ts'

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600} component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  )
}

const NOT_GIVEN = (
  <Text span size="sm" c="dimmed" fs="italic">
    Not given yet
  </Text>
)

function ExternalLink({ href }: { href: string | null }) {
  if (!href) return NOT_GIVEN
  return (
    <Anchor href={href} target="_blank" rel="noopener noreferrer" size="sm">
      {href}
    </Anchor>
  )
}

function ListOrNone({ items, none = '—' }: { items: string[]; none?: ReactNode }) {
  return items.length > 0 ? items.join(', ') : none
}

function withNote(value: ReactNode, note: string | null) {
  return (
    <>
      {value}
      {note && (
        <Text size="sm" c="dimmed" mt={2}>
          {note}
        </Text>
      )}
    </>
  )
}

function LabelFields({ product }: { product: Product }) {
  const contact =
    product.securityContactEmail || product.securityContactUrl ? (
      <Stack gap={2}>
        {product.securityContactEmail && (
          <Anchor href={`mailto:${product.securityContactEmail}`} size="sm">
            {product.securityContactEmail}
          </Anchor>
        )}
        {product.securityContactUrl && <ExternalLink href={product.securityContactUrl} />}
      </Stack>
    ) : (
      NOT_GIVEN
    )
  const sbom = product.sbomAvailability ? (
    <>
      {SBOM_AVAILABILITY_LABELS[product.sbomAvailability]}
      {product.sbomUrl && (
        <div>
          <ExternalLink href={product.sbomUrl} />
        </div>
      )}
    </>
  ) : (
    NOT_GIVEN
  )
  const data =
    product.sensors.length > 0 || product.dataCollected.length > 0 || product.dataDisclosure ? (
      <Stack gap={2}>
        {product.sensors.length > 0 && <span>Sensors: {product.sensors.join(', ')}</span>}
        {product.dataCollected.length > 0 && (
          <span>Data collected: {product.dataCollected.join(', ')}</span>
        )}
        {product.dataDisclosure && <Text size="sm">{product.dataDisclosure}</Text>}
      </Stack>
    ) : (
      NOT_GIVEN
    )
  return (
    <Panel title="Label fields">
      {product.missingRegistryFields.length > 0 && (
        <Alert color="orange" variant="light" title="Still to give before a label">
          {product.missingRegistryFields.map((f) => REGISTRY_FIELD_LABELS[f]).join(', ')}
        </Alert>
      )}
      <SimpleGrid component="dl" cols={{ base: 1, sm: 2 }} spacing="lg" m={0}>
        <Fact label="Support period end">
          {product.supportPeriodEnd ? formatDate(product.supportPeriodEnd) : NOT_GIVEN}
        </Fact>
        <Fact label="Update mechanism">
          {withNote(
            product.updateMechanism ? UPDATE_MECHANISM_LABELS[product.updateMechanism] : NOT_GIVEN,
            product.updateDescription,
          )}
        </Fact>
        <Fact label="Default-password policy">
          {withNote(
            product.defaultPasswordPolicy
              ? DEFAULT_PASSWORD_POLICY_LABELS[product.defaultPasswordPolicy]
              : NOT_GIVEN,
            product.defaultPasswordDescription,
          )}
        </Fact>
        <Fact label="Security contact">{contact}</Fact>
        <Fact label="Vulnerability disclosure policy">
          <ExternalLink href={product.vulnerabilityDisclosureUrl} />
        </Fact>
        <Fact label="SBOM">{sbom}</Fact>
        <Fact label="Secure set-up guidance">
          <ExternalLink href={product.secureSetupUrl} />
        </Fact>
        <Fact label="Sensors and data">{data}</Fact>
      </SimpleGrid>
    </Panel>
  )
}

function AddVersionForm({ product }: { product: Product }) {
  const empty = { version: '', releaseDate: '', supportPeriodEnd: '', notes: '' }
  const [values, setValues] = useState(empty)
  const set = (changes: Partial<typeof empty>) => setValues((v) => ({ ...v, ...changes }))
  const add = useNotifyingMutation({
    mutationFn: (body: CreateProductVersionBody) =>
      api.post<ProductVersion>(`${productPath(product.organisationId, product.id)}/versions`, body),
    onSuccess: () => setValues(empty),
    invalidates: [productsKey(product.organisationId)],
    success: (version) => `Version ${version.version} added`,
  })
  const submit = () =>
    add.mutate({
      version: values.version.trim(),
      releaseDate: values.releaseDate,
      ...(values.supportPeriodEnd ? { supportPeriodEnd: values.supportPeriodEnd } : {}),
      ...(values.notes.trim() ? { notes: values.notes.trim() } : {}),
    })
  const error = friendlyError(add.error)
  const err = (field: string) => productFieldError(error, field)
  return (
    <Panel title="Add a version" onSubmit={submit}>
      <FormError error={error} />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label="Version"
          description="Firmware or software version"
          required
          maxLength={PRODUCT_LIMITS.version}
          value={values.version}
          onChange={(e) => set({ version: e.currentTarget.value })}
          error={err('version')}
        />
        <TextInput
          label="Release date"
          type="date"
          required
          value={values.releaseDate}
          onChange={(e) => set({ releaseDate: e.currentTarget.value })}
          error={err('releaseDate')}
        />
        <TextInput
          label="Version support period end"
          description={
            product.supportPeriodEnd
              ? `Empty: the product’s (${formatDate(product.supportPeriodEnd)})`
              : 'Empty: the product’s'
          }
          type="date"
          value={values.supportPeriodEnd}
          onChange={(e) => set({ supportPeriodEnd: e.currentTarget.value })}
          error={err('supportPeriodEnd')}
        />
      </SimpleGrid>
      <Textarea
        label="Release notes"
        autosize
        minRows={2}
        maxLength={2000}
        value={values.notes}
        onChange={(e) => set({ notes: e.currentTarget.value })}
        error={err('notes')}
      />
      <Group>
        <Button
          type="submit"
          loading={add.isPending}
          disabled={values.version.trim() === '' || values.releaseDate === ''}
        >
          Add version
        </Button>
      </Group>
    </Panel>
  )
}

function Versions({ product, canAdd }: { product: Product; canAdd: boolean }) {
  const versions = useQuery({
    queryKey: versionsKey(product.organisationId, product.id),
    queryFn: () =>
      api.get<ProductVersion[]>(`${productPath(product.organisationId, product.id)}/versions`),
  })
  return (
    <>
      <Panel title="Versions">
        <QueryState
          query={versions}
          loadingLabel="Loading versions…"
          empty={
            <Empty title="No versions yet">
              Add the firmware or software versions on the market; assessments and labels are made
              for a version.
            </Empty>
          }
        >
          {(rows) => (
            <DataTable
              rows={rows}
              rowKey={(v) => v.id}
              minWidth={280}
              verticalSpacing="sm"
              columns={['Version', 'Released', 'Support ends', 'Assessments']}
            >
              {(v) => (
                <>
                  <Table.Td>
                    <Text fw={600} size="sm">
                      {v.version}
                    </Text>
                    {v.notes && (
                      <Text size="sm" c="dimmed">
                        {v.notes}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formatDate(v.releaseDate)}</Table.Td>
                  <Table.Td>
                    {formatDate(v.effectiveSupportPeriodEnd)}
                    {v.supportPeriodEnd === null && v.effectiveSupportPeriodEnd && (
                      <Text size="xs" c="dimmed">
                        the product’s
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={versionPagePath(product.organisationId, product.id, v.id)}
                      size="sm"
                    >
                      Assessments
                    </Anchor>
                  </Table.Td>
                </>
              )}
            </DataTable>
          )}
        </QueryState>
      </Panel>
      {canAdd && <AddVersionForm product={product} />}
    </>
  )
}

function Lifecycle({ product, canManage }: { product: Product; canManage: boolean }) {
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const base = productPath(product.organisationId, product.id)
  const archive = useNotifyingMutation({
    mutationFn: (archived: boolean) =>
      api.post<Product>(`${base}/${archived ? 'archive' : 'restore'}`),
    onSuccess: (updated) =>
      queryClient.setQueryData(productKey(product.organisationId, product.id), updated),
    invalidates: [productsKey(product.organisationId)],
    success: (updated) =>
      `${updated.name} ${updated.status === 'archived' ? 'archived' : 'restored'}`,
    failure: 'Could not change the product',
  })
  const remove = useNotifyingMutation({
    mutationFn: () => api.delete(base),
    onSuccess: () => void navigate('/products'),
    invalidates: [productsKey(product.organisationId)],
    success: `${product.name} deleted`,
  })
  if (!canManage) return null
  return (
    <Panel title="Archive or delete">
      <Text size="sm" c="dimmed">
        Archived products keep their versions and history but leave the list and take no changes.
        Only a product without versions can be deleted.
      </Text>
      <Group>
        {product.status === 'archived' ? (
          <Button
            variant="default"
            loading={archive.isPending}
            onClick={() => archive.mutate(false)}
          >
            Restore product
          </Button>
        ) : (
          <Button
            variant="default"
            loading={archive.isPending}
            onClick={() => archive.mutate(true)}
          >
            Archive product
          </Button>
        )}
        {product.versionCount === 0 && (
          <ConfirmButton
            label="Delete product"
            title={`Delete ${product.name}?`}
            onConfirm={() => remove.mutateAsync()}
            pending={remove.isPending}
            error={remove.error}
            onOpen={() => remove.reset()}
          >
            The product and its details are removed. The audit log keeps a record that it existed.
          </ConfirmButton>
        )}
      </Group>
    </Panel>
  )
}

/** One product: its details, label fields, versions and lifecycle. */
export function ProductPage() {
  const { orgId = '', productId = '' } = useParams()
  const session = useCurrentSession()
  const access = productAccess(session, orgId)
  const product = useQuery({
    queryKey: productKey(orgId, productId),
    queryFn: () => api.get<Product>(productPath(orgId, productId)),
  })
  if (product.isPending) return <Loading label="Loading the product…" />
  if (product.isError) {
    if (isAppError(product.error, 'not_found')) return <NotFoundPage />
    return <LoadError error={product.error} onRetry={() => void product.refetch()} />
  }
  const p = product.data
  const active = p.status === 'active'
  return (
    <Page
      title={p.name}
      description={
        <Group gap="xs">
          <Badge variant="light">{DEVICE_CLASS_LABELS[p.deviceClass]}</Badge>
          {!active && (
            <Badge color="gray" variant="light">
              Archived
            </Badge>
          )}
          <Text span size="sm" c="dimmed">
            Model {p.modelNumbers.join(', ')}
          </Text>
        </Group>
      }
      actions={
        access.canWrite &&
        active && (
          <Button
            component={Link}
            to={`/products/${orgId}/${p.id}/edit`}
            variant="default"
            leftSection={<IconPencil size={18} aria-hidden />}
          >
            Edit product
          </Button>
        )
      }
    >
      <Anchor component={Link} to="/products" size="sm">
        ← All products
      </Anchor>
      <Panel title="Product">
        <SimpleGrid component="dl" cols={{ base: 1, sm: 2 }} spacing="lg" m={0}>
          <Fact label="Model numbers">
            <ListOrNone items={p.modelNumbers} />
          </Fact>
          <Fact label="Hardware versions">
            <ListOrNone items={p.hardwareVersions} />
          </Fact>
          <Fact label="Latest version">{p.latestVersion ?? '—'}</Fact>
          <Fact label="Registered">{formatDate(p.createdAt)}</Fact>
        </SimpleGrid>
        {p.description && <Text size="sm">{p.description}</Text>}
      </Panel>
      <LabelFields product={p} />
      <Versions product={p} canAdd={access.canWrite && active} />
      <Lifecycle product={p} canManage={access.canManage} />
    </Page>
  )
}
