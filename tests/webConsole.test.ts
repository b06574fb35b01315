import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser } from './harness/browser';
import { Fleet } from './harness/fleet';
import { firstAdminLink, passkeyPage, screenshotsDir } from './harness/webConsole';

const unavailable = browserUnavailable();
const screenshots = screenshotsDir();

/** The first admin registers, signs out, signs in again, all with a passkey in Chromium's virtual authenticator. */
describe.skipIf(unavailable !== undefined)('the web console', () => {
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    fleet = await Fleet.start();
    browser = await launchBrowser();
    const passkeys = await passkeyPage(browser);
    ({ page, cdp } = passkeys);
    authenticatorId = await passkeys.addAuthenticator();
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
  });

  it('registers the first admin from the link the broker logged, signs out, and signs in with the passkey', async () => {
    const link = firstAdminLink(fleet);
    expect(link).toMatch(/^http:\/\/localhost:\d+\/register#fti_/);

    await page.goto(link);
    await page.getByLabel('User name').fill('root-admin');
    await page.getByLabel(/Display name/).fill('Root Admin');
    await page.screenshot({ path: join(screenshots, 'register.png') });
    await page.getByRole('button', { name: 'Create passkey and register' }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('Root Admin (root-admin, admin)');
    // The secret left the address bar.
    expect(new URL(page.url()).hash).toBe('');
    await page.screenshot({ path: join(screenshots, 'signed-in.png') });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('You are signed out.');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('Root Admin (root-admin, admin)');
  });

  it('refuses a passkey that does not verify the user, saying so', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/could not verify you \(PIN, fingerprint or face\)/);
    await page.screenshot({ path: join(screenshots, 'signin-refused.png') });
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
  });

  it('serves the page with a strict Content-Security-Policy and no framing', async () => {
    const response = await page.goto(fleet.url.replace('127.0.0.1', 'localhost'));
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['x-content-type-options']).toBe('nosniff');
  });
});

if (unavailable) describe('the web console', () => it.skip(`skipped: ${unavailable}`, () => {}));
