import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { Fleet } from './fleet';

/** The log line that carries the first admin's one-time registration link. */
export const FIRST_ADMIN_LINK_MSG = 'no users yet: register the first admin with this one-time link';

export interface PasskeyPage {
  page: Page;
  cdp: CDPSession;
  /** Adds a virtual authenticator (a platform one by default, or a USB security key) and returns its id. */
  addAuthenticator(transport?: 'internal' | 'usb'): Promise<string>;
}

/**
 * A page in Chromium with WebAuthn's virtual authenticator switched on: a
 * passkey-capable device that verifies its user (PIN or biometrics) and
 * confirms presence by itself.
 */
export async function passkeyPage(
  browser: Browser,
  viewport?: { width: number; height: number },
): Promise<PasskeyPage> {
  const page = await browser.newPage(viewport ? { viewport } : {});
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const addAuthenticator = async (transport: 'internal' | 'usb' = 'internal') => {
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport,
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return authenticatorId;
  };
  return { page, cdp, addAuthenticator };
}

/** The first admin's link as the broker logged it at its first start. */
export function firstAdminLink(fleet: Fleet): string {
  const logged = fleet.broker.records.find((r) => r.msg === FIRST_ADMIN_LINK_MSG);
  if (!logged) throw new Error('the broker logged no first-admin link');
  return String(logged.link);
}

/**
 * Makes every sign-in look older than the step-up window (5 min), as if the
 * person had been away, so the next sensitive action asks for the passkey again.
 */
export function ageSignIns(fleet: Fleet): void {
  const db = new Database(join(fleet.dataDir, 'fleetterm.db'));
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('UPDATE signin_sessions SET verified_at = verified_at - ?').run(10 * 60_000);
  } finally {
    db.close();
  }
}

/** Where browser tests keep their screenshots (test-results/screenshots, made if missing). */
export function screenshotsDir(): string {
  const dir = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** What the broker answers a registration: the new person and their sign-in's tokens. */
export interface Registered {
  user: { id: string; name: string; displayName: string; role: string };
  tokens: { accessToken: string; accessExpiresAt: number };
}

/** Registers the first admin from the link the broker logged, with a passkey of `page`'s authenticator. */
export async function registerFirstAdmin(page: Page, fleet: Fleet, name: string): Promise<Registered> {
  await page.goto(firstAdminLink(fleet));
  await page.getByLabel('User name').fill(name);
  const registered = page.waitForResponse((response) => response.url().endsWith('/api/v1/register'));
  await page.getByRole('button', { name: 'Create passkey and register' }).click();
  return (await (await registered).json()) as Registered;
}
