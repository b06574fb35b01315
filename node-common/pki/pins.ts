import {
  createHash,
  createPublicKey,
  KeyObject,
  type webcrypto,
  X509Certificate as NodeX509Certificate,
} from 'node:crypto';
import { x509 } from './x509';

/** Anything that carries a public key: a certificate (ours, node:crypto's, or PEM), a CSR's key, or a key. */
export type PinSource =
  x509.X509Certificate | x509.PublicKey | NodeX509Certificate | webcrypto.CryptoKey | KeyObject | string;

/**
 * The HPKP pin (RFC 7469) of a public key: `sha256/` and the base64 SHA-256
 * of its SubjectPublicKeyInfo DER. Pinning the key rather than the
 * certificate keeps the pin stable when a CA certificate is re-signed.
 */
export function spkiPin(source: PinSource): string {
  return `sha256/${createHash('sha256').update(spkiDer(source)).digest('base64')}`;
}

/**
 * What people compare in a confirmation prompt: the SHA-256 of the
 * certificate DER as colon-separated upper-case hex, as `openssl x509
 * -fingerprint -sha256` and browsers show it.
 */
export function certificateFingerprint(cert: x509.X509Certificate | NodeX509Certificate | string): string {
  if (cert instanceof NodeX509Certificate) return cert.fingerprint256;
  const der = typeof cert === 'string' ? new NodeX509Certificate(cert).raw : Buffer.from(cert.rawData);
  return colonHex(createHash('sha256').update(der).digest());
}

function spkiDer(source: PinSource): Buffer {
  if (source instanceof x509.X509Certificate) return Buffer.from(source.publicKey.rawData);
  if (source instanceof x509.PublicKey) return Buffer.from(source.rawData);
  if (source instanceof NodeX509Certificate) return exportSpki(source.publicKey);
  if (source instanceof KeyObject) return exportSpki(source);
  if (typeof source === 'string') {
    return source.includes('CERTIFICATE')
      ? exportSpki(new NodeX509Certificate(source).publicKey)
      : exportSpki(createPublicKey(source));
  }
  return exportSpki(KeyObject.from(source));
}

function exportSpki(key: KeyObject): Buffer {
  // A private key object carries its public half; the pin is always of the public key.
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'der' });
}

function colonHex(bytes: Buffer): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':');
}
