import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  accessibilityRecorder,
  callApi,
  createFirstAdminAndSignIn,
  launchBrowser,
  onDesktopPage,
  SCREENSHOTS,
  snapTop,
  startPlatform,
  waitForPath,
  watchForErrors,
  type Platform,
} from './support.ts'

const JOURNEY = 'assessments'

describe('manufacturer → assessment with evidence → gap report → comply many', () => {
  let platform: Platform
  let browser: Browser
  const { found: accessibility, check: checkAccessibility } = accessibilityRecorder()

  beforeAll(async () => {
    platform = await startPlatform()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  it('assesses a product version in a real browser', async () => {
    await onDesktopPage(browser, JOURNEY, journey)
  })

  async function journey(page: Page) {
    const base = platform.url
    const problems = watchForErrors(page)

    await createFirstAdminAndSignIn(page, platform)

    // The manufacturer, product and version come from the products journey; here through the API.
    const org = await callApi<{ id: string }>(page, 'POST', '/api/v1/organisations', {
      name: 'Acme Controls',
      type: 'manufacturer',
    })
    const products = `/api/v1/organisations/${org.id}/products`
    const product = await callApi<{ id: string }>(page, 'POST', products, {
      name: 'Edge Gateway EG-100',
      modelNumbers: ['EG-100'],
      deviceClass: 'gateway',
    })
    await callApi(page, 'POST', `${products}/${product.id}/versions`, {
      version: '2.4.1',
      releaseDate: '2026-05-01',
    })

    // From the product page to the version's assessments, and start one.
    await page.goto(`${base}/products/${org.id}/${product.id}`)
    await page.getByRole('heading', { name: 'Edge Gateway EG-100' }).waitFor()
    await page
      .getByRole('row', { name: /2\.4\.1/ })
      .getByRole('link', { name: 'Assessments' })
      .click()
    await page.getByRole('heading', { name: 'Edge Gateway EG-100 2.4.1' }).waitFor()
    await page.getByText('No assessment yet').waitFor()
    await snapTop(page, JOURNEY, '01-version-no-assessment')
    await checkAccessibility(page, 'version assessments')
    await page.getByRole('button', { name: 'Start assessment' }).click()
    await waitForPath(page, (p) => p.startsWith('/assessments/'))
    const heading = 'Edge Gateway EG-100 2.4.1: tier 1 assessment'
    await page.getByRole('heading', { name: heading }).waitFor()
    await page.getByText(/^0 of \d+ requirements answered/).waitFor()
    const assessmentId = new URL(page.url()).pathname.split('/').at(-1)!
    const assessmentApi = `/api/v1/organisations/${org.id}/assessments/${assessmentId}`
    const assessment = await callApi<{
      requirements: { id: string; category: string }[]
      categories: { id: string }[]
    }>(page, 'GET', assessmentApi)
    const firstCategory = assessment.categories[0]!.id
    const [first, second] = assessment.requirements.filter((r) => r.category === firstCategory)
    await snapTop(page, JOURNEY, '02-questionnaire')
    await checkAccessibility(page, 'questionnaire')

    // Answer the first requirement with a link and a file.
    const item = (id: string) => page.locator('.mantine-Accordion-item').filter({ hasText: id })
    const one = item(first!.id)
    await one.getByRole('button').first().click()
    await one.getByText('Evidence expected').waitFor()
    await one.getByRole('radio', { name: 'Met', exact: true }).check()
    await one.getByLabel('Explanation').fill('Governed by the product security policy PSP-7.')
    await one.getByLabel('Link (https://)').fill('https://acme.example/psp-7.pdf')
    await one.getByLabel('Link title').fill('Product security policy')
    await one.getByLabel('Document date').fill('2026-04-01')
    await one.getByRole('button', { name: 'Add link' }).click()
    await one.getByRole('link', { name: 'Product security policy' }).waitFor()
    await one.getByRole('button', { name: 'Save answer' }).click()
    await page.getByText(`${first!.id} saved`).waitFor()
    await page.getByText(/^1 of \d+ requirements answered/).waitFor()
    const evidence = path.join(SCREENSHOTS, JOURNEY, 'policy.pdf')
    fs.mkdirSync(path.dirname(evidence), { recursive: true })
    fs.writeFileSync(evidence, '%PDF-1.7\n% product security policy\n%%EOF\n')
    await one.locator('input[type="file"]').setInputFiles(evidence)
    await one.getByRole('button', { name: 'Upload file' }).click()
    await page.getByText('policy.pdf attached').waitFor()
    await one.getByRole('link', { name: 'policy.pdf' }).waitFor()
    fs.rmSync(evidence)
    await snapTop(page, JOURNEY, '03-answer-with-evidence')

    // Not applicable needs a justification.
    const two = item(second!.id)
    await two.getByRole('button').first().click()
    await two.getByRole('radio', { name: 'Not applicable', exact: true }).check()
    await two.getByRole('button', { name: 'Save answer' }).click()
    await two.getByText('Say why the requirement does not apply to this product').waitFor()
    await snapTop(page, JOURNEY, '04-justification-required')
    await two.getByLabel('Justification').fill('The gateway is sold only inside the EG-100 kit.')
    await two.getByRole('button', { name: 'Save answer' }).click()
    await page.getByText(`${second!.id} saved`).waitFor()

    // The rest of tier 1 as a pipeline would answer it, then the reports.
    for (const r of assessment.requirements) {
      if (r.id === first!.id || r.id === second!.id) continue
      await callApi(page, 'PATCH', `${assessmentApi}/answers/${r.id}`, { data: { status: 'met' } })
    }
    await page.reload()
    await page.getByRole('heading', { name: heading }).waitFor()
    await page.getByRole('tab', { name: 'Gap report' }).click()
    await page.getByText('Tier 1 — Baseline', { exact: true }).waitFor()
    await snapTop(page, JOURNEY, '05-gap-report')
    await checkAccessibility(page, 'gap report')
    await page.getByRole('tab', { name: 'Comply many' }).click()
    await page.getByText('Statement of compliance: reached').waitFor()
    await snapTop(page, JOURNEY, '06-comply-many')
    await checkAccessibility(page, 'comply many')

    // On a phone.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      storageState: await page.context().storageState(),
    })
    const mobile = await phone.newPage()
    const mobileProblems = watchForErrors(mobile)
    await mobile.goto(page.url())
    await mobile.getByRole('heading', { name: heading }).waitFor()
    await snapTop(mobile, JOURNEY, '07-questionnaire-phone')
    await checkAccessibility(mobile, 'questionnaire (phone-sized)')
    const overflow = await mobile.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    )
    expect(overflow).toBeLessThanOrEqual(0)

    const pageErrors = [...problems, ...mobileProblems].filter(
      // The refused not-applicable answer is a 400 the browser logs; it is expected here.
      (p) => !p.includes('status of 401') && !p.includes('status of 400'),
    )
    expect(pageErrors).toEqual([])
    fs.writeFileSync(
      path.join(SCREENSHOTS, JOURNEY, 'accessibility.json'),
      JSON.stringify(accessibility, null, 2),
    )
    expect(accessibility).toEqual({})
    await phone.close()
  }
})
