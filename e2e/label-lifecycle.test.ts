// The network's core loop in one journey, with three people in their own browsers: a
// manufacturer's engineer, an accredited lab's assessor and a member of the public.
// register a product and version → assess it with evidence → submit → the assessor requests a
// change → the manufacturer answers → the assessor approves → the label is issued → the registry
// shows it → the verification page says valid → the assessor suspends it → it says suspended.
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  accessibilityRecorder,
  callEach,
  callApi,
  createFirstAdminAndSignIn,
  launchBrowser,
  SCREENSHOTS,
  snap,
  snapTop,
  startPlatform,
  waitForPath,
  watchForErrors,
  type Platform,
} from './support.ts'

const JOURNEY = 'label-lifecycle'
const shot = (page: Page, step: string) => snapTop(page, JOURNEY, step)
const PRODUCT = 'Field Controller FC-30'
const SUSPENSION = 'Authentication bypass reported in the web console; under investigation'

interface Person {
  email: string
  name: string
  password: string
}
const MARIA: Person = {
  email: 'maria@acme.example',
  name: 'Maria Acme',
  password: 'copper meadow signal 2026',
}
const LARS: Person = {
  email: 'lars@trustedlab.example',
  name: 'Lars Lab',
  password: 'granite orchard beacon 2026',
}

async function signIn(page: Page, base: string, person: Person) {
  await page.goto(`${base}/sign-in`)
  await page.getByLabel('Email').fill(person.email)
  await page.locator('input[type="password"]').fill(person.password)
  await page.locator('form').getByRole('button', { name: 'Sign in' }).click()
  await waitForPath(page, (p) => !p.startsWith('/sign-in'))
}

