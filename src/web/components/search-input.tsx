import { TextInput, type TextInputProps } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconSearch } from '@tabler/icons-react'
import { useState } from 'react'

/** What the user types into a search box, and the trimmed text to query, once typing pauses. */
export function useSearch() {
  const [text, setText] = useState('')
  const [query] = useDebouncedValue(text.trim(), 300)
  return { text, setText, query }
}

interface SearchInputProps extends Omit<TextInputProps, 'value' | 'onChange' | 'maxLength'> {
  label: string
  search: ReturnType<typeof useSearch>
}

/** A search box over a server-side list (the API takes up to 200 characters). */
export function SearchInput({ search, ...props }: SearchInputProps) {
  return (
    <TextInput
      leftSection={<IconSearch size={16} aria-hidden />}
      value={search.text}
      onChange={(e) => search.setText(e.currentTarget.value)}
      maxLength={200}
      {...props}
    />
  )
}
