import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decideBrokerTrust, type BrokerTrustInput, type TrustDecision } from './brokerTrust';
import type { KnownBroker } from './knownBrokers';
import { caDocument, createTestCa, startBrokerStandIn, type BrokerStandIn, type TestCa } from './testing/brokerStandIn';

const HOUR = 60 * 60 * 1000;
let pinned: TestCa;
let rotated: TestCa;
let attacker: TestCa;
let broker: BrokerStandIn;
let dir: string;

beforeAll(async () => {
  [pinned, rotated, attacker] = await Promise.all([createTestCa(), createTestCa(), createTestCa()]);
  broker = await startBrokerStandIn(pinned.server, [pinned.rootPem]);
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-trust-'));
});
afterAll(async () => {
  await broker.close();
  [pinned, rotated, attacker].forEach((ca) => ca.dispose());
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  // Back to the pinned broker, as most tests expect.
  broker.setIdentity(pinned.server);
  broker.setCaAnswer(caDocument([pinned.rootPem]));
});

function decide(input: Partial<BrokerTrustInput>): Promise<TrustDecision> {
  return decideBrokerTrust({ httpBase: broker.url, known: undefined, ...input });
}

function expectTrusted(decision: TrustDecision) {
  if (decision.kind !== 'trusted') throw new Error(`expected trusted, got ${JSON.stringify(decision)}`);
  return decision;
}

function expectRefused(decision: TrustDecision, code: string) {
  if (decision.kind !== 'refused') throw new Error(`expected refused, got ${decision.kind}`);
  expect(decision.code).toBe(code);
  return decision.message;
}

/** An entry for the pinned CA, checked `ageMs` ago. */
function knownEntry(ageMs: number, now = Date.now()): KnownBroker {
  return {
    roots: [pinned.rootPem],
    pins: [pinned.pin],
    fingerprints: [pinned.fingerprint],
    addedAt: new Date(now - 10 * HOUR).toISOString(),
    checkedAt: new Date(now - ageMs).toISOString(),
    source: 'confirmed',
  };
}

