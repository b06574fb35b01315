import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueApiToken, issueEnrollToken } from '../auth/issueTokens';
import { hashSecret } from '../auth/secrets';
import { openSqliteStore } from './openSqliteStore';
import type { SqliteStore } from './sqliteStore';

let dir: string;
let store: SqliteStore;
const T0 = Date.UTC(2025, 0, 1);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-store-'));
  store = openSqliteStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function enroll(token: string, now = T0, machineId = `m-${now}`, requestedName?: string) {
  return store.enroll({
    tokenHash: hashSecret(token),
    requestedName,
    machineId,
    certificate: {
      serial: `s-${machineId}`,
      machineId,
      caPin: 'sha256/x',
      notBefore: now,
      notAfter: now + 1,
      issuedAt: now,
    },
    hostname: 'h',
    os: 'linux',
    arch: 'x64',
    agentVersion: 'a/1',
    now,
  });
}

describe('enrolment tokens', () => {
  it('enrol one machine with the name and labels of the token, once', () => {
    const { token } = issueEnrollToken(store, { name: 'web-1', labels: { env: 'prod' }, ttlMs: 60_000, now: T0 });
    const first = enroll(token);
    expect(first.ok && first.value).toMatchObject({ name: 'web-1', labels: { env: 'prod' }, online: false });
    expect(enroll(token, T0 + 1, 'other')).toEqual({ ok: false, error: 'ENROLL_TOKEN_USED' });
  });

  it('expire', () => {
    const { token } = issueEnrollToken(store, { name: 'web-1', labels: {}, ttlMs: 60_000, now: T0 });
    expect(enroll(token, T0 + 60_000)).toEqual({ ok: false, error: 'ENROLL_TOKEN_EXPIRED' });
  });

  it('must be known', () => {
    expect(enroll('fte_nope')).toEqual({ ok: false, error: 'ENROLL_TOKEN_UNKNOWN' });
  });

  it('cannot enrol a second machine with a taken name', () => {
    enroll(issueEnrollToken(store, { name: 'web-1', labels: {}, ttlMs: 60_000, now: T0 }).token, T0, 'a');
    const again = issueEnrollToken(store, { name: 'web-1', labels: {}, ttlMs: 60_000, now: T0 }).token;
    expect(enroll(again, T0, 'b')).toEqual({ ok: false, error: 'MACHINE_NAME_TAKEN' });
  });

  it('are bound to their name: asking for another one is refused and leaves the token unspent', () => {
    const { token } = issueEnrollToken(store, { name: 'web-1', labels: {}, ttlMs: 60_000, now: T0 });
    expect(enroll(token, T0, 'a', 'db-1')).toEqual({ ok: false, error: 'ENROLL_NAME_MISMATCH' });
    expect(enroll(token, T0, 'a', 'web-1').ok).toBe(true);
  });

  it('record the first certificate with the machine', () => {
    enroll(issueEnrollToken(store, { name: 'web-1', labels: {}, ttlMs: 60_000, now: T0 }).token, T0, 'a');
    expect(store.findMachineCertificate('s-a')).toMatchObject({ machineId: 'a', caPin: 'sha256/x' });
  });
});

describe('revoked machines', () => {
  it('leave the list, free their name for a new enrolment, and stay findable by id', () => {
    enroll(issueEnrollToken(store, { name: 'web-1', labels: {}, ttlMs: 60_000, now: T0 }).token, T0, 'a');
    expect(store.revokeMachine('web-1', T0 + 5)).toMatchObject({ id: 'a', revokedAt: T0 + 5 });
    expect(store.revokeMachine('web-1', T0 + 6)).toBeUndefined();
    expect(store.listMachines()).toEqual([]);
    expect(store.findMachineByName('web-1')).toBeUndefined();
    expect(store.findMachineById('a')).toMatchObject({ revokedAt: T0 + 5 });
    const again = issueEnrollToken(store, { name: 'web-1', labels: {}, ttlMs: 60_000, now: T0 }).token;
    expect(enroll(again, T0 + 7, 'b').ok).toBe(true);
    expect(store.findMachineByName('web-1')?.id).toBe('b');
  });
});

describe('the external change counter', () => {
  it('moves when another connection commits, not for our own writes', () => {
    const other = openSqliteStore(dir);
    const before = store.externalChangeCounter();
    issueEnrollToken(store, { name: 'x', labels: {}, ttlMs: 60_000, now: T0 });
    expect(store.externalChangeCounter()).toBe(before);
    issueEnrollToken(other, { name: 'y', labels: {}, ttlMs: 60_000, now: T0 });
    expect(store.externalChangeCounter()).not.toBe(before);
    other.close();
  });
});

describe('API tokens', () => {
  it('are stored as hashes and revoked by id or by name', () => {
    const a = issueApiToken(store, { name: 'alice', role: 'operator', ttlMs: null, now: T0 });
    issueApiToken(store, { name: 'alice', role: 'admin', ttlMs: null, now: T0 });
    const b = issueApiToken(store, { name: 'bob', role: 'auditor', ttlMs: 1000, now: T0 });
    expect(JSON.stringify(store.listApiTokens())).not.toContain(a.token);
    expect(store.findApiTokenByHash(hashSecret(b.token))).toMatchObject({ name: 'bob', expiresAt: T0 + 1000 });
    expect(store.revokeApiTokens(a.id, T0)).toBe(1);
    expect(store.revokeApiTokens('alice', T0)).toBe(1);
    expect(store.revokeApiTokens('alice', T0)).toBe(0);
  });
});

describe('sessions', () => {
  it('end once, count bytes, and list newest first with the machine name', () => {
    enroll(issueEnrollToken(store, { name: 'web-1', labels: {}, ttlMs: 60_000, now: T0 }).token, T0, 'm1');
    for (const [id, startedAt] of [
      ['s-old', T0],
      ['s-new', T0 + 5],
    ] as const) {
      store.insertSession({
        id,
        operator: 'alice',
        machineId: 'm1',
        loginUser: null,
        mode: 'shell',
        command: null,
        startedAt,
      });
    }
    store.addSessionBytes('s-old', 3, 10);
    store.addSessionBytes('s-old', 1, 0);
    store.endSession('s-old', { endedAt: T0 + 9, exitCode: 3, exitSignal: null, endReason: null });
    store.endSession('s-old', { endedAt: T0 + 99, exitCode: 0, exitSignal: null, endReason: 'RESUME_EXPIRED' });
    expect(store.openSessionIds('m1')).toEqual(['s-new']);
    expect(store.listMachines()[0]).toMatchObject({ name: 'web-1', sessions: 1 });
    const [newest, oldest] = store.listSessions(200);
    expect(newest?.id).toBe('s-new');
    expect(oldest).toMatchObject({
      machine: 'web-1',
      exitCode: 3,
      endReason: null,
      bytesIn: 4,
      bytesOut: 10,
      endedAt: new Date(T0 + 9).toISOString(),
    });
  });
});
