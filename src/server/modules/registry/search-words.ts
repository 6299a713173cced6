// How the public registry turns text into words, for the index and for a search alike. Both
// databases index and compare exactly these tokens (SQLite FTS5 with the `ascii` tokenizer, which
// only splits at the spaces put here; PostgreSQL lexemes taken as they are), so the rules below
// are the whole of the search's case, accent and punctuation handling, the same on both.

/** How many words of a search count; more narrow nothing a person would notice. */
export const MAX_SEARCH_WORDS = 8

/** Longer tokens are cut (PostgreSQL refuses lexemes over 2 KiB; nobody types 64 letters). */
const MAX_TOKEN_LENGTH = 64

/** Letters that Unicode does not decompose into a base letter and an accent. */
const FOLDED: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  ı: 'i',
  ł: 'l',
  þ: 'th',
}
const FOLDED_LETTERS = new RegExp(`[${Object.keys(FOLDED).join('')}]`, 'gu')

/**
 * The tokens of a text: lower case, compatibility forms and accents folded (é → e, ß → ss,
 * ｆｕｌｌ-width → full), split at anything that is not a letter or a digit.
 */
export function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(FOLDED_LETTERS, (c) => FOLDED[c]!)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .map((t) => [...t].slice(0, MAX_TOKEN_LENGTH).join(''))
}

/** The indexed form of a text: its tokens joined by single spaces. */
export function indexedWords(text: string): string {
  return tokens(text).join(' ')
}

/**
 * One word of a search: its tokens must follow each other in one field, the last one as a
 * prefix (`FS-200` → `fs` then a word starting with `200`).
 */
export type SearchWord = readonly string[]

/**
 * The words of a search, split at white space: each becomes its tokens; words without a letter
 * or digit are dropped, repeats too, and only the first `MAX_SEARCH_WORDS` count.
 */
export function searchWords(text: string | undefined): SearchWord[] {
  if (!text) return []
  const seen = new Set<string>()
  const words: SearchWord[] = []
  for (const part of text.split(/\s+/u)) {
    const word = tokens(part)
    const key = word.join(' ')
    if (word.length === 0 || seen.has(key)) continue
    seen.add(key)
    words.push(word)
    if (words.length === MAX_SEARCH_WORDS) break
  }
  return words
}

/** The registry's indexed columns of a label, from the columns it is issued with. */
export function labelWords(row: { search_text: string; manufacturer_name: string }) {
  return {
    search_words: indexedWords(row.search_text),
    manufacturer_words: indexedWords(row.manufacturer_name),
  }
}
export type LabelWords = ReturnType<typeof labelWords>
