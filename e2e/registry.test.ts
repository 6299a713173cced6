import fs from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Label } from '../src/common/api/labels.ts'
import { loadConfig } from '../src/server/config.ts'
import { systemActor } from '../src/server/kernel/actor.ts'
import type { Ctx } from '../src/server/kernel/context.ts'
import { openContext } from '../src/server/main.ts'
import { issueLabel } from '../src/server/modules/labels/labels.service.ts'
import { sampleLabelInput } from '../src/server/modules/labels/testing.ts'
import {
  accessibilityRecorder,
  launchBrowser,
  snap,
  snapTop,
  startPlatform,
  waitForPath,
  watchForErrors,
  type Platform,
} from './support.ts'

const JOURNEY = 'registry'
const ADMIN = {
  email: 'admin@network.example',
  name: 'Ada Admin',
  password: 'violet harbour lantern 2026',
}
const REASON = 'Remote code execution reported in the web console; under investigation'

describe('registry → product page → badge → verify → suspended', () => {
  let platform: Platform
  let browser: Browser
  let ctx: Ctx
  /** Accessibility problems found along the way, by page; asserted empty at the end. */
  const { found: accessibility, check: checkAccessibility } = accessibilityRecorder()

  beforeAll(async () => {
    platform = await startPlatform()
    browser = await launchBrowser()
    // The same database and instance secret as the platform: labels are issued through the
    // service, as an assessment's approval will issue them (there is no HTTP route for it).
    ctx = await openContext(loadConfig({ ...platform.env, LOG_LEVEL: 'silent' }))
  })
  afterAll(async () => {
    await ctx?.db.destroy()
    await browser?.close()
    await platform?.stop()
  })

  /** The first-run administrator, signed in over HTTP: the session the admin API needs. */
  async function adminSession() {
    const base = platform.url
    const token = new URL(platform.setupLink).searchParams.get('token')
    const setup = await fetch(`${base}/api/v1/setup/admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        email: ADMIN.email,
        displayName: ADMIN.name,
        password: ADMIN.password,
      }),
    })
    expect(setup.status, await setup.text()).toBeLessThan(300)
    const signIn = await fetch(`${base}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    })
    expect(signIn.status).toBe(200)
    const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('isn_session='))!
    const { session } = (await signIn.json()) as { session: { csrfToken: string } }
    return { cookie: cookie.split(';')[0]!, csrf: session.csrfToken }
  }

  it('finds a product, downloads its badge, verifies its label and sees a suspension', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    })
    const page = await context.newPage()
    try {
      await journey(page)
      // A phone-sized look at the product page and the verification page.
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 } })
      const small = await phone.newPage()
      await small.goto(`${platform.url}/registry/${gatewayLabel.id}`)
      await small.getByRole('heading', { name: /Status today: Suspended/ }).waitFor()
      await snapTop(small, JOURNEY, '09-phone-product-page')
      await phone.close()
    } catch (error) {
      await snap(page, JOURNEY, 'failure')
      throw error
    } finally {
      await context.close()
    }
    expect(accessibility).toEqual({})
  })

  let gatewayLabel: Label

  async function journey(page: Page) {
    const base = platform.url
    const problems = watchForErrors(page)

    // Before any label: the registry says so, without an account.
    await page.goto(`${base}/`)
    const navigation = page.getByRole('navigation', { name: 'Main navigation' })
    await navigation.getByRole('link', { name: 'Registry', exact: true }).click()
    await waitForPath(page, (p) => p === '/registry')
    await page.getByText('No labels have been issued yet').waitFor()
    await snapTop(page, JOURNEY, '01-empty-registry')
    await checkAccessibility(page, 'empty registry')

    // Two labels, issued as an approval issues them.
    const system = { actor: systemActor('e2e') }
    const base1 = sampleLabelInput()
    await issueLabel(ctx, system, {
      ...base1,
      product: { ...base1.product, productId: 'fieldsense', productVersionId: undefined },
    })
    gatewayLabel = await issueLabel(ctx, system, {
      ...base1,
      tier: 3,
      profile: 'gateway',
      verificationStrength: 'lab-tested',
      assessor: { name: 'Rhein Test Lab GmbH' },
      product: {
        ...base1.product,
        productId: 'edgegate',
        productVersionId: undefined,
        manufacturer: { name: 'Bolt Automation' },
        name: 'Bolt EdgeGate 7',
        modelNumbers: ['EG-7', 'EG-7-LTE'],
        version: '3.1.0',
        deviceClass: 'gateway',
        supportPeriodEnd: '2031-06-30',
        securityContact: 'psirt@bolt.example',
        disclosurePolicyUrl: 'https://bolt.example/security/cvd',
        secureSetupGuidanceUrl: 'https://bolt.example/eg7/hardening',
      },
    })

    await page.reload()
    await page.getByText('Showing 1–2 of 2 labels').waitFor()
    await snapTop(page, JOURNEY, '02-registry-with-labels')

    // Find the product by a model number and a filter.
    await page.getByLabel('Product, model or version').fill('EG-7')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByText('Showing 1–1 of 1 label').waitFor()
    await page.getByLabel('Tier').selectOption('3')
    await page.getByText('Showing 1–1 of 1 label').waitFor()
    await snapTop(page, JOURNEY, '03-registry-search')
    await checkAccessibility(page, 'registry search')

    // Its product page: live status, countdown, contact, strength, assessor, history.
    await page.getByRole('link', { name: 'Bolt EdgeGate 7 3.1.0' }).click()
    await waitForPath(page, (p) => p === `/registry/${gatewayLabel.id}`)
    await page.getByRole('heading', { name: 'Status today: Active' }).waitFor()
    await page.getByText(/days left: support until/).waitFor()
    await page.getByText('Lab-tested by Rhein Test Lab GmbH').waitFor()
    await page.getByRole('link', { name: 'psirt@bolt.example' }).waitFor()
    await snapTop(page, JOURNEY, '04-product-page')
    await checkAccessibility(page, 'product page')

    // Download the badge: an SVG that says active.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the badge (SVG)' }).click(),
    ])
    const badge = fs.readFileSync((await download.path())!, 'utf8')
    expect(badge).toMatch(/^<svg /)
    expect(badge).toContain('Tier 3 Hardened · active')

    // Verify the label from its page.
    await page.getByRole('link', { name: 'Verify this label' }).first().click()
    await waitForPath(page, (p) => p === '/verify')
    await page.getByRole('heading', { name: 'Valid label' }).waitFor()
    // What the label is for, from the answer's summary of the signed record.
    await page.getByText('Bolt Automation Bolt EdgeGate 7 3.1.0', { exact: true }).waitFor()
    await page.getByText(/^Tier 3 \(.*\), lab-tested by Rhein Test Lab GmbH; issued /).waitFor()
    await snapTop(page, JOURNEY, '05-verify-valid')
    await checkAccessibility(page, 'verify valid')

    // Garbage is refused in plain words.
    await page.getByLabel('Label').fill('eyJhbGciOiJub25lIn0.e30.')
    await page.getByRole('button', { name: 'Verify', exact: true }).click()
    await page.getByRole('heading', { name: 'Not valid' }).waitFor()
    await page.getByText('The label is signed in a way the network never uses.').waitFor()
    // Nothing of a label that is not genuine is shown as if it were.
    expect(await page.getByText('Bolt Automation Bolt EdgeGate 7 3.1.0').count()).toBe(0)
    await snapTop(page, JOURNEY, '06-verify-forged')

    // A network administrator suspends the label through the admin API.
    const admin = await adminSession()
    const suspended = await fetch(`${base}/api/v1/labels/${gatewayLabel.id}/suspend`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: admin.cookie,
        'x-csrf-token': admin.csrf,
      },
      body: JSON.stringify({ reason: REASON }),
    })
    expect(suspended.status, await suspended.text()).toBe(200)

    // The verification page and the product page say so at once, with the reason.
    await page.goto(`${base}/verify?label=${gatewayLabel.id}`)
    await page.getByRole('heading', { name: 'Not valid' }).waitFor()
    await page.getByText('The network has suspended this label.', { exact: true }).waitFor()
    await page.getByText(REASON, { exact: false }).first().waitFor()
    await snapTop(page, JOURNEY, '07-verify-suspended')
    await checkAccessibility(page, 'verify suspended')

    await page.goto(`${base}/registry/${gatewayLabel.id}`)
    await page.getByRole('heading', { name: 'Status today: Suspended' }).waitFor()
    await page.getByText(REASON).first().waitFor()
    await snapTop(page, JOURNEY, '08-product-page-suspended')
    await checkAccessibility(page, 'product page suspended')

    await page.goto(`${base}/registry?status=suspended`)
    await page.getByText('Showing 1–1 of 1 label').waitFor()
    await page.getByRole('link', { name: 'Bolt EdgeGate 7 3.1.0' }).waitFor()
    await snapTop(page, JOURNEY, '08b-registry-suspended-filter')

    expect(problems).toEqual([])
  }
})