describe('the label lifecycle, from registration to suspension', () => {
  let platform: Platform
  let browser: Browser
  const contexts: BrowserContext[] = []
  const pages: Record<string, Page> = {}
  /** What each person's browser reported as errors (console errors, failed requests). */
  const problems: Record<string, string[]> = {}
  const { found: accessibility, check: checkAccessibility } = accessibilityRecorder()

  beforeAll(async () => {
    // Three people and their pipelines share one loopback address here, so the per-address
    // limit (300 a minute) would count them together; in use each has an address of its own.
    platform = await startPlatform({ RATE_LIMIT_PER_MINUTE: '2000' })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await platform?.stop()
  })

  async function newPage(who: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    contexts.push(context)
    const page = await context.newPage()
    pages[who] = page
    problems[who] = watchForErrors(page)
    return page
  }

  it('takes a product from registration to a suspended label', async () => {
    try {
      await journey()
    } catch (error) {
      for (const [who, page] of Object.entries(pages)) await snap(page, JOURNEY, `failure-${who}`)
      console.error('browser errors by person:', JSON.stringify(problems, null, 2))
      throw error
    }
  })

  async function journey() {
    const base = platform.url

    // The network administrator sets the stage: the two organisations, the lab's accreditation,
    // and an invitation for each person (links handed over out of band).
    const admin = await newPage('admin')
    await createFirstAdminAndSignIn(admin, platform)
    const acme = await callApi<{ id: string }>(admin, 'POST', '/api/v1/organisations', {
      name: 'Acme Controls',
      type: 'manufacturer',
    })
    const lab = await callApi<{ id: string }>(admin, 'POST', '/api/v1/organisations', {
      name: 'Trusted Lab',
      type: 'assessor',
    })
    await callApi(admin, 'POST', `/api/v1/admin/organisations/${lab.id}/accreditation`, {
      note: 'ISO/IEC 17025, scope IEC 62443-4-2',
    })
    for (const [org, person, role] of [
      [acme.id, MARIA, 'admin'],
      [lab.id, LARS, 'member'],
    ] as const) {
      const { link } = await callApi<{ link: string }>(
        admin,
        'POST',
        `/api/v1/organisations/${org}/invitations`,
        { email: person.email, role },
      )
      const token = new URL(link).pathname.split('/').at(-1)!
      const accepted = await fetch(`${base}/api/v1/invitations/${token}/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: person.name, password: person.password }),
      })
      expect(accepted.status, await accepted.text()).toBe(200)
    }

    // 1. Maria registers the product and its firmware version.
    const maria = await newPage('maria')
    await signIn(maria, base, MARIA)
    await maria.goto(`${base}/products`)
    await maria.getByRole('heading', { name: 'Products', level: 1 }).waitFor()
    await maria.getByRole('link', { name: 'Register a product' }).click()
    await maria.getByLabel('Product name').fill(PRODUCT)
    await maria.getByLabel('Device class').selectOption('controller')
    await maria.getByLabel('Model numbers').fill('FC-30\nFC-30-EX')
    await maria.getByLabel('Support period end').fill('2032-06-30')
    await maria.getByLabel('Update mechanism').selectOption('automatic')
    await maria.getByLabel('Default-password policy').selectOption('unique-per-device')
    await maria.getByLabel('Secure set-up guidance URL').fill('https://acme.example/fc30/hardening')
    await maria.getByLabel('Security contact email').fill('psirt@acme.example')
    await maria
      .getByLabel('Vulnerability disclosure policy URL')
      .fill('https://acme.example/security/cvd')
    await maria.getByLabel('SBOM availability').selectOption('available-on-request')
    await maria.getByLabel('Sensors').fill('cabinet temperature')
    await maria.getByLabel('Data disclosure').fill('Process data stays on site.')
    await maria.getByRole('button', { name: 'Register product' }).click()
    await waitForPath(maria, (p) => /^\/products\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/.test(p))
    await maria.getByRole('heading', { name: PRODUCT }).waitFor()
    await maria.getByText('Still to give before a label').waitFor({ state: 'detached' })
    await maria.getByLabel(/^Version( \*)?$/).fill('4.2.0')
    await maria.getByLabel('Release date').fill('2026-10-01')
    await maria.getByRole('button', { name: 'Add version' }).click()
    await maria.getByRole('cell', { name: '4.2.0' }).waitFor()
    await shot(maria, '01-product-registered')
    await checkAccessibility(maria, 'product page')

    // 2. Maria assesses the version: the first requirement with a link and a file in the
    // browser, the rest as her build pipeline would answer them.
    await maria
      .getByRole('row', { name: /4\.2\.0/ })
      .getByRole('link', { name: 'Assessments' })
      .click()
    await maria.getByRole('button', { name: 'Start assessment' }).click()
    await waitForPath(maria, (p) => p.startsWith('/assessments/'))
    const heading = `${PRODUCT} 4.2.0: tier 1 assessment`
    await maria.getByRole('heading', { name: heading }).waitFor()
    const assessmentId = new URL(maria.url()).pathname.split('/').at(-1)!
    const assessmentApi = `/api/v1/organisations/${acme.id}/assessments/${assessmentId}`
    const assessment = await callApi<{ requirements: { id: string; category: string }[] }>(
      maria,
      'GET',
      assessmentApi,
    )
    const first = assessment.requirements[0]!
    const item = maria.locator('.mantine-Accordion-item').filter({ hasText: first.id })
    await item.getByRole('button').first().click()
    await item.getByRole('radio', { name: 'Met', exact: true }).check()
    await item.getByLabel('Explanation').fill('Unique credentials are set at the factory.')
    await item.getByLabel('Link (https://)').fill('https://acme.example/fc30/credentials.pdf')
    await item.getByLabel('Link title').fill('Credential provisioning')
    await item.getByLabel('Document date').fill('2026-09-01')
    await item.getByRole('button', { name: 'Add link' }).click()
    await item.getByRole('link', { name: 'Credential provisioning' }).waitFor()
    await item.getByRole('button', { name: 'Save answer' }).click()
    await maria.getByText(`${first.id} saved`).waitFor()
    const evidence = path.join(SCREENSHOTS, JOURNEY, 'factory-test-report.pdf')
    fs.mkdirSync(path.dirname(evidence), { recursive: true })
    fs.writeFileSync(evidence, '%PDF-1.7\n% factory credential test report\n%%EOF\n')
    await item.locator('input[type="file"]').setInputFiles(evidence)
    await item.getByRole('button', { name: 'Upload file' }).click()
    await maria.getByText('factory-test-report.pdf attached').waitFor()
    fs.rmSync(evidence)
    await shot(maria, '02-assessment-with-evidence')
    await callEach(
      maria,
      'PATCH',
      assessment.requirements.slice(1).map((r) => ({
        url: `${assessmentApi}/answers/${r.id}`,
        body: { data: { status: 'met', explanation: `How ${r.id} is met` } },
      })),
    )

    // 3. Maria submits it to the accredited lab.
    await maria.reload()
    await maria.getByRole('heading', { name: 'Review' }).waitFor()
    await maria.getByRole('textbox', { name: 'Assessor', exact: true }).click()
    await maria.getByRole('option', { name: 'Trusted Lab' }).click()
    await maria.getByLabel('Message to the assessor (optional)').fill('FC-30 4.2.0, tier 1.')
    await maria.getByRole('button', { name: 'Submit for review' }).click()
    await maria.getByText('Submitted, with the assessor').waitFor()
    await shot(maria, '03-submitted')

    // 4. Lars, the assessor, finds it under Reviews, records a finding and requests a change.
    const lars = await newPage('lars')
    await signIn(lars, base, LARS)
    await lars.getByRole('button', { name: /Notifications: \d+ unread/ }).waitFor()
    await lars
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Reviews' })
      .click()
    await waitForPath(lars, (p) => p === `/reviews/${lab.id}`)
    await lars.getByRole('link', { name: `${PRODUCT} 4.2.0` }).click()
    await lars.getByRole('heading', { name: `Review: ${PRODUCT} 4.2.0` }).waitFor()
    await lars.getByRole('button', { name: new RegExp(`^${first.id} `) }).click()
    await lars.getByText('Unique credentials are set at the factory.').waitFor()
    const verdict = lars.locator('.mantine-Accordion-item[data-active]')
    await verdict.getByRole('textbox', { name: `Verdict on ${first.id}`, exact: true }).click()
    await lars.getByRole('option', { name: 'Needs information' }).click()
    await verdict.getByLabel('Finding').fill('How is the credential injected on the line?')
    await verdict.getByRole('button', { name: 'Save verdict' }).click()
    await lars.getByText(`Verdict on ${first.id} saved`).waitFor()
    await lars.getByLabel('Message to the manufacturer').fill('Describe the injection step.')
    await lars.getByRole('button', { name: 'Request changes' }).click()
    await lars.getByText('Changes requested', { exact: true }).first().waitFor()
    await shot(lars, '04-changes-requested')
    await checkAccessibility(lars, 'review page')

    // 5. Maria reads the finding, answers it and resubmits.
    await maria.reload()
    await maria.getByText('Describe the injection step.').waitFor()
    await maria.getByText('How is the credential injected on the line?').waitFor()
    await maria.locator('.mantine-Accordion-item').filter({ hasText: first.id }).waitFor()
    const answer = maria.locator('.mantine-Accordion-item').filter({ hasText: first.id })
    if (!(await answer.getByLabel('Explanation').isVisible())) {
      await answer.getByRole('button').first().click()
    }
    await answer
      .getByLabel('Explanation')
      .fill('Unique credentials are injected by the end-of-line tester from the factory HSM.')
    await answer.getByRole('button', { name: 'Save answer' }).click()
    await maria.getByText(`${first.id} saved`).waitFor()
    await maria.getByLabel('What you changed (optional)').fill('Described the injection step.')
    await maria.getByRole('button', { name: 'Resubmit for review' }).click()
    await maria.getByText('Submitted, with the assessor').waitFor()
    await shot(maria, '05-resubmitted')

    // 6. Lars accepts every requirement (through the API: there are many) and approves.
    const reviews = await callApi<{ id: string; assessmentId: string }[]>(
      lars,
      'GET',
      `/api/v1/organisations/${lab.id}/reviews`,
    )
    const review = reviews.find((r) => r.assessmentId === assessmentId) ?? reviews[0]!
    await callEach(
      lars,
      'PUT',
      assessment.requirements.map((r) => ({
        url: `/api/v1/organisations/${lab.id}/reviews/${review.id}/verdicts/${r.id}`,
        body: { verdict: 'accepted' },
      })),
    )
    await lars.goto(`${base}/reviews/${lab.id}/${review.id}`)
    await lars.getByRole('heading', { name: 'Decision' }).waitFor()
    await lars.getByRole('button', { name: 'Approve and issue the label' }).click()
    const labelLink = lars.getByRole('link', { name: 'See the issued label' })
    await labelLink.waitFor()
    await lars.getByText('Status: active').waitFor()
    await shot(lars, '06-approved-label-issued')
    const labelPath = new URL((await labelLink.getAttribute('href'))!, base).pathname

    // 7. Anyone finds it in the public registry, without an account, and verifies it.
    const visitor = await newPage('visitor')
    await visitor.goto(`${base}/registry`)
    await visitor.getByLabel('Product, model or version').fill('FC-30')
    await visitor.getByRole('button', { name: 'Search', exact: true }).click()
    await visitor.getByText('Showing 1–1 of 1 label').waitFor()
    await shot(visitor, '07-registry')
    await visitor.getByRole('link', { name: `${PRODUCT} 4.2.0` }).click()
    await waitForPath(visitor, (p) => p === labelPath)
    await visitor.getByRole('heading', { name: 'Status today: Active' }).waitFor()
    await visitor
      .getByText(/Trusted Lab/)
      .first()
      .waitFor()
    await shot(visitor, '08-product-page')
    await checkAccessibility(visitor, 'product page')
    await visitor.getByRole('link', { name: 'Verify this label' }).first().click()
    await waitForPath(visitor, (p) => p === '/verify')
    await visitor.getByRole('heading', { name: 'Valid label' }).waitFor()
    const verifyUrl = visitor.url()
    await shot(visitor, '09-verify-valid')

    // 8. Lars suspends the label, with a reason.
    await lars.getByLabel('Reason').fill(SUSPENSION)
    await lars.getByRole('button', { name: 'Suspend' }).click()
    await lars.getByText('Status: suspended').waitFor()
    await shot(lars, '10-suspended-by-assessor')

    // 9. The same verification now says suspended, with the reason; so does the product page.
    await visitor.goto(verifyUrl)
    await visitor.getByRole('heading', { name: 'Not valid' }).waitFor()
    await visitor.getByText('The network has suspended this label.', { exact: true }).waitFor()
    await visitor.getByText(SUSPENSION, { exact: false }).first().waitFor()
    await shot(visitor, '11-verify-suspended')
    await checkAccessibility(visitor, 'verify suspended')
    await visitor.goto(`${base}${labelPath}`)
    await visitor.getByRole('heading', { name: 'Status today: Suspended' }).waitFor()
    await shot(visitor, '12-product-page-suspended')

    // Maria was told, in the app.
    await maria.reload()
    await maria.getByRole('button', { name: /Notifications: \d+ unread/ }).waitFor()

    const unexpected = Object.values(problems)
      .flat()
      .filter((p) => !p.includes('status of 401'))
    expect(unexpected).toEqual([])
    fs.writeFileSync(
      path.join(SCREENSHOTS, JOURNEY, 'accessibility.json'),
      JSON.stringify(accessibility, null, 2),
    )
    expect(accessibility).toEqual({})
  }
})
