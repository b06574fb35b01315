import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCsr, ECDSA_P256, generateKeyPair, spkiPin, splitPemChain, x509 } from '../../../node-common/pki';
import { CertificateAuthority } from './certificateAuthority';
import { PkiError } from './pkiError';

const DAY = 24 * 60 * 60 * 1000;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleetterm-pki-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const mode = (file: string) => statSync(join(dataDir, 'pki', file)).mode & 0o777;
const nodeChain = (pem: string) => splitPemChain(pem).map((block) => new X509Certificate(block));

describe('CertificateAuthority.loadOrCreate', () => {
  it('creates a root and an issuing CA once, with private keys only the owner can read', async () => {
    const first = await CertificateAuthority.loadOrCreate(dataDir);
    expect(mode('.')).toBe(0o700);
    expect([mode('root.key'), mode('issuing.key')]).toEqual([0o600, 0o600]);
    expect([mode('root.crt'), mode('issuing.crt')]).toEqual([0o644, 0o644]);
    const rootPem = readFileSync(join(dataDir, 'pki', 'root.crt'), 'utf8');

    const again = await CertificateAuthority.loadOrCreate(dataDir);
    expect(readFileSync(join(dataDir, 'pki', 'root.crt'), 'utf8')).toBe(rootPem);
    expect(again.caPin()).toBe(first.caPin());
    expect(again.clientCaBundle()).toBe(first.clientCaBundle());
    expect(first.caPin()).toBe(spkiPin(rootPem));
    expect(first.rootFingerprint()).toBe(new X509Certificate(rootPem).fingerprint256);
  });

  it('makes a root (10 years, path length 1) that signs an issuing CA (2 years, path length 0)', async () => {
    const ca = await CertificateAuthority.loadOrCreate(dataDir);
    const [issuing, root] = nodeChain(ca.clientCaBundle());
    expect(root?.ca && issuing?.ca).toBe(true);
    expect(issuing?.checkIssued(root!) && issuing.verify(root!.publicKey) && root!.verify(root!.publicKey)).toBe(true);
    const years = (cert: X509Certificate) => (Date.parse(cert.validTo) - Date.now()) / (365 * DAY);
    expect(years(root!)).toBeCloseTo(10, 1);
    expect(years(issuing!)).toBeCloseTo(2, 1);
    const constraints = (pem: string) => new x509.X509Certificate(pem).getExtension(x509.BasicConstraintsExtension);
    expect(constraints(root!.toString())).toMatchObject({ ca: true, pathLength: 1, critical: true });
    expect(constraints(issuing!.toString())).toMatchObject({ ca: true, pathLength: 0, critical: true });
    const usages = new x509.X509Certificate(root!.toString()).getExtension(x509.KeyUsagesExtension)?.usages;
    expect(usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
  });

  it('two processes creating at once end up with one CA', async () => {
    const [a, b] = await Promise.all([
      CertificateAuthority.loadOrCreate(dataDir),
      CertificateAuthority.loadOrCreate(dataDir),
    ]);
    expect(a.caPin()).toBe(b.caPin());
    expect((await CertificateAuthority.load(dataDir)).caPin()).toBe(a.caPin());
  });

  it('load refuses a missing CA and a private key others can read, saying what to do', async () => {
    await expect(CertificateAuthority.load(dataDir)).rejects.toMatchObject({
      code: 'NOT_INITIALISED',
      message: expect.stringContaining('fleetterm-broker init'),
    });
    await CertificateAuthority.loadOrCreate(dataDir);
    const key = join(dataDir, 'pki', 'issuing.key');
    chmodSync(key, 0o644);
    await expect(CertificateAuthority.load(dataDir)).rejects.toMatchObject({
      code: 'BAD_PKI_FILES',
      message: expect.stringContaining(`chmod 600 ${key}`),
    });
  });
});

describe('issueServerCertificate', () => {
  it('issues a serverAuth certificate for the names plus loopback, whose chain verifies', async () => {
    const ca = await CertificateAuthority.loadOrCreate(dataDir, { dnsNames: ['Broker.Example.org'] });
    const server = await ca.issueServerCertificate(undefined, ['192.0.2.7']);
    expect(server).toMatchObject({
      dnsNames: ['broker.example.org', 'localhost'],
      ipAddresses: ['192.0.2.7', '127.0.0.1', '::1'],
      reissued: true,
    });
    expect([mode('server.key'), mode('server.crt')]).toEqual([0o600, 0o644]);
    const [leaf, issuing] = nodeChain(server.chainPem);
    const [, root] = nodeChain(ca.clientCaBundle());
    expect(leaf!.checkIssued(issuing!) && leaf!.verify(issuing!.publicKey)).toBe(true);
    expect(issuing!.checkIssued(root!) && issuing!.verify(root!.publicKey)).toBe(true);
    expect(leaf!.ca).toBe(false);
    expect(leaf!.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(leaf!.subject).toBe('CN=broker.example.org');
    for (const host of ['broker.example.org', 'localhost']) expect(leaf!.checkHost(host)).toBe(host);
    for (const ip of ['192.0.2.7', '127.0.0.1', '::1']) expect(leaf!.checkIP(ip)).toBe(ip);
    expect(leaf!.checkHost('other.example.org')).toBeUndefined();
    expect((Date.parse(leaf!.validTo) - Date.now()) / DAY).toBeCloseTo(90, 0);
    expect(spkiPin(server.keyPem)).toBe(spkiPin(leaf!));
  });

  it('keeps the certificate while it fits, and reissues it when names change, it nears expiry, or it is gone', async () => {
    const ca = await CertificateAuthority.loadOrCreate(dataDir);
    const first = await ca.issueServerCertificate(['a.example']);
    expect(await ca.issueServerCertificate(['a.example'])).toMatchObject({ reissued: false, chainPem: first.chainPem });
    const renamed = await ca.issueServerCertificate(['b.example']);
    expect(renamed).toMatchObject({ reissued: true, dnsNames: ['b.example', 'localhost'] });
    const later = await CertificateAuthority.load(dataDir, { now: () => Date.now() + 61 * DAY });
    expect((await later.issueServerCertificate(['b.example'])).reissued).toBe(true);
    rmSync(join(dataDir, 'pki', 'server.key'));
    expect((await ca.issueServerCertificate(['b.example'])).reissued).toBe(true);
  });

  it('refuses names that are not DNS names or IP addresses', async () => {
    const ca = await CertificateAuthority.loadOrCreate(dataDir);
    await expect(ca.issueServerCertificate(['bad name'])).rejects.toMatchObject({ code: 'BAD_NAME' });
    await expect(ca.issueServerCertificate(['10.0.0.1'])).rejects.toThrow(/IP address/);
    await expect(ca.issueServerCertificate([], ['999.1.1.1'])).rejects.toMatchObject({ code: 'BAD_NAME' });
  });
});

describe('signAgentCsr', () => {
  it('issues a client-only certificate naming the machine, for 7 days by default', async () => {
    const ca = await CertificateAuthority.loadOrCreate(dataDir);
    const keys = await generateKeyPair();
    const chain = nodeChain((await ca.signAgentCsr(await createCsr(keys, 'whatever'), 'm-1')).chainPem);
    expect(chain).toHaveLength(2);
    const [leaf, issuing] = chain;
    expect(leaf!.checkIssued(issuing!) && leaf!.verify(issuing!.publicKey)).toBe(true);
    expect(leaf!.subject).toBe('CN=m-1');
    expect(leaf!.subjectAltName).toBe('URI:urn:fleetterm:machine:m-1');
    expect(leaf!.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(spkiPin(leaf!)).toBe(spkiPin(keys.publicKey));
    expect((Date.parse(leaf!.validTo) - Date.now()) / DAY).toBeCloseTo(7, 1);
  });

  it('ignores a CSR that asks for a CA or server certificate, other names and another subject', async () => {
    const ca = await CertificateAuthority.loadOrCreate(dataDir);
    const keys = await generateKeyPair();
    const greedy = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=broker.example.org, O=Evil',
      keys,
      signingAlgorithm: ECDSA_P256,
      extensions: [
        new x509.BasicConstraintsExtension(true, 5, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.codeSigning]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'broker.example.org' },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'url', value: 'urn:fleetterm:machine:someone-else' },
        ]),
      ],
    });
    const { chainPem: pem } = await ca.signAgentCsr(greedy.toString('pem'), 'm-2');
    const leaf = new x509.X509Certificate(splitPemChain(pem)[0]!);
    const node = new X509Certificate(pem);
    expect(node.ca).toBe(false);
    expect(leaf.getExtension(x509.BasicConstraintsExtension)).toMatchObject({ ca: false, critical: true });
    expect(leaf.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(node.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(node.subject).toBe('CN=m-2');
    expect(node.subjectAltName).toBe('URI:urn:fleetterm:machine:m-2');
    expect(node.checkHost('broker.example.org')).toBeUndefined();
    expect(node.checkIP('127.0.0.1')).toBeUndefined();
  });

  it('refuses a CSR whose signature does not match its key', async () => {
    const ca = await CertificateAuthority.loadOrCreate(dataDir);
    const der = Buffer.from(new x509.Pkcs10CertificateRequest(await createCsr(await generateKeyPair(), 'x')).rawData);
    der.writeUInt8(der.readUInt8(der.length - 1) ^ 0x01, der.length - 1); // the last byte of the signature
    const tampered = new x509.Pkcs10CertificateRequest(der).toString('pem');
    await expect(ca.signAgentCsr(tampered, 'm-3')).rejects.toMatchObject({
      code: 'BAD_CSR_SIGNATURE',
      message: expect.stringContaining('generate a new CSR'),
    });
  });

  it('refuses what is not a CSR, a key type it does not issue for, and an unsafe machine id', async () => {
    const ca = await CertificateAuthority.loadOrCreate(dataDir);
    await expect(ca.signAgentCsr('hello', 'm-4')).rejects.toBeInstanceOf(PkiError);
    await expect(ca.signAgentCsr('hello', 'm-4')).rejects.toMatchObject({ code: 'BAD_CSR' });
    const rsa = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    const rsaCsr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=x',
      keys: rsa,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' },
    });
    await expect(ca.signAgentCsr(rsaCsr.toString('pem'), 'm-4')).rejects.toThrow(/ECDSA P-256/);
    const csr = await createCsr(await generateKeyPair(), 'x');
    await expect(ca.signAgentCsr(csr, 'CN=evil,O=x')).rejects.toMatchObject({ code: 'BAD_NAME' });
  });
});
