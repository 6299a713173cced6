import { describe, expect, it } from 'vitest'
import { LABEL_STATUSES } from '../../../common/api/labels.ts'
import { BADGE_COLOURS, BADGE_LABEL_COLOUR } from './artefacts.ts'

/** WCAG 2.1 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

const contrastWithWhite = (hex: string) => 1.05 / (luminance(hex) + 0.05)

describe('badge colours', () => {
  it('give white text a contrast of at least 4.5:1 (WCAG AA) for every status', () => {
    for (const status of LABEL_STATUSES) {
      expect({ status, ok: contrastWithWhite(BADGE_COLOURS[status]) >= 4.5 }).toEqual({
        status,
        ok: true,
      })
    }
    expect(contrastWithWhite(BADGE_LABEL_COLOUR)).toBeGreaterThanOrEqual(4.5)
  })

  it('differ for every status', () => {
    expect(new Set(Object.values(BADGE_COLOURS)).size).toBe(LABEL_STATUSES.length)
  })
})
