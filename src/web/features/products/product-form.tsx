import {
  Button,
  Fieldset,
  Group,
  NativeSelect,
  SimpleGrid,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core'
import { useState } from 'react'
import type { CreateProductBody, Product, ProductChanges } from '../../../common/api/products.ts'
import { DEVICE_CLASS_LABELS, DEVICE_CLASSES, type DeviceClass } from '../../../common/framework.ts'
import {
  DEFAULT_PASSWORD_POLICIES,
  DEFAULT_PASSWORD_POLICY_LABELS,
  PRODUCT_LIMITS,
  SBOM_AVAILABILITIES,
  SBOM_AVAILABILITY_LABELS,
  UPDATE_MECHANISM_LABELS,
  UPDATE_MECHANISMS,
  type DefaultPasswordPolicy,
  type SbomAvailability,
  type UpdateMechanism,
} from '../../../common/products.ts'
import { FormError } from '../../components/form-error.tsx'
import { Form } from '../../components/form.tsx'
import { friendlyError, linesToList, productFieldError } from './products-api.ts'

/** The form's values as typed: lists are one entry per line, blank optional fields are ''. */
export interface ProductValues {
  name: string
  modelNumbers: string
  deviceClass: DeviceClass
  hardwareVersions: string
  description: string
  supportPeriodEnd: string
  updateMechanism: UpdateMechanism | ''
  updateDescription: string
  defaultPasswordPolicy: DefaultPasswordPolicy | ''
  defaultPasswordDescription: string
  securityContactEmail: string
  securityContactUrl: string
  vulnerabilityDisclosureUrl: string
  sbomAvailability: SbomAvailability | ''
  sbomUrl: string
  secureSetupUrl: string
  sensors: string
  dataCollected: string
  dataDisclosure: string
}

export const EMPTY_PRODUCT: ProductValues = {
  name: '',
  modelNumbers: '',
  deviceClass: 'field-device',
  hardwareVersions: '',
  description: '',
  supportPeriodEnd: '',
  updateMechanism: '',
  updateDescription: '',
  defaultPasswordPolicy: '',
  defaultPasswordDescription: '',
  securityContactEmail: '',
  securityContactUrl: '',
  vulnerabilityDisclosureUrl: '',
  sbomAvailability: '',
  sbomUrl: '',
  secureSetupUrl: '',
  sensors: '',
  dataCollected: '',
  dataDisclosure: '',
}

const TEXT_FIELDS = [
  'description',
  'supportPeriodEnd',
  'updateDescription',
  'defaultPasswordDescription',
  'securityContactEmail',
  'securityContactUrl',
  'vulnerabilityDisclosureUrl',
  'sbomUrl',
  'secureSetupUrl',
  'dataDisclosure',
] as const
const CHOICE_FIELDS = ['updateMechanism', 'defaultPasswordPolicy', 'sbomAvailability'] as const
const LIST_FIELDS = ['hardwareVersions', 'sensors', 'dataCollected'] as const

export function valuesOf(product: Product): ProductValues {
  const values = { ...EMPTY_PRODUCT, name: product.name, deviceClass: product.deviceClass }
  values.modelNumbers = product.modelNumbers.join('\n')
  for (const field of LIST_FIELDS) values[field] = product[field].join('\n')
  for (const field of TEXT_FIELDS) values[field] = product[field] ?? ''
  values.updateMechanism = product.updateMechanism ?? ''
  values.defaultPasswordPolicy = product.defaultPasswordPolicy ?? ''
  values.sbomAvailability = product.sbomAvailability ?? ''
  return values
}

/** A create body: only what was given. */
export function createBodyOf(values: ProductValues): CreateProductBody {
  const body: CreateProductBody = {
    name: values.name.trim(),
    modelNumbers: linesToList(values.modelNumbers),
    deviceClass: values.deviceClass,
  }
  for (const field of LIST_FIELDS) {
    const list = linesToList(values[field])
    if (list.length > 0) body[field] = list
  }
  for (const field of TEXT_FIELDS) {
    const text = values[field].trim()
    if (text !== '') body[field] = text
  }
  if (values.updateMechanism) body.updateMechanism = values.updateMechanism
  if (values.defaultPasswordPolicy) body.defaultPasswordPolicy = values.defaultPasswordPolicy
  if (values.sbomAvailability) body.sbomAvailability = values.sbomAvailability
  return body
}

/** Only what changed; a cleared optional field becomes null. */
export function changesOf(product: Product, values: ProductValues): ProductChanges {
  const changes: ProductChanges = {}
  const name = values.name.trim()
  if (name !== product.name) changes.name = name
  const modelNumbers = linesToList(values.modelNumbers)
  if (modelNumbers.join('\n') !== product.modelNumbers.join('\n')) {
    changes.modelNumbers = modelNumbers
  }
  if (values.deviceClass !== product.deviceClass) changes.deviceClass = values.deviceClass
  for (const field of LIST_FIELDS) {
    const list = linesToList(values[field])
    if (list.join('\n') !== product[field].join('\n')) changes[field] = list
  }
  for (const field of TEXT_FIELDS) {
    const text = values[field].trim() || null
    if (text !== product[field]) changes[field] = text
  }
  for (const field of CHOICE_FIELDS) {
    const choice = values[field] || null
    if (choice !== product[field]) Object.assign(changes, { [field]: choice })
  }
  return changes
}

const NOT_STATED = { value: '', label: 'Not stated yet' }

interface ProductFormProps {
  initial: ProductValues
  submitLabel: string
  /** Besides missing required fields, what keeps the form from being sent (e.g. no changes). */
  cannotSubmit?: (values: ProductValues) => boolean
  onSubmit: (values: ProductValues) => void
  onCancel?: () => void
  pending: boolean
  error: unknown
}

/** A product's details and registry fields: registering one, or editing it. */
export function ProductForm({
  initial,
  submitLabel,
  cannotSubmit,
  onSubmit,
  onCancel,
  pending,
  error: rawError,
}: ProductFormProps) {
  const error = friendlyError(rawError)
  const [values, setValues] = useState(initial)
  const set = (changes: Partial<ProductValues>) =>
    setValues((current) => ({ ...current, ...changes }))
  const err = (field: keyof ProductValues) => productFieldError(error, field)
  const text = (field: keyof ProductValues) => ({
    value: values[field],
    onChange: (e: { currentTarget: { value: string } }) => set({ [field]: e.currentTarget.value }),
    error: err(field),
  })
  const lines = (field: keyof ProductValues) => ({
    ...text(field),
    autosize: true,
    minRows: 2,
    maxRows: 8,
  })
  const url = { type: 'url', placeholder: 'https://', maxLength: PRODUCT_LIMITS.url }
  const incomplete = values.name.trim() === '' || linesToList(values.modelNumbers).length === 0

  return (
    <Form onSubmit={() => onSubmit(values)} gap="lg">
      <FormError error={error} />
      <Fieldset legend="Product" radius="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Product name"
            required
            maxLength={PRODUCT_LIMITS.name}
            {...text('name')}
          />
          <NativeSelect
            label="Device class"
            required
            value={values.deviceClass}
            onChange={(e) => set({ deviceClass: e.currentTarget.value as DeviceClass })}
            data={DEVICE_CLASSES.map((c) => ({ value: c, label: DEVICE_CLASS_LABELS[c] }))}
            error={err('deviceClass')}
          />
          <Textarea
            label="Model numbers"
            description="One per line: order codes or SKUs the label covers"
            required
            {...lines('modelNumbers')}
          />
          <Textarea
            label="Hardware versions"
            description="One per line, e.g. rev A"
            {...lines('hardwareVersions')}
          />
        </SimpleGrid>
        <Textarea
          mt="md"
          label="Description"
          description="What the product does and where it is used"
          maxLength={PRODUCT_LIMITS.text}
          {...lines('description')}
        />
      </Fieldset>

      <Fieldset legend="Support and updates" radius="md">
        <Text size="sm" c="dimmed" mb="sm">
          Shown on the label. A version may end its support on another date.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Support period end"
            description="Last day security updates are provided"
            type="date"
            {...text('supportPeriodEnd')}
          />
          <NativeSelect
            label="Update mechanism"
            value={values.updateMechanism}
            onChange={(e) =>
              set({ updateMechanism: e.currentTarget.value as ProductValues['updateMechanism'] })
            }
            data={[
              NOT_STATED,
              ...UPDATE_MECHANISMS.map((m) => ({ value: m, label: UPDATE_MECHANISM_LABELS[m] })),
            ]}
            error={err('updateMechanism')}
          />
        </SimpleGrid>
        <Textarea
          mt="md"
          label="How updates are delivered"
          description="How users get and verify updates"
          maxLength={2000}
          {...lines('updateDescription')}
        />
      </Fieldset>

      <Fieldset legend="Passwords and secure set-up" radius="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NativeSelect
            label="Default-password policy"
            value={values.defaultPasswordPolicy}
            onChange={(e) =>
              set({
                defaultPasswordPolicy: e.currentTarget
                  .value as ProductValues['defaultPasswordPolicy'],
              })
            }
            data={[
              NOT_STATED,
              ...DEFAULT_PASSWORD_POLICIES.map((p) => ({
                value: p,
                label: DEFAULT_PASSWORD_POLICY_LABELS[p],
              })),
            ]}
            error={err('defaultPasswordPolicy')}
          />
          <TextInput
            label="Secure set-up guidance URL"
            description="Hardening or secure configuration guide"
            {...url}
            {...text('secureSetupUrl')}
          />
        </SimpleGrid>
        <Textarea
          mt="md"
          label="Password details"
          description="How initial credentials are set or delivered"
          maxLength={2000}
          {...lines('defaultPasswordDescription')}
        />
      </Fieldset>

      <Fieldset legend="Vulnerability handling" radius="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Security contact email"
            type="email"
            maxLength={254}
            {...text('securityContactEmail')}
          />
          <TextInput
            label="Security contact URL"
            description="Email, URL or both"
            {...url}
            {...text('securityContactUrl')}
          />
          <TextInput
            label="Vulnerability disclosure policy URL"
            {...url}
            {...text('vulnerabilityDisclosureUrl')}
          />
          <NativeSelect
            label="SBOM availability"
            value={values.sbomAvailability}
            onChange={(e) => {
              const sbomAvailability = e.currentTarget.value as ProductValues['sbomAvailability']
              // Only a published SBOM has a URL: choosing another answer drops it.
              set(
                sbomAvailability === 'published'
                  ? { sbomAvailability }
                  : { sbomAvailability, sbomUrl: '' },
              )
            }}
            data={[
              NOT_STATED,
              ...SBOM_AVAILABILITIES.map((a) => ({ value: a, label: SBOM_AVAILABILITY_LABELS[a] })),
            ]}
            error={err('sbomAvailability')}
          />
          {(values.sbomAvailability === 'published' || values.sbomUrl !== '') && (
            <TextInput
              label="SBOM URL"
              description="Where the SBOM is published"
              required={values.sbomAvailability === 'published'}
              {...url}
              {...text('sbomUrl')}
            />
          )}
        </SimpleGrid>
      </Fieldset>

      <Fieldset legend="Sensors and data" radius="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Textarea label="Sensors" description="One per line" {...lines('sensors')} />
          <Textarea
            label="Data collected"
            description="One per line: kinds of data the product records or sends"
            {...lines('dataCollected')}
          />
        </SimpleGrid>
        <Textarea
          mt="md"
          label="Data disclosure"
          description="Where the data goes and who can see it"
          maxLength={PRODUCT_LIMITS.text}
          {...lines('dataDisclosure')}
        />
      </Fieldset>

      <Group>
        <Button
          type="submit"
          loading={pending}
          disabled={incomplete || (cannotSubmit?.(values) ?? false)}
        >
          {submitLabel}
        </Button>
        {onCancel && (
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </Group>
    </Form>
  )
}
