import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser } from './harness/browser';
import { Fleet } from './harness/fleet';
import { passkeyPage, registerFirstAdmin, screenshotsDir } from './harness/webConsole';
import type { ConsoleLink } from '../common/client';
import { connectConsole } from './harness/operator';

const unavailable = browserUnavailable();
const root = resolve(import.meta.dirname, '..');
const screenshots = screenshotsDir();

/**
 * The renderer's browser socket and ConsoleLink, bundled for the page, so
 * the test drives the very code the console runs against a real broker
 * (through CDP, which the page's CSP does not govern).
 */
async function consoleClientBundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: [
        // The socket module first, as in the renderer: it configures zod before the protocol's schemas are built.
        "export { createBrowserSocketFactory, checkCredentialOverHttp, consoleSocketUrl } from './src-renderer/console/browserSocket';",
        "export { ConsoleLink } from './common/client';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'fleettermConsoleClient',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** What the bundle exports, as far as the page script uses it (the test project has no DOM types). */
interface ConsoleClient {
  ConsoleLink: new (options: { socketFactory: unknown; software: string }) => {
    ready(): Promise<{ identity: string }>;
    dispose(): void;
  };
  createBrowserSocketFactory(options: {
    url: string;
    token: () => string;
    checkCredential: (token: string) => Promise<unknown>;
  }): unknown;
  checkCredentialOverHttp(baseUrl: string, token: string): Promise<unknown>;
  consoleSocketUrl(origin: string): string;
}

/** Three real agents with labels; the first admin signs up in Chromium and sees them. */
describe.skipIf(unavailable !== undefined)('the web console’s machine list', () => {
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  let accessToken = '';
  let link: ConsoleLink | undefined;
  const rows = () => page.locator('tr[data-machine]');
  const rowNames = async () => rows().evaluateAll((all) => all.map((row) => row.getAttribute('data-machine')));
  const state = (name: string) => page.locator(`tr[data-machine="${name}"] [data-testid=machine-state]`).textContent();

  beforeAll(async () => {
    fleet = await Fleet.start([
      { name: 'web-1', labels: { env: 'prod', role: 'web' } },
      { name: 'web-2', labels: { env: 'staging', role: 'web' } },
      { name: 'db-1', labels: { env: 'prod', role: 'db' } },
    ]);
    browser = await launchBrowser();
    const passkeys = await passkeyPage(browser, { width: 1280, height: 800 });
    page = passkeys.page;
    await passkeys.addAuthenticator();
  });

  afterAll(async () => {
    link?.dispose();
    await browser?.close();
    await fleet?.stop();
  });

  it('lists the machines with their labels and online state after signing up', async () => {
    accessToken = (await registerFirstAdmin(page, fleet, 'root-admin')).tokens.accessToken;

    await expect.poll(rowNames).toEqual(['db-1', 'web-1', 'web-2']);
    for (const name of ['db-1', 'web-1', 'web-2']) expect(await state(name)).toBe('Online');
    await expect.poll(() => page.getByTestId('machines-summary').textContent()).toMatch(/^3 machines, 3 online/);
    const labels = await page.getByRole('list', { name: 'Labels of web-1' }).textContent();
    expect(labels).toContain('env=prod');
    expect(labels).toContain('role=web');
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('root-admin (root-admin, admin)');
    await page.screenshot({ path: join(screenshots, 'machines-list.png') });
  });

  it('filters by label, by search and by a label chip, and clears the filters', async () => {
    await page.getByLabel('Label', { exact: true }).selectOption('role=web');
    await expect.poll(rowNames).toEqual(['web-1', 'web-2']);
    await page.screenshot({ path: join(screenshots, 'machines-filtered.png') });
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(rowNames).toHaveLength(3);

    await page.getByLabel('Search machines').fill('staging');
    await expect.poll(rowNames).toEqual(['web-2']);
    await page.getByLabel('Search machines').fill('no-such-machine');
    await expect.poll(() => page.getByText('No machine matches these filters.').count()).toBe(1);
    await page.getByLabel('Search machines').press('Escape');
    await expect.poll(rowNames).toHaveLength(3);

    await page.getByRole('list', { name: 'Labels of db-1' }).getByRole('button', { name: 'role=db' }).click();
    await expect.poll(rowNames).toEqual(['db-1']);
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expect.poll(rowNames).toHaveLength(3);
  });

  it('counts open sessions, and shows a machine whose agent stopped as offline, without a terminal action', async () => {
    // An operator elsewhere has a shell open on db-1 (its output consumed, so flow control never stalls).
    link = await connectConsole(fleet.url, fleet.operatorToken);
    const shell = await link.open({ machine: 'db-1', cols: 80, rows: 24 });
    shell.onData((bytes) => shell.consumed(bytes.byteLength));
    await expect
      .poll(() => page.locator('tr[data-machine="db-1"] td.machines__number').textContent(), { timeout: 15_000 })
      .toBe('1');

    await fleet.agent('web-2').process.stop();
    // The list refreshes every 5 s while the page is visible.
    await expect.poll(() => state('web-2'), { timeout: 15_000 }).toMatch(/^Offline/);
    expect(await page.getByRole('button', { name: 'Terminal on web-2' }).isDisabled()).toBe(true);
    await page.getByLabel('State', { exact: true }).selectOption('offline');
    await expect.poll(rowNames).toEqual(['web-2']);
    await page.getByLabel('State', { exact: true }).selectOption('all');
    await page.screenshot({ path: join(screenshots, 'machines-offline.png') });

    // A terminal: a one-time terminal token (the passkey check at sign-up is recent), a shell, its answer.
    await page.getByRole('button', { name: 'Terminal on web-1' }).click();
    const rows = page.locator('.xterm-rows');
    await expect.poll(() => rows.textContent(), { timeout: 15_000 }).toMatch(/[$#]\s*$/m);
    await page.keyboard.type('echo $FLEETTERM_MACHINE $((6*7))\n');
    await expect.poll(() => rows.textContent(), { timeout: 10_000 }).toContain('web-1 42');
    await page.screenshot({ path: join(screenshots, 'terminal.png') });
    await page.getByRole('button', { name: 'Close tab web-1' }).click();
    await expect.poll(rowNames).toContain('web-1');
  });

  it('opens a console link from the page with the token in the subprotocol, and names a refused sign-in', async () => {
    await page.evaluate(await consoleClientBundle());
    const outcome = await page.evaluate(async (token) => {
      const page = globalThis as unknown as { fleettermConsoleClient: ConsoleClient; location: { origin: string } };
      const client = page.fleettermConsoleClient;
      const connect = async (secret: string) => {
        const link = new client.ConsoleLink({
          socketFactory: client.createBrowserSocketFactory({
            url: client.consoleSocketUrl(page.location.origin),
            token: () => secret,
            checkCredential: (t) => client.checkCredentialOverHttp('', t),
          }),
          software: 'web-console-test/1',
        });
        try {
          const welcome = await link.ready();
          return { identity: welcome.identity };
        } catch (error) {
          const closed = error as { closeCode: number; reason: string; authFailed: boolean };
          return { closeCode: closed.closeCode, reason: closed.reason, authFailed: closed.authFailed };
        } finally {
          link.dispose();
        }
      };
      return { good: await connect(token), bad: await connect('fta_' + 'x'.repeat(43)) };
    }, accessToken);
    expect(outcome.good).toEqual({ identity: 'root-admin' });
    expect(outcome.bad).toMatchObject({
      closeCode: 4401,
      authFailed: true,
      reason: expect.stringMatching(/sign in again/),
    });
  });
});

if (unavailable) describe('the web console’s machine list', () => it.skip(`skipped: ${unavailable}`, () => {}));
