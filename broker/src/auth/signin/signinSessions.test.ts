import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/openSqliteStore';
import type { SqliteStore } from '../../store/sqliteStore';
import { ACCESS_TOKEN_TTL_MS, SIGNIN_SESSION_TTL_MS, SigninSessions } from './signinSessions';

let dir: string;
let store: SqliteStore;
let sessions: SigninSessions;
const T0 = Date.UTC(2026, 0, 1);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-signin-'));
  store = openSqliteStore(dir);
  store.db.prepare(`INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'alice', 'operator', ?)`).run(T0);
  sessions = new SigninSessions({ sessions: store.signinSessions, users: store.users });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sign-in sessions', () => {
  it('authenticate by access token until it expires, and say the user', () => {
    const tokens = sessions.start('u1', T0, { userAgent: 'test' });
    expect(tokens.accessToken).toMatch(/^fta_/);
    expect(tokens.refreshToken).toMatch(/^ftr_/);
    const signedIn = sessions.authenticate(tokens.accessToken, T0 + 1000);
    expect(signedIn.ok && signedIn.value.user.name).toBe('alice');
    expect(sessions.authenticate(tokens.accessToken, T0 + ACCESS_TOKEN_TTL_MS)).toEqual({
      ok: false,
      error: 'SESSION_EXPIRED',
    });
    expect(sessions.authenticate('fta_unknown', T0)).toEqual({ ok: false, error: 'SESSION_UNKNOWN' });
  });

  it('rotate the refresh secret at every refresh; the old access token stops working', () => {
    const first = sessions.start('u1', T0);
    const second = sessions.refresh(first.refreshToken, T0 + 60_000);
    if (!second.ok) throw new Error(second.error);
    expect(second.value.refreshToken).not.toBe(first.refreshToken);
    expect(sessions.authenticate(first.accessToken, T0 + 60_000).ok).toBe(false);
    expect(sessions.authenticate(second.value.accessToken, T0 + 60_000).ok).toBe(true);
  });

  it('revoke the session when a rotated refresh secret comes back (someone holds a copy)', () => {
    const first = sessions.start('u1', T0);
    const second = sessions.refresh(first.refreshToken, T0 + 1);
    if (!second.ok) throw new Error(second.error);
    expect(sessions.refresh(first.refreshToken, T0 + 2)).toEqual({ ok: false, error: 'REFRESH_REUSED' });
    expect(sessions.authenticate(second.value.accessToken, T0 + 3)).toEqual({ ok: false, error: 'SESSION_REVOKED' });
    expect(sessions.refresh(second.value.refreshToken, T0 + 4)).toEqual({ ok: false, error: 'SESSION_REVOKED' });
  });

  it('end both tokens at once on sign-out, and end at the session lifetime whatever is refreshed', () => {
    const tokens = sessions.start('u1', T0);
    expect(sessions.signOut(tokens.sessionId, T0 + 1)).toBe(true);
    expect(sessions.authenticate(tokens.accessToken, T0 + 2)).toEqual({ ok: false, error: 'SESSION_REVOKED' });
    expect(sessions.refresh(tokens.refreshToken, T0 + 2)).toEqual({ ok: false, error: 'SESSION_REVOKED' });

    const other = sessions.start('u1', T0);
    expect(sessions.refresh(other.refreshToken, T0 + SIGNIN_SESSION_TTL_MS)).toEqual({
      ok: false,
      error: 'SESSION_EXPIRED',
    });
  });

  it('end every session of a user who is disabled', () => {
    const tokens = sessions.start('u1', T0);
    expect(store.users.disableUser('alice', T0 + 1)?.disabledAt).toBe(T0 + 1);
    expect(sessions.authenticate(tokens.accessToken, T0 + 2)).toEqual({ ok: false, error: 'SESSION_REVOKED' });
    expect(sessions.stillLive(tokens.sessionId, T0 + 2)).toBe(false);
  });

  it('store only hashes', () => {
    const tokens = sessions.start('u1', T0);
    const row = JSON.stringify(store.db.prepare('SELECT * FROM signin_sessions').all());
    expect(row).not.toContain(tokens.accessToken);
    expect(row).not.toContain(tokens.refreshToken);
  });
});
