import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KnownBrokers } from '../node-common/trust';
import { BrokerProfiles } from './brokerProfiles';
import { ProfileStore } from './profileStore';
import { SecretVault } from './secretVault';
import { REFRESH_MARGIN_MS, SignIns, type SignInWindowRequest } from './signIns';
import { fakeCipher } from './testing/fakeCipher';
import { approveInBrowser, startRealBroker, type Person, type RealBroker } from './testing/realBroker';

let dir: string;
let broker: RealBroker;
let person: Person;
// The app's clock; the broker keeps real time (its rate limits must never see time go back).
const start = Date.now();
let clock = start;
afterEach(() => (clock = start));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-signins-'));
  ({ broker, person } = await startRealBroker('alice'));
});
afterAll(async () => {
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const store = new ProfileStore(
    join(dir, `profiles-${Math.random()}.json`),
    new SecretVault(fakeCipher(), { platform: 'darwin', plaintextOptIn: false }),
  );
  const profiles = new BrokerProfiles({
    store,
    knownBrokers: new KnownBrokers(join(dir, 'known_brokers.json')),
    confirmRoots: async () => false,
    pickCaFile: async () => null,
    now: () => clock,
  });
  const browser: string[] = [];
  const windows: { request: SignInWindowRequest; close(): void; closed: boolean }[] = [];
  let closeWindow = () => {};
  const closedByPerson = { code: 'CANCELLED' as const, message: 'the sign-in window was closed' };
  const signIns = new SignIns({
    store,
    profiles,
    platform: 'linux',
    now: () => clock,
    // The browser runs on its own: the app does not wait for the person to approve.
    openBrowser: async (url) => {
      browser.push(url);
      approveInBrowser(broker, person, url).catch((error: unknown) => console.error(error));
    },
    openWindow: (request) => {
      const window = { request, closed: false, close: () => void (window.closed = true) };
      windows.push(window);
      const closed = new Promise<typeof closedByPerson>((resolve) => (closeWindow = () => resolve(closedByPerson)));
      return { closed, close: window.close };
    },
  });
  return { store, profiles, signIns, browser, windows, closeWindow: () => closeWindow() };
}

async function addBroker(profiles: BrokerProfiles, signInMethod: 'auto' | 'window' | 'browser' = 'auto') {
  const added = await profiles.add({ name: 'Lab', url: broker.url, trust: { kind: 'confirm' }, signInMethod });
  if (!added.ok) throw new Error(added.error.message);
  return added.value;
}

describe('signing the desktop app in to a real broker (RFC 8252, PKCE)', () => {
  it('signs in through the system browser and keeps the refresh secret encrypted in main', async () => {
    const { profiles, signIns, browser, store } = setup();
    const profile = await addBroker(profiles);
    const grant = await signIns.signIn(profile.id);
    expect(grant).toMatchObject({ ok: true, value: { brokerUrl: broker.url, user: { name: 'alice' } } });
    if (!grant.ok) return;
    expect(grant.value.accessToken).toMatch(/^fta_/);
    expect(JSON.stringify(grant)).not.toContain('ftr_');
    expect(new URL(browser[0]!).pathname).toBe('/cli-login');
    expect(readFileSync(store.path, 'utf8')).not.toContain('ftr_');
    expect(profiles.find(profile.id)?.signedIn).toMatchObject({ user: { name: 'alice' } });
    // The token works on the broker's API.
    const machines = await fetch(`${broker.url}/api/v1/machines`, {
      headers: { authorization: `Bearer ${grant.value.accessToken}` },
    });
    expect(machines.status).toBe(200);
  });

  it('answers the access token from memory, then refreshes it once near its end', async () => {
    const { profiles, signIns } = setup();
    const profile = await addBroker(profiles);
    const first = await signIns.signIn(profile.id);
    if (!first.ok) throw new Error(first.error.message);
    expect(await signIns.accessToken(profile.id)).toEqual(first);
    clock = first.value.accessExpiresAt - REFRESH_MARGIN_MS + 1;
    const [a, b] = await Promise.all([signIns.accessToken(profile.id), signIns.accessToken(profile.id)]);
    expect(a).toEqual(b);
    if (!a.ok) throw new Error(a.error.message);
    expect(a.value.accessToken).not.toBe(first.value.accessToken);
    expect(a.value.accessExpiresAt).toBeGreaterThanOrEqual(first.value.accessExpiresAt);
  });

  it('signs out at the broker: the token stops working and main forgets the sign-in', async () => {
    const { profiles, signIns } = setup();
    const profile = await addBroker(profiles);
    const grant = await signIns.signIn(profile.id);
    if (!grant.ok) throw new Error(grant.error.message);
    expect(await signIns.signOut(profile.id)).toEqual({ ok: true, value: null });
    const refused = await fetch(`${broker.url}/api/v1/machines`, {
      headers: { authorization: `Bearer ${grant.value.accessToken}` },
    });
    expect(refused.status).toBe(401);
    expect(await signIns.accessToken(profile.id)).toMatchObject({ ok: false, error: { code: 'SIGNED_OUT' } });
    expect(profiles.find(profile.id)?.signedIn).toBeNull();
  });

  it('uses the sandboxed window when asked, and a closed window cancels the sign-in', async () => {
    const { profiles, signIns, windows, closeWindow } = setup();
    const profile = await addBroker(profiles, 'window');
    const waiting = signIns.signIn(profile.id);
    await expect.poll(() => windows.length).toBe(1);
    expect(windows[0]!.request).toMatchObject({ profileId: profile.id, consoleUrl: expect.stringMatching(/^http/) });
    closeWindow();
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(windows[0]!.closed).toBe(true);
  });

  it('completes in the window when the page redirects to the loopback listener', async () => {
    const { profiles, signIns, windows } = setup();
    const profile = await addBroker(profiles, 'window');
    const waiting = signIns.signIn(profile.id);
    await expect.poll(() => windows.length).toBe(1);
    await approveInBrowser(broker, person, windows[0]!.request.url);
    expect(await waiting).toMatchObject({ ok: true, value: { user: { name: 'alice' } } });
    expect(windows[0]!.closed).toBe(true);
  });

  it('cancels a sign-in that waits, on request', async () => {
    const { profiles, signIns, windows } = setup();
    const profile = await addBroker(profiles, 'window');
    const waiting = signIns.signIn(profile.id);
    await expect.poll(() => windows.length).toBe(1);
    signIns.cancel(profile.id);
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });

  it('refuses an unknown profile and a refresh past the end of the sign-in', async () => {
    const { profiles, signIns } = setup();
    expect(await signIns.signIn('nope')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const profile = await addBroker(profiles);
    expect(await signIns.accessToken(profile.id)).toMatchObject({ ok: false, error: { code: 'SIGNED_OUT' } });
    const grant = await signIns.signIn(profile.id);
    expect(grant.ok).toBe(true);
    clock += 13 * 3_600_000;
    expect(await signIns.accessToken(profile.id)).toMatchObject({
      ok: false,
      error: { code: 'SIGNED_OUT', message: expect.stringMatching(/has ended/) },
    });
  });
});
