import type { SecretStorageStatus } from '../common/desktopApi';

/** The part of Electron's safeStorage the vault uses; tests pass a fake. */
export interface SecretCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which keyring safeStorage picked (`basic_text` means none). */
  getSelectedStorageBackend?(): string;
}

/** How a secret sits in profiles.json. */
export type SealedSecret = { kind: 'safeStorage'; data: string } | { kind: 'plaintext'; secret: string };

export interface SecretVaultOptions {
  /** `process.platform`. */
  platform: string;
  /** `--insecure-plaintext-secrets`: the person accepts refresh secrets in the clear on disk. */
  plaintextOptIn: boolean;
}

/**
 * Where refresh secrets go. With an OS keychain behind safeStorage they are
 * encrypted on disk. Without one (Linux with no Secret Service or KWallet,
 * where Electron falls back to `basic_text`, a key compiled into Chromium),
 * encryption would be theatre: the secret stays in memory only and the
 * person signs in again after a restart, unless they started the app with
 * `--insecure-plaintext-secrets`. Must be created after app 'ready'
 * (safeStorage answers false before on Linux).
 */
export class SecretVault {
  readonly status: SecretStorageStatus;

  constructor(
    private readonly cipher: SecretCipher,
    options: SecretVaultOptions,
  ) {
    this.status = describeStorage(cipher, options);
  }

  /** The secret as it should be written to disk, or null: keep it in memory only. */
  seal(secret: string): SealedSecret | null {
    if (this.status.mode === 'encrypted') {
      return { kind: 'safeStorage', data: this.cipher.encryptString(secret).toString('base64') };
    }
    return this.status.mode === 'plaintext' ? { kind: 'plaintext', secret } : null;
  }

  /** The secret back, or null when it cannot be read here (another user's keychain, a keychain now gone). */
  open(sealed: SealedSecret): string | null {
    if (sealed.kind === 'plaintext') return sealed.secret;
    if (this.status.mode !== 'encrypted') return null;
    try {
      return this.cipher.decryptString(Buffer.from(sealed.data, 'base64'));
    } catch {
      return null;
    }
  }
}

function describeStorage(cipher: SecretCipher, options: SecretVaultOptions): SecretStorageStatus {
  const keychain =
    options.platform === 'darwin' ? 'the macOS Keychain' : options.platform === 'win32' ? 'DPAPI' : 'the keyring';
  const backend = options.platform === 'linux' ? cipher.getSelectedStorageBackend?.() : undefined;
  if (cipher.isEncryptionAvailable() && backend !== 'basic_text' && backend !== 'unknown') {
    return { mode: 'encrypted', message: `Sign-ins are kept encrypted with ${keychain}.` };
  }
  const missing =
    options.platform === 'linux'
      ? 'No keyring (GNOME Keyring, KWallet or another Secret Service) is available'
      : 'The system cannot encrypt secrets for this user';
  if (options.plaintextOptIn) {
    return {
      mode: 'plaintext',
      message: `${missing}: sign-ins are kept UNENCRYPTED on disk, as --insecure-plaintext-secrets asked.`,
    };
  }
  return {
    mode: 'memory',
    message:
      `${missing}: sign-ins are kept only while Fleetterm runs. Start a keyring, or start Fleetterm with ` +
      '--insecure-plaintext-secrets to keep them unencrypted on disk.',
  };
}
