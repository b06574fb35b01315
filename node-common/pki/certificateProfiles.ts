import { randomBytes } from 'node:crypto';
import type { Certificate } from './certificates';
import { ECDSA_P256, type KeyPair } from './keys';
import { x509 } from './x509';

/** What a server certificate covers. */
export interface ServerNames {
  dnsNames: string[];
  ipAddresses: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Lifetimes. The root outlives everything it signs; leaves are short so a lost key ages out. */
export const ROOT_CA_VALIDITY_MS = 10 * 365 * DAY_MS;
export const ISSUING_CA_VALIDITY_MS = 2 * 365 * DAY_MS;
export const SERVER_CERT_VALIDITY_MS = 90 * DAY_MS;
/** A server certificate this close to its end is replaced on the next start or `init`. */
export const SERVER_CERT_RENEW_BEFORE_MS = 30 * DAY_MS;
export const AGENT_CERT_VALIDITY_MS = 7 * DAY_MS;
/** Certificates start a little in the past so a peer whose clock lags slightly still accepts them. */
const BACKDATE_MS = 5 * 60 * 1000;

const EXTENDED_KEY_USAGE_SERVER = '1.3.6.1.5.5.7.3.1';
const EXTENDED_KEY_USAGE_CLIENT = '1.3.6.1.5.5.7.3.2';

/** The URI an agent certificate names its machine by; the TLS listener reads the id back from it. */
export const machineUri = (machineId: string): string => `urn:fleetterm:machine:${machineId}`;

export interface Issuer {
  cert: Certificate;
  keys: KeyPair;
}

interface Validity {
  now: number;
  validityMs: number;
}

/** 16 random bytes with the top bit clear: positive, as RFC 5280 requires, and unguessable. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** Never past the issuer's own end: a chain is only as valid as its shortest link. */
function period({ now, validityMs }: Validity, issuer?: Certificate) {
  const end = now + validityMs;
  return {
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(issuer ? Math.min(end, issuer.notAfter.getTime()) : end),
  };
}

export async function createRootCa(keys: KeyPair, name: string, validity: Validity): Promise<Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [name] }, { O: ['Fleetterm'] }],
    keys,
    signingAlgorithm: ECDSA_P256,
    ...period(validity),
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
}

export async function createIssuingCa(root: Issuer, keys: KeyPair, name: string, validity: Validity) {
  return x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [name], O: ['Fleetterm'] }],
    issuer: root.cert.subjectName,
    publicKey: keys.publicKey,
    signingKey: root.keys.privateKey,
    signingAlgorithm: ECDSA_P256,
    ...period(validity, root.cert),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.keys.publicKey),
    ],
  });
}

export async function createServerCertificate(
  issuer: Issuer,
  publicKey: x509.PublicKeyType,
  names: ServerNames,
  validity: Validity,
): Promise<Certificate> {
  return leaf(issuer, publicKey, names.dnsNames[0] ?? 'localhost', validity, [
    new x509.ExtendedKeyUsageExtension([EXTENDED_KEY_USAGE_SERVER]),
    new x509.SubjectAlternativeNameExtension([
      ...names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
      ...names.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
    ]),
  ]);
}

/** Client authentication only, naming the machine by id: nothing a request asked for is copied. */
export async function createAgentCertificate(
  issuer: Issuer,
  publicKey: x509.PublicKeyType,
  machineId: string,
  validity: Validity,
): Promise<Certificate> {
  return leaf(issuer, publicKey, machineId, validity, [
    new x509.ExtendedKeyUsageExtension([EXTENDED_KEY_USAGE_CLIENT]),
    new x509.SubjectAlternativeNameExtension([{ type: 'url', value: machineUri(machineId) }]),
  ]);
}

async function leaf(
  issuer: Issuer,
  publicKey: x509.PublicKeyType,
  commonName: string,
  validity: Validity,
  extensions: x509.Extension[],
): Promise<Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [commonName] }],
    issuer: issuer.cert.subjectName,
    publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ECDSA_P256,
    ...period(validity, issuer.cert),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ...extensions,
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ],
  });
}
