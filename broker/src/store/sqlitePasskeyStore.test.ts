import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewPasskey } from '../auth/passkeys/passkeyStore';
import { openSqliteStore } from './openSqliteStore';
import { SqlitePasskeyStore } from './sqlitePasskeyStore';
import type { SqliteStore } from './sqliteStore';

const T0 = Date.UTC(2025, 0, 1);
let dir: string;
let sqlite: SqliteStore;
let store: SqlitePasskeyStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-passkeys-'));
  sqlite = openSqliteStore(dir);
  store = new SqlitePasskeyStore(sqlite.db);
  const addUser = sqlite.db.prepare("INSERT INTO users (id, name, role, created_at) VALUES (?, ?, 'operator', ?)");
  addUser.run('u-alice', 'alice', T0);
  addUser.run('u-bob', 'bob', T0);
});
afterEach(() => {
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

const passkey = (id: string, userId = 'u-alice', createdAt = T0): NewPasskey => ({
  id,
  userId,
  name: `key ${id}`,
  publicKey: Uint8Array.of(1, 2, 3),
  counter: 0,
  transports: ['internal', 'hybrid'],
  backedUp: false,
  createdAt,
});

describe('webauthn challenges', () => {
  it('are taken once', () => {
    store.putWebAuthnChallenge({
      challenge: 'c1',
      purpose: 'sign-in',
      userId: null,
      createdAt: T0,
      expiresAt: T0 + 1000,
    });
    expect(store.takeWebAuthnChallenge('c1', T0 + 10)).toEqual({
      ok: true,
      value: { challenge: 'c1', purpose: 'sign-in', userId: null, createdAt: T0, expiresAt: T0 + 1000 },
    });
    expect(store.takeWebAuthnChallenge('c1', T0 + 20)).toEqual({ ok: false, error: 'CHALLENGE_UNKNOWN' });
  });

  it('expire, and an expired one is gone after the attempt', () => {
    store.putWebAuthnChallenge({
      challenge: 'c1',
      purpose: 'register',
      userId: 'u-alice',
      createdAt: T0,
      expiresAt: T0 + 1000,
    });
    expect(store.takeWebAuthnChallenge('c1', T0 + 1000)).toEqual({ ok: false, error: 'CHALLENGE_EXPIRED' });
    expect(store.takeWebAuthnChallenge('c1', T0)).toEqual({ ok: false, error: 'CHALLENGE_UNKNOWN' });
  });

  it('are pruned when nobody answered them', () => {
    store.putWebAuthnChallenge({
      challenge: 'old',
      purpose: 'sign-in',
      userId: null,
      createdAt: T0,
      expiresAt: T0 + 10,
    });
    store.putWebAuthnChallenge({
      challenge: 'new',
      purpose: 'sign-in',
      userId: null,
      createdAt: T0,
      expiresAt: T0 + 99,
    });
    expect(store.pruneWebAuthnChallenges(T0 + 50)).toBe(1);
    expect(store.takeWebAuthnChallenge('new', T0 + 50).ok).toBe(true);
  });
});

describe('passkeys', () => {
  it('are added once, found by credential id and listed per user, oldest first', () => {
    expect(store.addPasskey(passkey('k2', 'u-alice', T0 + 5))).toBe(true);
    expect(store.addPasskey(passkey('k1'))).toBe(true);
    expect(store.addPasskey(passkey('k3', 'u-bob'))).toBe(true);
    expect(store.addPasskey(passkey('k1', 'u-bob'))).toBe(false);
    expect(store.findPasskey('k1')).toEqual({ ...passkey('k1'), publicKey: Uint8Array.of(1, 2, 3), lastUsedAt: null });
    expect(store.listPasskeys('u-alice').map((p) => p.id)).toEqual(['k1', 'k2']);
    expect(store.findPasskey('nope')).toBeUndefined();
  });

  it('are renamed only by their owner', () => {
    store.addPasskey(passkey('k1'));
    expect(store.renamePasskey('u-bob', 'k1', 'mine now')).toBe(false);
    expect(store.renamePasskey('u-alice', 'k1', 'laptop')).toBe(true);
    expect(store.findPasskey('k1')?.name).toBe('laptop');
  });

  it('keep the last one unless allowed, and are removed only by their owner', () => {
    store.addPasskey(passkey('k1'));
    store.addPasskey(passkey('k2'));
    expect(store.removePasskey('u-bob', 'k1', true)).toBe('unknown');
    expect(store.removePasskey('u-alice', 'k1', false)).toBe('removed');
    expect(store.removePasskey('u-alice', 'k2', false)).toBe('last');
    expect(store.removePasskey('u-alice', 'k2', true)).toBe('removed');
    expect(store.listPasskeys('u-alice')).toEqual([]);
  });

  it('record a use only when the counter grows, or stays zero on both sides', () => {
    store.addPasskey(passkey('k1'));
    expect(store.recordPasskeyUse('k1', 0, true, T0 + 1)).toBe(true);
    expect(store.findPasskey('k1')).toMatchObject({ counter: 0, backedUp: true, lastUsedAt: T0 + 1 });
    expect(store.recordPasskeyUse('k1', 5, false, T0 + 2)).toBe(true);
    expect(store.recordPasskeyUse('k1', 5, false, T0 + 3)).toBe(false);
    expect(store.recordPasskeyUse('k1', 0, false, T0 + 3)).toBe(false);
    expect(store.findPasskey('k1')).toMatchObject({ counter: 5, lastUsedAt: T0 + 2 });
  });
});
