import type { SecretCipher } from '../secretVault';

/** A stand-in for safeStorage: reversible, but never the plain text. */
export function fakeCipher(available = true, backend?: string): SecretCipher {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (text) => Buffer.from(`enc:${Buffer.from(text).toString('hex')}`),
    decryptString: (data) => {
      const text = data.toString();
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext');
      return Buffer.from(text.slice(4), 'hex').toString();
    },
    ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
  };
}
