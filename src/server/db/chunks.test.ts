import { describe, expect, it } from 'vitest'
import { chunksOf } from './chunks.ts'

describe('chunksOf', () => {
  it('splits in order into slices of at most the size', () => {
    expect(chunksOf([], 3)).toEqual([])
    expect(chunksOf([1, 2, 3], 3)).toEqual([[1, 2, 3]])
    expect(chunksOf([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]])
  })

  it('refuses a size that would never advance', () => {
    expect(() => chunksOf([1], 0)).toThrow(RangeError)
    expect(() => chunksOf([1], Number.NaN)).toThrow(RangeError)
  })
})
