import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForeignKeyError, migrate, SchemaTooNewError } from './migrate';
import { MIGRATIONS } from './migrations';
import { NoDatabaseError, openSqliteStore } from './openSqliteStore';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  it('bring a new database to the newest version with every table', () => {
    const db = new Database(join(dir, 'a.db'));
    expect(migrate(db)).toBe(0);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>)
      .map((t) => t.name)
      .sort();
    expect(tables).toEqual([
      'api_tokens',
      'audit_checkpoints',
      'audit_events',
      'audit_head',
      'enroll_tokens',
      'invitations',
      'machine_certificates',
      'machines',
      'passkeys',
      'policies',
      'recovery_codes',
      'sessions',
      'signin_sessions',
      'terminal_tokens',
      'totp',
      'users',
      'webauthn_challenges',
    ]);
    db.close();
  });

  it('are idempotent: a second run changes nothing', () => {
    const db = new Database(join(dir, 'a.db'));
    migrate(db);
    expect(migrate(db)).toBe(MIGRATIONS.length);
    db.close();
  });

  it('apply only the steps a database lacks, keeping its data', () => {
    const db = new Database(join(dir, 'a.db'));
    const steps = ['CREATE TABLE t (a INTEGER)', 'ALTER TABLE t ADD COLUMN b TEXT'];
    migrate(db, steps.slice(0, 1));
    db.prepare('INSERT INTO t (a) VALUES (1)').run();
    expect(migrate(db, steps)).toBe(1);
    expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 1, b: null }]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('roll a failed step back and leave the version where it was', () => {
    const db = new Database(join(dir, 'a.db'));
    expect(() => migrate(db, ['CREATE TABLE t (a INTEGER)', 'CREATE TABLE t (b INTEGER)'])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('refuse a step that leaves dangling foreign keys, and keep foreign keys on afterwards', () => {
    const db = new Database(join(dir, 'a.db'));
    db.pragma('foreign_keys = ON');
    const steps = [
      'CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id))',
      'INSERT INTO c (p) VALUES (7)',
    ];
    expect(() => migrate(db, steps)).toThrow(ForeignKeyError);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('3 rebuilds machines without the bearer credential, keeping machines and their sessions', () => {
    const db = new Database(join(dir, 'a.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 2));
    db.prepare(
      `INSERT INTO machines (id, name, credential_hash, created_at, revoked_at) VALUES ('m1', 'web-1', 'h1', 1, 5)`,
    ).run();
    db.prepare(
      `INSERT INTO sessions (id, operator, machine_id, mode, started_at) VALUES ('s1', 'alice', 'm1', 'shell', 2)`,
    ).run();
    migrate(db);
    expect(db.prepare('SELECT id, name, revoked_at FROM machines').all()).toEqual([
      { id: 'm1', name: 'web-1', revoked_at: 5 },
    ]);
    expect(db.prepare('SELECT machine_id FROM sessions').all()).toEqual([{ machine_id: 'm1' }]);
    // The revoked machine's name is free again; a second live one is not.
    db.prepare(`INSERT INTO machines (id, name, created_at) VALUES ('m2', 'web-1', 3)`).run();
    expect(() => db.prepare(`INSERT INTO machines (id, name, created_at) VALUES ('m3', 'web-1', 4)`).run()).toThrow(
      /UNIQUE/,
    );
    expect(() => db.prepare(`DELETE FROM machines WHERE id = 'm1'`).run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('refuse a database written by a newer broker', () => {
    const db = new Database(join(dir, 'a.db'));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    expect(() => migrate(db)).toThrow(SchemaTooNewError);
    db.close();
  });
});

describe('openSqliteStore', () => {
  it('creates a private data directory and a WAL database', () => {
    const dataDir = join(dir, 'nested', 'data');
    const store = openSqliteStore(dataDir);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'fleetterm.db')).mode & 0o777).toBe(0o600);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    store.close(); // idempotent
  });

  it('can refuse to create a database that is missing', () => {
    expect(() => openSqliteStore(join(dir, 'missing'), { create: false })).toThrow(NoDatabaseError);
  });
});
