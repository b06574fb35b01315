import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pki from '../pki';
import { fetchBrokerRoots, parseBrokerRoots, rootFromPem, rootsFromBundle, rootsMatchingPin } from './brokerRoots';
import { caDocument, createTestCa, startBrokerStandIn, type BrokerStandIn, type TestCa } from './testing/brokerStandIn';

let ca: TestCa;
let next: TestCa;
let broker: BrokerStandIn;

beforeAll(async () => {
  [ca, next] = await Promise.all([createTestCa(), createTestCa()]);
  broker = await startBrokerStandIn(ca.server, [ca.rootPem]);
});
afterAll(async () => {
  await broker.close();
  ca.dispose();
  next.dispose();
});

describe('fetchBrokerRoots', () => {
  it('fetches the announced roots without trusting anything yet, each with its pin, fingerprint and subject', async () => {
    broker.setCaAnswer(caDocument([next.rootPem, ca.rootPem]));
    const answer = await fetchBrokerRoots(broker.url);
    expect(answer).toMatchObject({
      ok: true,
      roots: [
        { pem: next.rootPem, pin: next.pin, fingerprint: next.fingerprint },
        { pem: ca.rootPem, pin: ca.pin, fingerprint: ca.fingerprint },
      ],
    });
    if (answer.ok) expect(answer.roots[0]?.subject).toMatch(/^CN=Fleetterm Root CA /);
  });

  it('verifies the broker when given a CA', async () => {
    broker.setCaAnswer(caDocument([ca.rootPem]));
    expect(await fetchBrokerRoots(broker.url, { ca: ca.rootPem })).toMatchObject({ ok: true });
    expect(await fetchBrokerRoots(broker.url, { ca: next.rootPem })).toMatchObject({
      ok: false,
      code: 'TLS_UNTRUSTED',
    });
  });

  it('refuses an answer whose pin or fingerprint is not that of its certificate', async () => {
    const lying = caDocument([ca.rootPem]);
    lying.roots[0]!.pin = next.pin;
    broker.setCaAnswer(lying);
    const answer = await fetchBrokerRoots(broker.url);
    expect(answer).toMatchObject({ ok: false, code: 'BAD_ANSWER' });
    if (!answer.ok) expect(answer.message).toContain(`claims pin ${next.pin}`);
    const wrongPrint = caDocument([ca.rootPem]);
    wrongPrint.roots[0]!.fingerprint = next.fingerprint;
    broker.setCaAnswer(wrongPrint);
    expect(await fetchBrokerRoots(broker.url)).toMatchObject({ ok: false, code: 'BAD_ANSWER' });
  });

  it('refuses what is not a CA list, and says what a missing endpoint means', async () => {
    broker.setCaAnswer({ roots: [] });
    expect(await fetchBrokerRoots(broker.url)).toMatchObject({ ok: false, code: 'BAD_ANSWER' });
    broker.setCaAnswer({ roots: [{ pem: 'junk', pin: 'x', fingerprint: 'y' }] });
    expect(await fetchBrokerRoots(broker.url)).toMatchObject({ ok: false, code: 'BAD_ANSWER' });
    broker.setCaAnswer({ error: { code: 'NOT_FOUND', message: 'no such route' } }, 404);
    const missing = await fetchBrokerRoots(broker.url);
    expect(missing).toMatchObject({ ok: false, code: 'BAD_ANSWER' });
    if (!missing.ok) expect(missing.message).toMatch(/HTTP 404: NOT_FOUND: no such route; .*--ca-file/);
    broker.setCaAnswer(caDocument([ca.rootPem]));
  });

  it('refuses a leaf certificate posing as a root', () => {
    const leaf = ca.server.chainPem.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----\n';
    const answer = parseBrokerRoots({ roots: [{ pem: leaf, pin: 'x', fingerprint: 'y' }] }, 'test');
    expect(answer).toMatchObject({ ok: false, code: 'BAD_ANSWER' });
    if (!answer.ok) expect(answer.message).toContain('is not a CA certificate');
  });
});

describe('rootFromPem', () => {
  it('computes pins and fingerprints exactly as node-common/pki does (without loading @peculiar/x509)', () => {
    const root = rootFromPem(ca.rootPem);
    if (!root.ok) throw new Error(root.error);
    expect(root.value.pin).toBe(pki.spkiPin(ca.rootPem));
    expect(root.value.fingerprint).toBe(pki.certificateFingerprint(ca.rootPem));
    expect(root.value.subject).toMatch(/^CN=Fleetterm Root CA [0-9a-f]+, O=Fleetterm$/);
  });
});

describe('rootsMatchingPin and rootsFromBundle', () => {
  it('finds the root with a pin', () => {
    const parsed = parseBrokerRoots(caDocument([next.rootPem, ca.rootPem]), 'test');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(rootsMatchingPin(parsed.roots, ` ${ca.pin} `).map((root) => root.pem)).toEqual([ca.rootPem]);
    expect(rootsMatchingPin(parsed.roots, 'sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toEqual([]);
  });

  it("takes the CA certificates of an admin's bundle and leaves out leaves", () => {
    const bundle = rootsFromBundle(ca.server.chainPem + ca.rootPem);
    expect(bundle.ok && bundle.roots.map((root) => root.subject)).toEqual([
      expect.stringMatching(/^CN=Fleetterm Issuing CA /),
      expect.stringMatching(/^CN=Fleetterm Root CA /),
    ]);
    const leafOnly = rootsFromBundle(
      ca.server.chainPem.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----\n',
    );
    expect(leafOnly).toMatchObject({ ok: false, error: expect.stringContaining('holds no CA certificate') });
    expect(rootsFromBundle('hello')).toMatchObject({ ok: false, error: expect.stringContaining('no PEM certificate') });
  });
});
