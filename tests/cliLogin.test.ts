import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser } from './harness/browser';
import { BIN, Fleet, runCommand } from './harness/fleet';
import { ManagedProcess } from './harness/managedProcess';
import { passkeyPage, registerFirstAdmin } from './harness/webConsole';

const unavailable = browserUnavailable();

/** `fleetterm login` through the browser (RFC 8252, PKCE), then commands that open terminals with terminal tokens. */
describe.skipIf(unavailable !== undefined)('fleetterm login', () => {
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  let configDir: string;

  beforeAll(async () => {
    fleet = await Fleet.start([{ name: 'box-1' }]);
    configDir = mkdtempSync(join(tmpdir(), 'fleetterm-cli-config-'));
    browser = await launchBrowser();
    const passkeys = await passkeyPage(browser);
    page = passkeys.page;
    await passkeys.addAuthenticator();
    // The first admin, with a passkey in this browser.
    await registerFirstAdmin(page, fleet, 'root-admin');
    await page.getByTestId('signed-in-as').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  const cliEnv = () => ({ FLEETTERM_BROKER: fleet.url, FLEETTERM_CONFIG_DIR: configDir, FLEETTERM_NO_BROWSER: '1' });

  it('signs the command in after a passkey check in the browser, and keeps the sign-in private', async () => {
    const login = ManagedProcess.start('login', [BIN.cli, 'login'], cliEnv());
    try {
      await expect.poll(() => login.stderr.join('\n'), { timeout: 15_000 }).toMatch(/\/cli-login\?/);
      const url = login.stderr.find((line) => line.includes('/cli-login?'))!.trim();
      await page.goto(url);
      await page.getByRole('button', { name: 'Confirm with a passkey' }).click();
      expect((await login.exit()).code).toBe(0);
      expect(login.stderr.join('\n')).toContain('as root-admin (admin)');
    } finally {
      await login.stop();
    }
    const saved = join(configDir, 'logins.json');
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    expect(readFileSync(saved, 'utf8')).toContain('ftr_');
  });

  it('runs commands as the signed-in person, each terminal opened with a terminal token', async () => {
    const { stdout } = await runCommand(BIN.cli, ['exec', '--all', '--', 'echo hello-$((20+22))'], cliEnv());
    expect(stdout).toContain('box-1 | hello-42');
    const audit = (await runCommand(BIN.broker, ['audit', 'export', '--data', fleet.dataDir, '--format', 'jsonl']))
      .stdout;
    expect(audit).toContain('"type":"terminal_token.minted"');
    expect(audit).toContain('"type":"terminal_token.spent"');
    expect(audit).toContain('"method":"cli-login"');
  });

  it('signs out: the broker ends the sign-in and the command forgets it', async () => {
    await runCommand(BIN.cli, ['logout'], cliEnv());
    const failed = await runCommand(BIN.cli, ['ls'], cliEnv()).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('not signed in: run `fleetterm login`');
  });
});

if (unavailable) describe('fleetterm login', () => it.skip(`skipped: ${unavailable}`, () => {}));