describe('decideBrokerTrust', () => {
  it('leaves plain http (loopback only) alone', async () => {
    expect(await decide({ httpBase: 'http://127.0.0.1:7420' })).toEqual({ kind: 'plain' });
  });

  describe('first contact', () => {
    it('asks a person, showing the fingerprint, and pins what they confirmed', async () => {
      const asked: string[][] = [];
      const decision = expectTrusted(
        await decide({ confirm: async (fingerprints) => (asked.push(fingerprints), true), now: () => 1e12 }),
      );
      expect(asked).toEqual([[pinned.fingerprint]]);
      expect(decision.ca).toEqual([pinned.rootPem]);
      expect(decision.key).toBe(broker.hostPort);
      expect(decision.save).toEqual({
        roots: [pinned.rootPem],
        pins: [pinned.pin],
        fingerprints: [pinned.fingerprint],
        addedAt: new Date(1e12).toISOString(),
        checkedAt: new Date(1e12).toISOString(),
        source: 'confirmed',
      });
    });

    it('pins nothing when the person says no', async () => {
      expectRefused(await decide({ confirm: async () => false }), 'NOT_CONFIRMED');
    });

    it('refuses without anybody to ask, showing the fingerprint and what to do', async () => {
      const message = expectRefused(await decide({}), 'UNKNOWN_BROKER');
      expect(message).toContain(pinned.fingerprint);
      expect(message).toContain(`fleetterm trust --broker ${broker.url}`);
      expect(message).toContain('--ca-file FILE or --ca-pin PIN');
      expect(message).not.toContain(pinned.pin); // a pin to paste would skip the comparison
    });

    it('pins nothing when the chain does not lead to the confirmed root (someone in the middle)', async () => {
      broker.setIdentity(attacker.server); // the real broker's CA list, someone else's certificate
      const message = expectRefused(await decide({ confirm: async () => true }), 'TLS_UNTRUSTED');
      expect(message).toContain('does not verify against the confirmed CA');
    });
  });

  describe('an admin’s CA file', () => {
    it('trusts and pins the file’s CA when the broker verifies against it', async () => {
      const file = join(dir, 'ca.pem');
      writeFileSync(file, pinned.bundlePem);
      const decision = expectTrusted(await decide({ caFile: file }));
      expect(decision.ca).toContain(pinned.rootPem);
      expect(decision.save?.source).toBe('ca-file');
      // A known broker keeps its entry: the file is for this connection.
      expect(expectTrusted(await decide({ caFile: file, known: knownEntry(0) })).save).toBeUndefined();
    });

    it('refuses a broker that does not verify against the file, and an unusable file', async () => {
      const file = join(dir, 'other.pem');
      writeFileSync(file, attacker.rootPem);
      expect(expectRefused(await decide({ caFile: file }), 'TLS_UNTRUSTED')).toContain(attacker.fingerprint);
      expect(expectRefused(await decide({ caFile: join(dir, 'missing.pem') }), 'CA_FILE_UNUSABLE')).toContain(
        'cannot read the CA file',
      );
      const junk = join(dir, 'junk.pem');
      writeFileSync(junk, 'not a certificate');
      expectRefused(await decide({ caFile: junk }), 'CA_FILE_UNUSABLE');
    });
  });

  describe('a CA pin', () => {
    it('trusts the announced root with that pin, once the chain verifies against it', async () => {
      const decision = expectTrusted(await decide({ caPin: pinned.pin }));
      expect(decision.ca).toEqual([pinned.rootPem]);
      expect(decision.save?.source).toBe('ca-pin');
    });

    it('refuses a broker without a root of that pin, and what is not a pin', async () => {
      expect(expectRefused(await decide({ caPin: attacker.pin }), 'PIN_MISMATCH')).toContain(
        `has no CA with the pin ${attacker.pin}`,
      );
      expectRefused(await decide({ caPin: 'AB:CD' }), 'BAD_PIN');
    });

    it('refuses a broker that announces the pinned root but chains elsewhere', async () => {
      broker.setIdentity(attacker.server);
      expectRefused(await decide({ caPin: pinned.pin }), 'TLS_UNTRUSTED');
    });
  });

  describe('a known broker', () => {
    it('uses its roots without a network call while the last check is under an hour old', async () => {
      const before = broker.requests.length;
      const decision = expectTrusted(await decide({ known: knownEntry(HOUR - 1000) }));
      expect(decision).toMatchObject({ ca: [pinned.rootPem], save: undefined, added: [] });
      expect(broker.requests.length).toBe(before);
    });

    it('adds the roots a verified broker announces during a rotation, and records the check', async () => {
      const now = Date.now();
      broker.setCaAnswer(caDocument([rotated.rootPem, pinned.rootPem]));
      const decision = expectTrusted(await decide({ known: knownEntry(2 * HOUR, now), now: () => now }));
      expect(decision.added.map((root) => root.fingerprint)).toEqual([rotated.fingerprint]);
      expect(decision.ca).toEqual([pinned.rootPem, rotated.rootPem]);
      expect(decision.save).toMatchObject({
        pins: [pinned.pin, rotated.pin],
        fingerprints: [pinned.fingerprint, rotated.fingerprint],
        checkedAt: new Date(now).toISOString(),
        source: 'confirmed',
      });
      // The broker then moves to a certificate from the new CA: still trusted.
      broker.setIdentity(rotated.server);
      const after = expectTrusted(await decide({ known: decision.save, forceCheck: true }));
      expect(after.added).toEqual([]);
    });

    it('refuses a changed CA with an SSH-like warning naming old and new fingerprints', async () => {
      broker.setIdentity(attacker.server);
      broker.setCaAnswer(caDocument([attacker.rootPem]));
      const message = expectRefused(await decide({ known: knownEntry(2 * HOUR) }), 'CA_CHANGED');
      expect(message).toContain("WARNING: THE BROKER'S CERTIFICATE AUTHORITY HAS CHANGED!");
      expect(message).toContain(`SHA256 ${pinned.fingerprint}`);
      expect(message).toContain(`SHA256 ${attacker.fingerprint}`);
      expect(message).toContain(`fleetterm trust --forget ${broker.hostPort}`);
      expect(message).not.toContain('CA rotation');
    });

    it('does not take a claimed rotation over an unverified connection', async () => {
      broker.setIdentity(rotated.server);
      broker.setCaAnswer(caDocument([rotated.rootPem, pinned.rootPem]));
      const message = expectRefused(await decide({ known: knownEntry(0), forceCheck: true }), 'CA_CHANGED');
      expect(message).toContain('as during a CA rotation, but this connection cannot prove');
    });

    it('says when the certificate fails though the broker still announces the pinned CA', async () => {
      broker.setIdentity(attacker.server);
      const message = expectRefused(await decide({ known: knownEntry(2 * HOUR) }), 'TLS_UNTRUSTED');
      expect(message).toContain('still announces that CA');
    });

    it('stays trusted when a verified broker has no usable CA list, with a warning', async () => {
      broker.setCaAnswer({ error: { code: 'NOT_FOUND', message: 'no route' } }, 404);
      const decision = expectTrusted(await decide({ known: knownEntry(2 * HOUR) }));
      expect(decision).toMatchObject({ ca: [pinned.rootPem], save: undefined });
      expect(decision.warning).toContain('could not be checked for new roots');
    });
  });
});
