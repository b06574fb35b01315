import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser } from './harness/browser';
import { Fleet } from './harness/fleet';
import { passkeyPage, registerFirstAdmin, screenshotsDir } from './harness/webConsole';

const unavailable = browserUnavailable();
const root = join(import.meta.dirname, '..');
const rendererDir = join(root, 'out', 'renderer');
const screenshots = screenshotsDir();

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/**
 * The built renderer on an origin of its own, as the desktop app serves it
 * from app://fleetterm (the Electron runtime cannot run here; what this
 * stands in for is the page, its origin and the preload's API).
 */
async function serveRenderer(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    readFile(join(rendererDir, path)).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

interface Grant {
  brokerUrl: string;
  accessToken: string;
  accessExpiresAt: number;
  user: { id: string; name: string; displayName: string; role: string };
}

/**
 * The preload's `window.fleetterm`, played by the test: one broker profile
 * whose sign-in hands out a real access token; menu commands are sent
 * through `window.sendMenuCommand`.
 */
function fakeDesktopApi({ grant, tokenError }: { grant: Grant; tokenError?: string }): void {
  const page = globalThis as unknown as Record<string, unknown>;
  let menu: ((command: string) => void) | undefined;
  page['sendMenuCommand'] = (command: string) => menu?.(command);
  const ok = <T>(value: T) => Promise.resolve({ ok: true, value });
  page['fleetterm'] = {
    getAppInfo: () =>
      Promise.resolve({ appVersion: 'test', versions: { electron: '-', chrome: '-', node: '-' }, platform: 'linux' }),
    listProfiles: () =>
      Promise.resolve({
        profiles: [
          {
            id: 'p1',
            name: 'Test broker',
            url: grant.brokerUrl,
            trust: { kind: 'plain' },
            signInMethod: 'auto',
            signedIn: null,
          },
        ],
        secretStorage: { mode: 'memory', message: 'Sign-ins are kept in memory while the app runs.' },
      }),
    addProfile: () => ok(null),
    removeProfile: () => ok(null),
    signIn: () => ok(grant),
    cancelSignIn: () => Promise.resolve(null),
    getAccessToken: () =>
      tokenError ? Promise.resolve({ ok: false, error: { code: 'UNREACHABLE', message: tokenError } }) : ok(grant),
    signOut: () => ok(null),
    onCommand: (listener: (command: string) => void) => {
      menu = listener;
      return () => (menu = undefined);
    },
  };
}

describe.skipIf(unavailable !== undefined)('the desktop console against a broker on another origin', () => {
  let app: Server;
  let appOrigin = '';
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await serveRenderer();
    appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    fleet = await Fleet.start([{ name: 'desk-1', labels: { env: 'dev' } }], ['--allowed-origin', appOrigin]);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
    await new Promise((resolve) => app?.close(resolve));
  });

  it('signs in through the (stand-in) main process, lists machines, opens a terminal and runs menu commands', async () => {
    // The first admin registers on the broker's own page; the desktop's sign-in would hand out such a token.
    const broker = await passkeyPage(browser);
    await broker.addAuthenticator();
    const body = await registerFirstAdmin(broker.page, fleet, 'desk-admin');
    const grant: Grant = {
      brokerUrl: fleet.url,
      accessToken: body.tokens.accessToken,
      accessExpiresAt: body.tokens.accessExpiresAt,
      user: body.user,
    };

    page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
    await page.addInitScript(fakeDesktopApi, { grant });
    await page.goto(`${appOrigin}/index.html`);
    await expect.poll(() => page.getByTestId('broker-profile').count()).toBe(1);
    await page.screenshot({ path: join(screenshots, 'desktop-brokers.png') });
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Cross-origin: the API answers CORS for the app's origin and the console link passes the Origin check.
    await expect.poll(() => page.locator('tr[data-machine]').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('desk-admin (admin)');

    await page.getByRole('button', { name: 'Terminal on desk-1' }).click();
    const pane = page.locator('section.workspace-pane[data-machine="desk-1"]');
    await expect
      .poll(() => pane.first().locator('.xterm-rows').textContent(), { timeout: 15_000 })
      .toMatch(/[$#]\s*$/m);
    await pane.first().locator('.xterm-screen').click();
    await page.keyboard.type('echo desk-$((6*7))\n');
    await expect
      .poll(() => pane.first().locator('.xterm-rows').textContent(), { timeout: 10_000 })
      .toContain('desk-42');

    // The application menu's commands arrive through the preload and run as typed shortcuts do.
    await page.evaluate(() =>
      (globalThis as unknown as { sendMenuCommand(c: string): void }).sendMenuCommand('pane.splitDown'),
    );
    await expect.poll(() => pane.count()).toBe(2);
    await page.evaluate(() =>
      (globalThis as unknown as { sendMenuCommand(c: string): void }).sendMenuCommand('view.zoomIn'),
    );
    await page.screenshot({ path: join(screenshots, 'desktop-workspace.png') });
  });

  it('says why when main cannot hand out a token, instead of connecting forever', async () => {
    const grant: Grant = {
      brokerUrl: fleet.url,
      accessToken: 'fta_unused',
      accessExpiresAt: Date.now() + 60_000,
      user: { id: 'u', name: 'desk-admin', displayName: '', role: 'admin' },
    };
    const stranded = await browser.newPage();
    await stranded.addInitScript(fakeDesktopApi, { grant, tokenError: 'the broker cannot be reached' });
    await stranded.goto(`${appOrigin}/index.html`);
    await stranded.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => stranded.getByRole('status').last().textContent())
      .toMatch(/Could not get a sign-in for Test broker: the broker cannot be reached\. Trying again every 20 s/);
    await stranded.close();
  });
});

if (unavailable) describe('the desktop console', () => it.skip(`skipped: ${unavailable}`, () => {}));
