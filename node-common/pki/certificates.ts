import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { splitPemChain } from './pem';
import { x509 } from './x509';

export type Certificate = x509.X509Certificate;

/** One certificate from PEM text (the first when the text holds a chain). */
export function parseCertificatePem(pem: string): Certificate {
  const [first] = splitPemChain(pem);
  if (first === undefined) throw new Error('no PEM certificate (-----BEGIN CERTIFICATE-----) found');
  return new x509.X509Certificate(first);
}

export function certificateToPem(cert: Certificate): string {
  return `${cert.toString('pem').trim()}\n`;
}

/** The same certificate as node:crypto sees it, for TLS-side checks (`checkIssued`, `verify`). */
export function toNodeCertificate(cert: Certificate | string): NodeX509Certificate {
  return new NodeX509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert.rawData));
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export function certificateValidity(cert: Certificate): Validity {
  return { notBefore: cert.notBefore, notAfter: cert.notAfter };
}

/** Whether `at` falls inside the certificate's validity period (both ends included, as X.509 says). */
export function isValidAt(cert: Certificate, at: number): boolean {
  return cert.notBefore.getTime() <= at && at <= cert.notAfter.getTime();
}

export interface SubjectAltNames {
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
}

/** The DNS names, IP addresses and URIs of the subjectAltName extension (empty lists when it is absent). */
export function certificateSans(cert: Certificate): SubjectAltNames {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  const of = (type: x509.GeneralNameType) => names.filter((name) => name.type === type).map((name) => name.value);
  return { dnsNames: of('dns'), ipAddresses: of('ip'), uris: of('url') };
}
