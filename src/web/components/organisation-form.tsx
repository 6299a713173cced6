import { Button, Group, NativeSelect, SimpleGrid, TextInput } from '@mantine/core'
import { useState, type ReactNode } from 'react'
import {
  ORGANISATION_TYPE_LABELS,
  ORGANISATION_TYPES,
  type OrganisationType,
} from '../../common/organisations.ts'
import { fieldError, FormError } from './form-error.tsx'
import { Form } from './form.tsx'

/** The form's values as typed; blank optional fields are empty strings. */
export interface OrganisationDetails {
  name: string
  type: OrganisationType
  website: string
  country: string
}

// Creating, the optional fields say so; editing, they say how to clear them.
const HINTS = {
  create: {
    website: 'Optional, starting with https://',
    websitePlaceholder: 'https://',
    country: 'Optional two-letter ISO code, e.g. DE',
  },
  edit: {
    website: 'Starting with https://; leave empty for none',
    websitePlaceholder: undefined,
    country: 'Two-letter ISO code; leave empty for none',
  },
}

interface OrganisationFormProps {
  /** Creating asks for the type too; an organisation's type is not edited. */
  mode: 'create' | 'edit'
  /** The heading (and lead) at the top of the form. */
  heading: ReactNode
  initial: OrganisationDetails
  submitLabel: string
  /** Besides a name that is too short, what keeps the form from being sent (e.g. no changes). */
  cannotSubmit?: (values: OrganisationDetails) => boolean
  onSubmit: (values: OrganisationDetails) => void
  pending: boolean
  error: unknown
}

/** An organisation's details: admitting a new one, or editing one's own. */
export function OrganisationForm({
  mode,
  heading,
  initial,
  submitLabel,
  cannotSubmit,
  onSubmit,
  pending,
  error,
}: OrganisationFormProps) {
  const [values, setValues] = useState(initial)
  const set = (changes: Partial<OrganisationDetails>) =>
    setValues((current) => ({ ...current, ...changes }))
  const hints = HINTS[mode]

  const name = (
    <TextInput
      label="Organisation name"
      required
      minLength={2}
      maxLength={160}
      value={values.name}
      onChange={(e) => set({ name: e.currentTarget.value })}
      error={fieldError(error, 'name')}
    />
  )
  const optionalFields = (
    <>
      <TextInput
        label="Website"
        description={hints.website}
        type="url"
        placeholder={hints.websitePlaceholder}
        maxLength={500}
        value={values.website}
        onChange={(e) => set({ website: e.currentTarget.value })}
        error={fieldError(error, 'website')}
      />
      <TextInput
        label="Country"
        description={hints.country}
        maxLength={2}
        value={values.country}
        onChange={(e) => set({ country: e.currentTarget.value.toUpperCase() })}
        error={fieldError(error, 'country')}
      />
    </>
  )

  return (
    <Form onSubmit={() => onSubmit(values)}>
      {heading}
      <FormError error={error} />
      {mode === 'create' ? (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {name}
          <NativeSelect
            label="Organisation type"
            required
            value={values.type}
            onChange={(e) => set({ type: e.currentTarget.value as OrganisationType })}
            data={ORGANISATION_TYPES.map((t) => ({
              value: t,
              label: ORGANISATION_TYPE_LABELS[t],
            }))}
            error={fieldError(error, 'type')}
          />
          {optionalFields}
        </SimpleGrid>
      ) : (
        <>
          {name}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>{optionalFields}</SimpleGrid>
        </>
      )}
      <Group>
        <Button
          type="submit"
          loading={pending}
          disabled={values.name.trim().length < 2 || (cannotSubmit?.(values) ?? false)}
        >
          {submitLabel}
        </Button>
      </Group>
    </Form>
  )
}
