import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
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

const JOURNEY = 'foundation'
const ADMIN = {
  email: 'admin@network.example',
  name: 'Ada Admin',
  password: 'violet harbour lantern 2026',
}
const MEMBER = {
  email: 'maker@acme.example',
  name: 'Max Maker',
  password: 'copper meadow sparrow 77',
}

async function signIn(page: Page, base: string, who: { email: string; password: string }) {
  await page.goto(`${base}/sign-in`)
  await page.getByLabel('Email').fill(who.email)
  await page.locator('input[type="password"]').fill(who.password)
  // The header has a "Sign in" link too; submit the form's own button.
  await page.locator('form').getByRole('button', { name: 'Sign in' }).click()
}

describe('first run → administrator → organisation → invitation → member → audit log', () => {
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

  it('walks the whole journey in a real browser', async () => {
    const base = platform.url
    const admin = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const problems = watchForErrors(admin)

    // The public landing page explains the network before anyone signs in.
    await admin.goto(base)
    await expect.poll(() => admin.getByRole('heading', { level: 1 }).count()).toBeGreaterThan(0)
    await snap(admin, JOURNEY, '01-landing')
    await checkAccessibility(admin, 'landing')

    // First-run set-up through the printed one-time link.
    await admin.goto(platform.setupLink)
    await admin.getByLabel('Email').fill(ADMIN.email)
    await admin.getByLabel('Display name').fill(ADMIN.name)
    await admin.locator('input[type="password"]').fill(ADMIN.password)
    await snap(admin, JOURNEY, '02-setup')
    await checkAccessibility(admin, 'setup')
    await admin.getByRole('button', { name: 'Create administrator' }).click()
    await admin
      .getByRole('link', { name: /sign in/i })
      .first()
      .waitFor()
    await snap(admin, JOURNEY, '03-setup-done')

    // Sign in as the administrator.
    await signIn(admin, base, ADMIN)
    await waitForPath(admin, (path) => !path.startsWith('/sign-in'))
    await snap(admin, JOURNEY, '04-admin-signed-in')

    // Create a manufacturer organisation.
    await admin.goto(`${base}/organisations`)
    await admin.getByLabel('Organisation name').fill('Acme Controls')
    await admin.getByLabel('Organisation type').selectOption('manufacturer')
    await admin.getByRole('button', { name: 'Create organisation' }).click()
    // The app opens the new organisation's page by itself.
    await waitForPath(admin, (path) => /^\/organisations\/[0-9a-f-]{36}/.test(path))
    await admin.getByRole('heading', { name: 'Acme Controls' }).waitFor()
    await snap(admin, JOURNEY, '05-organisation')
    await checkAccessibility(admin, 'organisation')

    // Invite a member; the one-time link is shown once.
    await admin.getByRole('tab', { name: /invitations/i }).click()
    await admin.getByLabel('Email').fill(MEMBER.email)
    await admin.getByRole('button', { name: 'Send invitation' }).click()
    const invitationLink = await admin.getByLabel('Invitation link').inputValue({ timeout: 15_000 })
    expect(invitationLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invitations\/[\w-]{40,}$/)
    await snap(admin, JOURNEY, '06-invitation-sent')

    // The member accepts in a separate browser, sets a password and signs in.
    const memberContext = await browser.newContext({ viewport: { width: 390, height: 844 } })
    const member = await memberContext.newPage()
    const memberProblems = watchForErrors(member)
    await member.goto(invitationLink)
    await member.getByLabel('Display name').fill(MEMBER.name)
    await member.locator('input[type="password"]').fill(MEMBER.password)
    await snap(member, JOURNEY, '07-member-accepts')
    await checkAccessibility(member, 'invitation (phone-sized)')
    await member.getByRole('button', { name: 'Accept invitation' }).click()
    await waitForPath(member, (path) => path.startsWith('/sign-in'))
    // Wait for the sign-in page itself, not the invitation page's password field still on screen.
    await member.getByRole('heading', { name: 'Sign in' }).waitFor()
    await expect.poll(() => member.getByLabel('Email').inputValue()).toBe(MEMBER.email)
    await member.locator('input[type="password"]').fill(MEMBER.password)
    await member.locator('form').getByRole('button', { name: 'Sign in' }).click()
    await waitForPath(member, (path) => !path.startsWith('/sign-in'))
    await member.goto(`${base}/organisations`)
    await member.getByRole('link', { name: 'Acme Controls' }).first().waitFor()
    await snap(member, JOURNEY, '08-member-signed-in')
    await checkAccessibility(member, 'organisations (phone-sized)')

    // The administrator sees those events in the audit log.
    await admin.goto(`${base}/admin`)
    await admin.getByRole('tab', { name: /audit/i }).click()
    for (const action of [
      'invitation.accepted',
      'membership.added',
      'user.created',
      'invitation.created',
      'organisation.created',
    ]) {
      await admin.getByText(action, { exact: true }).first().waitFor({ timeout: 15_000 })
    }
    await expect.poll(() => admin.getByText(MEMBER.email).count()).toBeGreaterThan(0)
    await snap(admin, JOURNEY, '09-audit-log')
    await checkAccessibility(admin, 'audit log')

    await admin.getByRole('button', { name: /verify/i }).click()
    await admin
      .getByText(/intact|holds|verified/i)
      .first()
      .waitFor({ timeout: 15_000 })
    await snap(admin, JOURNEY, '10-audit-verified')

    // The API reference renders under the platform's Content-Security-Policy.
    const docs = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const docsProblems = watchForErrors(docs)
    await docs.goto(`${base}/api/docs/`)
    await docs.getByText('/api/v1/auth/sign-in').first().waitFor({ timeout: 20_000 })
    await snap(docs, JOURNEY, '11-api-reference')

    const pageErrors = [...problems, ...memberProblems, ...docsProblems].filter(
      (p) => !p.includes('status of 401'),
    )
    expect(pageErrors).toEqual([])
    // Written out in full for whoever has to fix a finding.
    fs.writeFileSync(
      path.join(SCREENSHOTS, JOURNEY, 'accessibility.json'),
      JSON.stringify(accessibility, null, 2),
    )
    expect(accessibility).toEqual({})
    await memberContext.close()
  })
})
