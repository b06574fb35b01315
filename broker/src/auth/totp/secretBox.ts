import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Relative to the data directory. */
export const SECRET_BOX_KEY_PATH = join('secrets', 'totp.key');

const KEY_BYTES = 32; // AES-256
const IV_BYTES = 12; // GCM's native nonce size: no extra hashing of the IV, random is safe for far more than 2^32 seals
const TAG_BYTES = 16; // the full GCM tag; shorter tags weaken forgery resistance
const VERSION = 'v1';

export type SecretBoxErrorCode = 'SECRET_BOX_KEY' | 'SECRET_BOX_FORMAT' | 'SECRET_BOX_TAMPERED';

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const b64 = (bytes: Buffer): string => bytes.toString('base64url');

/**
 * Encrypts small secrets (TOTP seeds) at rest with AES-256-GCM under a key
 * kept beside the database in `<data>/secrets/totp.key` (0600 in a 0700
 * directory). A copy of the database alone does not reveal the seeds.
 *
 * Sealed text is `v1.<iv>.<tag>.<ciphertext>`, base64url: the version lets a
 * later key or cipher coexist with rows sealed under this one. The optional
 * `context` is bound as associated data, so a sealed value moved to another
 * row (another user's) no longer opens.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** A box over a given key, for tests and for callers that keep the key elsewhere. */
  static fromKey(key: Buffer): SecretBox {
    if (key.length !== KEY_BYTES) {
      throw new SecretBoxError('SECRET_BOX_KEY', `a secret box key is ${KEY_BYTES} bytes, not ${key.length}`);
    }
    return new SecretBox(Buffer.from(key));
  }

  /** The key in `dataDir`, or undefined when none was ever generated there. */
  static load(dataDir: string): SecretBox | undefined {
    const file = join(dataDir, SECRET_BOX_KEY_PATH);
    if (!existsSync(file)) return undefined;
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      throw new SecretBoxError('SECRET_BOX_KEY', `${file} is readable by other users; run: chmod 600 ${file}`);
    }
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length !== KEY_BYTES) {
      throw new SecretBoxError(
        'SECRET_BOX_KEY',
        `${file} does not hold a ${KEY_BYTES}-byte key; restore it from a backup ` +
          '(without it, enrolled TOTP secrets cannot be read and users must enrol again)',
      );
    }
    return new SecretBox(key);
  }

  /** Loads the key, generating it once. Safe against `serve` and a CLI command generating at the same time. */
  static loadOrCreate(dataDir: string): SecretBox {
    const existing = SecretBox.load(dataDir);
    if (existing) return existing;
    const dir = join(dataDir, 'secrets');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700); // mkdir's mode is filtered by the umask
    // Written in full under a private name, then linked into place: link fails if another process won the race.
    const temp = join(dir, `totp.key.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    writeFileSync(temp, `${b64(randomBytes(KEY_BYTES))}\n`, { mode: 0o600, flag: 'wx' });
    try {
      chmodSync(temp, 0o600);
      linkSync(temp, join(dataDir, SECRET_BOX_KEY_PATH));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
    return SecretBox.load(dataDir) as SecretBox;
  }

  seal(plain: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
  }

  /** The plain text; throws SecretBoxError when the text is malformed or was changed (or sealed under another key or context). */
  open(sealed: string, context = ''): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) {
      throw new SecretBoxError('SECRET_BOX_FORMAT', `not a ${VERSION} sealed secret; was the stored value edited?`);
    }
    const [iv, tag, ciphertext] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
    if (!iv || !tag || !ciphertext || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new SecretBoxError('SECRET_BOX_FORMAT', `not a ${VERSION} sealed secret; was the stored value edited?`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SecretBoxError(
        'SECRET_BOX_TAMPERED',
        'a sealed secret failed its integrity check: it was changed, or sealed under another key ' +
          `(${SECRET_BOX_KEY_PATH} replaced?); restore the key, or have the user enrol again`,
        { cause: error },
      );
    }
  }
}
