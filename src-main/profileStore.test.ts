import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileStore, ProfileStoreError } from './profileStore';
import { SecretVault } from './secretVault';
import { fakeCipher } from './testing/fakeCipher';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fleetterm-profiles-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const user = { id: 'u1', name: 'alice', displayName: 'Alice', role: 'operator' };
const signIn = { user, expiresAt: 1_900_000_000_000, refreshToken: 'ftr_secret' };
const storeWith = (cipher = fakeCipher(), plaintextOptIn = false, platform = 'linux') =>
  new ProfileStore(join(dir, 'profiles.json'), new SecretVault(cipher, { platform, plaintextOptIn }));

describe('ProfileStore', () => {
  it('adds, lists and removes brokers in a private file', () => {
    const store = storeWith();
    expect(store.list()).toEqual([]);
    const added = store.add({ name: 'Lab', url: 'https://lab.example:7420', signInMethod: 'auto' }, 0);
    expect(added).toMatchObject({ name: 'Lab', url: 'https://lab.example:7420', addedAt: '1970-01-01T00:00:00.000Z' });
    expect(storeWith().list()).toEqual([added]);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(store.remove(added.id)).toBe(true);
    expect(store.remove(added.id)).toBe(false);
    expect(store.list()).toEqual([]);
  });

  it('keeps the refresh secret encrypted on disk with a keychain', () => {
    const store = storeWith(fakeCipher(true, 'gnome_libsecret'));
    const { id } = store.add({ name: 'Lab', url: 'https://lab.example', signInMethod: 'auto' });
    store.saveSignIn(id, signIn);
    expect(readFileSync(store.path, 'utf8')).not.toContain('ftr_secret');
    expect(storeWith(fakeCipher(true, 'gnome_libsecret')).signIn(id)).toEqual(signIn);
    // Another machine's or user's keychain cannot open it: signed out, not an error.
    expect(storeWith(fakeCipher(false)).signIn(id)).toBeUndefined();
    store.clearSignIn(id);
    expect(store.signIn(id)).toBeUndefined();
  });

  it('keeps the sign-in in memory only without a keychain: gone after a restart', () => {
    const store = storeWith(fakeCipher(true, 'basic_text'));
    const { id } = store.add({ name: 'Lab', url: 'https://lab.example', signInMethod: 'auto' });
    store.saveSignIn(id, signIn);
    expect(store.signIn(id)).toEqual(signIn);
    expect(readFileSync(store.path, 'utf8')).not.toContain('ftr_');
    expect(storeWith(fakeCipher(true, 'basic_text')).signIn(id)).toBeUndefined();
  });

  it('writes the secret in plain text only with the opt-in', () => {
    const store = storeWith(fakeCipher(false), true);
    const { id } = store.add({ name: 'Lab', url: 'https://lab.example', signInMethod: 'auto' });
    store.saveSignIn(id, signIn);
    expect(readFileSync(store.path, 'utf8')).toContain('"kind": "plaintext"');
    expect(storeWith(fakeCipher(false), true).signIn(id)).toEqual(signIn);
  });

  it('refuses a damaged file with guidance and leaves it as it was', () => {
    const path = join(dir, 'profiles.json');
    writeFileSync(path, '{"version": 1, "profiles": [{"id": 3}]}');
    const store = storeWith();
    expect(() => store.list()).toThrow(ProfileStoreError);
    expect(() => store.add({ name: 'x', url: 'http://127.0.0.1:7420', signInMethod: 'auto' })).toThrow(
      /is damaged.*mv .*profiles\.json\.bad/,
    );
    expect(readFileSync(path, 'utf8')).toBe('{"version": 1, "profiles": [{"id": 3}]}');
  });
});
