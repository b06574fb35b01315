import { ECDSA_P256, type KeyPair } from './keys';
import { x509 } from './x509';

/**
 * A PKCS#10 certificate signing request for `keys`, naming only a common
 * name. It asks for nothing else: the broker decides every extension.
 */
export async function createCsr(keys: KeyPair, commonName: string): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm: ECDSA_P256,
  });
  return `${csr.toString('pem').trim()}\n`;
}
