import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PkiError } from './pkiError';

/** Where everything lives under `<data>/pki/`. */
export const PKI_FILES = {
  rootCert: 'root.crt',
  rootKey: 'root.key',
  issuingCert: 'issuing.crt',
  issuingKey: 'issuing.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
} as const;

export type PkiFile = keyof typeof PKI_FILES;

export const DIR_MODE = 0o700;
export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;

export const pkiDir = (dataDir: string): string => join(dataDir, 'pki');
/** The generation a rotation replaced, trusted until it is retired. */
export const previousPkiDir = (dataDir: string): string => join(pkiDir(dataDir), 'previous');

export function pkiPath(dir: string, file: PkiFile): string {
  return join(dir, PKI_FILES[file]);
}

/** Creates a directory with mode 0700 whatever the umask (mkdir's mode is masked by it). */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
}

/**
 * Writes a file atomically (a temporary file renamed over it) with an exact
 * mode, so a reader never sees half a key and a key is never readable by others,
 * not even for a moment.
 */
export function writeFileAtomic(path: string, text: string, mode: number): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, text, { mode, flag: 'wx' });
    chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** A PKI file's text, or null when it does not exist. Keys readable by others are refused, like ssh does. */
export function readPkiFile(dir: string, file: PkiFile): string | null {
  const path = pkiPath(dir, file);
  if (!existsSync(path)) return null;
  if (file.endsWith('Key') && process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    throw new PkiError('BAD_PKI_FILES', `${path} is readable by other users; run: chmod 600 ${path}`);
  }
  return readFileSync(path, 'utf8');
}
