import { describe, expect, it } from 'vitest';
import { SecretVault } from './secretVault';
import { fakeCipher } from './testing/fakeCipher';

describe('SecretVault', () => {
  it('encrypts with safeStorage when the system has a keychain', () => {
    const vault = new SecretVault(fakeCipher(), { platform: 'darwin', plaintextOptIn: false });
    expect(vault.status.mode).toBe('encrypted');
    const sealed = vault.seal('ftr_secret');
    expect(sealed?.kind).toBe('safeStorage');
    expect(JSON.stringify(sealed)).not.toContain('ftr_secret');
    expect(vault.open(sealed!)).toBe('ftr_secret');
    expect(vault.open({ kind: 'safeStorage', data: 'garbage' })).toBeNull();
  });

  it('keeps secrets in memory only when Linux has no keyring (basic_text), and says what to do', () => {
    const vault = new SecretVault(fakeCipher(true, 'basic_text'), { platform: 'linux', plaintextOptIn: false });
    expect(vault.status.mode).toBe('memory');
    expect(vault.status.message).toMatch(/No keyring.*only while Fleetterm runs.*--insecure-plaintext-secrets/);
    expect(vault.seal('ftr_secret')).toBeNull();
    expect(new SecretVault(fakeCipher(false), { platform: 'win32', plaintextOptIn: false }).status.mode).toBe('memory');
  });

  it('writes plain text only after the opt-in, and says so loudly', () => {
    const vault = new SecretVault(fakeCipher(false), { platform: 'linux', plaintextOptIn: true });
    expect(vault.status).toMatchObject({ mode: 'plaintext', message: expect.stringMatching(/UNENCRYPTED/) });
    expect(vault.seal('ftr_secret')).toEqual({ kind: 'plaintext', secret: 'ftr_secret' });
  });

  it('ignores the opt-in when a keychain exists', () => {
    const vault = new SecretVault(fakeCipher(true, 'gnome_libsecret'), { platform: 'linux', plaintextOptIn: true });
    expect(vault.status.mode).toBe('encrypted');
  });
});
