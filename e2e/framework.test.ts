import fs from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  accessibilityRecorder,
  launchBrowser,
  SCREENSHOTS,
  snap,
  startPlatform,
  waitForPath,
  watchForErrors,
  type Platform,
} from './support.ts'

const JOURNEY = 'framework'

describe('the public framework: search → requirement → crosswalk → coverage → scheme → export', () => {
  let platform: Platform
  let browser: Browser
  /** Accessibility problems found along the way, by page; asserted empty at the end. */
  const { found: accessibility, check: checkAccessibility } = accessibilityRecorder()

  beforeAll(async () => {
    platform = await startPlatform()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  it('reads the framework without signing in', async () => {
    const base = platform.url
    const page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    })
    const problems = watchForErrors(page)

    // The framework is in the navigation, live, and its page says what it is.
    await page.goto(base)
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Framework' })
      .click()
    await waitForPath(page, (p) => p === '/framework')
    await page.getByText(/All \d+ requirements/).waitFor()
    await expect.poll(() => page.getByText('Version', { exact: true }).count()).toBeGreaterThan(0)
    await snap(page, JOURNEY, '01-framework')
    await checkAccessibility(page, 'framework')

    // Search: the text goes into the address, so the result can be linked to.
    await page.getByLabel('Search requirements').fill('default password')
    await page.getByRole('link', { name: 'No universal default passwords' }).waitFor()
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('default password')
    await expect
      .poll(() => page.getByText('ISN-AUTH-01', { exact: true }).count())
      .toBeGreaterThan(0)
    await snap(page, JOURNEY, '02-search')

    // Any input is a search, never an error: odd characters, and more than the API takes.
    for (const text of ['%_\'"<script>\\(*', 'x'.repeat(2500)]) {
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/framework/requirements?')),
        page.getByLabel('Search requirements').fill(text),
      ])
      expect(answer.status()).toBe(200)
      await page.getByText(/\d+ of \d+ requirements match/).waitFor()
      expect(await page.getByRole('alert').count()).toBe(0)
    }
    await page.getByText('No requirements match').waitFor()
    await page.getByText(/only the first 500 characters/).waitFor()
    await snap(page, JOURNEY, '03-search-nothing')

    // A linked search with a filter opens as it was shared.
    await page.goto(`${base}/framework?q=default%20password&tier=1&category=AUTH`)
    await page.getByRole('link', { name: 'No universal default passwords' }).click()
    await waitForPath(page, (p) => p === '/framework/requirements/ISN-AUTH-01')
    await page.getByRole('heading', { level: 1, name: 'No universal default passwords' }).waitFor()
    await page.getByRole('heading', { name: 'Crosswalk' }).waitFor()
    await page.getByRole('heading', { name: 'Verification asked per tier' }).waitFor()
    await snap(page, JOURNEY, '04-requirement')
    await checkAccessibility(page, 'requirement')

    // Follow the crosswalk to the EN 303 645 item: everything that covers it.
    await page.getByRole('link', { name: /^EN 303 645 5\.1-1\b/ }).click()
    await waitForPath(page, (p) => p === '/framework/coverage/etsi-en-303-645/5.1-1')
    await page
      .getByRole('heading', { level: 1, name: /Everything that covers EN 303 645 5\.1-1/ })
      .waitFor()
    await page.getByRole('link', { name: 'No universal default passwords' }).waitFor()
    await snap(page, JOURNEY, '05-item')
    await checkAccessibility(page, 'catalogue item')

    // Coverage of every catalogue, then the CRA's: its goal is met.
    await page
      .getByRole('navigation', { name: 'Framework' })
      .getByRole('link', { name: 'Coverage' })
      .click()
    await waitForPath(page, (p) => p === '/framework/coverage')
    await page.getByRole('link', { name: 'CRA Annex I' }).waitFor()
    await snap(page, JOURNEY, '06-coverage')
    await checkAccessibility(page, 'coverage')
    await page.getByRole('link', { name: 'CRA Annex I' }).click()
    await waitForPath(page, (p) => p === '/framework/coverage/eu-cra-annex-i')
    const goal = page.getByText(/^Goal met \d+ of \d+$/)
    await goal.waitFor()
    const [, met, of] = /(\d+) of (\d+)/.exec((await goal.textContent()) ?? '') ?? []
    expect(met).toBeDefined()
    expect(met).toBe(of)
    await page.getByRole('link', { name: 'I.2(d)' }).first().waitFor()
    await snap(page, JOURNEY, '07-cra-coverage')
    await checkAccessibility(page, 'catalogue coverage')

    // An item id with parentheses survives the round trip through the address.
    await page.getByRole('link', { name: 'I.2(d)' }).first().click()
    await waitForPath(page, (p) => p === '/framework/coverage/eu-cra-annex-i/I.2(d)')
    await page.getByRole('heading', { level: 1, name: /I\.2\(d\)/ }).waitFor()
    await page.getByText('Protection from unauthorised access').first().waitFor()

    // A scheme view: what the UK PSTI needs.
    await page
      .getByRole('navigation', { name: 'Framework' })
      .getByRole('link', { name: 'Schemes' })
      .click()
    await waitForPath(page, (p) => p === '/framework/schemes')
    const psti = page.locator('a[href^="/framework/schemes/uk-psti/"]').first()
    await psti.waitFor()
    await snap(page, JOURNEY, '08-schemes')
    await checkAccessibility(page, 'schemes')
    await psti.click()
    await waitForPath(page, (p) => p.startsWith('/framework/schemes/uk-psti/'))
    await page.getByRole('heading', { name: /Requirements needed \(\d+\)/ }).waitFor()
    await page.getByRole('link', { name: 'No universal default passwords' }).waitFor()
    await snap(page, JOURNEY, '09-scheme-uk-psti')
    await checkAccessibility(page, 'scheme')

    // Profiles and versions.
    await page.goto(`${base}/framework/profiles?tier=2&deviceClass=gateway`)
    await page.getByText(/\d+ requirements apply to Gateway/).waitFor()
    await snap(page, JOURNEY, '10-profile')
    await checkAccessibility(page, 'profiles')
    await page.goto(`${base}/framework/versions`)
    await page.getByRole('heading', { name: 'Compare two versions' }).waitFor()
    await page.getByText('In service').waitFor()
    await snap(page, JOURNEY, '11-versions')
    await checkAccessibility(page, 'versions')

    // Download the CSV from the framework page.
    await page.goto(`${base}/framework`)
    const csvLink = page.getByRole('link', { name: /^CSV/ })
    await csvLink.waitFor()
    const href = await csvLink.getAttribute('href')
    expect(href).toMatch(/^\/api\/v1\/framework\/export\?format=csv/)
    const response = await page.request.get(`${base}${href}`)
    expect(response.status()).toBe(200)
    expect(response.headers()['content-type']).toMatch(/^text\/csv/)
    expect(response.headers()['content-disposition']).toMatch(/^attachment; filename=".+\.csv"$/)
    const [download] = await Promise.all([page.waitForEvent('download'), csvLink.click()])
    expect(download.suggestedFilename()).toMatch(/\.csv$/)
    const csv = fs.readFileSync(await download.path(), 'utf8')
    const [header, ...rows] = csv.trim().split('\n')
    expect(header).toMatch(/^id,/)
    expect(rows.some((row) => row.startsWith('ISN-AUTH-01,'))).toBe(true)

    // Phone-sized: the same search works and nothing is cut off.
    const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 } })
    const phone = await phoneContext.newPage()
    const phoneProblems = watchForErrors(phone)
    await phone.goto(`${base}/framework?q=update`)
    await phone.getByText(/\d+ of \d+ requirements match/).waitFor()
    await snap(phone, JOURNEY, '12-phone-search')
    await checkAccessibility(phone, 'framework (phone-sized)')
    await phone.goto(`${base}/framework/coverage/owasp-isvs`)
    await phone.getByRole('heading', { name: 'Gaps' }).waitFor()
    await snap(phone, JOURNEY, '13-phone-coverage')
    await checkAccessibility(phone, 'catalogue coverage (phone-sized)')
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    )
    expect(overflow).toBeLessThanOrEqual(0)

    expect([...problems, ...phoneProblems]).toEqual([])
    // Written out in full for whoever has to fix a finding.
    fs.writeFileSync(
      path.join(SCREENSHOTS, JOURNEY, 'accessibility.json'),
      JSON.stringify(accessibility, null, 2),
    )
    expect(accessibility).toEqual({})
    await phoneContext.close()
  })
})
