import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../node-common/logger';
import { openSqliteStore } from '../store/openSqliteStore';
import type { SqliteStore } from '../store/sqliteStore';
import { auditEntryHash, canonicalJson, GENESIS_HASH } from './auditHash';
import { AuditLog } from './auditLog';
import { CHECKPOINT_KEY_PATH, CheckpointKey } from './checkpointKey';
import { verifyStoredAuditChain } from './verifyAuditChain';

let dir: string;
let store: SqliteStore;
let audit: AuditLog;

/** Twelve entries, checkpoints signed at 5 and 10 (every 5). */
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-audit-'));
  store = openSqliteStore(dir);
  audit = new AuditLog({
    store,
    log: silentLogger(),
    checkpointKey: CheckpointKey.loadOrCreate(dir),
    checkpointEvery: 5,
  });
  for (let i = 1; i <= 12; i++) {
    audit.record('session.opened', { actor: 'alice', target: `s-${i}`, detail: { machine: 'web-1', n: i } });
  }
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const verify = () => verifyStoredAuditChain(store, CheckpointKey.load(dir));
const sql = (text: string, ...params: unknown[]) => store.db.prepare(text).run(...params);

describe('an untouched audit log', () => {
  it('chains every entry from 64 zeros and verifies, reaching its latest checkpoint', () => {
    const [first, second] = store.listAuditEvents(1, 2);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, type: 'session.opened', actor: 'alice' });
    expect(first?.hash).toBe(auditEntryHash(GENESIS_HASH, first!));
    expect(second?.prevHash).toBe(first?.hash);
    expect(store.listAuditCheckpoints().map((c) => c.seq)).toEqual([5, 10]);
    expect(verify()).toEqual({ ok: true, events: 12, lastSeq: 12, lastHash: expect.any(String), checkpointSeq: 10 });
  });

  it('signs a last checkpoint on close, and keeps its key private', () => {
    audit.close();
    expect(verify()).toMatchObject({ ok: true, checkpointSeq: 12 });
    expect(statSync(join(dir, CHECKPOINT_KEY_PATH)).mode & 0o777).toBe(0o600);
  });

  it('hashes the canonical JSON of the entry, whatever order its keys were built in', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });
});

describe('verify names the first bad entry', () => {
  it('after an edit', () => {
    sql(`UPDATE audit_events SET detail = '{"machine":"db-1","n":7}' WHERE seq = 7`);
    expect(verify()).toMatchObject({ ok: false, seq: 7, reason: 'edited' });
  });

  it('after an edit whose hash was recomputed: the next entry no longer chains', () => {
    const [row] = store.listAuditEvents(7, 1);
    const detail = { machine: 'db-1', n: 7 };
    sql(
      'UPDATE audit_events SET detail = ?, hash = ? WHERE seq = 7',
      canonicalJson(detail),
      auditEntryHash(row!.prevHash, { ...row!, detail }),
    );
    expect(verify()).toMatchObject({ ok: false, seq: 8, reason: 'reordered' });
  });

  it('after a deletion', () => {
    sql('DELETE FROM audit_events WHERE seq = 4');
    expect(verify()).toMatchObject({ ok: false, seq: 4, reason: 'deleted' });
  });

  it('after two entries swapped places', () => {
    sql('UPDATE audit_events SET seq = -1 WHERE seq = 3');
    sql('UPDATE audit_events SET seq = 3 WHERE seq = 4');
    sql('UPDATE audit_events SET seq = 4 WHERE seq = -1');
    expect(verify()).toMatchObject({ ok: false, seq: 3, reason: 'reordered' });
  });

  it('after the last entries were cut off', () => {
    sql('DELETE FROM audit_events WHERE seq > 8');
    expect(verify()).toMatchObject({ ok: false, seq: 9, reason: 'truncated' });
  });

  it('after the last entries were cut off below the latest checkpoint, even with the head rewritten to match', () => {
    const [last] = store.listAuditEvents(8, 1);
    sql('DELETE FROM audit_events WHERE seq > 8');
    sql('UPDATE audit_head SET seq = 8, hash = ?', last!.hash);
    expect(verify()).toMatchObject({ ok: false, seq: 9, reason: 'truncated' });
  });

  it('after a checkpoint signature was tampered with', () => {
    const forged = CheckpointKey.loadOrCreate(mkdtempSync(join(dir, 'other-')));
    const [, latest] = store.listAuditCheckpoints();
    sql('UPDATE audit_checkpoints SET signature = ? WHERE seq = 10', forged.sign(latest!, 0).signature);
    expect(verify()).toMatchObject({ ok: false, seq: 10, reason: 'checkpoint' });
  });
});

describe('recording', () => {
  it('never throws into the caller when the store fails', () => {
    store.close();
    expect(() => audit.record('token.created', { target: 'x' })).not.toThrow();
    store = openSqliteStore(dir);
  });
});
