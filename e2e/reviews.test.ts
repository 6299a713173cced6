import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  accessibilityRecorder,
  callEach,
  callApi as call,
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

const JOURNEY = 'reviews'
const shot = (page: Page, step: string) => snapTop(page, JOURNEY, step)

describe('submit → request changes → resubmit → approve → label', () => {
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

  it('reviews an assessment in a real browser', async () => {
    await onDesktopPage(browser, JOURNEY, journey)
  })

  async function journey(page: Page) {
    const base = platform.url
    const problems = watchForErrors(page)

    await createFirstAdminAndSignIn(page, platform)

    // Both organisations through the API; the administrator who creates them owns both, so one
    // person plays the manufacturer and the assessor.
    const maker = await call<{ id: string }>(page, 'POST', '/api/v1/organisations', {
      name: 'Acme Controls',
      type: 'manufacturer',
    })
    const lab = await call<{ id: string }>(page, 'POST', '/api/v1/organisations', {
      name: 'Trusted Lab',
      type: 'assessor',
    })
    await call(page, 'POST', `/api/v1/admin/organisations/${lab.id}/accreditation`, {
      note: 'ISO/IEC 17025',
    })
    const products = `/api/v1/organisations/${maker.id}/products`
    const product = await call<{ id: string }>(page, 'POST', products, {
      name: 'Edge Gateway EG-100',
      modelNumbers: ['EG-100'],
      deviceClass: 'gateway',
      supportPeriodEnd: '2030-12-31',
      updateMechanism: 'automatic',
      defaultPasswordPolicy: 'unique-per-device',
      securityContactEmail: 'psirt@acme.example',
      vulnerabilityDisclosureUrl: 'https://acme.example/security',
      sbomAvailability: 'available-on-request',
      secureSetupUrl: 'https://acme.example/hardening',
      sensors: ['temperature'],
    })
    const version = await call<{ id: string }>(page, 'POST', `${products}/${product.id}/versions`, {
      version: '2.4.1',
      releaseDate: '2026-05-01',
    })
    const assessments = `/api/v1/organisations/${maker.id}/assessments`
    const assessment = await call<{ id: string; requirements: { id: string }[] }>(
      page,
      'POST',
      assessments,
      { productId: product.id, productVersionId: version.id, targetTier: 1 },
    )
    await callEach(
      page,
      'PATCH',
      assessment.requirements.map((r) => ({
        url: `${assessments}/${assessment.id}/answers/${r.id}`,
        body: { data: { status: 'met', explanation: `How ${r.id} is met` } },
      })),
    )
    const [first] = assessment.requirements

    // The manufacturer submits to the accredited assessor.
    await page.goto(`${base}/assessments/${maker.id}/${assessment.id}`)
    await page.getByRole('heading', { name: 'Review' }).waitFor()
    await page.getByRole('textbox', { name: 'Assessor', exact: true }).click()
    await page.getByRole('option', { name: 'Trusted Lab' }).click()
    await page.getByLabel('Message to the assessor (optional)').fill('Ready for review.')
    await page.getByRole('button', { name: 'Submit for review' }).click()
    await page.getByText('Submitted, with the assessor').waitFor()
    await page.getByRole('button', { name: 'Notifications: 2 unread' }).waitFor()
    await shot(page, '01-submitted')
    await checkAccessibility(page, 'assessment submitted')

    // The assessor: Reviews in the navigation, the submission, a verdict, changes requested.
    await page.getByRole('link', { name: 'Reviews' }).click()
    await waitForPath(page, (p) => p === `/reviews/${lab.id}`)
    await page.getByRole('link', { name: 'Edge Gateway EG-100 2.4.1' }).click()
    await page.getByRole('heading', { name: 'Review: Edge Gateway EG-100 2.4.1' }).waitFor()
    await page.getByRole('button', { name: new RegExp(`^${first!.id} `) }).click()
    await page.getByText(`How ${first!.id} is met`).waitFor()
    const item = page.locator('.mantine-Accordion-item[data-active]')
    await item.getByRole('textbox', { name: `Verdict on ${first!.id}`, exact: true }).click()
    await page.getByRole('option', { name: 'Needs information' }).click()
    await item.getByLabel('Finding').fill('Which factory process sets the passwords?')
    await item.getByRole('button', { name: 'Save verdict' }).click()
    await page.getByText(`Verdict on ${first!.id} saved`).waitFor()
    await shot(page, '02-review-verdict')
    await checkAccessibility(page, 'review page')
    await page.getByLabel('Message to the manufacturer').fill('Describe the password process.')
    await page.getByRole('button', { name: 'Request changes' }).click()
    await page.getByText('Changes requested', { exact: true }).first().waitFor()

    // The manufacturer reads the message and finding, answers, resubmits.
    await page.goto(`${base}/assessments/${maker.id}/${assessment.id}`)
    await page.getByText('Describe the password process.').waitFor()
    await page.getByText('Which factory process sets the passwords?').waitFor()
    await shot(page, '03-changes-requested')
    await call(page, 'PATCH', `${assessments}/${assessment.id}/answers/${first!.id}`, {
      data: { explanation: 'Passwords are generated per device by the factory HSM.' },
    })
    await page.getByLabel('What you changed (optional)').fill('Explained the password process.')
    await page.getByRole('button', { name: 'Resubmit for review' }).click()
    await page.getByText('Submitted, with the assessor').waitFor()

    // The assessor accepts every requirement (through the API: there are many) and approves.
    const review = await reviewId()
    await callEach(
      page,
      'PUT',
      assessment.requirements.map((r) => ({
        url: `/api/v1/organisations/${lab.id}/reviews/${review}/verdicts/${r.id}`,
        body: { verdict: 'accepted' },
      })),
    )
    await page.goto(`${base}/reviews/${lab.id}/${review}`)
    await page.getByRole('heading', { name: 'Decision' }).waitFor()
    await page.getByRole('button', { name: 'Approve and issue the label' }).click()
    const labelLink = page.getByRole('link', { name: 'See the issued label' })
    await labelLink.waitFor()
    await page.getByText('Status: active').waitFor()
    await shot(page, '04-approved')
    // The assessor of record suspends its label.
    await page.getByLabel('Reason').fill('Vulnerability under investigation')
    await page.getByRole('button', { name: 'Suspend' }).click()
    await page.getByText('Status: suspended').waitFor()
    await labelLink.click()
    await waitForPath(page, (p) => p.startsWith('/registry/'))
    await page.getByText('Trusted Lab').first().waitFor()
    await shot(page, '05-label')

    const pageErrors = problems.filter((p) => !p.includes('status of 401'))
    expect(pageErrors).toEqual([])
    fs.writeFileSync(
      path.join(SCREENSHOTS, JOURNEY, 'accessibility.json'),
      JSON.stringify(accessibility, null, 2),
    )
    expect(accessibility).toEqual({})

    async function reviewId() {
      const reviews = await call<{ id: string }[]>(
        page,
        'GET',
        `${assessments}/${assessment.id}/reviews`,
      )
      return reviews[0]!.id
    }
  }
})
