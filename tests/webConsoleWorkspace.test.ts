import { join } from 'node:path';
import type { Browser, CDPSession, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser } from './harness/browser';
import { Fleet } from './harness/fleet';
import { ageSignIns, passkeyPage, registerFirstAdmin, screenshotsDir } from './harness/webConsole';

const unavailable = browserUnavailable();
const screenshots = screenshotsDir();

/**
 * The workspace of issue 5 in Chromium against a real broker with three
 * real agents (each shell exports FLEETTERM_MACHINE): sign up, sign out,
 * sign in, step up, open the machines in tabs, split, broadcast, exclude,
 * restart the broker, reload the page. One scenario, in order: each step
 * builds on the one before.
 */
describe.skipIf(unavailable !== undefined)('the workspace: tabs, split panes and broadcast input', () => {
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;

  const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });
  const panes = (machine: string) => page.locator(`section.workspace-pane[data-machine="${machine}"]`);
  const screenText = (pane: Locator) => pane.locator('.xterm-rows').textContent();
  const tab = (title: string) => page.getByRole('tab', { name: title, exact: false });
  /** Clicks into a pane's terminal (it takes the keyboard) and types. */
  async function typeInto(pane: Locator, text: string): Promise<void> {
    await pane.locator('.xterm-screen').click();
    await page.keyboard.type(text);
  }
  async function waitForPrompt(pane: Locator): Promise<void> {
    await expect.poll(() => screenText(pane), { timeout: 15_000 }).toMatch(/[$#]\s*$/m);
  }
  /** Lines of the pane's screen that are exactly `line` (not the command that printed it). */
  async function linesEqual(pane: Locator, line: string): Promise<number> {
    const rows = await pane.locator('.xterm-rows > div').allTextContents();
    return rows.filter((row) => row.trim() === line).length;
  }

  beforeAll(async () => {
    fleet = await Fleet.start([
      { name: 'web-1', labels: { env: 'staging', role: 'web' } },
      { name: 'web-2', labels: { env: 'staging', role: 'web' } },
      { name: 'db-1', labels: { env: 'prod', role: 'db' } },
    ]);
    browser = await launchBrowser();
    const passkeys = await passkeyPage(browser, { width: 1400, height: 860 });
    ({ page, cdp } = passkeys);
    authenticatorId = await passkeys.addAuthenticator();
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
  });

  it('signs up, signs out, signs in with the passkey, steps up and opens a terminal', async () => {
    await registerFirstAdmin(page, fleet, 'root-admin');
    await expect.poll(() => page.getByTestId('signed-in-as').count()).toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.locator('tr[data-machine]').count(), { timeout: 15_000 }).toBe(3);
    await shot('workspace-machines');

    // Away for a while: the sign-in is older than the step-up window, so the terminal asks for the passkey.
    ageSignIns(fleet);
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    await page.getByRole('button', { name: 'Terminal on web-1' }).click();
    await page.getByRole('button', { name: 'Confirm with a passkey' }).click();
    await expect
      .poll(() => page.getByRole('dialog').getByRole('alert').textContent())
      .toMatch(/did not verify|user verification|verif/i);
    await shot('step-up-refused-without-user-verification');

    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    await page.getByRole('button', { name: 'Confirm with a passkey' }).click();
    const web1 = panes('web-1');
    await waitForPrompt(web1);
    await typeInto(web1, 'echo $((6*7))\n');
    await expect.poll(() => linesEqual(web1, '42'), { timeout: 10_000 }).toBe(1);
  });

  it('opens the other machines in tabs from a selection, splits one tab and runs a command in the new pane', async () => {
    await tab('Machines').click();
    await page.getByLabel('Select web-2').check();
    await page.getByLabel('Select db-1').check();
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('2 machines selected');
    await page.getByRole('button', { name: 'Open in tabs', exact: true }).click();
    await expect.poll(() => page.locator('.tab[data-tab-title]').count()).toBe(3);
    // A hidden tab's terminal draws nothing until it is shown.
    await tab('db-1').click();
    await waitForPrompt(panes('db-1'));

    await tab('web-2').click();
    await waitForPrompt(panes('web-2').first());
    await page.keyboard.press('Alt+Shift+D');
    await expect.poll(() => panes('web-2').count()).toBe(2);
    const split = panes('web-2').nth(1);
    await waitForPrompt(split);
    await typeInto(split, 'echo $((6*7))\n');
    await expect.poll(() => linesEqual(split, '42'), { timeout: 10_000 }).toBe(1);
    // The tab colour rule marks the production machine's tab.
    expect(await page.locator('.tab[data-tab-title="db-1"] .tab__swatch').count()).toBe(1);
    await shot('tabs-with-splits');
  });

  it('broadcasts to three panes across tabs, each answering with its own name, and leaves an excluded pane out', async () => {
    const web1 = panes('web-1');
    const web2 = panes('web-2').first();
    const db1 = panes('db-1');
    await tab('web-2').click();
    await page.getByRole('button', { name: 'Add web-2 to a broadcast' }).first().click();
    await tab('db-1').click();
    await page.getByRole('button', { name: 'Add db-1 to a broadcast' }).click();
    await tab('web-1').click();
    await page.getByRole('button', { name: 'Add web-1 to a broadcast' }).click();
    await expect
      .poll(() => page.getByTestId('broadcast-targets').textContent())
      .toMatch(/Broadcasting to 3 panes \(chosen panes\): web-1, db-1, web-2/);

    await typeInto(web1, 'echo $FLEETTERM_MACHINE\n');
    await expect.poll(() => linesEqual(web1, 'web-1'), { timeout: 10_000 }).toBe(1);
    await shot('broadcast-armed');
    await tab('web-2').click();
    await expect.poll(() => linesEqual(web2, 'web-2'), { timeout: 10_000 }).toBe(1);
    // The split pane on web-2 is not in the broadcast.
    expect(await linesEqual(panes('web-2').nth(1), 'web-2')).toBe(0);
    await tab('db-1').click();
    await expect.poll(() => linesEqual(db1, 'db-1'), { timeout: 10_000 }).toBe(1);

    await tab('web-2').click();
    await page.getByRole('button', { name: 'Exclude web-2 from the broadcast' }).click();
    await expect.poll(() => page.getByTestId('broadcast-targets').textContent()).toMatch(/excluded: web-2/);
    await tab('db-1').click();
    await typeInto(db1, 'echo second-$((1+1))\n');
    await expect.poll(() => linesEqual(db1, 'second-2'), { timeout: 10_000 }).toBe(1);
    await tab('web-1').click();
    await expect.poll(() => linesEqual(web1, 'second-2'), { timeout: 10_000 }).toBe(1);
    await tab('web-2').click();
    // The excluded pane got nothing: its screen has neither the command nor its answer.
    await expect.poll(() => screenText(web2)).not.toContain('second');

    await page.getByRole('button', { name: 'Disarm' }).click();
    await expect.poll(() => page.getByTestId('broadcast-targets').count()).toBe(0);
  });

  it('reconnects every pane after the broker restarts and resumes without losing output', async () => {
    await fleet.restartBroker();
    await expect.poll(() => page.getByTestId('link-state').textContent(), { timeout: 20_000 }).toBe('Connected');
    for (const title of ['web-1', 'web-2', 'db-1']) {
      await tab(title).click();
      const pane = panes(title).first();
      await expect.poll(() => pane.getByTestId('terminal-status').textContent(), { timeout: 20_000 }).toBe('Connected');
    }
    const db1 = panes('db-1');
    await typeInto(db1, 'echo after-$((2+3))\n');
    await expect.poll(() => linesEqual(db1, 'after-5'), { timeout: 10_000 }).toBe(1);
    // What was on the screen before the restart is still there, once.
    expect(await linesEqual(db1, 'second-2')).toBe(1);
  });

  it('restores the tabs after a reload and sign-in, each pane taking its session up again', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.locator('.tab[data-tab-title]').count(), { timeout: 15_000 }).toBe(3);
    await tab('web-2').click();
    await expect.poll(() => panes('web-2').count()).toBe(2);
    const split = panes('web-2').nth(1);
    // The agent replays what it kept: the answer from before the reload is back on the screen.
    await expect.poll(() => linesEqual(split, '42'), { timeout: 15_000 }).toBe(1);
    await typeInto(split, 'echo still-$((3*3))\n');
    await expect.poll(() => linesEqual(split, 'still-9'), { timeout: 10_000 }).toBe(1);
  });

  it('renames a tab, reorders tabs by dragging and by keyboard, and closes a pane', async () => {
    const order = () =>
      page.locator('.tab[data-tab-title]').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-tab-title')));
    await expect.poll(order).toEqual(['web-1', 'db-1', 'web-2 +1']);
    await page.locator('.tab[data-tab-title="web-2 +1"] .tab__label').dblclick();
    await page.getByLabel('Tab name').fill('web pair');
    await page.getByLabel('Tab name').press('Enter');
    await expect.poll(order).toEqual(['web-1', 'db-1', 'web pair']);

    await page.locator('.tab[data-tab-title="web pair"]').dragTo(page.locator('.tab[data-tab-title="web-1"]'));
    await expect.poll(order).toEqual(['web pair', 'web-1', 'db-1']);
    await tab('web-1').click();
    await page.keyboard.press('Alt+Shift+PageDown');
    await expect.poll(order).toEqual(['web pair', 'db-1', 'web-1']);

    await tab('web pair').click();
    await panes('web-2').nth(1).locator('.xterm-screen').click();
    await page.keyboard.press('Alt+Shift+W');
    await expect.poll(() => panes('web-2').count()).toBe(1);
  });

  it('opens machines side by side with broadcast armed, and asks once before a multi-line paste reaches them all', async () => {
    await tab('Machines').click();
    await page.getByLabel('Select web-1').check();
    await page.getByLabel('Select web-2').check();
    await page.getByRole('button', { name: 'Open side by side and broadcast' }).click();
    await expect
      .poll(() => page.getByTestId('broadcast-targets').textContent())
      .toMatch(/Broadcasting to 2 panes \(all panes of tab web-1 \+1\): web-1, web-2/);
    const grid = page.locator('.tab-panes:not([hidden]) section.workspace-pane');
    await expect.poll(() => grid.count()).toBe(2);
    for (const index of [0, 1]) await waitForPrompt(grid.nth(index));

    // A paste event on the first pane, as the clipboard would bring it.
    await grid
      .nth(0)
      .locator('.terminal-pane__screen')
      .evaluate((screen, text) => {
        // The page's own DOM classes (this project compiles without DOM types).
        const dom = globalThis as unknown as {
          DataTransfer: new () => { setData(type: string, data: string): void };
          ClipboardEvent: new (type: string, init: object) => Event;
        };
        const data = new dom.DataTransfer();
        data.setData('text/plain', text);
        screen.dispatchEvent(new dom.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      }, 'echo pasted-$((1+1))\necho pasted-$((2+1))\n');
    const dialog = page.getByRole('dialog', { name: 'Paste into several terminals?' });
    await expect
      .poll(() => dialog.textContent())
      .toMatch(/2 lines \(\d+ bytes\) will be typed into 2 terminals at once: web-1, web-2/);
    await shot('broadcast-paste-confirmation');
    await dialog.getByRole('button', { name: 'Paste into 2 terminals' }).click();
    // Bracketed paste: the shell holds the pasted lines until Enter, which goes to both panes too.
    await grid.nth(0).locator('.xterm-screen').click();
    await page.keyboard.press('Enter');
    for (const index of [0, 1]) {
      await expect.poll(() => linesEqual(grid.nth(index), 'pasted-3'), { timeout: 10_000 }).toBe(1);
    }

    // The palette finds a machine by label and opens it in a new tab.
    await page.keyboard.press('Control+Shift+K');
    await page.getByLabel('Machine or command').fill('env=prod');
    await shot('quick-open');
    await page.getByLabel('Machine or command').press('Enter');
    await expect.poll(() => page.locator('.tab.is-active').getAttribute('data-tab-title')).toBe('db-1');
  });
});

if (unavailable) describe('the workspace', () => it.skip(`skipped: ${unavailable}`, () => {}));
