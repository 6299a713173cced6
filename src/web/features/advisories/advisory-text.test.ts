import { describe, expect, it } from 'vitest'
import { advisoryPath, kevDates, rangeText, webUrl } from './advisory-text.ts'

describe('an advisory page’s text', () => {
  it('links to an advisory by source and encoded id', () => {
    expect(advisoryPath('osv', 'GHSA-jfh8-c2jp-5v3q')).toBe('/advisories/osv/GHSA-jfh8-c2jp-5v3q')
    expect(advisoryPath('csaf', 'a/b c')).toBe('/advisories/csaf/a%2Fb%20c')
  })

  it("says a KEV entry's dates, and ransomware use only when known", () => {
    const kev = { dateAdded: '2021-12-10', dueDate: '2021-12-24' }
    expect(kevDates({ ...kev, knownRansomwareCampaignUse: 'Known' })).toBe(
      'added 2021-12-10, remediation due 2021-12-24; used in ransomware campaigns',
    )
    expect(kevDates({ ...kev, knownRansomwareCampaignUse: 'Unknown' })).toBe(
      'added 2021-12-10, remediation due 2021-12-24',
    )
    expect(kevDates({ ...kev, knownRansomwareCampaignUse: null })).toBe(
      'added 2021-12-10, remediation due 2021-12-24',
    )
  })

  it('keeps only web links from a reference', () => {
    expect(webUrl('https://example.org/a')).toBe('https://example.org/a')
    expect(webUrl('HTTP://example.org')).toBe('HTTP://example.org')
    expect(webUrl('javascript:alert(1)')).toBeUndefined()
    expect(webUrl(' https://example.org')).toBeUndefined()
    expect(webUrl('data:text/html,x')).toBeUndefined()
    expect(webUrl(42)).toBeUndefined()
  })

  it('says an OSV range in words, whatever the record holds', () => {
    expect(
      rangeText({ type: 'ECOSYSTEM', events: [{ introduced: '2.13.0' }, { fixed: '2.15.0' }] }),
    ).toBe('ECOSYSTEM: introduced 2.13.0, fixed 2.15.0')
    expect(
      rangeText({
        type: 'GIT',
        repo: 'https://git.example.org/x',
        events: [{ introduced: '0' }, { last_affected: 'abc' }],
      }),
    ).toBe('GIT (https://git.example.org/x): introduced 0, last affected abc')
    expect(rangeText(null)).toBe('?: ')
    expect(rangeText({ type: 'SEMVER', events: 'not a list' })).toBe('SEMVER: ')
  })
})
