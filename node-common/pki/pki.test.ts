import { createPublicKey, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  certificateFingerprint,
  certificateSans,
  certificateToPem,
  certificateValidity,
  createCsr,
  ECDSA_P256,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  importKeyPairPem,
  isSpkiPin,
  isValidAt,
  parseCertificatePem,
  spkiPin,
  splitPemChain,
  toNodeCertificate,
  x509,
} from '.';

async function selfSigned(keys: Awaited<ReturnType<typeof generateKeyPair>>) {
  return x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=test',
    keys,
    signingAlgorithm: ECDSA_P256,
    notBefore: new Date('2030-01-01T00:00:00Z'),
    notAfter: new Date('2030-02-01T00:00:00Z'),
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'broker.example' },
        { type: 'ip', value: '10.0.0.1' },
        { type: 'url', value: 'urn:fleetterm:machine:m1' },
      ]),
    ],
  });
}

describe('keys', () => {
  it('generates ECDSA P-256 key pairs that survive a PKCS#8 PEM round trip', async () => {
    const keys = await generateKeyPair();
    const pem = await exportPrivateKeyPem(keys.privateKey);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
    expect(createPublicKey(pem).asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    const imported = await importKeyPairPem(pem);
    expect(spkiPin(imported.publicKey)).toBe(spkiPin(keys.publicKey));
    expect(spkiPin(imported.privateKey)).toBe(spkiPin(keys.publicKey));
  });

  it('refuses a private key that is not ECDSA P-256, saying so', async () => {
    await expect(importKeyPairPem('not a key')).rejects.toThrow(/not a usable ECDSA P-256 private key/);
  });
});

describe('certificates', () => {
  it('round-trip through PEM and report validity and SANs', async () => {
    const cert = await selfSigned(await generateKeyPair());
    const pem = certificateToPem(cert);
    const parsed = parseCertificatePem(pem);
    expect(certificateValidity(parsed)).toEqual({
      notBefore: new Date('2030-01-01T00:00:00Z'),
      notAfter: new Date('2030-02-01T00:00:00Z'),
    });
    expect(isValidAt(parsed, Date.parse('2030-01-15T00:00:00Z'))).toBe(true);
    expect(isValidAt(parsed, Date.parse('2030-03-01T00:00:00Z'))).toBe(false);
    expect(certificateSans(parsed)).toEqual({
      dnsNames: ['broker.example'],
      ipAddresses: ['10.0.0.1'],
      uris: ['urn:fleetterm:machine:m1'],
    });
    expect(splitPemChain(pem + pem)).toEqual([pem, pem]);
    expect(() => parseCertificatePem('garbage')).toThrow(/no PEM certificate/);
  });
});

describe('pins and fingerprints', () => {
  it('pin the public key the same way whatever carries it, in the HPKP format', async () => {
    const keys = await generateKeyPair();
    const cert = await selfSigned(keys);
    const pem = certificateToPem(cert);
    const pin = spkiPin(cert);
    expect(isSpkiPin(pin)).toBe(true);
    for (const source of [
      keys.publicKey,
      pem,
      new NodeX509Certificate(pem),
      await exportPublicKeyPem(keys.publicKey),
    ]) {
      expect(spkiPin(source)).toBe(pin);
    }
    // Another key, another pin.
    expect(spkiPin((await generateKeyPair()).publicKey)).not.toBe(pin);
  });

  it('print the certificate fingerprint as node:crypto and openssl do', async () => {
    const cert = await selfSigned(await generateKeyPair());
    const fingerprint = certificateFingerprint(cert);
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(fingerprint).toBe(toNodeCertificate(cert).fingerprint256);
    expect(certificateFingerprint(certificateToPem(cert))).toBe(fingerprint);
  });
});

describe('createCsr', () => {
  it('makes a signed PKCS#10 request naming only the common name', async () => {
    const keys = await generateKeyPair();
    const csr = new x509.Pkcs10CertificateRequest(await createCsr(keys, 'machine-1'));
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe('CN=machine-1');
    expect(csr.extensions).toEqual([]);
    expect(spkiPin(csr.publicKey)).toBe(spkiPin(keys.publicKey));
  });
});
