import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KnownBrokers } from '../node-common/trust';
import {
  createTestCa,
  startBrokerStandIn,
  type BrokerStandIn,
  type TestCa,
} from '../node-common/trust/testing/brokerStandIn';
import { BrokerProfiles } from './brokerProfiles';
import { ProfileStore } from './profileStore';
import { SecretVault } from './secretVault';
import { fakeCipher } from './testing/fakeCipher';

let ca: TestCa;
let other: TestCa;
let standIn: BrokerStandIn;
let dir: string;
let clock = Date.now();

beforeAll(async () => {
  [ca, other] = await Promise.all([createTestCa(), createTestCa()]);
});
afterAll(() => {
  ca?.dispose();
  other?.dispose();
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-broker-profiles-'));
  standIn = await startBrokerStandIn(ca.server, [ca.rootPem]);
  standIn.route('/api/v1/health', () => ({ status: 200, body: { status: 'ok', consoleUrl: standIn.url } }));
});
afterEach(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(answer = true, caFile: string | null = null) {
  const asked: string[][] = [];
  const store = new ProfileStore(
    join(dir, 'profiles.json'),
    new SecretVault(fakeCipher(), { platform: 'darwin', plaintextOptIn: false }),
  );
  const profiles = new BrokerProfiles({
    store,
    knownBrokers: new KnownBrokers(join(dir, 'known_brokers.json')),
    confirmRoots: async (fingerprints) => {
      asked.push(fingerprints);
      return answer;
    },
    pickCaFile: async () => caFile,
    now: () => clock,
  });
  return { profiles, asked };
}

describe('BrokerProfiles', () => {
  it('pins a new https broker after the person confirms its CA fingerprint', async () => {
    const { profiles, asked } = setup();
    const added = await profiles.add({ name: ' Lab ', url: standIn.url, trust: { kind: 'confirm' } });
    expect(asked).toEqual([[ca.fingerprint]]);
    expect(added).toMatchObject({
      ok: true,
      value: { name: 'Lab', url: standIn.url, signInMethod: 'auto', signedIn: null },
    });
    expect(added.ok && added.value.trust).toEqual({
      kind: 'pinned',
      fingerprints: [ca.fingerprint],
      source: 'confirmed',
    });
    expect(profiles.rootsForHost('127.0.0.1')).toEqual([ca.rootPem]);
    expect(profiles.brokerUrls()).toEqual([standIn.url]);
  });

  it('adds nothing when the person does not confirm', async () => {
    const { profiles } = setup(false);
    expect(await profiles.add({ name: 'Lab', url: standIn.url, trust: { kind: 'confirm' } })).toMatchObject({
      ok: false,
      error: { code: 'NOT_CONFIRMED' },
    });
    expect(profiles.list()).toEqual([]);
    expect(profiles.rootsForHost('127.0.0.1')).toBeUndefined();
  });

  it("pins from the admin's CA file, or a pin, without asking", async () => {
    const pemPath = join(dir, 'root.pem');
    writeFileSync(pemPath, ca.bundlePem);
    const fromFile = setup(false, pemPath);
    expect(await fromFile.profiles.add({ name: 'Lab', url: standIn.url, trust: { kind: 'caFile' } })).toMatchObject({
      ok: true,
      value: { trust: { source: 'ca-file' } },
    });
    expect(fromFile.asked).toEqual([]);
    rmSync(join(dir, 'profiles.json'));
    rmSync(join(dir, 'known_brokers.json'));
    const cancelled = setup(false, null);
    expect(await cancelled.profiles.add({ name: 'Lab', url: standIn.url, trust: { kind: 'caFile' } })).toMatchObject({
      ok: false,
      error: { code: 'CANCELLED' },
    });
    const wrongPin = await setup(false).profiles.add({
      name: 'Lab',
      url: standIn.url,
      trust: { kind: 'caPin', pin: other.pin },
    });
    expect(wrongPin).toMatchObject({ ok: false, error: { code: 'TRUST_REFUSED' } });
  });

  it('refuses a changed CA with a clear message, once the hourly recheck comes', async () => {
    const { profiles } = setup();
    const added = await profiles.add({ name: 'Lab', url: standIn.url, trust: { kind: 'confirm' } });
    if (!added.ok) throw new Error(added.error.message);
    standIn.setIdentity(other.server);
    standIn.setCaAnswer({ roots: [{ pem: other.rootPem, pin: other.pin, fingerprint: other.fingerprint }] });
    clock += 2 * 3_600_000;
    const stored = { id: added.value.id, name: 'Lab', url: standIn.url, signInMethod: 'auto' as const, addedAt: '' };
    const connection = await profiles.connection(stored);
    expect(connection).toMatchObject({ ok: false, error: { code: 'CA_CHANGED' } });
    expect(!connection.ok && connection.error.message).toMatch(
      /CERTIFICATE AUTHORITY HAS CHANGED[\s\S]*remove the broker/,
    );
  });

  it('refuses bad and duplicate URLs, and plain http beyond loopback', async () => {
    const { profiles } = setup();
    expect(await profiles.add({ name: 'x', url: 'not a url', trust: { kind: 'confirm' } })).toMatchObject({
      error: { code: 'BAD_URL' },
    });
    expect(
      await profiles.add({ name: 'x', url: 'http://broker.example.org', trust: { kind: 'confirm' } }),
    ).toMatchObject({ error: { code: 'BAD_URL', message: expect.stringMatching(/only on loopback/) } });
    await profiles.add({ name: 'Lab', url: standIn.url, trust: { kind: 'confirm' } });
    expect(await profiles.add({ name: 'Again', url: `${standIn.url}/`, trust: { kind: 'confirm' } })).toMatchObject({
      error: { code: 'DUPLICATE' },
    });
  });

  it('forgets the profile and its pin on removal', async () => {
    const { profiles } = setup();
    const added = await profiles.add({ name: 'Lab', url: standIn.url, trust: { kind: 'confirm' } });
    if (!added.ok) throw new Error(added.error.message);
    expect(profiles.remove(added.value.id)).toEqual({ ok: true, value: null });
    expect(profiles.rootsForHost('127.0.0.1')).toBeUndefined();
    expect(new KnownBrokers(join(dir, 'known_brokers.json')).list()).toEqual({});
    expect(profiles.remove(added.value.id)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
