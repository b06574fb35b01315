import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** The part of Electron's Certificate the check reads: PEM data and the chain the server sent. */
export interface CertificateLike {
  data: string;
  issuerCert?: CertificateLike;
}

/** The part of Electron's certificate verify request the check reads. */
export interface VerifyRequestLike {
  hostname: string;
  certificate: CertificateLike;
}

/** Chromium's answers to a verify proc: accept, refuse, or decide as Chromium would. */
export const CERT_ACCEPT = 0;
export const CERT_REFUSE = -2;
export const CERT_USE_CHROMIUM = -3;

/** A broker chain is leaf, issuing CA, maybe root: a longer one is not a broker's. */
const MAX_CHAIN = 6;

export type ChainCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a server's chain leads to one of the pinned roots, for this host
 * name, now: each certificate signed by the next (CAs only above the leaf),
 * all within their validity, the leaf naming the host, and the last one a
 * pinned root or signed by one. The system's trusted CAs play no part.
 */
export function verifyAgainstPinnedRoots(
  hostname: string,
  chainPems: readonly string[],
  rootPems: readonly string[],
  now: number,
): ChainCheck {
  let chain: X509Certificate[];
  let roots: X509Certificate[];
  try {
    chain = chainPems.slice(0, MAX_CHAIN).map((pem) => new X509Certificate(pem));
    roots = rootPems.map((pem) => new X509Certificate(pem));
  } catch (error) {
    return { ok: false, reason: `a certificate does not parse (${(error as Error).message})` };
  }
  const leaf = chain[0];
  if (!leaf) return { ok: false, reason: 'the server sent no certificate' };
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const named = isIP(host) ? leaf.checkIP(host) : leaf.checkHost(host);
  if (named === undefined) return { ok: false, reason: `the certificate does not name ${host}` };
  for (let index = 0; index < chain.length; index++) {
    const certificate = chain[index]!;
    if (!withinValidity(certificate, now)) {
      return { ok: false, reason: `${certificate.subject.replace(/\n/g, ', ')} is expired or not yet valid` };
    }
    if (roots.some((root) => root.fingerprint256 === certificate.fingerprint256)) return { ok: true };
    if (roots.some((root) => signedBy(certificate, root))) return { ok: true };
    const issuer = chain[index + 1];
    if (!issuer || !issuer.ca || !signedBy(certificate, issuer)) break;
  }
  return { ok: false, reason: 'the chain does not lead to the pinned CA' };
}

export interface CertificateVerifierDeps {
  /** PEM roots pinned for this host name (any port), or undefined when no broker there is pinned. */
  rootsForHost(hostname: string): readonly string[] | undefined;
  /** Told about every refusal, so main can log why a broker page or socket failed. */
  onRefused(hostname: string, reason: string): void;
  now?: () => number;
}

/**
 * The function for `session.setCertificateVerifyProc`: a host with a
 * pinned broker is accepted exactly when its chain leads to the pinned CA
 * (Chromium's own verdict, made against the system's CAs, is ignored); any
 * other host is left to Chromium. Electron gives only the host name, not
 * the port, so the roots of every pinned broker on that host count.
 */
export function createCertificateVerifier(
  deps: CertificateVerifierDeps,
): (request: VerifyRequestLike, callback: (verificationResult: number) => void) => void {
  return (request, callback) => {
    const roots = deps.rootsForHost(request.hostname.toLowerCase());
    if (roots === undefined) return callback(CERT_USE_CHROMIUM);
    const check = verifyAgainstPinnedRoots(
      request.hostname,
      chainOf(request.certificate),
      roots,
      (deps.now ?? Date.now)(),
    );
    if (check.ok) return callback(CERT_ACCEPT);
    deps.onRefused(request.hostname, check.reason);
    callback(CERT_REFUSE);
  };
}

/** The PEMs from the leaf up, as Electron links them through issuerCert. */
function chainOf(certificate: CertificateLike): string[] {
  const chain: string[] = [];
  for (let current: CertificateLike | undefined = certificate; current && chain.length < MAX_CHAIN;) {
    if (chain.includes(current.data)) break;
    chain.push(current.data);
    current = current.issuerCert;
  }
  return chain;
}

function signedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function withinValidity(certificate: X509Certificate, now: number): boolean {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  return Number.isFinite(from) && Number.isFinite(to) && from <= now && now <= to;
}
