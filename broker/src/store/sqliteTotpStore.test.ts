import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './openSqliteStore';
import type { SqliteStore } from './sqliteStore';
import { SqliteTotpStore } from './sqliteTotpStore';

let dir: string;
let store: SqliteStore;
let totp: SqliteTotpStore;
const T0 = Date.UTC(2025, 0, 1);

function addUser(db: SqliteStore['db'], id: string): void {
  db.prepare("INSERT INTO users (id, name, role, created_at) VALUES (?, ?, 'operator', ?)").run(id, id, T0);
}

function confirmed(userId: string, step = 100): void {
  totp.putPendingTotp(userId, `sealed-${userId}`);
  expect(
    totp.confirmTotp(userId, {
      secretEncrypted: `sealed-${userId}`,
      step,
      now: T0,
      recoveryCodeHashes: [`${userId}-h1`, `${userId}-h2`],
    }),
  ).toBe(true);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-totpstore-'));
  store = openSqliteStore(dir);
  totp = new SqliteTotpStore(store.db);
  addUser(store.db, 'alice');
  addUser(store.db, 'bob');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteTotpStore', () => {
  it('stores a pending secret and confirms it with its recovery codes', () => {
    totp.putPendingTotp('alice', 'sealed-1');
    expect(totp.getTotp('alice')).toEqual({
      userId: 'alice',
      secretEncrypted: 'sealed-1',
      confirmedAt: null,
      lastStep: null,
      failures: 0,
      lockedUntil: null,
    });
    expect(
      totp.confirmTotp('alice', { secretEncrypted: 'sealed-1', step: 7, now: T0, recoveryCodeHashes: ['a', 'b'] }),
    ).toBe(true);
    expect(totp.getTotp('alice')).toMatchObject({ confirmedAt: T0, lastStep: 7 });
    expect(totp.countUnusedRecoveryCodes('alice')).toBe(2);
  });

  it('does not confirm a secret replaced meanwhile, or one already confirmed', () => {
    totp.putPendingTotp('alice', 'sealed-1');
    totp.putPendingTotp('alice', 'sealed-2');
    const confirmation = { secretEncrypted: 'sealed-1', step: 7, now: T0, recoveryCodeHashes: ['a'] };
    expect(totp.confirmTotp('alice', confirmation)).toBe(false);
    expect(totp.countUnusedRecoveryCodes('alice')).toBe(0);
    expect(totp.confirmTotp('alice', { ...confirmation, secretEncrypted: 'sealed-2' })).toBe(true);
    expect(totp.confirmTotp('alice', { ...confirmation, secretEncrypted: 'sealed-2', step: 8 })).toBe(false);
  });

  it('accepts each step once, only forward, and only for a confirmed enrolment', () => {
    totp.putPendingTotp('alice', 'sealed-1');
    expect(totp.acceptTotpStep('alice', 101, T0)).toBe(false);
    confirmed('alice', 100);
    expect(totp.acceptTotpStep('alice', 100, T0)).toBe(false);
    expect(totp.acceptTotpStep('alice', 102, T0)).toBe(true);
    expect(totp.acceptTotpStep('alice', 102, T0)).toBe(false);
    expect(totp.acceptTotpStep('alice', 101, T0)).toBe(false);
    expect(totp.getTotp('alice')?.lastStep).toBe(102);
  });

  it('lets exactly one of two connections accept the same step', () => {
    confirmed('alice');
    const other = openSqliteStore(dir);
    try {
      const otherTotp = new SqliteTotpStore(other.db);
      const results = [totp.acceptTotpStep('alice', 200, T0), otherTotp.acceptTotpStep('alice', 200, T0)];
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      other.close();
    }
  });

  it('counts failures, locks, refuses a step while locked, and resets on success', () => {
    confirmed('alice');
    expect(totp.addTotpFailure('alice')).toBe(1);
    expect(totp.addTotpFailure('alice')).toBe(2);
    expect(totp.addTotpFailure('nobody')).toBe(0);
    totp.lockTotp('alice', T0 + 1000);
    expect(totp.getTotp('alice')).toMatchObject({ failures: 0, lockedUntil: T0 + 1000 });
    expect(totp.acceptTotpStep('alice', 101, T0 + 999)).toBe(false);
    totp.addTotpFailure('alice');
    expect(totp.acceptTotpStep('alice', 101, T0 + 1000)).toBe(true);
    expect(totp.getTotp('alice')?.failures).toBe(0);
    totp.addTotpFailure('alice');
    totp.lockTotp('alice', T0 + 5000);
    totp.resetTotpFailures('alice');
    expect(totp.getTotp('alice')).toMatchObject({ failures: 0, lockedUntil: null });
  });

  it('keeps failures and a lock when a new secret replaces a confirmed one', () => {
    confirmed('alice');
    totp.addTotpFailure('alice');
    totp.lockTotp('alice', T0 + 1000);
    totp.addTotpFailure('alice');
    totp.putPendingTotp('alice', 'sealed-new');
    expect(totp.getTotp('alice')).toEqual({
      userId: 'alice',
      secretEncrypted: 'sealed-new',
      confirmedAt: null,
      lastStep: null,
      failures: 1,
      lockedUntil: T0 + 1000,
    });
    const confirmation = { secretEncrypted: 'sealed-new', step: 1, now: T0, recoveryCodeHashes: [] };
    expect(totp.confirmTotp('alice', confirmation)).toBe(false);
    expect(totp.confirmTotp('alice', { ...confirmation, now: T0 + 1000 })).toBe(true);
  });

  it('spends a recovery code once, and only for its user', () => {
    confirmed('alice');
    expect(totp.consumeRecoveryCode('bob', 'alice-h1', T0)).toBe(false);
    expect(totp.consumeRecoveryCode('alice', 'alice-h1', T0)).toBe(true);
    expect(totp.consumeRecoveryCode('alice', 'alice-h1', T0)).toBe(false);
    expect(totp.consumeRecoveryCode('alice', 'nope', T0)).toBe(false);
    expect(totp.countUnusedRecoveryCodes('alice')).toBe(1);
    totp.replaceRecoveryCodes('alice', ['h3', 'h4', 'h5'], T0);
    expect(totp.consumeRecoveryCode('alice', 'alice-h2', T0)).toBe(false);
    expect(totp.countUnusedRecoveryCodes('alice')).toBe(3);
  });

  it('deletes the enrolment with its recovery codes', () => {
    confirmed('alice');
    confirmed('bob');
    expect(totp.deleteTotp('alice')).toBe(true);
    expect(totp.deleteTotp('alice')).toBe(false);
    expect(totp.getTotp('alice')).toBeUndefined();
    expect(totp.countUnusedRecoveryCodes('alice')).toBe(0);
    expect(totp.countUnusedRecoveryCodes('bob')).toBe(2);
  });
});
