import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser } from './harness/browser';
import { Fleet } from './harness/fleet';
import { ageSignIns, passkeyPage, registerFirstAdmin, screenshotsDir, type PasskeyPage } from './harness/webConsole';

const unavailable = browserUnavailable();
const screenshots = screenshotsDir();

/** What an authenticator app shows for `secret`, `aheadMs` from now (RFC 6238 defaults, as the broker uses). */
function appCode(secret: string, aheadMs = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + aheadMs });
}

/**
 * The account page in Chromium with virtual authenticators: rename the
 * first passkey, set up an authenticator app (codes computed here from the
 * secret the page shows), see the recovery codes once, add a security key
 * through the step-up prompt, and end every sign-in.
 */
describe.skipIf(unavailable !== undefined)('the account page', () => {
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let addAuthenticator: PasskeyPage['addAuthenticator'];

  // The step-up prompt covers the viewport (position: fixed): its screenshots show just that.
  const shot = (name: string, fullPage = true) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage });
  const passkeyNames = () => page.locator('[data-testid=passkey] .account-list__name').allTextContents();

  beforeAll(async () => {
    fleet = await Fleet.start();
    browser = await launchBrowser();
    ({ page, cdp, addAuthenticator } = await passkeyPage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
  });

  it('manages passkeys, the authenticator app, recovery codes and sign-ins', async () => {
    const laptop = await addAuthenticator('internal');
    await registerFirstAdmin(page, fleet, 'root-admin');
    await page.getByRole('link', { name: /Your account/ }).click();
    await expect.poll(() => page.getByTestId('account-user').textContent()).toBe('root-admin (root-admin, admin)');
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(await passkeyNames()).toEqual(['this device']);
    await shot('account');

    // Rename in place.
    await page.getByRole('button', { name: 'Rename this device' }).click();
    await page.getByLabel('New name for this device').fill('work laptop');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(passkeyNames).toEqual(['work laptop']);

    // The authenticator app: the registration's passkey check is recent, so no prompt yet.
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())?.replace(/\s/g, '') ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.locator('svg.qr-code path').count()).toBe(2);
    await shot('totp-setup');
    await page.getByLabel('Code from the app').fill(appCode(secret));
    await page.getByRole('button', { name: 'Confirm and finish' }).click();
    const codes = page.getByTestId('recovery-codes').locator('li');
    await expect.poll(() => codes.count()).toBe(10);
    expect(await codes.first().textContent()).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    await shot('recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await expect.poll(() => page.getByTestId('totp-status').textContent()).toContain('10 recovery codes left.');

    // A security key, while the laptop is away: the sign-in is old now, so the step-up prompt asks first,
    // and the app's next code answers it (this one was spent setting the app up).
    const held = await cdp.send('WebAuthn.getCredentials', { authenticatorId: laptop });
    expect(held.credentials).toHaveLength(1);
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: laptop });
    const key = await addAuthenticator('usb');
    ageSignIns(fleet);
    await page.getByLabel(/New passkey’s name/).fill('security key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('adding a passkey needs a check within the last 5 min');
    await shot('step-up', false);
    await dialog.getByLabel(/code from your authenticator app/).fill(appCode(secret, 30_000));
    await dialog.getByRole('button', { name: 'Confirm with the code' }).click();
    await expect.poll(passkeyNames).toEqual(['work laptop', 'security key']);
    expect(await dialog.count()).toBe(0);
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId: key })).credentials).toHaveLength(1);
    await shot('account-two-passkeys');

    // New recovery codes after a passkey step-up; a key that does not verify its user is refused, saying so.
    ageSignIns(fleet);
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId: key, isUserVerified: false });
    await dialog.getByRole('button', { name: 'Confirm with a passkey' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/could not verify you/);
    await shot('step-up-refused', false);
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId: key, isUserVerified: true });
    await dialog.getByRole('button', { name: 'Confirm with a passkey' }).click();
    await expect.poll(() => codes.count()).toBe(10);
    await page.getByRole('button', { name: 'I have saved them' }).click();

    // The laptop is gone for good: remove its passkey (the step-up above is still fresh).
    await page.getByRole('button', { name: 'Remove work laptop' }).click();
    await expect.poll(passkeyNames).toEqual(['security key']);
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Passkey “work laptop” removed.');

    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('You are signed out everywhere (1 sign-in ended).');
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('root-admin (root-admin, admin)');
  });
});

if (unavailable) describe('the account page', () => it.skip(`skipped: ${unavailable}`, () => {}));
