import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';

/** The one key type Fleetterm generates: ECDSA on P-256, signing with SHA-256. */
export const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export type KeyPair = webcrypto.CryptoKeyPair;

/** A fresh, extractable ECDSA P-256 key pair (extractable so it can be written to disk). */
export async function generateKeyPair(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
}

/** The private key as unencrypted PKCS#8 PEM: store it with mode 0600. */
export async function exportPrivateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return toPem('PRIVATE KEY', new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', key)));
}

/** The public key as SubjectPublicKeyInfo PEM. */
export async function exportPublicKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return toPem('PUBLIC KEY', new Uint8Array(await webcrypto.subtle.exportKey('spki', key)));
}

/**
 * Both halves from a PKCS#8 PEM private key. WebCrypto cannot derive a public
 * key from a private one, so node:crypto does that step.
 */
export async function importKeyPairPem(privateKeyPem: string): Promise<KeyPair> {
  let spki: Buffer;
  let pkcs8: Buffer;
  try {
    const privateKey = createPrivateKey(privateKeyPem);
    if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`it is ${privateKey.asymmetricKeyType ?? 'an unknown'} key, not ECDSA P-256`);
    }
    pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`not a usable ECDSA P-256 private key: ${reason}`, { cause: error });
  }
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, ECDSA_P256, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, ECDSA_P256, true, ['verify']),
  };
}

/** RFC 7468 text encoding: base64 in 64-character lines between BEGIN and END labels. */
export function toPem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
