import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SECRET_BOX_KEY_PATH, SecretBox, SecretBoxError } from './secretBox';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-secretbox-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): SecretBoxError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return error as SecretBoxError;
  }
  throw new Error('expected a SecretBoxError');
}

/** Replaces one base64url part of a sealed value with the same bytes, one bit flipped. */
function flip(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part] as string, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('the key file', () => {
  it('is created once, 0600 in a 0700 directory, and reused', () => {
    expect(SecretBox.load(dir)).toBeUndefined();
    const first = SecretBox.loadOrCreate(dir);
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, SECRET_BOX_KEY_PATH)).mode & 0o777).toBe(0o600);
    }
    const sealed = first.seal('JBSWY3DPEHPK3PXP');
    expect(SecretBox.loadOrCreate(dir).open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(SecretBox.load(dir)?.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
  });

  it.skipIf(process.platform === 'win32')('is refused when others may read it, with the chmod to run', () => {
    SecretBox.loadOrCreate(dir);
    const file = join(dir, SECRET_BOX_KEY_PATH);
    chmodSync(file, 0o644);
    const error = errorOf(() => SecretBox.load(dir));
    expect(error.code).toBe('SECRET_BOX_KEY');
    expect(error.message).toContain(`chmod 600 ${file}`);
  });

  it('is refused when it does not hold a 32-byte key', () => {
    SecretBox.loadOrCreate(dir);
    writeFileSync(join(dir, SECRET_BOX_KEY_PATH), 'c2hvcnQ\n', { mode: 0o600 });
    expect(errorOf(() => SecretBox.load(dir)).code).toBe('SECRET_BOX_KEY');
    expect(errorOf(() => SecretBox.fromKey(randomBytes(16))).code).toBe('SECRET_BOX_KEY');
  });
});

describe('sealing', () => {
  const box = SecretBox.fromKey(randomBytes(32));

  it('round-trips, never shows the plain text, and differs every time', () => {
    const a = box.seal('JBSWY3DPEHPK3PXP', 'totp:u1');
    const b = box.seal('JBSWY3DPEHPK3PXP', 'totp:u1');
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(a).not.toBe(b);
    expect(box.open(a, 'totp:u1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('detects a changed ciphertext, tag or IV', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    for (const part of [1, 2, 3]) expect(errorOf(() => box.open(flip(sealed, part))).code).toBe('SECRET_BOX_TAMPERED');
  });

  it('does not open under another context or key', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:u1');
    expect(errorOf(() => box.open(sealed, 'totp:u2')).code).toBe('SECRET_BOX_TAMPERED');
    expect(errorOf(() => SecretBox.fromKey(randomBytes(32)).open(sealed, 'totp:u1')).code).toBe('SECRET_BOX_TAMPERED');
  });

  it('refuses what is not a sealed value', () => {
    for (const text of ['', 'JBSWY3DPEHPK3PXP', 'v2.a.b.c', 'v1.a.b', 'v1.AAAA.AAAA.AAAA']) {
      expect(errorOf(() => box.open(text)).code).toBe('SECRET_BOX_FORMAT');
    }
  });
});
