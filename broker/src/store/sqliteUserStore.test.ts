import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './openSqliteStore';
import type { SqliteStore } from './sqliteStore';

let dir: string;
let store: SqliteStore;
const T0 = Date.UTC(2026, 0, 1);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-users-'));
  store = openSqliteStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const invite = (hash: string, fields: { name?: string; expiresAt?: number } = {}) =>
  store.users.addInvitation({
    hash,
    role: 'admin',
    name: fields.name ?? null,
    createdBy: null,
    createdAt: T0,
    expiresAt: fields.expiresAt ?? T0 + 60_000,
    usedAt: null,
  });

const newUser = (id: string, name: string) => ({ id, name, displayName: name, createdAt: T0 + 1 });

describe('invitations', () => {
  it('create one user with the invitation’s role, once', () => {
    invite('h1');
    const redeemed = store.users.redeemInvitation('h1', newUser('u1', 'alice'));
    expect(redeemed.ok && redeemed.value).toMatchObject({ name: 'alice', role: 'admin' });
    expect(store.users.redeemInvitation('h1', newUser('u2', 'bob'))).toEqual({ ok: false, error: 'INVITE_USED' });
    expect(store.users.countUsers()).toBe(1);
  });

  it('refuse unknown and expired links, and a name that is taken', () => {
    expect(store.users.redeemInvitation('nope', newUser('u1', 'a'))).toEqual({ ok: false, error: 'INVITE_UNKNOWN' });
    invite('old', { expiresAt: T0 });
    expect(store.users.checkInvitation('old', T0)).toEqual({ ok: false, error: 'INVITE_EXPIRED' });
    invite('h1');
    invite('h2');
    store.users.redeemInvitation('h1', newUser('u1', 'alice'));
    expect(store.users.redeemInvitation('h2', newUser('u2', 'alice'))).toEqual({
      ok: false,
      error: 'USER_NAME_TAKEN',
    });
  });

  it('keep the name an invitation was made for', () => {
    invite('h1', { name: 'carol' });
    const redeemed = store.users.redeemInvitation('h1', newUser('u1', 'mallory'));
    expect(redeemed.ok && redeemed.value.name).toBe('carol');
  });

  it('replace unused first-admin links', () => {
    invite('h1');
    store.users.dropFirstAdminInvitations();
    expect(store.users.checkInvitation('h1', T0)).toEqual({ ok: false, error: 'INVITE_UNKNOWN' });
  });
});

describe('users', () => {
  it('are disabled by name, freeing the name and ending their sessions and tokens', () => {
    invite('h1');
    store.users.redeemInvitation('h1', newUser('u1', 'alice'));
    expect(store.users.disableUser('alice', T0 + 5)).toMatchObject({ id: 'u1', disabledAt: T0 + 5 });
    expect(store.users.findUserByName('alice')).toBeUndefined();
    expect(store.users.disableUser('alice', T0 + 6)).toBeUndefined();
    expect(store.users.listUsers()).toHaveLength(1);
  });
});
