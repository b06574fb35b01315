import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPemChain } from '../node-common/pki';
import { createTestCa, type TestCa } from '../node-common/trust/testing/brokerStandIn';
import {
  CERT_ACCEPT,
  CERT_REFUSE,
  CERT_USE_CHROMIUM,
  createCertificateVerifier,
  verifyAgainstPinnedRoots,
  type CertificateLike,
} from './certificatePins';

let ca: TestCa;
let other: TestCa;
beforeAll(async () => {
  [ca, other] = await Promise.all([createTestCa(), createTestCa()]);
});
afterAll(() => {
  ca?.dispose();
  other?.dispose();
});

const chain = (test: TestCa) => splitPemChain(test.server.chainPem);
/** As Electron hands it over: the leaf, linked to its issuers. */
const electronCertificate = (pems: string[]): CertificateLike =>
  pems.reduceRight<CertificateLike | undefined>((issuerCert, data) => ({ data, issuerCert }), undefined)!;

describe('verifyAgainstPinnedRoots', () => {
  it('accepts a chain that leads to the pinned root and names the host', () => {
    expect(verifyAgainstPinnedRoots('localhost', chain(ca), [ca.rootPem], Date.now())).toEqual({ ok: true });
    expect(verifyAgainstPinnedRoots('127.0.0.1', chain(ca), [ca.rootPem], Date.now())).toEqual({ ok: true });
    expect(verifyAgainstPinnedRoots('127.0.0.1', [...chain(ca), ca.rootPem], [ca.rootPem], Date.now()).ok).toBe(true);
  });

  it('refuses another CA, even one the system might trust', () => {
    expect(verifyAgainstPinnedRoots('localhost', chain(other), [ca.rootPem], Date.now())).toEqual({
      ok: false,
      reason: 'the chain does not lead to the pinned CA',
    });
  });

  it('refuses a certificate for another host, out of its validity, or no certificate at all', () => {
    expect(verifyAgainstPinnedRoots('broker.example.org', chain(ca), [ca.rootPem], Date.now())).toMatchObject({
      ok: false,
      reason: 'the certificate does not name broker.example.org',
    });
    const later = Date.now() + 20 * 365 * 86_400_000;
    expect(verifyAgainstPinnedRoots('localhost', chain(ca), [ca.rootPem], later)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/expired or not yet valid/),
    });
    expect(verifyAgainstPinnedRoots('localhost', [], [ca.rootPem], Date.now()).ok).toBe(false);
    expect(verifyAgainstPinnedRoots('localhost', ['garbage'], [ca.rootPem], Date.now()).ok).toBe(false);
  });

  it('refuses a leaf whose issuing CA was left out, when only the root is pinned', () => {
    expect(verifyAgainstPinnedRoots('localhost', chain(ca).slice(0, 1), [ca.rootPem], Date.now()).ok).toBe(false);
  });
});

describe('createCertificateVerifier', () => {
  const answers: number[] = [];
  const refusals: string[] = [];
  const verify = createCertificateVerifier({
    rootsForHost: (host) => (host === 'localhost' ? [ca.rootPem] : undefined),
    onRefused: (host, reason) => refusals.push(`${host}: ${reason}`),
  });

  it('accepts exactly the pinned CA for a pinned host, and leaves other hosts to Chromium', () => {
    verify({ hostname: 'localhost', certificate: electronCertificate(chain(ca)) }, (result) => answers.push(result));
    verify({ hostname: 'LOCALHOST', certificate: electronCertificate(chain(other)) }, (result) => answers.push(result));
    verify({ hostname: 'example.com', certificate: electronCertificate(chain(other)) }, (result) =>
      answers.push(result),
    );
    expect(answers).toEqual([CERT_ACCEPT, CERT_REFUSE, CERT_USE_CHROMIUM]);
    expect(refusals).toEqual(['LOCALHOST: the chain does not lead to the pinned CA']);
  });
});
